#!/usr/bin/env bash
# The catalog caches fingerprints by content: a second run, and the same bytes
# under another name, are answered from it ("cached": true) with the same
# values; --no-cache neither reads nor writes it; options that change the hash
# have entries of their own.
. "$(dirname "$0")/fp_lib.sh"
need_vectors
need_program python3
cd "$T" || exit 3

cp "$VEC/images/labelme/q0122.jpg" a.jpg
cp "$VEC/synthetic/syn-300x200-gradient.png" b.png
printf 'Some words of text to fingerprint here and there\n' >c.txt
cat=$T/fp.db

run()
{
    "$MV" --catalog "$cat" fingerprint --format json "$@"
}

run a.jpg b.png c.txt >first.json || fail "first run"
run a.jpg b.png c.txt >second.json || fail "second run"
cp a.jpg renamed.jpg
cp c.txt other-name.txt
run renamed.jpg other-name.txt >copies.json || fail "copies"
run --full-res a.jpg >fullres.json || fail "full-res"
run --no-cache a.jpg >nocache.json || fail "no-cache"
rm -f "$T/nc.db"
"$MV" --catalog "$T/nc.db" fingerprint --no-cache a.jpg >/dev/null || fail "no-cache run"
[ ! -e "$T/nc.db" ] || fail "--no-cache created the catalog"

python3 - <<'PY' || fail "cache behaviour"
import json
first, second, copies, fullres, nocache = (json.load(open(f + ".json")) for f in
    ("first", "second", "copies", "fullres", "nocache"))
keys = ("type", "algorithm", "hash", "md5")
for o in first:
    assert o["cached"] is False, o
for a, b in zip(first, second):
    assert b["cached"] is True, b
    assert all(a[k] == b[k] for k in keys) and a.get("quality") == b.get("quality"), (a, b)
    assert a.get("tokens") == b.get("tokens"), (a, b)
by = {o["path"]: o for o in first}
assert copies[0]["cached"] is True and copies[0]["hash"] == by["a.jpg"]["hash"], copies
assert copies[1]["cached"] is True and copies[1]["hash"] == by["c.txt"]["hash"], copies
assert copies[1]["tokens"] == by["c.txt"]["tokens"], copies
assert fullres[0]["cached"] is False, fullres
assert nocache[0]["cached"] is False and nocache[0]["hash"] == by["a.jpg"]["hash"], nocache
PY

# The cache holds what was computed: a hit gives the reference value exactly.
want=$(awk -F'\t' '$1 == "synthetic/syn-300x200-gradient.png" { print $2, $3 }' "$VEC/expected.tsv")
got=$("$MV" --catalog "$cat" fingerprint b.png | cut -d' ' -f2,3)
[ "$want" = "$got" ] || fail "cached gradient: $got, reference $want"
# Rows are keyed by content, algorithm and version in the catalog's fingerprints table.
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    "select count(*) from fingerprints").fetchone()[0])' "$cat")
[ "$n" -eq 4 ] || fail "fingerprints rows: $n, expected 4 (pdq x2, pdq+fullres, simhash64)"

# PDQ values of an earlier version (before the sampled JPEG decode changed) are
# not answers: turned into version 1 rows, a.jpg is decoded again.
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(
    "update fingerprints set version = 1 where algorithm = ?", ("pdq",)); c.commit()' "$cat"
again=$("$MV" --catalog "$cat" fingerprint --format json a.jpg) || fail "a.jpg after the version change"
python3 - "$again" <<'PY' || fail "a version 1 row was used: $again"
import json, sys
o = json.loads(sys.argv[1])[0]
assert o["cached"] is False, o
PY
[ "$(echo "$again" | grep -o '"hash": "[0-9a-f]*"')" = \
  "$("$MV" fingerprint --no-cache --format json a.jpg | grep -o '"hash": "[0-9a-f]*"')" ] ||
    fail "a.jpg decoded again: $again"
finish
