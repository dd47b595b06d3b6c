/*
 * Private side of the scanner, shared by its files: scan_walk.c (trees to
 * entries), scan_known.c (the records below a root, in memory), scan_plan.c
 * (entries against the catalog: unchanged, renamed, to read; the read order),
 * scan_read.c (one reader per device through the digest engine, verified,
 * into the writer), scan_whole.c (files read whole once for digests and
 * fingerprint) and scan_run.c (the pipeline, options and the batched writer).
 */
#ifndef MV_SCAN_PRIV_H
#define MV_SCAN_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "mediavault/digest.h"
#include "mediavault/fingerprint.h"
#include "mediavault/scan.h"

#include "../core/core.h"

struct mv_scan {
    long jobs;
    mv_digest_backend backend;
    int one_fs, follow;
    unsigned algos; /* MV_CATALOG_HAS() bits, MD5 included */
    long batch_rows, batch_ms, chunk_bytes;
    int fingerprint; /* MV_SCAN_FINGERPRINT */
    char **excludes;
    size_t n_excludes;
    mv_progress *progress;
    mv_scan_event_fn event;
    void *event_opaque;
    atomic_int cancel;
};

/* Why a file is read: new, changed, missing a digest, or unchanged but its
   content missing its fingerprint (MV_SCAN_FINGERPRINT, scan_plan.c). */
enum { MV__SCAN_NEW = 0, MV__SCAN_CHANGED = 1, MV__SCAN_UPGRADE = 2, MV__SCAN_REFP = 3 };

/*
 * One path found by the walk, about 100 bytes: a first scan keeps one per
 * file in the read list, so nothing per file is allocated on its own. path
 * is NUL-terminated: borrowed from the walker while the entry is planned, in
 * the run's arena once it is in the read list. digest points to
 * MV_CATALOG_ALGOS rows: the planner's buffer while planning, the arena for
 * digests kept from the catalog, else NULL until scan_read.c lends the entry
 * a row of its chunk (valid while that chunk is hashed and stored).
 */
struct mv__scan_entry {
    uint8_t *path;
    size_t len;
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    const char *note; /* static */
    uint8_t (*digest)[MV_DIGEST_MAX_LEN];
    uint64_t order;  /* read order within the device: physical offset or inode */
    mv_status error; /* why it could not be walked or read */
    unsigned need;   /* digests to compute (MV_CATALOG_HAS bits) */
    unsigned have;   /* digests kept from the catalog record */
    uint8_t kind;    /* mv_catalog_kind */
    uint8_t retried;
    uint8_t reason; /* MV__SCAN_NEW, _CHANGED, _UPGRADE or _REFP: why it is read */
};

#define MV__SCAN_DIGEST_BYTES (MV_CATALOG_ALGOS * MV_DIGEST_MAX_LEN)

struct mv__scan_list {
    struct mv__scan_entry *v;
    size_t n, cap;
};

/* Frees the vector (paths and digests live in the run's arena). */
void mv__scan_list_free(struct mv__scan_list *l);
mv_status mv__scan_list_push(struct mv__scan_list *l, struct mv__scan_entry *e);

/* Fills the stat fields of e from st. */
void mv__scan_entry_stat(struct mv__scan_entry *e, const void *st);

/* Bump allocator in 256 KiB blocks: copies n bytes of p; freed all at once. */
struct mv__scan_arena_block;
uint8_t *mv__scan_arena_copy(struct mv__scan_arena_block **head, const void *p, size_t n);
void mv__scan_arena_free(struct mv__scan_arena_block *b);

/* Receives each walked entry, borrowed for the call; an error stops the walk. */
typedef mv_status (*mv__scan_entry_fn)(void *opaque, struct mv__scan_entry *e);

/*
 * Walks root (absolute, NUL-terminated), handing each entry to fn as it is
 * found. Errors on paths become entries with error set; the returned status
 * is for the root itself, MV_ENOMEM / MV_ECANCELED, or fn's error.
 */
mv_status mv__scan_walk(mv_scan *s, const char *root, mv__scan_entry_fn fn, void *opaque);

/* A catalog record below the root being scanned (scan_known.c); path is in the arena. */
struct mv__scan_known_row {
    const uint8_t *path;
    uint32_t len;
    uint8_t kind, digests, gone, matched; /* matched: the walk met this path */
    uint8_t fp_missing; /* with MV_SCAN_FINGERPRINT: its content has no fingerprint yet */
    int32_t error;
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
};

