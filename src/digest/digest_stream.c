/*
 * Algorithm names, hex output and the incremental (one stream) digest API.
 *
 * Streams go through OpenSSL's EVP: a single stream cannot use the multi-buffer
 * engines, and OpenSSL is the fastest single-stream code available.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

#include "../core/core.h"
#include "engine.h"

static const char *const algo_names[] = { "md5", "sha1", "sha256", "blake2b" };
static const size_t algo_lens[] = { 16, 20, 32, 64 };

struct mv_digest_ctx {
    EVP_MD_CTX *evp;
    mv_digest_algo algo;
};

size_t mv_digest_len(mv_digest_algo algo)
{
    return (unsigned)algo <= MV_DIGEST_BLAKE2B ? algo_lens[algo] : 0;
}

const char *mv_digest_algo_name(mv_digest_algo algo)
{
    return (unsigned)algo <= MV_DIGEST_BLAKE2B ? algo_names[algo] : NULL;
}

mv_status mv_digest_algo_parse(const char *name, mv_digest_algo *out)
{
    for (size_t i = 0; i < sizeof(algo_names) / sizeof(algo_names[0]); i++) {
        if (strcmp(name, algo_names[i]) == 0) {
            *out = (mv_digest_algo)i;
            return MV_OK;
        }
    }
    return MV_EINVAL;
}

void mv_digest_hex(const uint8_t *digest, size_t len, char *out)
{
    static const char hex[] = "0123456789abcdef";

    for (size_t i = 0; i < len; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * len] = '\0';
}

mv_status mv_digest_buffer(mv_digest_algo algo, const void *data, size_t len,
                           uint8_t out[MV_DIGEST_MAX_LEN])
{
    if (mv_digest_len(algo) == 0 || (data == NULL && len != 0))
        return MV_EINVAL;
    return mv__evp_digest(algo, data, len, out);
}

mv_status mv_digest_ctx_new(mv_digest_algo algo, mv_digest_ctx **out)
{
    const EVP_MD *md = mv__evp_md(algo);

    *out = NULL;
    if (md == NULL)
        return mv_digest_len(algo) == 0 ? MV_EINVAL : MV_ENOTSUP;
    mv_digest_ctx *ctx = mv__calloc(1, sizeof(*ctx));
    if (ctx == NULL)
        return MV_ENOMEM;
    ctx->algo = algo;
    ctx->evp = EVP_MD_CTX_new();
    if (ctx->evp == NULL || !EVP_DigestInit_ex2(ctx->evp, md, NULL)) {
        mv_digest_ctx_free(ctx);
        return MV_ENOMEM;
    }
    *out = ctx;
    return MV_OK;
}

mv_status mv_digest_ctx_update(mv_digest_ctx *ctx, const void *data, size_t len)
{
    return EVP_DigestUpdate(ctx->evp, data, len) ? MV_OK : MV_EINVAL;
}

mv_status mv_digest_ctx_final(mv_digest_ctx *ctx, uint8_t out[MV_DIGEST_MAX_LEN])
{
    unsigned int n = 0;
    return EVP_DigestFinal_ex(ctx->evp, out, &n) ? MV_OK : MV_EINVAL;
}

void mv_digest_ctx_free(mv_digest_ctx *ctx)
{
    if (ctx == NULL)
        return;
    EVP_MD_CTX_free(ctx->evp);
    mv__free(ctx);
}

static mv_status read_all(mv_digest_ctx *ctx, int fd, uint8_t *buf, size_t size, uint64_t *total)
{
    for (;;) {
        ssize_t n = read(fd, buf, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mv_status_from_errno(errno);
        if (n == 0)
            return MV_OK;
        *total += (uint64_t)n;
        mv_status st = mv_digest_ctx_update(ctx, buf, (size_t)n);
        if (st != MV_OK)
            return st;
    }
}

mv_status mv_digest_fd(mv_digest_algo algo, int fd, uint8_t out[MV_DIGEST_MAX_LEN], uint64_t *bytes)
{
    const size_t size = 256 * 1024;
    uint64_t total = 0;
    mv_digest_ctx *ctx;
    mv_status st = mv_digest_ctx_new(algo, &ctx);

    if (st != MV_OK)
        return st;
    uint8_t *buf = mv__malloc(size);
    st = buf == NULL ? MV_ENOMEM : read_all(ctx, fd, buf, size, &total);
    if (st == MV_OK)
        st = mv_digest_ctx_final(ctx, out);
    mv__free(buf);
    mv_digest_ctx_free(ctx);
    if (bytes != NULL)
        *bytes = total;
    return st;
}
