#!/usr/bin/env bash
# `dupes` from the catalog finds the same groups as `jdupes -r` on a tree of
# random duplicates (no hard links: jdupes does not count them by default;
# no empty files: jdupes skips them and so does dupes' default --min-size 1).
set -u
MV=$1
command -v jdupes >/dev/null || { echo "jdupes not installed: skipped"; exit 77; }
T=$(mktemp -d /tmp/mv-scan-jdupes.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
R=$T/root
mkdir -p "$R/x/y" "$R/z"
for i in $(seq 1 60); do
    n=$((RANDOM % 12))
    dir=$R
    [ $((i % 3)) -eq 0 ] && dir=$R/x/y
    [ $((i % 3)) -eq 1 ] && dir=$R/z
    printf 'content %d %0*d' "$n" "$((n * 500))" 0 > "$dir/file$i"
done
head -c 4096 /dev/urandom > "$R/x/r1"
cp "$R/x/r1" "$R/z/r2"
: > "$R/empty1"
: > "$R/empty2"

# One group per line: its paths sorted and joined, the groups sorted.
normalize() {
    awk 'BEGIN { RS = ""; FS = "\n" } { for (i = 1; i <= NF; i++) if ($i !~ /^# /) print NR "\t" $i }' |
        sort -t "$(printf '\t')" -k1,1n -k2 |
        awk -F '\t' '$1 != g { if (s != "") print s; s = ""; g = $1 } { s = s " " $2 }
                     END { if (s != "") print s }' | sort
}

"$MV" --catalog "$T/c.db" scan "$R" 2>/dev/null || fail "scan"
"$MV" --catalog "$T/c.db" dupes "$R" | grep -v '^# [0-9]* groups' | normalize > "$T/ours"
jdupes -r -q "$R" | normalize > "$T/theirs"
[ -s "$T/theirs" ] || fail "jdupes found nothing"
diff "$T/ours" "$T/theirs" || fail "dupes differs from jdupes -r"
echo "ok: $(wc -l < "$T/ours") groups as jdupes"
