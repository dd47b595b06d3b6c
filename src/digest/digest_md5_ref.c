/* Portable MD5 block function (RFC 1321, section 3.4), the oracle for every SIMD kernel.
 *
 * This file owns the plain-C compression of whole 64-byte blocks for one stream. It is the
 * engine of last resort and the reference the SIMD kernels are tested against byte for byte, so
 * it favours being obviously correct: the 64 steps expand from the shared MV__MD5_STEPS table in
 * digest_md5_kernel.h, and message words are decoded as little-endian whatever the host order.
 * On little-endian hosts the decode is a memcpy, which compilers turn into one load; elsewhere
 * the bytes are assembled by hand. It needs no ISA flags.
 */
#include "digest_md5_kernel.h"

#include <string.h>

static uint32_t load_le32(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t w;
    memcpy(&w, p, sizeof(w));
    return w;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
#endif
}

static uint32_t rotl32(uint32_t x, unsigned s)
{
    return (x << s) | (x >> (32u - s));
}

/* The four auxiliary functions of RFC 1321, written in the forms with the fewest operations. */
#define MD5_F(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define MD5_G(b, c, d) ((c) ^ ((d) & ((b) ^ (c))))
#define MD5_H(b, c, d) ((b) ^ (c) ^ (d))
#define MD5_I(b, c, d) ((c) ^ ((b) | ~(d)))

#define MD5_REF_STEP(i, f, a, b, c, d, g, s, k)                                                    \
    a = b + rotl32(a + MD5_##f(b, c, d) + m[g] + (k), s);

static void compress(uint32_t st[4], const uint8_t *block)
{
    uint32_t m[16];
    for (size_t i = 0; i < 16; i++) {
        m[i] = load_le32(block + 4 * i);
    }
    uint32_t a = st[0];
    uint32_t b = st[1];
    uint32_t c = st[2];
    uint32_t d = st[3];
    MV__MD5_STEPS(MD5_REF_STEP)
    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

void mv__md5_blocks_ref(uint32_t st[4], const uint8_t *p, size_t nblocks)
{
    for (size_t n = 0; n < nblocks; n++) {
        compress(st, p + n * MV__MD5_BLOCK_LEN);
    }
}
