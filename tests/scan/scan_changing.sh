#!/usr/bin/env bash
# A file appended to while it is scanned is retried once, then recorded as
# unstable: never stored with a digest that is not of its content.
set -u
MV=$1
T=$(mktemp -d /tmp/mv-scan-changing.XXXXXX)
writer=
trap '[ -n "$writer" ] && kill "$writer" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
mkdir "$T/root"
head -c 64M /dev/zero > "$T/root/growing"
echo steady > "$T/root/steady"
(while :; do printf 'x' >> "$T/root/growing"; sleep 0.001; done) &
writer=$!
unstable=0
for run in 1 2 3; do
    "$MV" --catalog "$T/c.db" scan --jobs 1 "$T/root" 2>"$T/err"
    rc=$?
    [ "$rc" -le 1 ] || fail "scan exit $rc: $(cat "$T/err")"
    row=$(sqlite3 "$T/c.db" "select error, size, hex(md5) from files where path = cast('$T/root/growing' as blob)")
    err=${row%%|*}
    rest=${row#*|}
    size=${rest%%|*}
    md5=${rest#*|}
    if [ "$err" -eq -20 ]; then
        unstable=$((unstable + 1))
        [ -z "$md5" ] || fail "unstable file stored with a digest"
        grep -q "growing: file kept changing" "$T/err" || fail "no message: $(cat "$T/err")"
    else
        [ "$err" -eq 0 ] || fail "unexpected error $err"
        want=$(head -c "$size" "$T/root/growing" | md5sum | cut -c1-32)
        [ "${md5,,}" = "$want" ] || fail "wrong digest stored: $md5 vs $want"
    fi
done
kill "$writer"
wait "$writer" 2>/dev/null
writer=
"$MV" --catalog "$T/c.db" scan "$T/root" 2>/dev/null || fail "scan of the settled file"
"$MV" --catalog "$T/c.db" export > "$T/sums"
(cd / && md5sum -c --quiet "$T/sums") || fail "md5sum -c"
echo "ok ($unstable of 3 runs saw the file as unstable)"
