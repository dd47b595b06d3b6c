/*
 * Fingerprint of a file, with the catalog as a cache keyed by content.
 *
 * The file is read once into memory: its MD5 is the cache key (with its size),
 * its first bytes say what it is (fp_sniff.c), and the same bytes are then
 * decoded, so a file that changes while we work can never pair one content's
 * MD5 with another's fingerprint. A cache hit costs the read and the MD5 only.
 *
 * Cache rows are keyed by (md5, size, algorithm, version), where the algorithm
 * name carries the variant, because the options change the result:
 * "pdq", "pdq+fullres", "pdq+exif", "pdq+dihedral" and their combinations, and
 * "simhash64". Stored values (big-endian, so that rows read the same anywhere):
 *   pdq        32 bytes per hash (words[0] first, each word high byte first);
 *              8 hashes in mv_pdq_dihedral order for a +dihedral variant;
 *              the quality in the quality column.
 *   simhash64  the 8-byte hash, then the 8-byte token count; no quality.
 * A failing cache never fails the fingerprint: it is computed anyway.
 *
 * Threads: the options are only read once set, and every use of the borrowed
 * catalog goes through fp->lock, so that several threads may fingerprint with
 * one mv_fp (and one catalog handle, which SQLite opened NOMUTEX does not
 * allow to share otherwise). Catalog calls are short next to decoding, so one
 * lock costs little. mv_fp_cached() and mv_fp_store() split the cache from the
 * work for a caller (the scanner) that owns the catalog in one thread and
 * computes in others.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../core/core.h"
#include "../media/media.h"
#include "fp_file.h"
#include "fp_pdq.h"
#include "mediavault/fingerprint.h"
#include "mediavault/text.h"

#define ALGO_MAX    48
#define VALUE_MAX   (MV_PDQ_NDIHEDRAL * MV_PDQ_WORDS * 2)
#define SIMHASH_LEN 16

struct mv_fp {
    mv_fp_type type;
    int fullres, exif, dihedral, cache;
    size_t max_pixels;
    mv_catalog *catalog;  /* borrowed; used under lock only */
    pthread_mutex_t lock; /* serialises the catalog calls */
};

mv_status mv_fp_new(mv_fp **out)
{
    if (out == NULL)
        return MV_EINVAL;
    *out = mv__calloc(1, sizeof(**out));
    if (*out == NULL)
        return MV_ENOMEM;
    if (pthread_mutex_init(&(*out)->lock, NULL) != 0) {
        mv__free(*out);
        *out = NULL;
        return MV_ENOMEM;
    }
    (*out)->cache = 1;
    return MV_OK;
}

void mv_fp_free(mv_fp *fp)
{
    if (fp == NULL)
        return;
    pthread_mutex_destroy(&fp->lock);
    mv__free(fp);
}

mv_status mv_fp_set(mv_fp *fp, mv_fp_opt key, long value)
{
    if (fp == NULL || value < 0)
        return MV_EINVAL;
    switch (key) {
    case MV_FP_OPT_TYPE:
        if (value > MV_FP_TEXT)
            return MV_EINVAL;
        fp->type = (mv_fp_type)value;
        return MV_OK;
    case MV_FP_OPT_MAX_PIXELS:
        fp->max_pixels = (size_t)value;
        return MV_OK;
    case MV_FP_OPT_FULLRES:
    case MV_FP_OPT_EXIF:
    case MV_FP_OPT_DIHEDRAL:
    case MV_FP_OPT_CACHE:
        break;
    default:
        return MV_EINVAL;
    }
    if (value > 1)
        return MV_EINVAL;
    int *flag = key == MV_FP_OPT_FULLRES ? &fp->fullres
                : key == MV_FP_OPT_EXIF  ? &fp->exif
                : key == MV_FP_OPT_CACHE ? &fp->cache
                                         : &fp->dihedral;
    *flag = (int)value;
    return MV_OK;
}

