/*
 * Reading: the read list through the digest engine, one reader per device,
 * verified, into the writer.
 *
 * The read list is sorted by device, then by physical offset or inode
 * (scan_plan.c), and cut into one range per device. Each device gets its own
 * reader: its own digest batch (the jobs are shared out between devices, all
 * of them to the only one in the usual case) fed with chunks of up to 4096
 * inodes or chunk_bytes of that device, so that a slow disk does not hold up
 * the others. The links of one inode travel with it and share its result.
 * For each algorithm still missing, a reader's engine hashes its chunk in a
 * thread of its own, and every result of every reader comes to this thread
 * (the writer) through one lock and condition, the hub: each one is checked
 * against a fresh lstat (same device, inode, size, mtime, ctime), then stored
 * through the batched writer, so commits keep up with the reads and a kill
 * loses about one transaction, not a whole chunk. A file that changed while it
 * was read (or MV_ECHANGED) is read once more with its new stat; if it changes
 * again it is stored as MV_EUNSTABLE without a digest. A file that vanished
 * is not stored: the next complete scan marks it gone.
 *
 * With MV_SCAN_FINGERPRINT, the leaders named as images or texts (up to
 * 64 MiB) are not given to the engine: scan_whole.c reads each whole once,
 * hashes and fingerprints the same buffer, and its results come through the
 * hub too. A chunk is done when its engine passes and its whole-file jobs
 * are; each device has its own whole-file workers too.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_priv.h"

#define CHUNK_FILES_MAX 4096

enum { PENDING = 0, DONE = 1, VANISHED = 2, RETRY = 3 };

/* Where the results of every reader and whole-file job meet the writer. */
struct hub {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    size_t hashing, max_hashing; /* engines running, and at most (the writer's own) */
};

/* The files of one hashing round: one leader per inode, its links after it. */
struct chunk {
    struct mv__scan_entry **lead;
    size_t n;
    size_t *links; /* lead[i]'s links are read[links[i]] up to read[links[i + 1]] */
    const char **paths;
    size_t *map, m;     /* paths[j] is lead[map[j]], j < m */
    signed char *state; /* PENDING, DONE, VANISHED or RETRY per leader */
    signed char *whole; /* 1: read whole by scan_whole.c, not by the engine */
    size_t whole_next;  /* next leader to consider for a whole-file job this round */
    size_t whole_out;   /* whole-file jobs of this chunk not back yet */
    uint8_t (*dig)[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN]; /* lent to leaders without digests */
    mv_digest_result *res;
    /* Results as they complete, under the hub's lock: written by the engine's workers. */
    size_t *queue, head, tail;
    int finished;
    mv_status ret;
};

/* One device's reader: its range of the read list, its batch, its chunk. */
struct reader {
    struct mv__scan_ctx *x;
    struct hub *hub;
    struct chunk k;
    mv_digest_batch *b;
    size_t device;   /* its index: the readers are in the order of the read list */
    long jobs;       /* its engine's (0 = every CPU), also its whole-file workers' */
    size_t pos, end; /* read.v[pos..end) is not in a chunk yet */
    unsigned algo;   /* the pass running, or the next one */
    int round;       /* 0, or 1 for the leaders that changed while read */
    int hashing;     /* a hasher thread runs (joined by the writer) */
    int done;
    pthread_t th;
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
    if (e->reason == MV__SCAN_REFP)
        e->reason = MV__SCAN_CHANGED; /* read for its fingerprint, and found changing */
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
            if (reason == MV__SCAN_REFP && lead->reason == MV__SCAN_CHANGED)
                reason = MV__SCAN_CHANGED; /* its bytes are the leader's */
            *e = *lead;
            e->path = path;
            e->len = len;
            e->reason = reason;
        }
        count_stored(x, e);
        if (e->reason == MV__SCAN_REFP) {
            /* Read for its fingerprint only: its row holds these digests already,
               and a read that failed (out of memory, I/O) leaves the row as it was
               rather than erase the digests of an unchanged file. */
            if (e->error != MV_OK)
                ret = mv_catalog_scan_error(x->c, x->scan_id, e->path, e->len, e->error, e->note);
            continue;
        }
        ret = mv__scan_store(x, e);
        if (ret == MV_OK && e->error != MV_OK)
            ret = mv_catalog_scan_error(x->c, x->scan_id, e->path, e->len, e->error, e->note);
    }
    return ret;
}

