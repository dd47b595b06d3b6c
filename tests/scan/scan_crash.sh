#!/usr/bin/env bash
# Kills a real `scan` with SIGKILL at 20 random moments. After each kill the
# catalog must pass PRAGMA integrity_check and every file it lists must verify
# with md5sum -c; the scan run again must finish the job without re-reading
# what was committed, and SIGTERM must stop a scan cleanly (recorded canceled).
set -u
MV=$1
T=$(mktemp -d /tmp/mv-scan-crash.XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
field() { grep -o "\"$1\": [0-9]*" | head -1 | awk '{print $2}'; }
mkdir -p "$T/root/small" "$T/root/big"
head -c 48M /dev/urandom > "$T/seed"
(cd "$T/root/small" && split -b 16k -a 4 "$T/seed" s)
for i in 1 2 3 4; do head -c 24M /dev/urandom > "$T/root/big/b$i"; done
rm "$T/seed"
export MEDIAVAULT_BATCH_SIZE=64

start=$(date +%s.%N)
full=$("$MV" --catalog "$T/full.db" scan --json --jobs 2 "$T/root") || fail "full scan"
t=$(echo "$(date +%s.%N) - $start" | bc)
total=$(echo "$full" | field bytes_read)

check() {
    local ok
    ok=$(sqlite3 "$T/c.db" 'PRAGMA integrity_check' 2>&1)
    [ "$ok" = ok ] || fail "integrity_check after kill $1: $ok"
    "$MV" --catalog "$T/c.db" export > "$T/sums" 2> "$T/export.err" ||
        fail "export after kill $1: $(cat "$T/export.err")"
    [ -s "$T/sums" ] || return 0 # killed before the first commit
    (cd / && md5sum -c --quiet "$T/sums") || fail "md5sum -c after kill $1"
}

for k in $(seq 1 20); do
    delay=$(awk -v r="$RANDOM" -v t="$t" 'BEGIN { printf "%.3f", r / 32768 * t }')
    "$MV" --catalog "$T/c.db" scan --jobs 2 "$T/root" >/dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    [ -e "$T/c.db" ] && check "$k"
done
committed=$(wc -l < "$T/sums" 2>/dev/null || echo 0)

# One kill half way, then the resumed scan reads only what was not committed.
"$MV" --catalog "$T/half.db" scan --jobs 1 "$T/root" >/dev/null 2>&1 &
pid=$!
sleep "$(awk -v t="$t" 'BEGIN { printf "%.3f", t / 2 }')"
kill -KILL "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
done_bytes=$(sqlite3 "$T/half.db" 'select coalesce(sum(size), 0) from files where md5 is not null' 2>/dev/null || echo 0)
out=$("$MV" --catalog "$T/half.db" scan --json "$T/root") || fail "resume after half"
half_read=$(echo "$out" | field bytes_read)
[ "$half_read" -le $((total - done_bytes)) ] ||
    fail "resume re-read committed files: read $half_read, $done_bytes of $total were committed"

# SIGTERM: a clean stop, recorded as canceled, exit 1.
"$MV" --catalog "$T/term.db" scan --jobs 1 "$T/root" >/dev/null 2>&1 &
pid=$!
sleep "$(awk -v t="$t" 'BEGIN { printf "%.3f", t / 3 }')"
kill -TERM "$pid"
wait "$pid"
rc=$?
if [ "$rc" -ne 0 ]; then
    [ "$rc" -eq 1 ] || fail "SIGTERM exit $rc"
    st=$(sqlite3 "$T/term.db" 'select status from scans order by id desc limit 1')
    [ "$st" -eq 2 ] || fail "SIGTERM scan status $st, want 2 (canceled)"
fi

out=$("$MV" --catalog "$T/c.db" scan --json --jobs 2 "$T/root") || fail "resumed scan"
read=$(echo "$out" | field bytes_read)
[ "$read" -le "$total" ] || fail "resumed scan read $read > $total"
check final
[ "$(wc -l < "$T/sums")" -eq "$(echo "$full" | field files)" ] || fail "not all files after resume"
out=$("$MV" --catalog "$T/c.db" scan --json "$T/root") || fail "rescan"
[ "$(echo "$out" | field bytes_read)" -eq 0 ] || fail "rescan read: $out"
echo "ok: full scan ${t}s, $committed records committed before the last kill;" \
    "after a kill half way ($done_bytes bytes committed) the resume read $half_read of $total"
