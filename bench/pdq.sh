#!/usr/bin/env bash
#
# Throughput of `mediavault fingerprint` (PDQ on JPEGs, SimHash on text) next to
# the decode bound, `djpeg` decoding the same files to /dev/null, in the same run.
# Image sets: (t) the JPEGs of shared/testdata/pdq, (r) its 1600x1004 photos (the
# bridge, its edits and turns; CMYK left out) 6 copies each, 42 files, (m) generated 1600x1004
# JPEGs, (b) generated 4000x3000 (12 MP) JPEGs, (p) with --photos DIR, the JPEGs
# under DIR, and (q) those scaled to 12 MP; text: (x) one generated text file.
# Generated images are ffmpeg lavfi sources (mandelbrot, testsrc2, cellauto) with
# noise, 4:2:0, -q:v 3, so that they do not compress trivially: they hold 2-2.6x
# the bytes of a photo of the same size (4-4.7 bits per pixel against 1.8 for the
# bridge), and their entropy decoding makes them much slower to decode.
#
# Lines per image set (img/s per run; ratio = mean / the djpeg line's mean):
#   djpeg per file      one djpeg process per file (process start included)
#   djpeg -skip         the same, all rows but the first and last 16 skipped:
#                       the entropy decoding, which every exact decode of
#                       every block needs, with almost no reconstruction
#   mv FILES... --exif-orient   the same through the full-decode path (every
#                       row decoded to RGB), i.e. the code before the row
#                       skipping (the EXIF-rotated test files are left out of (t))
#   mv per file         one `mediavault fingerprint --no-cache` process per file
#   mv FILES...         one process over the whole set (1 job)
#   mv FILES... --jobs 2  the same with 2 jobs, when the CLI has --jobs
#   mv 2 procs          two processes over halves of the list (xargs -P2), the
#                       2-job stand-in for a CLI without --jobs
#   reference pdq-photo-hasher  with --reference, Meta's reference CLI over the
#                       set in one process; then mediavault's one-job and
#                       two-job rates as multiples of its rate, and on how many
#                       files its hash and quality equal mediavault's
# Every mediavault line checks that its hashes equal the one-process line's.
# See bench/README.md (## pdq).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

die() {
    printf 'pdq.sh: error: %s\n' "$*" >&2
    exit 1
}

warn() {
    printf 'pdq.sh: %s\n' "$*" >&2
}

usage() {
    cat <<'EOF'
Usage: bench/pdq.sh [OPTION]...
Benchmark `mediavault fingerprint` (PDQ, SimHash) against djpeg decoding.

  --small        quick sets: 10 x 1600x1004, 3 x 12 MP, 10 MB of text
                 (default: 40 x 1600x1004, 10 x 12 MP, 50 MB of text)
  --runs N       timed runs per line (default 5)
  --testdata DIR the reference JPEGs (default: ../shared/testdata/pdq/images
                 next to the repository)
  --photos DIR   also time the JPEGs under DIR (e.g. real camera photos), and
                 the same photos scaled and cropped to 4000x3000 (12 MP) and
                 saved by cjpeg -quality 92 (4:2:0, standard tables)
  --reference BIN  also time Meta's reference CLI pdq-photo-hasher (one
                 process per set; it is not part of this repository, see
                 bench/README.md) and compare its hashes with mediavault's;
                 it decodes through ImageMagick's `convert`, the first on PATH
  -h, --help     this text

Environment: MV=PATH selects the binary (default: build/mediavault of this
repository). Needs ffmpeg and djpeg (libjpeg-turbo-progs). The corpus goes to a
`mktemp -d` directory removed on exit.
EOF
}

