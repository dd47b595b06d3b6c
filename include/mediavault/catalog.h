/**
 * The catalog: what was found where, with which digests, by which scan.
 *
 * A catalog is opened from a URI: a file path or "sqlite:PATH" selects the
 * embedded SQLite backend ("postgresql://..." is reserved for the shared
 * backend and gives MV_ENOTSUP until it exists). The schema is versioned and
 * migrated when the catalog is opened. One handle is used by one thread at a
 * time; several processes may open the same catalog, readers never block the
 * writer (SQLite WAL), and a second writer waits up to a timeout.
 *
 * Paths are byte strings (pointer + length), not C strings: not every file
 * name is UTF-8 and the catalog stores them exactly as the file system gave
 * them.
 *
 * Since 0.1.
 */
#ifndef MEDIAVAULT_CATALOG_H
#define MEDIAVAULT_CATALOG_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/digest.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mv_catalog mv_catalog;

/** What a catalog entry is; only regular files have digests. */
typedef enum mv_catalog_kind {
    MV_KIND_FILE = 0,
    MV_KIND_DIR = 1,
    MV_KIND_SYMLINK = 2,
    MV_KIND_FIFO = 3,
    MV_KIND_SOCKET = 4,
    MV_KIND_DEVICE = 5,
    MV_KIND_OTHER = 6,
} mv_catalog_kind;

/** Bit of mv_catalog_file.digests for an algorithm. */
#define MV_CATALOG_HAS(algo) (1u << (unsigned)(algo))

/** Number of digest algorithms a file record can hold (mv_digest_algo values). */
#define MV_CATALOG_ALGOS 4

/**
 * One path in the catalog. As an output, path and note are borrowed from the
 * catalog and stay valid until the next call on the same handle (or, in a
 * callback, until the callback returns).
 */
typedef struct mv_catalog_file {
    const uint8_t *path; /* bytes, not NUL-terminated */
    size_t path_len;
    uint64_t device, inode, size;
    int64_t mtime_ns, ctime_ns;
    mv_catalog_kind kind;
    unsigned digests; /* MV_CATALOG_HAS() bits: which of digest[] are set */
    uint8_t digest[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN];
    mv_status error;  /* MV_OK, or why the file has no digest */
    const char *note; /* NULL or a short explanation ("fifo skipped", ...) */
    int64_t seen_at;  /* Unix time of the last scan that wrote it (not an unchanged rescan) */
    int64_t seen_scan;
    int64_t gone_at; /* 0 while present; else when a scan found it missing */
} mv_catalog_file;

/** Counters of one scan, stored in the scans table. */
typedef struct mv_catalog_scan_stats {
    uint64_t files, bytes, bytes_read;
    uint64_t new_files, changed, unchanged, renamed, gone, errors, skipped;
} mv_catalog_scan_stats;

/** Final state of a scan. */
typedef enum mv_catalog_scan_state {
    MV_SCAN_RUNNING = 0,
    MV_SCAN_DONE = 1,
    MV_SCAN_CANCELED = 2,
    MV_SCAN_FAILED = 3,
    MV_SCAN_INTERRUPTED = 4, /* found running by a later scan: the process died */
} mv_catalog_scan_state;

/** Called once per record; return non-zero to stop the iteration early. */
typedef int (*mv_catalog_file_fn)(void *opaque, const mv_catalog_file *file);

/**
 * The default catalog location: $MEDIAVAULT_CATALOG, else
 * $XDG_DATA_HOME/mediavault/catalog.db, else ~/.local/share/mediavault/catalog.db.
 * Returns: MV_OK, MV_ENOENT when neither XDG_DATA_HOME nor HOME is set, MV_ENOMEM.
 * Ownership: *out is released with mv_free().
 */
MV_API mv_status mv_catalog_default_uri(char **out);

/**
 * Opens (creating when needed, with its parent directory) and migrates a catalog.
 * Returns: MV_OK; MV_ENOTSUP for an unknown scheme or a schema newer than this
 *          library; MV_ECORRUPT, MV_EACCES, MV_ENOMEM, MV_ESYSTEM. On failure
 *          *out may still hold a handle whose mv_catalog_errmsg() says why.
 * Ownership: *out is released with mv_catalog_close() (also after a failure).
 */
MV_API mv_status mv_catalog_open(const char *uri, mv_catalog **out);

/** Closes the catalog, rolling back an open transaction. NULL is accepted. */
MV_API void mv_catalog_close(mv_catalog *c);

/** Detail of the last error. Ownership: borrowed, valid until the next call. */
MV_API const char *mv_catalog_errmsg(const mv_catalog *c);

/** The backend's name ("sqlite") and schema version, for `info`. */
MV_API const char *mv_catalog_backend_name(const mv_catalog *c);
MV_API int mv_catalog_schema_version(const mv_catalog *c);

