#!/usr/bin/env bash
#
# Speed of `mediavault dupes --fresh` next to jdupes, fdupes and rmlint on a
# generated tree: ~10,000 files of 4 KiB-16 MiB (the sizes of bench/hash.sh,
# 4 GB in 100 directories) with ~500 planted duplicates and ~100 decoys (same
# size, head and tail as an original, another middle byte, so only a full read
# tells them apart). Sizes that collide by chance exercise the sample stage.
#
# The page cache is warm: each command runs once untimed (its group count is
# shown as a check), then --runs timed runs. The table gives seconds per run
# (mean, median, min) and the ratio of the mean to jdupes's (below 1: faster).
# Every tool writes its report to files in a temporary directory.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
die() {
    printf 'dupes.sh: error: %s\n' "$*" >&2
    exit 1
}
warn() {
    printf 'dupes.sh: %s\n' "$*" >&2
}

usage() {
    cat <<'EOF'
Usage: bench/dupes.sh [OPTION]...
Benchmark `mediavault dupes --fresh` against jdupes -r, fdupes -r and rmlint.

  --small        quick tree: 1,000 files / 400 MB, 50 duplicates, 10 decoys
                 (default: 10,000 files / 4 GB, 500 duplicates, 100 decoys)
  --runs N       timed runs per tool (default 5)
  --keep DIR     build the tree in DIR and keep it (reused when it matches)
  -h, --help     this text

Environment: MV=PATH selects the binary (default: build/mediavault of this
repository); MV_ARGS adds options after `dupes --fresh` (e.g. --jobs 1).
EOF
}

runs=5 small=0 keep=""
while (($#)); do
    case $1 in
    --small) small=1 ;;
    --runs)
        runs=${2:?--runs needs a number}
        shift
        ;;
    --keep)
        keep=${2:?--keep needs a directory}
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not '$runs'"

MV=${MV:-$here/../build/mediavault}
[[ -x $MV ]] || die "no mediavault binary at $MV (build it, or set MV=path)"
MV=$(cd "$(dirname "$MV")" && pwd)/$(basename "$MV")
read -r -a mv_args <<<"${MV_ARGS:-}"

if ((small)); then
    nfiles=1000 total=400000000 ndups=50 ndecoys=10
else
    nfiles=10000 total=4000000000 ndups=500 ndecoys=100
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-dupes-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/out"

# tstats T1 T2 ... -> "mean median min" in seconds.
tstats() {
    printf '%s\n' "$@" | sort -g | awk '
        { t[NR] = $1; s += $1 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f\n", s / NR, med, t[1]
        }'
}

# Groups in a blank-line-separated report (jdupes, fdupes, mediavault text).
count_groups() {
    awk 'BEGIN { RS = "" } /[^#]/ { n++ } END { print n + 0 }' "$1"
}

tree=${keep:-$tmp/tree}
mkdir -p "$tree"
make_dupes_tree "$tree" "$nfiles" "$total" "$ndups" "$ndecoys"
root=$tree/many
nall=$(find "$root" -type f | wc -l)
bytes=$(du -sb "$root" | cut -f1)

# Each tool: name, then the command; its report goes to $tmp/out/NAME.
tools=(jdupes mediavault fdupes rmlint)
run_tool() {
    case $1 in
    mediavault) "$MV" dupes --fresh "${mv_args[@]}" "$root" >"$tmp/out/mediavault" ;;
    jdupes) jdupes -r -q "$root" >"$tmp/out/jdupes" ;;
    fdupes) fdupes -r -q "$root" >"$tmp/out/fdupes" ;;
    rmlint)
        rmlint -T df -o json:"$tmp/out/rmlint.json" "$root" >"$tmp/out/rmlint" 2>&1
        ;;
    esac
}
groups_of() {
    case $1 in
    mediavault) sed -n 's/^# \([0-9]*\) groups,.*/\1/p' "$tmp/out/mediavault" ;;
    rmlint)
        jq '[.[] | select(.type == "duplicate_file" and .is_original)] | length' \
            "$tmp/out/rmlint.json"
        ;;
    *) count_groups "$tmp/out/$1" ;;
    esac
}

printf 'tree: %s files, %s, %s planted duplicates, %s decoys; %s runs each, warm cache\n' \
    "$nall" "$(human "$bytes")" "$ndups" "$ndecoys" "$runs"
printf 'machine: %s CPUs, %s\n' "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
# Runs go round-robin (one run of each tool, then the next round), so that
# load from elsewhere on the machine spreads over all tools alike; min_s is
# the figure least disturbed by it. cpu_s is user + system time (GNU time).
avail=()
for tool in "${tools[@]}"; do
    if [[ $tool != mediavault ]] && ! have "$tool"; then
        printf '%-12s not installed\n' "$tool"
        continue
    fi
    avail+=("$tool")
    run_tool "$tool" # warm-up, untimed
done
declare -A wall cpu
for ((r = 0; r < runs; r++)); do
    for tool in "${avail[@]}"; do
        if [[ -x /usr/bin/time ]]; then
            /usr/bin/time -f '%e %U %S' -o "$tmp/out/time" bash -c "$(declare -f run_tool); \
                MV='$MV' root='$root' tmp='$tmp' mv_args=(${mv_args[*]:-}); run_tool $tool"
            read -r e u s <"$tmp/out/time"
        else
            t0=$(now)
            run_tool "$tool"
            t1=$(now)
            e=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') u=0 s=0
        fi
        wall[$tool]+="$e "
        cpu[$tool]+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') "
    done
done
printf '%-12s %7s %9s %9s %9s %9s %12s %12s\n' tool groups mean_s median_s min_s cpu_s \
    mean/jdupes min/jdupes
# shellcheck disable=SC2086
read -r jmean _ jmin <<<"$(tstats ${wall[jdupes]:-0})"
for tool in "${avail[@]}"; do
    # shellcheck disable=SC2086
    read -r m med mn <<<"$(tstats ${wall[$tool]})"
    # shellcheck disable=SC2086
    read -r cm _ _ <<<"$(tstats ${cpu[$tool]})"
    printf '%-12s %7s %9s %9s %9s %9s %12s %12s\n' "$tool" "$(groups_of "$tool")" "$m" "$med" \
        "$mn" "$cm" "$(awk -v a="$m" -v b="$jmean" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')" \
        "$(awk -v a="$mn" -v b="$jmin" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')"
done
printf 'load average during the run: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
"$MV" --verbose dupes --fresh "${mv_args[@]}" "$root" >"$tmp/out/verbose.stdout" 2>"$tmp/out/verbose"
grep "dupes:" "$tmp/out/verbose"
