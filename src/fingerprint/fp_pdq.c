/*
 * PDQ from pixels: luma, two-pass box blur, 64x64 decimation, quality, 16x16 DCT,
 * median threshold, and the eight dihedral hashes from one DCT.
 *
 * Written from the published PDQ description (hashing.pdf and the reference
 * vectors' README). Hashes must equal the reference bit for bit, so every float
 * operation here runs in float32, in the reference's order: this file is compiled
 * with -ffp-contract=off (see src/CMakeLists.txt) and must never be given
 * -ffast-math. Sums are never reordered. Where the compiler vectorises (the
 * blur's lanes), each lane holds one output and sees exactly its scalar operations,
 * in the same order; the vertical blur walks rows instead of columns for the cache,
 * but each output still sees the same additions, subtractions and division in the
 * same order as a column walk.
 *
 * Images larger than 512 px on a side are first resized to exactly 512x512 by
 * nearest neighbour (the reference CLI's way) unless MV_PDQ_FULLRES is given; the
 * resize is folded into the luma pass, so no resized copy is made.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "fp_pdq.h"
#include "mediavault/pdq.h"

#define PDQ_MIN_SIDE  5
#define PDQ_RESIZE_TO 512
#define PDQ_DEC       64 /* decimated side */
#define PDQ_DCT       16 /* DCT side kept */
#define PDQ_PASSES    2

static const float luma_r = 0.299f, luma_g = 0.587f, luma_b = 0.114f;

/* luma_r * v, luma_g * v and luma_b * v for every byte v: the products the luma
 * sum adds, computed once (each is the float product, rounded as in place). */
struct luma_tables {
    float r[256], g[256], b[256];
};

static void luma_tables_fill(struct luma_tables *t)
{
    for (int v = 0; v < 256; v++) {
        t->r[v] = luma_r * (float)v;
        t->g[v] = luma_g * (float)v;
        t->b[v] = luma_b * (float)v;
    }
}

static void luma_row(const uint8_t *row, const size_t *offset, size_t ow, int ch,
                     const struct luma_tables *t, float *out)
{
    if (ch == 1) {
        for (size_t j = 0; j < ow; j++)
            out[j] = (float)row[offset ? offset[j] : j];
        return;
    }
    for (size_t j = 0; j < ow; j++) {
        const uint8_t *p = row + (offset ? offset[j] : 3 * j);
        out[j] = t->r[p[0]] + t->g[p[1]] + t->b[p[2]];
    }
}

/*
 * Luma of the image, or of its nearest-neighbour resize to ow x oh when that
 * differs from w x h (ow <= PDQ_RESIZE_TO then): output (i, j) takes source row
 * i * h / oh and column j * w / ow, as integers.
 */
static void fill_luma(const uint8_t *pix, size_t w, size_t h, size_t stride, int ch, size_t ow,
                      size_t oh, float *luma, int presampled)
{
    size_t offset[PDQ_RESIZE_TO];
    struct luma_tables t;
    const int resize = ow != w || oh != h;

    if (ch == 3)
        luma_tables_fill(&t);
    /* Only a change of width needs the column map; the columns of a sample
     * that is already ow wide (presampled) are its own. */
    const size_t *cols = ow != w ? offset : NULL;
    for (size_t j = 0; cols && j < ow; j++)
        offset[j] = j * w / ow * (size_t)ch;
    for (size_t i = 0; i < oh; i++) {
        const size_t src = resize && !presampled ? i * h / oh : i;
        luma_row(pix + src * stride, cols, ow, ch, &t, luma + i * ow);
    }
}

/* Window lengths of the four phases of a box filter of `win` over `n` samples. */
struct box_phases {
    size_t grow, grow_write, full, shrink;
};

static struct box_phases box_plan(size_t n, size_t win)
{
    const size_t half = (win + 2) / 2;
    struct box_phases p = { half - 1, win - half + 1, n - win, half - 1 };
    return p;
}

/*
 * Several independent vectors through the box filter at once ("lanes"): sample k
 * of lane c is at k * step + c * lane_stride. Each lane sees exactly the float
 * operations of a one-vector filter, in the same order; running lanes side by
 * side only lets their additions overlap. Columns are lanes of stride 1 walked
 * row by row (sequential memory); rows go ROW_LANES at a time.
 */
