/*
 * Whole-file reads for `scan --fingerprint`: one read serves the digests and
 * the fingerprint.
 *
 * Which files: with MV_SCAN_FINGERPRINT, a file of 1 byte .. 64 MiB whose
 * name ends in an image or text extension (the list below, any case). The
 * name decides because it costs nothing: the first bytes would cost an open
 * and a read per file before the real read, and the digest engine does not
 * lend its buffers. Every other file goes through the multi-buffer engine and
 * is never held whole in memory. The content still decides the type: a
 * ".jpg" holding text is fingerprinted as text, one holding neither is not
 * fingerprinted. (A photo without such a name is catalogued but not
 * fingerprinted by the scan; `mediavault fingerprint` sniffs any file.)
 *
 * A job goes through two stages on the same pool of workers. Stage 1 opens
 * the file, checks it is still the file walked (device, inode, size, mtime,
 * ctime), reads it whole into one buffer, checks again after the read, and
 * computes every digest still needed from the buffer (mv_digest_buffer). The
 * writer thread then verifies and stores the file like any other and asks the
 * fingerprint cache by MD5 and size (it owns the catalog): a hit is counted,
 * anything else goes back to a worker for stage 2, which sniffs and
 * fingerprints the same buffer (mv_fp_mem, no catalog) and frees it; the
 * writer stores the result (mv_fp_store, in the open transaction), the same
 * rows as `mediavault fingerprint` writes. An MD5 stage 1 computed from the
 * buffer is handed to the fingerprinter as is (mv__fp_mem_md5); one stored by
 * an earlier scan is computed again from the buffer and must match, so that a
 * fingerprint is always of the content stored.
 *
 * Which contents: a content is done for the scan when the cache has its
 * fingerprint ("pdq" or "simhash64" at their versions, mv_fp's rows) or the
 * scan's record that it has none (FP_FAILED_ALGO: corrupt, too many pixels,
 * neither image nor text, no decoder for it in this build; the status in the
 * value). Such a record is made for failures of the content only, never for
 * those of the moment (memory, I/O, a change, the decoders not loaded), so an
 * unchanged broken file is decoded and reported by one scan, not by every
 * rescan; it is keyed by the library's version, so that another version tries
 * again once. A content being fingerprinted in stage 2 for one path is not
 * fingerprinted again for another path hashed meanwhile (counted as cached:
 * its fingerprint is stored before anything commits). Unchanged files whose
 * content is not done come here too (scan_plan.c), with all their digests to
 * compute again from the buffer.
 *
 * A file's row and its fingerprint reach the catalog in the same commit: the
 * writer holds the commit while a written row waits for its fingerprint, and
 * a canceled scan still finishes and stores the fingerprints of the rows it
 * commits; otherwise the next scan would find the file unchanged and never
 * fingerprint it.
 *
 * Each device has its own pool of workers (as many as its reader's engine
 * has jobs) and its own share of jobs in flight, so that a slow disk does not
 * hold up the photos of another.
 *
 * Memory: a job holds its buffer from stage 1 to the end of stage 2; a device
 * has at most jobs + 2 jobs in flight, and all devices together 192 MiB of
 * files, past which a device starts a file only when it has none in flight.
 * The bound is therefore 192 MiB plus one file of at most 64 MiB per device,
 * and on top of it each fingerprint worker's decoding memory (up to
 * --max-pixels x 3 bytes for an image).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mediavault/version.h"

#include "../catalog/catalog.h"
#include "../fingerprint/fp_file.h"
#include "scan_priv.h"

#define WHOLE_BUDGET_BYTES ((uint64_t)192 << 20)
#define WHOLE_SPARE_JOBS   2
#define SNIFF_BYTES        ((size_t)64 * 1024) /* what mv_fp_sniff() looks at */

/*
 * The cache row that says a content cannot be fingerprinted: the failure's
 * mv_status as a 4-byte big-endian negated number, no quality. Its version is
 * the library's, so that another version (a fix) tries each such content once
 * more. A constant, so that the rescan can look for it without loading the
 * decoders; what depends on them (a format this build cannot decode) is never
 * recorded (content_failure()).
 */
#define FP_FAILED_ALGO    "unfingerprintable"
#define FP_FAILED_VERSION ((int)MV_VERSION_NUMBER)

/* One device's workers and its jobs in flight (the writer's count). */
struct whole_device {
    mv__pool *pool;
    size_t in_flight, max_in_flight;
};

