/*
 * MD5 of one whole buffer, written from RFC 1321, for one GPU thread.
 *
 * The functions are __host__ __device__ so that the very code the kernel runs
 * can also be checked on a machine without a GPU (tests/unit/gpu). A thread
 * walks its buffer's 64-byte blocks and pads the last one itself: the tail is
 * loaded as a whole block (the staging layout rounds every buffer up to 64
 * bytes, so the load stays inside the buffer's slot), masked, and given the
 * 0x80 byte and the bit length. Buffers start 16-byte aligned, which allows
 * four 16-byte loads per block; MD5's words are little endian, as are the GPU
 * and x86, so the loaded words are the message words.
 */
#ifndef MV_GPU_MD5_KERNEL_CUH
#define MV_GPU_MD5_KERNEL_CUH

#include <stdint.h>
#include <string.h>

#define MV_GPU_MD5_ALIGN 64 /* slot alignment and rounding in the staging buffer */

#ifdef __CUDA_ARCH__
#define MD5_UNROLL _Pragma("unroll")
#else
#define MD5_UNROLL /* the host compiler of nvcc warns about the pragma */
#endif

__host__ __device__ static inline uint32_t md5_rotl(uint32_t x, unsigned s)
{
    return (x << s) | (x >> (32 - s));
}

#define MD5_F(x, y, z) (((x) & (y)) | (~(x) & (z)))
#define MD5_G(x, y, z) (((x) & (z)) | ((y) & ~(z)))
#define MD5_H(x, y, z) ((x) ^ (y) ^ (z))
#define MD5_I(x, y, z) ((y) ^ ((x) | ~(z)))
#define MD5_STEP(f, a, b, c, d, k, t, s)                                                           \
    do {                                                                                           \
        (a) += f((b), (c), (d)) + m[k] + (t);                                                      \
        (a) = md5_rotl((a), (s)) + (b);                                                            \
    } while (0)

/* One block: RFC 1321 section 3.4, rounds 1 to 4 with the table T[1..64]. */
__host__ __device__ static inline void md5_block(uint32_t st[4], const uint32_t m[16])
{
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];

    MD5_STEP(MD5_F, a, b, c, d, 0, 0xd76aa478u, 7);
    MD5_STEP(MD5_F, d, a, b, c, 1, 0xe8c7b756u, 12);
    MD5_STEP(MD5_F, c, d, a, b, 2, 0x242070dbu, 17);
    MD5_STEP(MD5_F, b, c, d, a, 3, 0xc1bdceeeu, 22);
    MD5_STEP(MD5_F, a, b, c, d, 4, 0xf57c0fafu, 7);
    MD5_STEP(MD5_F, d, a, b, c, 5, 0x4787c62au, 12);
    MD5_STEP(MD5_F, c, d, a, b, 6, 0xa8304613u, 17);
    MD5_STEP(MD5_F, b, c, d, a, 7, 0xfd469501u, 22);
    MD5_STEP(MD5_F, a, b, c, d, 8, 0x698098d8u, 7);
    MD5_STEP(MD5_F, d, a, b, c, 9, 0x8b44f7afu, 12);
    MD5_STEP(MD5_F, c, d, a, b, 10, 0xffff5bb1u, 17);
    MD5_STEP(MD5_F, b, c, d, a, 11, 0x895cd7beu, 22);
    MD5_STEP(MD5_F, a, b, c, d, 12, 0x6b901122u, 7);
    MD5_STEP(MD5_F, d, a, b, c, 13, 0xfd987193u, 12);
    MD5_STEP(MD5_F, c, d, a, b, 14, 0xa679438eu, 17);
    MD5_STEP(MD5_F, b, c, d, a, 15, 0x49b40821u, 22);

    MD5_STEP(MD5_G, a, b, c, d, 1, 0xf61e2562u, 5);
    MD5_STEP(MD5_G, d, a, b, c, 6, 0xc040b340u, 9);
    MD5_STEP(MD5_G, c, d, a, b, 11, 0x265e5a51u, 14);
    MD5_STEP(MD5_G, b, c, d, a, 0, 0xe9b6c7aau, 20);
    MD5_STEP(MD5_G, a, b, c, d, 5, 0xd62f105du, 5);
    MD5_STEP(MD5_G, d, a, b, c, 10, 0x02441453u, 9);
    MD5_STEP(MD5_G, c, d, a, b, 15, 0xd8a1e681u, 14);
    MD5_STEP(MD5_G, b, c, d, a, 4, 0xe7d3fbc8u, 20);
    MD5_STEP(MD5_G, a, b, c, d, 9, 0x21e1cde6u, 5);
    MD5_STEP(MD5_G, d, a, b, c, 14, 0xc33707d6u, 9);
    MD5_STEP(MD5_G, c, d, a, b, 3, 0xf4d50d87u, 14);
    MD5_STEP(MD5_G, b, c, d, a, 8, 0x455a14edu, 20);
    MD5_STEP(MD5_G, a, b, c, d, 13, 0xa9e3e905u, 5);
    MD5_STEP(MD5_G, d, a, b, c, 2, 0xfcefa3f8u, 9);
    MD5_STEP(MD5_G, c, d, a, b, 7, 0x676f02d9u, 14);
    MD5_STEP(MD5_G, b, c, d, a, 12, 0x8d2a4c8au, 20);

    MD5_STEP(MD5_H, a, b, c, d, 5, 0xfffa3942u, 4);
    MD5_STEP(MD5_H, d, a, b, c, 8, 0x8771f681u, 11);
    MD5_STEP(MD5_H, c, d, a, b, 11, 0x6d9d6122u, 16);
    MD5_STEP(MD5_H, b, c, d, a, 14, 0xfde5380cu, 23);
    MD5_STEP(MD5_H, a, b, c, d, 1, 0xa4beea44u, 4);
    MD5_STEP(MD5_H, d, a, b, c, 4, 0x4bdecfa9u, 11);
    MD5_STEP(MD5_H, c, d, a, b, 7, 0xf6bb4b60u, 16);
    MD5_STEP(MD5_H, b, c, d, a, 10, 0xbebfbc70u, 23);
    MD5_STEP(MD5_H, a, b, c, d, 13, 0x289b7ec6u, 4);
    MD5_STEP(MD5_H, d, a, b, c, 0, 0xeaa127fau, 11);
    MD5_STEP(MD5_H, c, d, a, b, 3, 0xd4ef3085u, 16);
    MD5_STEP(MD5_H, b, c, d, a, 6, 0x04881d05u, 23);
    MD5_STEP(MD5_H, a, b, c, d, 9, 0xd9d4d039u, 4);
    MD5_STEP(MD5_H, d, a, b, c, 12, 0xe6db99e5u, 11);
    MD5_STEP(MD5_H, c, d, a, b, 15, 0x1fa27cf8u, 16);
    MD5_STEP(MD5_H, b, c, d, a, 2, 0xc4ac5665u, 23);

    MD5_STEP(MD5_I, a, b, c, d, 0, 0xf4292244u, 6);
    MD5_STEP(MD5_I, d, a, b, c, 7, 0x432aff97u, 10);
    MD5_STEP(MD5_I, c, d, a, b, 14, 0xab9423a7u, 15);
    MD5_STEP(MD5_I, b, c, d, a, 5, 0xfc93a039u, 21);
    MD5_STEP(MD5_I, a, b, c, d, 12, 0x655b59c3u, 6);
    MD5_STEP(MD5_I, d, a, b, c, 3, 0x8f0ccc92u, 10);
    MD5_STEP(MD5_I, c, d, a, b, 10, 0xffeff47du, 15);
    MD5_STEP(MD5_I, b, c, d, a, 1, 0x85845dd1u, 21);
    MD5_STEP(MD5_I, a, b, c, d, 8, 0x6fa87e4fu, 6);
    MD5_STEP(MD5_I, d, a, b, c, 15, 0xfe2ce6e0u, 10);
    MD5_STEP(MD5_I, c, d, a, b, 6, 0xa3014314u, 15);
    MD5_STEP(MD5_I, b, c, d, a, 13, 0x4e0811a1u, 21);
    MD5_STEP(MD5_I, a, b, c, d, 4, 0xf7537e82u, 6);
    MD5_STEP(MD5_I, d, a, b, c, 11, 0xbd3af235u, 10);
    MD5_STEP(MD5_I, c, d, a, b, 2, 0x2ad7d2bbu, 15);
    MD5_STEP(MD5_I, b, c, d, a, 9, 0xeb86d391u, 21);

    st[0] += a;
    st[1] += b;
    st[2] += c;
    st[3] += d;
}

