#!/usr/bin/env bash
#
# Audio and video fingerprinting speed of mediavault next to the usual tools, in
# one run, on generated media:
#   (a) Chromaprint (`mediavault fingerprint --type audio`) on N generated 3-minute
#       MP3s next to `fpcalc` (libchromaprint-tools): one process per file, one at
#       a time (per file; mediavault with its default --jobs and with --jobs 1), then the batch on 2 jobs: fpcalc as `xargs -P2 -n 1`,
#       mediavault the same way and as one call with `--jobs 2`.
#   (v) vPDQ (`mediavault fingerprint --type video`) on a generated 60 s 720p30
#       H.264 video at every 1 s and at every frame, next to
#       `ffmpeg -threads 2 -i X -f null -`, the decode bound.
# Each line runs once untimed (its output checked where there is something to
# check against), then --runs times timed. See bench/README.md (## av).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

die() {
    printf 'av.sh: error: %s\n' "$*" >&2
    exit 1
}

warn() {
    printf 'av.sh: %s\n' "$*" >&2
}

usage() {
    cat <<'EOF'
Usage: bench/av.sh [OPTION]...
Benchmark Chromaprint (mediavault fingerprint --type audio) against fpcalc and
vPDQ (mediavault fingerprint --type video) against ffmpeg decoding.

  --small        quick corpus: 6 MP3s of 30 s and a 10 s video
                 (default: 50 MP3s of 3 min and a 60 s 720p30 video)
  --runs N       timed runs per line (default 3)
  --only a|v     only the audio (a) or the video (v) part
  -h, --help     this text

Environment: MV=PATH selects the binary (default: build/mediavault of this
repository).
Needs ffmpeg (with libmp3lame and libx264) and fpcalc. The corpus goes to a
`mktemp -d` directory removed on exit.
EOF
}

runs=3 small=0 only=av
while (($#)); do
    case $1 in
    --small) small=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --only) only=${2:?--only needs a or v}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not '$runs'"
[[ $only == a || $only == v || $only == av ]] || die "--only wants a or v"
have ffmpeg || die "ffmpeg is needed to generate the media"
[[ $only != *a* ]] || have fpcalc || die "fpcalc (libchromaprint-tools) is needed for the audio part"

MV=${MV:-$here/../build/mediavault}
[[ -x $MV ]] || die "no mediavault binary at $MV (build it, or set MV=path)"

if ((small)); then
    nfiles=6 adur=30 vdur=10
else
    nfiles=50 adur=180 vdur=60
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-av-bench.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# Private copies of the binaries and of their non-system libraries, so that a
# rebuild during the run cannot change what is measured (as bench/hash.sh does).
mv_shown=$(cd "$(dirname "$MV")" && pwd)/$(basename "$MV")
private_binary "$tmp"

jobs2=0
"$MV" fingerprint --help 2>&1 | grep -q -- '--jobs' && jobs2=1

# ---- corpus -------------------------------------------------------------------

# gen_mp3 I: a DUR-second 44.1 kHz stereo MP3 mixing a sine, a chirp and pink
# noise, each with its own frequency / seed, so that no two files are alike.
gen_mp3() {
    local i=$1 f=$((220 + 37 * $1)) c=$((300 + 53 * $1))
    ffmpeg -nostdin -loglevel error -y \
        -f lavfi -i "sine=f=$f:d=$adur:sample_rate=44100" \
        -f lavfi -i "anoisesrc=d=$adur:c=pink:a=0.15:seed=$((i + 1)):r=44100" \
        -f lavfi -i "aevalsrc=0.4*sin(2*PI*$c*t*(1+0.5*sin(2*PI*t/7))):d=$adur:s=44100" \
        -filter_complex "[0][1][2]amix=inputs=3,volume=2" -ac 2 -ar 44100 \
        -c:a libmp3lame -b:a 128k "$tmp/audio/a$(printf '%02d' "$i").mp3"
}

if [[ $only == *a* ]]; then
    warn "generating $nfiles MP3s of $adur s in $tmp/audio"
    mkdir -p "$tmp/audio"
    for ((i = 0; i < nfiles; i += 2)); do
        gen_mp3 "$i" &
        if ((i + 1 < nfiles)); then gen_mp3 $((i + 1)) & fi
        wait
    done
    [[ $(find "$tmp/audio" -name '*.mp3' | wc -l) -eq $nfiles ]] || die "ffmpeg made too few MP3s"
