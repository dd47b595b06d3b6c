#!/bin/bash
# Usage: fp_sws_guard.sh MEDIAVAULT VECTORS_DIR FP_GUARD
# Images whose decoded pixel format is converted to RGB by swscale (WebP's
# yuv420p, BMP's bgr24, GIF's bgra, TIFF's yuv420p), at widths whose rows end
# off any SIMD boundary. swscale writes whole vectors, past the end of a row;
# the decoder must give it room, or it writes past the end of the image.
# FP_GUARD (fp_guard.c) fingerprints them with guard bytes after every block
# the library allocates, which catches a write past the end even from FFmpeg's
# uninstrumented code; when valgrind is installed and the program is not built
# with a sanitizer, the program itself runs under valgrind too.
guard=$3
. "$(dirname "$0")/fp_lib.sh"
need_program ffmpeg
[ -x "$guard" ] || fail "no fp_guard program: $guard"

files=()
add()
{
    local name=$1 size=$2 fmt=$3
    shift 3
    ffmpeg -nostdin -loglevel error -f lavfi -i "testsrc2=size=$size" -frames:v 1 -pix_fmt "$fmt" \
        "$@" "$name" || fail "ffmpeg could not write $name"
    files+=("$name")
}
# The reported case (1000x600 yuv420p WebP), then small heights: the overrun is
# at the end of the last row, whatever the height.
add w1000x600.webp 1000x600 yuv420p
for w in 999 1001 17 33; do
    add "w$w.webp" "${w}x6" yuv420p
done
for w in 1000 999 1001 17 33; do
    add "w$w.bmp" "${w}x5" bgr24
    add "w$w.gif" "${w}x5" bgr8
    add "w$w.tiff" "${w}x6" yuv420p
done

"$guard" "${files[@]}" >guard.out 2>guard.err
rc=$?
[ "$rc" = 0 ] || fail "fp_guard exit $rc: $(cat guard.out guard.err)"
[ "$(grep -c '^OK ' guard.out)" = "${#files[@]}" ] || fail "fp_guard: $(cat guard.out)"

# The same files through the program, which must agree with itself.
"$MV" fingerprint --no-cache --jobs 1 "${files[@]}" >fp.out 2>fp.err ||
    fail "fingerprint: $(cat fp.err)"
[ "$(grep -c '^pdq ' fp.out)" = "${#files[@]}" ] || fail "fingerprint: $(cat fp.out)"

if ! command -v valgrind >/dev/null 2>&1; then
    echo "note: valgrind not installed, its run skipped"
elif ldd "$MV" | grep -q 'lib[at]san'; then
    echo "note: the program is built with a sanitizer, valgrind's run skipped"
else
    valgrind -q --error-exitcode=9 "$MV" fingerprint --no-cache --jobs 1 "${files[@]}" \
        >vg.out 2>vg.err
    rc=$?
    [ "$rc" = 0 ] || fail "valgrind: exit $rc: $(head -40 vg.err)"
fi

finish