/* ---- verifying and storing --------------------------------------------- */

/* Verifies a leader whose digests are all in, then stores it with its links; 1 when stored. */
static mv_status finish(struct mv__scan_ctx *x, struct chunk *k, size_t i, int *stored)
{
    const int v = verify(k->lead[i]);

    k->state[i] = v > 0 ? DONE : v == 0 ? VANISHED : RETRY;
    *stored = v > 0;
    return v > 0 ? store_group(x, k, i) : MV_OK;
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

/* Takes one engine result: kept on the leader, which is finished when it was its last digest. */
static mv_status take(struct mv__scan_ctx *x, struct chunk *k, size_t j, unsigned a)
{
    struct mv__scan_entry *e = k->lead[k->map[j]];
    const mv_digest_result *r = &k->res[j];
    int stored;

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
        return finish(x, k, k->map[j], &stored);
    return MV_OK;
}

/* Takes a whole-file job back: stage 1 completes its leader, stage 2 is a fingerprint. */
static mv_status take_whole(struct mv__scan_ctx *x, struct mv__scan_whole_job *j, mv_status ret)
{
    if (j->stage == 2)
        return mv__scan_whole_fingerprinted(x, j, ret);
    struct reader *r = j->owner;
    struct mv__scan_entry *e = r->k.lead[j->index];
    int stored = 0;

    r->k.whole_out--;
    x->st.bytes_read += j->bytes_read;
    if (ret != MV_OK || j->st == MV_ECANCELED) {
        mv__scan_whole_release(x, j); /* canceled: read again by the next scan */
        return ret;
    }
    if (j->st != MV_OK)
        e->error = j->st;
    else {
        /* Read for its missing fingerprint, with the stat of its record, yet
           other bytes than the MD5 stored: rewritten within one timestamp tick,
           or its times put back. A changed file: the row gets the new digests
           (stored below), the fingerprint is of these bytes. */
        if (e->reason == MV__SCAN_REFP && (j->need & MV_CATALOG_HAS(MV_DIGEST_MD5)) &&
            memcmp(e->digest[MV_DIGEST_MD5], j->digest[MV_DIGEST_MD5], MV_MD5_LEN) != 0)
            e->reason = MV__SCAN_CHANGED;
        for (unsigned a = 0; a < MV_CATALOG_ALGOS; a++) {
            if (j->need & MV_CATALOG_HAS(a))
                memcpy(e->digest[a], j->digest[a], mv_digest_len((mv_digest_algo)a));
        }
        e->have |= j->need;
    }
    x->commit_held++; /* the row may need its fingerprint in the same commit */
    ret = finish(x, &r->k, j->index, &stored);
    stored =
        stored && ret == MV_OK && e->error == MV_OK && (e->have & MV_CATALOG_HAS(MV_DIGEST_MD5));
    if (stored)
        memcpy(j->md5, e->digest[MV_DIGEST_MD5], MV_MD5_LEN);
    const mv_status fp = mv__scan_whole_stored(x, j, stored);
    x->commit_held--;
    if (ret == MV_OK && fp == MV_OK)
        ret = mv__scan_commit_if_due(x); /* the commit held back for it */
    return ret != MV_OK ? ret : fp;
}

/* ---- the readers ----------------------------------------------------------- */

static void on_result(void *opaque, size_t j, const mv_digest_result *res)
{
    struct reader *r = opaque;

    pthread_mutex_lock(&r->hub->lock);
    r->k.res[j] = *res;
    r->k.queue[r->k.tail++] = j;
    pthread_cond_signal(&r->hub->wake);
    pthread_mutex_unlock(&r->hub->lock);
}

static void *hasher_main(void *arg)
{
    struct reader *r = arg;
    struct chunk *k = &r->k;
    mv_status ret = mv_digest_batch_run(r->b, k->paths, k->m, NULL, on_result, r);

    pthread_mutex_lock(&r->hub->lock);
    k->ret = ret;
    k->finished = 1;
    pthread_cond_signal(&r->hub->wake);
    pthread_mutex_unlock(&r->hub->lock);
    return NULL;
}

/*
 * Starts the engine's pass of algorithm a over r's pending leaders; *started
 * = 0 when none, -1 when as many engines as the descriptors allow are running
 * (asked again later).
 */
static mv_status start_pass(struct reader *r, unsigned a, int *started)
{
    struct chunk *k = &r->k;

    *started = 0;
    k->m = k->head = k->tail = 0;
    k->finished = 0;
    for (size_t i = 0; i < k->n; i++) {
        const struct mv__scan_entry *e = k->lead[i];
        if (k->state[i] == PENDING && !k->whole[i] && (e->need & MV_CATALOG_HAS(a)) &&
            e->error == MV_OK) {
            k->map[k->m] = i;
            k->paths[k->m++] = (const char *)e->path;
        }
    }
    if (k->m == 0)
        return MV_OK;
    if (r->hub->hashing >= r->hub->max_hashing) {
        *started = -1;
        return MV_OK;
    }
    mv_status ret = mv_digest_batch_set(r->b, MV_DIGEST_OPT_ALGO, (long)a);
    if (ret != MV_OK)
        return ret;
    mv_digest_batch_set_progress(r->b, a == MV_DIGEST_MD5 ? r->x->s->progress : NULL);
    if (pthread_create(&r->th, NULL, hasher_main, r) != 0)
        return MV_ESYSTEM;
    r->hashing = 1;
    r->hub->hashing++;
    *started = 1;
    return MV_OK;
}

/* The end of a round: finishes what failed or had nothing to read; *again when some must retry. */
static mv_status end_round(struct mv__scan_ctx *x, struct chunk *k, int *again)
{
    mv_status ret = MV_OK;
    int stored;

    *again = 0;
    for (size_t i = 0; i < k->n && ret == MV_OK; i++) {
        if (k->state[i] == PENDING) /* failed in an earlier pass, or nothing to read */
            ret = finish(x, k, i, &stored);
        if (k->state[i] == RETRY) {
            k->state[i] = PENDING;
            *again = 1;
        }
    }
    return ret;
}

static int same_inode(const struct mv__scan_entry *a, const struct mv__scan_entry *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* Fills r's chunk with the leaders from r->pos on, up to the chunk limits. */
static void fill_chunk(struct reader *r)
{
    struct mv__scan_ctx *x = r->x;
    struct chunk *k = &r->k;
    uint64_t bytes = 0;
    size_t i = r->pos;

    k->n = 0;
    while (i < r->end && k->n < CHUNK_FILES_MAX &&
           (k->n == 0 || bytes + x->read.v[i].size <= (uint64_t)x->s->chunk_bytes)) {
        struct mv__scan_entry *e = &x->read.v[i];
        k->lead[k->n] = e;
        if (e->digest == NULL) /* links take the leader's in store_group() */
            e->digest = k->dig[k->n];
        k->links[k->n] = i;
        bytes += e->size;
        /* Read whole when any of its names is a media name, whichever leads. */
        k->whole[k->n] = (signed char)mv__scan_whole_wanted(x->s, e);
        for (i++; i < r->end && same_inode(&x->read.v[i], e); i++) {
            e->need |= x->read.v[i].need;
            k->whole[k->n] |= (signed char)mv__scan_whole_wanted(x->s, &x->read.v[i]);
        }
        k->n++;
    }
    k->links[k->n] = i;
    r->pos = i;
    memset(k->state, PENDING, k->n);
    k->whole_next = 0;
    r->round = 0;
    r->algo = 0;
}

/*
 * Moves r on while it has no engine pass running: the next pass of the round,
 * or (once its whole-file jobs are back too) the end of the round, a retry
 * round, the next chunk; r->done at the end of its range.
 */
static mv_status advance(struct reader *r)
{
    struct mv__scan_ctx *x = r->x;
    struct chunk *k = &r->k;
    mv_status ret = MV_OK;
    int again, started;

    while (!r->done && !r->hashing) {
        if (r->algo < MV_CATALOG_ALGOS) {
            ret = start_pass(r, r->algo, &started);
            if (ret != MV_OK || started < 0)
                return ret; /* no room: run_readers() asks again */
            r->algo++;
            continue;
        }
        if (k->whole_out > 0 || k->whole_next < k->n)
            return MV_OK; /* take_whole() and the top-up bring it back here */
        ret = end_round(x, k, &again);
        if (ret != MV_OK)
            return ret;
        if (again && r->round == 0) {
            r->round = 1;
            r->algo = 0;
            k->whole_next = 0;
            continue;
        }
        if (atomic_load(&x->s->cancel))
            return MV_ECANCELED;
        if (r->pos >= r->end)
            r->done = 1;
        else
            fill_chunk(r);
    }
    return MV_OK;
}

/* Hands r's next whole-file leaders to scan_whole.c while there is room. */
static mv_status top_up(struct reader *r)
{
    struct chunk *k = &r->k;

    if (r->done)
        return MV_OK;
    while (k->whole_next < k->n) {
        const size_t i = k->whole_next;
        const struct mv__scan_entry *e = k->lead[i];
        if (!k->whole[i] || k->state[i] != PENDING || e->error != MV_OK) {
            k->whole_next++;
            continue;
        }
        if (!mv__scan_whole_room(r->x, r->device, e->size))
            return MV_OK;
        const mv_status ret = mv__scan_whole_submit(r->x, r, r->device, i, e);
        if (ret != MV_OK)
            return ret;
        k->whole_next++;
        k->whole_out++;
    }
    return MV_OK;
}

/* ---- the writer's loop ------------------------------------------------------- */

struct readers {
    struct reader *v;
    size_t n;
    struct hub hub;
};

/* True when something waits for the writer; call with the hub's lock held. */
static int ready(struct readers *rs)
{
    for (size_t d = 0; d < rs->n; d++) {
        const struct reader *r = &rs->v[d];
        if (r->k.head < r->k.tail || (r->hashing && r->k.finished))
            return 1;
    }
    return mv__scan_whole_waiting(rs->v[0].x);
}

/* Takes r's engine results, and joins its hasher thread once the pass is over. */
static mv_status drain_reader(struct reader *r, mv_status ret)
{
    struct chunk *k = &r->k;
    size_t j;

    for (;;) {
        pthread_mutex_lock(&r->hub->lock);
        const int got = k->head < k->tail;
        const int over = !got && r->hashing && k->finished;
        if (got)
            j = k->queue[k->head++];
        pthread_mutex_unlock(&r->hub->lock);
        if (got) {
            if (ret == MV_OK)
                ret = take(r->x, k, j, r->algo - 1); /* after an error, drop the results */
            continue;
        }
        if (over) {
            pthread_join(r->th, NULL);
            r->hashing = 0;
            r->hub->hashing--;
            if (ret == MV_OK)
                ret = k->ret;
        }
        break;
    }
    if (ret == MV_OK)
        ret = advance(r);
    if (ret == MV_OK)
        ret = top_up(r);
    return ret;
}

/* Takes the whole-file jobs that are back. */
static mv_status drain_whole(struct readers *rs, mv_status ret)
{
    struct mv__scan_ctx *x = rs->v[0].x;

    for (;;) {
        pthread_mutex_lock(&rs->hub.lock);
        struct mv__scan_whole_job *j = x->whole != NULL ? mv__scan_whole_pop(x) : NULL;
        pthread_mutex_unlock(&rs->hub.lock);
        if (j == NULL)
            return ret;
        ret = take_whole(x, j, ret);
    }
}

/* Stops every reader after an error: no new pass, the engines asked to stop. */
static void stop_all(struct readers *rs)
{
    for (size_t d = 0; d < rs->n; d++) {
        if (rs->v[d].hashing)
            mv_digest_batch_cancel(rs->v[d].b);
        rs->v[d].done = 1;
    }
}

/* Runs every reader to its end, storing results as they come; after an error, drains. */
static mv_status run_readers(struct readers *rs)
{
    struct mv__scan_ctx *x = rs->v[0].x;
    mv_status ret = MV_OK;

    for (;;) {
        int busy = 0;
        ret = drain_whole(rs, ret);
        for (size_t d = 0; d < rs->n; d++)
            ret = drain_reader(&rs->v[d], ret);
        for (size_t d = 0; d < rs->n && ret == MV_OK; d++)
            ret = advance(&rs->v[d]); /* those that waited for an engine to end */
        if (ret != MV_OK)
            stop_all(rs);
        for (size_t d = 0; d < rs->n; d++)
            busy |= rs->v[d].hashing || !rs->v[d].done;
        if (!busy && mv__scan_whole_in_flight(x) == 0)
            return ret;
        pthread_mutex_lock(&rs->hub.lock);
        while (!ready(rs))
            pthread_cond_wait(&rs->hub.wake, &rs->hub.lock);
        pthread_mutex_unlock(&rs->hub.lock);
    }
}

/* ---- setting up -------------------------------------------------------------- */

static mv_status chunk_alloc(struct chunk *k)
{
    memset(k, 0, sizeof(*k));
    k->lead = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->lead));
    k->links = mv__calloc(CHUNK_FILES_MAX + 1, sizeof(*k->links));
    k->paths = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->paths));
    k->map = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->map));
    k->state = mv__calloc(CHUNK_FILES_MAX, 1);
    k->whole = mv__calloc(CHUNK_FILES_MAX, 1);
    k->res = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->res));
    k->queue = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->queue));
    k->dig = mv__calloc(CHUNK_FILES_MAX, sizeof(*k->dig));
    int ok = k->lead && k->links && k->paths && k->map && k->state && k->whole && k->res &&
             k->queue && k->dig;
    return ok ? MV_OK : MV_ENOMEM;
}

