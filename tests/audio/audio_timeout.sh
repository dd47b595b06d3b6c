# MEDIAVAULT_TIMEOUT: an hour of MP3 at --length 0 (a minute looped by stream
# copy: quick to make, many seconds to decode) under a 2 s limit (the small
# files finish well within it even on a loaded machine) fails with an error
# naming it, while the small files around it, in the same call and on
# either number of jobs, still get their fingerprints; JSON gets an error
# object. 0 means no limit, and a value that is not a number is a usage error.
. "$(dirname "$0")/audio_lib.sh"

gen s1.wav "sine=frequency=440:duration=3" 11025 1
gen s2.wav "sine=frequency=660:duration=3" 11025 1
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=60" -ac 2 -ar 44100 \
    -c:a libmp3lame -b:a 64k "$T/minute.mp3" &&
    ffmpeg -nostdin -v error -y -stream_loop 59 -i "$T/minute.mp3" -c copy "$T/hour.mp3" ||
    fail "ffmpeg hour.mp3"
"$MV" fingerprint --type audio --length 0 "$T/s1.wav" "$T/s2.wav" >"$T/want" ||
    fail "small files alone: exit $?"

for j in 1 2; do
    start=$(date +%s%N)
    MEDIAVAULT_TIMEOUT=2 "$MV" fingerprint --type audio --length 0 --jobs $j "$T/s1.wav" \
        "$T/hour.mp3" "$T/s2.wav" >"$T/out$j" 2>"$T/err$j"
    expect_rc "--jobs $j, one file past the limit" 1 $?
    ms=$((($(date +%s%N) - start) / 1000000))
    same_file "--jobs $j: the small files' fingerprints" "$T/want" "$T/out$j"
    grep -qx "mediavault: $T/hour.mp3: timed out after 2 s (MEDIAVAULT_TIMEOUT)" "$T/err$j" ||
        fail "--jobs $j: no timeout message naming hour.mp3: $(cat "$T/err$j")"
    [ "$(wc -l <"$T/err$j")" = 1 ] || fail "--jobs $j: other errors: $(cat "$T/err$j")"
    # The call stops soon after the limit, not after the whole hour is decoded.
    [ "$ms" -lt 30000 ] || fail "--jobs $j: took $ms ms"
done

MEDIAVAULT_TIMEOUT=2 "$MV" fingerprint --type audio --length 0 --format json "$T/hour.mp3" \
    "$T/s1.wav" 2>/dev/null | python3 -c '
import json, sys
a = json.load(sys.stdin)
assert a[0]["error"] == "timed out after 2 s (MEDIAVAULT_TIMEOUT)", a
assert a[1]["type"] == "audio" and a[1]["fingerprint"], a' || fail "JSON error object"

# 0: no limit (the default limit is an hour).
MEDIAVAULT_TIMEOUT=0 "$MV" fingerprint --type audio "$T/s1.wav" >/dev/null ||
    fail "MEDIAVAULT_TIMEOUT=0: exit $?"
for bad in x -1 nan 1s; do
    MEDIAVAULT_TIMEOUT=$bad "$MV" fingerprint --type audio "$T/s1.wav" >/dev/null 2>"$T/berr"
    expect_rc "MEDIAVAULT_TIMEOUT=$bad" 2 $?
    grep -q "invalid MEDIAVAULT_TIMEOUT" "$T/berr" || fail "MEDIAVAULT_TIMEOUT=$bad: $(cat "$T/berr")"
done
finish