struct lanes {
    size_t step, lane_stride, count;
};

#define ROW_LANES 8

static void lanes_add(float *sum, const float *src, struct lanes l)
{
    for (size_t c = 0; c < l.count; c++)
        sum[c] += src[c * l.lane_stride];
}

static void lanes_sub(float *sum, const float *src, struct lanes l)
{
    for (size_t c = 0; c < l.count; c++)
        sum[c] -= src[c * l.lane_stride];
}

static void lanes_div(float *out, const float *sum, int cur, struct lanes l)
{
    for (size_t c = 0; c < l.count; c++)
        out[c * l.lane_stride] = sum[c] / (float)cur;
}

static void lanes_slide(float *sum, const float *add, const float *sub, float *out, int cur,
                        struct lanes l)
{
    for (size_t c = 0; c < l.count; c++) {
        sum[c] += add[c * l.lane_stride];
        sum[c] -= sub[c * l.lane_stride];
        out[c * l.lane_stride] = sum[c] / (float)cur;
    }
}

/* lanes_slide() for adjacent lanes, written so that the compiler can vectorise it:
 * element-wise float operations give the same results in vector registers. */
static void lanes_slide_adjacent(float *restrict sum, const float *add, const float *sub,
                                 float *restrict out, int cur, size_t count)
{
    const float n = (float)cur;
    for (size_t c = 0; c < count; c++) {
        const float s = (sum[c] + add[c]) - sub[c];
        sum[c] = s;
        out[c] = s / n;
    }
}

/* The four phases: grow without writing, grow and write, slide, shrink. */
static void box_lanes(const float *in, float *out, size_t n, size_t win, struct lanes l, float *sum)
{
    const struct box_phases p = box_plan(n, win);
    size_t li = 0, ri = 0, oi = 0;
    int cur = 0;

    memset(sum, 0, l.count * sizeof(*sum));
    for (size_t k = 0; k < p.grow; k++, cur++)
        lanes_add(sum, in + ri++ * l.step, l);
    for (size_t k = 0; k < p.grow_write; k++) {
        lanes_add(sum, in + ri++ * l.step, l);
        lanes_div(out + oi++ * l.step, sum, ++cur, l);
    }
    for (size_t k = 0; k < p.full; k++, ri++, li++, oi++) {
        if (l.lane_stride == 1)
            lanes_slide_adjacent(sum, in + ri * l.step, in + li * l.step, out + oi * l.step, cur,
                                 l.count);
        else
            lanes_slide(sum, in + ri * l.step, in + li * l.step, out + oi * l.step, cur, l);
    }
    for (size_t k = 0; k < p.shrink; k++) {
        lanes_sub(sum, in + li++ * l.step, l);
        lanes_div(out + oi++ * l.step, sum, --cur, l);
    }
}

/*
 * dst[j * dst_stride + i] = src[i * src_stride + j] for i < rows, j < cols: the
 * copies into and out of box_rows()' transposed layout, four source rows at a time
 * so that each destination row is written four floats at once (the element-wise
 * copy, strided on one side, took a quarter of the hash's time). Only floats are
 * moved, so the order does not change a result.
 */
static void transpose(const float *src, size_t src_stride, size_t rows, size_t cols, float *dst,
                      size_t dst_stride)
{
    const size_t tiled = rows / 4 * 4;
    for (size_t i = 0; i < tiled; i += 4) {
        const float *s = src + i * src_stride;
        for (size_t j = 0; j < cols; j++) {
            float *d = dst + j * dst_stride + i;
            d[0] = s[j];
            d[1] = s[src_stride + j];
            d[2] = s[2 * src_stride + j];
            d[3] = s[3 * src_stride + j];
        }
    }
    for (size_t i = tiled; i < rows; i++)
        for (size_t j = 0; j < cols; j++)
            dst[j * dst_stride + i] = src[i * src_stride + j];
}

