# Shared helpers of the audio tests: a fresh temporary folder, fail/finish,
# and skip (77) without fpcalc or ffmpeg. Argument: the mediavault program.
set -u
export LC_ALL=C
MV=${1:-}
[ -x "$MV" ] || { echo "usage: $0 PATH-TO-mediavault" >&2; exit 2; }
case $MV in /*) ;; *) MV=$PWD/$MV ;; esac
for p in fpcalc ffmpeg; do
    command -v $p >/dev/null 2>&1 || { echo "skip: no $p" >&2; exit 77; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/mv-audio.XXXXXX") || exit 3
trap 'rm -rf "$T"' EXIT
export MEDIAVAULT_CATALOG=$T/catalog.db HOME=$T
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
finish()
{
    [ "$FAILS" -gt 0 ] && { echo "$FAILS check(s) failed" >&2; exit 1; }
    echo "all checks passed"
    exit 0
}
gen() # gen OUT LAVFI-SOURCE RATE CHANNELS
{
    ffmpeg -nostdin -v error -y -f lavfi -i "$2" -ar "$3" -ac "$4" "$T/$1" ||
        fail "ffmpeg could not make $1"
}
