/*
 * The scalar engine: OpenSSL 3 EVP for every algorithm.
 *
 * OpenSSL's assembly is the reference for speed on one stream (SHA-256 uses
 * SHA-NI where the CPU has it). The EVP_MD objects are fetched once and shared
 * by all threads, which OpenSSL allows for fetched algorithms.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

#include "engine.h"

static EVP_MD *mds[4];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    static const char *const names[] = { "MD5", "SHA1", "SHA256", "BLAKE2B-512" };

    for (size_t i = 0; i < 4; i++)
        mds[i] = EVP_MD_fetch(NULL, names[i], NULL);
}

const EVP_MD *mv__evp_md(mv_digest_algo algo)
{
    if ((unsigned)algo > MV_DIGEST_BLAKE2B)
        return NULL;
    pthread_once(&mds_once, fetch_all);
    return mds[algo];
}

mv_status mv__evp_digest(mv_digest_algo algo, const void *data, size_t len,
                         uint8_t out[MV_DIGEST_MAX_LEN])
{
    const EVP_MD *md = mv__evp_md(algo);
    unsigned int outlen = 0;

    if (md == NULL)
        return MV_ENOTSUP;
    if (!EVP_Digest(data, len, out, &outlen, md, NULL))
        return MV_ENOMEM;
    return MV_OK;
}

static void scalar_md5_one(const uint8_t *data, size_t len, uint8_t out[MV_MD5_LEN])
{
    uint8_t full[MV_DIGEST_MAX_LEN];

    if (mv__evp_digest(MV_DIGEST_MD5, data, len, full) == MV_OK)
        memcpy(out, full, MV_MD5_LEN);
}

const struct mv_digest_engine mv__engine_scalar = {
    "scalar", "scalar", 0, NULL, 1, 1, scalar_md5_one, NULL,
};
