#!/bin/bash
# Every expected/NAME.{r0,r1,r0-s128}.txt of the reference must come out bit for bit.
# usage: vpdq_expected.sh VPDQ_PRINT VECTORS_DIR
set -u
tool=$1 vec=$2
[ -d "$vec/expected" ] && [ -d "$vec/videos" ] || { echo "no vectors at $vec: skip"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for exp in "$vec"/expected/*.txt; do
    base=$(basename "$exp" .txt) name=${base%.*} mode=${base##*.}
    case $mode in
    r0) args=(-r 0) ;;
    r1) args=(-r 1) ;;
    r0-s128) args=(-r 0 -s 128) ;;
    *) echo "unknown mode $mode in $exp"; fail=$((fail + 1)); continue ;;
    esac
    if "$tool" "${args[@]}" "$vec/videos/$name.mp4" >"$tmp/out" 2>"$tmp/err" &&
        cmp -s "$exp" "$tmp/out"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "MISMATCH $base: $(diff "$exp" "$tmp/out" | grep -c '^>') lines differ"
        cat "$tmp/err"
    fi
done
echo "vpdq expected: $pass exact, $fail differ"
[ "$pass" -gt 0 ] && [ "$fail" -eq 0 ]
