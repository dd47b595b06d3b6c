/*
 * PDQ's 512x512 nearest-neighbour sample of a JPEG, decoded straight from the
 * entropy-coded data.
 *
 * libjpeg-turbo, even when it is asked for only some rows, reconstructs every
 * 8x8 block in full, upsamples every chroma row it keeps and writes whole
 * scanlines; the sample uses about one pixel in three of a 1600x1004 photo and
 * one in fifty of a 12 MP one. Here, libjpeg parses the headers (so the colour
 * space, tables and limits are its own decisions), then this file decodes the
 * Huffman data itself and, for each block, computes only the output rows and
 * columns that the sample, or the chroma upsampling around it, reads:
 *
 * - the inverse DCT is libjpeg's "islow" integer transform (the Loeffler,
 *   Ligtenberg and Moschytz factorisation with 13-bit constants): an exact
 *   integer linear map per pass, rounded to the workspace after the column
 *   pass and to samples after the row pass. The map is taken from the
 *   butterfly itself (idct_matrix()), so any subset of outputs is the same
 *   integers as the whole transform;
 * - chroma is upsampled with libjpeg's "fancy" triangle filters (h2v2: 3/4 and
 *   1/4 in both directions with biases 8 and 7; h2v1: biases 1 and 2), edge
 *   samples replicated, and colours are converted with its YCbCr tables.
 *
 * Only the common layout is handled: baseline or extended sequential Huffman,
 * 8-bit, one interleaved scan, grey or YCbCr 4:2:0, 4:2:2 or 4:4:4, with or
 * without restart markers. Anything else, or anything unusual on the way (a
 * bad code, a marker or the end of the data where entropy data should be,
 * values whose clamping or 16-bit arithmetic could differ between libjpeg's
 * C and SIMD paths), gives MV_ENOTSUP before any pixel is returned, and the
 * caller decodes with libjpeg: results never depend on which path ran.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../core/core.h"
#include "media_jpeg_sample.h"

#define FAST_BITS  9
#define CONST_BITS 13
#define PASS1_BITS 2
#define MAX_COMPS  3

/* Largest magnitudes kept: beyond them libjpeg's SIMD and C paths may differ. */
#define DEQ_MAX 16383  /* dequantised coefficient and workspace value (16-bit sums) */
#define OUT_MIN (-512) /* row-pass output before the +128 shift: */
#define OUT_MAX 511    /* libjpeg's C range table clamps only within these */

/* One coefficient in one table lookup: code and extra bits together. */
struct ac_fast {
    int16_t value;
    uint8_t run, bits; /* bits 0: not in the table */
};

struct huff {
    uint16_t look[1 << FAST_BITS]; /* length << 8 | symbol; 0: a longer code */
    int32_t maxcode[17];           /* largest code of each length, -1 when none */
    int32_t delta[17];             /* symbol index = code + delta[length] */
    uint8_t sym[256];
    struct ac_fast ac[1 << FAST_BITS];
};

struct bits {
    const uint8_t *p, *end;
    uint64_t buf; /* the next bit is bit 63; below the valid bits, zeros */
    int n;        /* valid bits; negative once more were used than the data held */
    int stop;     /* p is at a marker (or the end of the data) */
};

/* What one component needs: per block row and column, which of the 8 output
 * rows/columns are sampled, and where the first of them goes in the grid. */
struct comp {
    int h, v; /* blocks per MCU */
    const struct huff *dc, *ac;
    int32_t q[64];          /* quantisation table, natural order */
    int16_t q16[64];        /* the same, for 16-bit arithmetic */
    int pred;               /* DC predictor */
    uint8_t *rmask, *cmask; /* per block row / block column */
    int32_t *rbase, *cbase;
    uint8_t *grid; /* the kept samples, rows x cols */
    size_t grid_cols;
};

struct sampler {
    struct bits in;
    struct comp c[MAX_COMPS];
    int ncomp;
    size_t mcu_cols, mcu_rows;
    unsigned restart; /* MCUs per restart interval, 0: none */
    struct huff tables[2 * MAX_COMPS];
    void *mem;
};

static uint8_t zigzag[64 + 16]; /* natural index of each zig-zag position */
static uint8_t zz_maxrow[64];   /* highest block row among zig-zag positions 0..k */
static uint8_t zz_maxcol[64];
static int32_t idct_m[8][8]; /* output n of the 1-D transform = sum idct_m[n][k] * in[k] */
static int32_t cr_r[256], cb_b[256], cr_g[256], cb_g[256];
static int portable; /* tests: the plain C transform even where SSE2 is there */
#if defined(__SSE2__)
/* idct_m as pmaddwd operands: pair p of row n (columns 2p, 2p+1) in every
 * lane, and for the row pass, pair p of rows x (lanes) 0..3 and 4..7. */
static int32_t pair_row[8][4], pair_col[4][8];
#endif
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