void mv_fp_set_catalog(mv_fp *fp, mv_catalog *catalog)
{
    if (fp != NULL)
        fp->catalog = catalog;
}

/* ---- reading ----------------------------------------------------------- */

/* Reads a whole regular file; *data is released with mv__free(). */
static mv_status read_file(const char *path, uint8_t **data, size_t *size)
{
    struct stat sb;
    mv_status st = MV_OK;

    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return mv_status_from_errno(errno);
    if (fstat(fd, &sb) != 0)
        st = mv_status_from_errno(errno);
    else if (!S_ISREG(sb.st_mode))
        st = S_ISDIR(sb.st_mode) ? MV_EISDIR : MV_ENOTREG;
    else if ((uint64_t)sb.st_size > MV_FP_MAX_FILE_SIZE)
        st = MV_ETOOBIG;
    if (st == MV_OK) {
        *size = (size_t)sb.st_size;
        *data = mv__malloc(*size ? *size : 1);
        st = *data == NULL ? MV_ENOMEM : mv__read_full(fd, *data, *size);
    }
    close(fd);
    return st;
}

/* ---- the cache --------------------------------------------------------- */

static void algo_name(const mv_fp *fp, mv_fp_type type, char out[ALGO_MAX])
{
    if (type == MV_FP_TEXT) {
        memcpy(out, "simhash64", sizeof("simhash64"));
        return;
    }
    mv__fmt(out, ALGO_MAX, "pdq%s%s%s", fp->fullres ? "+fullres" : "", fp->exif ? "+exif" : "",
            fp->dihedral ? "+dihedral" : "");
}

static size_t pack(const mv_fp_result *r, int n_pdq, uint8_t v[VALUE_MAX])
{
    size_t k = 0;

    if (r->type == MV_FP_TEXT) {
        for (int i = 7; i >= 0; i--)
            v[k++] = (uint8_t)(r->simhash >> (8 * i));
        for (int i = 7; i >= 0; i--)
            v[k++] = (uint8_t)(r->tokens >> (8 * i));
        return k;
    }
    for (int h = 0; h < n_pdq; h++)
        for (int w = 0; w < MV_PDQ_WORDS; w++) {
            v[k++] = (uint8_t)(r->pdq[h].words[w] >> 8);
            v[k++] = (uint8_t)r->pdq[h].words[w];
        }
    return k;
}

static int unpack(mv_fp_result *r, int n_pdq, const uint8_t *v, size_t len, int quality)
{
    if (r->type == MV_FP_TEXT) {
        if (len != SIMHASH_LEN)
            return 0;
        for (int i = 0; i < 8; i++) {
            r->simhash = r->simhash << 8 | v[i];
            r->tokens = r->tokens << 8 | v[8 + i];
        }
        return 1;
    }
    if (len != (size_t)n_pdq * MV_PDQ_WORDS * 2 || quality < 0 || quality > 100)
        return 0;
    for (int h = 0; h < n_pdq; h++)
        for (int w = 0; w < MV_PDQ_WORDS; w++, v += 2)
            r->pdq[h].words[w] = (uint16_t)(v[0] << 8 | v[1]);
    r->quality = quality;
    return 1;
}

static int version_of(mv_fp_type type)
{
    return type == MV_FP_TEXT ? MV_FP_SIMHASH_VERSION : MV_FP_PDQ_VERSION;
}

static int cache_get(mv_fp *fp, const char *algo, int n_pdq, mv_fp_result *r)
{
    uint8_t v[VALUE_MAX];
    size_t len = 0;
    int quality = -1;

    if (fp->catalog == NULL || !fp->cache)
        return 0;
    pthread_mutex_lock(&fp->lock);
    const mv_status st = mv_catalog_fp_get(fp->catalog, r->md5, r->size, algo, version_of(r->type),
                                           v, sizeof(v), &len, &quality);
    pthread_mutex_unlock(&fp->lock);
    return st == MV_OK && unpack(r, n_pdq, v, len, quality);
}

