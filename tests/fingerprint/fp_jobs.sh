#!/usr/bin/env bash
# `--jobs N` fingerprints on N threads sharing one catalog, yet prints exactly
# what `--jobs 1` prints: the same lines, errors and exit status, in argument
# order, with failing inputs in the middle. A second parallel run on the same
# catalog is answered from the cache with the same values.
. "$(dirname "$0")/fp_lib.sh"
need_vectors
need_program python3
cd "$T" || exit 3

(cd "$VEC" && find images synthetic -type f \( -name '*.jpg' -o -name '*.png' \) 2>/dev/null |
    LC_ALL=C sort | head -n 40) >list
[ -s list ] || fail "no reference images found"
: >empty.bin
printf '\377\376\000\001binary\000' >junk.bin
mkdir adir
# Inputs: images, with failures (missing, empty, binary, a directory) among them.
args=()
i=0
while IFS= read -r f; do
    args+=("$VEC/$f")
    i=$((i + 1))
    case $i in
    5) args+=("$T/missing.jpg" "$T/empty.bin") ;;
    12) args+=("$T/junk.bin") ;;
    20) args+=("$T/adir") ;;
    esac
done <list
printf 'A short text among the images, to be hashed as words\n' >note.txt
args+=("$T/note.txt")

for fmt in text json; do
    for j in 1 2 3; do
        rm -f "$T/j$j.db"
        "$MV" --catalog "$T/j$j.db" --jobs "$j" fingerprint --format "$fmt" "${args[@]}" \
            >"$fmt.$j.out" 2>"$fmt.$j.err"
        echo $? >"$fmt.$j.rc"
    done
done
[ "$(cat text.1.rc)" = 1 ] || fail "exit status $(cat text.1.rc), expected 1 (some inputs failed)"
for j in 2 3; do
    cmp -s text.1.out "text.$j.out" || fail "--jobs $j text output differs from --jobs 1"
    cmp -s text.1.err "text.$j.err" || fail "--jobs $j stderr differs from --jobs 1"
    cmp -s text.1.rc "text.$j.rc" || fail "--jobs $j exit status differs from --jobs 1"
    # JSON differs only in the timings.
    for f in json.1.out "json.$j.out"; do
        sed 's/"processing_time_ms": [0-9.]*/T/' "$f" >"$f.cmp"
    done
    cmp -s json.1.out.cmp "json.$j.out.cmp" || fail "--jobs $j json output differs from --jobs 1"
    cmp -s json.1.err "json.$j.err" || fail "--jobs $j json stderr differs"
done
[ "$(wc -l <text.1.err)" -eq 4 ] || fail "expected 4 error lines, got $(wc -l <text.1.err)"
# Also the program's own --jobs spelling after the command.
"$MV" --catalog "$T/j9.db" fingerprint --jobs 2 "${args[@]}" >after.out 2>/dev/null
cmp -s text.1.out after.out || fail "fingerprint --jobs 2 differs from --jobs 1"

# Cached, in parallel: the same values, every one a hit.
"$MV" --catalog "$T/j2.db" --jobs 2 fingerprint --format json "${args[@]}" >cached.json 2>/dev/null
python3 - <<'PY' || fail "cached parallel run"
import json
first, again = json.load(open("json.2.out")), json.load(open("cached.json"))
assert len(first) == len(again)
for a, b in zip(first, again):
    assert a["path"] == b["path"], (a, b)
    if "error" in a:
        assert b.get("error") == a["error"], (a, b)
        continue
    assert a["cached"] is False and b["cached"] is True, (a, b)
    for k in ("hash", "quality", "tokens", "md5"):
        assert a.get(k) == b.get(k), (k, a, b)
PY
finish