/** Transactions: writes between begin and commit are atomic and durable together. */
MV_API mv_status mv_catalog_begin(mv_catalog *c);
MV_API mv_status mv_catalog_commit(mv_catalog *c);
MV_API mv_status mv_catalog_rollback(mv_catalog *c);

/**
 * Looks a path up.
 * Returns: MV_OK (filled), MV_ENOENT (no record), or a catalog error.
 * Ownership: see mv_catalog_file.
 */
MV_API mv_status mv_catalog_file_get(mv_catalog *c, const uint8_t *path, size_t path_len,
                                     mv_catalog_file *out);

/** Inserts or replaces the record of f->path (seen_scan and seen_at included). */
MV_API mv_status mv_catalog_file_put(mv_catalog *c, const mv_catalog_file *f);

/** Records that a scan saw an unchanged path: updates seen_scan/seen_at, clears gone_at. */
MV_API mv_status mv_catalog_file_seen(mv_catalog *c, const uint8_t *path, size_t path_len,
                                      int64_t scan_id, int64_t seen_at);

/** Calls fn for every present record of (device, inode), any path. */
MV_API mv_status mv_catalog_file_find_inode(mv_catalog *c, uint64_t device, uint64_t inode,
                                            mv_catalog_file_fn fn, void *opaque);

/** Calls fn for every present file whose MD5 is md5. */
MV_API mv_status mv_catalog_file_find_md5(mv_catalog *c, const uint8_t md5[MV_MD5_LEN],
                                          mv_catalog_file_fn fn, void *opaque);

/**
 * Marks as gone every present record below root (root itself included) that
 * scan_id did not see. Params: count, when not NULL, receives how many.
 */
MV_API mv_status mv_catalog_mark_gone(mv_catalog *c, const uint8_t *root, size_t root_len,
                                      int64_t scan_id, int64_t now, uint64_t *count);

/**
 * Records that scan_id saw every present record below root (root included)
 * without reading them: used for a directory that could not be read, whose
 * contents are unknown rather than gone.
 */
MV_API mv_status mv_catalog_mark_seen(mv_catalog *c, const uint8_t *root, size_t root_len,
                                      int64_t scan_id, int64_t now);

/**
 * Starts a scan record (state RUNNING); earlier scans still RUNNING become
 * INTERRUPTED. Params: roots is a description stored as is.
 */
MV_API mv_status mv_catalog_scan_begin(mv_catalog *c, const char *roots, int64_t now,
                                       int64_t *scan_id);

/** Stores the counters and final state of a scan. */
MV_API mv_status mv_catalog_scan_end(mv_catalog *c, int64_t scan_id, int64_t now,
                                     mv_catalog_scan_state state,
                                     const mv_catalog_scan_stats *stats);

/** Records a per-file error of a scan (kept even after the file is rescanned). */
MV_API mv_status mv_catalog_scan_error(mv_catalog *c, int64_t scan_id, const uint8_t *path,
                                       size_t path_len, mv_status error, const char *note);

/**
 * Calls fn for the present files with an MD5 whose (size, MD5) is shared by at
 * least two records, size >= min_size, ordered by size descending, then MD5,
 * device, inode and path: one group after the other.
 */
MV_API mv_status mv_catalog_each_dupe(mv_catalog *c, uint64_t min_size, mv_catalog_file_fn fn,
                                      void *opaque);

/** Calls fn for every present record (files, notes and errors), ordered by path. */
MV_API mv_status mv_catalog_each_file(mv_catalog *c, mv_catalog_file_fn fn, void *opaque);

/**
 * Looks up a cached fingerprint of the content (md5, size).
 * Params: algorithm, version: what was computed ("pdq", 1); value/cap: the caller's
 *         buffer; len receives the stored length, quality the stored quality (-1: none).
 * Returns: MV_OK; MV_ENOENT when not cached; MV_ETOOBIG when cap is smaller than
 *          *len (nothing copied); MV_EINVAL; a catalog error.
 * Since 0.2.
 */
MV_API mv_status mv_catalog_fp_get(mv_catalog *c, const uint8_t md5[MV_MD5_LEN], uint64_t size,
                                   const char *algorithm, int version, uint8_t *value, size_t cap,
                                   size_t *len, int *quality);

/**
 * Stores (or replaces) the fingerprint of the content (md5, size), creating its
 * contents row when needed. Params: quality -1 stores none; now: Unix time.
 * Ownership: value (len > 0 bytes) is borrowed for the call.
 * Since 0.2.
 */
MV_API mv_status mv_catalog_fp_put(mv_catalog *c, const uint8_t md5[MV_MD5_LEN], uint64_t size,
                                   const char *algorithm, int version, const uint8_t *value,
                                   size_t len, int quality, int64_t now);

#ifdef __cplusplus
}
#endif

#endif
