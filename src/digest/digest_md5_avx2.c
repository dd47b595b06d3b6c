/* AVX2 multi-lane MD5 compression: 8 lanes per ymm register set, and 16 lanes as two sets.
 *
 * This file owns the AVX2 kernels and is the only one built with -mavx2. MD5 is a serial chain
 * inside one message, so the kernels get their speed from independent messages: lane i of every
 * register belongs to stream i, and each of the 64 steps is one short sequence of vector ops
 * shared by all lanes. A step's critical path is about six dependent ops (auxiliary function,
 * add, two shifts feeding an or, add) while a core issues several vector ops per cycle, so the
 * x16 kernel runs two unrelated 8-lane sets step by step to give the scheduler independent work.
 *
 * Message words arrive lane-major and must become word-major. Measured on Zen 4, 128-bit loads
 * paired into one ymm followed by a 4x4 in-lane transpose beat a full 8x8 transpose of 256-bit
 * loads (12.2 vs 16.1 cycles per step pair, x16, gcc, before pipelining) and vpgatherdd by far
 * (20.9). The transpose of
 * block n + 1 is cut into 48 single-op pieces that ride along with the steps of block n, because
 * done in one burst it stalls the step chain instead of filling its idle issue slots. The step
 * table comes from digest_md5_kernel.h; constants are compile-time broadcasts.
 */
#include "digest_md5_kernel.h"

#include <immintrin.h>

static inline __m256i add(__m256i x, __m256i y)
{
    return _mm256_add_epi32(x, y);
}

static inline __m256i bcast(uint32_t k)
{
    return _mm256_set1_epi32((int)k);
}

/* Hides t from the optimiser. Without it the compilers reassociate a + (m + k) + f into
 * (a + f) + (m + k), which puts one more add on the critical path of every step. */
static inline __m256i opaque(__m256i t)
{
    __asm__("" : "+x"(t));
    return t;
}

/* The auxiliary functions, each returning t + f(b, c, d) with as few ops after b as possible.
 * G is split into two disjoint terms so the part without b, the newest value, is added early.
 * I uses c ^ (b | ~d) == ~(c ^ (~b & d)) and t + ~x == t - x - 1; the - 1 is folded into the
 * step constant by KBIAS_I, which saves the not. */
static inline __m256i add_f(__m256i t, __m256i b, __m256i c, __m256i d)
{
    return add(t, _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d))));
}

static inline __m256i add_g(__m256i t, __m256i b, __m256i c, __m256i d)
{
    return add(opaque(add(t, _mm256_andnot_si256(d, c))), _mm256_and_si256(d, b));
}

static inline __m256i add_h(__m256i t, __m256i b, __m256i c, __m256i d)
{
    return add(t, _mm256_xor_si256(b, _mm256_xor_si256(c, d)));
}

static inline __m256i add_i(__m256i t, __m256i b, __m256i c, __m256i d)
{
    return _mm256_sub_epi32(t, _mm256_xor_si256(c, _mm256_andnot_si256(b, d)));
}

#define ADD_F   add_f
#define ADD_G   add_g
#define ADD_H   add_h
#define ADD_I   add_i
#define KBIAS_F 0u
#define KBIAS_G 0u
#define KBIAS_H 0u
#define KBIAS_I 1u

#define ROTL(x, s) _mm256_or_si256(_mm256_slli_epi32(x, s), _mm256_srli_epi32(x, 32 - (s)))

