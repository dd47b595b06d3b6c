/*
 * Unit tests of PDQ (src/fingerprint/fp_pdq*.c) and image decoding (src/media/).
 *
 * The table cases hash every row of the reference vectors in
 * shared/testdata/pdq (expected.tsv, expected-fullres.tsv, expected-dihedral.tsv)
 * and require the hash and the quality to be identical; they exit 77, a skip,
 * when that folder is missing. The other cases build their own inputs: encoded
 * JPEGs from libjpeg, PNGs written here with stored deflate blocks, truncated
 * copies of both, and headers claiming 60000x60000 pixels.
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
#include <sys/stat.h>
#include <unistd.h>

#include <jpeglib.h>

#include "mediavault/mediavault.h"
#include "mediavault/pdq.h"

#ifndef MV_PDQ_TESTDATA
#define MV_PDQ_TESTDATA "shared/testdata/pdq"
#endif

#define MAX_FIELDS 11

struct row {
    char *f[MAX_FIELDS];
    int n;
};

static void need_testdata(void)
{
    struct stat sb;
    if (stat(MV_PDQ_TESTDATA "/expected.tsv", &sb) != 0) {
        fprintf(stderr, "skip: no %s\n", MV_PDQ_TESTDATA);
        exit(77);
    }
}

static int split(char *line, struct row *r)
{
    line[strcspn(line, "\r\n")] = '\0';
    r->n = 0;
    for (char *p = line; p != NULL && r->n < MAX_FIELDS;) {
        r->f[r->n++] = p;
        p = strchr(p, '\t');
        if (p != NULL)
            *p++ = '\0';
    }
    return r->n;
}

static int hash_path(const char *rel, unsigned flags, int dihedral, mv_pdq_hash *out, int *q)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", MV_PDQ_TESTDATA, rel);
    return mv_pdq_file(path, flags, 0, dihedral, out, q);
}

static int check_hex(const char *file, const char *what, const mv_pdq_hash *h, const char *want)
{
    char hex[MV_PDQ_HEX_LEN + 1];
    mv_pdq_hash w;
    mv_pdq_to_hex(h, hex);
    if (strcmp(hex, want) == 0)
        return 1;
    const int d = mv_pdq_from_hex(want, strlen(want), &w) == MV_OK ? mv_pdq_distance(h, &w) : -1;
    printf("MISMATCH %s %s: got %s want %s (distance %d)\n", file, what, hex, want, d);
    return 0;
}

/* One row of expected.tsv or expected-fullres.tsv: file, hex, quality. */
static int check_plain(struct row *r, unsigned flags)
{
    mv_pdq_hash h;
    int q = -1;
    const mv_status st = hash_path(r->f[0], flags, 0, &h, &q);
    if (st != MV_OK) {
        printf("ERROR %s: %s\n", r->f[0], mv_status_name(st));
        return 0;
    }
    const int ok = check_hex(r->f[0], "hash", &h, r->f[1]);
    if (q != (int)strtol(r->f[2], NULL, 10)) {
        printf("MISMATCH %s quality: got %d want %s\n", r->f[0], q, r->f[2]);
        return 0;
    }
    return ok;
}

/* One row of expected-dihedral.tsv: file, quality, then eight hex hashes. */
static int check_dihedral(struct row *r, unsigned flags)
{
    static const char *names[] = { "orig",  "rot90", "rot180", "rot270",
                                   "flipx", "flipy", "flipp",  "flipm" };
    mv_pdq_hash h[MV_PDQ_NDIHEDRAL];
    int q = -1, ok = 1;
    if (r->n < 2 + MV_PDQ_NDIHEDRAL || hash_path(r->f[0], flags, 1, h, &q) != MV_OK)
        return 0;
    for (int k = 0; k < MV_PDQ_NDIHEDRAL; k++)
        ok &= check_hex(r->f[0], names[k], &h[k], r->f[2 + k]);
    if (q != (int)strtol(r->f[1], NULL, 10))
        ok = 0;
    return ok;
}

