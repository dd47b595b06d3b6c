#!/bin/bash
# Runs one golden case: tests/cli/golden_<name>.sh in a fresh temporary
# directory with $MV set, then compares its stdout, stderr and exit status with
# golden_<name>.stdout, .stderr and .exit beside it (STYLE.md point 16).
#
# Usage: run_golden.sh PATH-TO-mediavault golden_<name>.sh
# MV_GOLDEN_UPDATE=1 rewrites the three files from the current output instead.

set -u
export LC_ALL=C
unset MEDIAVAULT_MD5_ENGINE MEDIAVAULT_BACKEND MEDIAVAULT_JOBS
MV=${1:?usage: run_golden.sh PATH-TO-mediavault CASE.sh}
case=${2:?usage: run_golden.sh PATH-TO-mediavault CASE.sh}
case $MV in /*) ;; *) MV=$PWD/$MV ;; esac
case $case in /*) ;; *) case=$PWD/$case ;; esac
export MV
base=${case%.sh}

T=$(mktemp -d "${TMPDIR:-/tmp}/mv-golden.XXXXXX") || exit 3
trap 'rm -rf "$T"' EXIT
mkdir "$T/work"
(cd "$T/work" && bash "$case") >"$T/stdout" 2>"$T/stderr"
echo $? >"$T/exit"

if [ "${MV_GOLDEN_UPDATE:-0}" = 1 ]; then
    cp "$T/stdout" "$base.stdout"
    cp "$T/stderr" "$base.stderr"
    cp "$T/exit" "$base.exit"
    echo "updated $base.{stdout,stderr,exit}"
    exit 0
fi
rc=0
for part in stdout stderr exit; do
    if ! cmp -s "$base.$part" "$T/$part"; then
        echo "FAIL: $part differs from $(basename "$base").$part" >&2
        diff -a "$base.$part" "$T/$part" | cat -A | head -30 >&2
        rc=1
    fi
done
[ "$rc" = 0 ] && echo "golden $(basename "$base"): ok"
exit "$rc"