/* One step on one register set: a = b + rotl(a + f(b, c, d) + w + k, s). */
#define STEP1(f, a, b, c, d, w, s, k)                                                              \
    do {                                                                                           \
        const __m256i t_ = opaque(add(a, add(w, bcast((k)-KBIAS_##f))));                           \
        a = add(b, ROTL(ADD_##f(t_, b, c, d), s));                                                 \
    } while (0)

/* The transpose of one 8-lane block into m[word], as 48 single-op pieces. Stage 0 builds rows
 * whose 128-bit halves are lanes k and k + 4 at words 4q..4q+3; stages 1 and 2 transpose 4x4
 * inside each half, which leaves lanes 0-3 low and 4-7 high, in order. */
struct xpose {
    __m256i r[16];
    __m256i t[16];
};

static inline __m256i load128x2(const uint8_t *lo, const uint8_t *hi)
{
    const __m128i l = _mm_loadu_si128((const void *)lo);
    const __m128i h = _mm_loadu_si128((const void *)hi);
    return _mm256_inserti128_si256(_mm256_castsi128_si256(l), h, 1);
}

static inline __attribute__((always_inline)) void
xpose_op(struct xpose *x, __m256i m[16], const uint8_t *const p[8], size_t off, int i)
{
    const int j = i % 16, hi = j % 2, odd = j / 2 % 2, q = j / 4;
    switch (i / 16) {
    case 0:
        /* Lane pair j / 4 takes its four quarters back to back: the lines of 16 page-aligned
         * lanes share one L1 set, and a line touched again many steps later may be gone. */
        x->r[4 * (j % 4) + j / 4] =
            load128x2(p[j / 4] + off + 16 * (j % 4), p[j / 4 + 4] + off + 16 * (j % 4));
        break;
    case 1: {
        const __m256i a = x->r[4 * q + 2 * odd], b = x->r[4 * q + 2 * odd + 1];
        x->t[j] = hi ? _mm256_unpackhi_epi32(a, b) : _mm256_unpacklo_epi32(a, b);
        break;
    }
    default: {
        const __m256i a = x->t[4 * q + odd], b = x->t[4 * q + odd + 2];
        m[j] = hi ? _mm256_unpackhi_epi64(a, b) : _mm256_unpacklo_epi64(a, b);
        break;
    }
    }
}

#define XPOSE_OPS 48

static void load_block(__m256i m[16], const uint8_t *const p[8], size_t off)
{
    struct xpose x;
    for (int i = 0; i < XPOSE_OPS; i++) {
        xpose_op(&x, m, p, off, i);
    }
}

/* Each step also runs piece i of the next block's transpose, for the first 48 steps. */
#define X8_STEP(i, f, a, b, c, d, g, s, k)                                                         \
    STEP1(f, a, b, c, d, m[g], s, k);                                                              \
    if ((i) < XPOSE_OPS) {                                                                         \
        xpose_op(&x, next, p, next_off, i);                                                        \
    }

#define X16_STEP(i, f, a, b, c, d, g, s, k)                                                        \
    STEP1(f, a##0, b##0, c##0, d##0, m0[g], s, k);                                                 \
    STEP1(f, a##1, b##1, c##1, d##1, m1[g], s, k);                                                 \
    if ((i) < XPOSE_OPS) {                                                                         \
        xpose_op(&x0, next0, p, next_off, i);                                                      \
        xpose_op(&x1, next1, p + 8, next_off, i);                                                  \
    }

/* One block from m while loading the block at next_off into next; the feed-forward adds the
 * incoming state back, per RFC 1321. */
static inline void compress8(__m256i v[4], const __m256i m[16], __m256i next[16],
                             const uint8_t *const p[8], size_t next_off)
{
    struct xpose x;
    __m256i a = v[0], b = v[1], c = v[2], d = v[3];
    MV__MD5_STEPS(X8_STEP)
    v[0] = add(v[0], a);
    v[1] = add(v[1], b);
    v[2] = add(v[2], c);
    v[3] = add(v[3], d);
}

static inline void compress16(__m256i v[8], const __m256i m0[16], const __m256i m1[16],
                              __m256i next0[16], __m256i next1[16], const uint8_t *const p[16],
                              size_t next_off)
{
    struct xpose x0, x1;
    __m256i a0 = v[0], b0 = v[1], c0 = v[2], d0 = v[3];
    __m256i a1 = v[4], b1 = v[5], c1 = v[6], d1 = v[7];
    MV__MD5_STEPS(X16_STEP)
    v[0] = add(v[0], a0);
    v[1] = add(v[1], b0);
    v[2] = add(v[2], c0);
    v[3] = add(v[3], d0);
    v[4] = add(v[4], a1);
    v[5] = add(v[5], b1);
    v[6] = add(v[6], c1);
    v[7] = add(v[7], d1);
}

/* The block after n, or n itself for the last block so that nothing past the caller's buffers
 * is read; reloading it is wasted but harmless. */
static size_t next_offset(size_t n, size_t nblocks)
{
    return (n + 1 < nblocks ? n + 1 : n) * MV__MD5_BLOCK_LEN;
}

void mv__md5_x8_avx2(uint32_t st[4][8], const uint8_t *const p[8], size_t nblocks)
{
    __m256i v[4];
    __m256i m[2][16];
    for (int i = 0; i < 4; i++) {
        v[i] = _mm256_loadu_si256((const void *)st[i]);
    }
    if (nblocks > 0) {
        load_block(m[0], p, 0);
    }
    for (size_t n = 0; n < nblocks; n++) {
        compress8(v, m[n % 2], m[(n + 1) % 2], p, next_offset(n, nblocks));
    }
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_si256((void *)st[i], v[i]);
    }
}

void mv__md5_x16_avx2(uint32_t st[4][16], const uint8_t *const p[16], size_t nblocks)
{
    __m256i v[8];
    __m256i m[2][2][16];
    for (int i = 0; i < 4; i++) {
        v[i] = _mm256_loadu_si256((const void *)&st[i][0]);
        v[i + 4] = _mm256_loadu_si256((const void *)&st[i][8]);
    }
    if (nblocks > 0) {
        load_block(m[0][0], p, 0);
        load_block(m[0][1], p + 8, 0);
    }
    for (size_t n = 0; n < nblocks; n++) {
        __m256i(*const cur)[16] = m[n % 2];
        __m256i(*const nxt)[16] = m[(n + 1) % 2];
        compress16(v, cur[0], cur[1], nxt[0], nxt[1], p, next_offset(n, nblocks));
    }
    for (int i = 0; i < 4; i++) {
        _mm256_storeu_si256((void *)&st[i][0], v[i]);
        _mm256_storeu_si256((void *)&st[i][8], v[i + 4]);
    }
}
