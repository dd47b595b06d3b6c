/**
 * Exact duplicates found without a catalog ("dupes --fresh").
 *
 * The finder walks one or more trees and reports groups of byte-identical
 * regular files, testing the cheapest thing first, as jdupes and fclones do:
 * files are grouped by size; only sizes shared by two or more inodes are read
 * at all; of those, a 4 KiB head and a 4 KiB tail are hashed (for files of at
 * most 8 KiB that sample is the whole file and its MD5 is final); only files
 * whose size and sample still collide are hashed in full with the
 * multi-buffer MD5 batch. A group is a set of files with the same size and
 * MD5. Hard links to one inode are read once and reported as one entry that
 * carries all of its paths; an inode alone is never a group.
 *
 * Symbolic links inside the trees are not followed (roots named by the caller
 * are); FIFOs, sockets and devices are skipped. Zero-length files are ignored
 * unless MV_DUPES_OPT_MIN_SIZE is set to 0, as jdupes ignores them without -z.
 * Errors on single paths (permission denied, vanished, changed while read) do
 * not stop the run: they go to the error callback and that path is left out.
 *
 * Since 0.2. Experimental: the result accessors may grow fields.
 */
#ifndef MEDIAVAULT_DUPES_H
#define MEDIAVAULT_DUPES_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/digest.h"
#include "mediavault/error.h"
#include "mediavault/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A configured finder (options, callbacks); reusable for several runs. */
typedef struct mv_dupes mv_dupes;

/** The groups found by one run. */
typedef struct mv_dupes_result mv_dupes_result;

typedef enum mv_dupes_opt {
    MV_DUPES_OPT_MIN_SIZE = 1,    /* smallest file size considered, bytes; default 1 */
    MV_DUPES_OPT_ONE_FS = 2,      /* 1: do not descend into other file systems; default 0 */
    MV_DUPES_OPT_JOBS = 3,        /* threads for reading; 0 = number of CPUs (default) */
    MV_DUPES_OPT_BACKEND = 4,     /* mv_digest_backend for the full MD5; default AUTO */
    MV_DUPES_OPT_SAMPLE_SIZE = 5, /* bytes of head and of tail, 512..1 MiB; default 4096 */
} mv_dupes_opt;

/**
 * Called for a path that could not be examined (status says why). Called on
 * the thread that called mv_dupes_run(), before it returns.
 * Ownership: path is borrowed for the duration of the call.
 */
typedef void (*mv_dupes_error_fn)(void *opaque, const char *path, mv_status status);

/**
 * Creates a finder with default options.
 * Returns: MV_OK or MV_ENOMEM. Ownership: *out is released with mv_dupes_free().
 */
MV_API mv_status mv_dupes_new(mv_dupes **out);

/** Releases a finder; NULL is accepted. */
MV_API void mv_dupes_free(mv_dupes *d);

/** Sets an option. Returns: MV_OK, or MV_EINVAL for an unknown key or a bad value. */
MV_API mv_status mv_dupes_set(mv_dupes *d, mv_dupes_opt key, long long value);

/** Installs the error callback (NULL: errors are only counted). */
MV_API void mv_dupes_set_error_cb(mv_dupes *d, mv_dupes_error_fn fn, void *opaque);

/**
 * Progress counters to update while running: files and bytes to read as they
 * are found (samples, then full files) and as they are done.
 * Ownership: borrowed until the run returns.
 */
MV_API void mv_dupes_set_progress(mv_dupes *d, mv_progress *progress);

/**
 * Walks the roots and finds the duplicate groups.
 * Params: roots, nroots: directories or regular files (symbolic links among
 *         them are followed); a root that fails is reported and skipped.
 * Returns: MV_OK (per-path failures go to the callback and the counters),
 *          MV_EINVAL, MV_ENOMEM, MV_ENOTSUP (forced digest backend), MV_ESYSTEM.
 * Ownership: *out is released with mv_dupes_result_free(); NULL on error.
 */
MV_API mv_status mv_dupes_run(mv_dupes *d, const char *const *roots, size_t nroots,
                              mv_dupes_result **out);

/** One group of identical files. */
typedef struct mv_dupes_group {
    uint64_t size;           /* bytes of each file */
    uint8_t md5[MV_MD5_LEN]; /* digest of each file */
    size_t entries;          /* distinct inodes, at least 2 */
    size_t paths;            /* paths, hard links included */
    uint64_t reclaimable;    /* (entries - 1) * size */
} mv_dupes_group;

/** One inode of a group: its paths, sorted, the first one being its name. */
typedef struct mv_dupes_entry {
    const char *const *paths; /* npaths paths */
    size_t npaths;            /* more than 1: hard links found in the walk */
    uint64_t dev, ino;
} mv_dupes_entry;

/** Counters of one run: how much each stage had to look at. */
typedef struct mv_dupes_stats {
    uint64_t files, bytes; /* regular files seen (min size applied) and their bytes */
    uint64_t dirs;         /* directories walked */
    uint64_t skipped;      /* symlinks, FIFOs, sockets, devices, zero/small files */
    uint64_t size_collide; /* inodes sharing their size with another inode */
    uint64_t sampled;      /* inodes whose head/tail sample was read */
    uint64_t full_hashed;  /* inodes hashed in full */
    uint64_t bytes_read;   /* bytes read for samples and full digests */
    uint64_t groups, entries, paths, reclaimable;
    uint64_t errors; /* paths reported to the error callback */
} mv_dupes_stats;

/** Number of groups; they are sorted by reclaimable bytes, largest first. */
MV_API size_t mv_dupes_result_count(const mv_dupes_result *r);

/** Describes group i. Returns: MV_OK, or MV_EINVAL when i is out of range. */
MV_API mv_status mv_dupes_result_group(const mv_dupes_result *r, size_t i, mv_dupes_group *out);

/**
 * Describes entry j of group i; entries are sorted by their first path.
 * Returns: MV_OK, or MV_EINVAL when out of range.
 * Ownership: the paths stay valid until mv_dupes_result_free().
 */
MV_API mv_status mv_dupes_result_entry(const mv_dupes_result *r, size_t i, size_t j,
                                       mv_dupes_entry *out);

/** Copies the counters of the run. */
MV_API void mv_dupes_result_stats(const mv_dupes_result *r, mv_dupes_stats *out);

/** Releases a result; NULL is accepted. */
MV_API void mv_dupes_result_free(mv_dupes_result *r);

#ifdef __cplusplus
}
#endif

#endif
