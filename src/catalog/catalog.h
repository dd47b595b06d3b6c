/*
 * Private side of the catalog: the backend table and the handle every backend
 * shares. A backend is one file (catalog_sqlite.c, later catalog_postgres.c)
 * with one const struct mv_catalog_backend, listed in catalog_api.c; the
 * public functions check their arguments there and dispatch through the table.
 * Schema migrations are backend-neutral SQL, numbered, in catalog_migrate.c.
 */
#ifndef MV_CATALOG_PRIV_H
#define MV_CATALOG_PRIV_H

#include "mediavault/catalog.h"

#include "../core/core.h"

#define MV_CATALOG_ERRMSG_MAX 256

struct mv_catalog_backend;

/* The key of a cached fingerprint: the content and what was computed from it. */
typedef struct mv__catalog_fp_key {
    const uint8_t *md5; /* MV_MD5_LEN bytes */
    uint64_t size;
    const char *algorithm;
    int version;
} mv__catalog_fp_key;

/* A cache key without its content: one (algorithm, version) of the fingerprints table. */
typedef struct mv__catalog_fp_algo {
    const char *algorithm;
    int version;
} mv__catalog_fp_algo;

/* At most this many (algorithm, version) pairs per mv__catalog_each_below_fp(). */
#define MV__CATALOG_FP_ALGOS 3

/*
 * Receives one record of mv__catalog_each_below_fp() (borrowed for the call)
 * and whether its content lacks every (algorithm, version) asked; non-zero
 * stops the walk.
 */
typedef int (*mv__catalog_below_fp_fn)(void *opaque, const mv_catalog_file *f, int fp_missing);

/* Receives one (device, inode); non-zero stops the walk. */
typedef int (*mv__catalog_inode_fn)(void *opaque, uint64_t device, uint64_t inode);

struct mv_catalog {
    const struct mv_catalog_backend *be;
    void *impl; /* owned by the backend; released by its close() */
    int schema_version;
    char errmsg[MV_CATALOG_ERRMSG_MAX];
};

/* Every function sets c->errmsg (mv__catalog_seterr) before returning an error. */
struct mv_catalog_backend {
    const char *name;
    const char *scheme; /* URI prefix ("sqlite:"); a bare path goes to the first backend */
    mv_status (*open)(mv_catalog *c, const char *location);
    void (*close)(mv_catalog *c);
    mv_status (*begin)(mv_catalog *c);
    mv_status (*commit)(mv_catalog *c);
    mv_status (*rollback)(mv_catalog *c);
    mv_status (*file_get)(mv_catalog *c, const uint8_t *path, size_t len, mv_catalog_file *out);
    mv_status (*file_put)(mv_catalog *c, const mv_catalog_file *f);
    mv_status (*file_seen)(mv_catalog *c, const uint8_t *path, size_t len, int64_t scan_id,
                           int64_t seen_at);
    mv_status (*find_inode)(mv_catalog *c, uint64_t dev, uint64_t ino, mv_catalog_file_fn fn,
                            void *opaque);
    mv_status (*find_md5)(mv_catalog *c, const uint8_t *md5, mv_catalog_file_fn fn, void *opaque);
    mv_status (*mark_gone)(mv_catalog *c, const uint8_t *root, size_t len, int64_t scan_id,
                           int64_t now, uint64_t *count);
    mv_status (*mark_seen)(mv_catalog *c, const uint8_t *root, size_t len, int64_t scan_id,
                           int64_t now);
    mv_status (*scan_begin)(mv_catalog *c, const char *roots, int64_t now, int64_t *id);
    mv_status (*scan_end)(mv_catalog *c, int64_t id, int64_t now, mv_catalog_scan_state state,
                          const mv_catalog_scan_stats *stats);
    mv_status (*scan_error)(mv_catalog *c, int64_t id, const uint8_t *path, size_t len,
                            mv_status error, const char *note);
    mv_status (*each_dupe)(mv_catalog *c, uint64_t min_size, mv_catalog_file_fn fn, void *opaque);
    mv_status (*each_file)(mv_catalog *c, mv_catalog_file_fn fn, void *opaque);
    /* Every record below root (root included), gone ones too: the scanner's rescan table. */
    mv_status (*each_below)(mv_catalog *c, const uint8_t *root, size_t len, mv_catalog_file_fn fn,
                            void *opaque);
    /* (device, inode) of every present file record with an MD5: candidates for links/renames. */
    mv_status (*each_inode)(mv_catalog *c, mv__catalog_inode_fn fn, void *opaque);
    /* Marks the one record path gone unless scan_id wrote or saw it; *count: 0 or 1. */
    mv_status (*gone_one)(mv_catalog *c, const uint8_t *path, size_t len, int64_t scan_id,
                          int64_t now, uint64_t *count);
    /* each_below, and per record whether its content has none of the cache rows asked. */
    mv_status (*each_below_fp)(mv_catalog *c, const uint8_t *root, size_t len, uint64_t max_size,
                               const mv__catalog_fp_algo *algos, size_t n,
                               mv__catalog_below_fp_fn fn, void *opaque);
    /* The fingerprint cache (mv_catalog_fp_get/put). */
    mv_status (*fp_get)(mv_catalog *c, const mv__catalog_fp_key *k, uint8_t *value, size_t cap,
                        size_t *len, int *quality);
    mv_status (*fp_put)(mv_catalog *c, const mv__catalog_fp_key *k, const uint8_t *value,
                        size_t len, int quality, int64_t now);
};

extern const struct mv_catalog_backend mv__catalog_sqlite;

/*
 * Bulk reads for the scanner (library-internal, not public API): the records
 * below a root in one query instead of one lookup per walked path, and the
 * inodes that a link or rename could match. fn's record is borrowed for the
 * call only.
 */
mv_status mv__catalog_each_below(mv_catalog *c, const uint8_t *root, size_t len,
                                 mv_catalog_file_fn fn, void *opaque);
mv_status mv__catalog_each_inode(mv_catalog *c, mv__catalog_inode_fn fn, void *opaque);
/*
 * mv__catalog_each_below() for `scan --fingerprint`, in the same one query:
 * fp_missing is 1 for a present plain file without error, of 1 .. max_size
 * bytes, with an MD5, whose content has no cache row of any of algos[0..n)
 * (n <= MV__CATALOG_FP_ALGOS), else 0. The cache is asked only for such
 * records, by content_id, one index probe each.
 */
mv_status mv__catalog_each_below_fp(mv_catalog *c, const uint8_t *root, size_t len,
                                    uint64_t max_size, const mv__catalog_fp_algo *algos, size_t n,
                                    mv__catalog_below_fp_fn fn, void *opaque);
mv_status mv__catalog_gone_one(mv_catalog *c, const uint8_t *path, size_t len, int64_t scan_id,
                               int64_t now, uint64_t *count);

/* Sets the handle's detail message and returns st, for `return mv__catalog_seterr(...)`. */
mv_status mv__catalog_seterr(mv_catalog *c, mv_status st, const char *fmt, ...) MV_PRINTF(3, 4);

/* The newest schema version, and the SQL that takes version - 1 to version (1-based). */
int mv__catalog_schema_latest(void);
const char *mv__catalog_migration(int version);

/* The digest column of the files table for an algorithm ("md5", "sha256", ...). */
const char *mv__catalog_digest_column(unsigned algo);

#endif
