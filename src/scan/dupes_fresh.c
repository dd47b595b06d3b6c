/*
 * Catalog-free exact duplicates: the pipeline, cheapest test first.
 *
 * 1. The walk (dupes_walk.c) records every regular file with its size and
 *    (dev, ino), nothing read.
 * 2. Files are sorted by (size, dev, ino). A size held by a single inode cannot
 *    have a duplicate and is dropped; hard links collapse into one candidate
 *    per inode, so an inode is read once however many names it has.
 * 3. Each candidate's head and tail (4 KiB each by default) are read with
 *    pread() and hashed with MD5. A file of at most two samples is read whole,
 *    so its sample digest is its final MD5. Reads go in (dev, ino) order, which
 *    is roughly disk order, from a few threads (latency bound on a NAS).
 * 4. Candidates still sharing (size, sample) and bigger than the sample are
 *    hashed in full through mv_digest_batch, which runs the multi-buffer MD5
 *    over many files at once and flags any file that changed while read.
 * 5. Runs of equal (size, MD5) with two inodes or more are the groups
 *    (dupes_result.c).
 *
 * A file that changes between the walk and a read (size, inode or mtime) is
 * reported as MV_ECHANGED and left out: it is never grouped on stale data.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/core.h"
#include "dupes_fresh_int.h"

#define SAMPLE_DEFAULT 4096
#define SAMPLE_MIN     512
#define SAMPLE_MAX     (1 << 20)

/* Candidate states. */
enum { CAND_DROP = 0, CAND_SAMPLE, CAND_FULL, CAND_FINAL };

struct mv_dupes {
    uint64_t min_size;
    int one_fs;
    size_t jobs;
    mv_digest_backend backend;
    size_t sample;
    mv_dupes_error_fn on_error;
    void *on_error_opaque;
    mv_progress *progress;
};

mv_status mv_dupes_new(mv_dupes **out)
{
    mv_dupes *d = mv__calloc(1, sizeof(*d));

    *out = d;
    if (d == NULL)
        return MV_ENOMEM;
    d->min_size = 1;
    d->sample = SAMPLE_DEFAULT;
    return MV_OK;
}

void mv_dupes_free(mv_dupes *d)
{
    mv__free(d);
}

mv_status mv_dupes_set(mv_dupes *d, mv_dupes_opt key, long long value)
{
    switch (key) {
    case MV_DUPES_OPT_MIN_SIZE:
        if (value < 0)
            return MV_EINVAL;
        d->min_size = (uint64_t)value;
        return MV_OK;
    case MV_DUPES_OPT_ONE_FS:
        d->one_fs = value != 0;
        return MV_OK;
    case MV_DUPES_OPT_JOBS:
        if (value < 0 || value > 4096)
            return MV_EINVAL;
        d->jobs = (size_t)value;
        return MV_OK;
    case MV_DUPES_OPT_BACKEND:
        if (value < MV_BACKEND_AUTO || value > MV_BACKEND_CUDA)
            return MV_EINVAL;
        d->backend = (mv_digest_backend)value;
        return MV_OK;
    case MV_DUPES_OPT_SAMPLE_SIZE:
        if (value < SAMPLE_MIN || value > SAMPLE_MAX)
            return MV_EINVAL;
        d->sample = (size_t)value;
        return MV_OK;
    }
    return MV_EINVAL;
}

void mv_dupes_set_error_cb(mv_dupes *d, mv_dupes_error_fn fn, void *opaque)
{
    d->on_error = fn;
    d->on_error_opaque = opaque;
}

void mv_dupes_set_progress(mv_dupes *d, mv_progress *progress)
{
    d->progress = progress;
}

/* ---- stage 2: size groups and hard links ------------------------------- */

static int cmp_u64(uint64_t a, uint64_t b)
{
    return (a > b) - (a < b);
}

static int by_size_inode(const void *pa, const void *pb)
{
    const struct mv__dupes_file *a = pa, *b = pb;
    int c = cmp_u64(a->size, b->size);

    if (c == 0)
        c = cmp_u64(a->dev, b->dev);
    return c != 0 ? c : cmp_u64(a->ino, b->ino);
}

