/*
 * Unit tests of the sampled decode of media_jpeg.c (mv__image_jpeg_rows() with
 * `rows` set: libjpeg-turbo's jpeg_skip_scanlines() between the rows kept, and
 * the columns picked from each) against the full decode of the same file
 * (mv__image_jpeg()), pixel for pixel.
 *
 * Every JPEG here is made in memory by libjpeg's compressor from a picture
 * computed pixel by pixel (jpeg_maker.c: every run sees the same bytes). The
 * expected result is the nearest-neighbour sample PDQ's pre-resize takes from
 * the full decode: when the image is taller than `rows`, row i is source row
 * i * H / rows and, when it is also wider than rows, column j is source column
 * j * W / rows; an image no taller than `rows` comes back whole. The sampled
 * decode must give the same shape and the same bytes.
 *
 * Every valid file must decode: grey, YCbCr 4:2:0, 4:2:2, 4:4:4, 4:4:0 and
 * 4:1:1, RGB and CMYK (turned into RGB the same way on both paths), whatever
 * its size, quality, Huffman tables, restart markers, content, scan layout
 * (progressive, one scan per component), entropy coding (arithmetic where this
 * libjpeg writes it), sampling factors and extra markers. On damaged files (cut
 * short, bytes changed, restart markers wrong, EOI missing, replaced or
 * preceded by garbage) the two decodes must agree: where the full decode fails
 * the sampled one fails too, and where both succeed the pixels are the same.
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

#include "jpeg_maker.h"
#include "media/media.h"

/* What the fingerprint path passes: PDQ's 512 x 512 pre-resize, 4096^2 pixels. */
#define SAMPLE_ROWS 512
#define MAX_PIXELS  ((size_t)4096 * 4096)

/* ---------------------------------------------------------------------------
 * The expected sample and the comparison
 */

/* Source row or column i of n kept in a sample of `rows`: i * n / rows when n > rows. */
static size_t picked(size_t i, size_t n, size_t rows)
{
    return n > rows ? i * n / rows : i;
}

/* What the sampled decode must return for full: the whole image when it is no
 * taller than rows, else rows i * H / rows and, when W > rows, columns j * W / rows. */
static mv_status pick_sample(const mv__image *full, size_t rows, mv__image *out)
{
    const size_t h = full->height, w = full->width, ch = (size_t)full->channels;
    const size_t oh = h > rows ? rows : h, ow = h > rows && w > rows ? rows : w;
    const mv_status st = mv__image_alloc(out, ow, oh, full->channels, SIZE_MAX);
    if (st != MV_OK)
        return st;
    out->full_height = h;
    for (size_t i = 0; i < oh; i++) {
        const uint8_t *src = full->pixels + picked(i, h, rows) * full->stride;
        uint8_t *dst = out->pixels + i * out->stride;
        for (size_t j = 0; j < ow; j++, dst += ch)
            memcpy(dst, src + (ow < w ? picked(j, w, rows) : j) * ch, ch);
    }
    return MV_OK;
}

/* The full decode of data, sampled; its status when the decode fails. */
static mv_status reference(const uint8_t *data, size_t size, size_t rows, mv__image *out)
{
    mv__image full = { 0 };
    mv_status st = mv__image_jpeg(data, size, MAX_PIXELS, &full);
    if (st == MV_OK)
        st = pick_sample(&full, rows, out);
    mv__image_free(&full);
    return st;
}

static int same_shape(const char *what, const mv__image *got, const mv__image *want)
{
    if (got->width == want->width && got->height == want->height &&
        got->channels == want->channels && got->full_height == want->full_height &&
        got->stride >= got->width * (size_t)got->channels && got->pixels != NULL)
        return 1;
    print_error("%s: got %zux%zu, %d channels, stride %zu, full height %zu; want %zux%zu, %d "
                "channels, full height %zu\n",
                what, got->width, got->height, got->channels, got->stride, got->full_height,
                want->width, want->height, want->channels, want->full_height);
    return 0;
}

/* 1 when got equals want; otherwise says where they first differ, and 0. */
static int same_pixels(const char *what, const mv__image *got, const mv__image *want)
{
    if (!same_shape(what, got, want))
        return 0;
    const size_t ch = (size_t)want->channels;
    for (size_t y = 0; y < want->height; y++) {
        const uint8_t *g = got->pixels + y * got->stride, *w = want->pixels + y * want->stride;
        if (memcmp(g, w, want->width * ch) == 0)
            continue;
        for (size_t i = 0; i < want->width * ch; i++) {
            if (g[i] == w[i])
                continue;
            print_error("%s: first difference at row %zu, column %zu, channel %zu: got %u, "
                        "want %u\n",
                        what, y, i / ch, i % ch, g[i], w[i]);
            return 0;
        }
    }
    return 1;
}