fi
if [[ $only == *v* ]]; then
    warn "generating a $vdur s 1280x720 30 fps H.264 video in $tmp/video.mp4"
    ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=1280x720:rate=30 -t "$vdur" \
        -c:v libx264 -preset veryfast -pix_fmt yuv420p "$tmp/video.mp4"
fi
cd "$tmp"

# ---- running one line -----------------------------------------------------------

# tstats T1 T2 ... -> "mean median min max" of the times (seconds).
tstats() {
    printf '%s\n' "$@" | awk '
        { t[NR] = $1; s += $1 }
        END {
            n = NR
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && t[j - 1] > t[j]; j--) { x = t[j]; t[j] = t[j - 1]; t[j - 1] = x }
            med = (n % 2) ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2
            printf "%.3f %.3f %.3f %.3f\n", s / n, med, t[1], t[n]
        }'
}

row_fmt='  %-50s %8s %8s %8s %8s %8s %7s %5s\n'
ref_mean="" last_mean=""

# bench LABEL UNIT_DIV COMMAND: runs COMMAND (a shell string, in $tmp) once with
# stdout to $tmp/out (checked by the caller afterwards), then --runs times timed.
# Row: wall seconds (mean median min max), the mean divided by UNIT_DIV (s per
# file, or s per video), the ratio to the reference line and the CPU use.
# Ratio: REF_MEAN / MEAN (speed-up; > 1 is faster) in audio, MEAN / REF_MEAN
# (time over the decode) in video, per $ratio_mode.
bench() {
    local label=$1 div=$2 cmd=$3 st cpu ratio per
    if ! eval "$cmd" >"$tmp/out" 2>"$tmp/err"; then
        sed 's/^/    /' "$tmp/err" | tail -n 5 >&2
        die "$label: command failed: $cmd"
    fi
    timed_runs "$runs" "$label" "$cmd"
    cpu=$run_cpu
    st=$(tstats "${run_times[@]}")
    # shellcheck disable=SC2086
    set -- $st
    last_mean=$1
    [[ -n $ref_mean ]] || ref_mean=$1
    per=$(awk -v m="$1" -v d="$div" 'BEGIN { printf "%.3f", m / d }')
    if [[ $ratio_mode == speed ]]; then
        ratio=$(awk -v m="$1" -v r="$ref_mean" 'BEGIN { printf "%.2fx", r / m }')
    else
        ratio=$(awk -v m="$1" -v r="$ref_mean" 'BEGIN { printf "%.2fx", m / r }')
    fi
    # shellcheck disable=SC2059
    printf "$row_fmt" "$label" "$1" "$2" "$3" "$4" "$per" "$ratio" "$cpu"
}

# fp_lines < fpcalc-format output > "DURATION FINGERPRINT" per file, blank lines dropped.
fp_lines() {
    awk -F= '/^DURATION=/ { d = $2 } /^FINGERPRINT=/ { print d, $2 }'
}

# check_fp FILE WHAT: compares the "DURATION FINGERPRINT" lines of FILE with
# fpcalc's ($tmp/ref.fp). A difference does not stop the run (the timings are
# still worth having) but is reported with, per file, how many of the raw
# integers (--raw / -raw) differ, and makes the script exit 3 at the end.
check_failed=0
check_fp() {
    local f n=0 d i
    if cmp -s "$tmp/ref.fp" "$1"; then
        printf '  check (%s): DURATION and FINGERPRINT equal fpcalc'"'"'s for all %s files\n' "$2" "$nfiles"
        return 0
    fi
    check_failed=1
    for ((i = 1; i <= nfiles; i++)); do
        [[ "$(sed -n "${i}p" "$tmp/ref.fp")" == "$(sed -n "${i}p" "$1")" ]] && continue
        n=$((n + 1))
        f=$(sed -n "${i}p" "$tmp/list")
        d=$(diff <(fpcalc -raw "$f" 2>/dev/null | fp_lines | cut -d' ' -f2 | tr , '\n') \
            <("$MV" fingerprint --no-cache --type audio --raw --format fpcalc "$f" | fp_lines | cut -d' ' -f2 | tr , '\n') |
            grep -c '^<' || true)
        printf '  check (%s) FAILED: %s: %s raw integers differ from fpcalc -raw\n' "$2" "$f" "$d"
    done
    printf '  check (%s) FAILED: %s of %s files differ from fpcalc\n' "$2" "$n" "$nfiles"
}

