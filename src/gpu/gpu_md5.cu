/*
 * mediavault-cuda.so: the CUDA plugin. MD5 of many buffers, one GPU thread per
 * buffer (the kernel is gpu_md5_kernel.cuh).
 *
 * The host hands over one batch of whole files (data + offsets + lengths). The
 * buffers are sorted longest first so that the 32 threads of a warp hash
 * buffers of similar length and finish together, then packed into chunks of
 * up to CHUNK_BYTES: each buffer is copied into a pinned staging area at a
 * 64-byte aligned slot, copied to the device, hashed, and the digests come
 * back. Two slots, each with its own stream, alternate: while the GPU copies
 * and hashes chunk k, the CPU packs chunk k+1, and the upload of k+1 overlaps
 * the kernel of k.
 *
 * The CUDA runtime is linked statically, so the plugin needs only the driver's
 * libcuda.so.1 at run time, and a machine without one gets an error from
 * device_query() rather than a failed dlopen(). Only mv_gpu_plugin_entry is
 * exported (hidden visibility plus a version script). State lives in one
 * context guarded by a mutex, set up on first use and grown on demand; any
 * CUDA error tears it down and is reported, and the host falls back to the CPU.
 */
#define MV_GPU_PLUGIN_BUILD 1

#include <cuda_runtime.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>

#include "gpu_md5_kernel.cuh"
#include "gpu_plugin.h"

#define CHUNK_BYTES   (32u << 20) /* staging per slot; a larger buffer grows its slot */
#define CHUNK_JOBS    65536u      /* buffers per kernel launch */
#define BLOCK_THREADS 32u         /* one warp per block: spreads short batches over SMs */
#define N_SLOTS       2

struct job {
    uint64_t off; /* in the chunk, a multiple of MV_GPU_MD5_ALIGN */
    uint64_t len;
};

struct slot {
    cudaStream_t stream;
    cudaEvent_t done;
    uint8_t *h_data, *d_data; /* pinned staging and its device copy */
    size_t cap;
    struct job *h_jobs, *d_jobs;
    uint4 *h_out, *d_out;
    size_t *which; /* buffer index of each job */
    size_t count;  /* jobs in flight, 0 when idle */
};

static struct {
    pthread_mutex_t lock;
    int ready;
    struct slot s[N_SLOTS];
} ctx = { PTHREAD_MUTEX_INITIALIZER, 0, {} };

__global__ void md5_kernel(const uint8_t *__restrict__ base, const struct job *__restrict__ jobs,
                           uint32_t n, uint4 *__restrict__ out)
{
    const uint32_t i = blockIdx.x * blockDim.x + threadIdx.x;
    uint32_t st[4];

    if (i >= n)
        return;
    md5_buffer(base + jobs[i].off, jobs[i].len, st);
    out[i] = make_uint4(st[0], st[1], st[2], st[3]);
}

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* Records the first CUDA error of a sequence; returns nonzero when there was one. */
static int cuda_failed(cudaError_t rc, const char *what, char *err, size_t errlen)
{
    if (rc == cudaSuccess)
        return 0;
    set_err(err, errlen, "%s: %s", what, cudaGetErrorString(rc));
    return 1;
}

static size_t round_up(size_t x)
{
    return (x + MV_GPU_MD5_ALIGN - 1) & ~(size_t)(MV_GPU_MD5_ALIGN - 1);
}

static void slot_free_buffers(struct slot *s)
{
    cudaFreeHost(s->h_data);
    cudaFree(s->d_data);
    s->h_data = s->d_data = NULL;
    s->cap = 0;
}

static void teardown(void)
{
    for (int k = 0; k < N_SLOTS; k++) {
        struct slot *s = &ctx.s[k];
        if (s->stream != NULL)
            cudaStreamSynchronize(s->stream);
        slot_free_buffers(s);
        cudaFreeHost(s->h_jobs);
        cudaFree(s->d_jobs);
        cudaFreeHost(s->h_out);
        cudaFree(s->d_out);
        free(s->which);
        if (s->done != NULL)
            cudaEventDestroy(s->done);
        if (s->stream != NULL)
            cudaStreamDestroy(s->stream);
        memset(s, 0, sizeof(*s));
    }
    ctx.ready = 0;
}

