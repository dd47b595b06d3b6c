#!/bin/bash
# `mediavault fingerprint --type video`: every expected/NAME.{r0,r1,r0-s128}.txt of the
# reference bit for bit through --format vpdq, several files at once (blank line between
# them), --type auto picking video for an .mp4, the JSON object, and bad inputs.
# usage: vpdq_cli.sh MEDIAVAULT VECTORS_DIR
set -u
export LC_ALL=C
mv=$1 vec=$2
[ -d "$vec/expected" ] && [ -d "$vec/videos" ] || { echo "no vectors at $vec: skip"; exit 77; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
export MEDIAVAULT_CATALOG=$tmp/catalog.db HOME=$tmp
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

pass=0
for exp in "$vec"/expected/*.txt; do
    base=$(basename "$exp" .txt) name=${base%.*} mode=${base##*.}
    case $mode in
    r0) args=(--every 0) ;;
    r1) args=() ;; # the default: one frame per second
    r0-s128) args=(--every 0 --size 128) ;;
    *) fail "unknown mode $mode in $exp"; continue ;;
    esac
    if "$mv" fingerprint --type video --format vpdq "${args[@]}" "$vec/videos/$name.mp4" \
        >"$tmp/out" 2>"$tmp/err" && cmp -s "$exp" "$tmp/out"; then
        pass=$((pass + 1))
    else
        fail "$base: $(diff "$exp" "$tmp/out" | grep -c '^>') lines differ"
        cat "$tmp/err"
    fi
done
[ "$pass" -gt 0 ] || fail "no expected file matched"
echo "vpdq cli expected: $pass exact"

# Several files: the outputs in argument order, a blank line between them, and a missing
# file in the middle is an error (exit 1) while the others are still printed.
r1=("$vec"/expected/*.r1.txt)
a=$(basename "${r1[0]}" .r1.txt) b=$(basename "${r1[1]}" .r1.txt)
{ cat "${r1[0]}"; echo; cat "${r1[1]}"; } >"$tmp/want2"
"$mv" fingerprint --type video --format vpdq --every 1.0 "$vec/videos/$a.mp4" "$tmp/missing.mp4" \
    "$vec/videos/$b.mp4" >"$tmp/out2" 2>"$tmp/err2"
rc=$?
[ "$rc" -eq 1 ] || fail "two files and a missing one: exit $rc, expected 1"
cmp -s "$tmp/want2" "$tmp/out2" || fail "two files: output differs from the two expected files"
grep -q 'missing.mp4' "$tmp/err2" || fail "no error for the missing file"

# --type auto (the default) on an .mp4 picks video; text format one line per frame.
cp "$vec/videos/$a.mp4" "$tmp/clip.mp4"
"$mv" fingerprint "$tmp/clip.mp4" >"$tmp/auto" 2>"$tmp/auto.err" || fail "auto: exit $?"
n=$(wc -l <"${r1[0]}")
[ "$(grep -c "^vpdq [0-9]* [0-9]* [0-9a-f]\{64\} [0-9.]* $tmp/clip.mp4\$" "$tmp/auto")" -eq "$n" ] ||
    fail "auto on .mp4: not $n vpdq text lines: $(head -2 "$tmp/auto")"
cut -d' ' -f2-5 "$tmp/auto" | tr ' ' ',' | cmp -s - "${r1[0]}" ||
    fail "auto text lines differ from ${r1[0]}"

# JSON: the DESIGN.md object, with as many frames as the reference keeps (computed:
# the runs above cached this content under --every 0).
"$mv" fingerprint --no-cache --format json --type video --every 0 "$tmp/clip.mp4" >"$tmp/j" ||
    fail "json: exit $?"
python3 - "$tmp/j" "$vec/expected/$a.r0.txt" "$tmp/clip.mp4" <<'PY' || fail "json contents"
import hashlib, json, sys
a = json.load(open(sys.argv[1]))
ref = [l.split(",") for l in open(sys.argv[2]).read().splitlines()]
assert len(a) == 1, a
o = a[0]
assert o["path"] == sys.argv[3] and o["type"] == "video" and o["algorithm"] == "vpdq", o
assert o["duration"] > 0 and o["cached"] is False and o["processing_time_ms"] >= 0, o
assert o["md5"] == hashlib.md5(open(sys.argv[3], "rb").read()).hexdigest(), o["md5"]
assert len(o["frames"]) == len(ref), (len(o["frames"]), len(ref))
for f, r in zip(o["frames"], ref):
    assert set(f) == {"hash", "quality", "timestamp"}, f
    assert f["hash"] == r[2] and f["quality"] == int(r[1]), (f, r)
    assert abs(f["timestamp"] - float(r[3])) < 1e-9, (f, r)
PY
# The same from the catalog: "cached": true, everything else but the time equal.
"$mv" fingerprint --format json --type video --every 0 "$tmp/clip.mp4" >"$tmp/jc" ||
    fail "json cached: exit $?"
python3 - "$tmp/j" "$tmp/jc" <<'PY' || fail "json from the cache"
import json, sys
a, b = (json.load(open(p))[0] for p in sys.argv[1:3])
assert a["cached"] is False and b["cached"] is True, (a["cached"], b["cached"])
for o in (a, b):
    del o["cached"], o["processing_time_ms"]
assert a == b, (a, b)
PY

# Bad inputs with --type video: a missing file, a text file (never handed to the decoder
# as video), an empty file; errors as JSON objects, the good one still there, exit 1.
printf 'Just some plain words of text here\n' >"$tmp/plain.txt"
: >"$tmp/empty.mp4"
"$mv" fingerprint --type video --format json "$tmp/nope.mp4" "$tmp/plain.txt" "$tmp/empty.mp4" \
    "$tmp/clip.mp4" >"$tmp/bad.json" 2>"$tmp/bad.err"
rc=$?
[ "$rc" -eq 1 ] || fail "bad inputs: exit $rc, expected 1"
[ "$(grep -c '^mediavault: ' "$tmp/bad.err")" -eq 3 ] || fail "bad inputs: stderr $(cat "$tmp/bad.err")"
python3 - "$tmp/bad.json" <<'PY' || fail "bad inputs json"
import json, sys
a = json.load(open(sys.argv[1]))
assert [set(o) == {"path", "error"} for o in a] == [True, True, True, False], a
assert len(a[3]["frames"]) > 0, a[3]
PY
"$mv" fingerprint --type video "$tmp/plain.txt" >"$tmp/t.out" 2>/dev/null
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$tmp/t.out" ] || fail "text file with --type video: exit $rc"
# --type auto never takes a text file for video.
"$mv" fingerprint --no-cache "$tmp/plain.txt" >"$tmp/t2.out" 2>&1 || fail "auto text: exit $?"
grep -q '^simhash64 ' "$tmp/t2.out" || fail "auto text: $(cat "$tmp/t2.out")"

# Bad option values are usage errors (exit 2).
for bad in "--every -1" "--every x" "--size 10001"; do
    # shellcheck disable=SC2086
    "$mv" fingerprint --type video $bad "$tmp/clip.mp4" >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 2 ] || fail "fingerprint $bad: exit $rc, expected 2"
done

echo "vpdq cli: $fails failures"
[ "$fails" -eq 0 ]
