#!/usr/bin/env bash
#
# Speed and memory of `mediavault scan` next to the usual tools, on trees it
# generates: (A) ~10,000 files of 4 KiB-16 MiB (the sizes of bench/hash.sh,
# 4 GB in 100 directories) with ~500 planted duplicates and ~100 decoys (as
# bench/dupes.sh plants them), and (B) 200,000 small files (200 directories x
# 1,000 files of 0-4 KiB). The page cache is warm: every line runs once
# untimed first, then --runs timed runs. Lines:
#
#   first scan (a fresh catalog each run) vs `md5sum` x2 and hashdeep -j2;
#   rescan of the unchanged tree vs `find -printf '%s %T@'` (and 0 bytes read);
#   `dupes --fresh` vs jdupes, fdupes, rmlint; `dupes` from the catalog;
#   peak RSS of a first scan of (B) and of a 3-file tree: bytes per file.
#
# Correctness is checked once: the catalog's export equals md5sum's sums, the
# rescan reads 0 bytes, and every dupes finder reports the planted groups.
# The commands timed are shell strings evaluated later, on purpose unexpanded:
# shellcheck disable=SC2016
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"
die() {
    printf 'scan.sh: error: %s\n' "$*" >&2
    exit 1
}
warn() {
    printf 'scan.sh: %s\n' "$*" >&2
}

