#!/usr/bin/env bash
# A tree catalogued by a plain `scan` is fingerprinted by a later `scan
# --fingerprint`: its files are unchanged, yet each image and text whose
# content has no fingerprint is read (once per content: a copy under another
# name is neither read nor decoded) and fingerprinted. A corrupt photo and a
# binary named like one are reported (the corrupt one) and recorded as not
# fingerprintable once; the next scans read 0 bytes and report nothing, and a
# plain scan between them drops no fingerprint. A row whose MD5 is not that of
# the bytes under the same stat is found changed; a file renamed in between is
# fingerprinted too; a failure of the moment (no decoders) is not recorded. Killing the fingerprinting
# scan (SIGINT, SIGKILL) leaves a catalog that the next one completes.
# Needs ffmpeg (generated images) and sqlite3.
set -u
MV=$1
T=$(mktemp -d /tmp/mv-scan-refp.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
for p in ffmpeg sqlite3 python3; do
    command -v $p >/dev/null || {
        echo "SKIP: $p is not installed" >&2
        exit 77
    }
done
cd "$T" || exit 3
get() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
sql() { sqlite3 "$T/c.db" "$1"; }
gen() { ffmpeg -nostdin -loglevel error -f lavfi -i "$1" -frames:v 1 "$2" || fail "ffmpeg $2"; }

mkdir -p tree/sub
gen "testsrc=size=320x240:rate=1" tree/a.png
gen "mandelbrot=size=300x200" tree/b.jpg
cp tree/a.png tree/sub/a-copy.png
printf 'A text about cataloguing media files and their fingerprints\n' >tree/one.txt
printf '# Notes\n\nSome words in a markdown file, and a few more words.\n' >tree/sub/two.md
printf '\377\330\377\340 truncated, not really a jpeg' >tree/broken.jpg
head -c 3000 /dev/urandom >tree/random.jpg # neither an image nor a text inside
head -c 5000 /dev/urandom >tree/data.bin    # not named as media: never read for one
size() { stat -c %s "$@" | awk '{ s += $1 } END { print s }'; }
all=$(size tree/*.* tree/sub/*)
once=$(size tree/a.png tree/b.jpg tree/one.txt tree/sub/two.md tree/broken.jpg tree/random.jpg)
fingerprinted="SELECT count(*) FROM fingerprints WHERE algorithm IN ('pdq', 'simhash64')"

"$MV" --catalog c.db scan --json tree >s1.json || fail "plain scan"
[ "$(get s1.json bytes_read)" = "$all" ] || fail "plain scan: $(cat s1.json)"
[ "$(sql 'SELECT count(*) FROM fingerprints')" = 0 ] || fail "plain scan stored fingerprints"

# Unchanged, read for their fingerprints: each content once.
"$MV" --catalog c.db --jobs 2 scan --fingerprint --json tree >s2.json 2>s2.err ||
    fail "fingerprinting scan: $(cat s2.err)"
[ "$(get s2.json unchanged)" = 8 ] || fail "not all unchanged: $(cat s2.json)"
[ "$(get s2.json new)" = 0 ] && [ "$(get s2.json changed)" = 0 ] || fail "$(cat s2.json)"
[ "$(get s2.json reread_for_fingerprint)" = 6 ] || fail "reread: $(cat s2.json)"
[ "$(get s2.json bytes_read)" = "$once" ] || fail "not one read per content: $(cat s2.json), want $once"
[ "$(get s2.json fingerprinted)" = 4 ] || fail "a content decoded twice, or one missed: $(cat s2.json)"
[ "$(get s2.json fingerprint_errors)" = 1 ] || fail "broken.jpg not counted: $(cat s2.json)"
grep -q 'broken.jpg: corrupt data - not fingerprinted' s2.err || fail "no message: $(cat s2.err)"
[ "$(grep -c 'not fingerprinted' s2.err)" = 1 ] || fail "other messages: $(cat s2.err)"
[ "$(sql "$fingerprinted")" = 4 ] || fail "fingerprints: $(sql 'SELECT algorithm FROM fingerprints')"
# Every image and text of the tree (the copy too) has its fingerprint in the cache.
"$MV" --catalog c.db fingerprint --format json tree/a.png tree/b.jpg tree/sub/a-copy.png \
    tree/one.txt tree/sub/two.md >fp.json || fail "fingerprint after the scan"
python3 -c 'import json; r = json.load(open("fp.json")); assert len(r) == 5 and all(o["cached"] for o in r), r' ||
    fail "not answered from the cache: $(cat fp.json)"
# The two that cannot be fingerprinted are recorded so, by content.
[ "$(sql "SELECT count(*) FROM fingerprints WHERE algorithm = 'unfingerprintable'")" = 2 ] ||
    fail "failures not recorded: $(sql 'SELECT algorithm, hex(value) FROM fingerprints')"

# Nothing left: nothing read, nothing reported, whatever plain scans come between.
for i in 1 2; do
    "$MV" --catalog c.db scan --fingerprint --json tree >s3.json 2>s3.err || fail "rescan $i"
    [ "$(get s3.json bytes_read)" = 0 ] || fail "rescan $i read: $(cat s3.json)"
    [ "$(get s3.json reread_for_fingerprint)" = 0 ] || fail "rescan $i: $(cat s3.json)"
    [ "$(get s3.json fingerprint_errors)" = 0 ] || fail "rescan $i retried: $(cat s3.json)"
    [ ! -s s3.err ] || fail "rescan $i reported: $(cat s3.err)"
    # Nothing to decode: the decoders (media plugin) are not even loaded.
    if LD_DEBUG=files "$MV" --catalog c.db scan --fingerprint tree 2>&1 >/dev/null |
        grep -q 'file=.*mediavault-media\.so'; then
        fail "rescan $i loaded the media plugin"
    fi
    "$MV" --catalog c.db scan --json tree >p.json || fail "plain rescan $i"
    [ "$(get p.json bytes_read)" = 0 ] || fail "plain rescan $i read: $(cat p.json)"
    [ "$(sql "$fingerprinted")" = 4 ] || fail "a plain scan dropped fingerprints"
done
# A copy of the broken photo under a new name: read (new), not decoded, not
# reported. A new photo and its copy, both new: one decode (the second is a
# cache hit, or meets the first in flight).
cp tree/broken.jpg tree/sub/broken-too.jpg
gen "smptebars=size=256x256:rate=1" tree/c.png
cp tree/c.png tree/sub/c-copy.png
"$MV" --catalog c.db --jobs 2 scan --fingerprint --json tree >s4.json 2>s4.err || fail "copies"
[ "$(get s4.json new)" = 3 ] && [ "$(get s4.json fingerprints_cached)" = 2 ] &&
    [ "$(get s4.json fingerprinted)" = 1 ] || fail "copies: $(cat s4.json)"
[ "$(get s4.json fingerprint_errors)" = 0 ] && [ ! -s s4.err ] || fail "reported again: $(cat s4.err)"

# Same stat, other bytes than the MD5 stored (a rewrite within one timestamp
# tick leaves that; here the row is made so): read for the fingerprint its
# content lacks, then found changed, the row corrected.
real=$(md5sum tree/one.txt | cut -d' ' -f1)
sql "INSERT INTO contents (md5, size) VALUES (zeroblob(16), $(size tree/one.txt));
     UPDATE files SET md5 = zeroblob(16), content_id = last_insert_rowid()
     WHERE path = CAST('$T/tree/one.txt' AS BLOB)"
"$MV" --catalog c.db scan --fingerprint --json tree >s5.json || fail "scan of the stale row"
[ "$(get s5.json changed)" = 1 ] && [ "$(get s5.json reread_for_fingerprint)" = 1 ] ||
    fail "stale MD5 not found changed: $(cat s5.json)"
[ "$(sql "SELECT lower(hex(md5)) FROM files WHERE path = CAST('$T/tree/one.txt' AS BLOB)")" = "$real" ] ||
    fail "the row keeps a wrong MD5"
"$MV" --catalog c.db scan --fingerprint --json tree >s6.json || fail "scan after the fix"
[ "$(get s6.json bytes_read)" = 0 ] || fail "read again: $(cat s6.json)"

# Renamed between the plain scan and the fingerprinting one: its digests would
# be kept without a read, but its fingerprint is missing, so it is read.
mkdir -p ren
gen "testsrc2=size=200x300:rate=1" ren/r.png
printf 'a text to be renamed, in a few words\n' >ren/r.txt
"$MV" --catalog r.db scan ren >/dev/null 2>&1 || fail "plain scan of ren"
mv ren/r.png ren/renamed.png
mv ren/r.txt ren/renamed.txt
"$MV" --catalog r.db scan --fingerprint --json ren >r.json 2>/dev/null || fail "scan after the rename"
[ "$(get r.json fingerprinted)" = 2 ] && [ "$(get r.json new)" = 2 ] ||
    fail "renamed files not fingerprinted: $(cat r.json)"
[ "$(sqlite3 r.db 'SELECT count(*) FROM files WHERE gone_at IS NOT NULL')" = 2 ] ||
    fail "old names not gone"
"$MV" --catalog r.db scan --fingerprint --json ren >r2.json 2>/dev/null || fail "rescan of ren"
[ "$(get r2.json bytes_read)" = 0 ] || fail "renamed files read again: $(cat r2.json)"

# Without the media decoders (the plugin not found) a photo fails for a reason
# of the moment: nothing recorded, and the next scan with them fingerprints it.
mkdir -p miss
gen "testsrc=size=160x120:rate=1" miss/m.png
"$MV" --catalog m.db scan miss >/dev/null 2>&1 || fail "plain scan of miss"
MEDIAVAULT_MEDIA_PLUGIN=$T/no-such-plugin.so "$MV" --catalog m.db scan --fingerprint --json miss \
    >m1.json 2>/dev/null
[ "$(get m1.json reread_for_fingerprint)" = 1 ] && [ "$(get m1.json fingerprinted)" = 0 ] ||
    fail "without decoders: $(cat m1.json)"
[ "$(sqlite3 m.db 'SELECT count(*) FROM fingerprints')" = 0 ] || fail "a missing plugin recorded"
"$MV" --catalog m.db scan --fingerprint --json miss >m2.json 2>/dev/null || fail "with decoders"
[ "$(get m2.json fingerprinted)" = 1 ] || fail "not tried again with decoders: $(cat m2.json)"

# Kills: many texts catalogued plainly, the fingerprinting scan killed at
# several moments; the next one completes the work and the catalog is sound.
mkdir -p many
for i in $(seq 1 400); do
    echo "text number $i, words to fingerprint: $i $((i * 7)) $((i * 13))" >"many/t$i.txt"
done
export MEDIAVAULT_BATCH_SIZE=32
"$MV" --catalog k0.db scan many >/dev/null 2>&1 || fail "plain scan of the texts"
cp k0.db k1.db
start=$(date +%s.%N)
"$MV" --catalog k1.db --jobs 2 scan --fingerprint many >/dev/null 2>&1 || fail "texts"
t=$(echo "$(date +%s.%N) - $start" | bc)
missing="SELECT count(*) FROM files f WHERE f.gone_at IS NULL AND NOT EXISTS
    (SELECT 1 FROM fingerprints p WHERE p.content_id = f.content_id AND p.algorithm = 'simhash64')"
for sig in INT KILL; do
    for k in 2 5 8 11; do
        delay=$(awk -v k="$k" -v t="$t" 'BEGIN { printf "%.3f", k / 13 * t }')
        rm -f k.db*
        cp k0.db k.db
        # (A background job of a script starts with SIGINT ignored, and the program keeps it
        # ignored; env --default-signal=INT gives it the action a terminal's Ctrl-C would find.)
        env --default-signal=INT "$MV" --catalog k.db --jobs 2 scan --fingerprint many >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -"$sig" "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rc=$?
        [ "$rc" -le 1 ] || [ "$rc" = 130 ] || [ "$rc" = 137 ] || fail "SIG$sig ($k): exit $rc"
        [ "$(sqlite3 k.db 'PRAGMA integrity_check')" = ok ] || fail "SIG$sig ($k): catalog damaged"
        "$MV" --catalog k.db --jobs 2 scan --fingerprint --json many >k.json 2>/dev/null ||
            fail "scan after SIG$sig ($k)"
        [ "$(sqlite3 k.db "$missing")" = 0 ] || fail "after SIG$sig at ${delay}s: texts left without"
        [ "$(get k.json new)" = 0 ] && [ "$(get k.json changed)" = 0 ] || fail "$(cat k.json)"
        "$MV" --catalog k.db scan --fingerprint --json many >k2.json 2>/dev/null || fail "last scan"
        [ "$(get k2.json bytes_read)" = 0 ] || fail "after SIG$sig ($k), still reading: $(cat k2.json)"
    done
done
echo "ok: fingerprinted after a plain scan, once per content, then nothing read (kills: ${t}s scans)"
