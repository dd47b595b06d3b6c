#!/usr/bin/env bash
# Interrupts a real `scan --fingerprint` with SIGINT at 12 moments spread over
# its run. The scan commits the files it stored before it stops; each of them
# that is a text must have its fingerprint in the catalog once the same scan
# has run again, because that scan finds the file unchanged and reads it no more.
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

for k in $(seq 1 12); do
    delay=$(awk -v k="$k" -v t="$t" 'BEGIN { printf "%.3f", k / 13 * t }')
    rm -f "$T"/c.db*
    "$MV" --catalog "$T/c.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -INT "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    # 130: the signal came before the handler was set or after it was reset
    [ "$rc" -le 1 ] || [ "$rc" = 130 ] || fail "interrupted scan $k exited $rc"
    "$MV" --catalog "$T/c.db" scan --fingerprint --jobs 2 "$T/root" >/dev/null 2>&1 ||
        fail "scan after interrupt $k"
    missing=$(sqlite3 "$T/c.db" "SELECT count(*) FROM files f WHERE f.gone_at IS NULL
        AND substr(CAST(f.path AS TEXT), -4) = '.txt' AND NOT EXISTS
        (SELECT 1 FROM fingerprints p WHERE p.content_id = f.content_id)")
    [ "$missing" = 0 ] ||
        fail "after SIGINT at ${delay}s and a second scan, $missing texts have no fingerprint"
done
echo "ok: 12 interrupted scans (full scan ${t}s), every text fingerprinted"