static mv_status cache_put(mv_fp *fp, const char *algo, int n_pdq, const mv_fp_result *r)
{
    uint8_t v[VALUE_MAX];

    if (fp->catalog == NULL || !fp->cache)
        return MV_OK;
    const size_t len = pack(r, n_pdq, v);
    pthread_mutex_lock(&fp->lock);
    const mv_status st =
        mv_catalog_fp_put(fp->catalog, r->md5, r->size, algo, version_of(r->type), v, len,
                          r->type == MV_FP_TEXT ? -1 : r->quality, (int64_t)time(NULL));
    if (st != MV_OK)
        mv__log(MV_LOG_WARN, "fingerprint cache: %s", mv_catalog_errmsg(fp->catalog));
    pthread_mutex_unlock(&fp->lock);
    return st;
}

/* ---- computing --------------------------------------------------------- */

static mv_status image_hash(const mv_fp *fp, const uint8_t *data, size_t size, mv_fp_result *r)
{
    mv__image img;
    const unsigned flags = fp->fullres ? MV_PDQ_FULLRES : 0;
    /* Without full resolution or EXIF turns, only the rows that the pre-resize
     * samples are decoded to RGB (bit-identical, see fp_pdq.h). */
    const int sampled = !fp->fullres && !fp->exif;
    mv_status st = mv__image_decode_mem_sampled(
        data, size, fp->max_pixels ? fp->max_pixels : MV_PDQ_DEFAULT_MAX_PIXELS,
        sampled ? PDQ_SAMPLED_ROWS : 0, &img);

    if (st != MV_OK)
        return st;
    if (fp->exif)
        st = mv__image_orient(&img, mv__image_exif_orientation(data, size));
    if (st == MV_OK && sampled)
        st = mv__pdq_sampled_pixels(img.pixels, img.width, img.height, img.full_height, img.stride,
                                    img.channels, fp->dihedral, r->pdq, &r->quality);
    else if (st == MV_OK && fp->dihedral)
        st = mv_pdq_dihedral_pixels(img.pixels, img.width, img.height, img.stride, img.channels,
                                    flags, r->pdq, &r->quality);
    else if (st == MV_OK)
        st = mv_pdq_pixels(img.pixels, img.width, img.height, img.stride, img.channels, flags,
                           r->pdq, &r->quality);
    mv__image_free(&img);
    return st;
}

