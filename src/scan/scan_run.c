/*
 * The scan pipeline: walk -> plan -> read -> store, options, and the batched writer.
 *
 * One thread (the caller's) walks (scan_walk.c), plans (scan_plan.c) and
 * writes; the digest engine's workers only read and hash (scan_read.c). Every
 * write goes through one open transaction that is committed after batch_rows
 * rows or batch_ms milliseconds, so a killed scan loses at most one batch and
 * the catalog is never inconsistent: a record is either the old one (its key
 * differs from the file, so it is read next time) or the new one with its
 * verified digest. Cancellation is a flag (set from a signal handler) seen
 * between walk entries and between chunks; the batch in flight is committed,
 * the scan is recorded as canceled, and nothing is marked gone: gone-marking
 * runs only after every root was walked and read to the end.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scan_priv.h"

#include "../catalog/catalog.h"

mv_status mv_scan_new(mv_scan **out)
{
    mv_scan *s = mv__calloc(1, sizeof(*s));

    *out = s;
    if (s == NULL)
        return MV_ENOMEM;
    s->algos = MV_CATALOG_HAS(MV_DIGEST_MD5);
    s->batch_rows = 32768; /* batch_ms bounds a batch too: a kill loses at most ~1 s */
    s->batch_ms = 1000;
    /* A chunk ends with a drain (few lanes busy, scalar tails): 1 GiB makes them rare. */
    s->chunk_bytes = 1L << 30;
    atomic_init(&s->cancel, 0);
    return MV_OK;
}

void mv_scan_free(mv_scan *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n_excludes; i++)
        mv__free(s->excludes[i]);
    mv__free(s->excludes);
    mv__free(s);
}

static int in_range(long v, long lo, long hi)
{
    return v >= lo && v <= hi;
}

mv_status mv_scan_opt_set(mv_scan *s, mv_scan_opt key, long value)
{
    switch (key) {
    case MV_SCAN_JOBS:
        return in_range(value, 0, 4096) ? (s->jobs = value, MV_OK) : MV_EINVAL;
    case MV_SCAN_BACKEND:
        if (!in_range(value, MV_BACKEND_AUTO, MV_BACKEND_CUDA))
            return MV_EINVAL;
        s->backend = (mv_digest_backend)value;
        return MV_OK;
    case MV_SCAN_ONE_FILE_SYSTEM:
        return in_range(value, 0, 1) ? (s->one_fs = (int)value, MV_OK) : MV_EINVAL;
    case MV_SCAN_FOLLOW_SYMLINKS:
        return in_range(value, 0, 1) ? (s->follow = (int)value, MV_OK) : MV_EINVAL;
    case MV_SCAN_ALGOS:
        if (!in_range(value, 0, (1L << MV_CATALOG_ALGOS) - 1))
            return MV_EINVAL;
        s->algos = (unsigned)value | MV_CATALOG_HAS(MV_DIGEST_MD5);
        return MV_OK;
    case MV_SCAN_BATCH_ROWS:
        return in_range(value, 1, 1000000) ? (s->batch_rows = value, MV_OK) : MV_EINVAL;
    case MV_SCAN_BATCH_MS:
        return in_range(value, 0, 3600000) ? (s->batch_ms = value, MV_OK) : MV_EINVAL;
    case MV_SCAN_CHUNK_BYTES:
        return in_range(value, 1, 1L << 34) ? (s->chunk_bytes = value, MV_OK) : MV_EINVAL;
    case MV_SCAN_FINGERPRINT:
        return in_range(value, 0, 1) ? (s->fingerprint = (int)value, MV_OK) : MV_EINVAL;
    }
    return MV_EINVAL;
}

mv_status mv_scan_add_exclude(mv_scan *s, const char *glob)
{
    if (s == NULL || glob == NULL || *glob == '\0')
        return MV_EINVAL;
    char **v = mv__realloc(s->excludes, (s->n_excludes + 1) * sizeof(*v));
    if (v == NULL)
        return MV_ENOMEM;
    s->excludes = v;
    v[s->n_excludes] = mv__strdup(glob);
    if (v[s->n_excludes] == NULL)
        return MV_ENOMEM;
    s->n_excludes++;
    return MV_OK;
}

void mv_scan_set_progress(mv_scan *s, mv_progress *p)
{
    s->progress = p;
}

void mv_scan_set_event(mv_scan *s, mv_scan_event_fn fn, void *opaque)
{
    s->event = fn;
    s->event_opaque = opaque;
}

void mv_scan_cancel(mv_scan *s)
{
    if (s != NULL)
        atomic_store(&s->cancel, 1);
}

static double since(const struct timespec *t0)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

