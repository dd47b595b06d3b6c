#!/usr/bin/env bash
# The default PDQ path decodes only the pixels of the 512x512 pre-resize from a
# JPEG (sampled rows and, for images wider than 512, sampled columns); the
# --exif-orient path decodes every pixel (these files carry no EXIF, so it turns
# nothing). Both must give the same hashes on every JPEG layout: chroma
# subsampling 4:2:0, 4:2:2, 4:4:0, 4:4:4, grey, progressive, restart markers, and
# sizes on both sides of 512, odd ones included.
. "$(dirname "$0")/fp_lib.sh"
need_program ffmpeg
need_program cjpeg

# make W H NAME CJPEG-OPTIONS...: a noisy test picture through cjpeg.
make()
{
    local w=$1 h=$2 name=$3
    shift 3
    ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc2=size=${w}x${h}:rate=1" \
        -vf "noise=alls=16:allf=t,hue=H=2" -frames:v 1 -f image2 -c:v ppm -y src.ppm ||
        fail "ffmpeg $w x $h"
    cjpeg "$@" -outfile "$name" src.ppm || fail "cjpeg $* for $name"
}

make 1600 1004 s420.jpg -quality 90 -sample 2x2
make 1600 1004 s422.jpg -quality 90 -sample 2x1
make 1600 1004 s440.jpg -quality 90 -sample 1x2
make 1600 1004 s444.jpg -quality 95 -sample 1x1
make 1600 1004 grey.jpg -quality 90 -grayscale
make 1600 1004 prog.jpg -quality 85 -progressive
make 1600 1004 rst.jpg -quality 85 -restart 3
make 1001 777 odd.jpg -quality 90 -sample 2x2
make 400 1300 narrow.jpg -quality 90 -sample 2x1
make 2000 513 wide.jpg -quality 90 -sample 2x2
make 513 513 just.jpg -quality 90 -sample 1x2
make 3000 2000 big.jpg -quality 80 -sample 2x2 -progressive
make 700 300 short.jpg -quality 90 -sample 2x2
# An RGB JPEG whose pixels are all grey: its sampled pixels are all grey, so the
# default path falls back to the full decode for the grey rule (on this picture
# the RGB and one-channel paths happen to give the same hash, so this checks the
# fallback runs cleanly, not that it is needed).
ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc2=size=1600x1004:rate=1" \
    -vf "format=gray,format=rgb24" -frames:v 1 -f image2 -c:v ppm -y grey.ppm || fail "ffmpeg grey"
cjpeg -quality 100 -sample 1x1 -rgb -outfile rgbgrey.jpg grey.ppm || fail "cjpeg -rgb"
# CMYK (Adobe-inverted) JPEGs are covered at 1600x1004 by modes/CMYK.jpg in the
# reference table (fp_expected.sh); cjpeg cannot write CMYK.

for f in *.jpg; do
    sampled=$("$MV" fingerprint --no-cache "$f") || fail "$f: default path failed"
    full=$("$MV" fingerprint --no-cache --exif-orient "$f") || fail "$f: full decode failed"
    [ -n "$sampled" ] && [ "$sampled" = "$full" ] ||
        fail "$f: sampled decode '$sampled' differs from the full decode '$full'"
done
# The same through the dihedral hashes (one DCT, eight hashes).
for f in s420.jpg grey.jpg narrow.jpg; do
    a=$("$MV" fingerprint --no-cache --dihedral "$f") || fail "$f: --dihedral failed"
    b=$("$MV" fingerprint --no-cache --dihedral --exif-orient "$f") || fail "$f: --dihedral full"
    [ "$a" = "$b" ] || fail "$f: dihedral hashes differ between the two decodes"
done
finish
