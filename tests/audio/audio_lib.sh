# Shared helpers of the audio tests: a fresh temporary folder, fail/finish,
# and skip (77) without fpcalc or ffmpeg. Argument: the mediavault program.
for p in fpcalc ffmpeg; do
    command -v $p >/dev/null 2>&1 || { echo "skip: no $p" >&2; exit 77; }
done
# The program check, the temporary directory, fail and finish: the CLI tests' helpers.
# shellcheck source=tests/cli/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../cli/lib.sh" "${1:-}"
export MEDIAVAULT_CATALOG=$T/catalog.db HOME=$T
gen() # gen OUT LAVFI-SOURCE RATE CHANNELS
{
    ffmpeg -nostdin -v error -y -f lavfi -i "$2" -ar "$3" -ac "$4" "$T/$1" ||
        fail "ffmpeg could not make $1"
}
