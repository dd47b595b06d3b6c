/**
 * Fingerprints of files: the content type sniffed from the bytes, the MD5 of
 * the file, and a perceptual fingerprint (PDQ for images, SimHash for text),
 * cached in a catalog by content.
 *
 * A fingerprinter (mv_fp) holds the options, set by key, and optionally a
 * catalog used as cache: before decoding, the fingerprint of the same content
 * (MD5 and size) under the same algorithm variant and version is looked up, and
 * a computed one is stored. Once its options and catalog are set, one mv_fp
 * may be used by several threads at once: its calls into the catalog are
 * serialised by a lock of its own (the catalog must then not be used by
 * anything else meanwhile). Setting options or the catalog while another
 * thread fingerprints is not allowed.
 *
 * Since 0.2.
 */
#ifndef MEDIAVAULT_FINGERPRINT_H
#define MEDIAVAULT_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/api.h"
#include "mediavault/catalog.h"
#include "mediavault/digest.h"
#include "mediavault/error.h"
#include "mediavault/pdq.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Versions of the stored values; a change of results gets a new number.
 * PDQ 2 (0.7): a JPEG's default (sampled) decode now gives the full decode's
 * pixels with vertical sampling factors 3 and 4, and refuses the damaged files
 * that the full decode refuses; hashes cached as version 1 are computed again. */
#define MV_FP_PDQ_VERSION     2
#define MV_FP_SIMHASH_VERSION 1

/** Files larger than this are refused with MV_ETOOBIG (they are read whole). */
#define MV_FP_MAX_FILE_SIZE ((uint64_t)1 << 30)

/** Content types. */
typedef enum mv_fp_type {
    MV_FP_AUTO = 0, /**< sniff the bytes (option value only) */
    MV_FP_IMAGE = 1,
    MV_FP_TEXT = 2,
} mv_fp_type;

/** Options, set with mv_fp_set(). */
typedef enum mv_fp_opt {
    MV_FP_OPT_TYPE = 1,       /**< mv_fp_type; default MV_FP_AUTO */
    MV_FP_OPT_FULLRES = 2,    /**< 1: no 512x512 pre-resize for PDQ; default 0 */
    MV_FP_OPT_MAX_PIXELS = 3, /**< decoding limit from the header; 0 = MV_PDQ_DEFAULT_MAX_PIXELS */
    MV_FP_OPT_EXIF = 4,       /**< 1: apply the EXIF orientation first; default 0 */
    MV_FP_OPT_DIHEDRAL = 5,   /**< 1: compute the 8 dihedral PDQ hashes; default 0 */
    MV_FP_OPT_CACHE = 6,      /**< 0: neither read nor write the catalog cache; default 1 */
} mv_fp_opt;

/** The outcome for one file. */
typedef struct mv_fp_result {
    mv_fp_type type;                   /**< MV_FP_IMAGE or MV_FP_TEXT */
    const char *algorithm;             /**< "pdq" or "simhash64" (static) */
    mv_pdq_hash pdq[MV_PDQ_NDIHEDRAL]; /**< pdq[0]; all 8 with MV_FP_OPT_DIHEDRAL */
    int quality;                       /**< PDQ quality 0..100 */
    uint64_t simhash;                  /**< text fingerprint */
    uint64_t tokens;                   /**< words in the text */
    uint8_t md5[MV_MD5_LEN];
    uint64_t size;        /**< bytes in the file */
    double processing_ms; /**< wall time of this call */
    int cached;           /**< 1 when the fingerprint came from the catalog */
} mv_fp_result;

typedef struct mv_fp mv_fp;

/** Ownership: *out is released with mv_fp_free(). Errors: MV_EINVAL, MV_ENOMEM. */
MV_API mv_status mv_fp_new(mv_fp **out);

/** Releases a fingerprinter (not its catalog); NULL is accepted. */
MV_API void mv_fp_free(mv_fp *fp);

/** Sets an option. Returns MV_OK, or MV_EINVAL for an unknown key or a bad value. */
MV_API mv_status mv_fp_set(mv_fp *fp, mv_fp_opt key, long value);

/**
 * Uses catalog as the fingerprint cache (NULL: no cache).
 * Ownership: borrowed; it must stay open while fp is used with it.
 */
MV_API void mv_fp_set_catalog(mv_fp *fp, mv_catalog *catalog);

/**
 * Fingerprints one file.
 * Returns: MV_OK with *out filled.
 * Errors: MV_ENOENT, MV_EACCES, MV_EIO, MV_EISDIR, MV_ENOTREG (reading);
 *         MV_ECORRUPT (empty, truncated or corrupt data); MV_ENOTSUP (neither an
 *         image nor text, or not of the type asked for; with out->type MV_FP_IMAGE:
 *         an image this build cannot decode, such as HEIF without libheif, see
 *         mv_fp_heif_supported()); MV_EPARSE (asked for text, not valid UTF-8);
 *         MV_ETOOBIG (over the pixel or file limit); MV_ENOMEM.
 *         A failing cache is not an error: the fingerprint is computed anyway.
 * Ownership: path is borrowed for the call.
 */
MV_API mv_status mv_fp_file(mv_fp *fp, const char *path, mv_fp_result *out);

/**
 * Fingerprints bytes already in memory, exactly as mv_fp_file() would a file
 * holding them (MD5, sniffing, the cache).
 * Returns, errors: those of mv_fp_file() but the reading ones; MV_EINVAL for a
 * NULL fp or out, or NULL data with size > 0.
 * Ownership: data is borrowed for the call.
 * Since 0.3.
 */
MV_API mv_status mv_fp_mem(mv_fp *fp, const uint8_t *data, size_t size, mv_fp_result *out);

/**
 * Looks up the cache only: the fingerprint of the content (md5, size) as type
 * (MV_FP_IMAGE or MV_FP_TEXT) with fp's options.
 * Returns: MV_OK with *out filled and out->cached = 1; MV_ENOENT when the cache
 * has none (or fp has no catalog, or the cache is off); MV_EINVAL.
 * Ownership: md5 is borrowed for the call.
 * Since 0.3.
 */
MV_API mv_status mv_fp_cached(mv_fp *fp, mv_fp_type type, const uint8_t md5[MV_MD5_LEN],
                              uint64_t size, mv_fp_result *out);

/**
 * Stores a result computed by an mv_fp with the same options (typically one
 * without a catalog, in another thread) into fp's cache.
 * Returns: MV_OK (also when fp has no catalog or the cache is off); MV_EINVAL;
 *          the catalog's error, logged as a warning too.
 * Ownership: r is borrowed for the call.
 * Since 0.3.
 */
MV_API mv_status mv_fp_store(mv_fp *fp, const mv_fp_result *r);

/**
 * Guesses the type of content from its first bytes: image magic numbers (JPEG,
 * PNG, GIF, WebP, BMP, TIFF; HEIF/HEIC/AVIF by their ftyp brands), else text
 * when the bytes are valid UTF-8 with few control characters.
 * Returns MV_FP_IMAGE, MV_FP_TEXT or MV_FP_AUTO (neither).
 */
MV_API mv_fp_type mv_fp_sniff(const uint8_t *data, size_t len);

/**
 * Whether this build decodes HEIF images (HEIC, AVIF) through libheif. Without
 * it, a HEIF input is still sniffed as an image and fails with MV_ENOTSUP.
 * Returns: 1 or 0.
 * Since 0.4.
 */
MV_API int mv_fp_heif_supported(void);

/** "image", "text"; "unknown" for anything else. Ownership: static. */
MV_API const char *mv_fp_type_name(mv_fp_type type);

#ifdef __cplusplus
}
#endif

#endif
