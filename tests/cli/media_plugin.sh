#!/bin/bash
# Usage: media_plugin.sh MEDIAVAULT [FAKE_ABI.so FAKE_SIZE.so FAKE_NULL.so
#                                    JPEG_FAKE_ABI.so JPEG_FAKE_SIZE.so JPEG_FAKE_NULL.so]
# The decoders live in two plugins, each loaded on the first decode that needs
# it: mediavault-jpeg.so (libjpeg-turbo) for JPEG, mediavault-media.so (FFmpeg,
# Chromaprint, libheif) for everything else. The program and libmediavault
# link none of them; each plugin exports only its entry point; hash, scan,
# dupes, lookup, export and --version load neither; a missing or refused
# plugin makes each decoding call that needs it fail with "media decoders
# unavailable: FILE: reason" or "JPEG decoder unavailable: FILE: reason"
# (exit 1), never a crash, and leaves everything else working: the reason names
# only the plugin that input needed, and finding it loads no other. `info`
# reports each plugin on its own.

fakes=("${@:2}")
. "$(dirname "$0")/lib.sh"

decoders='libav(codec|format|util)|libsw(scale|resample)|libjpeg|libchromaprint|libheif'
lib=$(ldd "$MV" | awk '/libmediavault\.so/ { print $3 }')
[ -f "$lib" ] || fail "ldd does not show libmediavault.so: $(ldd "$MV")"
plugin=$(dirname "$lib")/mediavault-media.so
jplugin=$(dirname "$lib")/mediavault-jpeg.so
[ -f "$plugin" ] || fail "no $plugin next to $lib"
[ -f "$jplugin" ] || fail "no $jplugin next to $lib"

# Linking: the decoders are the plugins', not the program's nor the library's,
# and the JPEG plugin links libjpeg and none of the others.
if ldd "$MV" "$lib" | grep -Eq "$decoders"; then
    fail "program or library links a decoder: $(ldd "$MV" "$lib" | grep -E "$decoders")"
fi
ldd "$plugin" | grep -q libavcodec || fail "the plugin does not link libavcodec"
ldd "$plugin" | grep -q libchromaprint || fail "the plugin does not link libchromaprint"
# (Its own links: FFmpeg may bring libjpeg along to the media plugin.)
needed() { readelf -d "$1" | awk '/NEEDED/ { print $5 }'; }
needed "$plugin" | grep -q libjpeg && fail "the media plugin links libjpeg"
needed "$jplugin" | grep -q libjpeg || fail "the JPEG plugin does not link libjpeg"
if ldd "$jplugin" | grep -v libjpeg | grep -Eq "$decoders"; then
    fail "the JPEG plugin links more: $(ldd "$jplugin" | grep -E "$decoders")"
fi
exports=$(nm -D --defined-only "$plugin" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }')
[ "$exports" = mv_media_plugin_entry ] || fail "plugin exports: $exports"
exports=$(nm -D --defined-only "$jplugin" | awk '$2 ~ /^[TDBRVW]$/ { print $3 }')
[ "$exports" = mv_jpeg_plugin_entry ] || fail "JPEG plugin exports: $exports"

# Media made here: a JPEG, a PNG, an MP3, an MP4 and a text.
command -v ffmpeg >/dev/null || { echo "SKIP: ffmpeg not found"; exit 77; }
mkdir media
ffmpeg -loglevel error -f lavfi -i testsrc=size=96x64 -frames:v 1 media/a.jpg || exit 3
ffmpeg -loglevel error -f lavfi -i testsrc=size=96x64 -frames:v 1 media/a.png || exit 3
ffmpeg -loglevel error -f lavfi -i sine=frequency=440:duration=4 media/a.mp3 || exit 3
ffmpeg -loglevel error -f lavfi -i testsrc=size=64x48:rate=5:duration=2 -pix_fmt yuv420p \
    media/a.mp4 || exit 3
printf 'the quick brown fox jumps over the lazy dog\n' >media/a.txt
cp media/a.jpg media/b.jpg
cp media/a.png media/b.png
cat_args=(--catalog "$T/cat.db")

