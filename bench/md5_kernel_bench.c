/* Micro-benchmark of the MD5 block kernels, single thread, aggregate GB/s across lanes.
 *
 * This program owns nothing but measurement. Every engine hashes the same 16 lane buffers: a
 * cache-warm set (16 x 256 KiB by default) and a memory-bound set (16 x 8 MiB), with the lanes
 * staggered by 17 cache lines so that they do not all map to one L1 set, plus the warm set again
 * with page-aligned lanes to show what that aliasing costs. The reference
 * and OpenSSL hash the lanes one after another as single streams; x8_avx2 runs lanes 0-7 then
 * 8-15; the x16 kernels take all 16 at once. Each figure is the best of several timed runs of at
 * least 0.2 s, so frequency ramp-up and page faults do not count. Kernels whose ISA the CPU
 * lacks are reported as skipped. Usage: md5_kernel_bench [warm_lane_KiB [big_lane_MiB]].
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <openssl/evp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "digest/digest_md5_kernel.h"

#define LANES       16
#define REPEATS     5
#define MIN_SECONDS 0.2

struct bench_set {
    const uint8_t *p[LANES];
    size_t nblocks;
};

typedef void (*engine_fn)(const struct bench_set *s);

struct engine {
    const char *name;
    int (*supported)(void);
    engine_fn run;
};

static volatile uint32_t sink;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void init_state(uint32_t *st, size_t lanes)
{
    static const uint32_t iv[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };
    for (size_t w = 0; w < 4; w++) {
        for (size_t i = 0; i < lanes; i++) {
            st[w * lanes + i] = iv[w];
        }
    }
}

static void run_ref(const struct bench_set *s)
{
    for (size_t i = 0; i < LANES; i++) {
        uint32_t st[4];
        init_state(st, 1);
        mv__md5_blocks_ref(st, s->p[i], s->nblocks);
        sink ^= st[0];
    }
}

static void run_openssl(const struct bench_set *s)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    for (size_t i = 0; i < LANES && ctx != NULL; i++) {
        uint8_t out[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_DigestInit_ex(ctx, EVP_md5(), NULL);
        EVP_DigestUpdate(ctx, s->p[i], s->nblocks * MV__MD5_BLOCK_LEN);
        EVP_DigestFinal_ex(ctx, out, &len);
        sink ^= out[0];
    }
    EVP_MD_CTX_free(ctx);
}

static void run_x8_avx2(const struct bench_set *s)
{
    for (size_t half = 0; half < 2; half++) {
        uint32_t st[4][8];
        init_state(&st[0][0], 8);
        mv__md5_x8_avx2(st, s->p + 8 * half, s->nblocks);
        sink ^= st[0][0];
    }
}

static void run_x16_avx2(const struct bench_set *s)
{
    uint32_t st[4][16];
    init_state(&st[0][0], 16);
    mv__md5_x16_avx2(st, s->p, s->nblocks);
    sink ^= st[0][0];
}

static void run_x16_avx512(const struct bench_set *s)
{
    uint32_t st[4][16];
    init_state(&st[0][0], 16);
    mv__md5_x16_avx512(st, s->p, s->nblocks);
    sink ^= st[0][0];
}

static int always(void)
{
    return 1;
}

static int has_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}

static int has_avx512f(void)
{
    return __builtin_cpu_supports("avx512f");
}

static const struct engine engines[] = {
    { "ref (1 stream)", always, run_ref },
    { "openssl EVP (1 stream)", always, run_openssl },
    { "x8_avx2", has_avx2, run_x8_avx2 },
    { "x16_avx2", has_avx2, run_x16_avx2 },
    { "x16_avx512", has_avx512f, run_x16_avx512 },
};

/* Best-of-REPEATS throughput in GB/s (10^9 bytes per second). */
static double measure(const struct engine *e, const struct bench_set *s)
{
    const double bytes = (double)LANES * (double)s->nblocks * MV__MD5_BLOCK_LEN;
    double best = 0.0;
    e->run(s);
    for (int r = 0; r < REPEATS; r++) {
        size_t iters = 0;
        const double t0 = now();
        double t1 = t0;
        while (t1 - t0 < MIN_SECONDS) {
            e->run(s);
            iters++;
            t1 = now();
        }
        const double gbs = bytes * (double)iters / (t1 - t0) * 1e-9;
        best = gbs > best ? gbs : best;
    }
    return best;
}

/* Extra bytes between staggered lanes: 17 lines, so lane i starts on L1 set 17 * i mod 64. */
#define LANE_STAGGER (17 * 64)

static uint8_t *make_set(struct bench_set *s, size_t lane_bytes, size_t stagger)
{
    const size_t stride = lane_bytes + stagger;
    uint8_t *buf = malloc(LANES * stride);
    if (buf == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < LANES * stride; i++) {
        buf[i] = (uint8_t)(i * 2654435761u >> 13);
    }
    for (size_t i = 0; i < LANES; i++) {
        s->p[i] = buf + i * stride;
    }
    s->nblocks = lane_bytes / MV__MD5_BLOCK_LEN;
    return buf;
}

static size_t parse_size(const char *arg, size_t fallback, size_t unit)
{
    char *end = NULL;
    const unsigned long v = arg != NULL ? strtoul(arg, &end, 10) : 0;
    return (arg != NULL && end != arg && *end == '\0' && v > 0) ? (size_t)v * unit : fallback;
}

int main(int argc, char **argv)
{
    const size_t sizes[2] = { parse_size(argc > 1 ? argv[1] : NULL, 256u << 10, 1u << 10),
                              parse_size(argc > 2 ? argv[2] : NULL, 8u << 20, 1u << 20) };
    __builtin_cpu_init();
    printf("%-24s %16s %16s %16s\n", "engine", "GB/s 16x", "GB/s 16x", "GB/s 16x");
    printf("%-24s %12zu KiB %12zu KiB %12zu KiB\n", "", sizes[0] >> 10, sizes[1] >> 10,
           sizes[0] >> 10);
    printf("%-24s %16s %16s %16s\n", "", "staggered", "staggered", "page-aligned");
    struct bench_set sets[3];
    uint8_t *bufs[3] = { make_set(&sets[0], sizes[0], LANE_STAGGER),
                         make_set(&sets[1], sizes[1], LANE_STAGGER),
                         make_set(&sets[2], sizes[0], 0) };
    if (bufs[0] == NULL || bufs[1] == NULL || bufs[2] == NULL) {
        fprintf(stderr, "md5_kernel_bench: out of memory\n");
        return 1;
    }
    for (size_t e = 0; e < sizeof(engines) / sizeof(engines[0]); e++) {
        if (!engines[e].supported()) {
            printf("%-24s %16s %16s %16s\n", engines[e].name, "skipped", "skipped", "skipped");
            continue;
        }
        printf("%-24s", engines[e].name);
        for (size_t i = 0; i < 3; i++) {
            printf(" %16.2f", measure(&engines[e], &sets[i]));
            fflush(stdout);
        }
        printf("\n");
    }
    for (size_t i = 0; i < 3; i++) {
        free(bufs[i]);
    }
    return 0;
}
