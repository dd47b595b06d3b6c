/*
 * Private interface of the media layer: still images decoded into 8-bit pixels
 * the way the PDQ reference saw them (see media_image.c).
 */
#ifndef MV_MEDIA_H
#define MV_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"

/* Decoded pixels: rows of width samples of `channels` bytes (3 = RGB24, 1 = grey). */
typedef struct mv__image {
    uint8_t *pixels; /* owned; release with mv__image_free() */
    size_t width, height, stride;
    int channels;
    /* Rows of the whole image: height, or more when only some rows were decoded
     * (mv__image_decode_mem_sampled()); 0 from decoders that leave it unset. */
    size_t full_height;
} mv__image;

/* Decodes a JPEG, PNG, GIF, WebP, BMP, TIFF or HEIF held in memory; refuses more
 * than max_pixels (from the header). */
mv_status mv__image_decode_mem(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);

/* Like mv__image_decode_mem(), but a JPEG more than `rows` high may come back
 * with only rows i * full_height / rows (i < rows) decoded, in that order, and
 * full_height set (the others are skipped by libjpeg: entropy-decoded, never
 * colour-converted); such a JPEG wider than `rows` keeps only columns
 * j * its width / rows (j < rows), so width is then `rows`: the image is the
 * nearest-neighbour resize to rows x rows. The grey rule still sees the whole
 * image: if the sampled pixels are all grey, the image is decoded in full instead. */
mv_status mv__image_decode_mem_sampled(const uint8_t *data, size_t size, size_t max_pixels,
                                       size_t rows, mv__image *out);

/* Reads a whole file and decodes it. */
mv_status mv__image_decode_file(const char *path, size_t max_pixels, mv__image *out);

/* Releases the pixels; NULL-safe, and safe on a zeroed image. */
void mv__image_free(mv__image *img);

/* Backends, each filling out with RGB24 or grey (before the grey rule). */
mv_status mv__image_jpeg(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
/* mv__image_jpeg() keeping only `rows` sampled rows when the image is higher (0: all). */
mv_status mv__image_jpeg_rows(const uint8_t *data, size_t size, size_t max_pixels, size_t rows,
                              mv__image *out);
mv_status mv__image_png(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
/* GIF (first frame), WebP, BMP and TIFF through FFmpeg, sizes checked from the header
 * first (media_formats.c); MV_ENOTSUP when data is none of them. */
mv_status mv__image_other(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
/* 1 when data is a HEIF file (HEIC, AVIF: an ISO BMFF ftyp box of a HEIF brand);
 * needs no libheif (media_heif.c). */
int mv__image_is_heif(const uint8_t *data, size_t size);
/* 1 when this build decodes HEIF (libheif was found). */
int mv__image_heif_supported(void);
/* The primary image of a HEIF file, as displayed (irot/imir/clap applied), alpha
 * dropped; MV_ENOTSUP in a build without libheif. */
mv_status mv__image_heif(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
/* Decodes data as one packet of the FFmpeg decoder codec_id (an enum AVCodecID). */
mv_status mv__image_ffmpeg(int codec_id, const uint8_t *data, size_t size, size_t max_pixels,
                           mv__image *out);

/* The EXIF Orientation (1..8) of a JPEG; 1 when it has none. */
int mv__image_exif_orientation(const uint8_t *data, size_t size);
/* Turns img as EXIF orientation o says (2..8; 1 or others leave it as is). */
mv_status mv__image_orient(mv__image *img, int o);

/* Allocates pixels for width x height x channels, refusing more than max_pixels. */
mv_status mv__image_alloc(mv__image *img, size_t width, size_t height, int channels,
                          size_t max_pixels);

/* A TIFF structure held in memory: a TIFF file, or the body of an EXIF segment
 * (media_tiff.c). */
typedef struct mv__tiff {
    const uint8_t *d;
    size_t n;
    int big; /* "MM": big-endian */
} mv__tiff;

/* 1 when d holds a TIFF header (byte order and 42), then t reads it. */
int mv__tiff_open(mv__tiff *t, const uint8_t *d, size_t n);
/* The SHORT or LONG value of tag in the first IFD; 0 when absent or unreadable. */
uint32_t mv__tiff_tag(const mv__tiff *t, uint32_t tag);

#endif