/* Sixteen message words from a 16-byte aligned block. */
__host__ __device__ static inline void md5_load_block(const uint8_t *p, uint32_t m[16])
{
MD5_UNROLL
    for (int q = 0; q < 4; q++) {
#ifdef __CUDA_ARCH__
        const uint4 v = __ldg((const uint4 *)p + q);
#else
        uint4 v;
        memcpy(&v, p + 16 * q, sizeof(v));
#endif
        m[4 * q + 0] = v.x;
        m[4 * q + 1] = v.y;
        m[4 * q + 2] = v.z;
        m[4 * q + 3] = v.w;
    }
}

/* Word w of the last block: message bytes before tail, 0x80 at tail, zeros after. */
__host__ __device__ static inline uint32_t md5_tail_word(uint32_t v, uint32_t pos, uint32_t tail)
{
    if (pos + 4 <= tail)
        return v;
    if (pos > tail)
        return 0;
    const uint32_t keep = tail - pos; /* 0..3 message bytes in this word */
    const uint32_t mask = keep ? 0xffffffffu >> (32 - 8 * keep) : 0;
    return (v & mask) | (0x80u << (8 * keep));
}

/* MD5 state of the whole buffer p[0..len), padding included. */
__host__ __device__ static inline void md5_buffer(const uint8_t *p, uint64_t len, uint32_t st[4])
{
    const uint64_t full = len / 64;
    const uint32_t tail = (uint32_t)(len % 64);
    uint32_t m[16];

    st[0] = 0x67452301u;
    st[1] = 0xefcdab89u;
    st[2] = 0x98badcfeu;
    st[3] = 0x10325476u;
    for (uint64_t b = 0; b < full; b++) {
        md5_load_block(p + 64 * b, m);
        md5_block(st, m);
    }
    if (tail != 0)
        md5_load_block(p + 64 * full, m);
MD5_UNROLL
    for (uint32_t w = 0; w < 16; w++)
        m[w] = tail != 0 ? md5_tail_word(m[w], 4 * w, tail) : (w == 0 ? 0x80u : 0);
    if (tail >= 56) {
        md5_block(st, m);
MD5_UNROLL
        for (int w = 0; w < 16; w++)
            m[w] = 0;
    }
    m[14] = (uint32_t)(len << 3);
    m[15] = (uint32_t)(len >> 29);
    md5_block(st, m);
}

#endif