# Commands that decode nothing map neither plugin (LD_DEBUG names every object
# loaded); a JPEG loads the JPEG plugin only, a PNG the media plugin, which
# shows that the check can see each.
loads()
{
    local what=$1
    shift
    LD_DEBUG=files "$@" 2>&1 >/dev/null | grep -q "file=.*$what\.so"
}
for p in mediavault-media mediavault-jpeg; do
    loads $p "$MV" --version && fail "--version loaded $p"
    loads $p "$MV" hash media/a.jpg && fail "hash loaded $p"
    loads $p "$MV" "${cat_args[@]}" scan media && fail "scan loaded $p"
    loads $p "$MV" "${cat_args[@]}" dupes && fail "dupes loaded $p"
    loads $p "$MV" "${cat_args[@]}" lookup media/a.jpg && fail "lookup loaded $p"
    loads $p "$MV" "${cat_args[@]}" export && fail "export loaded $p"
    loads $p "$MV" fingerprint --no-cache media/a.txt && fail "a text fingerprint loaded $p"
done
loads mediavault-jpeg "$MV" fingerprint --no-cache media/a.jpg ||
    fail "a JPEG fingerprint did not load the JPEG plugin"
loads mediavault-media "$MV" fingerprint --no-cache media/a.jpg &&
    fail "a JPEG fingerprint loaded the media plugin"
loads mediavault-media "$MV" fingerprint --no-cache media/a.png ||
    fail "a PNG fingerprint did not load the media plugin"
loads mediavault-jpeg "$MV" fingerprint --no-cache media/a.png &&
    fail "a PNG fingerprint loaded the JPEG plugin"

# With the plugins: results, and `info` says what each decodes.
"$MV" fingerprint --no-cache media/a.jpg media/a.png >with.out 2>with.err ||
    fail "images: $(cat with.err)"
[ "$(grep -c '^pdq [0-9a-f]\{64\} ' with.out)" = 2 ] || fail "image fingerprints: $(cat with.out)"
"$MV" info >info.out 2>&1 || fail "info failed: $(cat info.out)"
grep -q "^media decoders: loaded ($plugin: images (PNG, .*), audio, video)$" info.out &&
    grep -qx "JPEG decoder: loaded ($jplugin: images (JPEG))" info.out ||
    fail "info: $(cat info.out)"
"$MV" info --json >info.json 2>&1 || fail "info --json failed: $(cat info.json)"
grep -qF "\"media\": {\"loaded\": true, \"detail\": \"$plugin: images (PNG, " info.json &&
    grep -qF "\"jpeg\": {\"loaded\": true, \"detail\": \"$jplugin: images (JPEG)\"}" info.json ||
    fail "info --json: $(cat info.json)"

# expect_missing REASON FILE ARGS...: fingerprinting FILE fails with exit 1 and
# "mediavault: FILE: REASON..." on stderr.
expect_missing()
{
    local why=$1 file=$2
    shift 2
    "$@" "$file" >miss.out 2>miss.err
    local rc=$?
    [ "$rc" = 1 ] || fail "$file: exit $rc, expected 1 ($(cat miss.err))"
    grep -qF "mediavault: $file: $why" miss.err || fail "$file: stderr: $(cat miss.err)"
    grep -q 'AddressSanitizer\|runtime error' miss.err && fail "$file: sanitizer report"
}
# expect_works WHAT FILE ARGS...: fingerprinting FILE works, as with both plugins.
expect_works()
{
    local what=$1 file=$2
    shift 2
    "$@" "$file" >works.out 2>works.err || fail "$what: $file: $(cat works.err)"
    grep "$file\$" with.out >works.want
    same_file "$what: $file" works.want works.out
}