static int same_inode(const struct mv__dupes_file *a, const struct mv__dupes_file *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* Number of inodes among files[i..end) (sorted by inode). */
static size_t count_inodes(const struct mv__dupes_file *f, size_t i, size_t end)
{
    size_t n = 1;

    for (size_t k = i + 1; k < end; k++)
        n += !same_inode(&f[k - 1], &f[k]);
    return n;
}

/* Appends one candidate per inode of files[i..end). */
static void push_inodes(const struct mv__dupes_file *f, size_t i, size_t end,
                        struct mv__dupes_cand *c, size_t *n)
{
    while (i < end) {
        size_t k = i + 1;
        while (k < end && same_inode(&f[i], &f[k]))
            k++;
        struct mv__dupes_cand *x = &c[(*n)++];
        memset(x, 0, sizeof(*x));
        x->size = f[i].size;
        x->dev = f[i].dev;
        x->ino = f[i].ino;
        x->first = i;
        x->nlinks = k - i;
        x->state = CAND_SAMPLE;
        i = k;
    }
}

/* Sorts the files and keeps one candidate per inode of every shared size. */
static mv_status size_candidates(struct mv__dupes_tree *t, struct mv__dupes_cand **out, size_t *n)
{
    struct mv__dupes_file *f = t->files;

    *out = NULL;
    *n = 0;
    if (t->nfiles < 2)
        return MV_OK;
    qsort(f, t->nfiles, sizeof(*f), by_size_inode);
    struct mv__dupes_cand *c = mv__malloc(t->nfiles * sizeof(*c));
    if (c == NULL)
        return MV_ENOMEM;
    for (size_t i = 0, end; i < t->nfiles; i = end) {
        for (end = i + 1; end < t->nfiles && f[end].size == f[i].size;)
            end++;
        if (end - i >= 2 && count_inodes(f, i, end) >= 2)
            push_inodes(f, i, end, c, n);
    }
    t->stats->size_collide = *n;
    *out = c;
    return MV_OK;
}

/* ---- stage 3: head and tail samples ------------------------------------ */

struct sampler {
    const mv_dupes *d;
    const struct mv__dupes_tree *t;
    struct mv__dupes_cand *c;
    size_t n;
    size_t path_max; /* longest path among the candidates */
    _Atomic size_t next;
    _Atomic uint64_t bytes_read;
};

static int open_noatime(const char *path)
{
    const int flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = open(path, flags | O_NOATIME);

    if (fd < 0 && errno == EPERM)
        fd = open(path, flags);
    return fd;
}

static mv_status pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
    size_t got = 0;

    while (got < len) {
        ssize_t r = pread(fd, buf + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return mv_status_from_errno(errno);
        if (r == 0)
            return MV_ECHANGED; /* shorter than when it was walked */
        got += (size_t)r;
    }
    return MV_OK;
}

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reads the sample of an open file into buf; *len receives its length. */
static mv_status read_sample(int fd, const struct mv__dupes_cand *c, size_t sample, uint8_t *buf,
                             size_t *len)
{
    if (c->size <= 2 * (uint64_t)sample) {
        *len = (size_t)c->size;
        return pread_full(fd, buf, *len, 0);
    }
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM); /* no read-ahead past the sample */
    *len = 2 * sample;
    mv_status st = pread_full(fd, buf, sample, 0);
    return st != MV_OK ? st : pread_full(fd, buf + sample, sample, c->size - sample);
}

static mv_status sample_fd(int fd, const struct mv__dupes_cand *c, size_t sample, uint8_t *buf,
                           size_t *len)
{
    struct stat before, after;

    if (fstat(fd, &before) != 0)
        return mv_status_from_errno(errno);
    if (!S_ISREG(before.st_mode) || (uint64_t)before.st_dev != c->dev ||
        (uint64_t)before.st_ino != c->ino || (uint64_t)before.st_size != c->size)
        return MV_ECHANGED;
    mv_status st = read_sample(fd, c, sample, buf, len);
    if (st == MV_OK && fstat(fd, &after) != 0)
        st = mv_status_from_errno(errno);
    if (st == MV_OK && !same_file(&before, &after))
        st = MV_ECHANGED;
    return st;
}

/* Hashes the sample of one candidate, opened by its first path. */
static void sample_one(struct sampler *s, struct mv__dupes_cand *c, uint8_t *buf, char *path)
{
    uint8_t md[MV_DIGEST_MAX_LEN];
    size_t len = 0;

    mv__dupes_path_write(s->t, &s->t->files[c->first], path);
    int fd = open_noatime(path);
    c->st = fd < 0 ? mv_status_from_errno(errno) : sample_fd(fd, c, s->d->sample, buf, &len);
    if (fd >= 0)
        close(fd);
    if (c->st == MV_OK)
        c->st = mv_digest_buffer(MV_DIGEST_MD5, buf, len, md);
    if (c->st == MV_OK)
        memcpy(c->key, md, MV_MD5_LEN);
    atomic_fetch_add(&s->bytes_read, len);
    mv_progress_add_done(s->d->progress, 1, len);
}

static size_t max_path_len(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c, size_t n)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        size_t len = mv__dupes_path_len(t, &t->files[c[i].first]);
        m = len > m ? len : m;
    }
    return m;
}

