#!/usr/bin/env bash
# Fingerprinting JPEGs and texts loads libjpeg-turbo (mediavault-jpeg.so) and
# never FFmpeg, Chromaprint or libheif (mediavault-media.so): LD_DEBUG=files
# names every object a run loads. The sampled decode (the default), the full
# one (--full-res) and EXIF orientation (--exif-orient) each stay on the JPEG
# plugin, and give the reference's hashes when the vectors are there; so does
# `scan --fingerprint` of JPEGs and texts. A PNG after a JPEG in the same run
# loads the media plugin then and gets the hash it gets alone.
. "$(dirname "$0")/fp_lib.sh"
need_program ffmpeg
cd "$T" || exit 3

heavy='libav(codec|format|util|filter|device)|libsw(scale|resample)|libchromaprint|libheif'
heavy="$heavy|mediavault-media\\.so"

# run WHAT CMD...: runs CMD (stdout to out) and lists what it loaded in loaded.
run()
{
    local what=$1
    shift
    LD_DEBUG=files "$@" >out 2>debug.log || fail "$what: exit status $? ($(grep -v '^ *[0-9]*:' debug.log))"
    grep -o 'file=[^ ]*' debug.log | sed 's/^file=//' | sort -u >loaded
}
# jpeg_only WHAT: the last run loaded the JPEG plugin and libjpeg, and no heavier decoder.
jpeg_only()
{
    grep -q 'mediavault-jpeg\.so' loaded || fail "$1: the JPEG plugin not loaded"
    grep -q 'libjpeg' loaded || fail "$1: libjpeg not loaded"
    if grep -Eq "$heavy" loaded; then
        fail "$1 loaded: $(grep -E "$heavy" loaded | tr '\n' ' ')"
    fi
}

# Made here: a photo larger than PDQ's 512 (sampled rows), a small one (decoded
# whole), a grey one, a 4:4:4 one, a PNG and a text.
gen()
{
    ffmpeg -nostdin -loglevel error -f lavfi -i "$1" -frames:v 1 "${@:3}" "$2" || exit 3
}
gen testsrc2=size=800x600:rate=1 a.jpg
gen testsrc=size=96x64:rate=1 small.jpg
gen smptebars=size=640x480:rate=1 grey.jpg -pix_fmt gray
gen mandelbrot=size=700x520:rate=1 full.jpg -pix_fmt yuvj444p
gen testsrc2=size=320x240:rate=1 b.png
printf 'the quick brown fox jumps over the lazy dog\n' >a.txt
jpegs=(a.jpg small.jpg grey.jpg full.jpg)

run "JPEGs and a text" "$MV" fingerprint --no-cache "${jpegs[@]}" a.txt
jpeg_only "JPEGs and a text"
[ "$(grep -c '^pdq [0-9a-f]\{64\} [0-9]* ' out)" = 4 ] && grep -q '^simhash64 ' out ||
    fail "JPEGs and a text: $(cat out)"
cp out sampled.out
run "--full-res" "$MV" fingerprint --no-cache --full-res "${jpegs[@]}"
jpeg_only "--full-res"
run "--exif-orient" "$MV" fingerprint --no-cache --exif-orient "${jpegs[@]}"
jpeg_only "--exif-orient"
run "--dihedral" "$MV" fingerprint --no-cache --dihedral "${jpegs[@]}"
jpeg_only "--dihedral"
mkdir tree
cp "${jpegs[@]}" a.txt tree/
run "scan --fingerprint" "$MV" --catalog "$T/scan.db" scan --fingerprint tree
jpeg_only "scan --fingerprint"
run "hash" "$MV" hash "${jpegs[@]}"
grep -Eq "$heavy|libjpeg|mediavault-jpeg" loaded && fail "hash loaded a decoder"

# A PNG after a JPEG, in one run: the media plugin is loaded for it, and both
# results are those of a run of their own.
"$MV" fingerprint --no-cache b.png >png.out || fail "PNG alone"
run "a JPEG, then a PNG" "$MV" fingerprint --no-cache --jobs 1 a.jpg b.png
grep -q 'mediavault-media\.so' loaded || fail "a PNG did not load the media plugin"
grep -q 'libavcodec' loaded || fail "a PNG did not load libavcodec"
head -n 1 sampled.out | cat - png.out >want
same_file "a JPEG, then a PNG" want out

# The reference vectors, when there: every JPEG's hash, sampled, whole and
# turned, from the JPEG plugin alone.
if [ -n "$VEC" ] && [ -f "$VEC/expected.tsv" ]; then
    for tsv in expected.tsv expected-fullres.tsv expected-exif-oriented.tsv; do
        [ -f "$VEC/$tsv" ] || continue
        opt=()
        [ "$tsv" = expected-fullres.tsv ] && opt=(--full-res)
        [ "$tsv" = expected-exif-oriented.tsv ] && opt=(--exif-orient)
        tail -n +2 "$VEC/$tsv" | grep -i '\.jpe\?g	' >rows
        [ -s rows ] || continue
        cut -f1 rows >files
        awk -F'\t' '{ print "pdq", $2, $3, $1 }' rows >want
        (cd "$VEC" && xargs -d '\n' env LD_DEBUG=files "$MV" fingerprint --no-cache \
            "${opt[@]}" <"$T/files" >"$T/got" 2>"$T/debug.log") || fail "$tsv: exit status"
        grep -o 'file=[^ ]*' debug.log | sed 's/^file=//' | sort -u >loaded
        jpeg_only "$tsv"
        same_file "$tsv (JPEG rows)" want got
    done
else
    echo "note: no PDQ reference vectors, their JPEGs skipped"
fi
finish