# A missing media plugin named by MEDIAVAULT_MEDIA_PLUGIN: every decoding but
# JPEG's fails; a JPEG still works, through the JPEG plugin.
missing=$T/nowhere/mediavault-media.so
why="media decoders unavailable: $missing: cannot open shared object file"
for f in media/a.png media/a.mp3 media/a.mp4; do
    expect_missing "$why" "$f" env MEDIAVAULT_MEDIA_PLUGIN="$missing" "$MV" fingerprint --no-cache
done
expect_works "without the media plugin" media/a.jpg \
    env MEDIAVAULT_MEDIA_PLUGIN="$missing" "$MV" fingerprint --no-cache
MEDIAVAULT_MEDIA_PLUGIN=$missing "$MV" info >info.out 2>&1
grep -qF "media decoders: not loaded ($why" info.out &&
    grep -qx "JPEG decoder: loaded ($jplugin: images (JPEG))" info.out &&
    grep -qx "heif images: not decoded (no media decoders)" info.out ||
    fail "info without the plugin: $(cat info.out)"
MEDIAVAULT_MEDIA_PLUGIN=$missing "$MV" info --json >info.json 2>&1
grep -qF "\"media\": {\"loaded\": false, \"detail\": \"$why" info.json &&
    grep -qF "\"jpeg\": {\"loaded\": true, " info.json ||
    fail "info --json without the plugin: $(cat info.json)"
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

# A missing JPEG plugin named by MEDIAVAULT_JPEG_PLUGIN: JPEGs fail, the rest works.
jmissing=$T/nowhere/mediavault-jpeg.so
jwhy="JPEG decoder unavailable: $jmissing: cannot open shared object file"
expect_missing "$jwhy" media/a.jpg env MEDIAVAULT_JPEG_PLUGIN="$jmissing" "$MV" fingerprint \
    --no-cache
expect_works "without the JPEG plugin" media/a.png \
    env MEDIAVAULT_JPEG_PLUGIN="$jmissing" "$MV" fingerprint --no-cache
# Audio and video need the media plugin only: with the JPEG plugin missing they
# work, and an input that is neither fails for what it is, not for the JPEG plugin.
for f in media/a.mp3 media/a.mp4; do
    MEDIAVAULT_JPEG_PLUGIN=$jmissing "$MV" fingerprint --no-cache "$f" >av.out 2>av.err ||
        fail "$f without the JPEG plugin: $(cat av.err)"
    grep -q "$f\$" av.out || fail "$f without the JPEG plugin: $(cat av.out)"
done
expect_missing "no audio stream" media/a.png env MEDIAVAULT_JPEG_PLUGIN="$jmissing" "$MV" \
    fingerprint --no-cache --type audio
expect_missing "not a video" media/a.txt env MEDIAVAULT_JPEG_PLUGIN="$jmissing" "$MV" \
    fingerprint --no-cache --type video
# ... and fail, when they fail, for the media plugin alone.
for f in media/a.mp3 media/a.mp4; do
    expect_missing "$why" "$f" env MEDIAVAULT_JPEG_PLUGIN="$jmissing" \
        MEDIAVAULT_MEDIA_PLUGIN="$missing" "$MV" fingerprint --no-cache
    grep -q 'JPEG' miss.err && fail "$f blamed the JPEG plugin: $(cat miss.err)"
done
# A JPEG that fails for its plugin is blamed on it alone, and wording that
# reason loads no FFmpeg (LD_DEBUG names every object loaded).
expect_missing "$jwhy" media/a.jpg env MEDIAVAULT_JPEG_PLUGIN="$jmissing" \
    MEDIAVAULT_MEDIA_PLUGIN="$missing" "$MV" fingerprint --no-cache
grep -q 'media decoders' miss.err && fail "a JPEG blamed the media plugin: $(cat miss.err)"
MEDIAVAULT_JPEG_PLUGIN=$jmissing LD_DEBUG=files "$MV" fingerprint --no-cache media/a.jpg \
    >/dev/null 2>ld.err
