/*
 * Reading: the read list through the digest engine, verified, into the writer.
 *
 * The read list (sorted by device and inode) is cut into chunks of up to 4096
 * inodes or chunk_bytes; the links of one inode travel with it and share its
 * result. For each algorithm still missing, the engine hashes the chunk in its
 * own thread while this thread takes the results as they complete: each one
 * is checked against a fresh lstat (same device, inode, size, mtime, ctime),
 * then stored through the batched writer, so commits keep up with the reads
 * and a kill loses about one transaction, not a whole chunk. A file that
 * changed while it was read (or MV_ECHANGED) is read once more with its new
 * stat; if it changes again it is stored as MV_EUNSTABLE without a digest.
 * A file that vanished is not stored: the next complete scan marks it gone.
 *
 * With MV_SCAN_FINGERPRINT, each stored leader of 1 byte .. 64 MiB whose
 * content the fingerprint cache does not hold yet (asked by MD5 and size, in
 * this thread, which owns the catalog) goes to a pool of fingerprint workers.
 * A worker reads the first 64 KiB to sniff it, and only an image or a text is
 * read whole and fingerprinted (mv_fp_mem, no catalog); a result whose MD5
 * differs from the scan's (the file changed since) is dropped. This thread
 * stores the results (mv_fp_store, in the open transaction) as they come, so
 * the rows are the ones `mediavault fingerprint` reads. At most 4 jobs per
 * worker are in flight: the writer waits for the fingerprints rather than
 * queueing the whole read list. The worker's read is a second read of the
 * file (usually from the page cache, as it follows the digest's read): the
 * digest engine does not hand its buffers out.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mediavault/fingerprint.h"
#include "scan_priv.h"

#define CHUNK_FILES_MAX 4096

enum { PENDING = 0, DONE = 1, VANISHED = 2, RETRY = 3 };

/* The files of one hashing round: one leader per inode, its links after it. */
struct chunk {
    struct mv__scan_entry **lead;
    size_t n;
    size_t *links; /* lead[i]'s links are read[links[i]] up to read[links[i + 1]] */
    const char **paths;
    size_t *map, m;     /* paths[j] is lead[map[j]], j < m */
    signed char *state; /* PENDING, DONE, VANISHED or RETRY per leader */
    uint8_t (*dig)[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN]; /* lent to leaders without digests */
    mv_digest_result *res;
    /* Results as they complete: written by the engine's workers, read by the writer. */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    size_t *queue, head, tail;
    int finished;
    mv_status ret;
    mv_digest_batch *batch;
};

/*
 * Checks a hashed leader against the file as it is now. Returns 1 when its
 * digests may be stored, 0 when it vanished, -1 when it must be read again.
 */
static int verify(struct mv__scan_entry *e)
{
    struct stat st;
    struct mv__scan_entry now;

    if (lstat((const char *)e->path, &st) != 0)
        return errno == ENOENT ? 0 : 1;
    memset(&now, 0, sizeof(now));
    mv__scan_entry_stat(&now, &st);
    int same = S_ISREG(st.st_mode) && now.dev == e->dev && now.ino == e->ino &&
               now.size == e->size && now.mtime_ns == e->mtime_ns && now.ctime_ns == e->ctime_ns;
    if (same && e->error != MV_ECHANGED)
        return 1;
    if (!S_ISREG(st.st_mode))
        return 0; /* replaced by something else: the next scan sees it */
    if (e->retried) {
        e->error = MV_EUNSTABLE;
        e->note = "changed while read, twice";
        return 1;
    }
    mv__scan_entry_stat(e, &st);
    e->retried = 1;
    e->error = MV_OK;
    e->have &= ~e->need;
    return -1;
}

