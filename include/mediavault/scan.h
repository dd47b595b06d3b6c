/**
 * Scanning: walk trees, find what changed, hash it, store it in the catalog.
 *
 * A scan walks each root with directory file descriptors (never following
 * symbolic links unless asked), compares every regular file with its catalog
 * record by (device, inode, size, mtime_ns, ctime_ns), and reads only the
 * files that are new or changed, in disk order (physical offset or inode),
 * many at once through the multi-buffer digest engine, with one reader per
 * device so that a slow disk does not hold up the others. A rename (same device and inode, old path
 * gone) and a hard link seen twice are not read again. Results are committed in batches, so a scan
 * that is killed keeps what it committed and the same scan started again continues from there.
 * Paths that a complete scan no longer finds are marked gone, never erased.
 *
 * Since 0.1.
 */
#ifndef MEDIAVAULT_SCAN_H
#define MEDIAVAULT_SCAN_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/catalog.h"
#include "mediavault/error.h"
#include "mediavault/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mv_scan mv_scan;

typedef enum mv_scan_opt {
    MV_SCAN_JOBS = 1,            /* hashing threads; 0 = number of CPUs (default) */
    MV_SCAN_BACKEND = 2,         /* mv_digest_backend for MD5; default AUTO */
    MV_SCAN_ONE_FILE_SYSTEM = 3, /* 1: do not cross into other devices; default 0 */
    MV_SCAN_FOLLOW_SYMLINKS = 4, /* 1: follow symbolic links (loops are noted); default 0 */
    MV_SCAN_ALGOS = 5,           /* MV_CATALOG_HAS() bits of further digests; MD5 always */
    MV_SCAN_BATCH_ROWS = 6,      /* rows per transaction, 1..1000000; default 32768 */
    MV_SCAN_BATCH_MS = 7,        /* longest time a transaction stays open; default 1000 */
    MV_SCAN_CHUNK_BYTES = 8,     /* bytes handed to the digest engine at once; default 1 GiB */
    /*
     * 1: also fingerprint the images and texts read (up to MV_SCAN_FP_MAX_BYTES)
     * into the catalog's fingerprint cache, as mv_fp_file() with default options
     * would (same rows, so `fingerprint` answers from the cache); default 0.
     * An unchanged file whose content has no fingerprint yet is read for it
     * (once per content). A content that cannot be fingerprinted (corrupt,
     * neither image nor text) is recorded as such in the cache and not tried
     * again by later scans of the same library version. Since 0.3.
     */
    MV_SCAN_FINGERPRINT = 9,
} mv_scan_opt;

/** Larger files are not fingerprinted by MV_SCAN_FINGERPRINT. */
#define MV_SCAN_FP_MAX_BYTES ((uint64_t)64 << 20)

/** The outcome of one scan. */
typedef struct mv_scan_summary {
    int64_t scan_id;
    mv_catalog_scan_stats stats;
    double elapsed_s;
    const char *engine; /* MD5 engine used; static */
    /* With MV_SCAN_FINGERPRINT (since 0.3): contents fingerprinted and stored,
     * found in the cache already, and those that failed (reported as events). */
    uint64_t fp_computed, fp_cached, fp_failed;
    /* Devices whose files were read, each by its own reader (since 0.3). */
    uint64_t devices;
    /* With MV_SCAN_FINGERPRINT (since 0.3): unchanged files read again because
     * their content had no fingerprint yet (e.g. catalogued by a scan without
     * fingerprints), one path per content; counted in stats.unchanged (or
     * stats.changed when the bytes turned out to differ from the MD5 stored). */
    uint64_t fp_reread;
} mv_scan_summary;

/**
 * Called for each path that was skipped or failed, from the thread running the
 * scan. Params: path bytes (borrowed for the call), status (MV_OK for a note
 * such as "fifo skipped"), note (may be NULL).
 */
typedef void (*mv_scan_event_fn)(void *opaque, const uint8_t *path, size_t path_len,
                                 mv_status status, const char *note);

/** Ownership: *out is released with mv_scan_free(). Returns MV_OK or MV_ENOMEM. */
MV_API mv_status mv_scan_new(mv_scan **out);

/** NULL is accepted. */
MV_API void mv_scan_free(mv_scan *s);

/** Sets an option. Returns MV_OK, or MV_EINVAL for an unknown key or a bad value. */
MV_API mv_status mv_scan_opt_set(mv_scan *s, mv_scan_opt key, long value);

/**
 * Adds a glob (fnmatch) of paths to leave out: matched against the file name,
 * or against the whole path when it contains a slash. Ownership: copied.
 */
MV_API mv_status mv_scan_add_exclude(mv_scan *s, const char *glob);

/** Progress counters to update (borrowed until mv_scan_run() returns). */
MV_API void mv_scan_set_progress(mv_scan *s, mv_progress *p);

/** The callback for skipped and failed paths; fn may be NULL. */
MV_API void mv_scan_set_event(mv_scan *s, mv_scan_event_fn fn, void *opaque);

/**
 * Asks a running scan to stop after committing the batch in flight.
 * Async-signal-safe: may be called from a signal handler or another thread.
 */
MV_API void mv_scan_cancel(mv_scan *s);

/**
 * Scans roots (files or directories) into the catalog.
 * Returns: MV_OK when every root was scanned (per-file failures are counted in
 *          summary->stats.errors and reported through the event callback);
 *          MV_ECANCELED after mv_scan_cancel(); MV_ENOENT/MV_EACCES when a
 *          root cannot be opened (the others are still scanned); catalog
 *          errors (see mv_catalog_errmsg()).
 * Ownership: roots are borrowed for the call; summary is the caller's.
 */
MV_API mv_status mv_scan_run(mv_scan *s, mv_catalog *c, const char *const *roots, size_t n,
                             mv_scan_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
