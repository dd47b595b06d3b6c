#!/usr/bin/env bash
#
# `mediavault dupes --fresh` finds the same groups as jdupes -r (and fdupes -r)
# on a real tree: equal as sets of sets of paths.
#
# Hard links: by default jdupes lists only one name of a hard-linked inode and
# never pairs two names of one inode (it calls that unsafe), so the comparison
# uses jdupes -H, which lists every name. mediavault lists every name too (the
# extra names as "= PATH" lines of one entry), but a group needs two distinct
# inodes: names of one lone inode are not duplicates (no space to reclaim),
# while jdupes -H prints them as a group. Such groups are removed from the
# jdupes side before comparing. fdupes -r -H -n is compared the same way
# (-n: fdupes groups empty files by default, jdupes and mediavault do not).
#
# Usage: dupes_vs_jdupes.sh MEDIAVAULT   (exit 77 when jdupes is missing)
set -euo pipefail

mv=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/dupes/dupes_tree.sh
. "$here/dupes_tree.sh"
command -v jdupes >/dev/null || { echo "jdupes not installed: skipped"; exit 77; }
command -v jq >/dev/null || { echo "jq not installed: skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-dupes-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
make_tree "$tmp/tree"

# One line per group: its paths sorted and joined by tabs; lines sorted.
norm_ours() {
    jq -r '.groups[] | [.entries[].paths[]] | sort | join("\t")' | LC_ALL=C sort
}

# Reads groups separated by blank lines; keeps those with two inodes or more.
norm_peer() {
    local line group=() inodes
    flush() {
        if ((${#group[@]})); then
            inodes=$(stat -c '%d:%i' -- "${group[@]}" | sort -u | wc -l)
            if ((inodes >= 2)); then
                printf '%s\n' "${group[@]}" | LC_ALL=C sort | paste -sd '\t' -
            fi
        fi
        group=()
    }
    while IFS= read -r line; do
        if [[ -z $line ]]; then flush; else group+=("$line"); fi
    done
    flush
}

"$mv" dupes --fresh --format json "$tmp/tree" | norm_ours >"$tmp/ours"
jdupes -q -r -H "$tmp/tree" | norm_peer | LC_ALL=C sort >"$tmp/jdupes"

groups=$(wc -l <"$tmp/ours")
echo "mediavault: $groups groups"
((groups >= 14)) || { echo "too few groups found: $groups"; exit 1; }
if ! diff -u "$tmp/jdupes" "$tmp/ours"; then
    echo "FAIL: groups differ from jdupes -r -H (- jdupes, + mediavault)"
    exit 1
fi
echo "same groups as jdupes -r -H"

# No group may pair files whose middles differ, or different sizes.
if grep -q 'middle-' "$tmp/ours" && grep -P 'orig-\d+\t.*middle-' "$tmp/ours"; then
    echo "FAIL: a same-head/tail, other-middle file was grouped with its original"
    exit 1
fi

# jdupes without -H: every group of ours holds, among its names, the names
# jdupes prints (one name per inode), and the groups correspond one to one.
jdupes -q -r "$tmp/tree" | norm_peer | LC_ALL=C sort >"$tmp/jdupes-noH"
[[ $(wc -l <"$tmp/jdupes-noH") -eq $groups ]] || { echo "FAIL: group count differs from jdupes -r"; exit 1; }

if command -v fdupes >/dev/null; then
    fdupes -q -r -H -n "$tmp/tree" | norm_peer | LC_ALL=C sort >"$tmp/fdupes"
    if ! diff -u "$tmp/fdupes" "$tmp/ours"; then
        echo "FAIL: groups differ from fdupes -r -H -n (- fdupes, + mediavault)"
        exit 1
    fi
    echo "same groups as fdupes -r -H -n"
fi

# The text format lists the same paths: "#" lines are headers, "= " marks
# further hard links. (No name in this tree needs escaping except the one
# holding a backslash, which text writes md5sum's way.)
"$mv" dupes --fresh "$tmp/tree" >"$tmp/text"
tail -n 1 "$tmp/text" | grep -qE "^# $groups groups, [0-9]+ files, [0-9]+ bytes reclaimable$" ||
    { echo "FAIL: bad summary line"; tail -n 1 "$tmp/text"; exit 1; }
reclaim_json=$("$mv" dupes --fresh --format json "$tmp/tree" | jq '.summary.reclaimable')
tail -n 1 "$tmp/text" | grep -q " $reclaim_json bytes reclaimable$" ||
    { echo "FAIL: text and json disagree on reclaimable bytes"; exit 1; }
echo "ok"
