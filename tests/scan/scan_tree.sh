#!/usr/bin/env bash
# A real tree with odd names, hard links, symlinks (and a loop), a FIFO, sparse
# and empty files: the catalog must verify with md5sum -c, a rescan must read
# nothing, hard links are read once, a rename is not read, deletions are gone.
set -u
MV=$1
T=$(mktemp -d /tmp/mv-scan-tree.XXXXXX)
trap 'rm -rf "$T"' EXIT
export MEDIAVAULT_CATALOG=$T/catalog.db
R=$T/root
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { grep -o "\"$1\": [0-9]*" | head -1 | awk '{print $2}'; }

mkdir -p "$R/a/b/c" "$R/d"
for i in $(seq 1 200); do echo "file $i" > "$R/a/b/c/f$i"; done
echo same > "$R/a/dup1"; echo same > "$R/d/dup2"
printf 'nl' > "$R/d/new
line"
printf 'bad' > "$R/d/$(printf 'bad\377name')"
printf 'bs' > "$R/d/back\\slash"
printf 'hash' > "$R/d/#hash"
head -c 300000 /dev/urandom > "$R/a/big"
ln "$R/a/big" "$R/d/big-link"
ln -s ../a "$R/d/sym"
ln -s loop "$R/d/loop"
mkfifo "$R/d/fifo"
truncate -s 20M "$R/sparse"
: > "$R/empty"

out=$("$MV" scan --json "$R") || fail "first scan exit $?"
files=$(echo "$out" | field files)
[ "$files" -eq 210 ] || fail "files=$files, want 210"
unique=$(find "$R" -type f -printf '%i %s\n' | sort -u | awk '{s += $2} END {print s}')
read1=$(echo "$out" | field bytes_read)
[ "$read1" -eq "$unique" ] || fail "bytes read $read1, want $unique (hard link read once)"
[ "$(echo "$out" | field skipped)" -eq 3 ] || fail "want 3 skipped: $out"

"$MV" export > "$T/sums" || fail "export"
[ "$(wc -l < "$T/sums")" -eq 210 ] || fail "export lines $(wc -l < "$T/sums")"
(cd / && md5sum -c --quiet "$T/sums") || fail "md5sum -c failed"

out=$("$MV" scan --json "$R") || fail "rescan"
[ "$(echo "$out" | field bytes_read)" -eq 0 ] || fail "rescan read bytes: $out"
[ "$(echo "$out" | field unchanged)" -eq 210 ] || fail "rescan unchanged: $out"

mv "$R/a/big" "$R/a/big-renamed"
rm "$R/a/b/c/f1"
out=$("$MV" scan --json "$R") || fail "scan after rename"
[ "$(echo "$out" | field bytes_read)" -eq 0 ] || fail "rename was read: $out"
[ "$(echo "$out" | field renamed)" -eq 1 ] || fail "renamed: $out"
[ "$(echo "$out" | field gone)" -eq 1 ] || fail "gone: $out"
"$MV" export > "$T/sums2"
grep -q 'f1$' "$T/sums2" && fail "gone file exported"
(cd / && md5sum -c --quiet "$T/sums2") || fail "md5sum -c after rename"

# dupes: dup1/dup2 and the f<i> files are distinct; big and its link are one entry.
"$MV" dupes "$R" > "$T/dupes" || fail "dupes"
grep -q "^$R/a/dup1\$" "$T/dupes" || fail "dupes lacks dup1: $(cat "$T/dupes")"
grep -q "big" "$T/dupes" && fail "hard links listed as duplicates"
"$MV" dupes --min-size 100 "$R" | grep -q dup1 && fail "min-size ignored"
"$MV" dupes --format csv "$R" | head -1 | grep -q '^group,size,md5' || fail "csv header"
if command -v python3 >/dev/null; then
    "$MV" dupes --format json | python3 -c 'import json,sys; json.load(sys.stdin)' ||
        fail "dupes json"
    "$MV" export --format json | python3 -c '
import json, os, sys
want = os.fsencode(sys.argv[1])
paths = [os.fsencode(f["path"]) for f in json.load(sys.stdin)]
sys.exit(0 if want in paths else 1)' "$R/d/$(printf 'bad\377name')" || fail "json path not lossless"
fi

# lookup by file and by MD5
"$MV" lookup "$R/a/dup1" | grep -q "$R/d/dup2" || fail "lookup FILE"
sum=$(md5sum < "$R/a/big-renamed" | cut -c1-32)
"$MV" lookup "$sum" | grep -q "big-renamed" || fail "lookup MD5"
"$MV" lookup 00000000000000000000000000000000 2>/dev/null && fail "lookup of unknown md5 succeeded"

# --exclude and a second algorithm read once
out=$("$MV" scan --json --exclude 'f1*' "$R") || fail "scan exclude"
[ "$(echo "$out" | field files)" -lt 200 ] || fail "exclude ignored: $out"
"$MV" scan --algo sha256 --json "$R" > /dev/null || fail "sha256 scan"
out=$("$MV" scan --algo sha256 --json "$R") || fail "sha256 rescan"
[ "$(echo "$out" | field bytes_read)" -eq 0 ] || fail "sha256 rescan read: $out"
sqlite3 "$MEDIAVAULT_CATALOG" 'PRAGMA integrity_check' | grep -qx ok || fail "integrity"
echo "ok"
