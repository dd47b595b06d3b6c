/* Internal MD5 compression kernels: one portable block function and the SIMD multi-lane variants.
 *
 * The kernels only compress whole 64-byte blocks; padding, length encoding and digest
 * serialisation belong to the caller. The SIMD kernels keep their state lane-transposed so that
 * one vector register holds the same state word of every lane.
 *
 * Ownership: every pointer is borrowed for the duration of the call only.
 */
#ifndef MV_DIGEST_MD5_KERNEL_H
#define MV_DIGEST_MD5_KERNEL_H

#include <stddef.h>
#include <stdint.h>

/* Size of one MD5 block in bytes. */
#define MV__MD5_BLOCK_LEN 64

/* Lane-transposed MD5 states: st[0][lane]=A, st[1][lane]=B, st[2][lane]=C, st[3][lane]=D.
   Each lane i compresses nblocks consecutive 64-byte blocks starting at p[i] (no padding here:
   the caller pads). All lanes always process exactly nblocks blocks; an idle lane is given a
   pointer to a readable dummy buffer by the caller. Neither st nor p[i] needs any alignment.
   nblocks == 0 leaves st untouched and reads nothing. */

/* Portable C, any host byte order. st is A, B, C, D of a single stream. */
void mv__md5_blocks_ref(uint32_t st[4], const uint8_t *p, size_t nblocks);

/* 8 lanes; digest_md5_avx2.c, needs AVX2. */
void mv__md5_x8_avx2(uint32_t st[4][8], const uint8_t *const p[8], size_t nblocks);

/* Two interleaved 8-lane sets (lanes 0-7 and 8-15); digest_md5_avx2.c, needs AVX2. */
void mv__md5_x16_avx2(uint32_t st[4][16], const uint8_t *const p[16], size_t nblocks);

/* 16 lanes in zmm registers; digest_md5_avx512.c, needs AVX-512F only (no VL, no BW). */
void mv__md5_x16_avx512(uint32_t st[4][16], const uint8_t *const p[16], size_t nblocks);

/* The 64 MD5 steps of RFC 1321, section 3.4, as an X-macro so that every kernel expands the same
 * single table. Each entry is X(step number 0-63, round function, a, b, c, d, message word index,
 * left rotation, additive constant); the register names rotate by one each step, so a kernel
 * never moves state between variables. The step number lets a kernel interleave other work, such
 * as loading the next block, at fixed points. The constants are floor(abs(sin(i + 1)) * 2^32). */
