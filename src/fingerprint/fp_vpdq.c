/*
 * vPDQ: the PDQ hash of every kept frame of a video, bit-exact with Meta's
 * reference `vpdq-hash-video` on the same FFmpeg build.
 *
 * The reference decodes, converts each kept frame to packed RGB24 with
 * libswscale (native size with default flags, or N x N with SWS_AREA) and runs
 * PDQ at full resolution honouring the row stride; this file does the same,
 * shaped as a three-stage pipeline so that long videos are fast and small:
 *
 *   decoder (FFmpeg's threads) -> ring of slots -> workers (swscale + PDQ)
 *                                               -> in-order output (caller's thread)
 *
 * The calling thread pulls kept frames from media_video.c (frames not kept are
 * dropped there, unconverted) and puts each, by reference, into the next slot
 * of a fixed ring of 2 x workers slots. Workers claim slots in order, each
 * with its own swscale context and RGB buffer, and mark them done. The calling
 * thread emits done slots strictly in frame order and only then frees them, so
 * a slow frame holds back the ring but never reorders it, and when the ring is
 * full the decoder waits: memory is bounded by the ring and the decoder's own
 * frame pool, whatever the video's length. The callback therefore always runs
 * on the caller's thread and never after an error has been returned.
 *
 * Each frame is converted at its own size, so a stream whose resolution
 * changes mid-way is hashed frame by frame at each frame's size (the
 * reference's output there is undefined).
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "../core/core.h"
#include "../media/media_sws.h"
#include "../media/media_video.h"
#include "mediavault/alloc.h"
#include "mediavault/vpdq.h"

#define MAX_WORKERS    64
#define SLOTS_PER_WORK 2
#define MAX_SIZE       10000 /* N x N stays under MV_PDQ_DEFAULT_MAX_PIXELS */

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

struct slot {
    AVFrame *frame;
    uint64_t number;
    enum slot_state state;
    mv_status status;
    mv_pdq_hash hash;
    int quality;
};

struct pipeline;

struct worker {
    struct pipeline *p;
    pthread_t tid;
    int started;
    struct SwsContext *sws;
    uint8_t *raw; /* allocation of padded RGB rows (media_sws.h) */
    size_t raw_size;
};

struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t work; /* a slot became ready, or stop */
    pthread_cond_t done; /* a slot became done */
    struct slot *slots;
    size_t nslots;
    uint64_t head;  /* next sequence number to fill (caller only, under mu) */
    uint64_t claim; /* next sequence number for a worker (under mu) */
    uint64_t tail;  /* next sequence number to emit (caller only) */
    int stop;
    size_t size;       /* 0 = native */
    size_t max_pixels; /* per frame */
    struct worker *workers;
    size_t nworkers;
};

/* Converts frame to RGB24 into the worker's buffer; *rgb, *w, *h, *stride describe it. */
static mv_status convert(struct worker *wk, const AVFrame *f, uint8_t **rgb, size_t *w, size_t *h,
                         size_t *stride)
{
    const size_t size = wk->p->size;

    if (f->width <= 0 || f->height <= 0)
        return MV_ECORRUPT;
    if ((size_t)f->width > wk->p->max_pixels / (size_t)f->height)
        return MV_ETOOBIG;
    const int dw = size ? (int)size : f->width, dh = size ? (int)size : f->height;
    wk->sws =
        sws_getCachedContext(wk->sws, f->width, f->height, (enum AVPixelFormat)f->format, dw, dh,
                             AV_PIX_FMT_RGB24, size ? SWS_AREA : SWS_BICUBIC, NULL, NULL, NULL);
    if (wk->sws == NULL)
        return MV_ENOTSUP;
    const size_t line = mv__sws_line((size_t)dw);
    const size_t need = mv__sws_size(line, (size_t)dh);
    if (need > wk->raw_size) {
        mv__free(wk->raw);
        wk->raw_size = 0;
        wk->raw = mv__malloc(need);
        if (wk->raw == NULL)
            return MV_ENOMEM;
        wk->raw_size = need;
    }
    uint8_t *dst = mv__sws_first(wk->raw);
    uint8_t *planes[4] = { dst, NULL, NULL, NULL };
    int strides[4] = { (int)line, 0, 0, 0 };
    if (sws_scale(wk->sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height, planes,
                  strides) != dh)
        return MV_ECORRUPT;
    *rgb = dst;
    *w = (size_t)dw;
    *h = (size_t)dh;
    *stride = line;
    return MV_OK;
}