/* A valid file: both decodes must succeed and give the same pixels. */
static int decodes_exactly(const char *what, const uint8_t *data, size_t size, size_t rows)
{
    mv__image want = { 0 }, got = { 0 };
    int ok = 0;
    const mv_status ref = reference(data, size, rows, &want);
    const mv_status st = mv__image_jpeg_rows(data, size, MAX_PIXELS, rows, &got);
    if (ref != MV_OK)
        print_error("%s: the full decode fails (%s)\n", what, mv_status_name(ref));
    else if (st != MV_OK)
        print_error("%s: %s, not MV_OK\n", what, mv_status_name(st));
    else
        ok = same_pixels(what, &got, &want);
    mv__image_free(&want);
    mv__image_free(&got);
    return ok;
}

/*
 * A damaged file: the sampled decode must fail where the full decode fails and
 * succeed where it succeeds, and a success must come with the same pixels.
 */
static int agrees(const char *what, const uint8_t *data, size_t size, size_t rows)
{
    mv__image want = { 0 }, got = { 0 };
    int ok = 1;
    const mv_status ref = reference(data, size, rows, &want);
    const mv_status st = mv__image_jpeg_rows(data, size, MAX_PIXELS, rows, &got);
    if (st == MV_OK && ref != MV_OK) {
        print_error("%s: MV_OK where the full decode fails (%s)\n", what, mv_status_name(ref));
        ok = 0;
    } else if (st != MV_OK && ref == MV_OK) {
        print_error("%s: %s where the full decode succeeds\n", what, mv_status_name(st));
        ok = 0;
    } else if (st == MV_OK) {
        ok = same_pixels(what, &got, &want);
    }
    mv__image_free(&want);
    mv__image_free(&got);
    return ok;
}

/* ---------------------------------------------------------------------------
 * Runners over lists of specs
 */

static int check_spec(const char *test, const struct spec *s, size_t rows)
{
    char what[256], desc[200];
    jpeg_maker_describe(s, desc, sizeof(desc));
    snprintf(what, sizeof(what), "%s: %s, rows %zu", test, desc, rows);
    struct blob b = jpeg_maker_make(s);
    const int ok = decodes_exactly(what, b.data, b.size, rows);
    free(b.data);
    return ok;
}

/* How many of specs[0..n) do not decode exactly (each one reported). */
static int check_all(const char *test, const struct spec *specs, size_t n)
{
    int failed = 0;
    for (size_t i = 0; i < n; i++)
        failed += !check_spec(test, &specs[i], SAMPLE_ROWS);
    return failed;
}

/* The layouts most files have, each content and coding option is tried in. */
static const enum layout common[] = { GREY, YUV420, YUV422, YUV444 };
#define NCOMMON (sizeof(common) / sizeof(common[0]))

/* base in each common layout. */
static int check_layouts(const char *test, struct spec base)
{
    struct spec specs[NCOMMON];
    for (size_t i = 0; i < NCOMMON; i++) {
        specs[i] = base;
        specs[i].layout = common[i];
    }
    return check_all(test, specs, NCOMMON);
}

/* ---------------------------------------------------------------------------
 * Layouts, coding options and sizes that must decode
 */

static void yuv420(void **state)
{
    (void)state;
    const struct spec s = { .width = 1600, .height = 1004, .layout = YUV420 };
    assert_int_equal(check_all(__func__, &s, 1), 0);
}

static void yuv422(void **state)
{
    (void)state;
    const struct spec s = { .width = 1600, .height = 1004, .layout = YUV422 };
    assert_int_equal(check_all(__func__, &s, 1), 0);
}

static void yuv444(void **state)
{
    (void)state;
    const struct spec s = { .width = 1600, .height = 1004, .layout = YUV444 };
    assert_int_equal(check_all(__func__, &s, 1), 0);
}

static void grey(void **state)
{
    (void)state;
    const struct spec s = { .width = 1600, .height = 1004, .layout = GREY };
    assert_int_equal(check_all(__func__, &s, 1), 0);
}