static void sample_worker(void *arg)
{
    struct sampler *s = arg;
    uint8_t *buf = mv__malloc(2 * s->d->sample);
    char *path = mv__malloc(s->path_max + 1);

    for (size_t i = atomic_fetch_add(&s->next, 1); i < s->n; i = atomic_fetch_add(&s->next, 1)) {
        if (buf == NULL || path == NULL)
            s->c[i].st = MV_ENOMEM;
        else
            sample_one(s, &s->c[i], buf, path);
    }
    mv__free(buf);
    mv__free(path);
}

static void run_pool(size_t jobs, size_t n, mv__task_fn fn, void *arg)
{
    mv__pool *pool;

    if (jobs > n)
        jobs = n;
    if (jobs <= 1) {
        fn(arg);
        return;
    }
    /* Workers pull items until none is left, so if the pool cannot start
       (or start them all) the items left are done here, one by one. */
    mv_status st = mv__pool_new(jobs, &pool);
    for (size_t i = 0; i < jobs && st == MV_OK; i++)
        st = mv__pool_submit(pool, fn, arg);
    if (pool != NULL) {
        mv__pool_wait(pool);
        mv__pool_free(pool);
    }
    if (st != MV_OK)
        fn(arg);
}

static int by_inode(const void *pa, const void *pb)
{
    const struct mv__dupes_cand *a = pa, *b = pb;
    int c = cmp_u64(a->dev, b->dev);

    return c != 0 ? c : cmp_u64(a->ino, b->ino);
}

static int by_size_key(const void *pa, const void *pb)
{
    const struct mv__dupes_cand *a = pa, *b = pb;
    int c = cmp_u64(a->size, b->size);

    return c != 0 ? c : memcmp(a->key, b->key, MV_MD5_LEN);
}

/* Reports the candidates that failed (their first path) and drops them. */
static void report_failures(struct mv__dupes_tree *t, struct mv__dupes_cand *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].st == MV_OK || c[i].state == CAND_DROP)
            continue;
        const struct mv__dupes_file *f = &t->files[c[i].first];
        char *path = mv__malloc(mv__dupes_path_len(t, f) + 1);
        if (path != NULL)
            mv__dupes_path_write(t, f, path);
        mv__dupes_report(t, path != NULL ? path : "(out of memory)", c[i].st);
        mv__free(path);
        c[i].state = CAND_DROP;
    }
}

static size_t compact(struct mv__dupes_cand *c, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++) {
        if (c[i].state != CAND_DROP)
            c[k++] = c[i];
    }
    return k;
}

static mv_status sample_stage(const mv_dupes *d, struct mv__dupes_tree *t, struct mv__dupes_cand *c,
                              size_t n)
{
    struct sampler s = { .d = d, .t = t, .c = c, .n = n };
    uint64_t bytes = 0;

    qsort(c, n, sizeof(*c), by_inode);
    for (size_t i = 0; i < n; i++)
        bytes += c[i].size <= 2 * d->sample ? c[i].size : 2 * d->sample;
    mv_progress_add_found(d->progress, n, bytes);
    s.path_max = max_path_len(t, c, n);
    atomic_init(&s.next, 0);
    atomic_init(&s.bytes_read, 0);
    run_pool(d->jobs ? d->jobs : mv__cpu_count(), n, sample_worker, &s);
    t->stats->sampled += n;
    t->stats->bytes_read += atomic_load(&s.bytes_read);
    report_failures(t, c, n);
    return MV_OK;
}

/* Keeps the runs of equal (size, key) that hold two inodes or more: final
   when the sample was the whole file, to be hashed in full otherwise. */
static size_t mark_runs(struct mv__dupes_cand *c, size_t n, size_t sample)
{
    n = compact(c, n);
    if (n == 0)
        return 0;
    qsort(c, n, sizeof(*c), by_size_key);
    for (size_t i = 0, end; i < n; i = end) {
        for (end = i + 1; end < n && by_size_key(&c[i], &c[end]) == 0;)
            end++;
        int state = c[i].size <= 2 * (uint64_t)sample ? CAND_FINAL : CAND_FULL;
        for (size_t k = i; k < end; k++)
            c[k].state = end - i >= 2 ? state : CAND_DROP;
    }
    return compact(c, n);
}

/* ---- stage 4: full digests --------------------------------------------- */

static int full_first_by_inode(const void *pa, const void *pb)
{
    const struct mv__dupes_cand *a = pa, *b = pb;
    int fa = a->state == CAND_FULL, fb = b->state == CAND_FULL;

    if (fa != fb)
        return fb - fa;
    /* Largest first: the multi-buffer workers then end on small files instead of
       one worker finishing a big file alone while the others wait. */
    return a->size != b->size ? cmp_u64(b->size, a->size) : by_inode(a, b);
}