static int slot_init(struct slot *s, char *err, size_t errlen)
{
    if (cuda_failed(cudaStreamCreateWithFlags(&s->stream, cudaStreamNonBlocking),
                    "cudaStreamCreate", err, errlen) ||
        cuda_failed(cudaEventCreateWithFlags(&s->done, cudaEventDisableTiming), "cudaEventCreate",
                    err, errlen) ||
        cuda_failed(cudaMallocHost((void **)&s->h_jobs, CHUNK_JOBS * sizeof(struct job)),
                    "cudaMallocHost", err, errlen) ||
        cuda_failed(cudaMalloc((void **)&s->d_jobs, CHUNK_JOBS * sizeof(struct job)), "cudaMalloc",
                    err, errlen) ||
        cuda_failed(cudaMallocHost((void **)&s->h_out, CHUNK_JOBS * sizeof(uint4)),
                    "cudaMallocHost", err, errlen) ||
        cuda_failed(cudaMalloc((void **)&s->d_out, CHUNK_JOBS * sizeof(uint4)), "cudaMalloc", err,
                    errlen))
        return -1;
    s->which = (size_t *)malloc(CHUNK_JOBS * sizeof(size_t));
    if (s->which == NULL) {
        set_err(err, errlen, "out of host memory");
        return -1;
    }
    return 0;
}

static int setup(char *err, size_t errlen)
{
    if (ctx.ready)
        return 0;
    for (int k = 0; k < N_SLOTS; k++) {
        if (slot_init(&ctx.s[k], err, errlen) != 0) {
            teardown();
            return -1;
        }
    }
    ctx.ready = 1;
    return 0;
}

/* Makes room for bytes of staging in an idle slot. */
static int slot_reserve(struct slot *s, size_t bytes, char *err, size_t errlen)
{
    size_t want = bytes > CHUNK_BYTES ? bytes : CHUNK_BYTES;

    if (s->cap >= bytes)
        return 0;
    slot_free_buffers(s);
    if (cuda_failed(cudaMallocHost((void **)&s->h_data, want), "cudaMallocHost", err, errlen) ||
        cuda_failed(cudaMalloc((void **)&s->d_data, want), "cudaMalloc", err, errlen))
        return -1;
    s->cap = want;
    return 0;
}

/* Waits for a slot's chunk and copies its digests out; the slot is then idle. */
static int slot_harvest(struct slot *s, uint8_t (*out)[16], char *err, size_t errlen)
{
    if (s->count == 0)
        return 0;
    if (cuda_failed(cudaEventSynchronize(s->done), "md5 kernel", err, errlen))
        return -1;
    for (size_t j = 0; j < s->count; j++)
        memcpy(out[s->which[j]], &s->h_out[j], 16);
    s->count = 0;
    return 0;
}

/* How many buffers of order[from..n) fit in one chunk (at least one), and their bytes. */
static size_t chunk_extent(const uint64_t *lengths, const size_t *order, size_t from, size_t n,
                           size_t *bytes)
{
    size_t k = from, total = 0;

    while (k < n && k - from < CHUNK_JOBS) {
        size_t need = round_up((size_t)lengths[order[k]]);
        if (k > from && total + need > CHUNK_BYTES)
            break;
        total += need;
        k++;
    }
    *bytes = total;
    return k - from;
}

/* Packs order[from..from+count) into an idle slot and queues copy, kernel and copy back. */
static int slot_launch(struct slot *s, const uint8_t *data, const uint64_t *offsets,
                       const uint64_t *lengths, const size_t *order, size_t count, size_t bytes,
                       char *err, size_t errlen)
{
    size_t pos = 0;

    if (slot_reserve(s, bytes, err, errlen) != 0)
        return -1;
    for (size_t j = 0; j < count; j++) {
        const size_t i = order[j];
        s->h_jobs[j].off = pos;
        s->h_jobs[j].len = lengths[i];
        s->which[j] = i;
        memcpy(s->h_data + pos, data + offsets[i], (size_t)lengths[i]);
        pos += round_up((size_t)lengths[i]);
    }
    const unsigned blocks = (unsigned)((count + BLOCK_THREADS - 1) / BLOCK_THREADS);
    if ((pos > 0 && cuda_failed(cudaMemcpyAsync(s->d_data, s->h_data, pos,
                                                cudaMemcpyHostToDevice, s->stream),
                                "upload", err, errlen)) ||
        cuda_failed(cudaMemcpyAsync(s->d_jobs, s->h_jobs, count * sizeof(struct job),
                                    cudaMemcpyHostToDevice, s->stream),
                    "upload", err, errlen))
        return -1;
    md5_kernel<<<blocks, BLOCK_THREADS, 0, s->stream>>>(s->d_data, s->d_jobs, (uint32_t)count,
                                                        s->d_out);
    if (cuda_failed(cudaGetLastError(), "md5 kernel launch", err, errlen) ||
        cuda_failed(cudaMemcpyAsync(s->h_out, s->d_out, count * sizeof(uint4),
                                    cudaMemcpyDeviceToHost, s->stream),
                    "download", err, errlen) ||
        cuda_failed(cudaEventRecord(s->done, s->stream), "cudaEventRecord", err, errlen))
        return -1;
    s->count = count;
    return 0;
}