# ---- the tables -------------------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
printf 'mediavault audio/video benchmark, %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf 'machine: %s CPUs, %s, %s RAM\n' "$(nproc)" "${cpu:-unknown CPU}" "$(human "$(awk '/^MemTotal:/ { printf "%.0f", $2 * 1024 }' /proc/meminfo)")"
printf 'binary: %s\n' "$mv_shown"
printf 'load average at start: %s (other busy processes make every figure pessimistic)\n' "$(cut -d' ' -f1-3 /proc/loadavg)"

if [[ $only == *a* ]]; then
    mapfile -t files < <(cd "$tmp" && find audio -name '*.mp3' | LC_ALL=C sort)
    printf '%s\n' "${files[@]}" >"$tmp/list"
    printf '\n(a) Chromaprint: %s MP3s of %s s (44.1 kHz stereo, 128 kb/s), default length (first 120 s); %s\n' \
        "$nfiles" "$adur" "$(fpcalc -version 2>/dev/null | head -n 1)"
    ratio_mode=speed
    # fpcalc 1.5.1 built on FFmpeg 5 prints the fingerprint and then exits 3
    # ("Error decoding audio frame (End of file)") on a file that ends before
    # -length (120 s), i.e. on every --small file; xargs then exits 123. That
    # status is let through: the checked run counts the fingerprints instead.
    fp_ok='|| test $? -eq 123'
    ref_mean=""
    j1=""
    ((jobs2)) && j1="--jobs 1"
    # shellcheck disable=SC2059
    printf "$row_fmt" "seconds ($runs runs), per file: 1 process at a time" mean median min max "s/file" "x fpcalc" cpu
    bench "fpcalc, per file (xargs -n 1)" "$nfiles" "xargs -n 1 fpcalc <list $fp_ok"
    fp_lines <"$tmp/out" >"$tmp/ref.fp"
    [[ $(wc -l <"$tmp/ref.fp") -eq $nfiles ]] || die "fpcalc printed $(wc -l <"$tmp/ref.fp") fingerprints for $nfiles files"
    fp_per_file=$ref_mean
    # The default --jobs: one file alone decodes on a second thread when a CPU
    # is free for it (cli_fp_audio_threads); --jobs 1 keeps it on one thread.
    bench "mediavault, per file (xargs -n 1)" "$nfiles" \
        "xargs -n 1 '$MV' fingerprint --no-cache --type audio --format fpcalc <list"
    fp_lines <"$tmp/out" >"$tmp/mv.fp"
    check_fp "$tmp/mv.fp" "per-process"
    mv_per_file=$last_mean
    if ((jobs2)); then
        bench "mediavault --jobs 1, per file (one thread)" "$nfiles" \
            "xargs -n 1 '$MV' fingerprint --no-cache --type audio $j1 --format fpcalc <list"
    fi
    printf '  target: per file >= 1.0x fpcalc -> %s, %s\n' \
        "$(awk -v r="$fp_per_file" -v m="$mv_per_file" 'BEGIN { printf "%.2fx", r / m }')" \
        "$(awk -v r="$fp_per_file" -v m="$mv_per_file" 'BEGIN { print (r / m >= 1.0 ? "met" : "NOT met") }')"

    printf '\n'
    ref_mean=""
    # shellcheck disable=SC2059
    printf "$row_fmt" "seconds ($runs runs), batch on 2 jobs" mean median min max "s/file" "x fpcalc" cpu
    bench "fpcalc x2 processes (xargs -P2 -n 1)" "$nfiles" "xargs -P2 -n 1 fpcalc <list $fp_ok"
    fp_x2=$ref_mean
    bench "mediavault x2 processes (xargs -P2 -n 1)" "$nfiles" \
        "xargs -P2 -n 1 '$MV' fingerprint --no-cache --type audio $j1 <list"
    mv_x2=$last_mean
    best=$mv_x2 best_label="xargs -P2 -n 1"
    if ((jobs2)); then
        bench "mediavault --jobs 2, one call on all files" "$nfiles" \
            "'$MV' fingerprint --no-cache --type audio --jobs 2 --format fpcalc \"\${files[@]}\""
        mv_j2=$last_mean
        fp_lines <"$tmp/out" >"$tmp/mv2.fp"
        check_fp "$tmp/mv2.fp" "--jobs 2"
        if awk -v a="$last_mean" -v b="$mv_x2" 'BEGIN { exit !(a < b) }'; then
            best=$last_mean best_label="--jobs 2"
        fi
    else
        printf '  %-50s (skipped: this fingerprint has no --jobs)\n' "mediavault --jobs 2"
    fi
    bench "mediavault --jobs 1, one call on all files" "$nfiles" \
        "'$MV' fingerprint --no-cache --type audio $j1 \"\${files[@]}\""
    if ((jobs2)); then
        printf '  target, read as the speed-up of --jobs 2 over --jobs 1 (one call each) >= 1.8x -> %s, %s\n' \
            "$(awk -v a="$mv_j2" -v b="$last_mean" 'BEGIN { printf "%.2fx", b / a }')" \
            "$(awk -v a="$mv_j2" -v b="$last_mean" 'BEGIN { print (b / a >= 1.8 ? "met" : "NOT met") }')"
    fi
    printf '  target, read as the ratio to fpcalc x2: batch on 2 jobs >= 1.8x fpcalc x2 (best mediavault line, %s) -> %s, %s\n' "$best_label" \
        "$(awk -v r="$fp_x2" -v m="$best" 'BEGIN { printf "%.2fx", r / m }')" \
        "$(awk -v r="$fp_x2" -v m="$best" 'BEGIN { print (r / m >= 1.8 ? "met" : "NOT met") }')"
    printf '  seed figure (3-6 s per 3-minute file): mediavault per file %s s\n' \
        "$(awk -v m="$mv_per_file" -v n="$nfiles" 'BEGIN { printf "%.3f", m / n }')"
