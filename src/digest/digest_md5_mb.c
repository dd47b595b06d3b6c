/*
 * Multi-buffer MD5 over files: the lane scheduler.
 *
 * A SIMD engine compresses one block of each of N independent streams at once,
 * so a worker keeps N files open ("lanes"), each with its own read buffer. Each
 * round, every lane that has less than a block buffered reads its next chunk;
 * then the kernel runs over as many blocks as every active lane can supply.
 * A lane whose file is exhausted is padded and finished with the portable block
 * function, verified against the stat taken at open, and reported; it then takes
 * the next file from the source. Idle lanes hash a shared zero buffer whose
 * result is thrown away, which is cheaper than a narrower kernel.
 *
 * When only one lane is left and the source is dry, the SIMD kernel would do
 * N-fold work for one stream, so that stream is finished with the portable
 * block function instead.
 *
 * Memory per worker: (lanes + 1) * read_size, the lane buffers and the zero
 * buffer (8.5 MiB with 16 lanes of 512 KiB, the size digest_batch.c picks for
 * two jobs). Files may come opened already (the source's open callback).
 */
#include <assert.h>
#include <string.h>

#include "../core/core.h"
#include "digest_md5_kernel.h"
#include "engine.h"

#define BLOCK   MV__MD5_BLOCK_LEN
#define NO_FILE ((size_t)-1)

static const uint32_t md5_iv[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };

struct lane {
    mv__file f; /* f.fd < 0 when the lane is idle */
    size_t index;
    uint8_t *buf;
    size_t pos, len; /* unconsumed bytes are buf[pos..len) */
    uint64_t total;  /* bytes read from the file so far */
    int eof;
};

struct worker {
    const struct mv_digest_engine *e;
    const mv__mb_source *src;
    size_t read_size, nlanes;
    int dry;
    struct lane lane[MV__ENGINE_MAX_LANES];
    uint32_t st[4 * MV__ENGINE_MAX_LANES];
    const uint8_t *ptr[MV__ENGINE_MAX_LANES];
    uint8_t *zeros;
    uint8_t *arena; /* all lane buffers, staggered */
};

/* Lane buffers start 17 cache lines apart modulo 4 KiB: buffers that all begin at
   the same page offset compete for the same L1 sets and cost the wide kernels up
   to a third of their speed. */
#define LANE_STAGGER (17 * BLOCK)

void mv__md5_state_bytes(const uint32_t st[4], uint8_t out[MV_MD5_LEN])
{
    for (size_t w = 0; w < 4; w++)
        for (size_t b = 0; b < 4; b++)
            out[4 * w + b] = (uint8_t)(st[w] >> (8 * b));
}

void mv__md5_finish(uint32_t st[4], const uint8_t *tail, size_t tail_len, uint64_t total,
                    uint8_t out[MV_MD5_LEN])
{
    uint8_t pad[2 * BLOCK] = { 0 };
    size_t nblocks = tail_len < BLOCK - 8 ? 1 : 2;
    uint64_t bits = total * 8;

    assert(tail_len < BLOCK);
    memcpy(pad, tail, tail_len);
    pad[tail_len] = 0x80;
    for (size_t i = 0; i < 8; i++)
        pad[nblocks * BLOCK - 8 + i] = (uint8_t)(bits >> (8 * i));
    mv__md5_blocks_ref(st, pad, nblocks);
    mv__md5_state_bytes(st, out);
}

static void lane_get_state(const struct worker *w, size_t l, uint32_t st[4])
{
    for (size_t i = 0; i < 4; i++)
        st[i] = w->st[i * w->nlanes + l];
}

static void lane_set_state(struct worker *w, size_t l, const uint32_t st[4])
{
    for (size_t i = 0; i < 4; i++)
        w->st[i * w->nlanes + l] = st[i];
}

static void lane_report(struct worker *w, struct lane *ln, mv_digest_result *r)
{
    if (ln->f.fd >= 0)
        mv__file_close(&ln->f);
    r->size = ln->total;
    w->src->done(w->src->opaque, ln->index, r);
}

static void lane_fail(struct worker *w, struct lane *ln, mv_status status)
{
    mv_digest_result r;

    memset(&r, 0, sizeof(r));
    r.status = status;
    lane_report(w, ln, &r);
}

static void lane_finish(struct worker *w, size_t l)
{
    struct lane *ln = &w->lane[l];
    mv_digest_result r;
    uint32_t st[4];

    memset(&r, 0, sizeof(r));
    r.status = mv__file_verify(&ln->f, ln->total);
    if (r.status == MV_OK) {
        lane_get_state(w, l, st);
        mv__md5_finish(st, ln->buf + ln->pos, ln->len - ln->pos, ln->total, r.digest);
    }
    lane_report(w, ln, &r);
}

