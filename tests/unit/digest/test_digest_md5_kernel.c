/* Differential tests for the MD5 block kernels of src/digest/.
 *
 * Every SIMD kernel is checked lane by lane against mv__md5_blocks_ref, and every digest built
 * from padded messages is also checked against OpenSSL's MD5, so a bug shared by the reference
 * and a kernel still shows. Each lane gets its own message and its own allocation of exactly the
 * bytes it may read, at a lane-dependent misalignment, so AddressSanitizer catches any overread
 * and no kernel can rely on alignment. Kernels whose ISA the CPU lacks are skipped at run time.
 * Every case has a unique name; `test_digest_md5_kernel NAME` runs only the cases matching NAME.
 */
/* cmocka.h needs these four first, in this order. */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digest/digest_md5_kernel.h"

#define MAX_LANES 16
#define MD5_LEN   16

typedef void (*run_fn)(uint32_t st[4][MAX_LANES], const uint8_t *const p[MAX_LANES], size_t n);

struct kernel {
    const char *name;
    size_t lanes;
    int (*supported)(void);
    run_fn run;
};

struct kernel_case {
    const struct kernel *kernel;
    size_t nblocks;
};

static const uint32_t md5_iv[4] = { 0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u };

/* ---- Kernel adapters: every kernel is driven through a 16-lane transposed state. ---- */

static void run_ref(uint32_t st[4][MAX_LANES], const uint8_t *const p[MAX_LANES], size_t n)
{
    for (size_t lane = 0; lane < MAX_LANES; lane++) {
        uint32_t s[4] = { st[0][lane], st[1][lane], st[2][lane], st[3][lane] };
        mv__md5_blocks_ref(s, p[lane], n);
        for (size_t w = 0; w < 4; w++) {
            st[w][lane] = s[w];
        }
    }
}

static void run_x8_avx2(uint32_t st[4][MAX_LANES], const uint8_t *const p[MAX_LANES], size_t n)
{
    uint32_t s[4][8];
    for (size_t w = 0; w < 4; w++) {
        memcpy(s[w], st[w], sizeof(s[w]));
    }
    mv__md5_x8_avx2(s, p, n);
    for (size_t w = 0; w < 4; w++) {
        memcpy(st[w], s[w], sizeof(s[w]));
    }
}

static int always(void)
{
    return 1;
}

static int has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2");
}

static int has_avx512f(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f");
}

static const struct kernel kernel_ref = { "ref", MAX_LANES, always, run_ref };
static const struct kernel kernel_x8_avx2 = { "x8_avx2", 8, has_avx2, run_x8_avx2 };
static const struct kernel kernel_x16_avx2 = { "x16_avx2", 16, has_avx2, mv__md5_x16_avx2 };
static const struct kernel kernel_x16_avx512 = { "x16_avx512", 16, has_avx512f,
                                                 mv__md5_x16_avx512 };

/* ---- Helpers ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static void fill_random(uint8_t *p, size_t len, uint64_t *seed)
{
    for (size_t i = 0; i < len; i++) {
        p[i] = (uint8_t)rng_next(seed);
    }
}

static size_t padded_blocks(size_t len)
{
    return (len + 8) / MV__MD5_BLOCK_LEN + 1;
}

/* RFC 1321 steps 1 and 2: 0x80, zeros to 56 mod 64, then the bit length little-endian. out must
 * hold padded_blocks(len) blocks and may
 * be msg itself. */
static void md5_pad(uint8_t *out, const uint8_t *msg, size_t len)
{
    const size_t total = padded_blocks(len) * MV__MD5_BLOCK_LEN;
    const uint64_t bits = (uint64_t)len * 8u;
    if (len > 0) {
        memmove(out, msg, len);
    }
    memset(out + len, 0, total - len);
    out[len] = 0x80;
    for (size_t i = 0; i < 8; i++) {
        out[total - 8 + i] = (uint8_t)(bits >> (8 * i));
    }
}