mv_status mv__scan_write_begin(struct mv__scan_ctx *x)
{
    if (x->in_txn)
        return MV_OK;
    mv_status ret = mv_catalog_begin(x->c);
    if (ret != MV_OK)
        return ret;
    x->in_txn = 1;
    x->rows = 0;
    clock_gettime(CLOCK_MONOTONIC, &x->txn_start);
    return MV_OK;
}

int mv__scan_commit_due(const struct mv__scan_ctx *x)
{
    return x->in_txn && (x->rows >= (size_t)x->s->batch_rows ||
                         since(&x->txn_start) * 1000.0 >= (double)x->s->batch_ms);
}

mv_status mv__scan_commit_if_due(struct mv__scan_ctx *x)
{
    return x->commit_held == 0 && mv__scan_commit_due(x) ? mv__scan_maybe_commit(x, 1) : MV_OK;
}

/* While a file's row waits for its fingerprint (scan_whole.c), no commit: a
   kill between the two would leave a row the next scan finds unchanged, and
   never fingerprints. */
mv_status mv__scan_maybe_commit(struct mv__scan_ctx *x, int force)
{
    if (!x->in_txn)
        return MV_OK;
    if (!force)
        x->rows++;
    if (!force && (x->commit_held > 0 || !mv__scan_commit_due(x)))
        return MV_OK;
    x->in_txn = 0;
    return mv_catalog_commit(x->c);
}

mv_status mv__scan_store(struct mv__scan_ctx *x, const struct mv__scan_entry *e)
{
    mv_catalog_file f;
    mv_status ret = mv__scan_write_begin(x);

    if (ret != MV_OK)
        return ret;
    memset(&f, 0, sizeof(f));
    f.path = e->path;
    f.path_len = e->len;
    f.device = e->dev;
    f.inode = e->ino;
    f.size = e->size;
    f.mtime_ns = e->mtime_ns;
    f.ctime_ns = e->ctime_ns;
    f.kind = e->kind;
    f.digests = e->error == MV_OK && e->digest != NULL ? e->have : 0;
    if (f.digests != 0)
        memcpy(f.digest, e->digest, sizeof(f.digest));
    f.error = e->error;
    f.note = e->note;
    f.seen_at = x->now;
    f.seen_scan = x->scan_id;
    ret = mv_catalog_file_put(x->c, &f);
    return ret == MV_OK ? mv__scan_maybe_commit(x, 0) : ret;
}

/*
 * Walks one root, planning each entry as it is found against the root's
 * records, loaded first in one query; what the walk did not meet is listed
 * for gone-marking (done only if the whole scan completes).
 */
static mv_status plan_one(void *opaque, struct mv__scan_entry *e)
{
    struct mv__scan_ctx *x = opaque;

    return atomic_load(&x->s->cancel) ? MV_ECANCELED : mv__scan_plan(x, e);
}

static mv_status walk_and_plan(struct mv__scan_ctx *x, const char *root, size_t idx)
{
    struct mv__scan_known known;
    mv_status ret = mv__scan_known_load(&known, x->s, x->c, root);

    x->known = &known;
    if (ret == MV_OK)
        ret = mv__scan_walk(x->s, root, plan_one, x);
    x->known = NULL;
    if (ret == MV_OK)
        ret = mv__scan_gone_collect(&x->gone, &known, idx);
    mv__scan_known_free(&known);
    return ret;
}

struct roots {
    const char *const *given;
    char **abs; /* NULL where the root could not be resolved */
    mv_status *status;
    size_t n;
};

static void roots_free(struct roots *r)
{
    for (size_t i = 0; r->abs != NULL && i < r->n; i++)
        mv__free(r->abs[i]);
    mv__free(r->abs);
    mv__free(r->status);
}

static mv_status roots_resolve(struct roots *r, const char *const *roots, size_t n)
{
    char buf[PATH_MAX];

    r->n = n;
    r->given = roots;
    r->abs = mv__calloc(n, sizeof(*r->abs));
    r->status = mv__calloc(n, sizeof(*r->status));
    if (r->abs == NULL || r->status == NULL)
        return MV_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (realpath(roots[i], buf) == NULL) {
            r->status[i] = mv_status_from_errno(errno);
            continue;
        }
        r->abs[i] = mv__strdup(buf);
        if (r->abs[i] == NULL)
            return MV_ENOMEM;
    }
    return MV_OK;
}

static void report_root(struct mv__scan_ctx *x, const char *root, mv_status st)
{
    if (x->s->event != NULL)
        x->s->event(x->s->event_opaque, (const uint8_t *)root, strlen(root), st, "scan root");
}

/*
 * Below the roots walked completely, marks gone the records the walk did not
 * meet, each path alone (skipping what this scan wrote, or saw through
 * mv_catalog_mark_seen() below an unreadable directory). An unchanged file
 * was not written at all: its record keeps the seen_scan of the scan that
 * last wrote it, and this scan's row in `scans` says the root was walked.
 */
