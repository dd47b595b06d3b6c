/*
 * The catalog cache of audio and video fingerprints in `mediavault fingerprint`
 * (cli_fp_cache.c): the content key of a file and the locked catalog calls.
 */
#ifndef MV_CLI_FP_CACHE_H
#define MV_CLI_FP_CACHE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "mediavault/catalog.h"

/* A catalog handle shared by the workers of a batch, one call at a time. */
struct cli_fp_cache {
    mv_catalog *cat; /* NULL: no cache (--no-cache, or no audio/video input) */
    pthread_mutex_t lock;
};

/* What a file held when its MD5 was taken: the cache key (md5, size) and the
 * identity that tells whether it changed since (device, inode, times). */
struct cli_fp_content {
    int known; /* 0: the MD5 could not be had; nothing is looked up or stored */
    uint8_t md5[MV_MD5_LEN];
    uint64_t size, device, inode;
    int64_t mtime_ns, ctime_ns;
};

/* Hashes the regular file at path into c (c->known = 1 on success). */
void cli_fp_content_of(const char *path, struct cli_fp_content *c);

/* 1 when path still is the file c describes (same identity, size and times). */
int cli_fp_content_unchanged(const char *path, const struct cli_fp_content *c);

/* The value cached for (c, algorithm, version), into *value (free()) and
 * *len; 1 on a hit, 0 otherwise (no cache, unknown content, a miss, an error). */
int cli_fp_cache_get(struct cli_fp_cache *k, const struct cli_fp_content *c, const char *algorithm,
                     int version, uint8_t **value, size_t *len);

/* Stores value for (c, algorithm, version) when a cache is open and path is
 * still the content c was taken from; a failure is a warning, never an error.
 * Takes value (malloc(), released here; NULL: out of memory, nothing stored). */
void cli_fp_cache_put(struct cli_fp_cache *k, const char *path, const struct cli_fp_content *c,
                      const char *algorithm, int version, uint8_t *value, size_t len);

/* A monotonic clock in milliseconds, for processing_time_ms and the time limit. */
double cli_fp_now_ms(void);

/* 1 when a result decoded from decode_start (cli_fp_now_ms()) is whole and may
 * be stored: it returned before the time limit (timeout_s; 0 = none), as the
 * library's deadline counts, since a call that returned at or past it may have
 * been cut short, and the run was not stopped (cancel NULL or 0). */
int cli_fp_complete(double decode_start, double timeout_s, const atomic_int *cancel);

/* The md5 of a result from c: written as hex when known; a successful *st
 * becomes MV_EIO when the md5 is wanted (JSON) yet the file could not be
 * hashed (it was readable by FFmpeg but went away). */
void cli_fp_result_md5(const struct cli_fp_content *c, int wanted, mv_status *st,
                       char md5[2 * MV_MD5_LEN + 1]);

/* Big-endian packing of the cached values, so that rows read the same anywhere. */
void cli_fp_put_u64(uint8_t **at, uint64_t v);
void cli_fp_put_f64(uint8_t **at, double v);
uint64_t cli_fp_get_u64(const uint8_t **at);
double cli_fp_get_f64(const uint8_t **at);

#endif