static void optimized(void **state)
{
    (void)state;
    int failed = 0;
    failed += check_layouts(__func__, (struct spec){ .width = 1001, .height = 777, .optimize = 1 });
    failed += check_layouts(
        __func__, (struct spec){ .width = 1001, .height = 777, .optimize = 1, .quality = 100 });
    assert_int_equal(failed, 0);
}

static void quality(void **state)
{
    (void)state;
    int failed = 0;
    static const int q[] = { 50, 90, 100 };
    for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++)
        failed +=
            check_layouts(__func__, (struct spec){ .width = 1001, .height = 777, .quality = q[i] });
    assert_int_equal(failed, 0);
}

static void restart_mcus(void **state)
{
    (void)state;
    int failed = 0;
    static const unsigned every[] = { 1, 3, 7 };
    for (size_t i = 0; i < sizeof(every) / sizeof(every[0]); i++)
        failed += check_layouts(
            __func__, (struct spec){ .width = 777, .height = 601, .restart_mcus = every[i] });
    failed += check_layouts(
        __func__, (struct spec){ .width = 777, .height = 601, .restart_mcus = 7, .optimize = 1 });
    assert_int_equal(failed, 0);
}

static void restart_rows(void **state)
{
    (void)state;
    int failed = 0;
    for (int rows = 1; rows <= 2; rows++)
        failed += check_layouts(__func__,
                                (struct spec){ .width = 777, .height = 601, .restart_rows = rows });
    assert_int_equal(failed, 0);
}

static void size_1001x777(void **state)
{
    (void)state;
    assert_int_equal(check_layouts(__func__, (struct spec){ .width = 1001, .height = 777 }), 0);
}

static void size_513x513(void **state)
{
    (void)state;
    assert_int_equal(check_layouts(__func__, (struct spec){ .width = 513, .height = 513 }), 0);
}

/* Narrower than the sample: every column is kept. */
static void narrow(void **state)
{
    (void)state;
    assert_int_equal(check_layouts(__func__, (struct spec){ .width = 400, .height = 1300 }), 0);
}

static void wide(void **state)
{
    (void)state;
    assert_int_equal(check_layouts(__func__, (struct spec){ .width = 2000, .height = 513 }), 0);
}

static void slim(void **state)
{
    (void)state;
    assert_int_equal(check_layouts(__func__, (struct spec){ .width = 17, .height = 600 }), 0);
}

static void large(void **state)
{
    (void)state;
    const struct spec s = { .width = 3000, .height = 2000, .layout = YUV420 };
    assert_int_equal(check_all(__func__, &s, 1), 0);
}

/* Odd widths and heights, and sizes one past or one short of an MCU, where the
 * chroma upsampling meets the image's edges. */
static void odd_sizes(void **state)
{
    (void)state;
    static const int sizes[][2] = { { 1009, 529 }, { 1023, 515 }, { 515, 1023 },
                                    { 601, 1025 }, { 1001, 514 }, { 1002, 517 },
                                    { 9, 513 },    { 15, 531 },   { 777, 777 } };
    const size_t n = sizeof(sizes) / sizeof(sizes[0]);
    struct spec specs[2 * sizeof(sizes) / sizeof(sizes[0])];
    for (size_t i = 0; i < n; i++) {
        specs[2 * i] =
            (struct spec){ .width = sizes[i][0], .height = sizes[i][1], .layout = YUV420 };
        specs[2 * i + 1] = specs[2 * i];
        specs[2 * i + 1].layout = YUV422;
        specs[2 * i + 1].picture = i % 2 ? EDGES : NOISE;
    }
    assert_int_equal(check_all(__func__, specs, 2 * n), 0);
}

/* Other sample sizes than PDQ's; with `rows` not below the height the whole image comes back. */
static void other_rows(void **state)
{
    (void)state;
    static const size_t rows[] = { 1, 2, 64, 100, 511, 776, 777, 1000 };
    static const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV420 },
        { .width = 1001, .height = 777, .layout = YUV444, .restart_mcus = 5 },
    };
    int failed = 0;
    for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++)
        for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
            failed += !check_spec(__func__, &specs[k], rows[i]);
    assert_int_equal(failed, 0);
}

/* The shape of the result, written out: the comparisons above take the expected
 * sample from the same rule, so this pins the rule itself. */