struct mv__scan_whole {
    struct whole_device *dev;
    size_t n_dev;
    mv_fp *work;  /* no catalog: shared by the workers */
    mv_fp *cache; /* the scan's catalog as cache: the writer thread only */
    const atomic_int *cancel;
    mv_progress *progress;
    pthread_mutex_t *lock; /* the hub's: guards done */
    pthread_cond_t *wake;
    struct mv__scan_whole_job *done;
    /* The writer thread's own counters, and the contents in stage 2. */
    size_t in_flight;
    uint64_t bytes_in_flight;
    struct mv__scan_content *running;
    size_t n_running, cap_running;
};

static const mv__catalog_fp_algo fp_done[] = {
    { "pdq", MV_FP_PDQ_VERSION }, /* mv_fp's names with default options */
    { "simhash64", MV_FP_SIMHASH_VERSION },
    { FP_FAILED_ALGO, FP_FAILED_VERSION },
};

const struct mv__catalog_fp_algo *mv__scan_whole_fp_done(size_t *n)
{
    *n = sizeof(fp_done) / sizeof(fp_done[0]);
    return fp_done;
}

/* Images mv_fp_sniff() recognises (and HEIF), texts SimHash is meant for. */
static const char *const media_ext[] = {
    "jpg",  "jpeg",  "jpe",  "jfif", "png", "gif",      "webp", "bmp", "dib", "tif",
    "tiff", "heic",  "heif", "avif", "txt", "text",     "md",   "rst", "org", "htm",
    "html", "xhtml", "srt",  "vtt",  "nfo", "markdown", "tex",  "csv", "log",
};

static int media_name(const uint8_t *path, size_t len)
{
    size_t dot = len;

    while (dot > 0 && path[dot - 1] != '.' && path[dot - 1] != '/')
        dot--;
    if (dot <= 1 || path[dot - 1] != '.' || path[dot - 2] == '/')
        return 0; /* no extension, or a hidden file's name only */
    const size_t n = len - dot;
    for (size_t i = 0; i < sizeof(media_ext) / sizeof(media_ext[0]); i++) {
        if (strlen(media_ext[i]) == n &&
            strncasecmp((const char *)path + dot, media_ext[i], n) == 0)
            return 1;
    }
    return 0;
}

int mv__scan_whole_wanted(const mv_scan *s, const struct mv__scan_entry *e)
{
    return s->fingerprint && e->size > 0 && e->size <= MV_SCAN_FP_MAX_BYTES &&
           media_name(e->path, e->len);
}

static int same_file(const struct mv__scan_whole_job *j, const struct stat *st)
{
    struct mv__scan_entry now;

    memset(&now, 0, sizeof(now));
    mv__scan_entry_stat(&now, st);
    return S_ISREG(st->st_mode) && now.dev == j->dev && now.ino == j->ino && now.size == j->size &&
           now.mtime_ns == j->mtime_ns && now.ctime_ns == j->ctime_ns;
}

/* Reads the file whole into j->data; MV_ECHANGED when it is not the file walked any more. */
static mv_status read_whole(struct mv__scan_whole_job *j)
{
    struct stat st;
    uint8_t extra;
    mv_status ret = MV_OK;
    const int fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return mv_status_from_errno(errno);
    if (fstat(fd, &st) != 0)
        ret = mv_status_from_errno(errno);
    else if (!same_file(j, &st))
        ret = MV_ECHANGED;
    if (ret == MV_OK) {
        (void)posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
        j->data = mv__malloc((size_t)j->size);
        ret = j->data == NULL ? MV_ENOMEM : mv__read_full(fd, j->data, (size_t)j->size);
    }
    if (ret == MV_OK || ret == MV_ECHANGED)
        j->bytes_read = j->data != NULL ? j->size : 0;
    if (ret == MV_OK && (read(fd, &extra, 1) != 0 || fstat(fd, &st) != 0 || !same_file(j, &st)))
        ret = MV_ECHANGED; /* grew, or was written to, while read */
    close(fd);
    return ret;
}

static mv_status hash_whole(struct mv__scan_whole_job *j)
{
    mv_status ret = MV_OK;

    for (unsigned a = 0; a < MV_CATALOG_ALGOS && ret == MV_OK; a++) {
        if (j->need & MV_CATALOG_HAS(a))
            ret = mv_digest_buffer((mv_digest_algo)a, j->data, (size_t)j->size, j->digest[a]);
    }
    return ret;
}