#define FIX(x)   ((int32_t)((x) * (1 << CONST_BITS) + 0.5))
#define FIX16(x) ((int32_t)((x)*65536 + 0.5))

/* The islow 1-D transform of in[8], before rounding, as libjpeg computes it. */
static void idct_1d(const int64_t in[8], int64_t out[8])
{
    int64_t z1 = (in[2] + in[6]) * FIX(0.541196100);
    const int64_t t2 = z1 - in[6] * FIX(1.847759065), t3 = z1 + in[2] * FIX(0.765366865);
    const int64_t t0 = (in[0] + in[4]) * (1 << CONST_BITS),
                  t1 = (in[0] - in[4]) * (1 << CONST_BITS);
    const int64_t e10 = t0 + t3, e13 = t0 - t3, e11 = t1 + t2, e12 = t1 - t2;

    int64_t o0 = in[7], o1 = in[5], o2 = in[3], o3 = in[1];
    z1 = o0 + o3;
    int64_t z2 = o1 + o2, z3 = o0 + o2, z4 = o1 + o3;
    const int64_t z5 = (z3 + z4) * FIX(1.175875602);
    o0 *= FIX(0.298631336);
    o1 *= FIX(2.053119869);
    o2 *= FIX(3.072711026);
    o3 *= FIX(1.501321110);
    z1 *= -FIX(0.899976223);
    z2 *= -FIX(2.562915447);
    z3 = z3 * -FIX(1.961570560) + z5;
    z4 = z4 * -FIX(0.390180644) + z5;
    o0 += z1 + z3;
    o1 += z2 + z4;
    o2 += z2 + z3;
    o3 += z1 + z4;

    out[0] = e10 + o3;
    out[7] = e10 - o3;
    out[1] = e11 + o2;
    out[6] = e11 - o2;
    out[2] = e12 + o1;
    out[5] = e12 - o1;
    out[3] = e13 + o0;
    out[4] = e13 - o0;
}

static void init_tables(void)
{
    /* Zig-zag order: anti-diagonals, alternately walked up and down. */
    int k = 0;
    for (int d = 0; d < 15; d++)
        for (int i = 0; i <= d; i++) {
            const int r = d & 1 ? i : d - i, c = d - r;
            if (r < 8 && c < 8)
                zigzag[k++] = (uint8_t)(r * 8 + c);
        }
    for (int i = 0; i < 64; i++) {
        const int r = zigzag[i] >> 3, c = zigzag[i] & 7;
        zz_maxrow[i] = (uint8_t)(i && zz_maxrow[i - 1] > r ? zz_maxrow[i - 1] : r);
        zz_maxcol[i] = (uint8_t)(i && zz_maxcol[i - 1] > c ? zz_maxcol[i - 1] : c);
    }
    for (int i = 64; i < 64 + 16; i++)
        zigzag[i] = 63;
    for (int col = 0; col < 8; col++) {
        int64_t in[8] = { 0 }, out[8];
        in[col] = 1;
        idct_1d(in, out);
        for (int n = 0; n < 8; n++)
            idct_m[n][col] = (int32_t)out[n];
    }
#if defined(__SSE2__)
    for (int n = 0; n < 8; n++)
        for (int p = 0; p < 4; p++) {
            pair_row[n][p] = (int32_t)((uint32_t)(uint16_t)idct_m[n][2 * p] |
                                       (uint32_t)(uint16_t)idct_m[n][2 * p + 1] << 16);
            pair_col[p][n] = pair_row[n][p];
        }
#endif
    /* YCbCr to RGB with 16-bit fixed-point factors, as libjpeg's tables. */
    for (int i = 0; i < 256; i++) {
        const int32_t x = i - 128, half = 1 << 15;
        cr_r[i] = (int32_t)((FIX16(1.40200) * x + half) >> 16);
        cb_b[i] = (int32_t)((FIX16(1.77200) * x + half) >> 16);
        cr_g[i] = -FIX16(0.71414) * x;
        cb_g[i] = -FIX16(0.34414) * x + half;
    }
}

/*
 * Decoding tables for one JHUFF_TBL-style table (bits[1..16], symbols), with
 * libjpeg's checks: no more than 256 codes, no code space overflow (so the
 * all-ones code is never assigned), DC symbols up to 15. -1 when it refuses.
 */
