/* AVX-512 multi-lane MD5 compression: 16 independent streams, one per 32-bit lane of a zmm.
 *
 * This file owns the AVX-512 kernel and is the only one built with -mavx512f. It needs nothing
 * beyond AVX-512F: vpternlogd computes each auxiliary function F, G, H, I in one instruction,
 * vprold rotates in one, and the message transpose uses only 512-bit unpacks and vshufi32x4, so
 * no -mavx512vl or -mavx512bw is required. With both one-op tricks a step's critical path is four
 * dependent ops (ternlog, add, rotate, add); the message and constant add hangs off the chain.
 * Each block is read as one 64-byte row per lane and turned word-major with a 16x16 transpose of
 * 32-bit elements (four rounds of 16 shuffles), cheaper than sixteen vpgatherdd. The transpose
 * of block n + 1 is cut into 64 single-shuffle pieces, one per step of block n: done in a burst
 * it stalled the step chain (9.6 against 6.8 cycles per step with clang on Zen 4). The step table
 * comes from digest_md5_kernel.h; the constants are compile-time broadcasts.
 */
#include "digest_md5_kernel.h"

#include <immintrin.h>

/* vpternlogd truth-table operands: the immediate for f(b, c, d) is f applied to these. */
#define TL_B 0xf0
#define TL_C 0xcc
#define TL_D 0xaa

#define TL_F (((TL_B & TL_C) | (~TL_B & TL_D)) & 0xff)
#define TL_G (((TL_B & TL_D) | (TL_C & ~TL_D)) & 0xff)
#define TL_H (TL_B ^ TL_C ^ TL_D)
#define TL_I ((TL_C ^ (TL_B | ~TL_D)) & 0xff)

static inline __m512i add(__m512i x, __m512i y)
{
    return _mm512_add_epi32(x, y);
}

static inline __m512i bcast(uint32_t k)
{
    return _mm512_set1_epi32((int)k);
}

/* The 16x16 transpose of 32-bit words that turns 16 lane-major blocks into m[word], split into 64
 * single-shuffle operations so that one can ride along with each MD5 step. Stage 0 unpacks lane
 * pairs, stage 1 pairs of pairs; afterwards chunk c of u[4q + j] holds word 4c + j of lanes
 * 4q..4q+3. Stages 2 and 3 transpose those 128-bit chunks across the four lane groups. */
struct xpose {
    __m512i t[16];
    __m512i u[16];
    __m512i s[16];
};

static inline __m512i load_row(const uint8_t *const p[16], size_t lane, size_t off)
{
    return _mm512_loadu_si512((const void *)(p[lane] + off));
}

static inline __attribute__((always_inline)) void
xpose_op(struct xpose *x, __m512i m[16], const uint8_t *const p[16], size_t off, int i)
{
    const int j = i % 16, hi = j % 2, odd = j / 2 % 2, q = j / 4, part = j % 4;
    switch (i / 16) {
    case 0: {
        const __m512i r0 = load_row(p, (size_t)j & ~1u, off);
        const __m512i r1 = load_row(p, (size_t)j | 1u, off);
        x->t[j] = hi ? _mm512_unpackhi_epi32(r0, r1) : _mm512_unpacklo_epi32(r0, r1);
        break;
    }
    case 1: {
        const __m512i a = x->t[4 * q + odd], b = x->t[4 * q + odd + 2];
        x->u[j] = hi ? _mm512_unpackhi_epi64(a, b) : _mm512_unpacklo_epi64(a, b);
        break;
    }
    case 2: {
        const __m512i a = x->u[part / 2 * 8 + q], b = x->u[part / 2 * 8 + 4 + q];
        x->s[j] = hi ? _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(3, 2, 3, 2))
                     : _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(1, 0, 1, 0));
        break;
    }
    default: {
        const __m512i a = x->s[4 * q + odd], b = x->s[4 * q + odd + 2];
        m[q + 4 * part] = hi ? _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(3, 1, 3, 1))
                             : _mm512_shuffle_i32x4(a, b, _MM_SHUFFLE(2, 0, 2, 0));
        break;
    }
    }
}

static void load_block(__m512i m[16], const uint8_t *const p[16], size_t off)
{
    struct xpose x;
    for (int i = 0; i < 64; i++) {
        xpose_op(&x, m, p, off, i);
    }
}

/* Hides t from the optimiser. Without it both gcc and clang reassociate a + (m + k) + f into
 * (a + f) + (m + k), which puts one more add on the critical path of every step. */
static inline __m512i opaque(__m512i t)
{
    __asm__("" : "+v"(t));
    return t;
}

/* One step, a = b + rotl(a + f(b, c, d) + m[g] + k, s), then every eighth step one piece of the
 * next block's load, so that the shuffles fill issue slots the serial step chain leaves idle. */
#define X16_STEP(i, f, a, b, c, d, g, s, k)                                                        \
    do {                                                                                           \
        const __m512i t_ = opaque(add(a, add(m[g], bcast(k))));                                    \
        const __m512i f_ = _mm512_ternarylogic_epi32(b, c, d, TL_##f);                             \
        a = add(b, _mm512_rol_epi32(add(t_, f_), s));                                              \
        xpose_op(&x, next, p, next_off, i);                                                        \
    } while (0);

/* One block from m while loading the block at next_off into next; the feed-forward adds the
 * incoming state back, per RFC 1321. */
static inline void compress(__m512i v[4], const __m512i m[16], __m512i next[16],
                            const uint8_t *const p[16], size_t next_off)
{
    struct xpose x;
    __m512i a = v[0], b = v[1], c = v[2], d = v[3];
    MV__MD5_STEPS(X16_STEP)
    v[0] = add(v[0], a);
    v[1] = add(v[1], b);
    v[2] = add(v[2], c);
    v[3] = add(v[3], d);
}

void mv__md5_x16_avx512(uint32_t st[4][16], const uint8_t *const p[16], size_t nblocks)
{
    __m512i v[4];
    __m512i m[2][16];
    for (int i = 0; i < 4; i++) {
        v[i] = _mm512_loadu_si512((const void *)st[i]);
    }
    if (nblocks > 0) {
        load_block(m[0], p, 0);
    }
    for (size_t n = 0; n < nblocks; n++) {
        /* The last block reloads itself rather than read past the caller's buffers. */
        const size_t next = n + 1 < nblocks ? n + 1 : n;
        compress(v, m[n % 2], m[(n + 1) % 2], p, next * MV__MD5_BLOCK_LEN);
    }
    for (int i = 0; i < 4; i++) {
        _mm512_storeu_si512((void *)st[i], v[i]);
    }
}
