#!/usr/bin/env bash
# GIF (first frame), WebP, BMP and TIFF through FFmpeg, each made here with the
# ffmpeg program from lossless reference images: lossless conversions must give
# the reference hash exactly; a GIF of a grey image too (256 grey levels fit its
# palette). 16-bit and palette PNGs decode, alpha is dropped.
. "$(dirname "$0")/fp_lib.sh"
need_vectors
need_program ffmpeg
cd "$T" || exit 3

ff()
{
    ffmpeg -nostdin -loglevel error -y "$@" || fail "ffmpeg $*"
}

ref()
{
    awk -F'\t' -v f="$1" '$1 == f { print $2, $3 }' "$VEC/expected.tsv"
}

expect_hash()
{
    local file=$1 want=$2 got
    got=$("$MV" fingerprint --no-cache "$file" | cut -d' ' -f2,3)
    [ "$got" = "$want" ] || fail "$file: got '$got', want '$want'"
}

plasma=synthetic/syn-128x128-plasma.png
grey=synthetic/syn-200x150-gray.png
big=synthetic/syn-513x400-plasma.png
ff -i "$VEC/$plasma" p.bmp
ff -i "$VEC/$plasma" p.tiff
ff -i "$VEC/$plasma" -lossless 1 p.webp
ff -i "$VEC/$big" -lossless 1 big.webp
ff -i "$VEC/$grey" g.gif
ff -i "$VEC/$grey" -pix_fmt gray g.tiff
ff -i "$VEC/$plasma" -pix_fmt rgb48be p16.png
ff -i "$VEC/$plasma" -pix_fmt rgba pa.png
ff -i "$VEC/$plasma" -vf "split[a][b];[a]palettegen[p];[b][p]paletteuse" pal.png
ff -i "$VEC/$plasma" p.gif
# An animated GIF: the first frame is the grey image.
ff -i "$VEC/$grey" -i "$VEC/$plasma" -filter_complex \
    "[0:v]format=gray[a];[1:v]scale=200:150,format=gray[b];[a][b]concat=n=2:v=1[v]" \
    -map "[v]" -r 1 anim.gif

for f in p.bmp p.tiff p.webp p16.png pa.png; do
    expect_hash "$f" "$(ref "$plasma")"
done
expect_hash big.webp "$(ref "$big")"
expect_hash g.gif "$(ref "$grey")"
expect_hash g.tiff "$(ref "$grey")"
expect_hash anim.gif "$(ref "$grey")"
for f in pal.png p.gif; do
    "$MV" fingerprint --no-cache "$f" | grep -Eq '^pdq [0-9a-f]{64} [0-9]+ ' || fail "$f: no hash"
done

# Sniffed, not named: a BMP called .jpg is still a BMP.
cp p.bmp disguised.jpg
expect_hash disguised.jpg "$(ref "$plasma")"
# Truncated files of each format fail cleanly; the bombs are refused from the header.
for f in p.bmp p.tiff p.webp g.gif; do
    head -c 100 "$f" >"trunc.${f#*.}"
    "$MV" fingerprint --no-cache "trunc.${f#*.}" >/dev/null 2>&1
    [ $? -eq 1 ] || fail "truncated $f: exit status"
    "$MV" fingerprint --no-cache --max-pixels 1000 "$f" >/dev/null 2>err.txt
    grep -q "too large" err.txt || fail "$f: --max-pixels not enforced"
done
finish