static void shapes(void **state)
{
    (void)state;
    static const struct {
        struct spec s;
        size_t rows, width, height;
        int channels;
    } cases[] = {
        { { .width = 1600, .height = 1004, .layout = YUV420 }, 512, 512, 512, 3 },
        { { .width = 400, .height = 1300, .layout = GREY }, 512, 400, 512, 1 },
        { { .width = 2000, .height = 513, .layout = YUV422 }, 512, 512, 512, 3 },
        { { .width = 2000, .height = 300, .layout = YUV422 }, 512, 2000, 300, 3 },
        { { .width = 1001, .height = 777, .layout = CMYK }, 64, 64, 64, 3 },
        { { .width = 1001, .height = 777, .layout = YUV420 }, 777, 1001, 777, 3 },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct blob b = jpeg_maker_make(&cases[i].s);
        mv__image got = { 0 };
        assert_int_equal(mv__image_jpeg_rows(b.data, b.size, MAX_PIXELS, cases[i].rows, &got),
                         MV_OK);
        assert_int_equal(got.width, cases[i].width);
        assert_int_equal(got.height, cases[i].height);
        assert_int_equal(got.channels, cases[i].channels);
        assert_int_equal(got.full_height, (size_t)cases[i].s.height);
        mv__image_free(&got);
        free(b.data);
    }
}

/* ---------------------------------------------------------------------------
 * Content
 */

static int content(const char *test, enum picture p)
{
    return check_layouts(test, (struct spec){ .width = 1001, .height = 777, .picture = p }) +
           check_layouts(
               test, (struct spec){ .width = 1001, .height = 777, .picture = p, .quality = 100 });
}

static void noise(void **state)
{
    (void)state;
    assert_int_equal(content(__func__, NOISE), 0);
}

static void gradient(void **state)
{
    (void)state;
    assert_int_equal(content(__func__, GRADIENT), 0);
}

static void saturated(void **state)
{
    (void)state;
    const struct spec q50 = { .width = 1001, .height = 777, .picture = SATURATED, .quality = 50 };
    assert_int_equal(content(__func__, SATURATED) + check_layouts(__func__, q50), 0);
}

static void edges(void **state)
{
    (void)state;
    assert_int_equal(content(__func__, EDGES), 0);
}

static void flat(void **state)
{
    (void)state;
    int failed = 0;
    failed += content(__func__, FLAT);
    failed += content(__func__, FLAT_COLOUR);
    assert_int_equal(failed, 0);
}

/* ---------------------------------------------------------------------------
 * Other layouts, scan structures and entropy coding
 */

/* Progressive files are read whole by jpeg_start_decompress(), then skipped
 * through in the coefficient buffer rather than the entropy-coded data. */
static void progressive(void **state)
{
    (void)state;
    int failed = 0;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV420, .progressive = 1 },
        { .width = 1001, .height = 777, .layout = GREY, .progressive = 1 },
        { .width = 1001, .height = 777, .layout = YUV422, .progressive = 1 },
        { .width = 1001, .height = 777, .layout = YUV444, .progressive = 1, .restart_mcus = 7 },
        { .width = 777, .height = 1025, .layout = YUV440, .progressive = 1 },
        { .width = 2000, .height = 600, .layout = CMYK, .progressive = 1 },
    };
    failed += check_all(__func__, specs, sizeof(specs) / sizeof(specs[0]));
    failed += !check_spec(__func__, &specs[0], 64);
    assert_int_equal(failed, 0);
}

static void arithmetic(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV420, .arith = 1 },
        { .width = 1001, .height = 777, .layout = GREY, .arith = 1 },
        { .width = 1001, .height = 777, .layout = YUV422, .arith = 1, .restart_mcus = 5 },
        { .width = 1001, .height = 777, .layout = YUV444, .arith = 1, .progressive = 1 },
    };
    struct blob b;
    if (!jpeg_maker_compress(&specs[0], &b)) {
        print_message("this libjpeg does not write arithmetic coding\n");
        skip();
    }
    free(b.data);
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

/* Chroma halved vertically: libjpeg's h1v2 fancy upsampling reads context rows. */
static void yuv440(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV440 },
        { .width = 777, .height = 1025, .layout = YUV440, .picture = EDGES },
        { .width = 15, .height = 531, .layout = YUV440 },
        { .width = 1023, .height = 515, .layout = YUV440, .restart_rows = 1 },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

static void yuv411(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV411 },
        { .width = 1023, .height = 515, .layout = YUV411, .picture = EDGES },
        { .width = 2000, .height = 1300, .layout = YUV411, .restart_mcus = 3 },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

static void rgb(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = RGB },
        { .width = 400, .height = 1300, .layout = RGB, .picture = SATURATED },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

/* CMYK goes through a scanline buffer on both paths: whole rows when the image
 * is no wider than the sample, picked columns otherwise. */