/* Gives an idle lane the next file that opens; failures are reported at once. */
static void lane_start(struct worker *w, size_t l)
{
    struct lane *ln = &w->lane[l];

    while (!w->dry) {
        size_t idx = w->src->next(w->src->opaque);
        if (idx == NO_FILE) {
            w->dry = 1;
            return;
        }
        ln->index = idx;
        ln->pos = ln->len = 0;
        ln->total = 0;
        ln->eof = 0;
        mv_status st = w->src->open != NULL
                           ? w->src->open(w->src->opaque, idx, &ln->f)
                           : mv__file_open(w->src->path(w->src->opaque, idx), &ln->f);
        if (st == MV_OK) {
            lane_set_state(w, l, md5_iv);
            return;
        }
        ln->f.fd = -1;
        lane_fail(w, ln, st);
    }
}

/* Tops up a lane that has less than a block buffered. Returns 0 when it failed. */
static int lane_fill(struct worker *w, struct lane *ln)
{
    size_t rest = ln->len - ln->pos, got;

    if (rest >= BLOCK || ln->eof)
        return 1;
    memmove(ln->buf, ln->buf + ln->pos, rest);
    ln->pos = 0;
    ln->len = rest;
    mv_status st = mv__file_read(&ln->f, ln->buf + rest, w->read_size - rest, &got);
    if (st != MV_OK) {
        lane_fail(w, ln, st);
        return 0;
    }
    ln->len += got;
    ln->total += got;
    ln->eof = got == 0 || mv__file_at_end(&ln->f, ln->total);
    return 1;
}

/* Reads, finishes and refills lanes; returns the number of lanes left active. */
static size_t prepare_lanes(struct worker *w)
{
    size_t active = 0;

    for (size_t l = 0; l < w->nlanes; l++) {
        struct lane *ln = &w->lane[l];
        for (;;) {
            if (ln->f.fd < 0)
                lane_start(w, l);
            if (ln->f.fd < 0)
                break;
            if (!lane_fill(w, ln))
                continue;
            if (ln->eof && ln->len - ln->pos < BLOCK) {
                lane_finish(w, l);
                continue;
            }
            active++;
            break;
        }
    }
    return active;
}

static void compress_round(struct worker *w, size_t active)
{
    size_t nblocks = (size_t)-1, only = 0;

    for (size_t l = 0; l < w->nlanes; l++) {
        const struct lane *ln = &w->lane[l];
        if (ln->f.fd < 0)
            continue;
        size_t avail = (ln->len - ln->pos) / BLOCK;
        nblocks = avail < nblocks ? avail : nblocks;
        only = l;
    }
    if (active == 1 && w->dry) {
        struct lane *ln = &w->lane[only];
        uint32_t st[4];
        size_t n = (ln->len - ln->pos) / BLOCK;
        lane_get_state(w, only, st);
        mv__md5_blocks_ref(st, ln->buf + ln->pos, n);
        lane_set_state(w, only, st);
        ln->pos += n * BLOCK;
        return;
    }
    for (size_t l = 0; l < w->nlanes; l++) {
        const struct lane *ln = &w->lane[l];
        w->ptr[l] = ln->f.fd < 0 ? w->zeros : ln->buf + ln->pos;
    }
    w->e->md5_many(w->st, w->ptr, nblocks);
    for (size_t l = 0; l < w->nlanes; l++) {
        if (w->lane[l].f.fd >= 0)
            w->lane[l].pos += nblocks * BLOCK;
    }
}

static void worker_free(struct worker *w)
{
    for (size_t l = 0; l < w->nlanes; l++) {
        if (w->lane[l].f.fd >= 0)
            lane_fail(w, &w->lane[l], MV_ECANCELED);
    }
    mv__free(w->arena);
    mv__free(w->zeros);
}

static mv_status worker_init(struct worker *w, const struct mv_digest_engine *e,
                             const mv__mb_source *src, size_t read_size)
{
    memset(w, 0, sizeof(*w));
    w->e = e;
    w->src = src;
    w->read_size = read_size;
    w->nlanes = e->lanes;
    assert(w->nlanes <= MV__ENGINE_MAX_LANES && read_size % BLOCK == 0);
    for (size_t l = 0; l < w->nlanes; l++)
        w->lane[l].f.fd = -1;
    w->zeros = mv__calloc(1, read_size);
    w->arena = mv__malloc(w->nlanes * (read_size + LANE_STAGGER));
    if (w->zeros == NULL || w->arena == NULL)
        return MV_ENOMEM;
    for (size_t l = 0; l < w->nlanes; l++)
        w->lane[l].buf = w->arena + l * (read_size + LANE_STAGGER);
    return MV_OK;
}

mv_status mv__md5_mb_run(const struct mv_digest_engine *e, const mv__mb_source *src,
                         size_t read_size)
{
    struct worker w;
    mv_status st = worker_init(&w, e, src, read_size);

    while (st == MV_OK) {
        if (src->canceled != NULL && src->canceled(src->opaque))
            break; /* worker_free() reports the lanes in flight as canceled */
        size_t active = prepare_lanes(&w);
        if (active == 0)
            break;
        compress_round(&w, active);
    }
    worker_free(&w);
    return st;
}