/* The records below one root, by path (open addressing, row index + 1 per slot). */
struct mv__scan_known {
    struct mv__scan_known_row *rows;
    size_t n, cap;
    uint32_t *slot;
    size_t mask;
    struct mv__scan_arena_block *arena;
};

/* Paths the walk of a complete root did not meet: marked gone at the end. */
struct mv__scan_gone_path {
    const uint8_t *path;
    size_t len, root;
};
struct mv__scan_gone {
    struct mv__scan_gone_path *v;
    size_t n, cap;
    struct mv__scan_arena_block *arena;
};

/* (device + 1, inode) pairs of the catalog's present files; loaded once, lazily. */
struct mv__scan_inodes {
    uint64_t *keys;
    size_t mask, n, cap;
    int loaded;
};

/* Contents (MD5, size) already queued for a fingerprint by this run (open addressing). */
struct mv__scan_content {
    uint8_t md5[MV_MD5_LEN];
    uint64_t size; /* 0: an empty slot (only files of 1 byte or more are fingerprinted) */
};
struct mv__scan_contents {
    struct mv__scan_content *v;
    size_t mask, n;
};

/*
 * Loads the records below root; with s->fingerprint each record also says
 * whether its content lacks the scan's fingerprint (same query).
 */
mv_status mv__scan_known_load(struct mv__scan_known *k, const mv_scan *s, mv_catalog *c,
                              const char *root);
/* The record of path, or NULL. */
struct mv__scan_known_row *mv__scan_known_find(struct mv__scan_known *k, const uint8_t *path,
                                               size_t len);
void mv__scan_known_free(struct mv__scan_known *k);
/* Appends the rows of k that the walk did not meet (and not gone already), tagged root. */
mv_status mv__scan_gone_collect(struct mv__scan_gone *g, const struct mv__scan_known *k,
                                size_t root);
void mv__scan_gone_free(struct mv__scan_gone *g);
void mv__scan_inodes_free(struct mv__scan_inodes *s);
/* Adds (md5, size) to the set; *added = 0 when it was there already. */
mv_status mv__scan_contents_add(struct mv__scan_contents *s, const uint8_t md5[MV_MD5_LEN],
                                uint64_t size, int *added);
void mv__scan_contents_free(struct mv__scan_contents *s);

/* The state of one run, shared by the planner and the writer. */
struct mv__scan_ctx {
    mv_scan *s;
    mv_catalog *c;
    int64_t scan_id, now;
    mv_catalog_scan_stats st;
    struct mv__scan_list read; /* entries that must be read */
    size_t rows;               /* rows in the open transaction */
    struct timespec txn_start;
    int in_txn;
    size_t commit_held;           /* rows written whose fingerprint is not stored yet: no commit */
    struct mv__scan_known *known; /* the root being planned; NULL: ask the catalog per path */
    struct mv__scan_arena_block *arena; /* paths and kept digests of the read list */
    struct mv__scan_gone gone;
    struct mv__scan_inodes inodes;
    uint64_t fp_computed, fp_cached, fp_failed; /* MV_SCAN_FINGERPRINT counters */
    uint64_t fp_reread;                         /* unchanged files read for their fingerprint */
    struct mv__scan_contents refp_seen;         /* their contents: each read once per run */
    struct mv__scan_whole *whole;               /* scan_whole.c's workers; NULL: off */
    uint64_t devices;                           /* readers started: one per device */
};

/* *maybe = 0 when no present record has (dev, ino), so no link or rename can match. */
mv_status mv__scan_inode_maybe(struct mv__scan_ctx *x, uint64_t dev, uint64_t ino, int *maybe);

/* Batched writer: every write goes through write_begin(), then maybe_commit(). */
mv_status mv__scan_write_begin(struct mv__scan_ctx *x);
mv_status mv__scan_maybe_commit(struct mv__scan_ctx *x, int force);
/* 1 when the open transaction has reached its rows or its time. */
int mv__scan_commit_due(const struct mv__scan_ctx *x);
/* Commits a due transaction once no row in it waits for its fingerprint. */
mv_status mv__scan_commit_if_due(struct mv__scan_ctx *x);

/* Writes an entry that has no digest to compute (note, error, or digests kept). */
mv_status mv__scan_store(struct mv__scan_ctx *x, const struct mv__scan_entry *e);

/*
 * Decides what to do with a walked entry: unchanged (seen), renamed or a
 * known hard link (stored with the kept digests), a note or an error
 * (stored), or to be read (moved into x->read; e->path then belongs there).
 */
