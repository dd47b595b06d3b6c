#!/bin/bash
# Usage: media_plugin.sh MEDIAVAULT [FAKE_ABI.so FAKE_SIZE.so FAKE_NULL.so]
# The media decoders live in mediavault-media.so, loaded on the first decode:
# the program and libmediavault link none of FFmpeg, libjpeg, Chromaprint or
# libheif; the plugin exports only its entry point; hash, scan, dupes, lookup,
# export and --version never load it; a missing or refused plugin makes each
# decoding call fail with "media decoders unavailable: FILE: reason" (exit 1),
# never a crash, and leaves the commands that decode nothing working.

fakes=("${@:2}")
. "$(dirname "$0")/lib.sh"

decoders='libav(codec|format|util)|libsw(scale|resample)|libjpeg|libchromaprint|libheif'
lib=$(ldd "$MV" | awk '/libmediavault\.so/ { print $3 }')
[ -f "$lib" ] || fail "ldd does not show libmediavault.so: $(ldd "$MV")"
plugin=$(dirname "$lib")/mediavault-media.so
[ -f "$plugin" ] || fail "no $plugin next to $lib"

# Linking: the decoders are the plugin's, not the program's nor the library's.
if ldd "$MV" "$lib" | grep -Eq "$decoders"; then
    fail "program or library links a decoder: $(ldd "$MV" "$lib" | grep -E "$decoders")"
fi
ldd "$plugin" | grep -q libavcodec || fail "the plugin does not link libavcodec"
ldd "$plugin" | grep -q libchromaprint || fail "the plugin does not link libchromaprint"
exports=$(nm -D --defined-only "$plugin" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }')
[ "$exports" = mv_media_plugin_entry ] || fail "plugin exports: $exports"

# Media made here: a JPEG, an MP3, an MP4 and a text.
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg not found"; exit 77; }
mkdir media
ffmpeg -loglevel error -f lavfi -i testsrc=size=96x64 -frames:v 1 media/a.jpg || exit 3
ffmpeg -loglevel error -f lavfi -i sine=frequency=440:duration=4 media/a.mp3 || exit 3
ffmpeg -loglevel error -f lavfi -i testsrc=size=64x48:rate=5:duration=2 -pix_fmt yuv420p \
    media/a.mp4 || exit 3
printf 'the quick brown fox jumps over the lazy dog\n' >media/a.txt
cp media/a.jpg media/b.jpg
cat_args=(--catalog "$T/cat.db")

# Commands that decode nothing never map the plugin (LD_DEBUG names every object
# loaded); fingerprinting an image does, which shows that the check can see it.
loads_plugin()
{
    LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -q 'file=.*mediavault-media\.so'
}
loads_plugin "$MV" --version && fail "--version loaded the plugin"
loads_plugin "$MV" hash media/a.jpg && fail "hash loaded the plugin"
loads_plugin "$MV" "${cat_args[@]}" scan media && fail "scan loaded the plugin"
loads_plugin "$MV" "${cat_args[@]}" dupes && fail "dupes loaded the plugin"
loads_plugin "$MV" "${cat_args[@]}" lookup media/a.jpg && fail "lookup loaded the plugin"
loads_plugin "$MV" "${cat_args[@]}" export && fail "export loaded the plugin"
loads_plugin "$MV" fingerprint --no-cache media/a.txt && fail "a text fingerprint loaded it"
loads_plugin "$MV" fingerprint --no-cache media/a.jpg || fail "an image fingerprint did not load it"

# With the plugin: results, and `info` says what it decodes.
"$MV" fingerprint --no-cache media/a.jpg >with.out 2>with.err || fail "image: $(cat with.err)"
grep -q '^pdq [0-9a-f]\{64\} ' with.out || fail "image fingerprint: $(cat with.out)"
"$MV" info >info.out 2>&1 || fail "info failed: $(cat info.out)"
grep -q "^media decoders: loaded ($plugin: images" info.out || fail "info: $(cat info.out)"