static void count_stored(struct mv__scan_ctx *x, const struct mv__scan_entry *e)
{
    if (e->error != MV_OK) {
        x->st.errors++;
        if (x->s->event != NULL)
            x->s->event(x->s->event_opaque, e->path, e->len, e->error, e->note);
        return;
    }
    if (e->reason == MV__SCAN_NEW)
        x->st.new_files++;
    else if (e->reason == MV__SCAN_CHANGED)
        x->st.changed++;
    else
        x->st.unchanged++;
}

/* Stores a verified leader and its links (which share its inode, stat and digests). */
static mv_status store_group(struct mv__scan_ctx *x, struct chunk *k, size_t i)
{
    struct mv__scan_entry *lead = k->lead[i];
    mv_status ret = MV_OK;

    for (size_t j = k->links[i]; ret == MV_OK && j < k->links[i + 1]; j++) {
        struct mv__scan_entry *e = &x->read.v[j];
        if (e != lead) {
            uint8_t *path = e->path;
            size_t len = e->len;
            int reason = e->reason;
            *e = *lead;
            e->path = path;
            e->len = len;
            e->reason = reason;
        }
        count_stored(x, e);
        ret = mv__scan_store(x, e);
        if (ret == MV_OK && e->error != MV_OK)
            ret = mv_catalog_scan_error(x->c, x->scan_id, e->path, e->len, e->error, e->note);
    }
    return ret;
}

/* ---- fingerprints (MV_SCAN_FINGERPRINT) --------------------------------- */

#define FP_HEAD_BYTES      ((size_t)64 * 1024) /* what mv_fp_sniff() looks at */
#define FP_JOBS_PER_THREAD 4

struct fp_job {
    struct mv__scan_fp *f;
    char *path;
    uint8_t md5[MV_MD5_LEN];
    uint64_t size;
    mv_fp_result r;
    mv_status st;
    struct fp_job *next;
};

struct mv__scan_fp {
    mv__pool *pool;
    mv_fp *work;  /* no catalog: shared by the workers */
    mv_fp *cache; /* the scan's catalog as cache: the writer thread only */
    atomic_int *cancel;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct fp_job *done;             /* finished jobs, under lock */
    size_t in_flight, max_in_flight; /* in_flight under lock */
};

static void fp_job_free(struct fp_job *j)
{
    mv__free(j->path);
    mv__free(j);
}

/* Reads the head, then the rest only for an image or a text; MV_ENOTSUP for anything else. */
static mv_status fp_read(const struct fp_job *j, uint8_t **data)
{
    struct stat sb;
    mv_status st = MV_OK;
    const int fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

    if (fd < 0)
        return mv_status_from_errno(errno);
    if (fstat(fd, &sb) != 0)
        st = mv_status_from_errno(errno);
    else if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size != j->size)
        st = MV_ECHANGED;
    if (st == MV_OK) {
        const size_t head = j->size < FP_HEAD_BYTES ? (size_t)j->size : FP_HEAD_BYTES;
        *data = mv__malloc((size_t)j->size);
        st = *data == NULL ? MV_ENOMEM : mv__read_full(fd, *data, head);
        if (st == MV_OK && mv_fp_sniff(*data, head) == MV_FP_AUTO)
            st = MV_ENOTSUP;
        if (st == MV_OK)
            st = mv__read_full(fd, *data + head, (size_t)j->size - head);
    }
    close(fd);
    return st;
}

/* A worker: fingerprints one file, checks it is the content hashed, hands it back. */
static void fp_task(void *arg)
{
    struct fp_job *j = arg;
    struct mv__scan_fp *f = j->f;
    uint8_t *data = NULL;

    j->st = atomic_load(f->cancel) ? MV_ECANCELED : fp_read(j, &data);
    if (j->st == MV_OK)
        j->st = mv_fp_mem(f->work, data, (size_t)j->size, &j->r);
    if (j->st == MV_OK && memcmp(j->r.md5, j->md5, MV_MD5_LEN) != 0)
        j->st = MV_ECHANGED; /* changed since it was hashed: the next scan reads it again */
    mv__free(data);
    pthread_mutex_lock(&f->lock);
    j->next = f->done;
    f->done = j;
    f->in_flight--;
    pthread_cond_signal(&f->wake);
    pthread_mutex_unlock(&f->lock);
}

