#!/bin/bash
# The worker pool changes nothing: 1, 2 and 7 workers, the callback and the array
# forms all give the reference's lines; a callback that stops the run gets
# MV_ECANCELED after exactly the frames it asked for.
# usage: vpdq_threads.sh VPDQ_PRINT VECTORS_DIR
set -u
tool=$1 vec=$2
[ -d "$vec/expected" ] && [ -d "$vec/videos" ] || { echo "no vectors at $vec: skip"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # expected-file description tool-args...
    local exp=$1 what=$2
    shift 2
    if ! "$tool" "$@" >"$tmp/out" 2>"$tmp/err" || ! cmp -s "$exp" "$tmp/out"; then
        echo "FAIL $what"
        cat "$tmp/err"
        fail=1
    fi
}
name=test-padded-dimensions
for j in 1 2 7; do
    check "$vec/expected/$name.r0.txt" "-j $j" -r 0 -j "$j" "$vec/videos/$name.mp4"
    check "$vec/expected/$name.r0-s128.txt" "-j $j -s 128 array" -a -r 0 -s 128 -j "$j" \
        "$vec/videos/$name.mp4"
done
check "$vec/expected/doorknob-hd-no-bar.r1.txt" "default -r 1" "$vec/videos/doorknob-hd-no-bar.mp4"
# Stopping after 5 frames: the first 5 lines, then the error.
"$tool" -r 0 -j 3 -c 5 "$vec/videos/$name.mp4" >"$tmp/out" 2>/dev/null
{ head -n 5 "$vec/expected/$name.r0.txt"; echo "error: ECANCELED"; } >"$tmp/want"
cmp -s "$tmp/want" "$tmp/out" || { echo "FAIL cancel"; diff "$tmp/want" "$tmp/out" | head; fail=1; }
[ "$fail" -eq 0 ] && echo "vpdq threads: ok"
exit "$fail"
