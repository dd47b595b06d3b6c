#!/bin/bash
# `mediavault fingerprint --type video` on hostile input, each a clear error or a
# documented partial result, never a crash, a hang or a sanitizer report:
#   - MEDIAVAULT_TIMEOUT: 600 frames of 720p at --every 0 (a second of video
#     looped by stream copy: quick to make, seconds to hash) under a 2 s limit
#     (the small videos finish well within it even on a loaded machine) is
#     "timed out" with its name, and the small videos around it in the same
#     call still get their frames, on 1 and 2 jobs;
#   - 8K frames (7680x4320): hashed, or refused by --max-pixels before decoding;
#   - absurd frame rates (1000000/1 and 1/1000000): --every 1 keeps frame 0 and
#     never divides by zero, --every 0 keeps every frame;
#   - a FIFO: "not a regular file" at once, with --type auto, audio or video;
#   - corrupt packets (bytes flipped in the middle of an H.264 MP4): frames with
#     a "corrupt or truncated" warning, or an error.
# usage: vpdq_cli_bad.sh MEDIAVAULT
. "$(dirname "$0")/../cli/lib.sh" "${1:-}"
command -v ffmpeg >/dev/null || { echo "no ffmpeg program: skip"; exit 77; }
command -v python3 >/dev/null || { echo "no python3: skip"; exit 77; }
export MEDIAVAULT_CATALOG=$T/catalog.db HOME=$T
gen() { ffmpeg -nostdin -v error -y "$@" </dev/null || fail "ffmpeg $*"; }
# No sanitizer report and an exit status of 0 or 1 (ASan's own status is also 1).
clean() { # WHAT RC ERRFILE
    [ "$2" -le 1 ] || fail "$1: exit $2"
    ! grep -q 'Sanitizer\|runtime error' "$3" || fail "$1: $(grep -m 3 'Sanitizer\|runtime error' "$3")"
}

# ---- MEDIAVAULT_TIMEOUT -------------------------------------------------------------
gen -f lavfi -i testsrc2=s=1280x720:r=30 -frames:v 30 -c:v mpeg4 -q:v 20 -g 30 "$T/second.mp4"
gen -stream_loop 19 -i "$T/second.mp4" -c copy "$T/slow.mp4"
gen -f lavfi -i testsrc=s=64x48:r=10:d=1 -c:v mpeg4 "$T/small1.mp4"
gen -f lavfi -i testsrc=s=48x64:r=10:d=1 -c:v mpeg4 "$T/small2.mp4"
"$MV" fingerprint --type video --every 0 "$T/small1.mp4" "$T/small2.mp4" >"$T/want" ||
    fail "small videos alone: exit $?"
[ "$(wc -l <"$T/want")" = 20 ] || fail "small videos: $(wc -l <"$T/want") frames, want 20"
for j in 1 2; do
    MEDIAVAULT_TIMEOUT=2 "$MV" fingerprint --type video --every 0 --jobs $j "$T/small1.mp4" \
        "$T/slow.mp4" "$T/small2.mp4" >"$T/out$j" 2>"$T/err$j"
    expect_rc "timeout, --jobs $j" 1 $?
    same_file "timeout, --jobs $j: the small videos' frames" "$T/want" "$T/out$j"
    grep -qx "mediavault: $T/slow.mp4: timed out after 2 s (MEDIAVAULT_TIMEOUT)" "$T/err$j" ||
        fail "timeout, --jobs $j: no message naming slow.mp4: $(cat "$T/err$j")"
    clean "timeout, --jobs $j" 1 "$T/err$j"
done
# Without a limit the same file is fine (and proves it is a real, valid video).
MEDIAVAULT_TIMEOUT=0 "$MV" fingerprint --type video --every 2 "$T/slow.mp4" >"$T/slow.out" ||
    fail "slow.mp4 without a limit: exit $?"
[ "$(wc -l <"$T/slow.out")" = 10 ] || fail "slow.mp4 at --every 2: $(wc -l <"$T/slow.out") frames"

# ---- 8K frames ------------------------------------------------------------------------
gen -f lavfi -i testsrc2=s=7680x4320:r=2 -frames:v 2 -c:v mpeg4 -q:v 31 "$T/8k.mp4"
"$MV" fingerprint --type video --every 0 --jobs 1 "$T/8k.mp4" >"$T/8k.out" 2>"$T/8k.err"
expect_rc "8K" 0 $?
[ "$(grep -c "^vpdq [01] 100 [0-9a-f]\{64\} " "$T/8k.out")" = 2 ] || fail "8K: $(cat "$T/8k.out")"
"$MV" fingerprint --type video --max-pixels 8000000 "$T/8k.mp4" "$T/small1.mp4" >"$T/8k.out" \
    2>"$T/8k.err"