/* Stores one finished job (writer thread); only a catalog error is returned. */
static mv_status fp_finish(struct mv__scan_ctx *x, const struct fp_job *j)
{
    if (j->st == MV_ENOTSUP || j->st == MV_ECHANGED || j->st == MV_ECANCELED || j->st == MV_ENOENT)
        return MV_OK; /* not an image or a text, changed, canceled or gone: nothing to store */
    if (j->st != MV_OK) {
        x->fp_failed++;
        if (x->s->event != NULL)
            x->s->event(x->s->event_opaque, (const uint8_t *)j->path, strlen(j->path), j->st,
                        "not fingerprinted");
        return MV_OK;
    }
    mv_status ret = mv__scan_write_begin(x);
    if (ret == MV_OK)
        ret = mv_fp_store(x->fp->cache, &j->r);
    if (ret == MV_OK) {
        x->fp_computed++;
        ret = mv__scan_maybe_commit(x, 0);
    }
    return ret;
}

/* Stores what the workers finished so far (writer thread). */
static mv_status fp_drain(struct mv__scan_ctx *x)
{
    struct mv__scan_fp *f = x->fp;
    mv_status ret = MV_OK;

    if (f == NULL)
        return MV_OK;
    pthread_mutex_lock(&f->lock);
    struct fp_job *j = f->done;
    f->done = NULL;
    pthread_mutex_unlock(&f->lock);
    while (j != NULL) {
        struct fp_job *next = j->next;
        if (ret == MV_OK)
            ret = fp_finish(x, j);
        fp_job_free(j);
        j = next;
    }
    return ret;
}

/* Waits, storing results, until fewer than max_in_flight jobs are running. */
static mv_status fp_wait_room(struct mv__scan_ctx *x)
{
    struct mv__scan_fp *f = x->fp;

    for (;;) {
        pthread_mutex_lock(&f->lock);
        while (f->in_flight >= f->max_in_flight && f->done == NULL)
            pthread_cond_wait(&f->wake, &f->lock);
        const int full = f->in_flight >= f->max_in_flight;
        pthread_mutex_unlock(&f->lock);
        if (!full)
            return MV_OK;
        const mv_status ret = fp_drain(x);
        if (ret != MV_OK)
            return ret;
    }
}

static int fp_is_cached(struct mv__scan_ctx *x, const struct mv__scan_entry *e)
{
    mv_fp_result r;
    const uint8_t *md5 = e->digest[MV_DIGEST_MD5];

    return mv_fp_cached(x->fp->cache, MV_FP_IMAGE, md5, e->size, &r) == MV_OK ||
           mv_fp_cached(x->fp->cache, MV_FP_TEXT, md5, e->size, &r) == MV_OK;
}

/* Hands a stored leader to the workers, unless it is out of scope or cached already. */
static mv_status fp_submit(struct mv__scan_ctx *x, const struct mv__scan_entry *e)
{
    struct mv__scan_fp *f = x->fp;

    if (f == NULL || e->error != MV_OK || e->digest == NULL ||
        !(e->have & MV_CATALOG_HAS(MV_DIGEST_MD5)) || e->size == 0 ||
        e->size > MV_SCAN_FP_MAX_BYTES)
        return MV_OK;
    if (fp_is_cached(x, e)) {
        x->fp_cached++;
        return MV_OK;
    }
    mv_status ret = fp_wait_room(x);
    if (ret != MV_OK)
        return ret;
    struct fp_job *j = mv__calloc(1, sizeof(*j));
    if (j == NULL || (j->path = mv__strdup((const char *)e->path)) == NULL) {
        mv__free(j);
        return MV_ENOMEM;
    }
    j->f = f;
    j->size = e->size;
    memcpy(j->md5, e->digest[MV_DIGEST_MD5], MV_MD5_LEN);
    pthread_mutex_lock(&f->lock);
    f->in_flight++;
    pthread_mutex_unlock(&f->lock);
    ret = mv__pool_submit(f->pool, fp_task, j);
    if (ret != MV_OK) {
        pthread_mutex_lock(&f->lock);
        f->in_flight--;
        pthread_mutex_unlock(&f->lock);
        fp_job_free(j);
    }
    return ret;
}