/* The paths of c[0..n) in one allocation: n pointers, then the strings. */
static const char **full_paths(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c,
                               size_t n)
{
    size_t bytes = n * sizeof(char *);

    for (size_t i = 0; i < n; i++)
        bytes += mv__dupes_path_len(t, &t->files[c[i].first]) + 1;
    const char **paths = mv__malloc(bytes ? bytes : 1);
    if (paths == NULL)
        return NULL;
    char *p = (char *)(paths + n);
    for (size_t i = 0; i < n; i++) {
        const struct mv__dupes_file *f = &t->files[c[i].first];
        mv__dupes_path_write(t, f, p);
        paths[i] = p;
        p += mv__dupes_path_len(t, f) + 1;
    }
    return paths;
}

static mv_status make_batch(const mv_dupes *d, mv_digest_batch **out)
{
    mv_status st = mv_digest_batch_new(out);

    if (st == MV_OK)
        st = mv_digest_batch_set(*out, MV_DIGEST_OPT_JOBS, (long)d->jobs);
    if (st == MV_OK)
        st = mv_digest_batch_set(*out, MV_DIGEST_OPT_BACKEND, d->backend);
    if (st == MV_OK)
        mv_digest_batch_set_progress(*out, d->progress);
    return st;
}

static void take_results(struct mv__dupes_tree *t, struct mv__dupes_cand *c, size_t n,
                         const mv_digest_result *r)
{
    for (size_t i = 0; i < n; i++) {
        c[i].st = r[i].status;
        if (c[i].st == MV_OK && r[i].size != c[i].size)
            c[i].st = MV_ECHANGED;
        if (c[i].st == MV_OK) {
            memcpy(c[i].key, r[i].digest, MV_MD5_LEN);
            c[i].state = CAND_FINAL;
        }
        t->stats->bytes_read += r[i].size;
    }
    t->stats->full_hashed += n;
    report_failures(t, c, n);
}

static mv_status full_stage(const mv_dupes *d, struct mv__dupes_tree *t, struct mv__dupes_cand *c,
                            size_t n)
{
    size_t nfull = 0;
    uint64_t bytes = 0;

    qsort(c, n, sizeof(*c), full_first_by_inode);
    while (nfull < n && c[nfull].state == CAND_FULL)
        bytes += c[nfull++].size;
    if (nfull == 0)
        return MV_OK;
    mv_digest_batch *batch = NULL;
    const char **paths = full_paths(t, c, nfull);
    mv_digest_result *res = mv__calloc(nfull, sizeof(*res));
    mv_status st = paths != NULL && res != NULL ? make_batch(d, &batch) : MV_ENOMEM;
    if (st == MV_OK) {
        mv_progress_add_found(d->progress, nfull, bytes);
        st = mv_digest_batch_run(batch, paths, nfull, res, NULL, NULL);
    }
    if (st == MV_OK)
        take_results(t, c, nfull, res);
    mv_digest_batch_free(batch);
    mv__free(res);
    mv__free(paths);
    return st;
}

/* ---- the run ----------------------------------------------------------- */

static mv_status find(const mv_dupes *d, struct mv__dupes_tree *t, const char *const *roots,
                      size_t nroots, mv_dupes_result **out)
{
    struct mv__dupes_cand *c = NULL;
    size_t n = 0;
    mv_status st = MV_OK;

    for (size_t i = 0; i < nroots && st == MV_OK; i++)
        st = mv__dupes_walk(t, roots[i]);
    if (st == MV_OK)
        st = size_candidates(t, &c, &n);
    if (st == MV_OK && n > 0)
        st = sample_stage(d, t, c, n);
    if (st == MV_OK)
        n = mark_runs(c, n, d->sample);
    if (st == MV_OK && n > 0)
        st = full_stage(d, t, c, n);
    if (st == MV_OK) {
        n = compact(c, n);
        if (n > 0)
            qsort(c, n, sizeof(*c), by_size_key);
        st = mv__dupes_result_build(t, c, n, t->stats, out);
    }
    mv__free(c);
    return st;
}

mv_status mv_dupes_run(mv_dupes *d, const char *const *roots, size_t nroots, mv_dupes_result **out)
{
    if (out != NULL)
        *out = NULL;
    if (d == NULL || out == NULL || (roots == NULL && nroots > 0))
        return MV_EINVAL;
    for (size_t i = 0; i < nroots; i++) {
        if (roots[i] == NULL)
            return MV_EINVAL;
    }
    mv_dupes_stats stats = { 0 };
    struct mv__dupes_tree t = { .min_size = d->min_size,
                                .one_fs = d->one_fs,
                                .on_error = d->on_error,
                                .on_error_opaque = d->on_error_opaque,
                                .stats = &stats };
    mv_status st = find(d, &t, roots, nroots, out);
    mv__dupes_tree_free(&t);
    return st;
}
