#!/usr/bin/env bash
#
# MD5 throughput of `mediavault hash` next to the usual tools, on a generated
# corpus: (a) ~10,000 files of 4 KiB-16 MiB, 4 GB in 100 directories, and
# (b) one 2 GiB file. Each command is run once untimed (warming the page cache,
# and its output is checked against md5sum's), then timed --runs times; the
# table gives GB/s (10^9 bytes/s) per run, summarised, and the ratio of the mean
# to the reference line: md5sum as 2 processes for (a), openssl md5 for (b),
# or `cat` x2 with a cold cache in --cold mode. See bench/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

usage() {
    cat <<'EOF'
Usage: bench/hash.sh [OPTION]...
Benchmark `mediavault hash` (MD5) against md5sum, hashdeep, rhash, openssl, cat.

  --small        quick corpus: 1,000 files / 400 MB and a 256 MiB file
                 (default: 10,000 files / 4 GB and a 2 GiB file)
  --runs N       timed runs per line (default 5)
  --cold         drop the page cache before every timed run (needs root);
                 ratios are then against `cat` x2 on a cold cache
  --keep DIR     build the corpus in DIR and keep it (reused if DIR holds
                 a corpus of the same size already)
  --corpus DIR   use the corpus already in DIR (made by --keep)
  --only a|b     run only part (a), many files, or (b), one big file
  -h, --help     this text

Environment: MV=PATH selects the binary (default: build/mediavault of this
repository). The corpus goes to a `mktemp -d` directory removed on exit
unless --keep or --corpus is given.
EOF
}

runs=5 small=0 cold=0 keep="" corpus="" only="ab"
while (($#)); do
    case $1 in
    --small) small=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --cold) cold=1 ;;
    --keep) keep=${2:?--keep needs a directory}; shift ;;
    --corpus) corpus=${2:?--corpus needs a directory}; shift ;;
    --only) only=${2:?--only needs a or b}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not '$runs'"
[[ $only == a || $only == b || $only == ab ]] || die "--only wants a or b"
[[ -z $keep || -z $corpus ]] || die "--keep and --corpus exclude each other"

if ((cold)); then
    if [[ $(id -u) -ne 0 ]]; then
        warn "--cold drops the page cache (echo 3 > /proc/sys/vm/drop_caches), which needs root; cannot run cold"
        exit 2
    fi
    if ! { sync && echo 3 >/proc/sys/vm/drop_caches; } 2>/dev/null; then
        warn "--cold: cannot write /proc/sys/vm/drop_caches here (container?); cannot run cold"
        exit 2
    fi
fi