static int huff_build(struct huff *h, const uint8_t bits[17], const uint8_t *vals, int dc)
{
    int n = 0;
    int32_t code = 0;

    memset(h, 0, sizeof(*h));
    for (int len = 1; len <= 16; len++) {
        h->maxcode[len] = -1;
        h->delta[len] = n - code;
        for (int i = 0; i < bits[len]; i++, n++, code++) {
            if (n >= 256 || (dc && vals[n] > 15))
                return -1;
            h->sym[n] = vals[n];
            h->maxcode[len] = code;
            if (len <= FAST_BITS) {
                const int shift = FAST_BITS - len;
                for (int32_t j = code << shift; j < (code + 1) << shift; j++)
                    h->look[j] = (uint16_t)(len << 8 | vals[n]);
            }
        }
        if (code >= (int32_t)1 << len && bits[len] > 0)
            return -1;
        code <<= 1;
    }
    /* One lookup for a coefficient whose code and extra bits fit in FAST_BITS. */
    for (int j = 0; !dc && j < 1 << FAST_BITS; j++) {
        const int len = h->look[j] >> 8, rs = h->look[j] & 0xFF, s = rs & 15;
        if (len == 0 || s == 0 || len + s > FAST_BITS)
            continue;
        int v = (j >> (FAST_BITS - len - s)) & ((1 << s) - 1);
        if (v < 1 << (s - 1))
            v -= (1 << s) - 1;
        h->ac[j] = (struct ac_fast){ .value = (int16_t)v,
                                     .run = (uint8_t)(rs >> 4),
                                     .bits = (uint8_t)(len + s) };
    }
    return 0;
}

/* Tops the bit buffer up to more than 56 bits, unless the data segment ends:
 * at a marker (0xFF not followed by a stuffed 0x00) or the end of the data. */
static void fill(struct bits *b)
{
    while (b->n <= 56 && !b->stop) {
        if (b->end - b->p >= 8) {
            uint64_t w = 0;
            for (int i = 0; i < 8; i++)
                w = w << 8 | b->p[i];
            const uint64_t x = ~w;
            if (((x - 0x0101010101010101u) & ~x & 0x8080808080808080u) == 0) {
                /* No 0xFF among them: whole bytes go in at once; the
                 * partial one below is ORed in again, identical, next time. */
                const int k = (64 - b->n) >> 3;
                b->buf |= w >> b->n;
                b->p += k;
                b->n += 8 * k;
                continue;
            }
        }
        if (b->p >= b->end) {
            b->stop = 1;
            break;
        }
        const uint8_t c = *b->p;
        if (c == 0xFF) {
            if (b->end - b->p < 2 || b->p[1] != 0) {
                b->stop = 1;
                break;
            }
            b->p++;
        }
        b->p++;
        b->buf |= (uint64_t)c << (56 - b->n);
        b->n += 8;
    }
}

/* The slow half of decode(): codes longer than FAST_BITS, from 16 peeked bits;
 * the symbol and its length in *len, or -1. */
static int decode_long(const struct huff *h, uint32_t c16, int *len)
{
    for (int l = FAST_BITS + 1; l <= 16; l++) {
        const int32_t code = (int32_t)(c16 >> (16 - l));
        if (code <= h->maxcode[l]) {
            *len = l;
            return h->sym[code + h->delta[l]];
        }
    }
    return -1;
}

/* The bit buffer in locals for the block loop: a struct bits round trip per
 * symbol would cost more than the decoding itself. */
#define BITS_LOAD(b)                                                                               \
    uint64_t buf = (b)->buf;                                                                       \
    int n = (b)->n
#define BITS_SAVE(b) ((b)->buf = buf, (b)->n = n)
#define BITS_REFILL(b)                                                                             \
    do {                                                                                           \
        if (n < 32) {                                                                              \
            BITS_SAVE(b);                                                                          \
            fill(b);                                                                               \
            buf = (b)->buf;                                                                        \
            n = (b)->n;                                                                            \
        }                                                                                          \
    } while (0)
#define PEEK(k) ((unsigned)(buf >> (64 - (k))))
#define SKIP(k) (buf <<= (k), n -= (k))

/* The next symbol of table h into sym (-1: a code it does not hold). */
#define DECODE(h, sym)                                                                             \
    do {                                                                                           \
        const unsigned e_ = (h)->look[PEEK(FAST_BITS)];                                            \
        if (e_) {                                                                                  \
            SKIP((int)(e_ >> 8));                                                                  \
            (sym) = (int)(e_ & 0xFF);                                                              \
        } else {                                                                                   \
            int l_ = 0;                                                                            \
            (sym) = decode_long((h), PEEK(16), &l_);                                               \
            SKIP(l_);                                                                              \
        }                                                                                          \
    } while (0)

/* s (1..16) more bits as a signed value, JPEG's "extend", into v. */
#define RECEIVE(s, v)                                                                              \
    do {                                                                                           \
        const int r_ = (int)PEEK(s);                                                               \
        SKIP(s);                                                                                   \
        (v) = r_ < 1 << ((s)-1) ? r_ - (1 << (s)) + 1 : r_;                                        \
    } while (0)

/*
 * One block's coefficients into blk (natural order, all zero on entry);
 * *last: the last zig-zag position written. -1 on anything libjpeg would not
 * decode the same way without comment (bad code, sizes beyond 8-bit JPEG,
 * a run past the block's end, a DC value out of range, data used up).
 */
