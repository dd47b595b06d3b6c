/**
 * Digests of buffers, streams and batches of files.
 *
 * MD5 is computed by the best engine the CPU offers: a multi-buffer SIMD engine
 * that hashes many files at once, or the scalar OpenSSL engine. SHA-1, SHA-256
 * and BLAKE2b-512 always use OpenSSL. All engines give the same bytes.
 */
#ifndef MEDIAVAULT_DIGEST_H
#define MEDIAVAULT_DIGEST_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"
#include "mediavault/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MV_MD5_LEN        16
#define MV_DIGEST_MAX_LEN 64

typedef enum mv_digest_algo {
    MV_DIGEST_MD5 = 0,
    MV_DIGEST_SHA1 = 1,
    MV_DIGEST_SHA256 = 2,
    MV_DIGEST_BLAKE2B = 3,
} mv_digest_algo;

/** Which engine computes MD5. AUTO picks the best one the machine offers. */
typedef enum mv_digest_backend {
    MV_BACKEND_AUTO = 0,
    MV_BACKEND_SCALAR = 1,
    MV_BACKEND_SIMD = 2,
    MV_BACKEND_CUDA = 3,
} mv_digest_backend;

/** CPU features that the digest engines care about (bits of mv_digest_cpu_features()). */
#define MV_CPU_SSE41   (1u << 0)
#define MV_CPU_AVX2    (1u << 1)
#define MV_CPU_AVX512F (1u << 2)
#define MV_CPU_SHANI   (1u << 3)

/** The features of this CPU that the OS also enables; probed once. */
MV_API unsigned mv_digest_cpu_features(void);

/** Digest length in bytes (16, 20, 32 or 64); 0 for an unknown algorithm. */
MV_API size_t mv_digest_len(mv_digest_algo algo);

/** "md5", "sha1", "sha256", "blake2b"; NULL for an unknown algorithm.
 * Ownership: a static string. */
MV_API const char *mv_digest_algo_name(mv_digest_algo algo);

/** Parses an algorithm name. Returns MV_OK or MV_EINVAL. */
MV_API mv_status mv_digest_algo_parse(const char *name, mv_digest_algo *out);

/** Parses "auto", "scalar", "simd" or "cuda". Returns MV_OK or MV_EINVAL. */
MV_API mv_status mv_digest_backend_parse(const char *name, mv_digest_backend *out);

/**
 * Describes an MD5 engine for `info`: its name, whether it can run here, and
 * why not when it cannot.
 */
typedef struct mv_digest_engine_info {
    const char *name;    /* "scalar", "simd-avx2", ... */
    const char *backend; /* "scalar", "simd" or "cuda" */
    int available;       /* 1 when usable on this machine */
    const char *detail;  /* lanes, or why it is not available */
} mv_digest_engine_info;

/**
 * Lists the MD5 engines compiled in, best first.
 * Params: index from 0. Returns: MV_OK, or MV_EINVAL past the last engine.
 * Ownership: the strings are static.
 */
MV_API mv_status mv_digest_engine_get(size_t index, mv_digest_engine_info *out);

/**
 * Resolves a backend request to the engine that will run.
 * Returns: MV_OK, or MV_ENOTSUP when a forced backend cannot run here.
 * Ownership: *name is static.
 */
MV_API mv_status mv_digest_engine_choose(mv_digest_backend backend, const char **name);

/** Lowercase hex of a digest. Ownership: out is the caller's, 2 * len + 1 bytes. */
MV_API void mv_digest_hex(const uint8_t *digest, size_t len, char *out);

/**
 * Digest of one buffer into out (mv_digest_len(algo) bytes written).
 * Returns: MV_OK, MV_EINVAL (unknown algorithm, NULL data with len > 0), MV_ENOMEM.
 */
MV_API mv_status mv_digest_buffer(mv_digest_algo algo, const void *data, size_t len,
                                  uint8_t out[MV_DIGEST_MAX_LEN]);

/** Incremental digest of one stream. */
typedef struct mv_digest_ctx mv_digest_ctx;

/**
 * Starts a stream. Returns: MV_OK, MV_EINVAL (unknown algorithm), MV_ENOMEM.
 * Ownership: *out is released with mv_digest_ctx_free().
 */