MV=${MV:-$here/../build/mediavault}
[[ $MV == /* ]] || MV="$PWD/$MV"
[[ -x $MV ]] || die "no mediavault binary at $MV (build it, or set MV=path)"
MV=$(cd "$(dirname "$MV")" && pwd)/$(basename "$MV")
mv_shown=$MV

if ((small)); then
    nfiles=1000 total=400000000 big=$((256 << 20))
else
    nfiles=10000 total=4000000000 big=$((2048 << 20))
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-hash-bench.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# A private copy of the binary: a rebuild during the run changes nothing.
private_binary "$tmp"
if [[ -n $corpus ]]; then
    [[ -f $corpus/.stamp && -d $corpus/many && -f $corpus/big/big.bin ]] ||
        die "$corpus holds no corpus (make one with --keep $corpus)"
    cdir=$corpus
elif [[ -n $keep ]]; then
    make_corpus "$keep" "$nfiles" "$total" "$big"
    cdir=$keep
else
    make_corpus "$tmp/corpus" "$nfiles" "$total" "$big"
    cdir=$tmp/corpus
fi
cd "$cdir"

a_bytes=$(find many -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
a_files=$(find many -type f | wc -l)
b_bytes=$(stat -c %s big/big.bin)

if ((!cold)); then
    mem=$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)
    if awk -v a="$a_bytes" -v b="$b_bytes" -v m="$mem" 'BEGIN { exit !(a + b > 0.7 * m) }'; then
        warn "the corpus ($(human $((a_bytes + b_bytes)))) may not fit in the page cache ($(human "$mem") RAM): 'warm' figures may be disk-bound"
    fi
fi

# ---- running and checking one line ------------------------------------------

drop_caches() { sync && echo 3 >/proc/sys/vm/drop_caches; }

# normalize FORMAT < tool output > "md5  path" lines, sorted.
normalize() {
    case $1 in
    sum) sed 's/^\\//' ;;
    hashdeep) awk -F, '!/^(%%%%|##)/ { n = index($0, ","); r = substr($0, n + 1); m = index(r, ","); print substr(r, 1, m - 1) "  " substr(r, m + 1) }' ;;
    openssl) sed -E 's/^MD5\((.*)\)= ([0-9a-f]{32})$/\2  \1/' ;;
    esac | LC_ALL=C sort
}

ref_sums() { # PART -> path of the reference sums for that part
    local f="$tmp/ref.$1"
    if [[ ! -f $f ]]; then
        if have md5sum; then
            if [[ $1 == a ]]; then
                find many -type f -print0 | xargs -0 -P2 -n 500 md5sum
            else
                md5sum big/big.bin
            fi | normalize sum >"$f"
        else
            warn "md5sum missing: checking against mediavault --backend scalar instead"
            if [[ $1 == a ]]; then
                "$MV" --backend scalar hash --recursive many
            else
                "$MV" --backend scalar hash big/big.bin
            fi | normalize sum >"$f"
        fi
    fi
    printf '%s\n' "$f"
}

ref_mean=""
row_fmt='  %-46s %7s %7s %7s %7s %7s %8s %6s\n'

# bench PART LABEL FORMAT COMMAND: runs COMMAND (a shell string, in the corpus
# directory) once with its output checked (FORMAT: sum, hashdeep, openssl, or
# none), then --runs times timed with stdout to /dev/null; prints a row.
# Sets last_mean. The first row of a part is its reference (ref_mean).
bench() {
    local part=$1 label=$2 format=$3 cmd=$4
    local out="$tmp/out" bytes_var="${1}_bytes" ratio st cpu

    if ! eval "$cmd" >"$out" 2>"$tmp/err"; then
        sed 's/^/    /' "$tmp/err" >&2
        die "$label: command failed: $cmd"
    fi
    if [[ $format != none ]]; then
        normalize "$format" <"$out" >"$out.n"
        if ! cmp -s "$out.n" "$(ref_sums "$part")"; then
            diff "$(ref_sums "$part")" "$out.n" | head -n 10 >&2 || true
            die "$label: digests differ from the reference (md5sum); command: $cmd"
        fi
    fi
    if ((cold)); then
        timed_runs "$runs" "$label" "$cmd" drop_caches
    else
        timed_runs "$runs" "$label" "$cmd"
    fi
    cpu=$run_cpu
    st=$(stats "${!bytes_var}" "${run_times[@]}")
    # shellcheck disable=SC2086
    set -- $st
    last_mean=$1
    if [[ -z $ref_mean ]]; then
        ref_mean=$1
    fi
    ratio=$(awk -v m="$1" -v r="$ref_mean" 'BEGIN { if (r > 0) printf "%.2fx", m / r; else print "-" }')
    # shellcheck disable=SC2059
    printf "$row_fmt" "$label" "$1" "$2" "$3" "$4" "$5" "$ratio" "$cpu"
}

# skip LABEL TOOL: a row saying the tool is not installed.
skip() {
    printf '  %-46s (skipped: %s not installed)\n' "$1" "$2"
}

header() {
    # shellcheck disable=SC2059
    printf "$row_fmt" "GB/s ($runs runs)" mean median min max stddev "x $1" cpu
}

# peak_rss LABEL COMMAND: one more run of COMMAND (cold if --cold) under GNU
# time, and its peak RSS against the 64 MiB bound of the spec.
peak_rss() {
    local label=$1 cmd=$2 kb
    if [[ ! -x /usr/bin/time ]]; then
        printf '  memory (spec): peak RSS of %s <= 64 MiB -> not measured (no /usr/bin/time)\n' "$label"
        return
    fi
    ((cold)) && drop_caches
    /usr/bin/time -f '%M' -o "$tmp/rss" bash -c "$cmd" >/dev/null 2>"$tmp/err" ||
        die "$label: command failed under /usr/bin/time: $cmd"
    kb=$(tail -n 1 "$tmp/rss")
    awk -v l="$label" -v k="$kb" 'BEGIN {
        printf "  memory (spec): peak RSS of %s <= 64 MiB -> %.1f MiB, %s\n", l, k / 1024, (k <= 65536 ? "met" : "NOT met") }'
}

# target TEXT MEAN REF_MEAN GOAL
target() {
    awk -v t="$1" -v m="$2" -v r="$3" -v g="$4" 'BEGIN {
        x = m / r
        printf "  target: %s >= %.1fx -> %.3fx, %s\n", t, g, x, (x >= g ? "met" : "NOT met") }'
}

# ---- the table -----------------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
printf 'mediavault hash benchmark, %s page cache, %s\n' "$( ((cold)) && echo cold || echo warm)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'machine: %s CPUs, %s, %s RAM\n' "$(nproc)" "${cpu:-unknown CPU}" "$(human "$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)")"
printf 'binary: %s (%s)\n' "$mv_shown" "$("$MV" --version 2>/dev/null || echo mediavault)"
printf 'load average at start: %s (other busy processes make every figure pessimistic)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'engine (auto): %s\n' "$("$MV" info | awk -F': ' '/^digest engine chosen/ { print $2 }')"

mapfile -t engines < <("$MV" info | awk '$2 == "simd" && $3 == "available" { print $1 }')
a_ok=1
have md5sum || a_ok=0

if [[ $only == *a* ]]; then
    printf '\n(a) many files: %s files in %s directories, %s (4 KiB to 16 MiB)\n' \
        "$a_files" "$(find many -mindepth 1 -type d | wc -l)" "$(human "$a_bytes")"
    ref_mean=""
    if ((cold)); then
        header "cat x2 cold"
        bench a "cat x2, cold (disk-read bound)" none "find many -type f -print0 | xargs -0 -P2 -n 500 cat"
    elif ((a_ok)); then
        header "md5sum x2"
        bench a "md5sum x2 processes (xargs -P2 -n 500)" sum "find many -type f -print0 | xargs -0 -P2 -n 500 md5sum"
    else
        header "(none)"
        skip "md5sum x2 processes (reference)" md5sum
        ref_mean=0
    fi
    ((cold)) || bench a "cat x2 (memory-read bound)" none "find many -type f -print0 | xargs -0 -P2 -n 500 cat"
    if ((cold)); then
        if have md5sum; then
            bench a "md5sum x2 processes (xargs -P2 -n 500)" sum "find many -type f -print0 | xargs -0 -P2 -n 500 md5sum"
        else
            skip "md5sum x2 processes" md5sum
        fi
    fi
    if have hashdeep; then
        bench a "hashdeep -r -j2 -c md5" hashdeep "hashdeep -l -r -j2 -c md5 many"
    else
        skip "hashdeep -r -j2 -c md5" hashdeep
    fi
    if have rhash; then
        bench a "rhash --md5 -r" sum "rhash --md5 -r many"
    else
        skip "rhash --md5 -r" rhash
    fi
    bench a "mediavault serial (--jobs 1 --backend scalar)" sum "'$MV' --jobs 1 --backend scalar hash --recursive many"
    bench a "mediavault parallel scalar (--jobs 2)" sum "'$MV' --jobs 2 --backend scalar hash --recursive many"
    if ((${#engines[@]})); then
        bench a "mediavault parallel simd (--jobs 2)" sum "'$MV' --jobs 2 --backend simd hash --recursive many"
        simd_mean=$last_mean
        for e in "${engines[@]}"; do
            bench a "  pinned MEDIAVAULT_MD5_ENGINE=$e" sum \
                "MEDIAVAULT_MD5_ENGINE=$e '$MV' --jobs 2 --backend simd hash --recursive many"
        done
        peak_rss "mediavault simd (--jobs 2)" "exec '$MV' --jobs 2 --backend simd hash --recursive many"
        if ((cold)); then
            target "cold, mediavault simd vs cat x2" "$simd_mean" "$ref_mean" 0.9
        elif ((a_ok)); then
            target "many files warm, mediavault simd vs md5sum x2" "$simd_mean" "$ref_mean" 4.5
        fi
    else
        printf '  %-46s (skipped: no simd engine usable on this CPU)\n' "mediavault parallel simd"
    fi
fi

if [[ $only == *b* ]]; then
    printf '\n(b) one big file: %s\n' "$(human "$b_bytes")"
    ref_mean=""
    if ((cold)); then
        header "cat cold"
        bench b "cat, cold (disk-read bound)" none "cat big/big.bin"
    elif have openssl; then
        header "openssl"
        bench b "openssl md5" openssl "openssl md5 big/big.bin"
    else
        header "(none)"
        skip "openssl md5 (reference)" openssl
        ref_mean=0
    fi
    ((cold)) || bench b "cat (memory-read bound)" none "cat big/big.bin"
    if ((cold)); then
        if have openssl; then
            bench b "openssl md5" openssl "openssl md5 big/big.bin"
        else
            skip "openssl md5" openssl
        fi
    fi
    if have md5sum; then
        bench b "md5sum" sum "md5sum big/big.bin"
    else
        skip "md5sum" md5sum
    fi
    bench b "mediavault (auto)" sum "'$MV' hash big/big.bin"
    big_mean=$last_mean
    bench b "mediavault --backend scalar" sum "'$MV' --backend scalar hash big/big.bin"
    if ((!cold)) && have openssl; then
        target "one big file, mediavault vs openssl md5" "$big_mean" "$ref_mean" 1.0
    fi
fi
printf '\nload average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
