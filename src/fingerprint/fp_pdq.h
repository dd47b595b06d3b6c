/*
 * Private PDQ entry for decoders that hand over only the rows the 512x512
 * nearest-neighbour pre-resize samples (fp_pdq_file.c, fp_file.c with
 * media_jpeg.c's row skipping): the hash is bit-identical to mv_pdq_pixels()
 * on the full image, without the full image ever being decoded to RGB.
 */
#ifndef MV_FP_PDQ_H
#define MV_FP_PDQ_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/pdq.h"

/* Rows of the nearest-neighbour pre-resize (fp_pdq.c's PDQ_RESIZE_TO). */
#define PDQ_SAMPLED_ROWS 512

/* Hashes (flags 0, i.e. with the pre-resize) an image full_height rows high of
 * which pixels holds height rows: all of them when height == full_height, else
 * exactly PDQ's 512 sampled rows, row i being source row i * full_height / 512
 * (full_height > 512); its columns may be all of the image's or already its 512
 * sampled ones (the nearest-neighbour column pick of a 512-wide image is the
 * identity). out: one hash, or MV_PDQ_NDIHEDRAL when dihedral is
 * nonzero. Errors as mv_pdq_pixels(); MV_EINVAL for any other row count.
 * Ownership: borrows pixels for the call only. */
mv_status mv__pdq_sampled_pixels(const uint8_t *pixels, size_t width, size_t height,
                                 size_t full_height, size_t stride, int channels, int dihedral,
                                 mv_pdq_hash *out, int *quality);

#endif
