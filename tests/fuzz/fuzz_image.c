/*
 * Fuzz target: image decoding (JPEG through libjpeg-turbo, PNG through FFmpeg,
 * HEIF through libheif when built in) followed by PDQ, from bytes in memory.
 * The pixel budget is kept small so that a header may claim any size without
 * the fuzzer spending its time allocating.
 */
#include <stdint.h>
#include <stdlib.h>

#include "mediavault/pdq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mv_pdq_hash h[MV_PDQ_NDIHEDRAL];
    int quality = -1;
    const size_t max_pixels = 4096 * 4096;

    const mv_status st = mv_pdq_mem(data, size, 0, max_pixels, size % 2, h, &quality);
    if (st == MV_OK && (quality < 0 || quality > 100))
        abort();
    return 0;
}
