/*
 * Private side of the scanner, shared by its three files:
 * scan_walk.c (trees to entries), scan_plan.c (entries against the catalog:
 * unchanged, renamed, to read) and scan_run.c (the pipeline, hashing and the
 * batched writer).
 */
#ifndef MV_SCAN_PRIV_H
#define MV_SCAN_PRIV_H

#include <stdatomic.h>
#include <time.h>

#include "mediavault/digest.h"
#include "mediavault/scan.h"

#include "../core/core.h"

struct mv_scan {
    long jobs;
    mv_digest_backend backend;
    int one_fs, follow;
    unsigned algos; /* MV_CATALOG_HAS() bits, MD5 included */
    long batch_rows, batch_ms, chunk_bytes;
    char **excludes;
    size_t n_excludes;
    mv_progress *progress;
    mv_scan_event_fn event;
    void *event_opaque;
    atomic_int cancel;
};

enum { MV__SCAN_NEW = 0, MV__SCAN_CHANGED = 1, MV__SCAN_UPGRADE = 2 };

/* One path found by the walk. path is NUL-terminated and owned by the entry. */
struct mv__scan_entry {
    uint8_t *path;
    size_t len;
    uint64_t dev, ino, size;
    int64_t mtime_ns, ctime_ns;
    mv_catalog_kind kind;
    mv_status error;  /* why it could not be walked or read */
    const char *note; /* static */
    unsigned need;    /* digests to compute (MV_CATALOG_HAS bits) */
    unsigned have;    /* digests kept from the catalog record */
    uint8_t digest[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN];
    int reason; /* MV__SCAN_NEW, _CHANGED or _UPGRADE: why it is read */
    int retried;
};

struct mv__scan_list {
    struct mv__scan_entry *v;
    size_t n, cap;
};

void mv__scan_list_free(struct mv__scan_list *l);
mv_status mv__scan_list_push(struct mv__scan_list *l, struct mv__scan_entry *e);

/* Fills the stat fields of e from st. */
void mv__scan_entry_stat(struct mv__scan_entry *e, const void *st);

/*
 * Walks root (absolute, NUL-terminated) into out. Errors on paths become
 * entries with error set; the returned status is for the root itself or
 * MV_ENOMEM / MV_ECANCELED.
 */
mv_status mv__scan_walk(mv_scan *s, const char *root, struct mv__scan_list *out);

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
};

/* Batched writer: every write goes through write_begin(), then maybe_commit(). */
mv_status mv__scan_write_begin(struct mv__scan_ctx *x);
mv_status mv__scan_maybe_commit(struct mv__scan_ctx *x, int force);

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

/* Orders the read list by device, inode, path so that reads follow the disk layout. */
void mv__scan_plan_sort(struct mv__scan_list *l);

#endif
