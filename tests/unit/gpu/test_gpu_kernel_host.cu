/*
 * The plugin's MD5 code (gpu_md5_kernel.cuh) run on the host: the same
 * __host__ __device__ functions the kernel runs, checked against OpenSSL at
 * every length 0..4097 and at random lengths up to 1 MiB, in buffers laid out
 * as the plugin's staging buffer lays them out (64-byte aligned slots, junk
 * after the end of each buffer). It needs nvcc but no GPU.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/gpu_md5_kernel.cuh"

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Returns 1 when the kernel code gives OpenSSL's digest for len random bytes. */
static int check(uint8_t *slot, size_t len)
{
    const size_t rounded = (len + MV_GPU_MD5_ALIGN - 1) & ~(size_t)(MV_GPU_MD5_ALIGN - 1);
    uint8_t want[EVP_MAX_MD_SIZE], got[16];
    unsigned int n = 0;
    uint32_t st[4];

    for (size_t i = 0; i < rounded; i++)
        slot[i] = (uint8_t)(next_rand() >> 24); /* the bytes past len are junk on purpose */
    md5_buffer(slot, len, st);
    memcpy(got, st, sizeof(got)); /* little endian, as MD5's output */
    if (!EVP_Digest(slot, len, want, &n, EVP_md5(), NULL) || memcmp(got, want, 16) != 0) {
        fprintf(stderr, "wrong MD5 at length %zu\n", len);
        return 0;
    }
    return 1;
}

int main(void)
{
    const size_t max = 1u << 20;
    uint8_t *slot = (uint8_t *)aligned_alloc(MV_GPU_MD5_ALIGN, max + MV_GPU_MD5_ALIGN);
    int ok = slot != NULL;

    for (size_t len = 0; ok && len <= 4097; len++)
        ok = check(slot, len);
    for (int i = 0; ok && i < 200; i++)
        ok = check(slot, (size_t)(next_rand() % max));
    free(slot);
    puts(ok ? "kernel MD5 matches OpenSSL" : "kernel MD5 is wrong");
    return ok ? 0 : 1;
}