static int decode_block(struct bits *b, struct comp *c, int16_t *blk, int *last)
{
    const struct huff *ac = c->ac;
    int t, end = 0, k = 1;
    BITS_LOAD(b);

    BITS_REFILL(b);
    DECODE(c->dc, t);
    if (t < 0 || t > 11)
        return -1;
    if (t) {
        int d;
        RECEIVE(t, d);
        c->pred += d;
        if (c->pred < -2048 || c->pred > 2047)
            return -1;
    }
    blk[0] = (int16_t)c->pred;
    while (k < 64) {
        BITS_REFILL(b);
        const struct ac_fast f = ac->ac[PEEK(FAST_BITS)];
        int v;
        if (f.bits) {
            k += f.run;
            SKIP(f.bits);
            v = f.value;
        } else {
            int rs;
            DECODE(ac, rs);
            if (rs < 0)
                return -1;
            const int s = rs & 15;
            if (s == 0) {
                if (rs != 0xF0)
                    break;
                k += 16;
                continue;
            }
            if (s > 10)
                return -1;
            k += rs >> 4;
            RECEIVE(s, v);
        }
        if (k > 63)
            return -1;
        blk[zigzag[k]] = (int16_t)v;
        end = k++;
    }
    BITS_SAVE(b);
    *last = end;
    return n < 0 ? -1 : 0;
}