#define MV__MD5_STEPS(X)                                                                           \
    X(0, F, a, b, c, d, 0, 7, 0xd76aa478u)                                                         \
    X(1, F, d, a, b, c, 1, 12, 0xe8c7b756u)                                                        \
    X(2, F, c, d, a, b, 2, 17, 0x242070dbu)                                                        \
    X(3, F, b, c, d, a, 3, 22, 0xc1bdceeeu)                                                        \
    X(4, F, a, b, c, d, 4, 7, 0xf57c0fafu)                                                         \
    X(5, F, d, a, b, c, 5, 12, 0x4787c62au)                                                        \
    X(6, F, c, d, a, b, 6, 17, 0xa8304613u)                                                        \
    X(7, F, b, c, d, a, 7, 22, 0xfd469501u)                                                        \
    X(8, F, a, b, c, d, 8, 7, 0x698098d8u)                                                         \
    X(9, F, d, a, b, c, 9, 12, 0x8b44f7afu)                                                        \
    X(10, F, c, d, a, b, 10, 17, 0xffff5bb1u)                                                      \
    X(11, F, b, c, d, a, 11, 22, 0x895cd7beu)                                                      \
    X(12, F, a, b, c, d, 12, 7, 0x6b901122u)                                                       \
    X(13, F, d, a, b, c, 13, 12, 0xfd987193u)                                                      \
    X(14, F, c, d, a, b, 14, 17, 0xa679438eu)                                                      \
    X(15, F, b, c, d, a, 15, 22, 0x49b40821u)                                                      \
    X(16, G, a, b, c, d, 1, 5, 0xf61e2562u)                                                        \
    X(17, G, d, a, b, c, 6, 9, 0xc040b340u)                                                        \
    X(18, G, c, d, a, b, 11, 14, 0x265e5a51u)                                                      \
    X(19, G, b, c, d, a, 0, 20, 0xe9b6c7aau)                                                       \
    X(20, G, a, b, c, d, 5, 5, 0xd62f105du)                                                        \
    X(21, G, d, a, b, c, 10, 9, 0x02441453u)                                                       \
    X(22, G, c, d, a, b, 15, 14, 0xd8a1e681u)                                                      \
    X(23, G, b, c, d, a, 4, 20, 0xe7d3fbc8u)                                                       \
    X(24, G, a, b, c, d, 9, 5, 0x21e1cde6u)                                                        \
    X(25, G, d, a, b, c, 14, 9, 0xc33707d6u)                                                       \
    X(26, G, c, d, a, b, 3, 14, 0xf4d50d87u)                                                       \
    X(27, G, b, c, d, a, 8, 20, 0x455a14edu)                                                       \
    X(28, G, a, b, c, d, 13, 5, 0xa9e3e905u)                                                       \
    X(29, G, d, a, b, c, 2, 9, 0xfcefa3f8u)                                                        \
    X(30, G, c, d, a, b, 7, 14, 0x676f02d9u)                                                       \
    X(31, G, b, c, d, a, 12, 20, 0x8d2a4c8au)                                                      \
    X(32, H, a, b, c, d, 5, 4, 0xfffa3942u)                                                        \
    X(33, H, d, a, b, c, 8, 11, 0x8771f681u)                                                       \
    X(34, H, c, d, a, b, 11, 16, 0x6d9d6122u)                                                      \
    X(35, H, b, c, d, a, 14, 23, 0xfde5380cu)                                                      \
    X(36, H, a, b, c, d, 1, 4, 0xa4beea44u)                                                        \
    X(37, H, d, a, b, c, 4, 11, 0x4bdecfa9u)                                                       \
    X(38, H, c, d, a, b, 7, 16, 0xf6bb4b60u)                                                       \
    X(39, H, b, c, d, a, 10, 23, 0xbebfbc70u)                                                      \
    X(40, H, a, b, c, d, 13, 4, 0x289b7ec6u)                                                       \
    X(41, H, d, a, b, c, 0, 11, 0xeaa127fau)                                                       \
    X(42, H, c, d, a, b, 3, 16, 0xd4ef3085u)                                                       \
    X(43, H, b, c, d, a, 6, 23, 0x04881d05u)                                                       \
    X(44, H, a, b, c, d, 9, 4, 0xd9d4d039u)                                                        \
    X(45, H, d, a, b, c, 12, 11, 0xe6db99e5u)                                                      \
    X(46, H, c, d, a, b, 15, 16, 0x1fa27cf8u)                                                      \
    X(47, H, b, c, d, a, 2, 23, 0xc4ac5665u)                                                       \
    X(48, I, a, b, c, d, 0, 6, 0xf4292244u)                                                        \
    X(49, I, d, a, b, c, 7, 10, 0x432aff97u)                                                       \
    X(50, I, c, d, a, b, 14, 15, 0xab9423a7u)                                                      \
    X(51, I, b, c, d, a, 5, 21, 0xfc93a039u)                                                       \
    X(52, I, a, b, c, d, 12, 6, 0x655b59c3u)                                                       \
    X(53, I, d, a, b, c, 3, 10, 0x8f0ccc92u)                                                       \
    X(54, I, c, d, a, b, 10, 15, 0xffeff47du)                                                      \
    X(55, I, b, c, d, a, 1, 21, 0x85845dd1u)                                                       \
    X(56, I, a, b, c, d, 8, 6, 0x6fa87e4fu)                                                        \
    X(57, I, d, a, b, c, 15, 10, 0xfe2ce6e0u)                                                      \
    X(58, I, c, d, a, b, 6, 15, 0xa3014314u)                                                       \
    X(59, I, b, c, d, a, 13, 21, 0x4e0811a1u)                                                      \
    X(60, I, a, b, c, d, 4, 6, 0xf7537e82u)                                                        \
    X(61, I, d, a, b, c, 11, 10, 0xbd3af235u)                                                      \
    X(62, I, c, d, a, b, 2, 15, 0x2ad7d2bbu)                                                       \
    X(63, I, b, c, d, a, 9, 21, 0xeb86d391u)

#endif /* MV_DIGEST_MD5_KERNEL_H */
