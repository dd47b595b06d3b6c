/*
 * JPEGs for the tests of the sampled JPEG decode (jpeg_maker.h). Pictures are
 * computed pixel by pixel, with a hash standing in for rand() so that every run
 * makes the same bytes: a photo-like one with many AC coefficients, smooth
 * gradients, cells of saturated primaries, hard black/white and magenta/green
 * edges (large coefficients, clamped colour conversion) and flat ones (DC-only
 * blocks). They go through libjpeg's compressor into a growing buffer of our
 * own, so that an error (reported by longjmp) leaks nothing.
 */
/* cmocka.h needs these four first, in this order. */
// clang-format off
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
// clang-format on
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

#include "jpeg_maker.h"

/* ---------------------------------------------------------------------------
 * Pictures
 */

uint32_t jpeg_maker_mix(uint32_t x)
{
    x ^= x >> 16;
    x *= 0x7feb352dU;
    x ^= x >> 15;
    x *= 0x846ca68bU;
    x ^= x >> 16;
    return x;
}

static uint32_t noise_at(int x, int y, uint32_t seed)
{
    return jpeg_maker_mix((uint32_t)x * 0x9e3779b1U ^ jpeg_maker_mix((uint32_t)y + seed));
}

static uint8_t clamp255(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* A triangle wave of period 512 between 0 and 255. */
static int tri(int t)
{
    const int m = t & 511;
    return m < 256 ? m : 511 - m;
}

/* Smooth shapes, a dark disc and per-pixel noise: many non-zero AC coefficients. */
static void photo_pixel(int x, int y, int w, int h, uint8_t rgb[3])
{
    const int dx = x - w / 3, dy = y - h / 2, r = h / 4 + 1;
    const int shade = dx * dx + dy * dy < r * r ? 2 : 1;
    const uint32_t n = noise_at(x, y, 1);
    rgb[0] = clamp255((tri(3 * x + y) * 3 / 4 + 20) / shade + (int)(n & 63) - 32);
    rgb[1] = clamp255((tri(x + 2 * y + 100) * 2 / 3 + 40) / shade + (int)((n >> 8) & 31) - 16);
    rgb[2] = clamp255(tri(5 * x - 3 * y + 700) / shade + (int)((n >> 16) & 63) - 32);
}

/* Cells of 7 x 5 pixels in black, white and the six saturated primaries. */
static void saturated_pixel(int x, int y, uint8_t rgb[3])
{
    const uint32_t c = noise_at(x / 7, y / 5, 2) % 8;
    rgb[0] = (c & 1) ? 255 : 0;
    rgb[1] = (c & 2) ? 255 : 0;
    rgb[2] = (c & 4) ? 255 : 0;
}

/* A 3-pixel checkerboard crossed by lines: black and white on the left half,
 * magenta and green (the largest chroma steps) on the right. */
static void edge_pixel(int x, int y, int w, uint8_t rgb[3])
{
    int v = ((x / 3 + y / 3) & 1) ? 255 : 0;
    if (x % 17 == 0 || y % 13 == 0)
        v = 255 - v;
    rgb[0] = (uint8_t)v;
    rgb[1] = (uint8_t)(x < w / 2 ? v : 255 - v);
    rgb[2] = (uint8_t)v;
}

static void picture_pixel(const struct spec *s, int x, int y, uint8_t rgb[3])
{
    const int w = s->width, h = s->height;
    switch (s->picture) {
    case NOISE:
        photo_pixel(x, y, w, h, rgb);
        return;
    case GRADIENT:
        rgb[0] = (uint8_t)(w > 1 ? x * 255 / (w - 1) : 0);
        rgb[1] = (uint8_t)(h > 1 ? y * 255 / (h - 1) : 0);
        rgb[2] = (uint8_t)((x + y) * 255 / (w + h));
        return;
    case SATURATED:
        saturated_pixel(x, y, rgb);
        return;
    case EDGES:
        edge_pixel(x, y, w, rgb);
        return;
    case FLAT:
        rgb[0] = rgb[1] = rgb[2] = 128;
        return;
    case FLAT_COLOUR:
        rgb[0] = 200;
        rgb[1] = 40;
        rgb[2] = 90;
        return;
    }
}

static int components_of(enum layout l)
{
    return l == GREY ? 1 : l == CMYK ? 4 : 3;
}

/* The last picture computed, kept because most pictures are compressed several
 * times (in each layout, at each quality); jpeg_maker_release() frees it. */
static struct {
    int width, height;
    enum picture picture;
    uint8_t *rgb;
} cache;

static const uint8_t *picture_rgb(const struct spec *s)
{
    if (cache.rgb != NULL && cache.width == s->width && cache.height == s->height &&
        cache.picture == s->picture)
        return cache.rgb;
    free(cache.rgb);
    cache.rgb = malloc((size_t)s->width * (size_t)s->height * 3);
    assert_non_null(cache.rgb);
    cache.width = s->width;
    cache.height = s->height;
    cache.picture = s->picture;
    uint8_t *p = cache.rgb;
    for (int y = 0; y < s->height; y++)
        for (int x = 0; x < s->width; x++, p += 3)
            picture_pixel(s, x, y, p);
    return cache.rgb;
}

void jpeg_maker_release(void)
{
    free(cache.rgb);
    memset(&cache, 0, sizeof(cache));
}

/* Scanline y of the picture as the compressor's input (grey, RGB or CMYK). */
static void picture_row(const struct spec *s, int y, uint8_t *row)
{
    const int comps = components_of(s->layout);
    const uint8_t *rgb = picture_rgb(s) + (size_t)y * (size_t)s->width * 3;
    if (comps == 3) {
        memcpy(row, rgb, (size_t)s->width * 3);
        return;
    }
    for (int x = 0; x < s->width; x++, row += comps, rgb += 3) {
        if (comps == 1) {
            row[0] = (uint8_t)((rgb[0] * 77 + rgb[1] * 150 + rgb[2] * 29) >> 8);
        } else {
            row[0] = (uint8_t)(255 - rgb[0]);
            row[1] = (uint8_t)(255 - rgb[1]);
            row[2] = (uint8_t)(255 - rgb[2]);
            row[3] = (uint8_t)((x + y) & 255);
        }
    }
}

/* ---------------------------------------------------------------------------
 * Compression: libjpeg into a growing buffer of our own, errors by longjmp.
 */

struct sink {
    struct jpeg_destination_mgr mgr;
    struct blob *out;
};

struct cerr {
    struct jpeg_error_mgr mgr;
    jmp_buf jump;
};

static int grow(struct blob *b, size_t need)
{
    if (b->cap >= need)
        return 1;
    size_t cap = b->cap ? b->cap : 65536;
    while (cap < need)
        cap *= 2;
    uint8_t *p = realloc(b->data, cap);
    if (p == NULL)
        return 0;
    b->data = p;
    b->cap = cap;
    return 1;
}

static void sink_init(j_compress_ptr c)
{
    struct sink *s = (struct sink *)c->dest;
    if (!grow(s->out, 65536))
        ERREXIT(c, JERR_OUT_OF_MEMORY);
    s->mgr.next_output_byte = s->out->data;
    s->mgr.free_in_buffer = s->out->cap;
}

static boolean sink_empty(j_compress_ptr c)
{
    struct sink *s = (struct sink *)c->dest;
    const size_t used = s->out->cap;
    if (!grow(s->out, used * 2))
        ERREXIT(c, JERR_OUT_OF_MEMORY);
    s->mgr.next_output_byte = s->out->data + used;
    s->mgr.free_in_buffer = s->out->cap - used;
    return TRUE;
}

static void sink_term(j_compress_ptr c)
{
    struct sink *s = (struct sink *)c->dest;
    s->out->size = s->out->cap - s->mgr.free_in_buffer;
}

static void cerr_exit(j_common_ptr c)
{
    longjmp(((struct cerr *)c->err)->jump, 1);
}

static void set_factors(struct jpeg_compress_struct *c, const struct spec *s)
{
    static const int by_layout[][2] = {
        [YUV420] = { 2, 2 }, [YUV422] = { 2, 1 }, [YUV444] = { 1, 1 },
        [YUV440] = { 1, 2 }, [YUV411] = { 4, 1 },
    };
    if (c->num_components != 3 || s->layout == RGB)
        return;
    for (int i = 0; i < 3; i++) {
        const int *f = s->factors[0] ? &s->factors[2 * i]
                       : i           ? by_layout[YUV444]
                                     : by_layout[s->layout];
        c->comp_info[i].h_samp_factor = f[0];
        c->comp_info[i].v_samp_factor = f[1];
    }
}

/* One scan per component, each sequential (Ss 0, Se 63, no successive approximation). */
static const jpeg_scan_info one_scan_each[3] = {
    { 1, { 0 }, 0, 63, 0, 0 },
    { 1, { 1 }, 0, 63, 0, 0 },
    { 1, { 2 }, 0, 63, 0, 0 },
};

static void set_params(struct jpeg_compress_struct *c, const struct spec *s)
{
    c->image_width = (JDIMENSION)s->width;
    c->image_height = (JDIMENSION)s->height;
    c->input_components = components_of(s->layout);
    c->in_color_space = s->layout == GREY ? JCS_GRAYSCALE : s->layout == CMYK ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(c);
    jpeg_set_quality(c, s->quality ? s->quality : 90, TRUE);
    if (s->layout == RGB)
        jpeg_set_colorspace(c, JCS_RGB);
    set_factors(c, s);
    c->optimize_coding = s->optimize ? TRUE : FALSE;
    c->restart_interval = s->restart_mcus;
    c->restart_in_rows = s->restart_rows;
    if (s->progressive)
        jpeg_simple_progression(c);
    if (s->arith)
        c->arith_code = TRUE;
    if (s->separate_scans) {
        c->scan_info = one_scan_each;
        c->num_scans = 3;
    }
    if (s->rgb_ids) {
        c->write_JFIF_header = FALSE;
        c->comp_info[0].component_id = 'R';
        c->comp_info[1].component_id = 'G';
        c->comp_info[2].component_id = 'B';
    }
    if (s->adobe)
        c->write_Adobe_marker = TRUE;
}

static void write_extra_markers(struct jpeg_compress_struct *c)
{
    static const char comment[] = "made for the sampled JPEG decode's tests";
    static const uint8_t app[40] = { 'T', 'e', 's', 't', 0, 0xff, 0xd9, 0xff, 0xda, 0xff };
    jpeg_write_marker(c, JPEG_COM, (const JOCTET *)comment, sizeof(comment) - 1);
    jpeg_write_marker(c, JPEG_APP0 + 1, app, sizeof(app));
    jpeg_write_marker(c, JPEG_APP0 + 13, app, 0);
}

int jpeg_maker_compress(const struct spec *s, struct blob *out)
{
    struct jpeg_compress_struct c;
    struct cerr err;
    struct sink sink = { { 0 }, out };
    uint8_t *row = malloc((size_t)s->width * 4);

    assert_non_null(row);
    memset(out, 0, sizeof(*out));
    c.err = jpeg_std_error(&err.mgr);
    err.mgr.error_exit = cerr_exit;
    jpeg_create_compress(&c);
    if (setjmp(err.jump) != 0) {
        jpeg_destroy_compress(&c);
        free(row);
        free(out->data);
        memset(out, 0, sizeof(*out));
        return 0;
    }
    sink.mgr.init_destination = sink_init;
    sink.mgr.empty_output_buffer = sink_empty;
    sink.mgr.term_destination = sink_term;
    c.dest = &sink.mgr;
    set_params(&c, s);
    jpeg_start_compress(&c, TRUE);
    if (s->extra_markers)
        write_extra_markers(&c);
    for (JSAMPROW rp = row; c.next_scanline < c.image_height;) {
        picture_row(s, (int)c.next_scanline, row);
        jpeg_write_scanlines(&c, &rp, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    return 1;
}

struct blob jpeg_maker_make(const struct spec *s)
{
    struct blob b;
    assert_true(jpeg_maker_compress(s, &b));
    return b;
}

/* Appends text to the string in buf (size bytes), cutting it short if it must. */
static void append(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t size, const char *fmt, ...)
{
    const size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

void jpeg_maker_describe(const struct spec *s, char *buf, size_t size)
{
    static const char *layouts[] = { "grey",  "4:2:0", "4:2:2", "4:4:4",
                                     "4:4:0", "4:1:1", "rgb",   "cmyk" };
    static const char *pictures[] = { "noise", "gradient", "saturated",
                                      "edges", "flat",     "flat-colour" };
    const int *f = s->factors;
    snprintf(buf, size, "%s %dx%d q%d %s", layouts[s->layout], s->width, s->height,
             s->quality ? s->quality : 90, pictures[s->picture]);
    if (s->optimize)
        append(buf, size, " optimized");
    if (s->restart_mcus)
        append(buf, size, " restart every %u MCUs", s->restart_mcus);
    if (s->restart_rows)
        append(buf, size, " restart every %d MCU rows", s->restart_rows);
    if (f[0])
        append(buf, size, " factors %dx%d,%dx%d,%dx%d", f[0], f[1], f[2], f[3], f[4], f[5]);
    append(buf, size, "%s%s%s%s%s%s", s->progressive ? " progressive" : "",
           s->arith ? " arithmetic" : "", s->separate_scans ? " separate-scans" : "",
           s->rgb_ids ? " rgb-ids" : "", s->adobe ? " adobe" : "",
           s->extra_markers ? " markers" : "");
}