static void run_table(const char *name, unsigned flags, int (*check)(struct row *, unsigned))
{
    char path[1024], line[4096];
    struct row r;
    int rows = 0, pass = 0;

    need_testdata();
    snprintf(path, sizeof(path), "%s/%s", MV_PDQ_TESTDATA, name);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof(line), f)); /* header */
    while (fgets(line, sizeof(line), f) != NULL) {
        if (split(line, &r) < 3)
            continue;
        rows++;
        pass += check(&r, flags);
    }
    fclose(f);
    printf("%s: %d/%d rows pass\n", name, pass, rows);
    assert_true(rows > 0);
    assert_int_equal(pass, rows);
}

static void expected_table(void **state)
{
    (void)state;
    run_table("expected.tsv", 0, check_plain);
}

static void fullres_table(void **state)
{
    (void)state;
    run_table("expected-fullres.tsv", MV_PDQ_FULLRES, check_plain);
}

static void dihedral_table(void **state)
{
    (void)state;
    run_table("expected-dihedral.tsv", 0, check_dihedral);
}

/* A growable byte buffer for building files. */
struct bytes {
    uint8_t *p;
    size_t n, cap;
};

static void put(struct bytes *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        assert_non_null(b->p);
    }
    memcpy(b->p + b->n, src, n);
    b->n += n;
}

static void put32(struct bytes *b, uint32_t v)
{
    const uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(b, x, 4);
}

static uint32_t crc32_of(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return c ^ 0xffffffffu;
}

static void put_chunk(struct bytes *b, const char *type, const uint8_t *data, size_t n)
{
    put32(b, (uint32_t)n);
    const size_t start = b->n;
    put(b, type, 4);
    if (n > 0)
        put(b, data, n);
    put32(b, crc32_of(b->p + start, n + 4));
}

/* A zlib stream of stored blocks holding raw. */
static void zlib_stored(struct bytes *z, const uint8_t *raw, size_t n)
{
    uint32_t a = 1, s = 0;
    const uint8_t head[2] = { 0x78, 0x01 };
    put(z, head, 2);
    for (size_t off = 0; off < n || off == 0;) {
        const size_t len = n - off > 65535 ? 65535 : n - off;
        const uint8_t blk[5] = { (uint8_t)(off + len == n), (uint8_t)len, (uint8_t)(len >> 8),
                                 (uint8_t)~len, (uint8_t)(~len >> 8) };
        put(z, blk, 5);
        put(z, raw + off, len);
        off += len;
        if (n == 0)
            break;
    }
    for (size_t i = 0; i < n; i++) {
        a = (a + raw[i]) % 65521;
        s = (s + a) % 65521;
    }
    put32(z, s << 16 | a);
}

/* A PNG of w x h, 8-bit RGB (ch 3) or grey (ch 1), claiming claim_w x claim_h in IHDR. */
static struct bytes make_png(uint32_t w, uint32_t h, int ch, uint32_t claim_w, uint32_t claim_h)
{
    static const uint8_t sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    struct bytes b = { 0 }, ihdr = { 0 }, z = { 0 };
    const size_t rowlen = (size_t)w * (size_t)ch + 1;
    uint8_t *raw = calloc(rowlen * h + 1, 1);
    assert_non_null(raw);
    for (size_t i = 0; i < rowlen * h; i++)
        raw[i] = i % rowlen == 0 ? 0 : (uint8_t)(i * 7 + i / rowlen * 13);
    put(&b, sig, 8);
    put32(&ihdr, claim_w);
    put32(&ihdr, claim_h);
    const uint8_t rest[5] = { 8, ch == 3 ? 2 : 0, 0, 0, 0 };
    put(&ihdr, rest, 5);
    put_chunk(&b, "IHDR", ihdr.p, ihdr.n);
    zlib_stored(&z, raw, rowlen * h);
    put_chunk(&b, "IDAT", z.p, z.n);
    put_chunk(&b, "IEND", NULL, 0);
    free(raw);
    free(ihdr.p);
    free(z.p);
    return b;
}