usage() {
    cat <<'EOF'
Usage: bench/scan.sh [OPTION]...
Benchmark `mediavault scan`, rescan and dupes against md5sum, hashdeep, find,
jdupes, fdupes and rmlint, and the scanner's memory per file.

  --small        quick trees: 1,000 files / 400 MB with 50 duplicates, and
                 20,000 small files (default: 10,000 files / 4 GB with 500
                 duplicates, and 200,000 small files)
  --runs N       timed runs per line (default 5)
  --keep DIR     build the trees in DIR and keep them (reused when they match)
  -h, --help     this text

Environment: MV=PATH selects the binary (default: build/mediavault of this
repository); MV_ARGS adds global options (e.g. "--jobs 1").
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
[[ $MV == /* ]] || MV="$PWD/$MV"
[[ -x $MV ]] || die "no mediavault binary at $MV (build it, or set MV=path)"
MV=$(cd "$(dirname "$MV")" && pwd)/$(basename "$MV")
mv_shown=$MV
read -r -a mv_args <<<"${MV_ARGS:-}"

if ((small)); then
    nfiles=1000 total=400000000 ndups=50 ndecoys=10 sdirs=20
else
    nfiles=10000 total=4000000000 ndups=500 ndecoys=100 sdirs=200
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-scan-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A private copy of the binary: a rebuild during the run changes nothing.
private_binary "$tmp"

# small_part DIR FIRST LAST: files of directories FIRST..LAST of tree (B),
# written by awk itself (no process per file): a header naming the file, then
# 0-4 KiB of a pseudo-random line, so the sizes differ and nearly no two files
# are equal. Sizes are seeded per directory.
small_part() {
    awk -v dir="$1" -v first="$2" -v last="$3" 'BEGIN {
        for (i = 0; i < 4096; i++) pad = pad sprintf("%c", 97 + (i * 7919 + int(i / 26)) % 26)
        pad = pad pad
        for (d = first; d <= last; d++) {
            srand(d + 1)
            for (f = 0; f < 1000; f++) {
                p = sprintf("%s/s%03d/f%04d", dir, d, f)
                n = int(rand() * 4096)
                h = sprintf("s%03d/f%04d\n", d, f)
                if (n < length(h)) printf "%s", substr(h, 1, n) > p
                else printf "%s%s", h, substr(pad, 1 + int(rand() * 4096), n - length(h)) > p
                close(p)
            }
        }
    }' || die "small tree generation failed"
}

make_small() {
    local dir=$1 d half
    local stamp="small dirs=$sdirs files=1000 max=4096 v=1"
    if [[ -f $dir.stamp && "$(cat "$dir.stamp")" == "$stamp" ]]; then
        warn "reusing small tree in $dir"
        return 0
    fi
    rm -rf "$dir"
    mkdir -p "$dir" || die "cannot create $dir"
    warn "building small tree in $dir: $((sdirs * 1000)) files of 0-4 KiB"
    for ((d = 0; d < sdirs; d++)); do mkdir "$(printf '%s/s%03d' "$dir" "$d")"; done
    half=$((sdirs / 2))
    small_part "$dir" 0 $((half - 1)) &
    small_part "$dir" "$half" $((sdirs - 1))
    wait $! || die "small tree generation failed"
    printf '%s\n' "$stamp" >"$dir.stamp"
}

base=${keep:-$tmp/trees}
mkdir -p "$base"
base=$(cd "$base" && pwd)
make_dupes_tree "$base" "$nfiles" "$total" "$ndups" "$ndecoys"
make_small "$base/small"
root=$base/many
sroot=$base/small
mkdir -p "$tmp/tiny"
for i in 1 2 3; do printf 'tiny %s\n' "$i" >"$tmp/tiny/t$i"; done

a_files=$(find "$root" -type f | wc -l)
a_bytes=$(find "$root" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
b_files=$(find "$sroot" -type f | wc -l)
b_bytes=$(find "$sroot" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f", s }')
db=$tmp/cat.db

# ---- timing --------------------------------------------------------------------

# mvr ARGS...: the binary with MV_ARGS.
mvr() {
    "$MV" "${mv_args[@]}" "$@"
}
fresh_db() {
    rm -f "$db" "$db-wal" "$db-shm"
}

ref_t="" last_t=""
row_fmt='  %-44s %8s %8s %8s %8s %8s %9s\n'
header() {
    # shellcheck disable=SC2059
    printf "$row_fmt" "seconds ($runs runs)" mean median min max "GB/s" "t/t($1)"
}

# measure LABEL BYTES SETUP CMD: runs SETUP then CMD (shell strings) once
# untimed, then --runs times with only CMD timed; prints a row. The first row
# after ref_t="" is the reference of the ratio column. Sets last_t (mean s).
measure() {
    local label=$1 bytes=$2 setup=$3 cmd=$4 i t0 t1 st
    local -a times=()
    eval "$setup" || die "$label: setup failed: $setup"
    eval "$cmd" >/dev/null 2>"$tmp/err" || {
        sed 's/^/    /' "$tmp/err" >&2
        die "$label: command failed: $cmd"
    }
    for ((i = 0; i < runs; i++)); do
        eval "$setup" || die "$label: setup failed: $setup"
        t0=$(now)
        eval "$cmd" >/dev/null 2>"$tmp/err" || die "$label: command failed on run $((i + 1))"
        t1=$(now)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    st=$(printf '%s\n' "${times[@]}" | sort -g | awk '
        { t[NR] = $1; s += $1 }
        END {
            med = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
            printf "%.3f %.3f %.3f %.3f\n", s / NR, med, t[1], t[NR]
        }')
    # shellcheck disable=SC2086
    set -- $st
    last_t=$1
    [[ -n $ref_t ]] || ref_t=$1
    # shellcheck disable=SC2059
    printf "$row_fmt" "$label" "$1" "$2" "$3" "$4" \
        "$(awk -v b="$bytes" -v t="$1" 'BEGIN { if (b > 0) printf "%.3f", b / 1e9 / t; else print "-" }')" \
        "$(awk -v t="$1" -v r="$ref_t" 'BEGIN { printf "%.3f", t / r }')"
}

skip() {
    printf '  %-44s (skipped: %s not installed)\n' "$1" "$2"
}

# target TEXT VALUE OP GOAL: "met" when VALUE OP GOAL (OP is <= or >=).
target() {
    awk -v t="$1" -v v="$2" -v op="$3" -v g="$4" 'BEGIN {
        ok = (op == "<=") ? v <= g : v >= g
        printf "  target: %s %s %s -> %.3f, %s\n", t, op, g, v, (ok ? "met" : "NOT met") }'
}

json_field() { # FIELD < json -> value
    sed -n "s/.*\"$1\": \\([0-9]*\\).*/\\1/p"
}

# ---- correctness, once ---------------------------------------------------------

check() {
    local r=$1 out
    fresh_db
    mvr --catalog "$db" scan --json "$r" >"$tmp/scan1.json" || die "first scan of $r failed"
    mvr --catalog "$db" export | LC_ALL=C sort >"$tmp/export"
    find "$r" -type f -print0 | xargs -0 -P2 -n 500 md5sum | LC_ALL=C sort >"$tmp/md5sum"
    cmp -s "$tmp/export" "$tmp/md5sum" || {
        diff "$tmp/md5sum" "$tmp/export" | head -n 10 >&2 || true
        die "$r: the catalog's export differs from md5sum"
    }
    mvr --catalog "$db" scan --json "$r" >"$tmp/scan2.json" || die "rescan of $r failed"
    out=$(json_field bytes_read <"$tmp/scan2.json")
    [[ $out == 0 ]] || die "$r: the rescan read $out bytes, not 0: $(cat "$tmp/scan2.json")"
    out=$(json_field unchanged <"$tmp/scan2.json")
    [[ $out == "$(json_field files <"$tmp/scan1.json")" ]] ||
        die "$r: the rescan found $out unchanged files: $(cat "$tmp/scan2.json")"
}

groups_text() { # the group count of a blank-line-separated report
    awk 'BEGIN { RS = "" } /[^#]/ { n++ } END { print n + 0 }' "$1"
}

check_dupes() {
    local g
    fresh_db
    mvr --catalog "$db" scan "$root" 2>/dev/null || die "scan failed"
    g=$(mvr --catalog "$db" dupes | sed -n 's/^# \([0-9]*\) groups,.*/\1/p')
    [[ $g == "$ndups" ]] || die "dupes from the catalog: $g groups, not $ndups"
    g=$(mvr dupes --fresh "$root" | sed -n 's/^# \([0-9]*\) groups,.*/\1/p')
    [[ $g == "$ndups" ]] || die "dupes --fresh: $g groups, not $ndups"
    if have jdupes; then
        jdupes -r -q "$root" >"$tmp/jdupes"
        g=$(groups_text "$tmp/jdupes")
        [[ $g == "$ndups" ]] || die "jdupes: $g groups, not $ndups"
    fi
}

# ---- the table -----------------------------------------------------------------

printf 'mediavault scan benchmark, warm page cache, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'machine: %s CPUs, %s, %s RAM\n' "$(nproc)" \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" \
    "$(human "$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)")"
printf 'binary: %s (%s)%s\n' "$mv_shown" "$("$MV" --version 2>/dev/null || echo mediavault)" \
    "${MV_ARGS:+ with $MV_ARGS}"
printf 'load average at start: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

check "$root"
check "$sroot"
check_dupes
printf 'checked: export = md5sum on both trees, rescans read 0 bytes, %s dupes groups\n' "$ndups"

have md5sum || die "md5sum is needed as the reference"
md5x2='find "$root" -type f -print0 | xargs -0 -P2 -n 500 md5sum'
scan1='mvr --catalog "$db" scan "$root"'
rescan='mvr --catalog "$db" scan --json "$root"'

printf '\n(A) %s files, %s (4 KiB to 16 MiB, %s duplicates, %s decoys)\n' "$a_files" \
    "$(human "$a_bytes")" "$ndups" "$ndecoys"
printf ' first scan\n'
header md5sum
ref_t=""
measure "md5sum x2 (find | xargs -P2 -n 500)" "$a_bytes" : "$md5x2"
md5_t=$last_t
if have hashdeep; then
    measure "hashdeep -r -j2 -c md5" "$a_bytes" : 'hashdeep -r -j2 -c md5 "$root"'
else
    skip "hashdeep -r -j2 -c md5" hashdeep
fi
measure "mediavault scan, fresh catalog" "$a_bytes" fresh_db "$scan1"
scan_t=$last_t
target "first scan speed / md5sum x2" "$(awk -v a="$md5_t" -v b="$scan_t" 'BEGIN { print a / b }')" ">=" 4

printf ' rescan of the unchanged tree\n'
header find
ref_t=""
measure "find -printf '%s %T@'" 0 : 'find "$root" -printf "%s %T@\n"'
find_t=$last_t
measure "mediavault scan (rescan)" 0 : "$rescan"
target "rescan time / find" "$(awk -v a="$last_t" -v b="$find_t" 'BEGIN { print a / b }')" "<=" 2

printf ' duplicates\n'
header jdupes
ref_t=""
if have jdupes; then
    measure "jdupes -r -q" "$a_bytes" : 'jdupes -r -q "$root"'
    jd_t=$last_t
else
    skip "jdupes -r -q (reference)" jdupes
    ref_t=1 jd_t=""
fi
measure "mediavault dupes --fresh" "$a_bytes" : 'mvr dupes --fresh "$root"'
fresh_t=$last_t
measure "mediavault dupes (catalog)" 0 : 'mvr --catalog "$db" dupes'
cat_t=$last_t
if have fdupes; then
    measure "fdupes -r -q" "$a_bytes" : 'fdupes -r -q "$root"'
else
    skip "fdupes -r -q" fdupes
fi
if have rmlint; then
    measure "rmlint -T df -o json" "$a_bytes" : \
        'rmlint -T df -o json:"$tmp/rmlint.json" "$root" >/dev/null 2>&1'
else
    skip "rmlint" rmlint
fi
if [[ -n $jd_t ]]; then
    target "dupes --fresh time / jdupes" "$(awk -v a="$fresh_t" -v b="$jd_t" 'BEGIN { print a / b }')" "<=" 1
    target "dupes (catalog) time / jdupes" "$(awk -v a="$cat_t" -v b="$jd_t" 'BEGIN { print a / b }')" "<=" 0.1
fi

printf '\n(B) %s small files, %s (0-4 KiB in %s directories)\n' "$b_files" "$(human "$b_bytes")" "$sdirs"
header find
ref_t=""
measure "find -printf '%s %T@'" 0 : 'find "$sroot" -printf "%s %T@\n"'
find_t=$last_t
measure "mediavault scan (rescan)" 0 : 'mvr --catalog "$db.b" scan --json "$sroot"'
target "rescan time / find" "$(awk -v a="$last_t" -v b="$find_t" 'BEGIN { print a / b }')" "<=" 2
measure "md5sum x2 (find | xargs -P2 -n 500)" "$b_bytes" : \
    'find "$sroot" -type f -print0 | xargs -0 -P2 -n 500 md5sum'
md5_t=$last_t
measure "mediavault scan, fresh catalog" "$b_bytes" 'rm -f "$db.b"*' \
    'mvr --catalog "$db.b" scan "$sroot"'
printf '  (no target for small files: speed / md5sum x2 = %s)\n' \
    "$(awk -v a="$md5_t" -v b="$last_t" 'BEGIN { printf "%.3f", a / b }')"

# peak_rss ROOT -> peak RSS in KiB of a first scan (fresh catalog), the minimum of --runs.
peak_rss() {
    local r=$1 i best=""
    for ((i = 0; i < runs; i++)); do
        rm -f "$db.m"*
        /usr/bin/time -f %M -o "$tmp/rss" "$MV" "${mv_args[@]}" --catalog "$db.m" scan "$r" \
            2>/dev/null || die "scan of $r failed"
        read -r kib <"$tmp/rss"
        [[ -n $best && $best -le $kib ]] || best=$kib
    done
    printf '%s\n' "$best"
}
printf '\n memory (peak RSS of a first scan, the least of %s runs)\n' "$runs"
if [[ -x /usr/bin/time ]]; then
    rss_base=$(peak_rss "$tmp/tiny")
    rss_b=$(peak_rss "$sroot")
    printf '  tiny tree (3 files)      %8s KiB\n' "$rss_base"
    printf '  %-24s %8s KiB\n' "$b_files files" "$rss_b"
    per=$(awk -v a="$rss_b" -v b="$rss_base" -v n="$b_files" 'BEGIN { printf "%.1f", (a - b) * 1024 / n }')
    printf '  (rss_B - rss_base) / files: %s bytes per file\n' "$per"
    target "bytes per file above the base" "$per" "<=" 200
else
    printf '  (skipped: /usr/bin/time (GNU time) not installed)\n'
fi
printf '\nload average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