grep -q 'file=.*libavcodec' ld.err && fail "a JPEG failing for its plugin loaded libavcodec"
grep -q 'file=.*mediavault-media\.so' ld.err && fail "a JPEG failing loaded the media plugin"
grep -qF "$jwhy" ld.err || fail "LD_DEBUG run: no reason: $(grep mediavault: ld.err)"
MEDIAVAULT_JPEG_PLUGIN=$jmissing "$MV" info >info.out 2>&1
grep -qF "JPEG decoder: not loaded ($jwhy" info.out &&
    grep -q "^media decoders: loaded ($plugin: " info.out &&
    grep -q "^heif images: decoded\|^heif images: not decoded (built without" info.out ||
    fail "info without the JPEG plugin: $(cat info.out)"
MEDIAVAULT_JPEG_PLUGIN=$jmissing "$MV" info --json >info.json 2>&1
grep -qF "\"jpeg\": {\"loaded\": false, \"detail\": \"$jwhy" info.json &&
    grep -qF "\"media\": {\"loaded\": true, " info.json ||
    fail "info --json without the JPEG plugin: $(cat info.json)"

# A file that is not the plugin (no entry symbol) is refused with the reason.
expect_missing "media decoders unavailable: $lib: no mv_media_plugin_entry symbol" media/b.png \
    env MEDIAVAULT_MEDIA_PLUGIN="$lib" "$MV" fingerprint --no-cache
expect_missing "JPEG decoder unavailable: $lib: no mv_jpeg_plugin_entry symbol" media/b.jpg \
    env MEDIAVAULT_JPEG_PLUGIN="$lib" "$MV" fingerprint --no-cache

# Fake plugins (tests/cli/media_fake_plugin.c): another ABI, a short table, no table.
if [ "${#fakes[@]}" = 6 ]; then
    reasons=("plugin of another ABI version" "plugin table smaller than this library needs"
        "mv_media_plugin_entry() refused this library"
        "plugin of another ABI version" "plugin table smaller than this library needs"
        "mv_jpeg_plugin_entry() refused this library")
    for i in 0 1 2; do
        expect_missing "media decoders unavailable: ${fakes[$i]}: ${reasons[$i]}" media/b.png \
            env MEDIAVAULT_MEDIA_PLUGIN="${fakes[$i]}" "$MV" fingerprint --no-cache
    done
    for i in 3 4 5; do
        expect_missing "JPEG decoder unavailable: ${fakes[$i]}: ${reasons[$i]}" media/b.jpg \
            env MEDIAVAULT_JPEG_PLUGIN="${fakes[$i]}" "$MV" fingerprint --no-cache
    done
else
    echo "note: no fake plugins given, their checks skipped"
fi

# The program and library copied without the plugins: not found next to the
# library; each input's reason names the plugin it needed, and only that one.
mkdir bin
cp "$MV" bin/
ldd "$MV" | awk '/libmediavault/ { print $3 }' | xargs -r cp -L -t bin/
nowhere=(env -u MEDIAVAULT_PLUGIN_DIR LD_LIBRARY_PATH="$T/bin" "$T/bin/$(basename "$MV")"
    fingerprint --no-cache)
for f in media/a.png media/a.mp3 media/a.mp4; do
    expect_missing "media decoders unavailable: mediavault-media.so: not found in $T/bin" "$f" \
        "${nowhere[@]}"
    grep -q 'JPEG' miss.err && fail "$f without the plugins: $(cat miss.err)"
done
expect_missing "JPEG decoder unavailable: mediavault-jpeg.so: not found in $T/bin" media/a.jpg \
    "${nowhere[@]}"
grep -q 'media decoders' miss.err && fail "a.jpg without the plugins: $(cat miss.err)"
# ... and found through $MEDIAVAULT_PLUGIN_DIR.
LD_LIBRARY_PATH=$T/bin MEDIAVAULT_PLUGIN_DIR=$(dirname "$plugin") "$T/bin/$(basename "$MV")" \
    fingerprint --no-cache media/a.jpg media/a.png >dir.out 2>dir.err ||
    fail "plugin dir: $(cat dir.err)"
same_file "fingerprint through MEDIAVAULT_PLUGIN_DIR" with.out dir.out

finish