static int run_chunks(const uint8_t *data, const uint64_t *offsets, const uint64_t *lengths,
                      const size_t *order, size_t n, uint8_t (*out)[16], char *err, size_t errlen)
{
    size_t from = 0;

    for (unsigned c = 0; from < n; c++) {
        struct slot *s = &ctx.s[c % N_SLOTS];
        size_t bytes;
        const size_t count = chunk_extent(lengths, order, from, n, &bytes);
        if (slot_harvest(s, out, err, errlen) != 0 ||
            slot_launch(s, data, offsets, lengths, order + from, count, bytes, err, errlen) != 0)
            return -1;
        from += count;
    }
    for (int k = 0; k < N_SLOTS; k++) {
        if (slot_harvest(&ctx.s[k], out, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int plugin_md5_buffers(const uint8_t *data, const uint64_t *offsets, const uint64_t *lengths,
                              size_t n, uint8_t (*out)[16], char *err, size_t errlen)
{
    int rc;

    if (n == 0)
        return 0;
    size_t *order = (size_t *)malloc(n * sizeof(*order));
    if (order == NULL) {
        set_err(err, errlen, "out of host memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    std::sort(order, order + n, [lengths](size_t a, size_t b) { return lengths[a] > lengths[b]; });
    pthread_mutex_lock(&ctx.lock);
    rc = setup(err, errlen);
    if (rc == 0)
        rc = run_chunks(data, offsets, lengths, order, n, out, err, errlen);
    if (rc != 0)
        teardown(); /* leave no half-used slot behind; the next call starts afresh */
    pthread_mutex_unlock(&ctx.lock);
    free(order);
    return rc;
}

static int plugin_device_query(struct mv_gpu_plugin_device *out, char *err, size_t errlen)
{
    cudaDeviceProp prop;
    cudaFuncAttributes fa;

    memset(out, 0, sizeof(*out));
    cudaRuntimeGetVersion(&out->runtime_version);
    cudaDriverGetVersion(&out->driver_version);
    if (cuda_failed(cudaGetDeviceCount(&out->device_count), "cudaGetDeviceCount", err, errlen))
        return -1;
    if (out->device_count == 0) {
        set_err(err, errlen, "no CUDA device");
        return -1;
    }
    if (cuda_failed(cudaGetDeviceProperties(&prop, 0), "cudaGetDeviceProperties", err, errlen))
        return -1;
    snprintf(out->name, sizeof(out->name), "%s", prop.name);
    out->total_memory = prop.totalGlobalMem;
    out->cc_major = prop.major;
    out->cc_minor = prop.minor;
    /* Fails when the fatbin holds no code this device can run. */
    if (cuda_failed(cudaFuncGetAttributes(&fa, md5_kernel), "md5 kernel", err, errlen))
        return -1;
    return 0;
}

static void plugin_shutdown(void)
{
    pthread_mutex_lock(&ctx.lock);
    teardown();
    pthread_mutex_unlock(&ctx.lock);
}

static const struct mv_gpu_plugin plugin_table = {
    MV_GPU_PLUGIN_ABI,   sizeof(struct mv_gpu_plugin), "cuda", plugin_device_query,
    plugin_md5_buffers, plugin_shutdown,
};

extern "C" __attribute__((visibility("default"))) const struct mv_gpu_plugin *
mv_gpu_plugin_entry(uint32_t abi_version)
{
    (void)abi_version; /* the host compares the table's abi and size with its own */
    return &plugin_table;
}
