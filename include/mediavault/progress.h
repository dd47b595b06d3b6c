/**
 * Progress counters for long jobs (hashing, scanning).
 *
 * The library updates the counters from its worker threads; the application
 * reads snapshots and decides where, and whether, to show them (the library
 * never prints). mv_progress_format() renders the line the command-line tool
 * shows: bytes and files done of those found so far, rate and ETA.
 */
#ifndef MEDIAVAULT_PROGRESS_H
#define MEDIAVAULT_PROGRESS_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mv_progress mv_progress;

/** A consistent-enough copy of the counters (each is read atomically). */
typedef struct mv_progress_stats {
    uint64_t files_found, bytes_found;
    uint64_t files_done, bytes_done;
    double elapsed_s; /* since mv_progress_new() */
} mv_progress_stats;

/**
 * Creates zeroed counters and starts the clock.
 * Returns: MV_OK or MV_ENOMEM. Ownership: *out is released with mv_progress_free().
 */
MV_API mv_status mv_progress_new(mv_progress **out);

/** Releases the counters; NULL is accepted. */
MV_API void mv_progress_free(mv_progress *p);

/** Adds work that was discovered. Thread-safe; p may be NULL. */
MV_API void mv_progress_add_found(mv_progress *p, uint64_t files, uint64_t bytes);

/** Adds work that was finished. Thread-safe; p may be NULL. */
MV_API void mv_progress_add_done(mv_progress *p, uint64_t files, uint64_t bytes);

/** Reads the counters. */
MV_API void mv_progress_snapshot(const mv_progress *p, mv_progress_stats *out);

/**
 * Renders one status line such as "1.2 GB / 4.0 GB  10 / 100 files  1.1 GB/s  ETA 0:00:03",
 * or "1.2 GB  10 / 100 files  1.1 GB/s" when fewer bytes were found than done
 * (the sizes are not known ahead), truncated to size (always NUL-terminated).
 */
MV_API void mv_progress_format(const mv_progress_stats *s, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
