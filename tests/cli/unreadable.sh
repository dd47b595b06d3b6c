#!/bin/bash
# An unreadable file: "mediavault: PATH: Permission denied", the other files
# hashed, exit 1; stdout, stderr and status as md5sum's run by the same user.
# Root reads everything, so as root the programs run as user nobody (setpriv,
# else runuser); the binary is copied with its libmediavault next to it when
# nobody cannot reach the build tree. Exit 77 (skip) when neither tool works.

. "$(dirname "$0")/lib.sh"

chmod 755 "$T"
random_file readable 5000
random_file secret 5000
chmod 644 readable
chmod 000 secret

as_user=()
prog=$MV
if [ "$(id -u)" = 0 ]; then
    if id nobody >/dev/null 2>&1 && setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups true 2>/dev/null; then
        as_user=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
    elif runuser -u nobody -- true 2>/dev/null; then
        as_user=(runuser -u nobody --)
    else
        echo "SKIP: running as root and cannot switch to user nobody"
        exit 77
    fi
    if ! "${as_user[@]}" test -x "$MV" || ! "${as_user[@]}" "$MV" info >/dev/null 2>&1; then
        mkdir bin
        cp "$MV" bin/
        ldd "$MV" | awk '/libmediavault/ { print $3 }' | xargs -r cp -L -t bin/
        chmod -R a+rX bin
        prog=$T/bin/$(basename "$MV")
        as_user+=(env LD_LIBRARY_PATH="$T/bin")
    fi
fi

"${as_user[@]}" md5sum readable secret readable >exp.out 2>exp.err
exp_rc=$?
sed 's/^md5sum:/mediavault:/' exp.err >exp.err2
grep -q "Permission denied" exp.err || fail "md5sum could read the secret: $(cat exp.err)"
for jobs in 1 2; do
    "${as_user[@]}" "$prog" hash --jobs "$jobs" readable secret readable >got.out 2>got.err
    expect_rc "unreadable, jobs $jobs" "$exp_rc" $? &&
        same_file "unreadable, jobs $jobs stdout" exp.out got.out &&
        same_file "unreadable, jobs $jobs stderr" exp.err2 got.err &&
        echo "ok: unreadable, jobs $jobs: $(cat got.err)"
done
finish
