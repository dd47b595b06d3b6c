/*
 * The catalog cache of audio (Chromaprint) and video (vPDQ) fingerprints in
 * `mediavault fingerprint`, keyed as the image and text cache of fp_file.c:
 * (content MD5, size, algorithm, version), the algorithm name carrying every
 * option that changes the result (cli_fp_audio.c and cli_fp_video.c build
 * the names and the value layouts).
 *
 * FFmpeg reads the file itself, by path, so the MD5 cannot come from the read
 * that decodes: the file is hashed on its own before the lookup, with the
 * digest engine (mv_digest_fd). That costs one more read of the file, about
 * 1.5 ms per MB of CPU at the engine's ~0.7 GB/s per core, and leaves the
 * file in the page cache for the decoder: a 3-minute MP3 (4 MB) adds ~6 ms to
 * a ~170 ms decode, a 60 s 720p video (20-40 MB) ~30-60 ms to seconds of
 * decoding. A hit then costs only that hash and one SELECT.
 *
 * Because the hash and the decode are two reads, a file that changes in
 * between could pair one content's MD5 with another's fingerprint: the
 * identity, size and times taken before the hash must still hold after it
 * and again before a store, and a file that changed is simply not stored.
 *
 * The workers of the batch share one catalog handle (SQLite opened NOMUTEX
 * allows one thread at a time), so every call goes through k->lock. This
 * handle is not the one mv_fp uses for images and text: that one is guarded
 * by mv_fp's own lock, which is private; two handles on one catalog are two
 * SQLite connections, and a writer waits for the other as for another process.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fp_cache.h"
#include "mediavault/digest.h"

/* A first buffer that holds most values (a 2-minute Chromaprint is ~4 KB, a
 * minute of video at one frame per second ~3 KB); a larger one is read again
 * into a buffer of its size. */
#define FIRST_CAP 16384

static int64_t ns_of(struct timespec t)
{
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void identity(const struct stat *sb, struct cli_fp_content *c)
{
    c->size = (uint64_t)sb->st_size;
    c->device = (uint64_t)sb->st_dev;
    c->inode = (uint64_t)sb->st_ino;
    c->mtime_ns = ns_of(sb->st_mtim);
    c->ctime_ns = ns_of(sb->st_ctim);
}

static int same_identity(const struct cli_fp_content *a, const struct cli_fp_content *b)
{
    return a->size == b->size && a->device == b->device && a->inode == b->inode &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

/* The identity is taken before the hash and must be the same after it: a file
 * rewritten while it was hashed (same size, bytes already read) would otherwise
 * pair the old bytes' MD5 with an identity that the new bytes still match when
 * the fingerprint is stored, and cache the new content's fingerprint under the
 * old content's MD5. Such a file is not cached (known stays 0). */
void cli_fp_content_of(const char *path, struct cli_fp_content *c)
{
    struct stat sb;
    struct cli_fp_content before = { 0 }, after = { 0 };
    uint8_t md5[MV_DIGEST_MAX_LEN];
    uint64_t bytes = 0;

    memset(c, 0, sizeof(*c));
    /* O_NONBLOCK: a FIFO never blocks here (and is refused just below). */
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        identity(&sb, &before);
        if (mv_digest_fd(MV_DIGEST_MD5, fd, md5, &bytes) == MV_OK &&
            bytes == (uint64_t)sb.st_size && fstat(fd, &sb) == 0) {
            identity(&sb, &after);
            if (same_identity(&before, &after)) {
                *c = after;
                memcpy(c->md5, md5, MV_MD5_LEN);
                c->known = 1;
            }
        }
    }
    close(fd);
}

int cli_fp_content_unchanged(const char *path, const struct cli_fp_content *c)
{
    struct stat sb;
    struct cli_fp_content now;

    if (!c->known || stat(path, &sb) != 0)
        return 0;
    identity(&sb, &now);
    return same_identity(&now, c);
}

int cli_fp_cache_get(struct cli_fp_cache *k, const struct cli_fp_content *c, const char *algorithm,
                     int version, uint8_t **value, size_t *len)
{
    size_t cap = FIRST_CAP;
    int quality = -1;
    mv_status st = MV_ENOENT;

    *value = NULL;
    *len = 0;
    if (k == NULL || k->cat == NULL || !c->known)
        return 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        uint8_t *buf = malloc(cap);
        if (buf == NULL)
            return 0;
        pthread_mutex_lock(&k->lock);
        st =
            mv_catalog_fp_get(k->cat, c->md5, c->size, algorithm, version, buf, cap, len, &quality);
        pthread_mutex_unlock(&k->lock);
        if (st == MV_OK) {
            *value = buf;
            return 1;
        }
        free(buf);
        if (st != MV_ETOOBIG)
            break;
        cap = *len; /* the stored length: read again into a buffer that holds it */
    }
    *len = 0;
    return 0;
}

void cli_fp_cache_put(struct cli_fp_cache *k, const char *path, const struct cli_fp_content *c,
                      const char *algorithm, int version, uint8_t *value, size_t len)
{
    if (value != NULL && k != NULL && k->cat != NULL && cli_fp_content_unchanged(path, c)) {
        pthread_mutex_lock(&k->lock);
        const mv_status st = mv_catalog_fp_put(k->cat, c->md5, c->size, algorithm, version, value,
                                               len, -1, (int64_t)time(NULL));
        if (st != MV_OK)
            cli_warn("fingerprint cache: %s", mv_catalog_errmsg(k->cat));
        pthread_mutex_unlock(&k->lock);
    }
    free(value);
}

double cli_fp_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int cli_fp_complete(double decode_start, double timeout_s, const atomic_int *cancel)
{
    const int in_time = timeout_s <= 0 || cli_fp_now_ms() - decode_start < timeout_s * 1e3;
    return in_time && !(cancel != NULL && *cancel);
}

void cli_fp_result_md5(const struct cli_fp_content *c, int wanted, mv_status *st,
                       char md5[2 * MV_MD5_LEN + 1])
{
    if (*st == MV_OK && wanted && !c->known)
        *st = MV_EIO;
    if (c->known)
        mv_digest_hex(c->md5, MV_MD5_LEN, md5);
}

void cli_fp_put_u64(uint8_t **at, uint64_t v)
{
    for (int i = 7; i >= 0; i--)
        *(*at)++ = (uint8_t)(v >> (8 * i));
}

void cli_fp_put_f64(uint8_t **at, double v)
{
    uint64_t bits;

    memcpy(&bits, &v, sizeof(bits));
    cli_fp_put_u64(at, bits);
}

uint64_t cli_fp_get_u64(const uint8_t **at)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | *(*at)++;
    return v;
}

double cli_fp_get_f64(const uint8_t **at)
{
    const uint64_t bits = cli_fp_get_u64(at);
    double v;

    memcpy(&v, &bits, sizeof(v));
    return v;
}
