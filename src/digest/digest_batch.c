/*
 * Batches of files: the public entry point for hashing many paths.
 *
 * Workers (one per job) take file indices from one shared atomic counter, so
 * files start roughly in the order given and a slow file never holds up the
 * others. MD5 with a multi-buffer engine runs the lane scheduler in each worker;
 * other algorithms, the scalar engine, and a batch of a single file stream each
 * file through OpenSSL. MD5 on the cuda engine runs digest_gpu.c's workers: one
 * feeds the GPU, the others take the large files on the CPU. Every file gets
 * exactly one result: failures are results. With several files on the lanes or
 * the scalar workers, a prefetch thread opens the next files ahead of the
 * workers and starts their reads (digest_prefetch.c), which keeps the disk busy
 * on a cold cache without larger buffers.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>

#include "../core/core.h"
#include "engine.h"

#define READ_SIZE_DEFAULT (1u << 20)
#define READ_SIZE_MIN     (64u << 10)
#define READ_SIZE_MAX     (64u << 20)
/* Lane buffers of all workers together aim below this, so that the program
   stays within 64 MiB of RSS beside the ~29 MiB its shared libraries take; reads
   never shrink under READ_SIZE_FLOOR for it, so with more than five jobs the
   buffers take about 4.3 MiB per job instead. The reads are smaller than the
   disk likes, but on the lane path the prefetcher has asked for the data
   already, so they mostly copy from the page cache (digest_prefetch.c). */
#define BUFFER_BUDGET     (24u << 20)
#define READ_SIZE_FLOOR   (256u << 10)
/* Descriptors left to the application; the prefetcher gets what the lanes leave. */
#define FD_RESERVE        32u

struct mv_digest_batch {
    mv_digest_algo algo;
    size_t jobs;
    mv_digest_backend backend;
    size_t read_size;
    mv_progress *progress;
    const char *engine_name;
    _Atomic int cancel;
    const _Atomic int *watch; /* the caller's own cancel flag, or NULL */
};

struct run {
    mv_digest_batch *b;
    const struct mv_digest_engine *engine;
    const char *const *paths;
    size_t n;
    _Atomic size_t next;
    mv_digest_result *results;
    mv_digest_done_fn done;
    void *opaque;
    int overlap; /* one file and a spare core: read beside the hashing */
    size_t jobs;
    mv__gpu_run *gpu;       /* MD5 on the cuda engine: what its workers share */
    mv__prefetch *prefetch; /* files opened ahead; NULL: workers open them */
};

mv_status mv_digest_batch_new(mv_digest_batch **out)
{
    mv_digest_batch *b = mv__calloc(1, sizeof(*b));

    *out = b;
    if (b == NULL)
        return MV_ENOMEM;
    b->algo = MV_DIGEST_MD5;
    b->read_size = READ_SIZE_DEFAULT;
    b->engine_name = "none";
    /* A malformed MEDIAVAULT_BACKEND leaves AUTO; the program reports it. */
    (void)mv__engine_env_backend(&b->backend);
    return MV_OK;
}

void mv_digest_batch_free(mv_digest_batch *b)
{
    mv__free(b);
}

mv_status mv_digest_batch_set(mv_digest_batch *b, mv_digest_batch_opt key, long value)
{
    switch (key) {
    case MV_DIGEST_OPT_ALGO:
        if (value < MV_DIGEST_MD5 || value > MV_DIGEST_BLAKE2B)
            return MV_EINVAL;
        b->algo = (mv_digest_algo)value;
        return MV_OK;
    case MV_DIGEST_OPT_JOBS:
        if (value < 0 || value > 4096)
            return MV_EINVAL;
        b->jobs = (size_t)value;
        return MV_OK;
    case MV_DIGEST_OPT_BACKEND:
        if (value < MV_BACKEND_AUTO || value > MV_BACKEND_CUDA)
            return MV_EINVAL;
        b->backend = (mv_digest_backend)value;
        return MV_OK;
    case MV_DIGEST_OPT_READ_SIZE:
        if (value < (long)READ_SIZE_MIN || value > (long)READ_SIZE_MAX || value % 64 != 0)
            return MV_EINVAL;
        b->read_size = (size_t)value;
        return MV_OK;
    }
    return MV_EINVAL;
}