/* A baseline JPEG of w x h RGB noise-ish pixels, from libjpeg. */
static struct bytes make_jpeg(int w, int h)
{
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    unsigned char *out = NULL;
    unsigned long outsize = 0;
    uint8_t *row = malloc((size_t)w * 3);
    assert_non_null(row);
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    jpeg_mem_dest(&c, &out, &outsize);
    c.image_width = (JDIMENSION)w;
    c.image_height = (JDIMENSION)h;
    c.input_components = 3;
    c.in_color_space = JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < c.image_height) {
        for (int x = 0; x < w * 3; x++)
            row[x] = (uint8_t)(x * 5 + (int)c.next_scanline * 3 + (x * x) % 17);
        JSAMPROW rp = row;
        jpeg_write_scanlines(&c, &rp, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    struct bytes b = { 0 };
    put(&b, out, outsize);
    free(out);
    return b;
}

static mv_status hash_bytes(const struct bytes *b, size_t len, mv_pdq_hash *h, int *q)
{
    return mv_pdq_mem(b->p, len, 0, 0, 0, h, q);
}

static void generated_ok(void **state)
{
    mv_pdq_hash h;
    int q;
    (void)state;
    struct bytes png = make_png(100, 80, 3, 100, 80), jpg = make_jpeg(120, 90);
    assert_int_equal(hash_bytes(&png, png.n, &h, &q), MV_OK);
    assert_int_equal(hash_bytes(&jpg, jpg.n, &h, &q), MV_OK);
    assert_true(q > 0);
    free(png.p);
    free(jpg.p);
}

static void zero_byte_file(void **state)
{
    char path[] = "/tmp/mv-test-pdq-XXXXXX";
    mv_pdq_hash h;
    int q;
    (void)state;
    const int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(mv_pdq_file(path, 0, 0, 0, &h, &q), MV_ECORRUPT);
    assert_int_equal(mv_pdq_mem(NULL, 0, 0, 0, 0, &h, &q), MV_ECORRUPT);
    assert_int_equal(mv_pdq_file("/nonexistent/mv-pdq.png", 0, 0, 0, &h, &q), MV_ENOENT);
    unlink(path);
}

/* Every strict prefix of the file's first part must be refused, never crash. */
static void truncated(struct bytes *b, size_t from)
{
    mv_pdq_hash h;
    int q;
    for (size_t len = from; len < b->n - 16; len += 1 + len / 8) {
        const mv_status st = hash_bytes(b, len, &h, &q);
        if (st != MV_ECORRUPT)
            printf("prefix %zu of %zu: %s\n", len, b->n, mv_status_name(st));
        assert_int_equal(st, MV_ECORRUPT);
    }
    free(b->p);
}

static void truncated_jpeg(void **state)
{
    (void)state;
    struct bytes jpg = make_jpeg(64, 48);
    truncated(&jpg, 3);
}

static void truncated_png(void **state)
{
    (void)state;
    struct bytes png = make_png(64, 48, 3, 64, 48);
    truncated(&png, 8);
}

static void one_by_one(void **state)
{
    mv_pdq_hash h, zero;
    int q = -1;
    (void)state;
    memset(&zero, 0, sizeof(zero));
    struct bytes png = make_png(1, 1, 3, 1, 1), jpg = make_jpeg(1, 1);
    assert_int_equal(hash_bytes(&png, png.n, &h, &q), MV_OK);
    assert_memory_equal(&h, &zero, sizeof(h));
    assert_int_equal(q, 0);
    q = -1;
    assert_int_equal(hash_bytes(&jpg, jpg.n, &h, &q), MV_OK);
    assert_memory_equal(&h, &zero, sizeof(h));
    assert_int_equal(q, 0);
    free(png.p);
    free(jpg.p);
}

/* Patches the first SOF0 marker's height and width. */
static void jpeg_claim(struct bytes *b, uint16_t w, uint16_t h)
{
    for (size_t i = 2; i + 9 < b->n; i++)
        if (b->p[i] == 0xff && b->p[i + 1] == 0xc0) {
            b->p[i + 5] = (uint8_t)(h >> 8);
            b->p[i + 6] = (uint8_t)h;
            b->p[i + 7] = (uint8_t)(w >> 8);
            b->p[i + 8] = (uint8_t)w;
            return;
        }
    fail_msg("no SOF0");
}

static void huge_header(void **state)
{
    mv_pdq_hash h;
    int q;
    (void)state;
    struct bytes png = make_png(8, 8, 3, 60000, 60000), jpg = make_jpeg(16, 16);
    jpeg_claim(&jpg, 60000, 60000);
    assert_int_equal(hash_bytes(&png, png.n, &h, &q), MV_ETOOBIG);
    assert_int_equal(hash_bytes(&jpg, jpg.n, &h, &q), MV_ETOOBIG);
    free(png.p);
    free(jpg.p);
    /* The limit is on width * height, inclusive. */
    png = make_png(8, 8, 3, 8, 8);
    assert_int_equal(mv_pdq_mem(png.p, png.n, 0, 63, 0, &h, &q), MV_ETOOBIG);
    assert_int_equal(mv_pdq_mem(png.p, png.n, 0, 64, 0, &h, &q), MV_OK);
    free(png.p);
}

static void pixels_api(void **state)
{
    uint8_t pix[7 * 6 * 3];
    mv_pdq_hash h, zero, d[MV_PDQ_NDIHEDRAL];
    int q = -1;
    (void)state;
    memset(&zero, 0, sizeof(zero));
    for (size_t i = 0; i < sizeof(pix); i++)
        pix[i] = (uint8_t)(i * 37);
    assert_int_equal(mv_pdq_pixels(pix, 4, 4, 12, 3, 0, &h, &q), MV_OK);
    assert_memory_equal(&h, &zero, sizeof(h));
    assert_int_equal(q, 0);
    assert_int_equal(mv_pdq_pixels(pix, 7, 6, 21, 3, 0, &h, &q), MV_OK);
    assert_int_equal(mv_pdq_dihedral_pixels(pix, 7, 6, 21, 3, 0, d, &q), MV_OK);
    assert_memory_equal(&h, &d[MV_PDQ_ORIG], sizeof(h));
    assert_int_equal(mv_pdq_pixels(pix, 7, 6, 20, 3, 0, &h, &q), MV_EINVAL);
    assert_int_equal(mv_pdq_pixels(pix, 7, 6, 21, 2, 0, &h, &q), MV_EINVAL);
    assert_int_equal(mv_pdq_pixels(NULL, 7, 6, 21, 3, 0, &h, &q), MV_EINVAL);
}

static void hex_roundtrip(void **state)
{
    const char *hex = "54a9f7c321d1443c43ba566e21d4a13989a3553f1472611cbbc5fda59e03b677";
    char out[MV_PDQ_HEX_LEN + 1];
    mv_pdq_hash h, g;
    (void)state;
    assert_int_equal(mv_pdq_from_hex(hex, strlen(hex), &h), MV_OK);
    mv_pdq_to_hex(&h, out);
    assert_string_equal(out, hex);
    assert_int_equal(h.words[15], 0x54a9);
    assert_int_equal(h.words[0], 0xb677);
    assert_int_equal(mv_pdq_from_hex(hex, 63, &g), MV_EPARSE);
    assert_int_equal(
        mv_pdq_from_hex("g4a9f7c321d1443c43ba566e21d4a13989a3553f1472611cbbc5fda59e03b677", 64, &g),
        MV_EPARSE);
    g = h;
    g.words[3] ^= 0x0101;
    assert_int_equal(mv_pdq_distance(&h, &g), 2);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(expected_table), cmocka_unit_test(fullres_table),
        cmocka_unit_test(dihedral_table), cmocka_unit_test(generated_ok),
        cmocka_unit_test(zero_byte_file), cmocka_unit_test(truncated_jpeg),
        cmocka_unit_test(truncated_png),  cmocka_unit_test(one_by_one),
        cmocka_unit_test(huge_header),    cmocka_unit_test(pixels_api),
        cmocka_unit_test(hex_roundtrip),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
