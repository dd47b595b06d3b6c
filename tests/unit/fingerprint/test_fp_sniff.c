/*
 * Unit tests of content sniffing (mv_fp_sniff): the magic numbers of every
 * image format the media layer decodes, HEIF by its ftyp brands (major or
 * compatible, and what is not HEIF), text against binary, empty input and
 * magic numbers cut short; then what mv_fp_mem does with HEIF it cannot decode.
 * The inputs are built here byte by byte from the formats' published headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mediavault/mediavault.h"

#ifndef MV_TEST_HAVE_HEIF
#error "MV_TEST_HAVE_HEIF must say whether the library was built with libheif"
#endif

/* The first bytes of each format, followed by binary filler up to 64 bytes. */
struct magic {
    const char *name;
    const uint8_t *bytes;
    size_t len;
};

static const uint8_t jpeg[] = { 0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0 };
static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13 };
static const uint8_t gif87[] = { 'G', 'I', 'F', '8', '7', 'a', 1, 0, 1, 0 };
static const uint8_t gif89[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0 };
static const uint8_t webp[] = { 'R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'E', 'B', 'P' };
static const uint8_t bmp[] = { 'B', 'M', 0x46, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0, 0x28, 0 };
static const uint8_t tiff_le[] = { 'I', 'I', 42, 0, 8, 0, 0, 0 };
static const uint8_t tiff_be[] = { 'M', 'M', 0, 42, 0, 0, 0, 8 };
/* ftyp boxes: size, "ftyp", major brand, minor version, compatible brands. */
static const uint8_t heic[] = { 0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c',
                                0, 0, 0, 0,  'm', 'i', 'f', '1', 'h', 'e', 'i', 'c' };
static const uint8_t mif1_compat[] = { 0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', '8',
                                       0, 0, 0, 0,  'm', 'i', 'a', 'f', 'm', 'i', 'f', '1' };
static const uint8_t avif[] = { 0, 0, 0,   28,  'f', 't', 'y', 'p', 'a', 'v', 'i', 'f', 0,   0,
                                0, 0, 'a', 'v', 'i', 'f', 'm', 'i', 'f', '1', 'm', 'i', 'a', 'f' };
static const uint8_t heix[] = { 0, 0, 0, 16, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'x', 0, 0, 0, 0 };
static const uint8_t msf1[] = { 0,   0,   0, 20, 'f', 't', 'y', 'p', 'm', 's',
                                'f', '1', 0, 0,  0,   0,   'h', 'e', 'v', 'c' };

static const struct magic images[] = {
    { "jpeg", jpeg, sizeof(jpeg) },
    { "png", png, sizeof(png) },
    { "gif87a", gif87, sizeof(gif87) },
    { "gif89a", gif89, sizeof(gif89) },
    { "webp", webp, sizeof(webp) },
    { "bmp", bmp, sizeof(bmp) },
    { "tiff le", tiff_le, sizeof(tiff_le) },
    { "tiff be", tiff_be, sizeof(tiff_be) },
    { "heic", heic, sizeof(heic) },
    { "mif1 compatible", mif1_compat, sizeof(mif1_compat) },
    { "avif", avif, sizeof(avif) },
    { "heix", heix, sizeof(heix) },
    { "msf1", msf1, sizeof(msf1) },
};

/* magic, then binary filler (never text: NUL and 0xfe bytes), total bytes in all. */
static size_t with_filler(const struct magic *m, uint8_t *buf, size_t total)
{
    memcpy(buf, m->bytes, m->len);
    for (size_t i = m->len; i < total; i++)
        buf[i] = (uint8_t)(i % 2 ? 0xfe : 0);
    return total;
}

static void image_magic(void **state)
{
    uint8_t buf[64];

    (void)state;
    for (size_t i = 0; i < sizeof(images) / sizeof(images[0]); i++) {
        const size_t n = with_filler(&images[i], buf, sizeof(buf));
        if (mv_fp_sniff(buf, n) != MV_FP_IMAGE)
            fail_msg("%s: not sniffed as an image", images[i].name);
    }
}

static void heif_brands(void **state)
{
    uint8_t b[32];

    (void)state;
    /* A video (major isom, compatible mp41) and audio (M4A) are not images. */
    static const uint8_t mp4[] = { 0, 0, 0, 24, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm',
                                   0, 0, 2, 0,  'i', 's', 'o', 'm', 'm', 'p', '4', '1' };
    static const uint8_t m4a[] = { 0,   0,   0, 20, 'f', 't', 'y', 'p', 'M', '4',
                                   'A', ' ', 0, 0,  0,   0,   'm', 'p', '4', '2' };
    assert_int_not_equal(mv_fp_sniff(mp4, sizeof(mp4)), MV_FP_IMAGE);
    assert_int_not_equal(mv_fp_sniff(m4a, sizeof(m4a)), MV_FP_IMAGE);
    /* A HEIF brand past the end of the ftyp box does not count. */
    memcpy(b, mp4, sizeof(mp4));
    b[3] = 16; /* the box now ends before the compatible brands */
    memcpy(b + 16, "mif1", 4);
    assert_int_not_equal(mv_fp_sniff(b, 20), MV_FP_IMAGE);
    /* Nonsense box sizes: smaller than the box header, or not whole brands. */
    memcpy(b, heic, sizeof(heic));
    b[3] = 8;
    assert_int_not_equal(mv_fp_sniff(b, sizeof(heic)), MV_FP_IMAGE);
    b[3] = 23;
    assert_int_not_equal(mv_fp_sniff(b, sizeof(heic)), MV_FP_IMAGE);
    /* Another box first is not a HEIF file. */
    memcpy(b, heic, sizeof(heic));
    memcpy(b + 4, "free", 4);
    assert_int_not_equal(mv_fp_sniff(b, sizeof(heic)), MV_FP_IMAGE);
    /* Brands are case-sensitive four-character codes. */
    memcpy(b, heic, sizeof(heic));
    memcpy(b + 8, "HEIC", 4);
    memcpy(b + 16, "MIF1", 4);
    memcpy(b + 20, "Heic", 4);
    assert_int_not_equal(mv_fp_sniff(b, sizeof(heic)), MV_FP_IMAGE);
}

static void text_or_binary(void **state)
{
    static const char plain[] = "Some plain words of text, with a tab\tand lines.\n";
    static const char utf8[] = "Gr\xc3\xbc\xc3\x9f"
                               "e aus K\xc3\xb6ln \xe2\x80\x94 \xf0\x9f\x98\x80\n";
    static const uint8_t binary[] = { 0x00, 0x01, 0x02, 0x03, 'a', 'b', 0xff, 0xfe };
    static const uint8_t bad_utf8[] = { 'a', 'b', 0xc0, 0xaf, 'c' }; /* overlong '/' */
    uint8_t controls[100];

    (void)state;
    assert_int_equal(mv_fp_sniff((const uint8_t *)plain, strlen(plain)), MV_FP_TEXT);
    assert_int_equal(mv_fp_sniff((const uint8_t *)utf8, strlen(utf8)), MV_FP_TEXT);
    assert_int_equal(mv_fp_sniff(binary, sizeof(binary)), MV_FP_AUTO);
    assert_int_equal(mv_fp_sniff(bad_utf8, sizeof(bad_utf8)), MV_FP_AUTO);
    /* Text that merely starts like a format is text ("BM" wants 26 bytes of header). */
    assert_int_equal(mv_fp_sniff((const uint8_t *)"BMW cars", 8), MV_FP_TEXT);
    /* Control characters: a few are tolerated, many are binary. */
    memset(controls, 'x', sizeof(controls));
    controls[10] = 0x01;
    assert_int_equal(mv_fp_sniff(controls, sizeof(controls)), MV_FP_TEXT);
    for (size_t i = 0; i < sizeof(controls); i += 5)
        controls[i] = 0x01;
    assert_int_equal(mv_fp_sniff(controls, sizeof(controls)), MV_FP_AUTO);
}

static void empty_input(void **state)
{
    (void)state;
    assert_int_equal(mv_fp_sniff(NULL, 0), MV_FP_AUTO);
    assert_int_equal(mv_fp_sniff((const uint8_t *)"", 0), MV_FP_AUTO);
    assert_int_equal(mv_fp_sniff(NULL, 10), MV_FP_AUTO);
    assert_string_equal(mv_fp_type_name(mv_fp_sniff(NULL, 0)), "unknown");
}

/* Each magic cut short (nothing after it) is no longer an image. */
static void truncated_magic(void **state)
{
    uint8_t b[32];

    (void)state;
    static const struct magic cut[] = {
        { "jpeg", jpeg, 2 },         { "png", png, 7 },         { "gif", gif89, 5 },
        { "webp", webp, 11 },        { "tiff le", tiff_le, 7 }, { "tiff be", tiff_be, 7 },
        { "heic", heic, 15 },        { "bmp", bmp, 12 },        { "avif", avif, 11 },
        { "mif1", mif1_compat, 16 },
    };
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
        if (mv_fp_sniff(cut[i].bytes, cut[i].len) == MV_FP_IMAGE)
            fail_msg("%s cut to %zu bytes: sniffed as an image", cut[i].name, cut[i].len);
    /* A BMP needs its 26 header bytes: 25 are not enough. */
    const size_t n = with_filler(&images[5], b, 25);
    assert_int_not_equal(mv_fp_sniff(b, n), MV_FP_IMAGE);
    assert_int_equal(mv_fp_sniff(b, with_filler(&images[5], b, 26)), MV_FP_IMAGE);
}

/* Bytes sniffed as HEIF that libheif cannot read: corrupt with libheif; without it,
 * MV_ENOTSUP with the type image (what the program turns into "built without HEIF
 * support"). Asking for an image on text is MV_ENOTSUP without the type image. */
static void heif_undecodable(void **state)
{
    mv_fp *fp = NULL;
    mv_fp_result r;
    uint8_t buf[64];

    (void)state;
    assert_int_equal(mv_fp_new(&fp), MV_OK);
    assert_int_equal(mv_fp_set(fp, MV_FP_OPT_CACHE, 0), MV_OK);
    const size_t n = with_filler(&images[8], buf, sizeof(buf));
    const mv_status st = mv_fp_mem(fp, buf, n, &r);
    assert_int_equal(mv_fp_heif_supported(), MV_TEST_HAVE_HEIF);
    if (MV_TEST_HAVE_HEIF) {
        assert_int_equal(st, MV_ECORRUPT);
    } else {
        assert_int_equal(st, MV_ENOTSUP);
        assert_int_equal(r.type, MV_FP_IMAGE);
    }
    assert_int_equal(mv_fp_set(fp, MV_FP_OPT_TYPE, MV_FP_IMAGE), MV_OK);
    assert_int_equal(mv_fp_mem(fp, (const uint8_t *)"just words here", 15, &r), MV_ENOTSUP);
    assert_int_not_equal(r.type, MV_FP_IMAGE);
    mv_fp_free(fp);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(image_magic),     cmocka_unit_test(heif_brands),
        cmocka_unit_test(text_or_binary),  cmocka_unit_test(empty_input),
        cmocka_unit_test(truncated_magic), cmocka_unit_test(heif_undecodable),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