/*
 * Rows go ROW_LANES at a time through a transposed copy: sample k of row c of the
 * group at t[k * ROW_LANES + c], so that the group's rows are adjacent lanes (which
 * the compiler vectorises) instead of lanes a row apart. t holds 2 * ROW_LANES * cols
 * floats; a last group of fewer rows uses the strided lanes directly.
 */
static void box_rows(const float *in, float *out, size_t rows, size_t cols, size_t win, float *sum,
                     float *t)
{
    float *tin = t, *tout = t + ROW_LANES * cols;
    const struct lanes adjacent = { ROW_LANES, 1, ROW_LANES };
    size_t i = 0;

    for (; i + ROW_LANES <= rows; i += ROW_LANES) {
        transpose(in + i * cols, cols, ROW_LANES, cols, tin, ROW_LANES);
        box_lanes(tin, tout, cols, win, adjacent, sum);
        transpose(tout, ROW_LANES, cols, ROW_LANES, out + i * cols, cols);
    }
    if (i < rows) {
        const struct lanes l = { 1, cols, rows - i };
        box_lanes(in + i * cols, out + i * cols, cols, win, l, sum);
    }
}

/* Two passes of rows then columns; the result ends in a. sum holds max(cols, ROW_LANES),
 * t 2 * ROW_LANES * cols (box_rows()). */
static void blur(float *a, float *b, size_t rows, size_t cols, float *sum, float *t)
{
    const size_t win_rows = (cols + 2 * PDQ_DEC - 1) / (2 * PDQ_DEC);
    const size_t win_cols = (rows + 2 * PDQ_DEC - 1) / (2 * PDQ_DEC);
    const struct lanes columns = { cols, 1, cols };

    for (int pass = 0; pass < PDQ_PASSES; pass++) {
        box_rows(a, b, rows, cols, win_rows, sum, t);
        box_lanes(b, a, rows, win_cols, columns, sum);
    }
}

static void decimate(const float *in, size_t rows, size_t cols, float out[PDQ_DEC][PDQ_DEC])
{
    for (int i = 0; i < PDQ_DEC; i++) {
        const size_t ini = (size_t)(((i + 0.5) * (double)rows) / PDQ_DEC);
        for (int j = 0; j < PDQ_DEC; j++) {
            const size_t inj = (size_t)(((j + 0.5) * (double)cols) / PDQ_DEC);
            out[i][j] = in[ini * cols + inj];
        }
    }
}

static int grad(float u, float v)
{
    const int d = (int)(((u - v) * 100) / 255);
    return abs(d);
}

static int quality_of(const float a[PDQ_DEC][PDQ_DEC])
{
    int sum = 0;
    for (int i = 0; i < PDQ_DEC - 1; i++)
        for (int j = 0; j < PDQ_DEC; j++)
            sum += grad(a[i][j], a[i + 1][j]);
    for (int i = 0; i < PDQ_DEC; i++)
        for (int j = 0; j < PDQ_DEC - 1; j++)
            sum += grad(a[i][j], a[i][j + 1]);
    const int q = sum / 90;
    return q > 100 ? 100 : q;
}

static void dct_matrix(float d[PDQ_DCT][PDQ_DEC])
{
    const float scale = (float)sqrt(2.0 / 64.0);
    for (int i = 0; i < PDQ_DCT; i++)
        for (int j = 0; j < PDQ_DEC; j++)
            d[i][j] = (float)(scale * cos((M_PI / 2 / 64.0) * (i + 1) * (2 * j + 1)));
}

/* c = d * a * transpose(d), summing over k in increasing order. */
static void dct(const float a[PDQ_DEC][PDQ_DEC], float c[PDQ_DCT][PDQ_DCT])
{
    float d[PDQ_DCT][PDQ_DEC], t[PDQ_DCT][PDQ_DEC];

    dct_matrix(d);
    for (int i = 0; i < PDQ_DCT; i++)
        for (int j = 0; j < PDQ_DEC; j++) {
            float s = 0.0f;
            for (int k = 0; k < PDQ_DEC; k++)
                s += d[i][k] * a[k][j];
            t[i][j] = s;
        }
    for (int i = 0; i < PDQ_DCT; i++)
        for (int j = 0; j < PDQ_DCT; j++) {
            float s = 0.0f;
            for (int k = 0; k < PDQ_DEC; k++)
                s += t[i][k] * d[j][k];
            c[i][j] = s;
        }
}

