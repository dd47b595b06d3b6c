#!/bin/bash
# Bad input never crashes or hangs: missing file, directory, empty file, truncated
# MP4s (a clear error, or the frames before the cut flagged truncated=1), no video
# stream, no frames at all, and a resolution change mid-stream (each frame hashed at
# its own size). Inputs are cut from the vectors or generated with ffmpeg.
# usage: vpdq_bad_inputs.sh VPDQ_PRINT VECTORS_DIR
set -u
tool=$1 vec=$2
[ -d "$vec/videos" ] || { echo "no vectors at $vec: skip"; exit 77; }
command -v ffmpeg >/dev/null || { echo "no ffmpeg program: skip"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
run() { # file args... -> $tmp/out, $tmp/err, $rc
    timeout 120 "$tool" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
expect_error() { # file status
    run -r 0 "$1"
    if [ "$rc" -ne 1 ] || [ "$(tail -n 1 "$tmp/out")" != "error: $2" ]; then
        echo "FAIL $1: want error $2, got rc=$rc $(tail -n 1 "$tmp/out")"
        fail=1
    fi
}
expect_error "$tmp/missing.mp4" ENOENT
expect_error "$tmp" EISDIR
: >"$tmp/empty.mp4"
expect_error "$tmp/empty.mp4" ECORRUPT

# Truncated MP4s: an error before the first frame, else a prefix flagged truncated.
name=doorknob-hd-no-bar
for n in 100 1000 20000 150000 300000; do
    head -c "$n" "$vec/videos/$name.mp4" >"$tmp/cut.mp4"
    run -r 0 -j 2 "$tmp/cut.mp4"
    if [ "$rc" -eq 1 ] && grep -q '^error: E' "$tmp/out"; then
        continue
    fi
    lines=$(wc -l <"$tmp/out")
    # The frames near the cut may miss a (reordered) packet; those before are exact.
    keep=$((lines > 8 ? lines - 8 : 0))
    if [ "$rc" -ne 0 ] || [ "$lines" -lt 1 ] || ! grep -q 'truncated=1' "$tmp/err" ||
        ! head -n "$keep" "$tmp/out" | cmp -s - <(head -n "$keep" \
            "$vec/expected/$name.r0.txt"); then
        echo "FAIL truncated at $n bytes: rc=$rc lines=$lines $(cat "$tmp/err")"
        fail=1
    fi
done

gen() { ffmpeg -nostdin -v error -y "$@" </dev/null; }
gen -f lavfi -i sine=d=1 -c:a aac "$tmp/audio.m4a"
expect_error "$tmp/audio.m4a" ENOTSUP
gen -f lavfi -i testsrc=s=64x48:r=10 -frames:v 0 -c:v libx264 "$tmp/zero.mp4"
run -r 0 "$tmp/zero.mp4"
if [ "$rc" -ne 1 ] || ! grep -q '^error: E' "$tmp/out"; then
    echo "FAIL zero frames: rc=$rc"
    fail=1
fi

# 64x48 then 96x80 in one MPEG-TS stream: 20 frames, numbered 0..19.
gen -f lavfi -i testsrc=s=64x48:r=10:d=1 -c:v libx264 -f mpegts "$tmp/a.ts"
gen -f lavfi -i testsrc=s=96x80:r=10:d=1 -c:v libx264 -f mpegts "$tmp/b.ts"
cat "$tmp/a.ts" "$tmp/b.ts" >"$tmp/ab.ts"
run -r 0 -j 3 "$tmp/ab.ts"
if [ "$rc" -ne 0 ] || [ "$(cut -d, -f1 "$tmp/out" | tr '\n' ' ')" != "$(seq -s ' ' 0 19) " ]; then
    echo "FAIL resolution change: rc=$rc $(head -n 3 "$tmp/out")"
    fail=1
fi
# The library's time limit: 300 frames of 720p at every frame (a second looped by
# stream copy) under 0.3 s is ETIMEDOUT with no frame printed after the error; a
# negative limit is EINVAL; the limit does not touch a quick video.
gen -f lavfi -i testsrc2=s=1280x720:r=30 -frames:v 30 -c:v mpeg4 -q:v 20 -g 30 "$tmp/second.mp4"
gen -stream_loop 9 -i "$tmp/second.mp4" -c copy "$tmp/slow.mp4"
run -r 0 -j 2 -t 0.3 "$tmp/slow.mp4"
if [ "$rc" -ne 1 ] || [ "$(tail -n 1 "$tmp/out")" != "error: ETIMEDOUT" ] ||
    [ "$(wc -l <"$tmp/out")" -ge 300 ]; then
    echo "FAIL timeout: rc=$rc $(tail -n 1 "$tmp/out")"
    fail=1
fi
run -r 0 -t -1 "$tmp/a.ts"
[ "$rc" -eq 1 ] && [ "$(cat "$tmp/out")" = "error: EINVAL" ] || { echo "FAIL -t -1: $rc"; fail=1; }
run -r 0 -t 60 "$tmp/a.ts"
[ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 10 ] || { echo "FAIL -t 60: $rc"; fail=1; }
# The pixel limit, from the header: 64x48 = 3072 pixels.
run -r 0 -p 3000 "$tmp/a.ts"
[ "$rc" -eq 1 ] && [ "$(cat "$tmp/out")" = "error: ETOOBIG" ] || { echo "FAIL -p 3000: $rc"; fail=1; }
run -r 0 -p 3072 "$tmp/a.ts"
[ "$rc" -eq 0 ] || { echo "FAIL -p 3072: $rc"; fail=1; }
[ "$fail" -eq 0 ] && echo "vpdq bad inputs: ok"
exit "$fail"