MV_API mv_status mv_digest_ctx_new(mv_digest_algo algo, mv_digest_ctx **out);
/** Adds len bytes of data (borrowed for the call). Returns MV_OK or MV_EINVAL. */
MV_API mv_status mv_digest_ctx_update(mv_digest_ctx *ctx, const void *data, size_t len);
/** Writes mv_digest_len() bytes; the context cannot be updated afterwards. */
MV_API mv_status mv_digest_ctx_final(mv_digest_ctx *ctx, uint8_t out[MV_DIGEST_MAX_LEN]);
/** Releases a stream; NULL is accepted. */
MV_API void mv_digest_ctx_free(mv_digest_ctx *ctx);

/**
 * Digest of everything readable from a file descriptor (standard input, a pipe).
 * Params: bytes, when not NULL, receives the number of bytes read.
 */
MV_API mv_status mv_digest_fd(mv_digest_algo algo, int fd, uint8_t out[MV_DIGEST_MAX_LEN],
                              uint64_t *bytes);

/** The outcome for one file of a batch. Failures are results, not aborts. */
typedef struct mv_digest_result {
    mv_status status; /* MV_OK or why this file has no digest */
    uint64_t size;    /* bytes hashed */
    uint8_t digest[MV_DIGEST_MAX_LEN];
} mv_digest_result;

/** Called once per file as soon as it is done, from a worker thread, in any order. */
typedef void (*mv_digest_done_fn)(void *opaque, size_t index, const mv_digest_result *result);

typedef struct mv_digest_batch mv_digest_batch;

typedef enum mv_digest_batch_opt {
    MV_DIGEST_OPT_ALGO = 1,      /* mv_digest_algo; default MD5 */
    MV_DIGEST_OPT_JOBS = 2,      /* worker threads; 0 = number of CPUs (default) */
    MV_DIGEST_OPT_BACKEND = 3,   /* mv_digest_backend; default AUTO */
    MV_DIGEST_OPT_READ_SIZE = 4, /* bytes per read, 64 KiB..64 MiB; default 1 MiB */
} mv_digest_batch_opt;

/** Ownership: *out is released with mv_digest_batch_free(). */
MV_API mv_status mv_digest_batch_new(mv_digest_batch **out);
MV_API void mv_digest_batch_free(mv_digest_batch *batch);

/** Sets an option. Returns MV_OK, or MV_EINVAL for an unknown key or a bad value. */
MV_API mv_status mv_digest_batch_set(mv_digest_batch *batch, mv_digest_batch_opt key, long value);

/** Progress counters to update while running (borrowed until the run returns). */
MV_API void mv_digest_batch_set_progress(mv_digest_batch *batch, mv_progress *progress);

/**
 * Hashes n files. Only regular files are read: FIFOs, sockets and devices are
 * refused without blocking; a file whose size or mtime changed while it was
 * read gets MV_ECHANGED. Symbolic links named in paths are followed.
 * Params: results, when not NULL, has n entries; done, when not NULL, is called
 *         for each file as it completes.
 * Returns: MV_OK when every file was attempted (see each result), MV_ENOTSUP when
 *          the forced backend cannot run here, MV_ENOMEM, MV_ESYSTEM.
 * Ownership: paths are borrowed for the duration of the call.
 */
MV_API mv_status mv_digest_batch_run(mv_digest_batch *batch, const char *const *paths, size_t n,
                                     mv_digest_result *results, mv_digest_done_fn done,
                                     void *opaque);

/**
 * Stops the run in progress soon: files not yet started and the multi-buffer
 * lanes in flight end with MV_ECANCELED (each file still gets one result); a
 * file being streamed alone finishes first. Thread-safe and async-signal-safe
 * (one atomic store). The request is cleared when the next run starts.
 */
MV_API void mv_digest_batch_cancel(mv_digest_batch *batch);

/**
 * Makes runs also stop as with mv_digest_batch_cancel() whenever *flag is
 * nonzero: a caller's own cancel flag, set from a signal handler for instance,
 * which unlike the batch may outlive every run. NULL stops watching.
 * Ownership: flag is borrowed and must stay valid while runs may read it.
 */
MV_API void mv_digest_batch_watch(mv_digest_batch *batch, const _Atomic int *flag);

/** The engine the last run used for MD5 ("scalar", "simd-avx2", ...); a static string. */
MV_API const char *mv_digest_batch_engine(const mv_digest_batch *batch);

#ifdef __cplusplus
}
#endif

#endif