/* Starts the fingerprint workers when the option asks for them (x->fp stays NULL otherwise). */
static mv_status fp_start(struct mv__scan_ctx *x, struct mv__scan_fp *f)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->lock, NULL);
    pthread_cond_init(&f->wake, NULL);
    if (!x->s->fingerprint)
        return MV_OK;
    const size_t threads = x->s->jobs > 0 ? (size_t)x->s->jobs : mv__cpu_count();
    f->max_in_flight = threads * FP_JOBS_PER_THREAD;
    f->cancel = &x->s->cancel;
    mv_status ret = mv_fp_new(&f->work);
    if (ret == MV_OK)
        ret = mv_fp_new(&f->cache);
    if (ret == MV_OK)
        ret = mv__pool_new(threads, &f->pool);
    if (ret != MV_OK)
        return ret;
    mv_fp_set_catalog(f->cache, x->c);
    x->fp = f;
    return MV_OK;
}

/* Waits for the workers; stores their last results when the scan went well (ret MV_OK). */
static mv_status fp_stop(struct mv__scan_ctx *x, struct mv__scan_fp *f, mv_status ret)
{
    if (f->pool != NULL)
        mv__pool_wait(f->pool);
    if (ret == MV_OK)
        ret = fp_drain(x);
    x->fp = NULL;
    for (struct fp_job *j = f->done, *next; j != NULL; j = next) {
        next = j->next;
        fp_job_free(j);
    }
    mv__pool_free(f->pool);
    mv_fp_free(f->work);
    mv_fp_free(f->cache);
    pthread_cond_destroy(&f->wake);
    pthread_mutex_destroy(&f->lock);
    return ret;
}

/* ---- verifying and storing --------------------------------------------- */

/* Verifies a leader whose digests are all in, then stores it with its links. */
static mv_status finish(struct mv__scan_ctx *x, struct chunk *k, size_t i)
{
    int v = verify(k->lead[i]);

    k->state[i] = v > 0 ? DONE : v == 0 ? VANISHED : RETRY;
    if (v <= 0)
        return MV_OK;
    const mv_status ret = store_group(x, k, i);
    return ret == MV_OK ? fp_submit(x, k->lead[i]) : ret;
}

/* The highest algorithm a leader still needs: its result completes the leader. */
static unsigned last_algo(const struct mv__scan_entry *e)
{
    unsigned last = 0;

    for (unsigned a = 0; a < MV_CATALOG_ALGOS; a++) {
        if (e->need & MV_CATALOG_HAS(a))
            last = a;
    }
    return last;
}

/* Takes one result: kept on the leader, which is finished when it was its last digest. */
static mv_status take(struct mv__scan_ctx *x, struct chunk *k, size_t j, unsigned a)
{
    struct mv__scan_entry *e = k->lead[k->map[j]];
    const mv_digest_result *r = &k->res[j];

    x->st.bytes_read += r->size;
    if (r->status == MV_ECANCELED)
        return MV_OK; /* the scan stops: this file is read again by the next one */
    if (r->status != MV_OK)
        e->error = r->status;
    else {
        memcpy(e->digest[a], r->digest, mv_digest_len((mv_digest_algo)a));
        e->have |= MV_CATALOG_HAS(a);
    }
    if (r->status != MV_OK || a == last_algo(e))
        return finish(x, k, k->map[j]);
    return MV_OK;
}

