#!/usr/bin/env bash
# `scan --fingerprint` fills the same fingerprint cache as `fingerprint`: after
# the scan, `fingerprint` answers every image and text from the cache
# ("cached": true) with the values an uncached run computes. A rescan
# fingerprints only what changed; a copy of known content is a cache hit; a
# plain scan stores no fingerprints. Needs ffmpeg (generated images).
. "$(dirname "$0")/fp_lib.sh"
need_program ffmpeg
need_program python3
cd "$T" || exit 3

mkdir -p tree/sub
gen()
{
    ffmpeg -nostdin -loglevel error -f lavfi -i "$1" -frames:v 1 "$2" || fail "ffmpeg $2"
}
gen "testsrc=size=320x240:rate=1" tree/a.png
gen "mandelbrot=size=300x200" tree/b.jpg
gen "testsrc2=size=200x300:rate=1" tree/sub/c.png
gen "smptebars=size=256x256:rate=1" tree/sub/d.jpg
printf 'A text about cataloguing media files and their fingerprints\n' >tree/one.txt
printf 'Quite another text: words, more words, and a few more words.\n' >tree/sub/two.txt
head -c 4096 /dev/zero | tr '\0' '\1' >tree/binary.dat
printf '\377\330\377 not really a jpeg' >tree/broken.jpg
ln tree/a.png tree/sub/a-link.png
media="tree/a.png tree/b.jpg tree/sub/c.png tree/sub/d.jpg tree/one.txt tree/sub/two.txt"
cat=$T/scan.db

summary()
{
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"
}

"$MV" --catalog "$cat" --jobs 2 scan --fingerprint --json tree >s1.json 2>s1.err
rc=$?
[ "$rc" -eq 0 ] || fail "first scan: exit status $rc"
[ "$(summary s1.json fingerprinted)" -eq 6 ] || fail "first scan: $(cat s1.json)"
[ "$(summary s1.json fingerprint_errors)" -eq 1 ] || fail "broken.jpg not reported: $(cat s1.json)"
grep -q 'broken.jpg.*not fingerprinted' s1.err || fail "no note for broken.jpg: $(cat s1.err)"

# shellcheck disable=SC2086
"$MV" --catalog "$cat" fingerprint --format json $media tree/sub/a-link.png >cached.json ||
    fail "fingerprint after scan"
# shellcheck disable=SC2086
"$MV" --catalog "$cat" fingerprint --no-cache --format json $media tree/sub/a-link.png \
    >fresh.json || fail "fingerprint --no-cache"
python3 - <<'PY' || fail "cache filled by scan"
import json
cached, fresh = json.load(open("cached.json")), json.load(open("fresh.json"))
assert len(cached) == len(fresh) == 7
for c, f in zip(cached, fresh):
    assert c["cached"] is True and f["cached"] is False, (c, f)
    for k in ("path", "type", "algorithm", "hash", "quality", "tokens", "md5"):
        assert c.get(k) == f.get(k), (k, c, f)
PY

# Unchanged: nothing read, nothing fingerprinted.
"$MV" --catalog "$cat" scan --fingerprint --json tree >s2.json 2>/dev/null
[ "$(summary s2.json fingerprinted)" -eq 0 ] || fail "rescan fingerprinted: $(cat s2.json)"
[ "$(summary s2.json bytes_read)" -eq 0 ] || fail "rescan read: $(cat s2.json)"
# One changed text is fingerprinted; a copy of known content is a cache hit.
printf 'The first text, rewritten with other words\n' >tree/one.txt
cp tree/sub/d.jpg tree/copy-of-d.jpg
"$MV" --catalog "$cat" scan --fingerprint --json tree >s3.json 2>/dev/null
[ "$(summary s3.json fingerprinted)" -eq 1 ] || fail "changed text: $(cat s3.json)"
[ "$(summary s3.json fingerprints_cached)" -eq 1 ] || fail "copied image: $(cat s3.json)"
"$MV" --catalog "$cat" fingerprint --format json tree/one.txt tree/copy-of-d.jpg >s3fp.json
python3 -c 'import json; assert all(o["cached"] for o in json.load(open("s3fp.json")))' ||
    fail "changed and copied files not cached: $(cat s3fp.json)"

# One read per photo: on a first `scan --fingerprint` of a tree of photos each
# file is read once for its MD5 and its fingerprint, so the bytes read are the
# sum of the sizes; with strace, the read() calls on each photo are counted
# too and must add up to its size (the earlier scanner read every photo twice).
mkdir -p photos/deep
cp tree/a.png tree/b.jpg photos/
cp tree/sub/c.png photos/deep/C.PNG
gen "nullsrc=s=1024x768,geq=random(1)*255:128:128" photos/deep/noise.png
gen "mandelbrot=size=1200x900" photos/deep/big.jpg
sum=$(find photos -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
"$MV" --catalog "$T/photos.db" --jobs 2 scan --fingerprint --json photos >p1.json 2>p1.err ||
    fail "photo scan: $(cat p1.err)"
[ "$(summary p1.json bytes_read)" -eq "$sum" ] || fail "photos read more than once: $(cat p1.json), sizes $sum"
[ "$(summary p1.json fingerprinted)" -eq 5 ] || fail "photos: $(cat p1.json)"
if command -v strace >/dev/null; then
    mkdir trace
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -ff -qq -y -s 0 -e trace=read,pread64,readv,preadv,preadv2 -o trace/t \
        "$MV" --catalog "$T/photos2.db" --jobs 2 scan --fingerprint --json photos >p2.json ||
        fail "photo scan under strace"
    python3 - "$T/photos" trace/t.* <<'PY' || fail "a photo was read more than once (strace)"
import os, re, sys
root, logs = sys.argv[1], sys.argv[2:]
got = {}
for log in logs:
    for line in open(log, errors="replace"):
        m = re.match(r"\w+\(\d+<([^>]*)>.*= (\d+)$", line.strip())
        if m and m.group(1).startswith(root + "/"):
            got[m.group(1)] = got.get(m.group(1), 0) + int(m.group(2))
want = {}
for d, _, names in os.walk(root):
    for n in names:
        p = os.path.join(d, n)
        want[p] = os.path.getsize(p)
assert got == want, (got, want)
PY
else
    echo "strace not installed: read() calls not counted"
fi

# A plain scan stores no fingerprints.
"$MV" --catalog "$T/plain.db" scan tree 2>/dev/null || fail "plain scan"
n=$(python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(
    "select count(*) from fingerprints").fetchone()[0])' "$T/plain.db")
[ "$n" -eq 0 ] || fail "plain scan stored $n fingerprints"
finish
