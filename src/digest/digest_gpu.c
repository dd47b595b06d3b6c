/*
 * The "cuda" MD5 engine: many whole files per call of the CUDA plugin.
 *
 * The plugin hashes one buffer per GPU thread, so it pays off on many small and
 * medium files, not on one large one. In a batch on this engine, the first
 * worker becomes the GPU feeder: it takes files from the batch's shared source,
 * reads each one whole (up to FILE_MAX) into a host batch buffer, verifies it
 * against the stat taken at open, and when the buffer holds BATCH_FILES_MAX
 * files or BATCH_BYTES_MAX bytes, hands it to the plugin and reports the
 * digests. A file larger than FILE_MAX (or one whose size the kernel does not
 * report, like procfs) is put on a shared "deferred" queue. The other workers,
 * and the feeder once the source is dry, run the CPU multi-buffer path (the best
 * CPU engine, or OpenSSL) over a source that serves the deferred files first
 * and then the shared one: so large files are hashed on the CPU while the GPU
 * takes the small ones, and every file gets exactly one result.
 *
 * If the plugin fails mid-run, the batch in hand is hashed on the CPU from the
 * bytes already read (OpenSSL), a warning is logged, and the feeder stops
 * feeding: the rest of the run is CPU work. The probe runs the plugin once on
 * the RFC 1321 vectors, so a plugin that computes wrong digests is never used.
 */
#include <assert.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "../gpu/gpu_plugin.h"
#include "engine.h"

#define FILE_MAX          (8u << 20)   /* larger files go to the CPU */
#define BATCH_BYTES_MAX   (256u << 20) /* host batch buffer, at most */
#define BATCH_BYTES_START (16u << 20)  /* first size of the batch buffer */
#define BATCH_FILES_MAX   4096u
#define SLOT_ALIGN        64u
#define NO_FILE           ((size_t)-1)

static const struct mv_gpu_plugin *plugin; /* set by the probe, under the registry's once */
static char detail[320];

struct mv__gpu_run {
    pthread_mutex_t lock;
    size_t *deferred; /* indices of files for the CPU, head..tail */
    size_t head, tail, cap;
    _Atomic int feeder_taken;
};

/* What the feeder holds: the batch buffer and the files in it. */
struct feeder {
    mv__gpu_run *g;
    const mv__mb_source *src;
    uint8_t *data;
    size_t cap, used, n;
    int broken; /* the plugin failed: no more GPU work in this run */
    uint64_t off[BATCH_FILES_MAX], len[BATCH_FILES_MAX];
    size_t index[BATCH_FILES_MAX];
    uint8_t out[BATCH_FILES_MAX][16];
};

/* A worker's view of the batch: deferred files first, then the shared source. */
struct cpu_source {
    mv__gpu_run *g;
    const mv__mb_source *src;
};

static int self_test(const struct mv_gpu_plugin *p, char *err, size_t errlen)
{
    static const char *const vec[] = {
        "",
        "abc",
        "message digest",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
    };
    enum { N = sizeof(vec) / sizeof(vec[0]) };
    uint8_t data[128], out[N][16], want[MV_DIGEST_MAX_LEN];
    uint64_t off[N], len[N];
    size_t pos = 0;

    for (size_t i = 0; i < N; i++) {
        off[i] = pos;
        len[i] = strlen(vec[i]);
        memcpy(data + pos, vec[i], (size_t)len[i]);
        pos += (size_t)len[i];
    }
    if (p->md5_buffers(data, off, len, N, out, err, errlen) != 0)
        return 0;
    for (size_t i = 0; i < N; i++) {
        if (mv__evp_digest(MV_DIGEST_MD5, vec[i], (size_t)len[i], want) != MV_OK ||
            memcmp(out[i], want, MV_MD5_LEN) != 0) {
            mv__fmt(err, errlen, "wrong MD5 for RFC 1321 vector %zu", i);
            return 0;
        }
    }
    return 1;
}

/* Loading the plugin pulls in the CUDA runtime and libstdc++ (tens of ms): not
   worth it where no driver is installed, unless a plugin directory was named. */
static int driver_present(void)
{
    const char *dir = getenv("MEDIAVAULT_PLUGIN_DIR");

    if (dir != NULL && *dir != '\0')
        return 1;
    if (dlopen("libcuda.so.1", RTLD_LAZY | RTLD_LOCAL) != NULL)
        return 1; /* kept loaded: the plugin needs it next */
    mv__fmt(detail, sizeof(detail), "libcuda.so.1 not found (no NVIDIA driver)");
    return 0;
}