static void on_result(void *opaque, size_t j, const mv_digest_result *r)
{
    struct chunk *k = opaque;

    pthread_mutex_lock(&k->lock);
    k->res[j] = *r;
    k->queue[k->tail++] = j;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
}

static void *hasher_main(void *arg)
{
    struct chunk *k = arg;
    mv_status ret = mv_digest_batch_run(k->batch, k->paths, k->m, NULL, on_result, k);

    pthread_mutex_lock(&k->lock);
    k->ret = ret;
    k->finished = 1;
    pthread_cond_signal(&k->wake);
    pthread_mutex_unlock(&k->lock);
    return NULL;
}

/* Waits for the next result; returns 0 when the run is over and every result was taken. */
static int next_result(struct chunk *k, size_t *j)
{
    pthread_mutex_lock(&k->lock);
    while (k->head == k->tail && !k->finished)
        pthread_cond_wait(&k->wake, &k->lock);
    int got = k->head < k->tail;
    if (got)
        *j = k->queue[k->head++];
    pthread_mutex_unlock(&k->lock);
    return got;
}

/*
 * One pass of algorithm a over the pending leaders. The engine runs in its own
 * thread; this thread takes each result as it completes, verifies and stores
 * it, so commits follow the reads instead of waiting for the whole chunk.
 */
static mv_status hash_algo(struct mv__scan_ctx *x, mv_digest_batch *b, struct chunk *k, unsigned a)
{
    pthread_t th;
    mv_status ret = MV_OK;
    size_t j;

    k->m = k->head = k->tail = 0;
    k->finished = 0;
    for (size_t i = 0; i < k->n; i++) {
        if (k->state[i] == PENDING && (k->lead[i]->need & MV_CATALOG_HAS(a)) &&
            k->lead[i]->error == MV_OK) {
            k->map[k->m] = i;
            k->paths[k->m++] = (const char *)k->lead[i]->path;
        }
    }
    if (k->m == 0)
        return MV_OK;
    ret = mv_digest_batch_set(b, MV_DIGEST_OPT_ALGO, (long)a);
    if (ret != MV_OK)
        return ret;
    mv_digest_batch_set_progress(b, a == MV_DIGEST_MD5 ? x->s->progress : NULL);
    k->batch = b;
    if (pthread_create(&th, NULL, hasher_main, k) != 0)
        return MV_ESYSTEM;
    while (next_result(k, &j)) {
        if (ret == MV_OK)
            ret = take(x, k, j, a); /* after an error, drain the results and drop them */
        if (ret == MV_OK)
            ret = fp_drain(x);
    }
    pthread_join(th, NULL);
    return ret != MV_OK ? ret : k->ret;
}

/* All passes over a chunk; a leader that changed while read gets one more round. */
static mv_status hash_chunk(struct mv__scan_ctx *x, mv_digest_batch *b, struct chunk *k)
{
    mv_status ret = MV_OK;

    memset(k->state, PENDING, k->n);
    for (int round = 0; round < 2 && ret == MV_OK; round++) {
        int again = 0;
        for (unsigned a = 0; a < MV_CATALOG_ALGOS && ret == MV_OK; a++)
            ret = hash_algo(x, b, k, a);
        for (size_t i = 0; i < k->n && ret == MV_OK; i++) {
            if (k->state[i] == PENDING) /* failed in an earlier pass, or nothing to read */
                ret = finish(x, k, i);
            if (k->state[i] == RETRY) {
                k->state[i] = PENDING;
                again = 1;
            }
        }
        if (!again)
            break;
    }
    return ret;
}