static mv_status mark_gone(struct mv__scan_ctx *x, const struct roots *r)
{
    mv_status ret = mv__scan_write_begin(x);

    for (size_t j = 0; ret == MV_OK && j < x->gone.n; j++) {
        const struct mv__scan_gone_path *g = &x->gone.v[j];
        uint64_t count = 0;
        if (r->abs[g->root] == NULL || r->status[g->root] != MV_OK)
            continue;
        ret = mv__catalog_gone_one(x->c, g->path, g->len, x->scan_id, x->now, &count);
        x->st.gone += count;
    }
    return ret;
}

/* Walk, plan, read: the body of a run between scan_begin and scan_end. */
static mv_status run_body(struct mv__scan_ctx *x, struct roots *r, const char **engine)
{
    mv_status ret = MV_OK, first = MV_OK;

    for (size_t i = 0; ret == MV_OK && i < r->n; i++) {
        if (r->abs[i] != NULL)
            r->status[i] = walk_and_plan(x, r->abs[i], i);
        if (r->status[i] == MV_ECANCELED || r->status[i] == MV_ENOMEM || r->status[i] == MV_EBUSY ||
            r->status[i] == MV_ECORRUPT || r->status[i] == MV_EIO)
            ret = r->status[i];
        else if (r->status[i] != MV_OK) {
            report_root(x, r->given[i], r->status[i]);
            first = first != MV_OK ? first : r->status[i];
        }
    }
    if (ret == MV_OK)
        ret = mv__scan_read_all(x, engine);
    if (ret == MV_OK)
        ret = mark_gone(x, r);
    return ret != MV_OK ? ret : first;
}

static mv_catalog_scan_state final_state(mv_status st)
{
    if (st == MV_ECANCELED)
        return MV_SCAN_CANCELED;
    return st == MV_OK || st == MV_ENOENT || st == MV_EACCES || st == MV_ENOTDIR ? MV_SCAN_DONE
                                                                                 : MV_SCAN_FAILED;
}

static mv_status begin_scan(struct mv__scan_ctx *x, const char *const *roots, size_t n)
{
    mv_status ret = mv_catalog_begin(x->c);

    if (ret != MV_OK)
        return ret;
    ret = mv_catalog_scan_begin(x->c, n > 0 ? roots[0] : "", x->now, &x->scan_id);
    if (ret != MV_OK) {
        (void)mv_catalog_rollback(x->c);
        return ret;
    }
    return mv_catalog_commit(x->c);
}

/* Commits what is in flight, or rolls it back after a catalog error, and records the end. */
static mv_status end_scan(struct mv__scan_ctx *x, mv_status st)
{
    mv_catalog_scan_state state = final_state(st);
    mv_status ret = MV_OK;

    if (state == MV_SCAN_FAILED && x->in_txn)
        (void)mv_catalog_rollback(x->c);
    else
        ret = mv__scan_maybe_commit(x, 1);
    x->in_txn = 0;
    if (ret == MV_OK)
        ret = mv_catalog_scan_end(x->c, x->scan_id, (int64_t)time(NULL), state, &x->st);
    return st != MV_OK ? st : ret;
}

mv_status mv_scan_run(mv_scan *s, mv_catalog *c, const char *const *roots, size_t n,
                      mv_scan_summary *summary)
{
    struct mv__scan_ctx x;
    struct roots r = { 0 };
    struct timespec t0;
    const char *engine = "none";

    if (s == NULL || c == NULL || (roots == NULL && n > 0) || summary == NULL)
        return MV_EINVAL;
    memset(summary, 0, sizeof(*summary));
    memset(&x, 0, sizeof(x));
    clock_gettime(CLOCK_MONOTONIC, &t0);
    x.s = s;
    x.c = c;
    x.now = (int64_t)time(NULL);
    mv_status ret = roots_resolve(&r, roots, n);
    if (ret == MV_OK)
        ret = begin_scan(&x, roots, n);
    if (ret == MV_OK)
        ret = end_scan(&x, run_body(&x, &r, &engine));
    mv__scan_list_free(&x.read);
    mv__scan_arena_free(x.arena);
    mv__scan_gone_free(&x.gone);
    mv__scan_inodes_free(&x.inodes);
    mv__scan_contents_free(&x.refp_seen);
    roots_free(&r);
    summary->scan_id = x.scan_id;
    summary->stats = x.st;
    summary->elapsed_s = since(&t0);
    summary->engine = engine;
    summary->fp_computed = x.fp_computed;
    summary->fp_cached = x.fp_cached;
    summary->fp_failed = x.fp_failed;
    summary->fp_reread = x.fp_reread;
    summary->devices = x.devices;
    return ret;
}