static void cmyk(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = CMYK },
        { .width = 400, .height = 1300, .layout = CMYK, .picture = EDGES },
        { .width = 2000, .height = 600, .layout = CMYK, .adobe = 1 },
        { .width = 700, .height = 300, .layout = CMYK },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

/* One sequential scan per component: the file is read whole first, as a progressive one. */
static void separate_scans(void **state)
{
    (void)state;
    int failed = 0;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV420, .separate_scans = 1 },
        { .width = 1001, .height = 777, .layout = YUV444, .separate_scans = 1 },
        { .width = 600, .height = 1300, .layout = YUV422, .separate_scans = 1 },
    };
    failed += check_all(__func__, specs, sizeof(specs) / sizeof(specs[0]));
    failed += !check_spec(__func__, &specs[0], 64);
    assert_int_equal(failed, 0);
}

/* No taller than the sample: nothing is skipped and the whole image comes back. */
static void short_images(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1600, .height = 512, .layout = YUV420 },
        { .width = 600, .height = 511, .layout = GREY },
        { .width = 2000, .height = 300, .layout = YUV422 },
        { .width = 513, .height = 1, .layout = YUV444 },
        { .width = 1, .height = 1, .layout = GREY },
        { .width = 700, .height = 300, .layout = YUV420, .progressive = 1 },
        { .width = 300, .height = 500, .layout = YUV440 },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

/* ---------------------------------------------------------------------------
 * Valid but unusual
 */

/* Sampling factors other than the usual layouts', some only libjpeg's generic
 * upsampler handles. */
static void unusual_factors(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 1, 2, 1, 2, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 2, 1, 2, 1, 2 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 2, 2, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 1, 1, 1, 2, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 4, 2, 1, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 4, 1, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 3, 1, 1, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 2, 2, 2, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 1, 4, 1, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 2, 3, 1, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 1, 3, 1, 1, 1, 1 } },
        { .width = 1001, .height = 777, .layout = YUV420, .factors = { 3, 2, 1, 1, 1, 1 } },
    };
    int failed = check_all(__func__, specs, sizeof(specs) / sizeof(specs[0]));
    for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++)
        failed += !check_spec(__func__, &specs[i], 64);
    assert_int_equal(failed, 0);
}

static void markers(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV420, .extra_markers = 1 },
        { .width = 1001, .height = 777, .layout = GREY, .extra_markers = 1 },
        { .width = 1001, .height = 777, .layout = YUV422, .adobe = 1 },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

/* No JFIF marker and ids 'R', 'G', 'B': libjpeg takes the YCbCr samples for RGB. */
static void rgb_ids(void **state)
{
    (void)state;
    const struct spec specs[] = {
        { .width = 1001, .height = 777, .layout = YUV444, .rgb_ids = 1 },
        { .width = 1001, .height = 777, .layout = YUV420, .rgb_ids = 1 },
    };
    assert_int_equal(check_all(__func__, specs, sizeof(specs) / sizeof(specs[0])), 0);
}

/* ---------------------------------------------------------------------------
 * Damaged files
 */

/* The valid files the damage is done to: restart markers every few MCUs, none,
 * every MCU row, and every MCU. */
static const struct spec damage_bases[] = {
    { .width = 520, .height = 520, .layout = YUV420, .restart_mcus = 3 },
    { .width = 200, .height = 530, .layout = YUV422, .optimize = 1, .quality = 75 },
    { .width = 64, .height = 600, .layout = GREY, .restart_rows = 1 },
    { .width = 520, .height = 520, .layout = YUV444, .restart_mcus = 1, .picture = EDGES },
    { .width = 300, .height = 560, .layout = YUV440, .restart_mcus = 2 },
};
#define NBASES (sizeof(damage_bases) / sizeof(damage_bases[0]))

/* Where the SOS segment of the (first) scan starts; its length, marker included, in *len. */
static size_t find_sos(const struct blob *b, size_t *len)
{
    size_t i = 2;
    for (;;) {
        assert_true(i + 4 <= b->size && b->data[i] == 0xff);
        *len = 2 + ((size_t)b->data[i + 2] << 8 | b->data[i + 3]);
        if (b->data[i + 1] == 0xda)
            return i;
        i += *len;
    }
}

/* Where the entropy-coded data of the (one) scan starts and ends (at the EOI). */
static void entropy_span(const struct blob *b, size_t *start, size_t *end)
{
    size_t len;
    assert_true(b->size > 4 && b->data[b->size - 2] == 0xff && b->data[b->size - 1] == 0xd9);
    *start = find_sos(b, &len) + len;
    *end = b->size - 2;
    assert_true(*start < *end);
}