static void hash_slot(struct worker *wk, struct slot *s)
{
    uint8_t *rgb = NULL;
    size_t w = 0, h = 0, stride = 0;

    s->status = convert(wk, s->frame, &rgb, &w, &h, &stride);
    if (s->status == MV_OK)
        s->status = mv_pdq_pixels(rgb, w, h, stride, 3, MV_PDQ_FULLRES, &s->hash, &s->quality);
    av_frame_unref(s->frame);
}

static void *worker_main(void *arg)
{
    struct worker *wk = arg;
    struct pipeline *p = wk->p;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && p->claim == p->head)
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        struct slot *s = &p->slots[p->claim++ % p->nslots];
        assert(s->state == SLOT_READY);
        s->state = SLOT_BUSY;
        pthread_mutex_unlock(&p->mu);
        hash_slot(wk, s);
        pthread_mutex_lock(&p->mu);
        s->state = SLOT_DONE;
        pthread_cond_broadcast(&p->done);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Stops and joins the workers, then frees everything; safe on a half-built pipeline. */
static void pipeline_free(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (size_t i = 0; i < p->nworkers; i++) {
        struct worker *wk = &p->workers[i];
        if (wk->started)
            pthread_join(wk->tid, NULL);
        sws_freeContext(wk->sws);
        mv__free(wk->raw);
    }
    for (size_t i = 0; p->slots != NULL && i < p->nslots; i++)
        av_frame_free(&p->slots[i].frame);
    mv__free(p->workers);
    mv__free(p->slots);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->work);
    pthread_mutex_destroy(&p->mu);
}

static mv_status pipeline_init(struct pipeline *p, size_t workers, const mv_vpdq_options *opts)
{
    memset(p, 0, sizeof(*p));
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->done, NULL);
    p->size = opts->size;
    p->max_pixels = opts->max_pixels ? opts->max_pixels : MV_PDQ_DEFAULT_MAX_PIXELS;
    p->nslots = SLOTS_PER_WORK * workers;
    p->slots = mv__calloc(p->nslots, sizeof(*p->slots));
    p->workers = mv__calloc(workers, sizeof(*p->workers));
    if (p->slots == NULL || p->workers == NULL)
        return MV_ENOMEM;
    for (size_t i = 0; i < p->nslots; i++) {
        p->slots[i].frame = av_frame_alloc();
        if (p->slots[i].frame == NULL)
            return MV_ENOMEM;
    }
    for (size_t i = 0; i < workers; i++) {
        struct worker *wk = &p->workers[i];
        wk->p = p;
        p->nworkers = i + 1;
        if (pthread_create(&wk->tid, NULL, worker_main, wk) != 0)
            return i > 0 ? MV_OK : MV_ESYSTEM; /* fewer workers still work */
        wk->started = 1;
    }
    return MV_OK;
}

/* What the run needs besides the pipeline. */
struct run {
    mv__video *video;
    uint64_t interval;
    double fps;
    mv_vpdq_frame_fn fn;
    void *arg;
    mv_vpdq_info *info;
};

/*
 * Emits the oldest frame in flight if it is done (or, with block, once it is).
 * Returns 1 when one was emitted, 0 when none was, and *st says why a run must stop.
 */
static int emit_one(struct pipeline *p, struct run *r, int block, mv_status *st)
{
    if (p->tail == p->head)
        return 0;
    struct slot *s = &p->slots[p->tail % p->nslots];
    pthread_mutex_lock(&p->mu);
    while (block && s->state != SLOT_DONE)
        pthread_cond_wait(&p->done, &p->mu);
    const int done = s->state == SLOT_DONE;
    pthread_mutex_unlock(&p->mu);
    if (!done)
        return 0;
    const mv_vpdq_frame f = { .hash = s->hash,
                              .quality = s->quality,
                              .frame_number = s->number,
                              .timestamp = (double)s->number / r->fps };
    *st = s->status;
    s->state = SLOT_FREE; /* only the caller touches a done slot */
    p->tail++;
    if (*st != MV_OK)
        return 1;
    r->info->frames_hashed++;
    if (r->fn(&f, r->arg) != 0)
        *st = MV_ECANCELED;
    return 1;
}

/* Emits what is done; when the ring is full, waits for room. */
static mv_status make_room(struct pipeline *p, struct run *r)
{
    mv_status st = MV_OK;

    while (st == MV_OK && emit_one(p, r, p->head - p->tail >= p->nslots, &st))
        ;
    return st;
}