static int same_inode(const struct mv__scan_entry *a, const struct mv__scan_entry *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* Fills k with the leaders from read[*pos] on, up to the chunk limits; advances *pos. */
static void fill_chunk(struct mv__scan_ctx *x, struct chunk *k, size_t *pos)
{
    uint64_t bytes = 0;
    size_t i = *pos;

    k->n = 0;
    while (i < x->read.n && k->n < CHUNK_FILES_MAX &&
           (k->n == 0 || bytes + x->read.v[i].size <= (uint64_t)x->s->chunk_bytes)) {
        k->lead[k->n] = &x->read.v[i];
        if (k->lead[k->n]->digest == NULL) /* links take the leader's in store_group() */
            k->lead[k->n]->digest = k->dig[k->n];
        k->links[k->n] = i;
        bytes += x->read.v[i].size;
        for (i++; i < x->read.n && same_inode(&x->read.v[i], k->lead[k->n]); i++)
            k->lead[k->n]->need |= x->read.v[i].need;
        k->n++;
    }
    k->links[k->n] = i;
    *pos = i;
}

static mv_status chunk_alloc(struct chunk *k)
{
    memset(k, 0, sizeof(*k));
    k->lead = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->lead));
    k->links = mv__calloc(CHUNK_FILES_MAX + 1, sizeof(*k->links));
    k->paths = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->paths));
    k->map = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->map));
    k->state = mv__calloc(CHUNK_FILES_MAX, 1);
    k->res = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->res));
    k->queue = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->queue));
    k->dig = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->dig));
    pthread_mutex_init(&k->lock, NULL);
    pthread_cond_init(&k->wake, NULL);
    int ok = k->lead && k->links && k->paths && k->map && k->state && k->res && k->queue && k->dig;
    return ok ? MV_OK : MV_ENOMEM;
}

static void chunk_free(struct chunk *k)
{
    mv__free(k->lead);
    mv__free(k->links);
    mv__free(k->paths);
    mv__free(k->map);
    mv__free(k->state);
    mv__free(k->res);
    mv__free(k->queue);
    mv__free(k->dig);
    pthread_mutex_destroy(&k->lock);
    pthread_cond_destroy(&k->wake);
}

static mv_status make_batch(const mv_scan *s, mv_digest_batch **b)
{
    mv_status ret = mv_digest_batch_new(b);

    if (ret == MV_OK)
        ret = mv_digest_batch_set(*b, MV_DIGEST_OPT_JOBS, s->jobs);
    if (ret == MV_OK)
        ret = mv_digest_batch_set(*b, MV_DIGEST_OPT_BACKEND, s->backend);
    if (ret == MV_OK)
        mv_digest_batch_watch(*b, &s->cancel); /* a cancel stops the chunk in flight too */
    return ret;
}

static void announce(struct mv__scan_ctx *x)
{
    uint64_t files = 0, bytes = 0;

    for (size_t i = 0; i < x->read.n; i++) {
        if (i == 0 || !same_inode(&x->read.v[i], &x->read.v[i - 1])) {
            files++;
            bytes += x->read.v[i].size;
        }
    }
    mv_progress_add_found(x->s->progress, files, bytes);
}

/* Reads, verifies and stores everything in the read list, chunk by chunk. */
mv_status mv__scan_read_all(struct mv__scan_ctx *x, const char **engine)
{
    mv_digest_batch *b = NULL;
    struct chunk k;
    struct mv__scan_fp f;
    size_t pos = 0;

    mv__scan_plan_sort(&x->read);
    announce(x);
    mv_status ret = chunk_alloc(&k);
    const mv_status fp_ret = fp_start(x, &f); /* f is set up even when it fails */
    if (ret == MV_OK)
        ret = make_batch(x->s, &b);
    if (ret == MV_OK)
        ret = fp_ret;
    while (ret == MV_OK && pos < x->read.n) {
        if (atomic_load(&x->s->cancel)) {
            ret = MV_ECANCELED;
            break;
        }
        fill_chunk(x, &k, &pos);
        ret = hash_chunk(x, b, &k);
    }
    ret = fp_stop(x, &f, ret);
    if (b != NULL)
        *engine = mv_digest_batch_engine(b);
    mv_digest_batch_free(b);
    chunk_free(&k);
    return ret;
}