/* Copies data[0..n) with `with` (wlen bytes) in place of data[at..at+cut). */
static struct blob splice(const struct blob *b, size_t at, size_t cut, const void *with,
                          size_t wlen)
{
    struct blob c = { malloc(b->size - cut + wlen + 1), b->size - cut + wlen, 0 };
    assert_non_null(c.data);
    memcpy(c.data, b->data, at);
    if (wlen)
        memcpy(c.data + at, with, wlen);
    memcpy(c.data + at + wlen, b->data + at + cut, b->size - at - cut);
    return c;
}

/*
 * The damaged copy c of damage_bases[base], sampled to PDQ's 512 rows (the last
 * sampled row then falls in the last MCU row of these files) and to 64 (the
 * last MCU rows are then skipped); frees c.
 */
static int damaged(const char *test, size_t base, const char *how, size_t at, struct blob c)
{
    static const size_t rows[] = { SAMPLE_ROWS, 64 };
    char what[300], desc[200];
    int ok = 1;
    jpeg_maker_describe(&damage_bases[base], desc, sizeof(desc));
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        snprintf(what, sizeof(what), "%s: %s, %s at %zu, rows %zu", test, desc, how, at, rows[i]);
        ok &= agrees(what, c.data, c.size, rows[i]);
    }
    free(c.data);
    return ok;
}

/* data cut to n bytes. */
static int cut_at(const char *test, size_t base, const struct blob *b, size_t n)
{
    return damaged(test, base, "cut", n, splice(b, n, b->size - n, NULL, 0));
}

