#!/usr/bin/env bash
#
# The three output formats of `mediavault dupes --fresh` are lossless for any
# file name (newline, tab, CR, a byte that is not UTF-8, quotes, commas,
# backslashes, leading '#' or '='), and the exit statuses and options behave.
# Python 3 decodes the json (surrogateescape) and csv outputs and undoes the
# text escaping, then compares the bytes with the names on disk.
#
# Usage: dupes_formats.sh MEDIAVAULT   (exit 77 when python3 is missing)
set -euo pipefail

mv=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/dupes/dupes_tree.sh
. "$here/dupes_tree.sh"
command -v python3 >/dev/null || { echo "python3 not installed: skipped"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-dupes-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
make_odd_names "$tmp/odd"
ln "$tmp/odd/base" "$tmp/odd/base-hardlink"

"$mv" dupes --fresh --format json "$tmp/odd" >"$tmp/out.json"
"$mv" dupes --fresh --format csv "$tmp/odd" >"$tmp/out.csv"
"$mv" dupes --fresh --format text "$tmp/odd" >"$tmp/out.txt"

python3 - "$tmp/odd" "$tmp/out.json" "$tmp/out.csv" "$tmp/out.txt" <<'PY'
import csv, io, json, os, sys

root, fjson, fcsv, ftext = sys.argv[1:]
rootb = os.fsencode(root)
want = sorted(os.path.join(rootb, n) for n in os.listdir(rootb))

def check(name, groups):
    # groups: list of lists of entries, each entry a list of byte paths
    assert len(groups) == 1, (name, groups)
    got = sorted(p for e in groups[0] for p in e)
    assert got == want, (name, got, want)
    entries = groups[0]
    linked = [e for e in entries if len(e) > 1]
    assert len(linked) == 1 and sorted(linked[0]) == linked[0], (name, linked)
    assert len(entries) == len(want) - 1, (name, entries)
    print(name, "ok:", len(got), "paths")

doc = json.load(open(fjson, encoding="utf-8"))
check("json", [[[os.fsencode(p) for p in e["paths"]] for e in g["entries"]] for g in doc["groups"]])
s = doc["summary"]
assert s["groups"] == 1 and s["files"] == len(want) - 1 and s["paths"] == len(want), s
assert s["reclaimable"] == 5000 * (len(want) - 2), s

rows = list(csv.reader(io.open(fcsv, encoding="utf-8", errors="surrogateescape", newline="")))
assert rows[0] == ["group", "size", "md5", "files", "reclaimable", "entry", "link", "path"], rows[0]
ents = {}
for r in rows[1:]:
    assert r[0] == "1" and r[1] == "5000" and len(r[2]) == 32, r
    ents.setdefault(r[5], []).append((int(r[6]), os.fsencode(r[7])))
check("csv", [[[p for _, p in sorted(v)] for v in ents.values()]])

def unescape(b):
    if not b.startswith(b"\\"):
        return b
    out, i, b = bytearray(), 0, b[1:]
    while i < len(b):
        if b[i:i + 1] == b"\\":
            out += {b"\\": b"\\", b"n": b"\n", b"r": b"\r"}[b[i + 1:i + 2]]
            i += 2
        else:
            out.append(b[i]); i += 1
    return bytes(out)

lines = open(ftext, "rb").read().split(b"\n")
assert lines[-1] == b"" and lines[-2].startswith(b"# 1 groups, "), lines[-2:]
groups, cur = [], None
for ln in lines[:-2]:
    if ln.startswith(b"# "):
        assert b" bytes x " in ln and b" md5 " in ln, ln
        cur = []
    elif ln == b"":
        groups.append(cur)
    elif ln.startswith(b"= "):
        cur[-1].append(unescape(ln[2:]))
    else:
        assert not ln.startswith((b"#", b"=")), ln
        cur.append([unescape(ln)])
check("text", groups)
PY

# Exit statuses: a missing root is reported (exit 1) and the rest still printed.
set +e
"$mv" dupes --fresh "$tmp/odd" "$tmp/missing" >"$tmp/o" 2>"$tmp/e"; rc=$?
set -e
[[ $rc -eq 1 ]] || { echo "FAIL: missing root: exit $rc, want 1"; exit 1; }
grep -q "^mediavault: $tmp/missing: No such file or directory$" "$tmp/e" || { cat "$tmp/e"; exit 1; }
grep -q '^# 1 groups' "$tmp/o" || { echo "FAIL: groups not printed after an error"; exit 1; }

expect_exit() { # expect_exit CODE ARGS...
    local want=$1 rc=0
    shift
    "$mv" "$@" >/dev/null 2>&1 || rc=$?
    [[ $rc -eq $want ]] || { echo "FAIL: mediavault $*: exit $rc, want $want"; exit 1; }
}
expect_exit 0 dupes --fresh --help
expect_exit 2 dupes --fresh
expect_exit 2 dupes --fresh --format xml "$tmp/odd"
expect_exit 2 dupes --fresh --min-size -3 "$tmp/odd"
expect_exit 2 dupes --fresh --min-size 12Q "$tmp/odd"
expect_exit 2 dupes --fresh --similar "$tmp/odd"
expect_exit 2 dupes --fresh --no-such-option "$tmp/odd"
expect_exit 0 dupes --fresh --min-size 4K -x --jobs 1 --backend scalar "$tmp/odd"

# --min-size: 5000-byte files are kept at 4K and dropped at 5001.
"$mv" dupes --fresh --min-size 4K "$tmp/odd" | grep -q '^# 1 groups' || exit 1
"$mv" dupes --fresh --min-size 5001 "$tmp/odd" | grep -q '^# 0 groups' || exit 1
# Empty files: ignored by default, grouped with --min-size 0.
mkdir "$tmp/empty" && : >"$tmp/empty/a" && : >"$tmp/empty/b"
"$mv" dupes --fresh "$tmp/empty" | grep -q '^# 0 groups' || exit 1
"$mv" dupes --fresh --min-size 0 "$tmp/empty" | grep -q '^# 1 groups' || exit 1
echo ok
