/*
 * RGB24 output buffers for swscale (media_png.c, fp_vpdq.c).
 *
 * swscale's SIMD code writes whole vectors, so past the end of an output row:
 * up to 16 bytes were seen with a 1000-pixel-wide WebP, which overran an image
 * whose rows are exactly width x 3 bytes. Its rows are therefore padded to
 * MV__SWS_ALIGN bytes, the first starts aligned to it, and MV__SWS_ALIGN spare
 * bytes follow the last.
 */
#ifndef MV_MEDIA_SWS_H
#define MV_MEDIA_SWS_H

#include <stddef.h>
#include <stdint.h>

#define MV__SWS_ALIGN 64

/* Bytes per padded row of width RGB24 pixels. */
static inline size_t mv__sws_line(size_t width)
{
    return (width * 3 + MV__SWS_ALIGN - 1) / MV__SWS_ALIGN * MV__SWS_ALIGN;
}

/* Bytes to allocate for rows of line bytes, alignment and spare included. */
static inline size_t mv__sws_size(size_t line, size_t rows)
{
    return line * rows + 2 * MV__SWS_ALIGN;
}

/* The first row in an allocation raw of mv__sws_size() bytes. */
static inline uint8_t *mv__sws_first(uint8_t *raw)
{
    return raw + (MV__SWS_ALIGN - (uintptr_t)raw % MV__SWS_ALIGN) % MV__SWS_ALIGN;
}

#endif