expect_rc "8K over --max-pixels" 1 $?
grep -qx "mediavault: $T/8k.mp4: video frames too large (see --max-pixels)" "$T/8k.err" ||
    fail "8K over --max-pixels: $(cat "$T/8k.err")"
[ "$(grep -c 'small1.mp4$' "$T/8k.out")" = 1 ] || fail "8K over --max-pixels: small1.mp4 missing"

# ---- absurd frame rates -----------------------------------------------------------------
gen -f lavfi -i testsrc=s=64x48:r=10 -frames:v 5 -c:v mpeg4 -video_track_timescale 1000000 \
    -r 1000000 "$T/mhz.mp4"
gen -f lavfi -i testsrc=s=64x48:r=10 -frames:v 5 -vf "settb=1,setpts=N*1000000" \
    -vsync passthrough -c:v libx264 -bf 0 -video_track_timescale 1 "$T/slowrate.mp4"
for f in mhz slowrate; do
    for every in 1 0; do
        "$MV" fingerprint --type video --every $every "$T/$f.mp4" >"$T/$f.out" 2>"$T/$f.err"
        rc=$?
        clean "$f.mp4 --every $every" $rc "$T/$f.err"
        expect_rc "$f.mp4 --every $every" 0 $rc
        head -n 1 "$T/$f.out" | grep -q "^vpdq 0 [0-9]* [0-9a-f]\{64\} 0.000 " ||
            fail "$f.mp4 --every $every: frame 0 not kept: $(head -n 1 "$T/$f.out")"
    done
done
# 1000000 fps: one second is past the end, so frame 0 alone; every frame with 0.
"$MV" fingerprint --type video --every 1 "$T/mhz.mp4" | wc -l | grep -qx 1 || fail "mhz --every 1"
"$MV" fingerprint --type video --every 0 "$T/mhz.mp4" | wc -l | grep -qx 5 || fail "mhz --every 0"
# One frame per 800000 s on average: every frame at --every 1, timestamps far apart
# (FFmpeg itself decodes 4 of the 5 frames of this stream).
"$MV" fingerprint --type video --every 1 --format vpdq "$T/slowrate.mp4" >"$T/slowrate.out" 2>&1
[ "$(cut -d, -f1,4 "$T/slowrate.out" | head -n 4 | tr '\n' ' ')" = \
    "0,0.000 1,800000.000 2,1600000.000 3,2400000.000 " ] ||
    fail "slowrate --every 1: $(tr '\n' ' ' <"$T/slowrate.out")"

# ---- a FIFO (nobody writes to it): refused without blocking, whatever the type -------------
mkfifo "$T/fifo" || fail "mkfifo"
for type in auto audio video; do
    timeout 60 "$MV" fingerprint --no-cache --type $type "$T/fifo" >/dev/null 2>"$T/fifo.err"
    expect_rc "FIFO, --type $type" 1 $?
    grep -qx "mediavault: $T/fifo: not a regular file" "$T/fifo.err" ||
        fail "FIFO, --type $type: $(cat "$T/fifo.err")"
done

# ---- corrupt packets --------------------------------------------------------------------
gen -f lavfi -i testsrc=s=160x120:r=25:d=4 -c:v libx264 -g 25 "$T/good.mp4"
for seed in 1 2 3 4 5; do
    python3 - "$T/good.mp4" "$T/bad$seed.mp4" "$seed" <<'PY'
import random, sys
d = bytearray(open(sys.argv[1], "rb").read())
r = random.Random(int(sys.argv[3]))
for _ in range(40 * int(sys.argv[3])):
    d[r.randrange(len(d) // 4, 3 * len(d) // 4)] ^= 1 << r.randrange(8)
open(sys.argv[2], "wb").write(bytes(d))
PY
    "$MV" fingerprint --type video --every 0 --format json "$T/bad$seed.mp4" "$T/small1.mp4" \
        >"$T/bad.json" 2>"$T/bad.err"
    rc=$?
    clean "corrupt MP4 $seed" $rc "$T/bad.err"
    python3 - "$T/bad.json" "$rc" "$T/bad.err" <<'PY' || fail "corrupt MP4 $seed: $(cat "$T/bad.err")"
import json, sys
a, rc, err = json.load(open(sys.argv[1])), int(sys.argv[2]), open(sys.argv[3]).read()
bad, ok = a
assert len(ok["frames"]) == 10, ok
if "error" in bad:      # a clear error, named on stderr
    assert rc == 1 and "bad" in err and bad["error"], (rc, err)
else:                   # frames; flagged when some are missing
    assert rc == 0 and 0 < len(bad["frames"]) <= 100, (rc, len(bad["frames"]))
    if len(bad["frames"]) < 100:
        assert bad.get("truncated") is True and "warning: corrupt or truncated" in err, err
PY
done
finish
