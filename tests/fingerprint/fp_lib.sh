# Shared helpers of the fingerprint command tests; sourced by each fp_*.sh.
#
# Arguments: the program under test and the PDQ reference vectors folder. Every
# test works in a fresh temporary directory removed on exit (kept with
# MV_TEST_KEEP=1) and uses its own catalog there, never the user's.
# Exit 77 means "skipped".

set -u
export LC_ALL=C
unset MEDIAVAULT_MD5_ENGINE MEDIAVAULT_BACKEND MEDIAVAULT_JOBS

MV=${1:-}
VEC=${2:-}
if [ -z "$MV" ] || [ ! -x "$MV" ]; then
    echo "usage: $0 PATH-TO-mediavault PDQ-VECTORS-DIR" >&2
    exit 2
fi
case $MV in
/*) ;;
*) MV=$PWD/$MV ;;
esac

T=$(mktemp -d "${TMPDIR:-/tmp}/mv-fp.XXXXXX") || exit 3
cleanup()
{
    if [ "${MV_TEST_KEEP:-0}" = 1 ]; then
        echo "kept $T" >&2
    else
        rm -rf "$T"
    fi
}
trap cleanup EXIT
export MEDIAVAULT_CATALOG=$T/catalog.db
export HOME=$T

FAILS=0
fail()
{
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

finish()
{
    if [ "$FAILS" -gt 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
    fi
    echo "all checks passed"
    exit 0
}

# The reference vectors, or a skip.
need_vectors()
{
    if [ -z "$VEC" ] || [ ! -f "$VEC/expected.tsv" ]; then
        echo "SKIP: PDQ reference vectors not found (${VEC:-unset})" >&2
        exit 77
    fi
}

need_program()
{
    if ! command -v "$1" >/dev/null 2>&1; then
        echo "SKIP: $1 is not installed (scripts/deps.sh check)" >&2
        exit 77
    fi
}

# check_tsv TSV [OPTIONS...]: every row's "hex quality" equals `fingerprint --format text`.
check_tsv()
{
    local tsv=$1
    shift
    tail -n +2 "$VEC/$tsv" | cut -f1 >"$T/files"
    tail -n +2 "$VEC/$tsv" | awk -F'\t' '{ print $2, $3, $1 }' >"$T/want"
    (cd "$VEC" && xargs -d '\n' "$MV" fingerprint --no-cache --format text "$@" <"$T/files") \
        | sed 's/^pdq //' >"$T/got"
    local rc=${PIPESTATUS[0]}
    [ "$rc" -eq 0 ] || fail "$tsv: exit status $rc"
    if ! cmp -s "$T/want" "$T/got"; then
        fail "$tsv: hashes differ from the reference"
        diff "$T/want" "$T/got" | head -20 >&2
    fi
    [ "$(wc -l <"$T/got")" -eq "$(wc -l <"$T/files")" ] || fail "$tsv: row count"
}