static void hand_back(struct mv__scan_whole *w, struct mv__scan_whole_job *j)
{
    pthread_mutex_lock(w->lock);
    j->next = w->done;
    w->done = j;
    pthread_cond_broadcast(w->wake);
    pthread_mutex_unlock(w->lock);
}

/* Stage 1: read and hash. */
static void read_task(void *arg)
{
    struct mv__scan_whole_job *j = arg;
    struct mv__scan_whole *w = j->whole;

    j->st = atomic_load(w->cancel) ? MV_ECANCELED : read_whole(j);
    if (j->st == MV_OK)
        j->st = hash_whole(j);
    if (j->st != MV_OK) {
        mv__free(j->data);
        j->data = NULL;
    }
    mv_progress_add_done(w->progress, 1, j->bytes_read);
    hand_back(w, j);
}

/* Stage 2: fingerprint the buffer, then free it. */
static void fp_task(void *arg)
{
    struct mv__scan_whole_job *j = arg;
    struct mv__scan_whole *w = j->whole;

    /* No cancel check: the file's row is written already, so its fingerprint is
       work in flight, finished and stored like the row. */
    if (j->need & MV_CATALOG_HAS(MV_DIGEST_MD5)) { /* stage 1 hashed this buffer */
        j->st = mv__fp_mem_md5(w->work, j->data, (size_t)j->size, j->md5, &j->fp);
    } else { /* the MD5 stored earlier: checked against the bytes fingerprinted */
        j->st = mv_fp_mem(w->work, j->data, (size_t)j->size, &j->fp);
        if (j->st == MV_OK && memcmp(j->fp.md5, j->md5, MV_MD5_LEN) != 0)
            j->st = MV_ECHANGED;
    }
    mv__free(j->data);
    j->data = NULL;
    hand_back(w, j);
}

/* Runs the job's next stage on a worker. */
static mv_status submit(struct mv__scan_whole *w, struct mv__scan_whole_job *j, int stage)
{
    j->stage = stage;
    j->whole = w;
    j->next = NULL;
    return mv__pool_submit(w->dev[j->device].pool, stage == 1 ? read_task : fp_task, j);
}

int mv__scan_whole_room(const struct mv__scan_ctx *x, size_t device, uint64_t size)
{
    const struct mv__scan_whole *w = x->whole;
    const struct whole_device *d = &w->dev[device];

    if (x->commit_held > 0 && mv__scan_commit_due(x))
        return 0; /* the fingerprints in flight finish first, so that the rows commit */
    if (d->in_flight == 0)
        return 1;
    return d->in_flight < d->max_in_flight && w->bytes_in_flight + size <= WHOLE_BUDGET_BYTES;
}

mv_status mv__scan_whole_submit(struct mv__scan_ctx *x, void *owner, size_t device, size_t index,
                                const struct mv__scan_entry *e)
{
    struct mv__scan_whole *w = x->whole;
    struct mv__scan_whole_job *j = mv__calloc(1, sizeof(*j));

    if (j == NULL)
        return MV_ENOMEM;
    j->owner = owner;
    j->device = device;
    j->index = index;
    j->path = (const char *)e->path;
    j->dev = e->dev;
    j->ino = e->ino;
    j->size = e->size;
    j->mtime_ns = e->mtime_ns;
    j->ctime_ns = e->ctime_ns;
    j->need = e->need;
    w->in_flight++;
    w->dev[device].in_flight++;
    w->bytes_in_flight += e->size;
    const mv_status ret = submit(w, j, 1);
    if (ret != MV_OK)
        mv__scan_whole_release(x, j);
    return ret;
}

struct mv__scan_whole_job *mv__scan_whole_pop(struct mv__scan_ctx *x)
{
    struct mv__scan_whole *w = x->whole;
    struct mv__scan_whole_job *j = w != NULL ? w->done : NULL;

    if (j != NULL)
        w->done = j->next;
    return j;
}

int mv__scan_whole_waiting(const struct mv__scan_ctx *x)
{
    return x->whole != NULL && x->whole->done != NULL;
}

size_t mv__scan_whole_in_flight(const struct mv__scan_ctx *x)
{
    return x->whole != NULL ? x->whole->in_flight : 0;
}