static uint8_t clamp_sample(int32_t v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/*
 * The kept outputs of one block: rows in rmask, columns in cmask (bit i: row
 * or column i of the block), row by row into dst. last is the block's last
 * zig-zag position, which bounds the non-zero rows and columns.
 */
static int idct_block(const int16_t *blk, const int32_t *q, int last, unsigned rmask,
                      unsigned cmask, uint8_t *dst, size_t stride)
{
    const int vn = zz_maxrow[last] + 1, un = zz_maxcol[last] + 1;
    int32_t deq[8][8];

    for (int v = 0; v < vn; v++)
        for (int u = 0; u < un; u++) {
            deq[v][u] = (int32_t)blk[v * 8 + u] * q[v * 8 + u];
            if (deq[v][u] < -DEQ_MAX || deq[v][u] > DEQ_MAX)
                return -1;
        }
    for (int n = 0; n < 8; n++, rmask >>= 1) {
        if (!(rmask & 1))
            continue;
        int32_t ws[8];
        for (int u = 0; u < un; u++) {
            int32_t s = 0;
            for (int v = 0; v < vn; v++)
                s += idct_m[n][v] * deq[v][u];
            ws[u] = (s + (1 << (CONST_BITS - PASS1_BITS - 1))) >> (CONST_BITS - PASS1_BITS);
            if (ws[u] < -DEQ_MAX || ws[u] > DEQ_MAX)
                return -1;
        }
        uint8_t *o = dst;
        unsigned cm = cmask;
        for (int x = 0; x < 8; x++, cm >>= 1) {
            if (!(cm & 1))
                continue;
            int32_t s = 0;
            for (int u = 0; u < un; u++)
                s += idct_m[x][u] * ws[u];
            const int32_t r =
                (s + (1 << (CONST_BITS + PASS1_BITS + 2))) >> (CONST_BITS + PASS1_BITS + 3);
            if (r < OUT_MIN || r > OUT_MAX)
                return -1;
            *o++ = clamp_sample(r + 128);
        }
        dst += stride;
    }
    return 0;
}

#if defined(__SSE2__)
/*
 * idct_block() with SSE2's pmaddwd: 16-bit operands, 32-bit sums, so the same
 * integers. The column pass computes one kept row of the workspace for all 8
 * columns at once from row pairs of coefficients; the row pass all 8 outputs
 * of that row from pairs of workspace values.
 */
static int idct_block_sse2(const int16_t *blk, const int16_t *q, int last, unsigned rmask,
                           unsigned cmask, uint8_t *dst, size_t stride)
{
    const int pv = (zz_maxrow[last] + 2) / 2, pu = (zz_maxcol[last] + 2) / 2;
    const __m128i lim = _mm_set1_epi16(DEQ_MAX), nlim = _mm_set1_epi16(-DEQ_MAX);
    __m128i lo[4], hi[4], bad = _mm_setzero_si128();

    for (int p = 0; p < pv; p++) {
        __m128i d[2];
        for (int k = 0; k < 2; k++) {
            const __m128i c = _mm_loadu_si128((const __m128i *)(blk + (2 * p + k) * 8));
            const __m128i m = _mm_loadu_si128((const __m128i *)(q + (2 * p + k) * 8));
            d[k] = _mm_mullo_epi16(c, m);
            const __m128i h = _mm_mulhi_epi16(c, m);
            bad = _mm_or_si128(bad, _mm_andnot_si128(_mm_cmpeq_epi16(h, _mm_srai_epi16(d[k], 15)),
                                                     _mm_set1_epi16(-1)));
            bad = _mm_or_si128(
                bad, _mm_or_si128(_mm_cmpgt_epi16(d[k], lim), _mm_cmplt_epi16(d[k], nlim)));
        }
        lo[p] = _mm_unpacklo_epi16(d[0], d[1]);
        hi[p] = _mm_unpackhi_epi16(d[0], d[1]);
    }
    const __m128i r1 = _mm_set1_epi32(1 << (CONST_BITS - PASS1_BITS - 1));
    const __m128i r2 = _mm_set1_epi32(1 << (CONST_BITS + PASS1_BITS + 2));
    const __m128i wmax = _mm_set1_epi32(DEQ_MAX), wmin = _mm_set1_epi32(-DEQ_MAX);
    const __m128i omax = _mm_set1_epi32(OUT_MAX), omin = _mm_set1_epi32(OUT_MIN);
    for (int n = 0; n < 8; n++, rmask >>= 1) {
        if (!(rmask & 1))
            continue;
        __m128i a0 = r1, a1 = r1;
        for (int p = 0; p < pv; p++) {
            const __m128i k = _mm_set1_epi32(pair_row[n][p]);
            a0 = _mm_add_epi32(a0, _mm_madd_epi16(lo[p], k));
            a1 = _mm_add_epi32(a1, _mm_madd_epi16(hi[p], k));
        }
        a0 = _mm_srai_epi32(a0, CONST_BITS - PASS1_BITS);
        a1 = _mm_srai_epi32(a1, CONST_BITS - PASS1_BITS);
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi32(a0, wmax), _mm_cmplt_epi32(a0, wmin)));
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi32(a1, wmax), _mm_cmplt_epi32(a1, wmin)));
        const __m128i ws = _mm_packs_epi32(a0, a1);
        const __m128i b4[4] = { _mm_shuffle_epi32(ws, 0x00), _mm_shuffle_epi32(ws, 0x55),
                                _mm_shuffle_epi32(ws, 0xAA), _mm_shuffle_epi32(ws, 0xFF) };
        __m128i o0 = r2, o1 = r2;
        for (int p = 0; p < pu; p++) {
            const __m128i b = b4[p];
            o0 = _mm_add_epi32(
                o0, _mm_madd_epi16(b, _mm_loadu_si128((const __m128i *)&pair_col[p][0])));
            o1 = _mm_add_epi32(
                o1, _mm_madd_epi16(b, _mm_loadu_si128((const __m128i *)&pair_col[p][4])));
        }
        o0 = _mm_srai_epi32(o0, CONST_BITS + PASS1_BITS + 3);
        o1 = _mm_srai_epi32(o1, CONST_BITS + PASS1_BITS + 3);
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi32(o0, omax), _mm_cmplt_epi32(o0, omin)));
        bad = _mm_or_si128(bad, _mm_or_si128(_mm_cmpgt_epi32(o1, omax), _mm_cmplt_epi32(o1, omin)));
        const __m128i o16 = _mm_add_epi16(_mm_packs_epi32(o0, o1), _mm_set1_epi16(128));
        uint8_t px[16];
        _mm_storeu_si128((__m128i *)px, _mm_packus_epi16(o16, o16));
        uint8_t *o = dst;
        for (unsigned cm = cmask, x = 0; cm; cm >>= 1, x++)
            if (cm & 1)
                *o++ = px[x];
        dst += stride;
    }
    return _mm_movemask_epi8(bad) ? -1 : 0;
}
#endif

/* Marks, for one axis of a component's plane (len samples, blocks block
 * rows/columns), which outputs of each block are kept and their first grid
 * index; gi: each sample's grid index or -1. Returns the grid size. */
static size_t axis_masks(const uint8_t *need, size_t len, size_t blocks, uint8_t *mask,
                         int32_t *base, int32_t *gi)
{
    size_t g = 0;
    for (size_t b = 0; b < blocks; b++) {
        mask[b] = 0;
        base[b] = (int32_t)g;
        for (size_t i = 0; i < 8 && b * 8 + i < len; i++) {
            const size_t s = b * 8 + i;
            gi[s] = need[s] ? (int32_t)g : -1;
            if (need[s]) {
                mask[b] |= (uint8_t)(1u << i);
                g++;
            }
        }
    }
    return g;
}

/* Everything one decode allocates, released together. */
struct work {
    void *ptr[48];
    int n;
};

static void *work_alloc(struct work *w, size_t n, size_t size)
{
    if (w->n == (int)(sizeof(w->ptr) / sizeof(w->ptr[0])) || (size && n > SIZE_MAX / size))
        return NULL;
    void *p = mv__calloc(n ? n : 1, size);
    if (p != NULL)
        w->ptr[w->n++] = p;
    return p;
}