static mv_status run_pipeline(struct pipeline *p, struct run *r)
{
    mv_status st = MV_OK;
    int eof = 0;

    while (st == MV_OK && !eof) {
        st = make_room(p, r);
        if (st != MV_OK)
            break;
        struct slot *s = &p->slots[p->head % p->nslots];
        assert(s->state == SLOT_FREE);
        st = mv__video_next(r->video, r->interval, s->frame, &s->number, &eof);
        if (st != MV_OK || eof)
            break;
        if (p->head == 0) {
            r->info->width = (size_t)s->frame->width;
            r->info->height = (size_t)s->frame->height;
        }
        pthread_mutex_lock(&p->mu);
        s->state = SLOT_READY;
        p->head++;
        pthread_cond_signal(&p->work);
        pthread_mutex_unlock(&p->mu);
    }
    while (st == MV_OK && emit_one(p, r, 1, &st))
        ;
    return st;
}

static mv_status frame_interval(double every_s, double fps, uint64_t *interval)
{
    if (!(every_s >= 0.0) || isinf(every_s))
        return MV_EINVAL;
    const double k = floor(every_s * fps);
    *interval = k < 1.0 ? 1 : k > 1e18 ? (uint64_t)1e18 : (uint64_t)k;
    return MV_OK;
}

static size_t worker_count(size_t threads)
{
    const size_t n = threads ? threads : mv__cpu_count();
    return n < 1 ? 1 : n > MAX_WORKERS ? MAX_WORKERS : n;
}

mv_status mv_vpdq_file(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame_fn fn,
                       void *arg, mv_vpdq_info *info)
{
    const mv_vpdq_options defaults = { .every_s = 1.0 };
    mv_vpdq_info scratch;
    struct run r = { .fn = fn, .arg = arg, .info = info != NULL ? info : &scratch };

    memset(r.info, 0, sizeof(*r.info));
    if (opts == NULL)
        opts = &defaults;
    if (path == NULL || fn == NULL || opts->size > MAX_SIZE || !(opts->timeout_s >= 0.0))
        return MV_EINVAL;
    /* FFmpeg decodes on as many threads as there are workers (its own count when 0),
     * as `ffmpeg -threads N` would: --jobs N means N threads, and a batch running
     * several videos at once gives each a single decoding thread. */
    const mv__video_limits limits = { .threads =
                                          opts->threads ? (int)worker_count(opts->threads) : 0,
                                      .max_pixels = opts->max_pixels,
                                      .timeout_s = opts->timeout_s };
    mv_status st = mv__video_open(path, &limits, &r.video);
    if (st != MV_OK)
        return st;
    r.info->duration = mv__video_duration(r.video);
    r.fps = r.info->frame_rate = mv__video_frame_rate(r.video);
    if (!(r.fps > 0.0) || isinf(r.fps))
        st = MV_ENOTSUP;
    if (st == MV_OK)
        st = frame_interval(opts->every_s, r.fps, &r.interval);
    if (st == MV_OK) {
        struct pipeline p;
        st = pipeline_init(&p, worker_count(opts->threads), opts);
        if (st == MV_OK)
            st = run_pipeline(&p, &r);
        pipeline_free(&p);
    }
    r.info->frames_decoded = mv__video_decoded(r.video);
    r.info->truncated = mv__video_truncated(r.video);
    if (st == MV_OK && r.info->frames_decoded == 0)
        st = MV_ECORRUPT;
    mv__video_close(r.video);
    return st;
}

struct collect {
    mv_vpdq_frame *frames;
    size_t count, cap;
    int nomem;
};

static int collect_frame(const mv_vpdq_frame *frame, void *arg)
{
    struct collect *c = arg;

    if (c->count == c->cap) {
        const size_t cap = c->cap ? 2 * c->cap : 256;
        mv_vpdq_frame *grown = mv__realloc(c->frames, cap * sizeof(*grown));
        if (grown == NULL) {
            c->nomem = 1;
            return 1;
        }
        c->frames = grown;
        c->cap = cap;
    }
    c->frames[c->count++] = *frame;
    return 0;
}

mv_status mv_vpdq_file_frames(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame **frames,
                              size_t *count, mv_vpdq_info *info)
{
    struct collect c = { 0 };

    if (frames == NULL || count == NULL)
        return MV_EINVAL;
    *frames = NULL;
    *count = 0;
    mv_status st = mv_vpdq_file(path, opts, collect_frame, &c, info);
    if (st == MV_ECANCELED && c.nomem)
        st = MV_ENOMEM;
    if (st != MV_OK) {
        mv__free(c.frames);
        return st;
    }
    *frames = c.frames;
    *count = c.count;
    return MV_OK;
}