void mv__scan_whole_release(struct mv__scan_ctx *x, struct mv__scan_whole_job *j)
{
    struct mv__scan_whole *w = x->whole;

    w->in_flight--;
    w->dev[j->device].in_flight--;
    w->bytes_in_flight -= j->size;
    mv__free(j->data);
    mv__free(j);
}

int mv__scan_whole_done(mv_catalog *c, const uint8_t md5[MV_MD5_LEN], uint64_t size)
{
    uint8_t v[64];
    size_t len;
    int quality;

    for (size_t i = 0; i < sizeof(fp_done) / sizeof(fp_done[0]); i++) {
        const mv_status st = mv_catalog_fp_get(c, md5, size, fp_done[i].algorithm,
                                               fp_done[i].version, v, sizeof(v), &len, &quality);
        if (st == MV_OK || st == MV_ETOOBIG) /* there, whatever its length */
            return 1;
    }
    return 0;
}

/* The index of j's content among those in stage 2, or n_running. */
static size_t running_find(const struct mv__scan_whole *w, const struct mv__scan_whole_job *j)
{
    size_t i = 0;

    while (i < w->n_running &&
           (w->running[i].size != j->size || memcmp(w->running[i].md5, j->md5, MV_MD5_LEN) != 0))
        i++;
    return i;
}

static mv_status running_add(struct mv__scan_whole *w, const struct mv__scan_whole_job *j)
{
    if (w->n_running == w->cap_running) {
        const size_t cap = w->cap_running ? 2 * w->cap_running : 16;
        struct mv__scan_content *v = mv__realloc(w->running, cap * sizeof(*v));
        if (v == NULL)
            return MV_ENOMEM;
        w->running = v;
        w->cap_running = cap;
    }
    memcpy(w->running[w->n_running].md5, j->md5, MV_MD5_LEN);
    w->running[w->n_running++].size = j->size;
    return MV_OK;
}

static void running_remove(struct mv__scan_whole *w, const struct mv__scan_whole_job *j)
{
    const size_t i = running_find(w, j);

    if (i < w->n_running)
        w->running[i] = w->running[--w->n_running];
}

/*
 * Failures of the content itself, that the same bytes meet again with this
 * library, as opposed to those of the moment (memory, I/O, a change, time, a
 * cancel) and to those of the build: MV_ENOTSUP from the decoders (a format
 * sniffed as an image that this build cannot decode, such as HEIF without
 * libheif, or no decoders loaded) is left unrecorded, so that a build that
 * gains the decoder fingerprints the file. Content that is neither image nor
 * text is recorded when sniffed, before any decoding.
 */
static int content_failure(mv_status st)
{
    return st == MV_ECORRUPT || st == MV_ETOOBIG || st == MV_EPARSE;
}

/*
 * Records in the cache, in the open transaction, that j's content cannot be
 * fingerprinted (st), so that later scans do not read it again for that: an
 * unchanged broken photo is reported by the one scan that tried it.
 */
static mv_status record_failure(struct mv__scan_ctx *x, const struct mv__scan_whole_job *j,
                                mv_status st)
{
    const uint32_t code = (uint32_t)(-(int32_t)st);
    const uint8_t v[4] = { (uint8_t)(code >> 24), (uint8_t)(code >> 16), (uint8_t)(code >> 8),
                           (uint8_t)code };
    mv_status ret = mv__scan_write_begin(x);

    if (ret == MV_OK)
        ret = mv_catalog_fp_put(x->c, j->md5, j->size, FP_FAILED_ALGO, FP_FAILED_VERSION, v,
                                sizeof(v), -1, x->now);
    return ret == MV_OK ? mv__scan_maybe_commit(x, 0) : ret;
}

/* Stores j's fingerprint in the open transaction. */
static mv_status store_fp(struct mv__scan_ctx *x, const struct mv__scan_whole_job *j)
{
    mv_status ret = mv__scan_write_begin(x);

    if (ret == MV_OK)
        ret = mv_fp_store(x->whole->cache, &j->fp);
    if (ret != MV_OK)
        return ret;
    x->fp_computed++;
    return mv__scan_maybe_commit(x, 0);
}