runs=5 small=0 testdata="" photos="" reference=""
while (($#)); do
    case $1 in
    --small) small=1 ;;
    --runs) runs=${2:?--runs needs a number}; shift ;;
    --testdata) testdata=${2:?--testdata needs a directory}; shift ;;
    --photos) photos=${2:?--photos needs a directory}; shift ;;
    --reference) reference=${2:?--reference needs the pdq-photo-hasher binary}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
    esac
    shift
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "--runs wants a positive number, not '$runs'"
have ffmpeg || die "ffmpeg is needed to generate the JPEGs"
have djpeg || die "djpeg (libjpeg-turbo-progs) is needed for the decode bound"
testdata=${testdata:-$here/../../shared/testdata/pdq/images}
if [[ -n $reference ]]; then
    [[ $reference == */* ]] || reference=$(command -v "$reference" || true)
    [[ -x $reference ]] || die "--reference: no executable pdq-photo-hasher at '$reference'"
    [[ $reference == /* ]] || reference="$PWD/$reference"
fi
[[ -z $photos ]] || have cjpeg || die "cjpeg (libjpeg-turbo-progs) is needed for the 12 MP photos"

MV=${MV:-$here/../build/mediavault}
[[ $MV == /* ]] || MV="$PWD/$MV"
[[ -x $MV ]] || die "no mediavault binary at $MV (build it, or set MV=path)"

# Once the CLI has --jobs (default: all CPUs), the 1-job lines pin it to 1.
j1=""
"$MV" fingerprint --help 2>&1 | grep -q -- '--jobs' && j1="--jobs 1"

if ((small)); then
    nmid=10 nbig=3 text_mb=10
else
    nmid=40 nbig=10 text_mb=50
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mv-pdq-bench.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# A private copy of the binary: a rebuild during the run changes nothing.
private_binary "$tmp"

# ---- corpus -------------------------------------------------------------------

# gen DIR SIZE COUNT: COUNT JPEGs of SIZE from three lavfi sources, in parallel.
gen() {
    local dir=$1 size=$2 n=$3 a b c
    a=$(((n + 2) / 3)) b=$(((n + 1) / 3)) c=$((n / 3))
    mkdir -p "$dir"
    ffmpeg -nostdin -loglevel error -f lavfi -i "mandelbrot=size=$size:rate=25" \
        -vf "noise=alls=12:allf=t" -frames:v "$a" -q:v 3 "$dir/m%03d.jpg" &
    ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc2=size=$size:rate=1" \
        -vf "noise=alls=20:allf=t,hue=H=t" -frames:v "$b" -q:v 3 "$dir/t%03d.jpg" &
    if ((c > 0)); then
        ffmpeg -nostdin -loglevel error -f lavfi -i "cellauto=size=$size:rate=5:rule=110" \
            -vf "format=yuv420p,gblur=sigma=2,noise=alls=15:allf=t" -frames:v "$c" -q:v 3 \
            "$dir/c%03d.jpg" &
    fi
    wait
    [[ $(find "$dir" -name '*.jpg' | wc -l) -eq $n ]] || die "ffmpeg made too few JPEGs in $dir"
}

# Words of 1-10 letters from a skewed alphabet, lines of ~12 words.
gen_text() {
    awk -v bytes=$(($1 * 1000000)) 'BEGIN {
        srand(7); abc = "etaoinshrdlucmfwypvbgkjqxz"; n = 0
        while (n < bytes) {
            line = ""
            for (w = 0; w < 12; w++) {
                len = 1 + int(rand() * rand() * 10); s = ""
                for (k = 0; k < len; k++) s = s substr(abc, 1 + int(26 * rand() * rand()), 1)
                line = line (w ? " " : "") s
            }
            print line; n += length(line) + 1
        }
    }' >"$2"
}

warn "generating $nmid x 1600x1004 and $nbig x 4000x3000 JPEGs, $text_mb MB of text in $tmp"
mkdir -p "$tmp/t"
find "$testdata" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) ! -path '*exif*' -exec cp {} "$tmp/t/" \;
[[ -n $(ls "$tmp/t") ]] || die "no JPEGs under $testdata (use --testdata DIR)"
mkdir -p "$tmp/r"
for f in "$testdata"/bridge-mods/*.jpg "$testdata"/dih/*.jpg; do
    case $(ffprobe -v error -select_streams v:0 -show_entries stream=width,height,pix_fmt \
        -of csv=p=0 "$f") in
    1600,1004,yuvj* | 1004,1600,yuvj*)
        for k in 1 2 3 4 5 6; do cp "$f" "$tmp/r/$k-$(basename "$f")"; done ;;
    esac
done
[[ -n $(ls "$tmp/r") ]] || die "no 1600x1004 photos under $testdata"
if [[ -n $photos ]]; then
    mkdir -p "$tmp/p"
    find "$photos" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) -exec cp {} "$tmp/p/" \;
    [[ -n $(ls "$tmp/p") ]] || die "no JPEGs under $photos"
    mkdir -p "$tmp/q"
    for f in "$tmp"/p/*; do
        ffmpeg -nostdin -loglevel error -i "$f" -vf \
            "scale=4000:3000:force_original_aspect_ratio=increase:flags=lanczos,crop=4000:3000" \
            -f image2pipe -c:v ppm - | cjpeg -quality 92 >"$tmp/q/$(basename "$f")" ||
            die "could not make a 12 MP photo of $f"
    done
fi
gen "$tmp/m" 1600x1004 "$nmid"
gen "$tmp/b" 4000x3000 "$nbig"
gen_text "$text_mb" "$tmp/x.txt"
cd "$tmp"

# ---- running -----------------------------------------------------------------

# rate_stats UNITS T1 T2 ... -> "mean median min max" of UNITS / t per run.
rate_stats() {
    local units=$1
    shift
    printf '%s\n' "$@" | awk -v u="$units" '
        { r[NR] = u / $1; s += r[NR] }
        END {
            n = NR
            for (i = 2; i <= n; i++)
                for (j = i; j > 1 && r[j - 1] > r[j]; j--) { t = r[j]; r[j] = r[j - 1]; r[j - 1] = t }
            med = (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2
            printf "%.1f %.1f %.1f %.1f\n", s / n, med, r[1], r[n]
        }'
}

row_fmt='  %-34s %8s %8s %8s %8s %7s\n'
ref_mean="" last_mean=""

# probe_sizes SET: "WIDTH HEIGHT FILE" per JPEG of SET into $tmp/sizes.SET, one
# ffprobe per file, for skip_script() and bits_per_pixel().
probe_sizes() {
    local f wh
    for f in "$1"/*; do
        wh=$(ffprobe -v error -select_streams v:0 -show_entries stream=width,height -of csv=p=0 "$f")
        [[ $wh =~ ^[0-9]+,[0-9]+$ ]] || die "ffprobe gives no size for $f"
        printf '%s %s %s\n' "${wh%,*}" "${wh#*,}" "$f"
    done >"$tmp/sizes.$1"
}

# skip_script SET: one `djpeg -skip` line per JPEG of SET into $tmp/skip.SET,
# skipping all rows but the first and last 16: libjpeg-turbo still
# entropy-decodes every block (the skipped rows' Huffman data has to be read
# to find the next row's) but reconstructs almost none, so these runs time the
# entropy decoding, the part of a JPEG decode that no sampling can leave out.
skip_script() {
    local set=$1 w h f
    while read -r w h f; do
        if ((h > 48)); then
            printf 'djpeg -skip 16,%d %q >/dev/null\n' $((h - 17)) "$f"
        else
            printf 'djpeg %q >/dev/null\n' "$f"
        fi
    done <"$tmp/sizes.$set" >"$tmp/skip.$set"
}

# bench SET LABEL UNITS CHECK COMMAND: one untimed run (with its sorted output
# compared to $tmp/ref.SET when CHECK is 1, or stored as it when the file is
# missing), then --runs timed ones; prints a row. The first row of a set is its
# reference for the ratio.
bench() {
    local set=$1 label=$2 units=$3 check=$4 cmd=$5 t0 t1 i st mean med min max ratio
    local -a times=()
    eval "$cmd" 2>"$tmp/err" | LC_ALL=C sort >"$tmp/out" || die "$label: failed: $cmd"
    [[ -s $tmp/err ]] && { sed 's/^/    /' "$tmp/err" >&2; die "$label: errors: $cmd"; }
    if ((check)); then
        if [[ -f $tmp/ref.$set ]]; then
            cmp -s "$tmp/out" "$tmp/ref.$set" || die "$label: hashes differ from the one-process line"
        else
            cp "$tmp/out" "$tmp/ref.$set"
        fi
    fi
    for ((i = 0; i < runs; i++)); do
        t0=$(now)
        eval "$cmd" >/dev/null 2>&1 || die "$label: failed on run $((i + 1)): $cmd"
        t1=$(now)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    st=$(rate_stats "$units" "${times[@]}")
    read -r mean med min max <<<"$st"
    [[ -n $ref_mean ]] || ref_mean=$mean
    last_mean=$mean
    ratio=$(awk -v a="$mean" -v b="$ref_mean" 'BEGIN { printf "%.2fx", a / b }')
    # shellcheck disable=SC2059
    printf "$row_fmt" "$label" "$mean" "$med" "$min" "$max" "$ratio"
}

image_set() {
    local set=$1 title=$2 n
    n=$(find "$set" -type f \( -iname '*.jpg' -o -iname '*.jpeg' \) | wc -l)
    rm -f "$tmp/ref.$set"
    ref_mean=""
    probe_sizes "$set"
    printf '\n(%s) %s: %d JPEGs, %s, %s bits per pixel\n' "$set" "$title" "$n" \
        "$(human "$(du -sb "$set" | cut -f1)")" "$(bits_per_pixel "$set")"
    # shellcheck disable=SC2059
    printf "$row_fmt" "img/s" mean median min max ratio
    bench "$set" "djpeg per file (decode bound)" "$n" 0 \
        "for f in $set/*; do djpeg \"\$f\" >/dev/null; done"
    skip_script "$set"
    bench "$set" "djpeg -skip (entropy decoding)" "$n" 0 ". \"$tmp/skip.$set\""
    bench "$set" "mv FILES... (1 process, 1 job)" "$n" 1 "\"$MV\" fingerprint --no-cache $j1 $set/*"
    mv_one=$last_mean mv_two=""
    if [[ -n $j1 ]]; then
        bench "$set" "mv FILES... --jobs 2" "$n" 1 "\"$MV\" fingerprint --no-cache --jobs 2 $set/*"
        mv_two=$last_mean
    fi
    bench "$set" "mv FILES... --exif-orient (full)" "$n" 1 \
        "\"$MV\" fingerprint --no-cache $j1 --exif-orient $set/*"
    bench "$set" "mv per file (process per file)" "$n" 1 \
        "for f in $set/*; do \"$MV\" fingerprint --no-cache \"\$f\"; done"
    bench "$set" "mv 2 procs (xargs -P2, halves)" "$n" 1 \
        "printf '%s\\0' $set/* | xargs -0 -P2 -n $(((n + 1) / 2)) \"$MV\" fingerprint --no-cache"
    [[ -z $reference ]] || reference_lines "$set" "$n"
}

# bits_per_pixel SET: the set's JPEG bytes * 8 / its pixels (entropy decoding
# time follows it more than the pixel count does).
bits_per_pixel() {
    local w h f bytes=0 px=0
    while read -r w h f; do
        px=$((px + w * h))
        bytes=$((bytes + $(stat -c %s "$f")))
    done <"$tmp/sizes.$1"
    awk -v b="$bytes" -v p="$px" 'BEGIN { printf "%.2f", 8 * b / p }'
}

# reference_lines SET N: the reference CLI over the set in one process, its
# hashes against mediavault's (path, hash, quality), and mediavault's one-job
# and two-job rates as multiples of its rate.
reference_lines() {
    local set=$1 n=$2 equal two=n/a
    # Lines "PATH HASH QUALITY" from both, whatever the paths hold (spaces, commas).
    "$reference" "$set"/* 2>"$tmp/ref.err" |
        awk '{ p = $0; sub(/^[^,]*,[^,]*,/, "", p); split($0, f, ","); print p, f[1], f[2] }' |
        LC_ALL=C sort >"$tmp/ref.out" || { cat "$tmp/ref.err" >&2; die "the reference CLI failed on $set"; }
    [[ $(wc -l <"$tmp/ref.out") -eq $n ]] ||
        { cat "$tmp/ref.err" >&2; die "the reference CLI printed $(wc -l <"$tmp/ref.out") results for $n files of $set"; }
    awk '{ p = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", p); print p, $2, $3 }' "$tmp/ref.$set" |
        LC_ALL=C sort >"$tmp/mv.out"
    equal=$(LC_ALL=C comm -12 "$tmp/ref.out" "$tmp/mv.out" | wc -l)
    # ImageMagick's warnings (XMP it cannot parse) are no failure; the hash
    # comparison above is the check.
    bench "$set" "reference pdq-photo-hasher" "$n" 0 "\"$reference\" $set/* 2>/dev/null"
    [[ -z $mv_two ]] || two=$(awk -v a="$mv_two" -v b="$last_mean" 'BEGIN { printf "%.1fx", a / b }')
    printf '  mediavault / reference: 1 job %.1fx, --jobs 2 %s; hashes and quality equal on %d of %d\n' \
        "$(awk -v a="$mv_one" -v b="$last_mean" 'BEGIN { print a / b }')" "$two" "$equal" "$n"
}

printf 'mediavault fingerprint benchmark, %s, %d runs per line\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$runs"
printf 'binary: %s (%s)\n' "${MV_SHOWN:-$MV}" "$("$MV" --version 2>/dev/null | head -n 1)"
printf 'cpu: %s, %s cores; load average before: %s\n' \
    "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)" "$(nproc)" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"

image_set t "shared/testdata/pdq JPEGs"
image_set r "1600x1004 photos of shared/testdata/pdq, 6 copies each"
image_set m "1600x1004 generated"
image_set b "4000x3000 (12 MP) generated"
if [[ -n $photos ]]; then
    image_set p "JPEGs under $photos"
    image_set q "the same scaled to 4000x3000 (12 MP), cjpeg -quality 92"
fi

ref_mean=""
printf '\n(x) text: %d MB\n' "$text_mb"
# shellcheck disable=SC2059
printf "$row_fmt" "MB/s" mean median min max ratio
bench x "cat (read bound)" "$text_mb" 0 "cat x.txt"
bench x "mv fingerprint --type text" "$text_mb" 0 "\"$MV\" fingerprint --no-cache --type text x.txt"

printf '\nload average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