static int cmp_float(const void *a, const void *b)
{
    const float x = *(const float *)a, y = *(const float *)b;
    return (x > y) - (x < y);
}

/* Bits above the lower median (the 128th smallest, which the reference's Torben search finds). */
static void threshold(const float c[PDQ_DCT][PDQ_DCT], mv_pdq_hash *hash)
{
    float sorted[PDQ_DCT * PDQ_DCT];

    memcpy(sorted, c, sizeof(sorted));
    qsort(sorted, PDQ_DCT * PDQ_DCT, sizeof(float), cmp_float);
    const float median = sorted[PDQ_DCT * PDQ_DCT / 2 - 1];
    memset(hash, 0, sizeof(*hash));
    for (int i = 0; i < PDQ_DCT; i++)
        for (int j = 0; j < PDQ_DCT; j++)
            if (c[i][j] > median)
                hash->words[i] |= (uint16_t)(1u << j);
}

/*
 * A dihedral transform of the image as a transform of its DCT: mirroring an axis
 * negates that axis's odd-frequency coefficients (even indices, as index i holds
 * frequency i + 1); swapping the axes transposes the matrix.
 */
struct dihedral {
    int transpose, neg_rows, neg_cols;
};

static const struct dihedral dihedrals[MV_PDQ_NDIHEDRAL] = {
    [MV_PDQ_ORIG] = { 0, 0, 0 },   [MV_PDQ_ROT90] = { 1, 1, 0 }, [MV_PDQ_ROT180] = { 0, 1, 1 },
    [MV_PDQ_ROT270] = { 1, 0, 1 }, [MV_PDQ_FLIPX] = { 0, 1, 0 }, [MV_PDQ_FLIPY] = { 0, 0, 1 },
    [MV_PDQ_FLIPP] = { 1, 0, 0 },  [MV_PDQ_FLIPM] = { 1, 1, 1 },
};

static void transform(const float c[PDQ_DCT][PDQ_DCT], struct dihedral t, float o[PDQ_DCT][PDQ_DCT])
{
    for (int i = 0; i < PDQ_DCT; i++)
        for (int j = 0; j < PDQ_DCT; j++) {
            const float v = t.transpose ? c[j][i] : c[i][j];
            const int neg = ((t.neg_rows && i % 2 == 0) + (t.neg_cols && j % 2 == 0)) % 2;
            o[i][j] = neg ? -v : v;
        }
}

/* Luma through DCT; c gets the 16x16 coefficients. */
/* held_h: rows in pix; when below h, pix holds only the rows the pre-resize samples
 * (row i is source row i * h / PDQ_RESIZE_TO, see mv__pdq_sampled_pixels()). */
static mv_status pdq_dct(const uint8_t *pix, size_t w, size_t h, size_t held_h, size_t stride,
                         int ch, unsigned flags, float c[PDQ_DCT][PDQ_DCT], int *quality)
{
    const int resize = !(flags & MV_PDQ_FULLRES) && (w > PDQ_RESIZE_TO || h > PDQ_RESIZE_TO);
    const size_t ow = resize ? PDQ_RESIZE_TO : w, oh = resize ? PDQ_RESIZE_TO : h;

    /* 2 * ow * oh + sum_len + t_len <= ow * (2 * oh + 1 + 2 * ROW_LANES) + ROW_LANES */
    if (oh > SIZE_MAX / 4 ||
        ow > (SIZE_MAX / sizeof(float) - ROW_LANES) / (2 * oh + 1 + 2 * ROW_LANES))
        return MV_ETOOBIG;
    const size_t sum_len = ow < ROW_LANES ? ROW_LANES : ow, t_len = 2 * ROW_LANES * ow;
    /* One block: a and b (the image and the blur's other buffer), sum, t. */
    float *a = mv__malloc((2 * ow * oh + sum_len + t_len) * sizeof(float));
    if (a == NULL)
        return MV_ENOMEM;
    float *b = a + ow * oh, *sum = b + ow * oh, *t = sum + sum_len;
    float dec[PDQ_DEC][PDQ_DEC];
    fill_luma(pix, w, h, stride, ch, ow, oh, a, held_h != h);
    blur(a, b, oh, ow, sum, t);
    decimate(a, oh, ow, dec);
    mv__free(a);
    *quality = quality_of(dec);
    dct(dec, c);
    return MV_OK;
}

