/*
 * JPEG decoding through libjpeg(-turbo) with its default settings.
 *
 * PDQ's reference decoded JPEGs through ImageMagick on libjpeg-turbo: integer
 * IDCT (JDCT_ISLOW) and fancy upsampling, both libjpeg defaults, so nothing is
 * tuned here. Grey JPEGs come out as one channel; CMYK and YCCK come out as
 * libjpeg's (Adobe-inverted) CMYK and are turned into RGB with ImageMagick's
 * Q16 arithmetic, which is what the reference hashed. libjpeg reports fatal
 * errors through longjmp; a premature end of data is only a warning there, but a
 * truncated file is corrupt for us, so that warning is turned into MV_ECORRUPT.
 */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "../core/core.h"
#include "media.h"

struct jpeg_err {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
    int truncated;
};

static void on_error(j_common_ptr cinfo)
{
    struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
    longjmp(e->jump, 1);
}

static void on_message(j_common_ptr cinfo, int level)
{
    struct jpeg_err *e = (struct jpeg_err *)cinfo->err;
    if (level < 0 && e->mgr.msg_code == JWRN_JPEG_EOF)
        e->truncated = 1;
}

/* ImageMagick Q16: inverted CMYK samples to one 8-bit RGB channel. */
static uint8_t cmyk_channel(uint8_t sample, uint8_t black)
{
    const double qr = 65535.0, scale = 1.0 / 65535.0;
    const double c = qr - 257.0 * sample, k = qr - 257.0 * black;
    const double v = qr - (scale * c * (qr - k) + k);
    const unsigned long q = v <= 0.0 ? 0 : v >= qr ? 65535 : (unsigned long)(v + 0.5);
    return (uint8_t)(((q + 128UL) - ((q + 128UL) >> 8)) >> 8);
}

/* One inverted CMYK pixel (4 samples) to RGB. */
static void cmyk_pixel(const uint8_t *in, uint8_t *out)
{
    out[0] = cmyk_channel(in[0], in[3]);
    out[1] = cmyk_channel(in[1], in[3]);
    out[2] = cmyk_channel(in[2], in[3]);
}

static void cmyk_row(const uint8_t *in, uint8_t *out, size_t width)
{
    for (size_t x = 0; x < width; x++, in += 4, out += 3)
        cmyk_pixel(in, out);
}

static int pick_output(struct jpeg_decompress_struct *ci)
{
    switch (ci->jpeg_color_space) {
    case JCS_GRAYSCALE:
        ci->out_color_space = JCS_GRAYSCALE;
        return 1;
    case JCS_CMYK:
    case JCS_YCCK:
        ci->out_color_space = JCS_CMYK;
        return 4;
    default:
        ci->out_color_space = JCS_RGB;
        return 3;
    }
}

/* Columns cols[0..n) of a scanline of in_ch samples per pixel (CMYK when 4)
 * as pixels of 3 samples (1 for grey) at dst. */
static void pick_columns(const uint8_t *row, const size_t *cols, size_t n, int in_ch, uint8_t *dst)
{
    if (in_ch == 1) {
        for (size_t x = 0; x < n; x++)
            dst[x] = row[cols[x]];
        return;
    }
    for (size_t x = 0; x < n; x++, dst += 3) {
        const uint8_t *p = row + cols[x] * (size_t)in_ch;
        if (in_ch == 4) {
            cmyk_pixel(p, dst);
        } else {
            dst[0] = p[0];
            dst[1] = p[1];
            dst[2] = p[2];
        }
    }
}

/*
 * Reads the next scanline into slot `slot` of img. cols, when not NULL, lists
 * the img->width source columns to keep; the scanline then goes through row,
 * as a CMYK scanline (in_ch 4) always does.
 */
static int read_row(struct jpeg_decompress_struct *ci, mv__image *img, size_t slot, int in_ch,
                    uint8_t *row, const size_t *cols)
{
    uint8_t *dst = img->pixels + slot * img->stride;
    const int direct = in_ch != 4 && cols == NULL;
    JSAMPROW rp = direct ? dst : row;
    if (jpeg_read_scanlines(ci, &rp, 1) != 1)
        return 0;
    if (direct)
        return 1;
    if (cols == NULL) {
        cmyk_row(row, dst, img->width);
        return 1;
    }
    pick_columns(row, cols, img->width, in_ch, dst);
    return 1;
}

/* Reads and drops one scanline into scratch; 0 when the decoder stops short. */
static int drop_row(struct jpeg_decompress_struct *ci, uint8_t *scratch)
{
    JSAMPROW rp = scratch;
    return jpeg_read_scanlines(ci, &rp, 1) == 1;
}

/*
 * Skips to scanline `to`. libjpeg-turbo 2.1's jpeg_skip_scanlines() can give
 * wrong rows after a skip that does not start on a row group boundary (a row
 * group is max_v_samp_factor scanlines when nothing is scaled): seen on the row
 * after odd skips with h2v2 fancy upsampling (4:2:0 photos), and after skips
 * within the 3- and 4-row groups of vertical factors 3 and 4. So skips here run
 * from a row group boundary to another and the rows around them are read into
 * scratch: the rows kept then equal the full decode's (checked on every layout
 * by tests/unit/media/test_jpeg_rows.c). 0 when the decoder stops short.
 */
static int skip_to(struct jpeg_decompress_struct *ci, JDIMENSION to, uint8_t *scratch)
{
    const JDIMENSION group = (JDIMENSION)ci->max_v_samp_factor;
    while (ci->output_scanline < to && ci->output_scanline % group != 0)
        if (!drop_row(ci, scratch))
            return 0;
    const JDIMENSION end = to - to % group;
    if (ci->output_scanline < end) {
        const JDIMENSION n = end - ci->output_scanline;
        if (jpeg_skip_scanlines(ci, n) != n)
            return 0;
    }
    while (ci->output_scanline < to)
        if (!drop_row(ci, scratch))
            return 0;
    return 1;
}