static void state_to_digest(uint8_t out[MD5_LEN], const uint32_t st[4][MAX_LANES], size_t lane)
{
    for (size_t w = 0; w < 4; w++) {
        for (size_t i = 0; i < 4; i++) {
            out[4 * w + i] = (uint8_t)(st[w][lane] >> (8 * i));
        }
    }
}

static void openssl_md5(uint8_t out[MD5_LEN], const uint8_t *msg, size_t len)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int outlen = 0;
    assert_non_null(ctx);
    assert_int_equal(EVP_DigestInit_ex(ctx, EVP_md5(), NULL), 1);
    assert_int_equal(EVP_DigestUpdate(ctx, msg, len), 1);
    assert_int_equal(EVP_DigestFinal_ex(ctx, out, &outlen), 1);
    assert_int_equal(outlen, MD5_LEN);
    EVP_MD_CTX_free(ctx);
}

static void set_iv(uint32_t st[4][MAX_LANES])
{
    for (size_t w = 0; w < 4; w++) {
        for (size_t lane = 0; lane < MAX_LANES; lane++) {
            st[w][lane] = md5_iv[w];
        }
    }
}

static void assert_lanes_equal(const uint32_t got[4][MAX_LANES], const uint32_t want[4][MAX_LANES],
                               size_t lanes)
{
    for (size_t w = 0; w < 4; w++) {
        for (size_t lane = 0; lane < lanes; lane++) {
            if (got[w][lane] != want[w][lane]) {
                print_error("lane %zu word %zu: got %08x want %08x\n", lane, w,
                            (unsigned)got[w][lane], (unsigned)want[w][lane]);
            }
            assert_int_equal(got[w][lane], want[w][lane]);
        }
    }
}

static void skip_unless_supported(const struct kernel *k)
{
    if (!k->supported()) {
        print_message("%s: CPU feature missing, skipped\n", k->name);
        skip();
    }
}

/* ---- Lane buffers: one exact-size, deliberately misaligned allocation per lane. ---- */

struct lanes {
    uint8_t *alloc[MAX_LANES];
    const uint8_t *p[MAX_LANES];
};

static uint8_t *lanes_alloc(struct lanes *l, size_t lane, size_t size)
{
    const size_t misalign = (lane * 5u) % 16u;
    l->alloc[lane] = malloc(misalign + (size > 0 ? size : 1));
    assert_non_null(l->alloc[lane]);
    l->p[lane] = l->alloc[lane] + misalign;
    return l->alloc[lane] + misalign;
}

static void lanes_free(struct lanes *l)
{
    for (size_t lane = 0; lane < MAX_LANES; lane++) {
        free(l->alloc[lane]);
    }
}

/* ---- RFC 1321 appendix A.5 test suite ---- */

struct rfc_vector {
    const char *msg;
    const char *hex;
};

