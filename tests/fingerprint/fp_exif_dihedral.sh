#!/usr/bin/env bash
# --exif-orient applies the EXIF Orientation tag (expected-exif-oriented.tsv);
# without it the tag is ignored as the reference does (expected.tsv); --dihedral
# prints the 8 rotations and flips (expected-dihedral.tsv, every row).
. "$(dirname "$0")/fp_lib.sh"
need_vectors
cd "$T" || exit 3

check_tsv expected-exif-oriented.tsv --exif-orient

tail -n +2 "$VEC/expected-dihedral.tsv" | cut -f1 >files
tail -n +2 "$VEC/expected-dihedral.tsv" |
    awk -F'\t' '{ print "pdq-dihedral", $2, $3, $4, $5, $6, $7, $8, $9, $10, $1 }' >want
(cd "$VEC" && xargs -d '\n' "$MV" fingerprint --no-cache --dihedral <"$T/files") >got ||
    fail "dihedral: exit status"
if ! cmp -s want got; then
    fail "dihedral hashes differ from the reference"
    diff want got | head -10 >&2
fi
# JSON carries them by name; orig is the plain hash.
f=$(head -1 files)
"$MV" fingerprint --no-cache --dihedral --format json "$VEC/$f" >d.json || fail "dihedral json"
python3 - d.json "$(sed -n 1p want)" <<'PY' || fail "dihedral json contents"
import json, sys
o = json.load(open(sys.argv[1]))[0]
w = sys.argv[2].split()
names = ["orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm"]
assert o["hash"] == w[2] and o["quality"] == int(w[1]), o
assert [o["dihedral"][n] for n in names] == w[2:10], o
PY
finish
