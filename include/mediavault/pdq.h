/**
 * PDQ: Meta's 256-bit perceptual image hash, bit-exact with the reference.
 *
 * A hash is sixteen 16-bit words; bit 16*row+col of the hash is DCT coefficient
 * (row, col) above the median. The hex form writes the words last first, four
 * lowercase hex digits each (64 characters), as the reference CLI does.
 * Since 0.x.
 */
#ifndef MEDIAVAULT_PDQ_H
#define MEDIAVAULT_PDQ_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/api.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MV_PDQ_WORDS              16
#define MV_PDQ_HEX_LEN            64 /* characters, without the NUL */
#define MV_PDQ_NDIHEDRAL          8
/** Default limit on width*height for decoding, checked from the file header. */
#define MV_PDQ_DEFAULT_MAX_PIXELS ((size_t)100 * 1000 * 1000)

/** A PDQ hash: words[k / 16] bit (k % 16) is bit k. */
typedef struct mv_pdq_hash {
    uint16_t words[MV_PDQ_WORDS];
} mv_pdq_hash;

/** Flags for the mv_pdq_* calls. */
enum mv_pdq_flag {
    /** Hash the image at full resolution: no 512x512 nearest-neighbour pre-resize
     * (the reference library API, pdqhash-python, vPDQ frames). */
    MV_PDQ_FULLRES = 1u << 0,
};

/** The eight dihedral transforms, in the order mv_pdq_dihedral_pixels() fills them. */
enum mv_pdq_dihedral {
    MV_PDQ_ORIG = 0,
    MV_PDQ_ROT90,
    MV_PDQ_ROT180,
    MV_PDQ_ROT270,
    MV_PDQ_FLIPX,
    MV_PDQ_FLIPY,
    MV_PDQ_FLIPP,
    MV_PDQ_FLIPM,
};

/**
 * Hashes a pixel buffer.
 * Params: pixels: rows of width samples of `channels` bytes (3 = RGB24, 1 = grey,
 *         whose sample is used as luma); stride: bytes from one row to the next;
 *         flags: MV_PDQ_FULLRES or 0.
 * Returns: MV_OK, with *hash and *quality (0..100) set. Images smaller than 5
 *          pixels on a side get the all-zero hash and quality 0.
 * Errors: MV_EINVAL (NULL, bad channels, stride too small), MV_ENOMEM.
 * Ownership: borrows pixels for the call only.
 */
MV_API mv_status mv_pdq_pixels(const uint8_t *pixels, size_t width, size_t height, size_t stride,
                               int channels, unsigned flags, mv_pdq_hash *hash, int *quality);

/**
 * Like mv_pdq_pixels(), but fills out[MV_PDQ_NDIHEDRAL] with the hashes of the
 * eight rotations and flips of the image (enum mv_pdq_dihedral order), all from
 * one DCT.
 */
MV_API mv_status mv_pdq_dihedral_pixels(const uint8_t *pixels, size_t width, size_t height,
                                        size_t stride, int channels, unsigned flags,
                                        mv_pdq_hash out[MV_PDQ_NDIHEDRAL], int *quality);

/**
 * Decodes an image file (JPEG through libjpeg-turbo, PNG and others through
 * FFmpeg) the way the reference CLI does and hashes it.
 * Params: max_pixels: refuse images with more pixels (0 = MV_PDQ_DEFAULT_MAX_PIXELS);
 *         out: one hash, or MV_PDQ_NDIHEDRAL when dihedral is nonzero.
 * Errors: MV_ENOENT/MV_EACCES/MV_EIO (reading), MV_ENOTSUP (unknown format),
 *         MV_ECORRUPT (truncated or corrupt data), MV_ETOOBIG (over max_pixels), MV_ENOMEM.
 */
MV_API mv_status mv_pdq_file(const char *path, unsigned flags, size_t max_pixels, int dihedral,
                             mv_pdq_hash *out, int *quality);

/** mv_pdq_file() on an image already in memory. Ownership: borrows data for the call. */
MV_API mv_status mv_pdq_mem(const uint8_t *data, size_t size, unsigned flags, size_t max_pixels,
                            int dihedral, mv_pdq_hash *out, int *quality);

/** Writes the 64 hex digits and a NUL into out. */
MV_API void mv_pdq_to_hex(const mv_pdq_hash *hash, char out[MV_PDQ_HEX_LEN + 1]);

/**
 * Parses exactly 64 hex digits (either case) from hex, which needs no NUL after them.
 * Errors: MV_EPARSE for a short string or a non-hex digit; MV_EINVAL for NULL.
 */
MV_API mv_status mv_pdq_from_hex(const char *hex, size_t len, mv_pdq_hash *hash);

/** Hamming distance between two hashes (0..256). */
MV_API int mv_pdq_distance(const mv_pdq_hash *a, const mv_pdq_hash *b);

#ifdef __cplusplus
}
#endif

#endif