static void chunk_free(struct chunk *k)
{
    mv__free(k->lead);
    mv__free(k->links);
    mv__free(k->paths);
    mv__free(k->map);
    mv__free(k->state);
    mv__free(k->whole);
    mv__free(k->res);
    mv__free(k->queue);
    mv__free(k->dig);
}

static mv_status make_batch(const mv_scan *s, long jobs, mv_digest_batch **b)
{
    mv_status ret = mv_digest_batch_new(b);

    if (ret == MV_OK)
        ret = mv_digest_batch_set(*b, MV_DIGEST_OPT_JOBS, jobs);
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

/*
 * The jobs of device d of n: an even share, the remainder to the first ones,
 * at least one each (several slow disks read at once even on one core). With
 * a single device it gets the option as it is (0 = every CPU).
 */
static long device_jobs(const mv_scan *s, size_t d, size_t n)
{
    if (n == 1)
        return s->jobs;
    const size_t all = s->jobs > 0 ? (size_t)s->jobs : mv__cpu_count();
    const size_t share = all / n + (d < all % n ? 1 : 0);
    return share > 0 ? (long)share : 1;
}

/*
 * How many engines may run at once: each job keeps a file open per lane (up
 * to 16) and a couple more, so with many devices the descriptor limit, not
 * the devices, bounds it (the rest wait for their turn); at least one.
 */
static size_t max_engines(size_t n, long jobs)
{
    const size_t per_engine = 18 * (size_t)(jobs > 0 ? jobs : 1), reserve = 64;
    struct rlimit rl;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return n;
    const size_t fit =
        rl.rlim_cur > reserve + per_engine ? (rl.rlim_cur - reserve) / per_engine : 1;
    return fit < n ? fit : n;
}

/* One reader per device of the sorted read list. */
static mv_status readers_new(struct mv__scan_ctx *x, struct readers *rs)
{
    size_t n = 0;
    mv_status ret = MV_OK;

    for (size_t i = 0; i < x->read.n; i++)
        n += i == 0 || x->read.v[i].dev != x->read.v[i - 1].dev;
    rs->v = mv__calloc(n, sizeof(*rs->v));
    if (rs->v == NULL)
        return MV_ENOMEM;
    x->devices = n;
    for (size_t i = 0, d = 0; i < x->read.n && ret == MV_OK; d++) {
        struct reader *r = &rs->v[d];
        rs->n = d + 1;
        r->x = x;
        r->hub = &rs->hub;
        r->pos = i;
        while (i < x->read.n && x->read.v[i].dev == x->read.v[r->pos].dev)
            i++;
        r->end = i;
        r->algo = MV_CATALOG_ALGOS; /* no chunk yet: advance() fills the first */
        r->device = d;
        r->jobs = device_jobs(x->s, d, n);
        ret = chunk_alloc(&r->k);
        if (ret == MV_OK)
            ret = make_batch(x->s, r->jobs, &r->b);
    }
    rs->hub.max_hashing = max_engines(n, device_jobs(x->s, 0, n));
    return ret;
}

static void readers_free(struct readers *rs, const char **engine)
{
    for (size_t d = 0; d < rs->n; d++) {
        const char *name = rs->v[d].b != NULL ? mv_digest_batch_engine(rs->v[d].b) : "none";
        if (strcmp(*engine, "none") == 0)
            *engine = name;
        mv_digest_batch_free(rs->v[d].b);
        chunk_free(&rs->v[d].k);
    }
    mv__free(rs->v);
}

/* Starts the whole-file workers of --fingerprint, as many per device as its engine's jobs. */
static mv_status whole_start(struct mv__scan_ctx *x, struct readers *rs)
{
    if (!x->s->fingerprint)
        return MV_OK;
    long *jobs = mv__calloc(rs->n, sizeof(*jobs));
    if (jobs == NULL)
        return MV_ENOMEM;
    for (size_t d = 0; d < rs->n; d++)
        jobs[d] = rs->v[d].jobs;
    const mv_status ret = mv__scan_whole_start(x, &rs->hub.lock, &rs->hub.wake, jobs, rs->n);
    mv__free(jobs);
    return ret;
}

/* Reads, verifies and stores everything in the read list, each device by its own reader. */
mv_status mv__scan_read_all(struct mv__scan_ctx *x, const char **engine)
{
    struct readers rs;

    memset(&rs, 0, sizeof(rs));
    if (x->read.n == 0)
        return MV_OK;
    mv__scan_plan_sort(&x->read);
    announce(x);
    pthread_mutex_init(&rs.hub.lock, NULL);
    pthread_cond_init(&rs.hub.wake, NULL);
    mv_status ret = readers_new(x, &rs);
    if (ret == MV_OK)
        ret = whole_start(x, &rs);
    if (ret == MV_OK)
        ret = run_readers(&rs);
    mv__scan_whole_stop(x);
    readers_free(&rs, engine);
    if (strcmp(*engine, "none") == 0 && x->st.bytes_read > 0)
        *engine = "scalar"; /* only whole files, hashed from their buffers */
    pthread_cond_destroy(&rs.hub.wake);
    pthread_mutex_destroy(&rs.hub.lock);
    return ret;
}