mv_status mv__scan_whole_stored(struct mv__scan_ctx *x, struct mv__scan_whole_job *j, int stored)
{
    struct mv__scan_whole *w = x->whole;

    if (!stored || j->st != MV_OK || j->data == NULL) {
        mv__scan_whole_release(x, j);
        return MV_OK;
    }
    /* In stage 2 for another path: that fingerprint is stored before any commit. */
    if (mv__scan_whole_done(x->c, j->md5, j->size) || running_find(w, j) < w->n_running) {
        x->fp_cached++;
        mv__scan_whole_release(x, j);
        return MV_OK;
    }
    const size_t head = j->size < SNIFF_BYTES ? (size_t)j->size : SNIFF_BYTES;
    if (mv_fp_sniff(j->data, head) == MV_FP_AUTO) { /* named like media, holding neither */
        const mv_status ret = record_failure(x, j, MV_ENOTSUP);
        mv__scan_whole_release(x, j);
        return ret;
    }
    mv_status ret = running_add(w, j);
    if (ret == MV_OK)
        ret = submit(w, j, 2);
    if (ret != MV_OK) {
        running_remove(w, j);
        mv__scan_whole_release(x, j);
    } else {
        x->commit_held++; /* until mv__scan_whole_fingerprinted() */
    }
    return ret;
}

mv_status mv__scan_whole_fingerprinted(struct mv__scan_ctx *x, struct mv__scan_whole_job *j,
                                       mv_status ret)
{
    const mv_status st = j->st;

    x->commit_held--;
    running_remove(x->whole, j);
    if (ret == MV_OK && st != MV_OK && st != MV_ENOTSUP && st != MV_ECHANGED &&
        st != MV_ECANCELED) {
        x->fp_failed++;
        if (x->s->event != NULL)
            x->s->event(x->s->event_opaque, (const uint8_t *)j->path, strlen(j->path), st,
                        "not fingerprinted");
    }
    /* A canceled scan commits the rows it wrote, this file's among them: its
       fingerprint (or the record of its failure) goes with it. */
    mv_status put = MV_OK;
    if (ret == MV_OK || ret == MV_ECANCELED) {
        if (st == MV_OK)
            put = store_fp(x, j);
        else if (content_failure(st))
            put = record_failure(x, j, st);
    }
    if (ret == MV_OK)
        ret = put;
    if (ret == MV_OK)
        ret = mv__scan_commit_if_due(x); /* the commit held back for it */
    mv__scan_whole_release(x, j);
    return ret;
}

/* Device d's workers: as many as its reader's engine has jobs (0 = every CPU). */
static mv_status device_start(struct whole_device *d, long jobs)
{
    const size_t threads = jobs > 0 ? (size_t)jobs : mv__cpu_count();

    d->max_in_flight = threads + WHOLE_SPARE_JOBS;
    return mv__pool_new(threads, &d->pool);
}

mv_status mv__scan_whole_start(struct mv__scan_ctx *x, pthread_mutex_t *lock, pthread_cond_t *wake,
                               const long *jobs, size_t n_dev)
{
    x->whole = NULL;
    if (!x->s->fingerprint)
        return MV_OK;
    struct mv__scan_whole *w = mv__calloc(1, sizeof(*w));
    if (w == NULL)
        return MV_ENOMEM;
    x->whole = w;
    w->cancel = &x->s->cancel;
    w->progress = x->s->progress;
    w->lock = lock;
    w->wake = wake;
    w->dev = mv__calloc(n_dev, sizeof(*w->dev));
    if (w->dev == NULL)
        return MV_ENOMEM;
    w->n_dev = n_dev;
    mv_status ret = mv_fp_new(&w->work);
    if (ret == MV_OK)
        ret = mv_fp_new(&w->cache);
    for (size_t d = 0; d < n_dev && ret == MV_OK; d++)
        ret = device_start(&w->dev[d], jobs[d]);
    if (ret == MV_OK)
        mv_fp_set_catalog(w->cache, x->c);
    return ret;
}

void mv__scan_whole_stop(struct mv__scan_ctx *x)
{
    struct mv__scan_whole *w = x->whole;

    if (w == NULL)
        return;
    for (size_t d = 0; d < w->n_dev; d++) {
        if (w->dev[d].pool != NULL)
            mv__pool_wait(w->dev[d].pool);
    }
    for (struct mv__scan_whole_job *j = w->done, *next; j != NULL; j = next) {
        next = j->next;
        mv__free(j->data);
        mv__free(j);
    }
    for (size_t d = 0; d < w->n_dev; d++)
        mv__pool_free(w->dev[d].pool);
    mv__free(w->dev);
    mv__free(w->running);
    mv_fp_free(w->work);
    mv_fp_free(w->cache);
    mv__free(w);
    x->whole = NULL;
}