static int probe_cuda(void)
{
    const char *why, *path;
    const struct mv_gpu_plugin *p;
    struct mv_gpu_plugin_device dev;
    char err[256] = "";

    if (!driver_present())
        return 0;
    p = mv__gpu_plugin(&why, &path);
    if (p == NULL) {
        mv__fmt(detail, sizeof(detail), "%s", why);
        return 0;
    }
    if (p->device_query(&dev, err, sizeof(err)) != 0) {
        mv__fmt(detail, sizeof(detail), "%s", err);
        return 0;
    }
    if (!self_test(p, err, sizeof(err))) {
        mv__log(MV_LOG_WARN, "cuda plugin %s failed its self-test (%s); hashing on the CPU", path,
                err);
        mv__fmt(detail, sizeof(detail), "self-test failed: %s", err);
        return 0;
    }
    mv__fmt(detail, sizeof(detail), "%s, files up to %u MiB", dev.name, FILE_MAX >> 20);
    plugin = p;
    return 1;
}

const char *mv__md5_gpu_detail(void)
{
    return detail[0] != '\0' ? detail : "not probed";
}

const struct mv_digest_engine mv__engine_cuda = {
    "cuda", "cuda", MV__ENGINE_MULTI | MV__ENGINE_GPU, probe_cuda, 0, BATCH_FILES_MAX, NULL, NULL,
};

mv_status mv__gpu_run_new(size_t n, mv__gpu_run **out)
{
    mv__gpu_run *g = mv__calloc(1, sizeof(*g));

    *out = NULL;
    if (g == NULL)
        return MV_ENOMEM;
    g->cap = n;
    g->deferred = mv__malloc((n ? n : 1) * sizeof(*g->deferred));
    if (g->deferred == NULL || pthread_mutex_init(&g->lock, NULL) != 0) {
        mv__free(g->deferred);
        mv__free(g);
        return MV_ENOMEM;
    }
    atomic_init(&g->feeder_taken, 0);
    *out = g;
    return MV_OK;
}

void mv__gpu_run_free(mv__gpu_run *g)
{
    if (g == NULL)
        return;
    pthread_mutex_destroy(&g->lock);
    mv__free(g->deferred);
    mv__free(g);
}

static void defer(mv__gpu_run *g, size_t index)
{
    pthread_mutex_lock(&g->lock);
    assert(g->tail < g->cap); /* each index is deferred at most once */
    g->deferred[g->tail++] = index;
    pthread_mutex_unlock(&g->lock);
}

static size_t take_deferred(mv__gpu_run *g)
{
    size_t index = NO_FILE;

    pthread_mutex_lock(&g->lock);
    if (g->head < g->tail)
        index = g->deferred[g->head++];
    pthread_mutex_unlock(&g->lock);
    return index;
}

static size_t cpu_next(void *opaque)
{
    struct cpu_source *c = opaque;
    size_t index = take_deferred(c->g);

    return index != NO_FILE ? index : c->src->next(c->src->opaque);
}

static int cpu_canceled(void *opaque)
{
    const struct cpu_source *c = opaque;
    return c->src->canceled != NULL && c->src->canceled(c->src->opaque);
}

static void cpu_done(void *opaque, size_t index, const mv_digest_result *r)
{
    const struct cpu_source *c = opaque;
    c->src->done(c->src->opaque, index, r);
}

static const char *cpu_path(void *opaque, size_t index)
{
    const struct cpu_source *c = opaque;
    return c->src->path(c->src->opaque, index);
}

static void report(const mv__mb_source *src, size_t index, mv_status st, uint64_t size,
                   const uint8_t *digest)
{
    mv_digest_result r;

    memset(&r, 0, sizeof(r));
    r.status = st;
    r.size = size;
    if (digest != NULL)
        memcpy(r.digest, digest, MV_MD5_LEN);
    src->done(src->opaque, index, &r);
}

/* Hashes the files in hand on the GPU, or on the CPU from memory when it fails. */
static void flush(struct feeder *f)
{
    char err[256] = "";
    uint8_t md[MV_DIGEST_MAX_LEN];

    if (f->n == 0)
        return;
    if (plugin->md5_buffers(f->data, f->off, f->len, f->n, f->out, err, sizeof(err)) == 0) {
        for (size_t i = 0; i < f->n; i++)
            report(f->src, f->index[i], MV_OK, f->len[i], f->out[i]);
    } else {
        mv__log(MV_LOG_WARN, "cuda: %s; hashing on the CPU", err);
        f->broken = 1;
        for (size_t i = 0; i < f->n; i++) {
            mv_status st =
                mv__evp_digest(MV_DIGEST_MD5, f->data + f->off[i], (size_t)f->len[i], md);
            report(f->src, f->index[i], st, f->len[i], st == MV_OK ? md : NULL);
        }
    }
    f->n = 0;
    f->used = 0;
}

