/*
 * Fake CUDA plugins for the loader and engine tests, one source built as four
 * real shared objects (tests/unit/CMakeLists.txt), each named mediavault-cuda.so
 * in a directory of its own:
 *
 *   FAKE_MODE 1  a table of another ABI version        (must be refused)
 *   FAKE_MODE 2  a table smaller than the host's        (must be refused)
 *   FAKE_MODE 3  no mv_gpu_plugin_entry symbol          (must be refused)
 *   FAKE_MODE 4  a working "device" that computes MD5 on the CPU with OpenSSL,
 *                so that the host's GPU engine runs end to end without a GPU.
 *                MV_FAKE_PLUGIN_FAIL_AT=N makes call N of md5_buffers (from 0,
 *                the probe's self-test) and every later one fail.
 *
 * mv_fake_plugin_buffers counts the buffers hashed, for the tests to see that
 * files really went through the plugin.
 */
#define MV_GPU_PLUGIN_BUILD 1

#include <openssl/evp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu_plugin.h"

#define EXPORT __attribute__((visibility("default")))

EXPORT _Atomic unsigned long mv_fake_plugin_buffers;
static _Atomic long calls;

static int fake_device_query(struct mv_gpu_plugin_device *out, char *err, size_t errlen)
{
    (void)err;
    (void)errlen;
    memset(out, 0, sizeof(*out));
    snprintf(out->name, sizeof(out->name), "fake CPU device");
    out->device_count = 1;
    out->cc_major = 9;
    return 0;
}

static int fake_md5_buffers(const uint8_t *data, const uint64_t *offsets, const uint64_t *lengths,
                            size_t n, uint8_t (*out)[16], char *err, size_t errlen)
{
    const char *fail_at = getenv("MV_FAKE_PLUGIN_FAIL_AT");
    long call = atomic_fetch_add(&calls, 1);
    unsigned int len = 0;

    if (fail_at != NULL && call >= strtol(fail_at, NULL, 10)) {
        snprintf(err, errlen, "fake device lost (call %ld)", call);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!EVP_Digest(data + offsets[i], (size_t)lengths[i], out[i], &len, EVP_md5(), NULL)) {
            snprintf(err, errlen, "EVP_Digest failed");
            return -1;
        }
    }
    atomic_fetch_add(&mv_fake_plugin_buffers, n);
    return 0;
}

static void fake_shutdown(void)
{
}

#if FAKE_MODE == 1
#define FAKE_ABI  (MV_GPU_PLUGIN_ABI + 1)
#define FAKE_SIZE sizeof(struct mv_gpu_plugin)
#elif FAKE_MODE == 2
#define FAKE_ABI  MV_GPU_PLUGIN_ABI
#define FAKE_SIZE (2 * sizeof(uint32_t))
#else
#define FAKE_ABI  MV_GPU_PLUGIN_ABI
#define FAKE_SIZE sizeof(struct mv_gpu_plugin)
#endif

static const struct mv_gpu_plugin table = {
    FAKE_ABI, FAKE_SIZE, "fake", fake_device_query, fake_md5_buffers, fake_shutdown,
};

#if FAKE_MODE == 3
EXPORT const struct mv_gpu_plugin *mv_gpu_plugin_entry_renamed(uint32_t abi_version);
EXPORT const struct mv_gpu_plugin *mv_gpu_plugin_entry_renamed(uint32_t abi_version)
#else
EXPORT const struct mv_gpu_plugin *mv_gpu_plugin_entry(uint32_t abi_version)
#endif
{
    (void)abi_version;
    return &table;
}