mv_status mv__scan_plan(struct mv__scan_ctx *x, struct mv__scan_entry *e);

/* Reads, verifies and stores x->read (scan_read.c); *engine names the MD5 engine. */
mv_status mv__scan_read_all(struct mv__scan_ctx *x, const char **engine);

/*
 * Orders the read list by device, then by the physical offset of each file's
 * first extent (FIEMAP) where the file system tells it, else by inode, then
 * path, so that reads follow the disk layout and the links of an inode sit
 * together.
 */
void mv__scan_plan_sort(struct mv__scan_list *l);

/*
 * Whole-file reads (scan_whole.c), with MV_SCAN_FINGERPRINT: a file named as
 * an image or a text, of 1 byte .. MV_SCAN_FP_MAX_BYTES, is read once into
 * memory by a worker that computes its digests from the buffer; the same
 * buffer is then fingerprinted unless the cache has the content already.
 * Jobs are handed back to the writer thread through the hub (lock, wake).
 */
struct mv__scan_whole;
struct mv__scan_whole_job {
    void *owner; /* the reader whose chunk holds the leader */
    size_t device, index;
    const char *path; /* the leader's, in the run's arena */
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    unsigned need; /* digests to compute from the buffer */
    uint8_t digest[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN];
    uint64_t bytes_read;
    mv_status st;
    int stage; /* 1: read and hashed, 2: fingerprinted */
    uint8_t *data;
    uint8_t md5[MV_MD5_LEN]; /* the content stored, for the cache and the check */
    mv_fp_result fp;
    struct mv__scan_whole *whole;
    struct mv__scan_whole_job *next;
};

/* True when e is read whole: fingerprinting on, 1 byte .. 64 MiB, a media name. */
int mv__scan_whole_wanted(const mv_scan *s, const struct mv__scan_entry *e);

/*
 * The cache rows that make a content done for the scan (scan_whole.c): the
 * fingerprints mv_fp writes with default options ("pdq", "simhash64" at
 * their versions) and the scan's record of a content that cannot be
 * fingerprinted ("unfingerprintable" at the library's version); *n of them.
 */
struct mv__catalog_fp_algo;
const struct mv__catalog_fp_algo *mv__scan_whole_fp_done(size_t *n);
/* True when the cache has one of those rows for the content (md5, size). */
int mv__scan_whole_done(mv_catalog *c, const uint8_t md5[MV_MD5_LEN], uint64_t size);
/* Starts the workers, jobs[d] for device d (0 = every CPU); x->whole stays NULL when off. */
mv_status mv__scan_whole_start(struct mv__scan_ctx *x, pthread_mutex_t *lock, pthread_cond_t *wake,
                               const long *jobs, size_t n_dev);
/* Waits for the workers and frees everything; the jobs still queued are dropped. */
void mv__scan_whole_stop(struct mv__scan_ctx *x);
/* True when a job of size bytes may start now (a few buffers at most in flight). */
int mv__scan_whole_room(const struct mv__scan_ctx *x, size_t device, uint64_t size);
/* Starts reading and hashing e (leader index of owner's chunk). */
mv_status mv__scan_whole_submit(struct mv__scan_ctx *x, void *owner, size_t device, size_t index,
                                const struct mv__scan_entry *e);
/* A finished job, or NULL; call with the hub's lock held. */
struct mv__scan_whole_job *mv__scan_whole_pop(struct mv__scan_ctx *x);
/* True when a finished job waits for the writer; call with the hub's lock held. */
int mv__scan_whole_waiting(const struct mv__scan_ctx *x);
/* Jobs submitted and not yet released. */
size_t mv__scan_whole_in_flight(const struct mv__scan_ctx *x);
/*
 * After the leader of a stage 1 job was stored (stored = 1) or not: hands the
 * buffer to a fingerprint worker, or counts a cache hit, or releases the job.
 */
mv_status mv__scan_whole_stored(struct mv__scan_ctx *x, struct mv__scan_whole_job *j, int stored);
/* Stores the fingerprint of a stage 2 job (unless ret is an error) and releases it. */
mv_status mv__scan_whole_fingerprinted(struct mv__scan_ctx *x, struct mv__scan_whole_job *j,
                                       mv_status ret);
/* Releases a job without using it. */
void mv__scan_whole_release(struct mv__scan_ctx *x, struct mv__scan_whole_job *j);

#endif