static mv_status text_hash(const uint8_t *data, size_t size, mv_fp_result *r)
{
    size_t tokens = 0, bad = 0;
    const mv_status st =
        mv_text_simhash(data, size, mv_text_detect(data, size), &r->simhash, &tokens, &bad);

    r->tokens = tokens;
    return st;
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Type, cache, compute, store: everything after the bytes are in memory. */
static mv_status fingerprint(mv_fp *fp, const uint8_t *data, size_t size, mv_fp_result *r)
{
    char algo[ALGO_MAX];
    const mv_fp_type sniffed = mv_fp_sniff(data, size);
    const int n_pdq = fp->dihedral ? MV_PDQ_NDIHEDRAL : 1;

    if (size == 0)
        return MV_ECORRUPT;
    r->type = fp->type != MV_FP_AUTO ? fp->type : sniffed;
    if (r->type == MV_FP_AUTO)
        return MV_ENOTSUP;
    if (r->type == MV_FP_IMAGE && sniffed != MV_FP_IMAGE) {
        r->type = sniffed; /* MV_ENOTSUP on an image means: no decoder in this build */
        return MV_ENOTSUP;
    }
    r->algorithm = r->type == MV_FP_TEXT ? "simhash64" : "pdq";
    algo_name(fp, r->type, algo);
    if (cache_get(fp, algo, n_pdq, r)) {
        r->cached = 1;
        return MV_OK;
    }
    const mv_status st =
        r->type == MV_FP_TEXT ? text_hash(data, size, r) : image_hash(fp, data, size, r);
    if (st == MV_OK)
        (void)cache_put(fp, algo, n_pdq, r);
    return st;
}

/* MD5, then fingerprint(): the bytes are the caller's. */
static mv_status fingerprint_bytes(mv_fp *fp, const uint8_t *data, size_t size, mv_fp_result *out)
{
    uint8_t md5[MV_DIGEST_MAX_LEN];
    mv_status st = mv_digest_buffer(MV_DIGEST_MD5, data, size, md5);

    if (st != MV_OK)
        return st;
    memcpy(out->md5, md5, MV_MD5_LEN);
    out->size = size;
    return fingerprint(fp, data, size, out);
}

mv_status mv_fp_file(mv_fp *fp, const char *path, mv_fp_result *out)
{
    struct timespec t0;
    uint8_t *data = NULL;
    size_t size = 0;

    if (fp == NULL || path == NULL || out == NULL)
        return MV_EINVAL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(out, 0, sizeof(*out));
    mv_status st = read_file(path, &data, &size);
    if (st == MV_OK)
        st = fingerprint_bytes(fp, data, size, out);
    mv__free(data);
    out->processing_ms = elapsed_ms(&t0);
    return st;
}

/* mv_fp_mem() and mv__fp_mem_md5(): the MD5 computed here when md5 is NULL. */
static mv_status fingerprint_mem(mv_fp *fp, const uint8_t *data, size_t size, const uint8_t *md5,
                                 mv_fp_result *out)
{
    struct timespec t0;
    mv_status st = MV_OK;

    if (fp == NULL || (data == NULL && size > 0) || out == NULL)
        return MV_EINVAL;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(out, 0, sizeof(*out));
    if (data == NULL)
        data = (const uint8_t *)"";
    if ((uint64_t)size > MV_FP_MAX_FILE_SIZE)
        st = MV_ETOOBIG;
    else if (md5 == NULL)
        st = fingerprint_bytes(fp, data, size, out);
    else {
        memcpy(out->md5, md5, MV_MD5_LEN);
        out->size = size;
        st = fingerprint(fp, data, size, out);
    }
    out->processing_ms = elapsed_ms(&t0);
    return st;
}

mv_status mv_fp_mem(mv_fp *fp, const uint8_t *data, size_t size, mv_fp_result *out)
{
    return fingerprint_mem(fp, data, size, NULL, out);
}

mv_status mv__fp_mem_md5(mv_fp *fp, const uint8_t *data, size_t size, const uint8_t md5[MV_MD5_LEN],
                         mv_fp_result *out)
{
    return md5 == NULL ? MV_EINVAL : fingerprint_mem(fp, data, size, md5, out);
}

mv_status mv_fp_cached(mv_fp *fp, mv_fp_type type, const uint8_t md5[MV_MD5_LEN], uint64_t size,
                       mv_fp_result *out)
{
    char algo[ALGO_MAX];

    if (fp == NULL || md5 == NULL || out == NULL || (type != MV_FP_IMAGE && type != MV_FP_TEXT))
        return MV_EINVAL;
    memset(out, 0, sizeof(*out));
    out->type = type;
    out->algorithm = type == MV_FP_TEXT ? "simhash64" : "pdq";
    memcpy(out->md5, md5, MV_MD5_LEN);
    out->size = size;
    algo_name(fp, type, algo);
    if (!cache_get(fp, algo, fp->dihedral ? MV_PDQ_NDIHEDRAL : 1, out))
        return MV_ENOENT;
    out->cached = 1;
    return MV_OK;
}

mv_status mv_fp_store(mv_fp *fp, const mv_fp_result *r)
{
    char algo[ALGO_MAX];

    if (fp == NULL || r == NULL || (r->type != MV_FP_IMAGE && r->type != MV_FP_TEXT))
        return MV_EINVAL;
    algo_name(fp, r->type, algo);
    return cache_put(fp, algo, fp->dihedral ? MV_PDQ_NDIHEDRAL : 1, r);
}
