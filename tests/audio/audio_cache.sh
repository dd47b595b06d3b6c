# Chromaprint results cached in the catalog by content: the second run, and the
# same bytes under another path, are answered from the catalog without decoding
# (proved by pointing MEDIAVAULT_MEDIA_PLUGIN at a missing plugin: nothing can
# decode, yet the cached files are answered), with "cached": true and the rest
# of the output identical in text, JSON, --format fpcalc and --raw; another
# --length or --algorithm is another key (a miss); --no-cache neither reads nor
# writes; a timed-out file stores nothing; two processes with --jobs 2 write
# the same catalog at once.
. "$(dirname "$0")/audio_lib.sh"
gone=$T/no-such-plugin.so

# 20 s of two moving tones: enough for every algorithm and a --length 10.
for f in 1 2 3 4 5 6; do
    gen s$f.wav "aevalsrc=sin($((300 + 110 * f))*2*PI*t)*sin(3*t)+0.3*sin(1250*2*PI*t*(1+0.1*sin(t))):d=20" 11025 1
done
nocache() { "$MV" fingerprint --no-cache --type audio "$@"; }
nodecode() { MEDIAVAULT_MEDIA_PLUGIN=$gone "$MV" fingerprint --type audio "$@"; }

# Text, fpcalc and raw: the first run computes and stores, the second run and a
# run that cannot decode print the same bytes.
for fmt in text fpcalc raw; do
    case $fmt in
    raw) args=(--format fpcalc --raw) ;;
    *) args=(--format $fmt) ;;
    esac
    nocache "${args[@]}" "$T/s1.wav" "$T/s2.wav" >"$T/want.$fmt" || fail "$fmt --no-cache: exit $?"
    "$MV" fingerprint --type audio "${args[@]}" "$T/s1.wav" "$T/s2.wav" >"$T/first.$fmt" ||
        fail "$fmt first run: exit $?"
    same_file "$fmt: first run" "$T/want.$fmt" "$T/first.$fmt"
    nodecode "${args[@]}" "$T/s1.wav" "$T/s2.wav" >"$T/hit.$fmt" 2>"$T/hit.err"
    expect_rc "$fmt: second run without decoders" 0 $?
    same_file "$fmt: from the catalog" "$T/want.$fmt" "$T/hit.$fmt"
done

# JSON: "cached" false then true, and the same object otherwise.
"$MV" fingerprint --type audio --format json --raw "$T/s3.wav" >"$T/j1" || fail "json 1: exit $?"
nodecode --format json --raw "$T/s3.wav" >"$T/j2" || fail "json 2: exit $?"
python3 - "$T/j1" "$T/j2" "$T/s3.wav" <<'PY' || fail "JSON from the catalog"
import hashlib, json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert len(a) == len(b) == 1, (a, b)
a, b = a[0], b[0]
assert a["cached"] is False and b["cached"] is True, (a, b)
assert a["md5"] == hashlib.md5(open(sys.argv[3], "rb").read()).hexdigest(), a
assert isinstance(a["fingerprint"], list) and len(a["fingerprint"]) > 0, a
for o in (a, b):
    del o["cached"], o["processing_time_ms"]
assert a == b, (a, b)
PY

# The same content under another path is a hit; a changed byte is not.
cp "$T/s1.wav" "$T/copy.wav"
nodecode "$T/copy.wav" >"$T/copy.out" || fail "same content, other path: exit $?"
sed "s|$T/s1.wav|$T/copy.wav|" "$T/first.text" | head -1 >"$T/copy.want"
same_file "same content, other path" "$T/copy.want" "$T/copy.out"
printf 'x' >>"$T/copy.wav"
nodecode "$T/copy.wav" >/dev/null 2>"$T/changed.err"
expect_rc "one byte more: a miss" 1 $?
grep -q "media decoders unavailable" "$T/changed.err" || fail "changed: $(cat "$T/changed.err")"