static const struct rfc_vector rfc_suite[] = {
    { "", "d41d8cd98f00b204e9800998ecf8427e" },
    { "a", "0cc175b9c0f1b6a831c399e269772661" },
    { "abc", "900150983cd24fb0d6963f7d28e17f72" },
    { "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
    { "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
    { "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
      "d174ab98d277d9f5a5611c2c9f419d9f" },
    { "1234567890123456789012345678901234567890123456789012345678901234567890123456789"
      "0",
      "57edf4a22be3c955ac49da2e2107b67a" },
};

#define RFC_SUITE_LEN (sizeof(rfc_suite) / sizeof(rfc_suite[0]))

static void hex_digest(char out[2 * MD5_LEN + 1], const uint8_t d[MD5_LEN])
{
    for (size_t i = 0; i < MD5_LEN; i++) {
        snprintf(out + 2 * i, 3, "%02x", d[i]);
    }
}

/* Runs the kernel one block per call so that lanes whose message is already finished can be
 * parked on a dummy block and their state restored: the kernel always processes every lane. */
static void run_uneven(const struct kernel *k, uint32_t st[4][MAX_LANES], const struct lanes *l,
                       const size_t nblocks[MAX_LANES], size_t max_blocks)
{
    static const uint8_t dummy[MV__MD5_BLOCK_LEN];
    for (size_t n = 0; n < max_blocks; n++) {
        const uint8_t *p[MAX_LANES];
        uint32_t saved[4][MAX_LANES];
        memcpy(saved, st, sizeof(saved));
        for (size_t lane = 0; lane < MAX_LANES; lane++) {
            p[lane] = n < nblocks[lane] ? l->p[lane] + n * MV__MD5_BLOCK_LEN : dummy;
        }
        k->run(st, p, 1);
        for (size_t lane = 0; lane < MAX_LANES; lane++) {
            for (size_t w = 0; w < 4 && n >= nblocks[lane]; w++) {
                st[w][lane] = saved[w][lane];
            }
        }
    }
}

static void test_rfc_suite(void **state)
{
    const struct kernel *k = *state;
    skip_unless_supported(k);
    struct lanes l = { 0 };
    size_t nblocks[MAX_LANES];
    size_t max_blocks = 0;
    for (size_t lane = 0; lane < MAX_LANES; lane++) {
        const char *msg = rfc_suite[lane % RFC_SUITE_LEN].msg;
        nblocks[lane] = padded_blocks(strlen(msg));
        md5_pad(lanes_alloc(&l, lane, nblocks[lane] * MV__MD5_BLOCK_LEN), (const uint8_t *)msg,
                strlen(msg));
        max_blocks = nblocks[lane] > max_blocks ? nblocks[lane] : max_blocks;
    }
    uint32_t st[4][MAX_LANES];
    set_iv(st);
    run_uneven(k, st, &l, nblocks, max_blocks);
    for (size_t lane = 0; lane < k->lanes; lane++) {
        const struct rfc_vector *v = &rfc_suite[lane % RFC_SUITE_LEN];
        uint8_t got[MD5_LEN], ossl[MD5_LEN];
        char hex[2 * MD5_LEN + 1];
        state_to_digest(got, (const uint32_t(*)[MAX_LANES])st, lane);
        openssl_md5(ossl, (const uint8_t *)v->msg, strlen(v->msg));
        hex_digest(hex, got);
        assert_string_equal(hex, v->hex);
        assert_memory_equal(got, ossl, MD5_LEN);
    }
    lanes_free(&l);
}

/* Random messages whose padding ends exactly at nblocks blocks, a different length and content
 * per lane; the kernel must match the reference and OpenSSL on every lane. */
static void test_random_messages(void **state)
{
    const struct kernel_case *c = *state;
    skip_unless_supported(c->kernel);
    uint64_t seed = 0x6d643563u + c->nblocks;
    const size_t bytes = c->nblocks * MV__MD5_BLOCK_LEN;
    struct lanes l = { 0 };
    size_t len[MAX_LANES];
    for (size_t lane = 0; lane < MAX_LANES; lane++) {
        uint8_t *buf = lanes_alloc(&l, lane, bytes);
        fill_random(buf, bytes, &seed);
        len[lane] = 0;
        if (bytes > 0) {
            /* n padded blocks hold between 64n - 72 (at least 0) and 64n - 9 message bytes. */
            const size_t lo = bytes >= 72 ? bytes - 72 : 0;
            len[lane] = lo + rng_next(&seed) % (bytes - 9 - lo + 1);
            md5_pad(buf, buf, len[lane]);
        }
    }
    uint32_t got[4][MAX_LANES], want[4][MAX_LANES];
    set_iv(got);
    set_iv(want);
    c->kernel->run(got, l.p, c->nblocks);
    run_ref(want, l.p, c->nblocks);
    assert_lanes_equal((const uint32_t(*)[MAX_LANES])got, (const uint32_t(*)[MAX_LANES])want,
                       c->kernel->lanes);
    for (size_t lane = 0; lane < c->kernel->lanes && bytes > 0; lane++) {
        uint8_t d[MD5_LEN], ossl[MD5_LEN];
        state_to_digest(d, (const uint32_t(*)[MAX_LANES])got, lane);
        openssl_md5(ossl, l.p[lane], len[lane]);
        assert_memory_equal(d, ossl, MD5_LEN);
    }
    lanes_free(&l);
}

/* Random starting states and raw random blocks, split over several calls: the state must carry
 * across calls exactly as the reference's does. */
static void test_chained_random_state(void **state)
{
    const struct kernel *k = *state;
    skip_unless_supported(k);
    static const size_t split[] = { 3, 0, 1, 17, 2 };
    const size_t total = 3 + 1 + 17 + 2;
    uint64_t seed = 0x1321u;
    struct lanes l = { 0 };
    for (size_t lane = 0; lane < MAX_LANES; lane++) {
        fill_random(lanes_alloc(&l, lane, total * MV__MD5_BLOCK_LEN), total * MV__MD5_BLOCK_LEN,
                    &seed);
    }
    uint32_t got[4][MAX_LANES], want[4][MAX_LANES];
    for (size_t w = 0; w < 4; w++) {
        for (size_t lane = 0; lane < MAX_LANES; lane++) {
            got[w][lane] = want[w][lane] = (uint32_t)rng_next(&seed);
        }
    }
    size_t done = 0;
    for (size_t s = 0; s < sizeof(split) / sizeof(split[0]); s++) {
        const uint8_t *p[MAX_LANES];
        for (size_t lane = 0; lane < MAX_LANES; lane++) {
            p[lane] = l.p[lane] + done * MV__MD5_BLOCK_LEN;
        }
        k->run(got, p, split[s]);
        done += split[s];
    }
    run_ref(want, l.p, total);
    assert_lanes_equal((const uint32_t(*)[MAX_LANES])got, (const uint32_t(*)[MAX_LANES])want,
                       k->lanes);
    lanes_free(&l);
}

/* ---- Case table ---- */

#define KERNEL_CASES(K, name)                                                                      \
    { name "_rfc_suite", test_rfc_suite, NULL, NULL, (void *)&(K) },                               \
        { name "_chained_random_state", test_chained_random_state, NULL, NULL, (void *)&(K) },     \
        { name "_random_n0", test_random_messages, NULL, NULL, (void *)&(K##_n[0]) },              \
        { name "_random_n1", test_random_messages, NULL, NULL, (void *)&(K##_n[1]) },              \
        { name "_random_n2", test_random_messages, NULL, NULL, (void *)&(K##_n[2]) },              \
        { name "_random_n3", test_random_messages, NULL, NULL, (void *)&(K##_n[3]) },              \
        { name "_random_n17", test_random_messages, NULL, NULL, (void *)&(K##_n[4]) },             \
    {                                                                                              \
        name "_random_n1000", test_random_messages, NULL, NULL, (void *)&(K##_n[5])                \
    }

#define KERNEL_NBLOCKS(K)                                                                          \
    static const struct kernel_case K##_n[] = { { &K, 0 }, { &K, 1 },  { &K, 2 },                  \
                                                { &K, 3 }, { &K, 17 }, { &K, 1000 } };

KERNEL_NBLOCKS(kernel_ref)
KERNEL_NBLOCKS(kernel_x8_avx2)
KERNEL_NBLOCKS(kernel_x16_avx2)
KERNEL_NBLOCKS(kernel_x16_avx512)

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        KERNEL_CASES(kernel_ref, "ref"),
        KERNEL_CASES(kernel_x8_avx2, "x8_avx2"),
        KERNEL_CASES(kernel_x16_avx2, "x16_avx2"),
        KERNEL_CASES(kernel_x16_avx512, "x16_avx512"),
    };
    if (argc > 1) {
        cmocka_set_test_filter(argv[1]);
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
