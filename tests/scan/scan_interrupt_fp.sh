#!/usr/bin/env bash
# Stops a real `scan --fingerprint` at 12 moments spread over its run, with
# SIGINT (the scan commits the files it stored, then stops) and with SIGKILL
# (what was committed stays). Every text whose row the catalog holds must have
# its fingerprint there once the same scan has run again, because that scan
# finds the file unchanged and reads it no more.
set -u
MV=$1
T=$(mktemp -d /tmp/mv-scan-intfp.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir -p "$T/root"
for i in $(seq 1 300); do
    echo "text number $i, words to fingerprint: $i $((i * 7)) $((i * 13))" > "$T/root/t$i.txt"
done
for i in $(seq 1 12); do head -c 3M /dev/urandom > "$T/root/b$i.bin"; done
ntext=300
export MEDIAVAULT_BATCH_SIZE=32

start=$(date +%s.%N)
"$MV" --catalog "$T/full.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 ||
    fail "full scan"
t=$(echo "$(date +%s.%N) - $start" | bc)
full=$(sqlite3 "$T/full.db" 'SELECT count(*) FROM fingerprints')
[ "$full" = "$ntext" ] || fail "full scan stored $full fingerprints, not $ntext"

for sig in INT KILL; do
    for k in $(seq 1 12); do
        delay=$(awk -v k="$k" -v t="$t" 'BEGIN { printf "%.3f", k / 13 * t }')
        rm -f "$T"/c.db*
        # (A background job of a script starts with SIGINT ignored, and the program keeps it
        # ignored; env --default-signal=INT gives it the action a terminal's Ctrl-C would find.)
        env --default-signal=INT "$MV" --catalog "$T/c.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -"$sig" "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        rc=$?
        # 130: a SIGINT before the handler was set or after it was reset
        [ "$rc" -le 1 ] || [ "$rc" = 130 ] || [ "$rc" = 137 ] ||
            fail "scan stopped by SIG$sig ($k) exited $rc"
        "$MV" --catalog "$T/c.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 ||
            fail "scan after SIG$sig $k"
        missing=$(sqlite3 "$T/c.db" "SELECT count(*) FROM files f WHERE f.gone_at IS NULL
            AND substr(CAST(f.path AS TEXT), -4) = '.txt' AND NOT EXISTS
            (SELECT 1 FROM fingerprints p WHERE p.content_id = f.content_id)")
        [ "$missing" = 0 ] ||
            fail "after SIG$sig at ${delay}s and a second scan, $missing texts have no fingerprint"
    done
done
# Copies of the texts under new paths: read again, their fingerprints cached.
# The scan must still commit as it goes (MEDIAVAULT_BATCH_SIZE), so that some
# kill during it leaves part of the copies committed, not none.
mkdir "$T/root/copy"
for i in $(seq 1 2000); do cp "$T/root/t$((i % 300 + 1)).txt" "$T/root/copy/c$i.txt"; done
cp "$T/full.db" "$T/c.db"
start=$(date +%s.%N)
"$MV" --catalog "$T/c.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 || fail "copy scan"
t=$(echo "$(date +%s.%N) - $start" | bc)
partial=0
for k in 3 4 5 6 7 8 9 10 11 12; do
    delay=$(awk -v k="$k" -v t="$t" 'BEGIN { printf "%.3f", k / 13 * t }')
    cp "$T/full.db" "$T/c.db"
    rm -f "$T"/c.db-*
    "$MV" --catalog "$T/c.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    rows=$(sqlite3 "$T/c.db" "SELECT count(*) FROM files WHERE CAST(path AS TEXT) LIKE '%/copy/%'")
    [ "$rows" -gt 0 ] && [ "$rows" -lt 2000 ] && partial=$((partial + 1))
done
[ "$partial" -gt 0 ] ||
    fail "no kill in a scan of 2000 cached texts left part of them committed: all or nothing"
echo "ok: 12 scans stopped by SIGINT and 12 by SIGKILL (full scan ${t}s), every text fingerprinted"