# Every parameter that changes the result is in the key.
for args in "--length 10" "--length 0" "--algorithm 3" "--algorithm 1 --length 10"; do
    # shellcheck disable=SC2086
    nodecode $args "$T/s1.wav" >/dev/null 2>"$T/miss.err"
    expect_rc "$args: a miss" 1 $?
    grep -q "media decoders unavailable" "$T/miss.err" || fail "$args: $(cat "$T/miss.err")"
    # shellcheck disable=SC2086
    "$MV" fingerprint --type audio $args "$T/s1.wav" >"$T/p.out" || fail "$args: exit $?"
    # shellcheck disable=SC2086
    nocache $args "$T/s1.wav" >"$T/p.want"
    same_file "$args: computed" "$T/p.want" "$T/p.out"
    # shellcheck disable=SC2086
    nodecode $args "$T/s1.wav" >"$T/p.hit" || fail "$args: second run not cached"
    same_file "$args: from the catalog" "$T/p.want" "$T/p.hit"
done

# --no-cache: no lookup (a cached file is decoded, and fails without decoders) and no store.
MEDIAVAULT_MEDIA_PLUGIN=$gone "$MV" fingerprint --no-cache --type audio "$T/s1.wav" \
    >/dev/null 2>&1
expect_rc "--no-cache looks nothing up" 1 $?
nocache "$T/s4.wav" >/dev/null || fail "--no-cache s4: exit $?"
nodecode "$T/s4.wav" >/dev/null 2>&1
expect_rc "--no-cache stored nothing" 1 $?

# A timed-out file stores nothing: an hour of MP3 under a 1 s limit, twice.
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=60" -ac 2 -ar 44100 \
    -c:a libmp3lame -b:a 64k "$T/minute.mp3" &&
    ffmpeg -nostdin -v error -y -stream_loop 59 -i "$T/minute.mp3" -c copy "$T/hour.mp3" ||
    fail "ffmpeg hour.mp3"
MEDIAVAULT_TIMEOUT=1 "$MV" fingerprint --type audio --length 0 "$T/hour.mp3" >/dev/null \
    2>"$T/to.err"
expect_rc "hour under 1 s" 1 $?
grep -q "timed out" "$T/to.err" || fail "no timeout: $(cat "$T/to.err")"
nodecode --length 0 "$T/hour.mp3" >/dev/null 2>"$T/to2.err"
expect_rc "timed out: nothing stored" 1 $?
grep -q "media decoders unavailable" "$T/to2.err" || fail "timed out: $(cat "$T/to2.err")"

# Two processes at once, --jobs 2 each, over the same new files in opposite
# orders: both succeed with the right fingerprints, and every file is cached.
nocache s5.wav s6.wav s2.wav >"$T/c.want" || fail "concurrent: reference"
for n in 1 2 3; do
    cp "$T/s5.wav" "$T/c$n.wav" && printf '%s' "$n" >>"$T/c$n.wav"
done
nocache "$T"/c[123].wav >"$T/c.want2" || fail "concurrent: reference 2"
(cd "$T" && "$MV" fingerprint --type audio --jobs 2 s5.wav s6.wav s2.wav c1.wav c2.wav c3.wav \
    >"$T/p1" 2>"$T/p1.err") &
pid=$!
(cd "$T" && "$MV" fingerprint --type audio --jobs 2 c3.wav c2.wav c1.wav s2.wav s6.wav s5.wav \
    >"$T/p2" 2>"$T/p2.err")
rc2=$?
wait $pid
rc1=$?
expect_rc "concurrent run 1" 0 $rc1
expect_rc "concurrent run 2" 0 $rc2
[ ! -s "$T/p1.err" ] && [ ! -s "$T/p2.err" ] || fail "concurrent: $(cat "$T/p1.err" "$T/p2.err")"
{ cat "$T/c.want"; sed "s|$T/||" "$T/c.want2"; } >"$T/c.all"
same_file "concurrent run 1" "$T/c.all" "$T/p1"
sort "$T/c.all" >"$T/c.sorted"
sort "$T/p2" | same_file "concurrent run 2" "$T/c.sorted" -
(cd "$T" && nodecode --jobs 2 s5.wav s6.wav s2.wav c1.wav c2.wav c3.wav >"$T/p3") ||
    fail "concurrent: not everything cached"
same_file "concurrent: from the catalog" "$T/c.all" "$T/p3"
finish
