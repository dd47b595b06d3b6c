/*
 * The fingerprint cache of the catalog: one value per (content, algorithm,
 * version), where a content is its (MD5, size).
 *
 * Content never changes, so a fingerprint computed once is valid forever under
 * the same algorithm and version: the same bytes under another path, or a
 * second run, find it here and are never decoded again. The value is an opaque
 * blob whose layout belongs to the algorithm (see src/fingerprint/fp_file.c);
 * the backends store it as given. A new algorithm version simply gets rows of
 * its own, and old rows stay readable by older programs.
 */
#include <string.h>

#include "catalog.h"

static mv_status check_key(const mv_catalog *c, const uint8_t *md5, const char *algorithm,
                           int version)
{
    if (c == NULL || c->impl == NULL || md5 == NULL || algorithm == NULL || *algorithm == '\0' ||
        version < 0)
        return MV_EINVAL;
    return MV_OK;
}

mv_status mv_catalog_fp_get(mv_catalog *c, const uint8_t md5[MV_MD5_LEN], uint64_t size,
                            const char *algorithm, int version, uint8_t *value, size_t cap,
                            size_t *len, int *quality)
{
    const mv__catalog_fp_key k = { md5, size, algorithm, version };
    mv_status st = check_key(c, md5, algorithm, version);

    if (st != MV_OK || len == NULL || quality == NULL || (value == NULL && cap > 0))
        return MV_EINVAL;
    return c->be->fp_get(c, &k, value, cap, len, quality);
}

mv_status mv_catalog_fp_put(mv_catalog *c, const uint8_t md5[MV_MD5_LEN], uint64_t size,
                            const char *algorithm, int version, const uint8_t *value, size_t len,
                            int quality, int64_t now)
{
    const mv__catalog_fp_key k = { md5, size, algorithm, version };
    mv_status st = check_key(c, md5, algorithm, version);

    if (st != MV_OK || value == NULL || len == 0 || len > INT32_MAX)
        return MV_EINVAL;
    return c->be->fp_put(c, &k, value, len, quality, now);
}