/*
 * Reads every scanline into img, or when img holds fewer rows than the image,
 * only scanline i * output_height / img->height into row i, skipping the others
 * (entropy-decoded, but mostly never upsampled or colour-converted). row is one
 * full scanline of scratch space; cols as in read_row().
 *
 * The skipping stops short of the end and the last scanline is read. Asked to
 * skip to the bottom of the image, jpeg_skip_scanlines() returns at once and
 * marks the input as ended without decoding the MCU rows it skips, so neither a
 * file cut short there nor one with something other than EOI after its data
 * (SOI, RST0, a second SOS) would fail, where the full decode fails in
 * jpeg_finish_decompress(), which reads on to the EOI marker. Reading the last
 * scanline decodes every MCU, and jpeg_finish_decompress() then reads what
 * follows the data exactly as in the full decode.
 */
static void read_rows(struct jpeg_decompress_struct *ci, mv__image *img, int in_ch, uint8_t *row,
                      const size_t *cols)
{
    const size_t h = ci->output_height;
    if (img->height == h) {
        for (size_t i = 0; i < h; i++)
            if (!read_row(ci, img, i, in_ch, row, cols))
                return;
        return;
    }
    for (size_t i = 0; i < img->height; i++)
        if (!skip_to(ci, (JDIMENSION)(i * h / img->height), row) ||
            !read_row(ci, img, i, in_ch, row, cols))
            return;
    const JDIMENSION last = ci->output_height - 1;
    if (ci->output_scanline <= last && skip_to(ci, last, row))
        drop_row(ci, row);
}

struct jpeg_job {
    struct jpeg_decompress_struct ci;
    struct jpeg_err err;
    uint8_t *row_mem, *row; /* row: one scanline, at row_mem + 1 (see decode()) */
    size_t *cols;
};

/*
 * With `rows` below the image's height, the image comes back as its
 * nearest-neighbour sample of `rows` rows and, when wider than `rows`, of `rows`
 * columns too (column j is source column j * width / rows): the pixels PDQ's
 * pre-resize would pick, and no others are kept.
 */
static mv_status decode(struct jpeg_job *j, const uint8_t *data, size_t size, size_t max_pixels,
                        size_t rows, mv__image *out)
{
    jpeg_mem_src(&j->ci, data, (unsigned long)size);
    if (jpeg_read_header(&j->ci, TRUE) != JPEG_HEADER_OK)
        return MV_ECORRUPT;
    const int in_ch = pick_output(&j->ci);
    const size_t w = j->ci.image_width, h = j->ci.image_height;
    if (w == 0 || h == 0)
        return MV_ECORRUPT;
    if (w > max_pixels / h)
        return MV_ETOOBIG;
    jpeg_start_decompress(&j->ci);
    if (j->ci.output_components != in_ch)
        return MV_ENOTSUP;
    const size_t full_w = j->ci.output_width, full_h = j->ci.output_height;
    const size_t keep = rows && rows < full_h ? rows : full_h;
    const int sample_cols = keep < full_h && full_w > rows;
    mv_status st =
        mv__image_alloc(out, sample_cols ? rows : full_w, keep, in_ch == 4 ? 3 : in_ch, max_pixels);
    out->full_height = full_h;
    /* The scanline buffer starts one byte past malloc's alignment on purpose:
     * libjpeg-turbo's SIMD colour conversion writes an aligned output row with
     * non-temporal stores, which bypass the cache, and the columns picked from
     * it right after would then be read back from memory (~9% of the time of a
     * 1600x1004 photo's fingerprint, measured with perf). */
    if (st == MV_OK && (in_ch == 4 || keep < full_h)) {
        j->row_mem = mv__malloc(full_w * (size_t)in_ch + 1);
        if (j->row_mem == NULL)
            st = MV_ENOMEM;
        else
            j->row = j->row_mem + 1;
    }
    if (st == MV_OK && sample_cols && (j->cols = mv__malloc(rows * sizeof(*j->cols))) == NULL)
        st = MV_ENOMEM;
    if (st != MV_OK)
        return st;
    for (size_t x = 0; sample_cols && x < rows; x++)
        j->cols[x] = x * full_w / rows;
    read_rows(&j->ci, out, in_ch, j->row, j->cols);
    if (j->err.truncated || j->ci.output_scanline < j->ci.output_height)
        return MV_ECORRUPT;
    jpeg_finish_decompress(&j->ci);
    return j->err.truncated ? MV_ECORRUPT : MV_OK;
}

mv_status mv__image_jpeg(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    return mv__image_jpeg_rows(data, size, max_pixels, 0, out);
}

mv_status mv__image_jpeg_rows(const uint8_t *data, size_t size, size_t max_pixels, size_t rows,
                              mv__image *out)
{
    struct jpeg_job *j = mv__calloc(1, sizeof(*j));
    mv_status st = MV_ECORRUPT;

    if (j == NULL)
        return MV_ENOMEM;
    j->ci.err = jpeg_std_error(&j->err.mgr);
    j->err.mgr.error_exit = on_error;
    j->err.mgr.emit_message = on_message;
    if (setjmp(j->err.jump) == 0) {
        jpeg_create_decompress(&j->ci);
        st = decode(j, data, size, max_pixels, rows, out);
    } else {
        st = MV_ECORRUPT;
    }
    jpeg_destroy_decompress(&j->ci);
    mv__free(j->row_mem);
    mv__free(j->cols);
    mv__free(j);
    return st;
}
