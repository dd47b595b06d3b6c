#!/bin/bash
# SIGINT or SIGTERM during `mediavault fingerprint --jobs N` over slow videos
# (1800 frames of 720p at --every 0: many seconds each): the run stops within
# a few seconds (no new file is started, the running videos give up at their
# next frame), prints the results complete until then in argument order,
# closes the JSON array (jq reads it), says "interrupted" on stderr and exits
# 1; the complete results are cached, the interrupted videos are not.
# usage: vpdq_interrupt.sh MEDIAVAULT
. "$(dirname "$0")/../cli/lib.sh" "${1:-}"
for p in ffmpeg jq python3; do
    command -v $p >/dev/null || { echo "no $p: skip"; exit 77; }
done
export MEDIAVAULT_CATALOG=$T/catalog.db HOME=$T MEDIAVAULT_TIMEOUT=0
gone=$T/no-such-plugin.so
gen() { ffmpeg -nostdin -v error -y "$@" </dev/null || fail "ffmpeg $*"; }

gen -f lavfi -i testsrc2=s=1280x720:r=30 -frames:v 30 -c:v mpeg4 -q:v 20 -g 30 "$T/second.mp4"
gen -stream_loop 59 -i "$T/second.mp4" -c copy "$T/slow1.mp4"
cp "$T/slow1.mp4" "$T/slow2.mp4" && printf 'x' >>"$T/slow2.mp4" # another content
for n in 1 2 3; do
    gen -f lavfi -i "testsrc=s=64x48:r=10:d=1,hue=h=$((n * 90))" -c:v mpeg4 "$T/small$n.mp4"
done

# run SIGNAL JOBS FORMAT: one interrupted run; checks what all runs share.
run()
{
    local sig=$1 jobs=$2 fmt=$3 what="SIG$1, --jobs $2, $3"
    "$MV" fingerprint --no-cache --type video --every 0 --format "$fmt" small1.mp4 small2.mp4 \
        >"$T/want" || fail "$what: reference"
    # (A background job of a script starts with SIGINT ignored, and the program keeps it
    # ignored; env --default-signal=INT gives it the action a terminal's Ctrl-C would find.)
    (cd "$T" && exec env --default-signal=INT "$MV" fingerprint --type video --every 0 --jobs "$jobs" --format "$fmt" \
        small1.mp4 small2.mp4 slow1.mp4 slow2.mp4 small3.mp4 >"$T/out" 2>"$T/err") &
    local pid=$! i
    # Both small videos printed: the slow ones are being hashed now.
    for i in $(seq 600); do
        grep -q small2.mp4 "$T/out" 2>/dev/null && break
        sleep 0.1
    done
    sleep 0.5
    local start
    start=$(date +%s%N)
    kill -"$sig" $pid
    wait $pid
    local rc=$? ms=$((($(date +%s%N) - start) / 1000000))
    expect_rc "$what: exit status" 1 $rc
    [ "$ms" -lt 5000 ] || fail "$what: took $ms ms to stop"
    grep -q "fingerprint interrupted: 3 of 5 inputs not fingerprinted" "$T/err" ||
        fail "$what: stderr: $(cat "$T/err")"
    ! grep -q 'Sanitizer\|runtime error' "$T/err" || fail "$what: $(grep -m 3 Sanitizer "$T/err")"
    if [ "$fmt" = json ]; then
        jq -e 'length == 2' "$T/out" >/dev/null || fail "$what: not a 2-element array: $(cat "$T/out")"
        python3 - "$T/want" "$T/out" <<'PY' || fail "$what: the two results differ"
import json, sys
w, o = (json.load(open(p)) for p in sys.argv[1:3])
for x in w + o:
    del x["cached"], x["processing_time_ms"]
assert w == o, (w, o)
PY
    else
        same_file "$what: the results before the stop" "$T/want" "$T/out"
    fi
    # The complete results are cached; the interrupted videos are not.
    (cd "$T" && MEDIAVAULT_MEDIA_PLUGIN=$gone "$MV" fingerprint --type video --every 0 \
        small1.mp4 small2.mp4 >/dev/null) || fail "$what: small videos not cached"
    for s in slow1 slow2; do
        (cd "$T" && MEDIAVAULT_MEDIA_PLUGIN=$gone "$MV" fingerprint --type video --every 0 \
            $s.mp4 >/dev/null 2>&1)
        expect_rc "$what: $s.mp4 stored nothing" 1 $?
    done
    rm -f "$T/catalog.db"*
}

cd "$T" || exit 1
run INT 2 json
run TERM 2 text
run INT 1 json
finish
