# shellcheck shell=bash
#
# Helpers for bench/hash.sh: messages, a clock, run statistics and the corpus
# generator. Sourced, never run; everything here is plain bash + awk (mawk or
# gawk), dd and openssl, so the benchmark needs nothing built besides
# mediavault itself.

die() {
    printf 'hash.sh: error: %s\n' "$*" >&2
    exit 1
}

warn() {
    printf 'hash.sh: %s\n' "$*" >&2
}

have() {
    command -v "$1" >/dev/null 2>&1
}

# Wall-clock seconds with microseconds. bash 5's EPOCHREALTIME costs no fork;
# older shells fall back to date(1).
now() {
    if [[ -n "${EPOCHREALTIME:-}" ]]; then
        printf '%s\n' "${EPOCHREALTIME/,/.}"
    else
        date +%s.%N
    fi
}

cpu_now=0
# cpu_now <- CPU seconds (user + sys) used so far by this shell's waited-for
# children (written through $tmp/times). `times` must run in this shell, not in
# a $(...) subshell, to see them, hence the global.
child_cpu() {
    # shellcheck disable=SC2154 # tmp is the sourcing script's scratch directory
    times >"$tmp/times"
    cpu_now=$(awk 'NR == 2 { for (i = 1; i <= 2; i++) { split($i, p, "m"); s += p[1] * 60 + p[2] } }
                   END { printf "%.3f", s }' "$tmp/times")
}

# timed_runs N LABEL CMD [BEFORE]: runs CMD (a shell string) N times, stdout to
# /dev/null and stderr to $tmp/err, after BEFORE (a shell string, untimed) when
# given; dies naming LABEL if a run fails. Sets run_times (wall seconds per
# run), run_cpus (CPU use per run, % of one core, from the children's user + sys)
# and run_cpu ("NN%", their mean). Call it in the script's shell, not in $(...).
timed_runs() {
    local n=$1 label=$2 cmd=$3 before=${4:-} i t0 t1 c0
    run_times=() run_cpus=()
    for ((i = 0; i < n; i++)); do
        if [[ -n $before ]]; then eval "$before"; fi
        child_cpu
        c0=$cpu_now
        t0=$(now)
        eval "$cmd" >/dev/null 2>"$tmp/err" || die "$label: command failed on run $((i + 1)): $cmd"
        t1=$(now)
        child_cpu
        run_times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
        run_cpus+=("$(awk -v a="$c0" -v b="$cpu_now" -v w="${run_times[-1]}" 'BEGIN { printf "%.0f", 100 * (b - a) / w }')")
    done
    # shellcheck disable=SC2034 # read by the sourcing script
    run_cpu=$(printf '%s\n' "${run_cpus[@]}" | awk '{ s += $1 } END { printf "%.0f%%", s / NR }')
}

# stats BYTES T1 T2 ... -> "mean median min max stddev" of the per-run rates in
# GB/s (10^9 bytes per second); stddev is the sample one (n-1), 0 for one run.
stats() {
    local bytes=$1
    shift
    printf '%s\n' "$@" | awk -v bytes="$bytes" '
        { r[NR] = bytes / 1e9 / $1; s += r[NR] }
        END {
            n = NR
            for (i = 2; i <= n; i++)          # insertion sort, n is small
                for (j = i; j > 1 && r[j - 1] > r[j]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
            mean = s / n
            med = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
            for (i = 1; i <= n; i++) ss += (r[i] - mean) ^ 2
            sd = (n > 1) ? sqrt(ss / (n - 1)) : 0
            printf "%.3f %.3f %.3f %.3f %.3f\n", mean, med, r[1], r[n], sd
        }'
}

# human BYTES -> "4.00 GB" style (decimal units, like the GB/s figures).
human() {
    awk -v b="$1" 'BEGIN {
        if (b >= 1e9) printf "%.2f GB", b / 1e9
        else if (b >= 1e6) printf "%.1f MB", b / 1e6
        else printf "%.0f B", b }'
}

# plan_sizes N TOTAL MIN MAX SEED SRC_BYTES -> N lines "size offset", the
# offset being where the file's slice of the random source starts.
#
# A log-uniform draw over [MIN, MAX] = [4 KiB, 16 MiB] averages 2.0 MB per
# file, i.e. 20 GB for 10,000 files: more than the page cache of most machines,
# so the warm figures would be disk figures. To keep the range, the count and
# the total, the sizes follow the power law that log-uniform is the alpha = 0
# case of: a Pareto truncated to [MIN, MAX], density ~ size^-(1+alpha), drawn by
# inverting its CDF. alpha is bisected until the sizes add up to TOTAL; for the
# default corpus alpha ~ 0.41, so each octave of sizes (4-8 KiB, 8-16 KiB, ...)
# holds ~0.75x the files of the one below, and every octave is present.
plan_sizes() {
    awk -v n="$1" -v total="$2" -v lo="$3" -v hi="$4" -v seed="$5" -v srcbytes="$6" '
        function size(a, u) {
            if (a < 1e-9) return int(lo * exp(log(hi / lo) * u))    # log-uniform
            return int((lo ^ -a - u * (lo ^ -a - hi ^ -a)) ^ (-1 / a))
        }
        function sum(a,   i, s) {
            s = 0
            for (i = 1; i <= n; i++) s += size(a, u[i])
            return s
        }
        BEGIN {
            srand(seed)
            for (i = 1; i <= n; i++) { u[i] = rand(); f[i] = rand() }
            a = 0; b = 8                          # sum() falls as alpha grows
            if (sum(a) <= total) b = a
            for (k = 0; k < 60 && b - a > 1e-6; k++) {
                m = (a + b) / 2
                if (sum(m) > total) a = m; else b = m
            }
            for (i = 1; i <= n; i++) {
                z = size(b, u[i])
                printf "%.0f %.0f\n", z, int(f[i] * (srcbytes - z))
            }
        }'
}

# gen_files DIR LIST SRC PART NPARTS: writes the files of LIST
# ("index size offset" lines) whose index % NPARTS == PART. Each file is
# a 32-byte header naming it (so no two files are equal) followed by a slice of
# the random SRC at its own offset.
gen_files() {
    local dir=$1 list=$2 src=$3 part=$4 nparts=$5
    local idx size off path
    while read -r idx size off; do
        ((idx % nparts == part)) || continue
        path=$(printf '%s/many/d%02d/f%05d.bin' "$dir" $((idx % 100)) "$idx")
        printf '%-31s\n' "mediavault bench file $idx" >"$path"
        dd if="$src" iflag=skip_bytes,count_bytes skip="$off" count=$((size - 32)) \
            bs=4M status=none >>"$path"
    done <"$list"
}

# random_stream BYTES FILE: BYTES of AES-CTR keystream (fast, not zeros) or of
# /dev/urandom without openssl. The source is cut by head, so its SIGPIPE is
# expected; the size check is what tells success.
random_stream() {
    if have openssl; then
        { openssl enc -aes-128-ctr -nosalt -K 000102030405060708090a0b0c0d0e0f \
            -iv "$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')" </dev/zero 2>/dev/null || true; } |
            head -c "$1" >"$2"
    else
        { cat /dev/urandom || true; } | head -c "$1" >"$2"
    fi
    [[ $(stat -c %s "$2") -eq $1 ]] || die "could not write $1 random bytes to $2"
}

# make_corpus DIR NFILES TOTAL BIG: DIR/many/d00..d99/fNNNNN.bin and DIR/big/big.bin.
# A stamp records the parameters; a DIR already holding the same corpus is reused.
make_corpus() {
    local dir=$1 nfiles=$2 total=$3 big=$4
    local stamp="files=$nfiles total=$total big=$big min=4096 max=16777216 seed=1 v=1"
    local srcbytes=$((64 << 20)) d p0 p1

    if [[ -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
        warn "reusing corpus in $dir"
        return 0
    fi
    mkdir -p "$dir" || die "cannot create $dir"
    rm -rf "$dir/many" "$dir/big" "$dir/.stamp" "$dir/.src" "$dir/.plan"
    warn "building corpus in $dir: $nfiles files, $(human "$total"), plus a $(human "$big") file"
    for ((d = 0; d < 100; d++)); do mkdir -p "$(printf '%s/many/d%02d' "$dir" "$d")"; done
    mkdir -p "$dir/big"
    random_stream "$srcbytes" "$dir/.src"
    plan_sizes "$nfiles" "$total" 4096 16777216 1 "$srcbytes" | awk '{ print NR - 1, $0 }' >"$dir/.plan"
    gen_files "$dir" "$dir/.plan" "$dir/.src" 0 2 &
    p0=$!
    gen_files "$dir" "$dir/.plan" "$dir/.src" 1 2 &
    p1=$!
    wait "$p0" || die "corpus generation failed"
    wait "$p1" || die "corpus generation failed"
    random_stream "$big" "$dir/big/big.bin"
    rm -f "$dir/.src" "$dir/.plan"
    printf '%s\n' "$stamp" >"$dir/.stamp"
}

# plant_dupes DIR NFILES NDUPS NDECOYS: copies of every (NFILES / NDUPS)-th file
# of DIR/many into another directory, and decoys (the middle byte changed) of
# every (NDUPS / NDECOYS)-th of those: same size, head and tail as an original.
plant_dupes() {
    local dir=$1 nfiles=$2 ndups=$3 ndecoys=$4 stride i k=0 src dst size
    stride=$((nfiles / ndups))
    for ((i = 0; i < nfiles; i += stride)); do
        src=$(printf '%s/many/d%02d/f%05d.bin' "$dir" $((i % 100)) "$i")
        dst=$(printf '%s/many/d%02d/dup%05d.bin' "$dir" $(((i + 37) % 100)) "$i")
        cp "$src" "$dst"
        if ((k++ % (ndups / ndecoys) == 0)); then
            dst=$(printf '%s/many/d%02d/decoy%05d.bin' "$dir" $(((i + 61) % 100)) "$i")
            cp "$src" "$dst"
            size=$(stat -c %s "$dst")
            printf '\x5a' | dd of="$dst" bs=1 seek=$((size / 2)) count=1 conv=notrunc status=none
        fi
    done
}

# make_dupes_tree DIR NFILES TOTAL NDUPS NDECOYS: bench/hash.sh's corpus files
# (seed 2) in DIR/many, then the plants. The stamp lets bench/dupes.sh and
# bench/scan.sh reuse a tree either of them kept.
make_dupes_tree() {
    local dir=$1 nfiles=$2 total=$3 ndups=$4 ndecoys=$5 d p0 p1
    local stamp="dupes files=$nfiles total=$total dups=$ndups decoys=$ndecoys seed=2 v=1"
    if [[ -f $dir/.stamp && "$(cat "$dir/.stamp")" == "$stamp" ]]; then
        warn "reusing tree in $dir"
        return 0
    fi
    rm -rf "$dir/many" "$dir/.stamp"
    warn "building tree in $dir: $nfiles files, $(human "$total"), $ndups duplicates"
    for ((d = 0; d < 100; d++)); do mkdir -p "$(printf '%s/many/d%02d' "$dir" "$d")"; done
    random_stream $((64 << 20)) "$dir/.src"
    plan_sizes "$nfiles" "$total" 4096 16777216 2 $((64 << 20)) | awk '{ print NR - 1, $0 }' \
        >"$dir/.plan"
    gen_files "$dir" "$dir/.plan" "$dir/.src" 0 2 &
    p0=$!
    gen_files "$dir" "$dir/.plan" "$dir/.src" 1 2 &
    p1=$!
    wait "$p0" || die "tree generation failed"
    wait "$p1" || die "tree generation failed"
    rm -f "$dir/.src" "$dir/.plan"
    plant_dupes "$dir" "$nfiles" "$ndups" "$ndecoys"
    printf '%s\n' "$stamp" >"$dir/.stamp"
}

# private_binary DIR: copies $MV and its libraries that live outside the system
# directories (libmediavault.so, the CUDA plugin's neighbours) into DIR/bin and
# points MV and LD_LIBRARY_PATH there, so that a rebuild during a run cannot
# change or break what is measured. LD_LIBRARY_PATH is searched before RUNPATH.
private_binary() {
    local dir=$1/bin lib
    mkdir -p "$dir"
    cp "$MV" "$dir/mediavault"
    while read -r lib; do
        case $lib in
        /lib/* | /lib64/* | /usr/*) ;;
        *)
            cp "$lib" "$dir/"
            # the plugins (media decoders, CUDA) are found next to the library
            for plugin in "$(dirname "$lib")"/mediavault-*.so; do
                [ -f "$plugin" ] && cp "$plugin" "$dir/"
            done
            ;;
        esac
    done < <(ldd "$MV" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
    export LD_LIBRARY_PATH="$dir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    MV=$dir/mediavault
}