/* Room for need more bytes in the batch buffer; 0 when there is no memory for it. */
static int reserve(struct feeder *f, size_t need)
{
    size_t cap = f->cap ? f->cap : BATCH_BYTES_START;

    if (f->data != NULL && f->used + need <= f->cap)
        return 1; /* allocated even for empty files: the plugin gets a real pointer */
    while (cap < f->used + need)
        cap *= 2;
    uint8_t *p = mv__realloc(f->data, cap);
    if (p == NULL)
        return 0;
    f->data = p;
    f->cap = cap;
    return 1;
}

/* Reads an open file whole into the batch; the file is closed on return. */
static void add_file(struct feeder *f, size_t index, mv__file *file, size_t len)
{
    const size_t slot = (len + SLOT_ALIGN - 1) & ~(size_t)(SLOT_ALIGN - 1);
    size_t got = 0;

    if (f->n == BATCH_FILES_MAX || f->used + slot > BATCH_BYTES_MAX)
        flush(f);
    if (f->broken || !reserve(f, slot)) {
        mv__file_close(file);
        defer(f->g, index);
        return;
    }
    mv_status st = mv__file_read(file, f->data + f->used, len, &got);
    if (st == MV_OK && got != len)
        st = MV_ECHANGED;
    if (st == MV_OK)
        st = mv__file_verify(file, got);
    mv__file_close(file);
    if (st != MV_OK) {
        report(f->src, index, st, got, NULL);
        return;
    }
    f->off[f->n] = f->used;
    f->len[f->n] = len;
    f->index[f->n++] = index;
    f->used += slot;
}

/* Opens file index and routes it: a failure is a result, a large file is deferred. */
static void take_file(struct feeder *f, size_t index)
{
    mv__file file;
    uint8_t probe;
    size_t got = 0;
    mv_status st = mv__file_open(f->src->path(f->src->opaque, index), &file);

    if (st != MV_OK) {
        report(f->src, index, st, 0, NULL);
        return;
    }
    if (file.st.st_size > (off_t)FILE_MAX || file.pseudo) {
        mv__file_close(&file); /* pseudo files: their size is not their length */
        defer(f->g, index);
        return;
    }
    if (file.st.st_size == 0) {
        /* Empty, or a file that reports no size (procfs): only the first is ours. */
        st = mv__file_read(&file, &probe, 1, &got);
        if (st != MV_OK || got != 0) {
            mv__file_close(&file);
            defer(f->g, index);
            return;
        }
    }
    add_file(f, index, &file, (size_t)file.st.st_size);
}

static void feed_gpu(mv__gpu_run *g, const mv__mb_source *src)
{
    struct feeder *f = mv__calloc(1, sizeof(*f));

    if (f == NULL)
        return; /* the CPU path takes every file */
    f->g = g;
    f->src = src;
    while (!f->broken) {
        size_t index = src->next(src->opaque);
        if (index == NO_FILE)
            break;
        take_file(f, index);
    }
    flush(f);
    mv__free(f->data);
    mv__free(f);
}

static void cpu_scalar(const mv__mb_source *src, size_t read_size)
{
    uint8_t *buf = mv__malloc(read_size);
    mv_digest_result res;

    for (size_t i = src->next(src->opaque); i != NO_FILE; i = src->next(src->opaque)) {
        if (buf == NULL) {
            memset(&res, 0, sizeof(res));
            res.status = MV_ENOMEM;
        } else {
            mv__digest_file_scalar(src->path(src->opaque, i), MV_DIGEST_MD5, buf, read_size, &res);
        }
        src->done(src->opaque, i, &res);
    }
    mv__free(buf);
}

void mv__md5_gpu_worker(mv__gpu_run *g, const mv__mb_source *src, size_t read_size)
{
    struct cpu_source c = { g, src };
    const mv__mb_source cpu = { cpu_next, cpu_done, cpu_path, &c, cpu_canceled, NULL };
    const struct mv_digest_engine *e = mv__engine_cpu_best();

    if (plugin != NULL && !atomic_exchange(&g->feeder_taken, 1))
        feed_gpu(g, src);
    if (e->md5_many == NULL || mv__md5_mb_run(e, &cpu, read_size) != MV_OK)
        cpu_scalar(&cpu, read_size); /* no memory for lanes: the files left still get results */
    if (cpu_canceled(&c)) {
        /* Deferred files nobody will start still need their one result. The
           feeder passes here after its last deferral, so none is missed. */
        for (size_t i = take_deferred(g); i != NO_FILE; i = take_deferred(g))
            report(src, i, MV_ECANCELED, 0, NULL);
    }
}
