# Shared helpers of the fingerprint command tests; sourced by each fp_*.sh.
#
# Arguments: the program under test and the PDQ reference vectors folder. Every
# test works in a fresh temporary directory removed on exit (kept with
# MV_TEST_KEEP=1) and uses its own catalog there, never the user's.
# Exit 77 means "skipped".

VEC=${2:-}
case $VEC in
/* | "") ;;
*) VEC=$PWD/$VEC ;;
esac
# The program check, the temporary directory, fail and finish: the CLI tests' helpers.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh" "${1:-}"
export MEDIAVAULT_CATALOG=$T/catalog.db
export HOME=$T

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
