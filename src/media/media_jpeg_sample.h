/*
 * The sampled JPEG decoder (media_jpeg_sample.c): PDQ's nearest-neighbour
 * sample of a sequential Huffman JPEG, from its entropy-coded data and the
 * tables libjpeg read from its headers.
 */
#ifndef MV_MEDIA_JPEG_SAMPLE_H
#define MV_MEDIA_JPEG_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"

/* What the headers say, in component order (which must be the scan's order). */
typedef struct mv__jpeg_layout {
    size_t width, height;
    int ncomp;                 /* 1: grey; 3: YCbCr */
    unsigned restart_interval; /* MCUs, 0: none */
    struct {
        int h, v;               /* sampling factors */
        const uint16_t *quant;  /* 64 values, natural order */
        const uint8_t *dc_bits; /* bits[0..16] of the DC table (bits[0] unused) */
        const uint8_t *dc_vals;
        const uint8_t *ac_bits;
        const uint8_t *ac_vals;
    } comp[3];
    const uint8_t *data; /* the entropy-coded data, up to the end of the file */
    size_t size;
} mv__jpeg_layout;

/*
 * Fills out (rows x rows pixels, or rows x width when the image is no wider
 * than rows; RGB or grey; full_height set) with the pixels libjpeg-turbo's full
 * decode has at rows i * height / rows and columns j * width / rows. The image
 * must be taller than rows. MV_ENOTSUP when the layout is not one this decoder
 * handles or the data holds anything unusual (nothing is returned then);
 * MV_ENOMEM; MV_ETOOBIG over max_pixels.
 */
mv_status mv__jpeg_sample_decode(const mv__jpeg_layout *l, size_t rows, size_t max_pixels,
                                 mv__image *out);

/* Tests: 1 makes the inverse DCT the plain C one even where the SSE2 one runs
 * by default (both give the same pixels and refuse the same blocks). */
void mv__jpeg_sample_portable(int on);

#endif
