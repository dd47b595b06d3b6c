/*
 * Fuzz target: the HEIF decoder entry point (media_heif.c), from bytes in
 * memory: the ftyp brand check, then libheif's parse of the boxes, the pixel
 * budget from the headers, the HEVC/AV1 decode and the copy to RGB24. The
 * budget is kept small so that a header may claim any size without the fuzzer
 * spending its time allocating.
 *
 * The seeds in corpus/heif are 16x16 and 24x16 images written with heif-enc
 * -q 30 (RGB, monochrome, alpha, AVIF), one with an irot property
 * (tests/fingerprint/heif_make, orientation 6), a truncated one, and two
 * found by this target, avif-empty-data and avif-bad-obu, on which libheif
 * 1.15's AV1 decoding leaks (lsan_heif.supp says what; the replay runs with
 * it). libheif itself is not instrumented, so libFuzzer's
 * coverage feedback sees only media_heif.c: this target mostly mutates the
 * seeds blindly, with AddressSanitizer watching our side of the calls. The
 * suppressions match only with full stacks (libheif has no frame pointers):
 *   ASAN_OPTIONS=fast_unwind_on_malloc=0 \
 *   LSAN_OPTIONS=suppressions=tests/fuzz/lsan_heif.supp:fast_unwind_on_malloc=0 \
 *   build/tests/fuzz/fuzz_heif CORPUS_DIR tests/fuzz/corpus/heif
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const size_t max_pixels = 2048 * 2048;
    mv__image img;

    memset(&img, 0, sizeof(img));
    (void)mv__image_is_heif(data, size);
    const mv_status st =
        mv__image_heif(data != NULL ? data : (const uint8_t *)"", size, max_pixels, &img);
    if (st == MV_OK &&
        (img.pixels == NULL || img.channels != 3 || img.width == 0 || img.height == 0 ||
         img.width > max_pixels / img.height || img.stride != img.width * 3))
        abort();
    mv__image_free(&img);
    return 0;
}