# expect_missing WHY FILE ARGS...: fingerprinting FILE fails with exit 1 and the reason.
expect_missing()
{
    local why=$1 file=$2
    shift 2
    "$@" "$file" >miss.out 2>miss.err
    local rc=$?
    [ "$rc" = 1 ] || fail "$file: exit $rc, expected 1 ($(cat miss.err))"
    grep -qF "mediavault: $file: media decoders unavailable: $why" miss.err ||
        fail "$file: stderr: $(cat miss.err)"
    grep -q 'AddressSanitizer\|runtime error' miss.err && fail "$file: sanitizer report"
}

# A missing plugin named by MEDIAVAULT_MEDIA_PLUGIN: every kind of decoding fails.
missing=$T/nowhere/mediavault-media.so
why="$missing: cannot open shared object file"
for f in media/a.jpg media/a.mp3 media/a.mp4; do
    expect_missing "$why" "$f" env MEDIAVAULT_MEDIA_PLUGIN="$missing" "$MV" fingerprint --no-cache
done
MEDIAVAULT_MEDIA_PLUGIN=$missing "$MV" info >info.out 2>&1
grep -qF "media decoders: not loaded (media decoders unavailable: $why" info.out ||
    fail "info without the plugin: $(cat info.out)"
# ... and what decodes nothing still works, without a word about the plugin.
for cmd in "hash media/a.jpg" "scan media" "dupes" "export"; do
    # shellcheck disable=SC2086
    MEDIAVAULT_MEDIA_PLUGIN=$missing "$MV" "${cat_args[@]}" $cmd >cmd.out 2>cmd.err ||
        fail "$cmd without the plugin: $(cat cmd.err)"
    grep -q 'media decoders' cmd.err && fail "$cmd tried the plugin: $(cat cmd.err)"
done
grep -q 'a.jpg' cmd.out || fail "export without the plugin: $(cat cmd.out)"
MEDIAVAULT_MEDIA_PLUGIN=$missing "$MV" fingerprint --no-cache media/a.txt >txt.out 2>txt.err ||
    fail "text fingerprint without the plugin: $(cat txt.err)"

# A file that is not the plugin (no entry symbol) is refused with the reason.
expect_missing "$lib: no mv_media_plugin_entry symbol" media/b.jpg \
    env MEDIAVAULT_MEDIA_PLUGIN="$lib" "$MV" fingerprint --no-cache

# Fake plugins (tests/cli/media_fake_plugin.c): another ABI, a short table, no table.
if [ "${#fakes[@]}" = 3 ]; then
    reasons=("plugin of another ABI version" "plugin table smaller than this library needs"
        "mv_media_plugin_entry() refused this library")
    for i in 0 1 2; do
        expect_missing "${fakes[$i]}: ${reasons[$i]}" media/b.jpg \
            env MEDIAVAULT_MEDIA_PLUGIN="${fakes[$i]}" "$MV" fingerprint --no-cache
    done
else
    echo "note: no fake plugins given, their checks skipped"
fi

# The program and library copied without the plugin: not found next to the library.
mkdir bin
cp "$MV" bin/
ldd "$MV" | awk '/libmediavault/ { print $3 }' | xargs -r cp -L -t bin/
expect_missing "mediavault-media.so: not found in $T/bin" media/a.jpg \
    env -u MEDIAVAULT_PLUGIN_DIR LD_LIBRARY_PATH="$T/bin" "$T/bin/$(basename "$MV")" \
    fingerprint --no-cache
# ... and found through $MEDIAVAULT_PLUGIN_DIR.
LD_LIBRARY_PATH=$T/bin MEDIAVAULT_PLUGIN_DIR=$(dirname "$plugin") "$T/bin/$(basename "$MV")" \
    fingerprint --no-cache media/a.jpg >dir.out 2>dir.err || fail "plugin dir: $(cat dir.err)"
same_file "fingerprint through MEDIAVAULT_PLUGIN_DIR" with.out dir.out

finish