static void truncated(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t k = 0; k < NBASES; k++) {
        struct blob b = jpeg_maker_make(&damage_bases[k]);
        size_t es, ee;
        entropy_span(&b, &es, &ee);
        const size_t head[] = { 1, 2, 3, 20, es / 2, es - 1, es, es + 1 };
        for (size_t i = 0; i < sizeof(head) / sizeof(head[0]); i++)
            failed += !cut_at(__func__, k, &b, head[i]);
        for (size_t i = 1; i <= 10; i++)
            failed += !cut_at(__func__, k, &b, es + (ee - es) * i / 11);
        failed += !cut_at(__func__, k, &b, ee - 1);
        failed += !cut_at(__func__, k, &b, ee); // just before the EOI
        failed += !cut_at(__func__, k, &b, ee + 1);
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* One byte of the entropy-coded data changed: a flipped bit or a random value. */
static void corrupt_bytes(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t k = 0; k < NBASES; k++) {
        struct blob b = jpeg_maker_make(&damage_bases[k]);
        size_t es, ee;
        entropy_span(&b, &es, &ee);
        const size_t step = (ee - es) / 50;
        for (uint32_t i = 0; i < 50; i++) {
            const size_t at = es + i * step + jpeg_maker_mix(i + 100 * (uint32_t)k) % (step + 1);
            const uint8_t v =
                (uint8_t)(b.data[at] ^ (i % 2 ? 1u << (i / 2 % 8) : 1 + jpeg_maker_mix(i) % 255));
            failed += !damaged(__func__, k, "byte changed", at, splice(&b, at, 1, &v, 1));
        }
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* Bytes data[from..to) changed one at a time, every step-th. */
static int damage_bytes(const char *test, size_t base, const struct blob *b, size_t from, size_t to,
                        size_t step)
{
    int failed = 0;
    for (size_t at = from; at < to; at += step) {
        const uint8_t v = (uint8_t)(b->data[at] ^ (at % 3 ? 0x01 : 0x40));
        failed += !damaged(test, base, "header byte changed", at, splice(b, at, 1, &v, 1));
    }
    return failed;
}

/* One byte of the headers changed: every byte of SOF, SOS and DRI, every 29th of the others. */
static void header_bytes(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t k = 0; k < NBASES; k++) {
        struct blob b = jpeg_maker_make(&damage_bases[k]);
        size_t es, ee;
        entropy_span(&b, &es, &ee);
        for (size_t i = 2; i < es;) {
            const uint8_t m = b.data[i + 1];
            const size_t len = (size_t)b.data[i + 2] << 8 | b.data[i + 3];
            const size_t step = m == 0xc0 || m == 0xda || m == 0xdd ? 1 : 29;
            failed += damage_bytes(__func__, k, &b, i + 1, i + 2 + len, step);
            i += 2 + len;
        }
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* Offsets of the RSTn markers in the entropy-coded data; returns how many (at most max). */
static size_t find_restarts(const struct blob *b, size_t *at, size_t max)
{
    size_t es, ee, n = 0;
    entropy_span(b, &es, &ee);
    for (size_t i = es; i + 1 < ee && n < max; i++)
        if (b->data[i] == 0xff && b->data[i + 1] >= 0xd0 && b->data[i + 1] <= 0xd7)
            at[n++] = i;
    return n;
}

/* A restart marker numbered wrong, dropped or repeated, at six places from the
 * first marker to the last. */
static void wrong_rst(void **state)
{
    (void)state;
    static const size_t bases[] = { 0, 2, 3 };
    int failed = 0;
    for (size_t k = 0; k < sizeof(bases) / sizeof(bases[0]); k++) {
        struct blob b = jpeg_maker_make(&damage_bases[bases[k]]);
        size_t all[8192];
        const size_t n = find_restarts(&b, all, 8192);
        assert_true(n >= 16);
        for (size_t i = 0; i < 6; i++) {
            const size_t at = all[i * (n - 1) / 5];
            const uint8_t *m = b.data + at;
            const uint8_t renum[2] = { 0xff,
                                       (uint8_t)(0xd0 + ((size_t)m[1] - 0xd0 + 1 + i % 7) % 8) };
            failed +=
                !damaged(__func__, bases[k], "RST renumbered", at, splice(&b, at, 2, renum, 2));
            failed += !damaged(__func__, bases[k], "RST dropped", at, splice(&b, at, 2, NULL, 0));
            failed += !damaged(__func__, bases[k], "RST repeated", at, splice(&b, at, 0, m, 2));
        }
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* The EOI cut off, or replaced by other bytes: zeros, SOI, RST0, fill bytes. */
static void missing_eoi(void **state)
{
    (void)state;
    static const uint8_t instead[][2] = {
        { 0, 0 }, { 0xff, 0xd8 }, { 0xff, 0xd0 }, { 0xff, 0xff }
    };
    int failed = 0;
    for (size_t k = 0; k < NBASES; k++) {
        struct blob b = jpeg_maker_make(&damage_bases[k]);
        const size_t ee = b.size - 2;
        failed += !cut_at(__func__, k, &b, ee);
        for (size_t i = 0; i < sizeof(instead) / sizeof(instead[0]); i++)
            failed += !damaged(__func__, k, "EOI replaced", ee, splice(&b, ee, 2, instead[i], 2));
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* A second SOS header after the data of a one-scan file: in place of the EOI,
 * before it, and followed by the whole scan's data again. */
static void second_scan(void **state)
{
    (void)state;
    int failed = 0;
    for (size_t k = 0; k < NBASES; k++) {
        struct blob b = jpeg_maker_make(&damage_bases[k]);
        size_t len;
        const size_t sos = find_sos(&b, &len), ee = b.size - 2;
        const uint8_t *header = b.data + sos;
        failed += !damaged(__func__, k, "SOS instead of EOI", ee, splice(&b, ee, 2, header, len));
        failed += !damaged(__func__, k, "SOS before EOI", ee, splice(&b, ee, 0, header, len));
        failed += !damaged(__func__, k, "scan repeated", ee, splice(&b, ee, 0, header, ee - sos));
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* Bytes between the last entropy-coded byte and the EOI. */
static void garbage_before_eoi(void **state)
{
    (void)state;
    static const uint8_t plain[] = { 0x12, 0x34, 0x56 };
    static const uint8_t stuffed[] = { 0xff, 0x00, 0xff, 0x00, 0xab };
    static const uint8_t rst[] = { 0xff, 0xd0 };
    static const uint8_t com[] = { 0xff, 0xfe, 0x00, 0x06, 'e', 'n', 'd', '!' };
    static const uint8_t fill[] = { 0xff, 0xff, 0xff };
    const struct {
        const uint8_t *p;
        size_t n;
    } junk[] = { { plain, sizeof(plain) },
                 { stuffed, sizeof(stuffed) },
                 { rst, sizeof(rst) },
                 { com, sizeof(com) },
                 { fill, sizeof(fill) } };
    int failed = 0;
    uint8_t random[64];
    for (size_t i = 0; i < sizeof(random); i++)
        random[i] = (uint8_t)jpeg_maker_mix((uint32_t)i + 7);
    for (size_t k = 0; k < NBASES; k++) {
        struct blob b = jpeg_maker_make(&damage_bases[k]);
        const size_t ee = b.size - 2;
        for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
            failed += !damaged(__func__, k, "garbage", ee, splice(&b, ee, 0, junk[i].p, junk[i].n));
        failed +=
            !damaged(__func__, k, "random garbage", ee, splice(&b, ee, 0, random, sizeof(random)));
        free(b.data);
    }
    assert_int_equal(failed, 0);
}

/* ---------------------------------------------------------------------------
 * Arguments
 */

/* No data, an empty buffer, no pixel budget. */
static void bad_args(void **state)
{
    (void)state;
    struct blob b = jpeg_maker_make(&damage_bases[0]);
    mv__image img = { 0 };
    assert_int_not_equal(mv__image_jpeg_rows(NULL, 0, MAX_PIXELS, SAMPLE_ROWS, &img), MV_OK);
    mv__image_free(&img);
    assert_int_not_equal(mv__image_jpeg_rows(NULL, b.size, MAX_PIXELS, SAMPLE_ROWS, &img), MV_OK);
    mv__image_free(&img);
    assert_int_not_equal(mv__image_jpeg_rows(b.data, 0, MAX_PIXELS, SAMPLE_ROWS, &img), MV_OK);
    mv__image_free(&img);
    assert_int_equal(mv__image_jpeg_rows(b.data, b.size, 0, SAMPLE_ROWS, &img), MV_ETOOBIG);
    mv__image_free(&img);
    free(b.data);
}

/* The budget is the whole image's, as for the full decode: W * H pixels pass, one less does not. */
static void too_big(void **state)
{
    (void)state;
    const struct spec s = { .width = 1001, .height = 777, .layout = YUV420 };
    struct blob b = jpeg_maker_make(&s);
    const size_t all = 1001 * 777;
    mv__image img = { 0 };
    assert_int_equal(mv__image_jpeg(b.data, b.size, all - 1, &img), MV_ETOOBIG);
    mv__image_free(&img);
    assert_int_equal(mv__image_jpeg_rows(b.data, b.size, all - 1, SAMPLE_ROWS, &img), MV_ETOOBIG);
    mv__image_free(&img);
    assert_int_equal(
        mv__image_jpeg_rows(b.data, b.size, SAMPLE_ROWS * SAMPLE_ROWS, SAMPLE_ROWS, &img),
        MV_ETOOBIG);
    mv__image_free(&img);
    assert_int_equal(mv__image_jpeg_rows(b.data, b.size, all, SAMPLE_ROWS, &img), MV_OK);
    mv__image_free(&img);
    free(b.data);
}

static int release(void **state)
{
    (void)state;
    jpeg_maker_release();
    return 0;
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(yuv420),
        cmocka_unit_test(yuv422),
        cmocka_unit_test(yuv444),
        cmocka_unit_test(grey),
        cmocka_unit_test(optimized),
        cmocka_unit_test(quality),
        cmocka_unit_test(restart_mcus),
        cmocka_unit_test(restart_rows),
        cmocka_unit_test(size_1001x777),
        cmocka_unit_test(size_513x513),
        cmocka_unit_test(narrow),
        cmocka_unit_test(wide),
        cmocka_unit_test(slim),
        cmocka_unit_test(large),
        cmocka_unit_test(odd_sizes),
        cmocka_unit_test(other_rows),
        cmocka_unit_test(shapes),
        cmocka_unit_test(noise),
        cmocka_unit_test(gradient),
        cmocka_unit_test(saturated),
        cmocka_unit_test(edges),
        cmocka_unit_test(flat),
        cmocka_unit_test(progressive),
        cmocka_unit_test(arithmetic),
        cmocka_unit_test(yuv440),
        cmocka_unit_test(yuv411),
        cmocka_unit_test(rgb),
        cmocka_unit_test(cmyk),
        cmocka_unit_test(separate_scans),
        cmocka_unit_test(short_images),
        cmocka_unit_test(unusual_factors),
        cmocka_unit_test(markers),
        cmocka_unit_test(rgb_ids),
        cmocka_unit_test(truncated),
        cmocka_unit_test(corrupt_bytes),
        cmocka_unit_test(header_bytes),
        cmocka_unit_test(wrong_rst),
        cmocka_unit_test(missing_eoi),
        cmocka_unit_test(second_scan),
        cmocka_unit_test(garbage_before_eoi),
        cmocka_unit_test(bad_args),
        cmocka_unit_test(too_big),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, release);
}