static void work_free(struct work *w)
{
    for (int i = 0; i < w->n; i++)
        mv__free(w->ptr[i]);
    w->n = 0;
}

/* The sample's geometry and, per component, the plane samples it reads. */
struct plan {
    size_t w, h, rows, cols; /* image; sample rows x cols */
    size_t *sy, *sx;         /* sampled image rows and columns */
    int hmax, vmax;          /* luma sampling factors (1 for grey) */
    size_t pw[MAX_COMPS], ph[MAX_COMPS];
    int32_t *gr[MAX_COMPS], *gc[MAX_COMPS]; /* plane row/column -> grid index */
};

static size_t div_up(size_t a, size_t b)
{
    return a / b + (a % b != 0);
}

/* Plane samples read around sampled position s (of an axis of len image samples)
 * through an upsampling by f (1 or 2): s / f and, for f 2, the neighbour the
 * triangle filter weighs in (edges replicated). */
static void mark_needed(uint8_t *need, size_t plen, const size_t *s, size_t n, int f)
{
    for (size_t i = 0; i < n; i++) {
        const size_t c = s[i] / (size_t)f;
        need[c] = 1;
        if (f == 2)
            need[s[i] & 1 ? (c + 1 < plen ? c + 1 : c) : (c > 0 ? c - 1 : 0)] = 1;
    }
}

static int idct(const struct comp *c, const int16_t *blk, int last, unsigned rmask, unsigned cmask,
                uint8_t *dst, size_t stride)
{
#if defined(__SSE2__)
    if (!portable)
        return idct_block_sse2(blk, c->q16, last, rmask, cmask, dst, stride);
#endif
    return idct_block(blk, c->q, last, rmask, cmask, dst, stride);
}

void mv__jpeg_sample_portable(int on)
{
    portable = on;
}

/* Masks, bases and grid of component ci; -1 when out of memory. */
static int plan_component(struct sampler *sm, struct plan *p, struct work *w, int ci)
{
    struct comp *c = &sm->c[ci];
    const int fx = ci ? p->hmax : 1, fy = ci ? p->vmax : 1;
    const size_t pw = p->pw[ci], ph = p->ph[ci];
    const size_t bcols = sm->mcu_cols * (size_t)c->h, brows = sm->mcu_rows * (size_t)c->v;
    uint8_t *needr = work_alloc(w, ph, 1), *needc = work_alloc(w, pw, 1);

    c->rmask = work_alloc(w, brows, 1);
    c->cmask = work_alloc(w, bcols, 1);
    c->rbase = work_alloc(w, brows, sizeof(int32_t));
    c->cbase = work_alloc(w, bcols, sizeof(int32_t));
    p->gr[ci] = work_alloc(w, ph, sizeof(int32_t));
    p->gc[ci] = work_alloc(w, pw, sizeof(int32_t));
    if (!needr || !needc || !c->rmask || !c->cmask || !c->rbase || !c->cbase || !p->gr[ci] ||
        !p->gc[ci])
        return -1;
    mark_needed(needr, ph, p->sy, p->rows, fy);
    mark_needed(needc, pw, p->sx, p->cols, fx);
    const size_t grows = axis_masks(needr, ph, brows, c->rmask, c->rbase, p->gr[ci]);
    c->grid_cols = axis_masks(needc, pw, bcols, c->cmask, c->cbase, p->gc[ci]);
    c->grid = work_alloc(w, grows, c->grid_cols);
    return c->grid == NULL ? -1 : 0;
}

/* Restart marker expected at b->p: checks it is RSTn and starts the next
 * interval after it. */
static int restart(struct sampler *sm, unsigned *next)
{
    struct bits *b = &sm->in;
    fill(b);
    if (!b->stop || b->n < 0 || b->n >= 8 || b->end - b->p < 2 || b->p[0] != 0xFF ||
        b->p[1] != 0xD0 + *next)
        return -1;
    b->p += 2;
    b->buf = 0;
    b->n = 0;
    b->stop = 0;
    *next = (*next + 1) & 7;
    for (int i = 0; i < sm->ncomp; i++)
        sm->c[i].pred = 0;
    return 0;
}

static int decode_comp_blocks(struct sampler *sm, struct comp *c, size_t bx0, size_t by0, int nh,
                              int nv, int16_t *blk)
{
    for (int y = 0; y < nv; y++)
        for (int x = 0; x < nh; x++) {
            const size_t bx = bx0 + (size_t)x, by = by0 + (size_t)y;
            int last;
            if (decode_block(&sm->in, c, blk, &last) != 0)
                return -1;
            const unsigned rm = c->rmask[by], cm = c->cmask[bx];
            if (rm && cm &&
                idct(c, blk, last, rm, cm,
                     c->grid + (size_t)c->rbase[by] * c->grid_cols + (size_t)c->cbase[bx],
                     c->grid_cols) != 0)
                return -1;
            /* Only the rows the block used: a fixed 128-byte memset becomes
             * "rep stos", slow to start, and most blocks end early. */
            memset(blk, 0, (size_t)(zz_maxrow[last] + 1) * 8 * sizeof(*blk));
        }
    return 0;
}

