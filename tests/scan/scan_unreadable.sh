#!/usr/bin/env bash
# An unreadable directory and file (as an unprivileged user; root reads
# everything): the errors are recorded, the walk goes on, the exit status is 1.
set -u
MV=$1
as_nobody() {
    if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
    if command -v setpriv >/dev/null; then
        setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"
    else
        runuser -u nobody -- "$@"
    fi
}
as_nobody true 2>/dev/null || { echo "no unprivileged user: skipped"; exit 77; }
T=$(mktemp -d /tmp/mv-scan-unreadable.XXXXXX)
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
chmod 755 "$T"
mkdir -p "$T/root/locked" "$T/root/open" "$T/db"
echo secret > "$T/root/locked/s"
echo fine > "$T/root/open/f"
echo nope > "$T/root/open/unreadable"
[ "$(id -u)" -eq 0 ] && chown -R nobody "$T/root" "$T/db"
chmod 000 "$T/root/open/unreadable"
fail() { echo "FAIL: $*" >&2; exit 1; }
# First scan with the directory readable, so its file is in the catalog.
as_nobody "$MV" --catalog "$T/db/c.db" scan "$T/root" 2>/dev/null
[ $? -le 1 ] || fail "first scan"
chmod 000 "$T/root/locked"
as_nobody cat "$T/root/open/unreadable" 2>/dev/null && { echo "permissions not enforced"; exit 77; }

out=$(as_nobody "$MV" --catalog "$T/db/c.db" scan --json "$T/root" 2>"$T/err")
rc=$?
[ "$rc" -eq 1 ] || fail "exit $rc, want 1: $out $(cat "$T/err")"
echo "$out" | grep -q '"errors": 2' || fail "want 2 errors: $out"
grep -q "locked: Permission denied" "$T/err" || fail "no message for the directory: $(cat "$T/err")"
grep -q "unreadable: Permission denied" "$T/err" || fail "no message for the file"
as_nobody "$MV" --catalog "$T/db/c.db" export | grep -q "open/f$" || fail "walk did not go on"
n=$(sqlite3 "$T/db/c.db" "select count(*) from files where error <> 0")
[ "$n" -eq 2 ] || fail "error records: $n"
n=$(sqlite3 "$T/db/c.db" "select count(*) from scan_errors where scan_id = (select max(id) from scans)")
[ "$n" -eq 2 ] || fail "scan_errors rows: $n"
n=$(sqlite3 "$T/db/c.db" "select count(*) from files where gone_at is not null")
[ "$n" -eq 0 ] || fail "the unreadable directory's file was marked gone"
echo ok
