/*
 * The MD5 engine table and the private interface of the digest module.
 *
 * An engine is a const table of function pointers (curl's vtls idea): a new
 * engine is one file defining one table plus one line in the registry of
 * digest_registry.c. Engines only compress whole blocks of many independent
 * streams ("lanes"); reading files, padding and change detection are shared and
 * live in digest_file.c and digest_md5_mb.c.
 */
#ifndef MV_DIGEST_ENGINE_H
#define MV_DIGEST_ENGINE_H

#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "mediavault/digest.h"

#define MV__ENGINE_MAX_LANES 16

/* Capability bits. */
#define MV__ENGINE_MULTI 1u /* hashes many streams at once: give it many files */
#define MV__ENGINE_GPU   2u /* runs on a GPU plugin */

struct mv_digest_engine {
    const char *name;    /* "scalar", "simd-avx2", ... */
    const char *backend; /* the --backend value that selects it */
    unsigned caps;
    /* Nonzero when the engine can run on this machine; called once. */
    int (*probe)(void);
    size_t lanes;       /* streams per md5_many() call; 1 for scalar */
    size_t batch_files; /* files a worker keeps in flight */
    /* MD5 of one whole buffer. */
    void (*md5_one)(const uint8_t *data, size_t len, uint8_t out[MV_MD5_LEN]);
    /* Compresses nblocks 64-byte blocks of every lane; st is [4][lanes], transposed. */
    void (*md5_many)(uint32_t *st, const uint8_t *const *p, size_t nblocks);
};

/* Registry: engines best first; probes run once. */
size_t mv__engine_count(void);
const struct mv_digest_engine *mv__engine_at(size_t i);
int mv__engine_usable(size_t i);
/* The engine for a backend request, or NULL with MV_ENOTSUP in *st. */
const struct mv_digest_engine *mv__engine_select(mv_digest_backend backend, mv_status *st);
/* MEDIAVAULT_BACKEND, parsed; AUTO when unset. MV_EINVAL when it is set to garbage. */
mv_status mv__engine_env_backend(mv_digest_backend *out);

/* The first usable engine that runs on the CPU (scalar at worst). */
const struct mv_digest_engine *mv__engine_cpu_best(void);

extern const struct mv_digest_engine mv__engine_scalar;

/* OpenSSL-backed primitives (digest_scalar.c). */
const EVP_MD *mv__evp_md(mv_digest_algo algo);
mv_status mv__evp_digest(mv_digest_algo algo, const void *data, size_t len,
                         uint8_t out[MV_DIGEST_MAX_LEN]);

/* Files (digest_file.c). */
typedef struct mv__file {
    int fd;
    int pseudo;     /* procfs/sysfs: the size says nothing, read to the end */
    struct stat st; /* at open */
} mv__file;

/* Bytes read by this thread through mv__file_read() are added to p (NULL: not
   counted), so that progress moves within large files too. */
void mv__file_count_to(mv_progress *p);
mv_progress *mv__file_counter(void);

/* Opens a regular file for reading without blocking on FIFOs or devices. */
mv_status mv__file_open(const char *path, mv__file *f);
/* Reads up to len bytes, retrying on EINTR; *got is 0 at end of file. */
mv_status mv__file_read(mv__file *f, uint8_t *buf, size_t len, size_t *got);
/* MV_OK when size and mtime are as at open and total bytes were read. */
mv_status mv__file_verify(const mv__file *f, uint64_t total);
/* True when total bytes read means the end of the file (sized files only). */
int mv__file_at_end(const mv__file *f, uint64_t total);
void mv__file_close(mv__file *f);

/* One opened file, streamed through OpenSSL: any algorithm; closes the file. */
void mv__digest_opened_scalar(mv__file *f, mv_digest_algo algo, uint8_t *buf, size_t bufsize,
                              mv_digest_result *out);
/* One file, streamed through OpenSSL: any algorithm. */
void mv__digest_file_scalar(const char *path, mv_digest_algo algo, uint8_t *buf, size_t bufsize,
                            mv_digest_result *out);

/* One file with a reader thread beside the hasher (digest_pipe.c). */
void mv__digest_file_overlapped(const char *path, mv_digest_algo algo, size_t bufsize,
                                mv_digest_result *out);

/* Files opened ahead of the workers, their reads started (digest_prefetch.c). */
#define MV__PREFETCH_FILES 64 /* the most files it holds open */
typedef struct mv__prefetch mv__prefetch;
/* Starts the thread that opens paths[0..n) in order, ahead of the workers,
   holding at most max_files of them open. *out stays NULL when max_files is 0
   or on failure: the workers then open every file themselves. */
mv_status mv__prefetch_start(const char *const *paths, size_t n, size_t max_files,
                             mv__prefetch **out);
/* Opens file index for a worker: the file opened ahead, or else opened here.
   Each index may be asked for once; *f is the caller's to close. */
mv_status mv__prefetch_open(mv__prefetch *p, size_t index, mv__file *f);
/* Stops the thread and closes the files no worker took; NULL is accepted. */
void mv__prefetch_stop(mv__prefetch *p);

/* Multi-buffer MD5 (digest_md5_mb.c). */
typedef struct mv__mb_source {
    /* Returns the next file index to hash, or (size_t)-1 when none is left. */
    size_t (*next)(void *opaque);
    /* Receives the result of one file. */
    void (*done)(void *opaque, size_t index, const mv_digest_result *r);
    const char *(*path)(void *opaque, size_t index);
    void *opaque;
    /* Optional: nonzero once the run was canceled; files in flight then end. */
    int (*canceled)(void *opaque);
    /* Optional: opens file index (as mv__file_open() on its path does). */
    mv_status (*open)(void *opaque, size_t index, mv__file *f);
} mv__mb_source;

/* Runs one worker: keeps engine->lanes files in flight until the source is dry. */
mv_status mv__md5_mb_run(const struct mv_digest_engine *engine, const mv__mb_source *src,
                         size_t read_size);

/* Serialises the 4 state words of an MD5 into 16 bytes (little endian). */
void mv__md5_state_bytes(const uint32_t st[4], uint8_t out[MV_MD5_LEN]);
/* Pads and finishes a stream: tail holds the last len % 64 bytes, total is the length. */
void mv__md5_finish(uint32_t st[4], const uint8_t *tail, size_t tail_len, uint64_t total,
                    uint8_t out[MV_MD5_LEN]);

/* GPU MD5 through the CUDA plugin (digest_gpu.c). */
extern const struct mv_digest_engine mv__engine_cuda;
/* Why the cuda engine can or cannot run here, for info (static). */
const char *mv__md5_gpu_detail(void);
/* What the workers of one batch on the cuda engine share. */
typedef struct mv__gpu_run mv__gpu_run;
mv_status mv__gpu_run_new(size_t nfiles, mv__gpu_run **out);
void mv__gpu_run_free(mv__gpu_run *g);
/* One worker of such a batch: the first feeds the GPU, then every worker hashes
   the large files and what is left on the CPU. */
void mv__md5_gpu_worker(mv__gpu_run *g, const mv__mb_source *src, size_t read_size);

#endif
