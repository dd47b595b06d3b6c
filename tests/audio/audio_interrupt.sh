# SIGINT during `mediavault fingerprint --jobs N` over three hours of MP3 at
# --length 0 (10-30 s to decode, more under sanitizers) with no time limit: the decodes in
# flight stop at their next packet (mv_media_cancel()), so the run ends within
# a few seconds, with the complete results before it in order, a closed JSON
# array, "interrupted" on stderr and exit 1; the hour is not cached.
. "$(dirname "$0")/audio_lib.sh"
command -v jq >/dev/null || { echo "no jq: skip"; exit 77; }
export MEDIAVAULT_TIMEOUT=0
gone=$T/no-such-plugin.so

gen s1.wav "sine=frequency=440:duration=3" 11025 1
gen s2.wav "sine=frequency=660:duration=3" 11025 1
ffmpeg -nostdin -v error -y -f lavfi -i "sine=frequency=500:duration=60" -ac 1 -ar 44100 \
    -c:a libmp3lame -b:a 32k "$T/minute.mp3" &&
    ffmpeg -nostdin -v error -y -stream_loop 179 -i "$T/minute.mp3" -c copy "$T/hour1.mp3" ||
    fail "ffmpeg hour.mp3"
cp "$T/hour1.mp3" "$T/hour2.mp3" && printf 'x' >>"$T/hour2.mp3"
cd "$T" || exit 1

for jobs in 1 2; do
    "$MV" fingerprint --no-cache --type audio --length 0 --format json s1.wav s2.wav >"$T/want" ||
        fail "--jobs $jobs: reference"
    # (A background job of a script starts with SIGINT ignored, and the program keeps it
    # ignored; env --default-signal=INT gives it the action a terminal's Ctrl-C would find.)
    env --default-signal=INT "$MV" fingerprint --type audio --length 0 --format json --jobs $jobs s1.wav s2.wav hour1.mp3 \
        hour2.mp3 s1.wav >"$T/out" 2>"$T/err" &
    pid=$!
    for i in $(seq 600); do
        grep -q s2.wav "$T/out" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
    start=$(date +%s%N)
    kill -INT $pid
    wait $pid
    rc=$? ms=$((($(date +%s%N) - start) / 1000000))
    expect_rc "--jobs $jobs: exit status" 1 $rc
    [ "$ms" -lt 5000 ] || fail "--jobs $jobs: took $ms ms to stop"
    echo "--jobs $jobs: stopped $ms ms after SIGINT"
    grep -q "fingerprint interrupted: 3 of 5 inputs not fingerprinted" "$T/err" ||
        fail "--jobs $jobs: stderr: $(cat "$T/err")"
    python3 - "$T/want" "$T/out" <<'PY' || fail "--jobs $jobs: the two results differ"
import json, sys
w, o = (json.load(open(p)) for p in sys.argv[1:3])
for x in w + o:
    del x["cached"], x["processing_time_ms"]
assert w == o, (w, o)
PY
    jq -e 'length == 2' "$T/out" >/dev/null || fail "--jobs $jobs: $(cat "$T/out")"
    MEDIAVAULT_MEDIA_PLUGIN=$gone "$MV" fingerprint --type audio --length 0 hour1.mp3 \
        >/dev/null 2>&1
    expect_rc "--jobs $jobs: the hour stored nothing" 1 $?
    rm -f "$T/catalog.db"*
done

# A SIGINT the process inherited as ignored (a background job of a script) stays
# ignored: the run goes on to its time limit instead of stopping as interrupted.
(
    trap '' INT
    MEDIAVAULT_TIMEOUT=3 exec "$MV" fingerprint --no-cache --type audio --length 0 s1.wav \
        hour1.mp3 >"$T/out" 2>"$T/err"
) &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
expect_rc "ignored SIGINT: exit status of the timed-out run" 1 $rc
grep -q 'interrupted' "$T/err" && fail "ignored SIGINT interrupted the run: $(cat "$T/err")"
grep -q 'hour1.mp3: timed out' "$T/err" || fail "ignored SIGINT: stderr: $(cat "$T/err")"
grep -q 's1.wav' "$T/out" || fail "ignored SIGINT: s1.wav missing: $(cat "$T/out")"
finish