void mv_digest_batch_set_progress(mv_digest_batch *b, mv_progress *progress)
{
    b->progress = progress;
}

const char *mv_digest_batch_engine(const mv_digest_batch *b)
{
    return b->engine_name;
}

static void src_done(void *opaque, size_t index, const mv_digest_result *res);

static int src_canceled(void *opaque)
{
    const struct run *r = opaque;

    if (r->b->watch != NULL && atomic_load_explicit(r->b->watch, memory_order_relaxed))
        return 1;
    return atomic_load_explicit(&r->b->cancel, memory_order_relaxed);
}

/* The next file to start; after a cancel, every file not yet started gets its
   MV_ECANCELED result here, so that each file still has exactly one result. */
static size_t src_next(void *opaque)
{
    struct run *r = opaque;

    for (;;) {
        size_t i = atomic_fetch_add(&r->next, 1);
        if (i >= r->n)
            return (size_t)-1;
        if (!src_canceled(r))
            return i;
        mv_digest_result res;
        memset(&res, 0, sizeof(res));
        res.status = MV_ECANCELED;
        src_done(r, i, &res);
    }
}

void mv_digest_batch_cancel(mv_digest_batch *b)
{
    atomic_store(&b->cancel, 1);
}

void mv_digest_batch_watch(mv_digest_batch *b, const _Atomic int *flag)
{
    b->watch = flag;
}

static const char *src_path(void *opaque, size_t index)
{
    const struct run *r = opaque;
    return r->paths[index];
}

static void src_done(void *opaque, size_t index, const mv_digest_result *res)
{
    struct run *r = opaque;

    mv_progress_add_done(r->b->progress, 1, 0); /* the bytes were counted as read */
    if (r->results != NULL)
        r->results[index] = *res;
    if (r->done != NULL)
        r->done(r->opaque, index, res);
}

static mv_status src_open(void *opaque, size_t index, mv__file *f)
{
    struct run *r = opaque;

    if (r->prefetch == NULL)
        return mv__file_open(r->paths[index], f);
    return mv__prefetch_open(r->prefetch, index, f);
}

static void scalar_worker(struct run *r)
{
    uint8_t *buf = mv__malloc(r->b->read_size);
    mv_digest_result res;
    mv__file f;

    for (size_t i = src_next(r); i != (size_t)-1; i = src_next(r)) {
        memset(&res, 0, sizeof(res));
        res.status = src_open(r, i, &f);
        if (res.status == MV_OK && buf == NULL) {
            mv__file_close(&f);
            res.status = MV_ENOMEM;
        }
        if (res.status == MV_OK)
            mv__digest_opened_scalar(&f, r->b->algo, buf, r->b->read_size, &res);
        src_done(r, i, &res);
    }
    mv__free(buf);
}

static void overlapped_worker(struct run *r)
{
    mv_digest_result res;

    for (size_t i = src_next(r); i != (size_t)-1; i = src_next(r)) {
        mv__digest_file_overlapped(r->paths[i], r->b->algo, r->b->read_size, &res);
        src_done(r, i, &res);
    }
}

/* Shrinks a large per-lane read size to a power of two such that jobs * lanes
   buffers (and a zero buffer per job) fit the budget, but never below the
   floor: 512 KiB with two jobs of 16 lanes, 256 KiB from three jobs on. */
static size_t lane_read_size(size_t want, size_t jobs, size_t lanes)
{
    size_t share = BUFFER_BUDGET / (jobs * (lanes + 1)), fit = READ_SIZE_FLOOR;

    while (fit * 2 <= share)
        fit *= 2;
    return want < fit ? want : fit;
}

/* After a cancel, the files nobody started still need their result: taking
   them from the source reports them as canceled. */
static void drain_canceled(struct run *r)
{
    if (!src_canceled(r))
        return;
    while (src_next(r) != (size_t)-1)
        continue;
}

/* Descriptors a run may hold: the soft limit less a reserve for the caller. */
static size_t fd_budget(void)
{
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return SIZE_MAX;
    return rl.rlim_cur > FD_RESERVE ? (size_t)(rl.rlim_cur - FD_RESERVE) : 0;
}

static size_t fds_per_job(size_t lanes)
{
    return (lanes > 1 ? lanes : 1) + 2;
}

