# Shared helpers of the command-line tests; sourced by each tests/cli/*.sh.
#
# The program under test is the first argument (CTest passes
# $<TARGET_FILE:mediavault_cli>) or $MV. Every test works in a fresh
# temporary directory that is removed on exit (kept when MV_TEST_KEEP=1), runs
# under LC_ALL=C so that the GNU tools it compares against quote and sort the
# same way everywhere, and reports a failure with a message and exit 1.
# Exit 77 means "skipped" (CTest SKIP_RETURN_CODE).

set -u
export LC_ALL=C
unset MEDIAVAULT_MD5_ENGINE MEDIAVAULT_BACKEND MEDIAVAULT_JOBS

MV=${1:-${MV:-}}
if [ -z "$MV" ] || [ ! -x "$MV" ]; then
    echo "usage: $0 PATH-TO-mediavault (or set MV)" >&2
    exit 2
fi
case $MV in
/*) ;;
*) MV=$PWD/$MV ;;
esac
export MV

T=$(mktemp -d "${TMPDIR:-/tmp}/mv-cli.XXXXXX") || exit 3
cleanup()
{
    if [ "${MV_TEST_KEEP:-0}" = 1 ]; then
        echo "kept $T" >&2
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
cd "$T" || exit 3

FAILS=0

fail()
{
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

# Ends the test: exit 1 when anything failed.
finish()
{
    if [ "$FAILS" -gt 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
    exit 0
}

# same_file WHAT EXPECTED GOT: byte-for-byte comparison with a diff on failure.
same_file()
{
    if ! cmp -s "$2" "$3"; then
        fail "$1 differs (expected $2, got $3)"
        diff -a "$2" "$3" | cat -A | head -20 >&2
        return 1
    fi
    return 0
}

# expect_rc WHAT EXPECTED GOT
expect_rc()
{
    if [ "$2" != "$3" ]; then
        fail "$1: exit status $3, expected $2"
        return 1
    fi
    return 0
}

# The MD5 engines `mediavault info` lists as available, best first.
available_engines()
{
    "$MV" info | awk '$2 ~ /^(simd|scalar|cuda)$/ && $3 == "available" { print $1 }'
}

# All MD5 engines named by `mediavault info`, available or not.
known_engines()
{
    "$MV" info | awk '$2 ~ /^(simd|scalar|cuda)$/ { print $1 }'
}

# The GNU tool that mediavault's --algo imitates.
gnu_tool()
{
    case $1 in
    md5) echo md5sum ;;
    sha1) echo sha1sum ;;
    sha256) echo sha256sum ;;
    blake2b) echo b2sum ;;
    esac
}

# Sanitizer builds run the multi-buffer engines unoptimized, ~20x slower.
is_sanitized()
{
    ldd "$MV" 2>/dev/null | grep -Eq 'lib(asan|ubsan|tsan)' ||
        grep -aq '__asan_init\|__ubsan_handle' "$MV"
}

# Random bytes, N of them, into FILE.
random_file()
{
    head -c "$2" /dev/urandom >"$1"
}

# Waits (up to ~10 s) until process PID has FILE open; returns 1 if it never did.
wait_open()
{
    local pid=$1 want i fd
    want=$(readlink -f "$2")
    for ((i = 0; i < 1000; i++)); do
        for fd in /proc/"$pid"/fd/*; do
            [ "$(readlink "$fd" 2>/dev/null)" = "$want" ] && return 0
        done
        kill -0 "$pid" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}