static mv_status check_args(const uint8_t *pix, size_t w, size_t stride, int ch, const void *out,
                            const int *quality)
{
    if (pix == NULL || out == NULL || quality == NULL || (ch != 1 && ch != 3))
        return MV_EINVAL;
    if (w > SIZE_MAX / 3 || stride < w * (size_t)ch)
        return MV_EINVAL;
    return MV_OK;
}

mv_status mv_pdq_dihedral_pixels(const uint8_t *pixels, size_t width, size_t height, size_t stride,
                                 int channels, unsigned flags, mv_pdq_hash out[MV_PDQ_NDIHEDRAL],
                                 int *quality)
{
    float c[PDQ_DCT][PDQ_DCT], t[PDQ_DCT][PDQ_DCT];
    mv_status st = check_args(pixels, width, stride, channels, out, quality);

    if (st != MV_OK)
        return st;
    if (width < PDQ_MIN_SIDE || height < PDQ_MIN_SIDE) {
        memset(out, 0, MV_PDQ_NDIHEDRAL * sizeof(*out));
        *quality = 0;
        return MV_OK;
    }
    st = pdq_dct(pixels, width, height, height, stride, channels, flags, c, quality);
    if (st != MV_OK)
        return st;
    for (int k = 0; k < MV_PDQ_NDIHEDRAL; k++) {
        transform(c, dihedrals[k], t);
        threshold(t, &out[k]);
    }
    return MV_OK;
}

mv_status mv_pdq_pixels(const uint8_t *pixels, size_t width, size_t height, size_t stride,
                        int channels, unsigned flags, mv_pdq_hash *hash, int *quality)
{
    float c[PDQ_DCT][PDQ_DCT];
    mv_status st = check_args(pixels, width, stride, channels, hash, quality);

    if (st != MV_OK)
        return st;
    if (width < PDQ_MIN_SIDE || height < PDQ_MIN_SIDE) {
        memset(hash, 0, sizeof(*hash));
        *quality = 0;
        return MV_OK;
    }
    st = pdq_dct(pixels, width, height, height, stride, channels, flags, c, quality);
    if (st == MV_OK)
        threshold(c, hash);
    return st;
}

mv_status mv__pdq_sampled_pixels(const uint8_t *pixels, size_t width, size_t height,
                                 size_t full_height, size_t stride, int channels, int dihedral,
                                 mv_pdq_hash *out, int *quality)
{
    float c[PDQ_DCT][PDQ_DCT], t[PDQ_DCT][PDQ_DCT];

    if (full_height == height)
        return dihedral ? mv_pdq_dihedral_pixels(pixels, width, height, stride, channels, 0, out,
                                                 quality)
                        : mv_pdq_pixels(pixels, width, height, stride, channels, 0, out, quality);
    mv_status st = check_args(pixels, width, stride, channels, out, quality);
    if (st == MV_OK && (height != PDQ_RESIZE_TO || full_height <= PDQ_RESIZE_TO))
        st = MV_EINVAL;
    if (st == MV_OK && width < PDQ_MIN_SIDE) {
        memset(out, 0, (dihedral ? MV_PDQ_NDIHEDRAL : 1) * sizeof(*out));
        *quality = 0;
        return MV_OK;
    }
    if (st == MV_OK)
        st = pdq_dct(pixels, width, full_height, height, stride, channels, 0, c, quality);
    if (st != MV_OK || !dihedral) {
        if (st == MV_OK)
            threshold(c, out);
        return st;
    }
    for (int k = 0; k < MV_PDQ_NDIHEDRAL; k++) {
        transform(c, dihedrals[k], t);
        threshold(t, &out[k]);
    }
    return MV_OK;
}