/* Each worker keeps a file open per lane: fewer workers rather than failing
   files with EMFILE when the descriptor limit is low or the machine is wide. */
static size_t fd_limited_jobs(size_t jobs, size_t lanes, size_t budget)
{
    size_t fit = budget / fds_per_job(lanes);

    if (fit < 1)
        fit = 1;
    return jobs < fit ? jobs : fit;
}

/* The lane scheduler or the scalar workers will run over several files: the
   prefetcher opens them ahead. */
static int uses_prefetch(const struct run *r)
{
    return !r->overlap && r->gpu == NULL && r->n > 1;
}

static void worker_body(struct run *r)
{
    if (r->overlap) {
        overlapped_worker(r);
        return;
    }
    if (r->gpu != NULL) {
        mv__mb_source gsrc = { src_next, src_done, src_path, r, src_canceled, NULL };
        size_t cpu_read = lane_read_size(r->b->read_size, r->jobs, MV__ENGINE_MAX_LANES);
        mv__md5_gpu_worker(r->gpu, &gsrc, cpu_read);
        return;
    }

    if (r->engine->md5_many == NULL || r->b->algo != MV_DIGEST_MD5 || r->n == 1) {
        scalar_worker(r);
        return;
    }
    mv__mb_source src = { src_next, src_done, src_path, r, src_canceled, src_open };
    size_t read_size = lane_read_size(r->b->read_size, r->jobs, r->engine->lanes);
    mv_status st = mv__md5_mb_run(r->engine, &src, read_size);
    if (st != MV_OK)
        scalar_worker(r); /* no memory for the lanes: the files left still get results */
}

static void worker_task(void *arg)
{
    struct run *r = arg;

    mv__file_count_to(r->b->progress);
    worker_body(r);
    drain_canceled(r);
    mv__file_count_to(NULL);
}

static mv_status run_workers(struct run *r, size_t jobs)
{
    mv__pool *pool = NULL;
    mv_status st;

    if (jobs == 1) {
        worker_task(r);
        return MV_OK;
    }
    /* Workers pull files until none is left, so whatever number of them could
       be started does all the work; with none, this thread does it. */
    st = mv__pool_new(jobs, &pool);
    size_t started = 0;
    for (size_t i = 0; i < jobs && st == MV_OK; i++) {
        st = mv__pool_submit(pool, worker_task, r);
        started += st == MV_OK;
    }
    if (started == 0)
        worker_task(r);
    if (pool != NULL) {
        mv__pool_wait(pool);
        mv__pool_free(pool);
    }
    return MV_OK;
}

mv_status mv_digest_batch_run(mv_digest_batch *b, const char *const *paths, size_t n,
                              mv_digest_result *results, mv_digest_done_fn done, void *opaque)
{
    mv_status st;
    const struct mv_digest_engine *e = mv__engine_select(b->backend, &st);

    if (e == NULL)
        return st;
    b->engine_name = (b->algo == MV_DIGEST_MD5 && n != 1) ? e->name : mv__engine_scalar.name;
    struct run r = { .b = b,
                     .engine = e,
                     .paths = paths,
                     .n = n,
                     .results = results,
                     .done = done,
                     .opaque = opaque };
    atomic_init(&r.next, 0);
    atomic_store(&b->cancel, 0);
    size_t jobs = b->jobs ? b->jobs : mv__cpu_count();
    r.overlap = n == 1 && jobs >= 2;
    size_t fds = fd_budget();
    jobs = fd_limited_jobs(jobs, e->lanes, fds);
    if (jobs > n)
        jobs = n ? n : 1;
    r.jobs = jobs;
    if ((e->caps & MV__ENGINE_GPU) && b->algo == MV_DIGEST_MD5 && !r.overlap && n > 1) {
        st = mv__gpu_run_new(n, &r.gpu);
        if (st != MV_OK)
            return st;
    }
    if (uses_prefetch(&r)) { /* without the thread, workers open their files themselves */
        size_t lane_fds = jobs * fds_per_job(e->lanes);
        (void)mv__prefetch_start(paths, n, fds > lane_fds ? fds - lane_fds : 0, &r.prefetch);
    }
    st = run_workers(&r, jobs);
    mv__prefetch_stop(r.prefetch);
    mv__gpu_run_free(r.gpu);
    return st;
}