fi

if [[ $only == *v* ]]; then
    nframes=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets \
        -of csv=p=0 "$tmp/video.mp4")
    printf '\n(v) vPDQ: %s s 1280x720 30 fps H.264 (libx264 veryfast, yuv420p, testsrc2), %s frames, %s\n' \
        "$vdur" "$nframes" "$(human "$(stat -c %s "$tmp/video.mp4")")"
    ratio_mode="time"
    ref_mean=""
    # shellcheck disable=SC2059
    printf "$row_fmt" "seconds ($runs runs)" mean median min max "s/video" "x ffmpeg" cpu
    bench "ffmpeg -threads 2 -i X -f null - (decode bound)" 1 \
        "ffmpeg -nostdin -v error -threads 2 -i video.mp4 -f null -"
    dec=$ref_mean
    bench "ffmpeg -threads 1 -i X -f null -" 1 "ffmpeg -nostdin -v error -threads 1 -i video.mp4 -f null -"
    # --no-cache: every run decodes (the catalog would answer the second run).
    vfp="'$MV' fingerprint --no-cache --type video --format vpdq"
    bench "mediavault --every 1 --jobs 2" 1 "$vfp --every 1 --jobs 2 video.mp4"
    n1=$(wc -l <"$tmp/out")
    r1=$last_mean
    bench "mediavault --every 1 --jobs 1" 1 "$vfp --every 1 --jobs 1 video.mp4"
    bench "mediavault --every 0 --jobs 2 (every frame)" 1 "$vfp --every 0 --jobs 2 video.mp4"
    n0=$(wc -l <"$tmp/out")
    bench "mediavault --every 0 --jobs 1 (every frame)" 1 "$vfp --every 0 --jobs 1 video.mp4"
    [[ $n0 -eq $nframes ]] || die "--every 0 printed $n0 frames, the video has $nframes"
    [[ $n1 -ge $((vdur - 1)) && $n1 -le $((vdur + 1)) ]] || die "--every 1 printed $n1 frames for $vdur s"
    printf '  check: --every 0 gave %s lines (one per frame), --every 1 gave %s (one per second)\n' "$n0" "$n1"
    printf '  target: every 1 s <= 1.3x the decode alone -> %s, %s\n' \
        "$(awk -v r="$dec" -v m="$r1" 'BEGIN { printf "%.2fx", m / r }')" \
        "$(awk -v r="$dec" -v m="$r1" 'BEGIN { print (m / r <= 1.3 ? "met" : "NOT met") }')"
fi
printf '\nload average at end: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
if ((check_failed)); then
    warn "mediavault's audio fingerprints differ from fpcalc's on some files (see the check lines)"
    exit 3
fi