/* Every MCU of the scan, then the end of image marker. */
static int decode_scan(struct sampler *sm)
{
    int16_t blk[64] = { 0 };
    unsigned left = sm->restart, next = 0;

    for (size_t my = 0; my < sm->mcu_rows; my++)
        for (size_t mx = 0; mx < sm->mcu_cols; mx++) {
            if (sm->restart && left-- == 0) {
                if (restart(sm, &next) != 0)
                    return -1;
                left = sm->restart - 1;
            }
            for (int i = 0; i < sm->ncomp; i++) {
                struct comp *c = &sm->c[i];
                if (decode_comp_blocks(sm, c, mx * (size_t)c->h, my * (size_t)c->v, c->h, c->v,
                                       blk) != 0)
                    return -1;
            }
        }
    struct bits *b = &sm->in;
    fill(b);
    return b->stop && b->n >= 0 && b->n < 8 && b->end - b->p >= 2 && b->p[0] == 0xFF &&
                   b->p[1] == 0xD9
               ? 0
               : -1;
}

/* Chroma grid indices and filter bias for each sample column (or row): the
 * nearer plane sample, the other one the triangle filter reads, the bias. */
struct taps {
    int32_t *a, *b;
    uint8_t *odd;
};

static int make_taps(struct work *w, struct taps *t, const size_t *s, size_t n, const int32_t *gi,
                     size_t plen, int f)
{
    t->a = work_alloc(w, n, sizeof(int32_t));
    t->b = work_alloc(w, n, sizeof(int32_t));
    t->odd = work_alloc(w, n, 1);
    if (!t->a || !t->b || !t->odd)
        return -1;
    for (size_t i = 0; i < n; i++) {
        const size_t c = s[i] / (size_t)f;
        size_t o = c;
        if (f == 2)
            o = s[i] & 1 ? (c + 1 < plen ? c + 1 : c) : (c > 0 ? c - 1 : 0);
        t->a[i] = gi[c];
        t->b[i] = gi[o];
        t->odd[i] = (uint8_t)(s[i] & 1);
    }
    return 0;
}

/* One chroma sample of grid g at sample (row taps ry, index i; column taps cx,
 * index j), upsampled as libjpeg's fancy upsampling does for factors fx, fy. */
static int chroma_at(const uint8_t *g, size_t gcols, const struct taps *ry, size_t i,
                     const struct taps *cx, size_t j, int fx, int fy)
{
    const uint8_t *ra = g + (size_t)ry->a[i] * gcols, *rb = g + (size_t)ry->b[i] * gcols;
    const int32_t ca = cx->a[j], cb = cx->b[j];
    if (fx == 1)
        return ra[ca];
    if (fy == 1)
        return (3 * ra[ca] + ra[cb] + (cx->odd[j] ? 2 : 1)) >> 2;
    const int sa = 3 * ra[ca] + rb[ca], sb = 3 * ra[cb] + rb[cb];
    return (3 * sa + sb + (cx->odd[j] ? 7 : 8)) >> 4;
}

/* The sample's pixels from the grids: luma as is, chroma upsampled, RGB. */
static int assemble(struct sampler *sm, struct plan *p, struct work *w, mv__image *out)
{
    const struct comp *y = &sm->c[0];
    for (size_t i = 0; i < p->rows; i++)
        if (sm->ncomp == 1)
            memcpy(out->pixels + i * out->stride, y->grid + i * y->grid_cols, p->cols);
    if (sm->ncomp == 1)
        return 0;
    struct taps ry, cx;
    if (make_taps(w, &ry, p->sy, p->rows, p->gr[1], p->ph[1], p->vmax) != 0 ||
        make_taps(w, &cx, p->sx, p->cols, p->gc[1], p->pw[1], p->hmax) != 0)
        return -1;
    const struct comp *cb = &sm->c[1], *cr = &sm->c[2];
    for (size_t i = 0; i < p->rows; i++) {
        uint8_t *o = out->pixels + i * out->stride;
        const uint8_t *yr = y->grid + i * y->grid_cols;
        for (size_t j = 0; j < p->cols; j++, o += 3) {
            const int l = yr[j];
            const int u = chroma_at(cb->grid, cb->grid_cols, &ry, i, &cx, j, p->hmax, p->vmax);
            const int v = chroma_at(cr->grid, cr->grid_cols, &ry, i, &cx, j, p->hmax, p->vmax);
            o[0] = clamp_sample(l + cr_r[v]);
            o[1] = clamp_sample(l + ((cb_g[u] + cr_g[v]) >> 16));
            o[2] = clamp_sample(l + cb_b[u]);
        }
    }
    return 0;
}

/* 1 when the layout is one this file decodes. */
static int layout_ok(const mv__jpeg_layout *l, size_t rows)
{
    if (l == NULL || l->data == NULL || rows == 0 || l->height <= rows || l->width < 4 ||
        (l->ncomp != 1 && l->ncomp != 3))
        return 0;
    for (int i = 0; i < l->ncomp; i++)
        if (!l->comp[i].quant || !l->comp[i].dc_bits || !l->comp[i].dc_vals ||
            !l->comp[i].ac_bits || !l->comp[i].ac_vals)
            return 0;
    if (l->ncomp == 1)
        return 1;
    const int h = l->comp[0].h, v = l->comp[0].v;
    for (int i = 1; i < 3; i++)
        if (l->comp[i].h != 1 || l->comp[i].v != 1)
            return 0;
    return (h == 1 && v == 1) || (h == 2 && v == 1) || (h == 2 && v == 2);
}

static int setup(struct sampler *sm, struct plan *p, struct work *w, const mv__jpeg_layout *l,
                 size_t rows)
{
    sm->ncomp = l->ncomp;
    sm->restart = l->restart_interval;
    p->w = l->width;
    p->h = l->height;
    p->rows = rows;
    p->cols = l->width > rows ? rows : l->width;
    p->hmax = l->ncomp == 3 ? l->comp[0].h : 1;
    p->vmax = l->ncomp == 3 ? l->comp[0].v : 1;
    sm->mcu_cols = div_up(p->w, 8 * (size_t)p->hmax);
    sm->mcu_rows = div_up(p->h, 8 * (size_t)p->vmax);
    p->sy = work_alloc(w, p->rows, sizeof(size_t));
    p->sx = work_alloc(w, p->cols, sizeof(size_t));
    if (!p->sy || !p->sx)
        return -1;
    for (size_t i = 0; i < p->rows; i++)
        p->sy[i] = i * p->h / p->rows;
    for (size_t j = 0; j < p->cols; j++)
        p->sx[j] = l->width > rows ? j * p->w / rows : j;
    for (int i = 0; i < sm->ncomp; i++) {
        struct comp *c = &sm->c[i];
        c->h = l->ncomp == 3 ? l->comp[i].h : 1;
        c->v = l->ncomp == 3 ? l->comp[i].v : 1;
        c->dc = &sm->tables[2 * i];
        c->ac = &sm->tables[2 * i + 1];
        p->pw[i] = i ? div_up(p->w, (size_t)p->hmax) : p->w;
        p->ph[i] = i ? div_up(p->h, (size_t)p->vmax) : p->h;
        for (int k = 0; k < 64; k++) {
            if (l->comp[i].quant[k] > DEQ_MAX)
                return 1;
            c->q[k] = l->comp[i].quant[k];
            c->q16[k] = (int16_t)c->q[k];
        }
        if (huff_build(&sm->tables[2 * i], l->comp[i].dc_bits, l->comp[i].dc_vals, 1) != 0 ||
            huff_build(&sm->tables[2 * i + 1], l->comp[i].ac_bits, l->comp[i].ac_vals, 0) != 0)
            return 1;
        if (plan_component(sm, p, w, i) != 0)
            return -1;
    }
    if (sm->ncomp == 3 && (p->pw[1] < 2 || p->ph[1] < 2))
        return 1;
    return 0;
}

mv_status mv__jpeg_sample_decode(const mv__jpeg_layout *l, size_t rows, size_t max_pixels,
                                 mv__image *out)
{
    if (out == NULL)
        return MV_EINVAL;
    memset(out, 0, sizeof(*out));
    if (!layout_ok(l, rows))
        return MV_ENOTSUP;
    if (l->width > max_pixels / l->height)
        return MV_ETOOBIG;
    pthread_once(&tables_once, init_tables);

    struct work w = { .n = 0 };
    struct plan p = { 0 };
    struct sampler *sm = work_alloc(&w, 1, sizeof(*sm));
    mv_status st = MV_ENOMEM;
    if (sm == NULL)
        goto done;
    const int s = setup(sm, &p, &w, l, rows);
    if (s != 0) {
        st = s < 0 ? MV_ENOMEM : MV_ENOTSUP;
        goto done;
    }
    sm->in = (struct bits){ .p = l->data, .end = l->data + l->size };
    if (decode_scan(sm) != 0) {
        st = MV_ENOTSUP;
        goto done;
    }
    st = mv__image_alloc(out, p.cols, p.rows, sm->ncomp == 1 ? 1 : 3, max_pixels);
    if (st == MV_OK && assemble(sm, &p, &w, out) != 0)
        st = MV_ENOMEM;
    if (st == MV_OK)
        out->full_height = p.h;
    else
        mv__image_free(out);
done:
    work_free(&w);
    return st;
}
