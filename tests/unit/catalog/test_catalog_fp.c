/*
 * Unit tests of the catalog's fingerprint cache (mv_catalog_fp_get/put): rows
 * keyed by (content MD5, size, algorithm, version), misses, overwrites, the
 * caller's buffer, bad arguments, and the cache as mv_fp uses it; the values
 * and keys of the audio and video cache (megabytes of frames read again
 * into a buffer of their size, option-carrying algorithm names) and two
 * handles writing one catalog file from two threads at once. Each case
 * uses a real SQLite catalog file in a fresh temporary directory, reopened
 * where persistence matters.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mediavault/mediavault.h"

static char dir[64];
static char db[128];

static mv_catalog *open_fresh(void)
{
    mv_catalog *c = NULL;

    snprintf(dir, sizeof(dir), "/tmp/mv-catfp-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/catalog.db", dir);
    assert_int_equal(mv_catalog_open(db, &c), MV_OK);
    return c;
}

static mv_catalog *reopen(mv_catalog *c)
{
    mv_catalog *again = NULL;

    mv_catalog_close(c);
    assert_int_equal(mv_catalog_open(db, &again), MV_OK);
    return again;
}

static void cleanup(mv_catalog *c)
{
    char cmd[160];

    mv_catalog_close(c);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

/* A content MD5 made of one repeated byte (the cache never checks it against data). */
static void md5_of(uint8_t md5[MV_MD5_LEN], uint8_t fill)
{
    memset(md5, fill, MV_MD5_LEN);
}

/* A value of n bytes that differs with seed. */
static void value_of(uint8_t *v, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        v[i] = (uint8_t)(seed * 31u + i * 7u);
}

static void put_get_roundtrip(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], v[32], got[64];
    size_t len = 0;
    int quality = -2;

    (void)state;
    md5_of(md5, 0xa1);
    value_of(v, sizeof(v), 1);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1234, "pdq", 1, v, sizeof(v), 87, 1700000000),
                     MV_OK);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1234, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_OK);
    assert_int_equal(len, sizeof(v));
    assert_int_equal(quality, 87);
    assert_memory_equal(got, v, sizeof(v));
    /* On disk: a new handle on the same file finds it. */
    c = reopen(c);
    memset(got, 0, sizeof(got));
    assert_int_equal(mv_catalog_fp_get(c, md5, 1234, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_OK);
    assert_int_equal(len, sizeof(v));
    assert_int_equal(quality, 87);
    assert_memory_equal(got, v, sizeof(v));
    /* No quality stored: -1 comes back. */
    assert_int_equal(mv_catalog_fp_put(c, md5, 1234, "simhash64", 1, v, 16, -1, 1), MV_OK);
    assert_int_equal(
        mv_catalog_fp_get(c, md5, 1234, "simhash64", 1, got, sizeof(got), &len, &quality), MV_OK);
    assert_int_equal(len, 16);
    assert_int_equal(quality, -1);
    assert_memory_equal(got, v, 16);
    cleanup(c);
}

static void miss(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], other[MV_MD5_LEN], v[32], got[32];
    size_t len = 99;
    int quality = 99;

    (void)state;
    md5_of(md5, 0x01);
    md5_of(other, 0x02);
    value_of(v, sizeof(v), 2);
    /* An empty cache. */
    assert_int_equal(mv_catalog_fp_get(c, md5, 10, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    assert_int_equal(mv_catalog_fp_put(c, md5, 10, "pdq", 1, v, sizeof(v), 100, 1), MV_OK);
    /* Each part of the key matters: MD5, size, algorithm. */
    assert_int_equal(mv_catalog_fp_get(c, other, 10, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    assert_int_equal(mv_catalog_fp_get(c, md5, 11, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    assert_int_equal(mv_catalog_fp_get(c, md5, 10, "pdq+exif", 1, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    assert_int_equal(mv_catalog_fp_get(c, md5, 10, "PDQ", 1, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    /* The content stays in the catalog, but a miss is still a miss after reopening. */
    c = reopen(c);
    assert_int_equal(mv_catalog_fp_get(c, other, 10, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    assert_int_equal(mv_catalog_fp_get(c, md5, 10, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_OK);
    cleanup(c);
}

static void overwrite(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], a[256], b[32], got[256];
    size_t len = 0;
    int quality = 0;

    (void)state;
    md5_of(md5, 0x33);
    value_of(a, sizeof(a), 3);
    value_of(b, sizeof(b), 4);
    assert_int_equal(mv_catalog_fp_put(c, md5, 5, "pdq+dihedral", 1, a, sizeof(a), 50, 1), MV_OK);
    /* Same key: the value, its length and the quality are replaced (quality -1: none). */
    assert_int_equal(mv_catalog_fp_put(c, md5, 5, "pdq+dihedral", 1, b, sizeof(b), -1, 2), MV_OK);
    assert_int_equal(
        mv_catalog_fp_get(c, md5, 5, "pdq+dihedral", 1, got, sizeof(got), &len, &quality), MV_OK);
    assert_int_equal(len, sizeof(b));
    assert_int_equal(quality, -1);
    assert_memory_equal(got, b, sizeof(b));
    /* And back, with a quality again. */
    assert_int_equal(mv_catalog_fp_put(c, md5, 5, "pdq+dihedral", 1, a, sizeof(a), 12, 3), MV_OK);
    c = reopen(c);
    assert_int_equal(
        mv_catalog_fp_get(c, md5, 5, "pdq+dihedral", 1, got, sizeof(got), &len, &quality), MV_OK);
    assert_int_equal(len, sizeof(a));
    assert_int_equal(quality, 12);
    assert_memory_equal(got, a, sizeof(a));
    cleanup(c);
}

static void version_mismatch(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], v1[32], v2[32], got[32];
    size_t len = 0;
    int quality = 0;

    (void)state;
    md5_of(md5, 0x44);
    value_of(v1, sizeof(v1), 5);
    value_of(v2, sizeof(v2), 6);
    assert_int_equal(mv_catalog_fp_put(c, md5, 7, "pdq", 1, v1, sizeof(v1), 90, 1), MV_OK);
    assert_int_equal(mv_catalog_fp_get(c, md5, 7, "pdq", 2, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    assert_int_equal(mv_catalog_fp_get(c, md5, 7, "pdq", 0, got, sizeof(got), &len, &quality),
                     MV_ENOENT);
    /* A new version gets a row of its own; the old one stays readable. */
    assert_int_equal(mv_catalog_fp_put(c, md5, 7, "pdq", 2, v2, sizeof(v2), 80, 2), MV_OK);
    assert_int_equal(mv_catalog_fp_get(c, md5, 7, "pdq", 2, got, sizeof(got), &len, &quality),
                     MV_OK);
    assert_memory_equal(got, v2, sizeof(v2));
    assert_int_equal(quality, 80);
    assert_int_equal(mv_catalog_fp_get(c, md5, 7, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_OK);
    assert_memory_equal(got, v1, sizeof(v1));
    assert_int_equal(quality, 90);
    cleanup(c);
}

static void small_buffer(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], v[64], got[63];
    size_t len = 0;
    int quality = 0;

    (void)state;
    md5_of(md5, 0x55);
    value_of(v, sizeof(v), 7);
    assert_int_equal(mv_catalog_fp_put(c, md5, 9, "pdq", 1, v, sizeof(v), 70, 1), MV_OK);
    /* One byte short: MV_ETOOBIG, the length needed, nothing copied, a detail message. */
    memset(got, 0xee, sizeof(got));
    assert_int_equal(mv_catalog_fp_get(c, md5, 9, "pdq", 1, got, sizeof(got), &len, &quality),
                     MV_ETOOBIG);
    assert_int_equal(len, sizeof(v));
    for (size_t i = 0; i < sizeof(got); i++)
        assert_int_equal(got[i], 0xee);
    assert_non_null(strstr(mv_catalog_errmsg(c), "64 bytes"));
    /* No buffer at all asks for the length only. */
    len = 0;
    assert_int_equal(mv_catalog_fp_get(c, md5, 9, "pdq", 1, NULL, 0, &len, &quality), MV_ETOOBIG);
    assert_int_equal(len, sizeof(v));
    cleanup(c);
}

static void bad_arguments(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], v[32], got[32];
    size_t len = 0;
    int q = 0;

    (void)state;
    md5_of(md5, 0x66);
    value_of(v, sizeof(v), 8);
    assert_int_equal(mv_catalog_fp_put(c, NULL, 1, "pdq", 1, v, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1, NULL, 1, v, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1, "", 1, v, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1, "pdq", -1, v, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1, "pdq", 1, NULL, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1, "pdq", 1, v, 0, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, NULL, 1, "pdq", 1, got, 32, &len, &q), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, NULL, 1, got, 32, &len, &q), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "", 1, got, 32, &len, &q), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "pdq", -1, got, 32, &len, &q), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "pdq", 1, got, 32, NULL, &q), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "pdq", 1, got, 32, &len, NULL), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "pdq", 1, NULL, 32, &len, &q), MV_EINVAL);
    /* None of them stored anything. */
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "pdq", 1, got, 32, &len, &q), MV_ENOENT);
    cleanup(c);
}

static void null_safety(void **state)
{
    uint8_t md5[MV_MD5_LEN], v[32];
    size_t len = 0;
    int q = 0;
    mv_catalog *c = NULL;

    (void)state;
    md5_of(md5, 0x77);
    value_of(v, sizeof(v), 9);
    assert_int_equal(mv_catalog_fp_put(NULL, md5, 1, "pdq", 1, v, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(NULL, md5, 1, "pdq", 1, v, 32, &len, &q), MV_EINVAL);
    mv_catalog_close(NULL);
    /* A handle whose open failed is closed safely and refuses the cache calls. */
    assert_int_equal(mv_catalog_open("postgresql://nowhere/x", &c), MV_ENOTSUP);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1, "pdq", 1, v, 32, 1, 1), MV_EINVAL);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1, "pdq", 1, v, 32, &len, &q), MV_EINVAL);
    mv_catalog_close(c);
}

/* The cache as mv_fp uses it: the second fingerprint of the same bytes comes from the
 * catalog, under the key fp_file.c documents ("simhash64", version, 16 bytes). */
static void fp_uses_cache(void **state)
{
    static const char text[] = "the quick brown fox jumps over the lazy dog again and again";
    mv_catalog *c = open_fresh();
    mv_fp *fp = NULL;
    mv_fp_result r1, r2;
    uint8_t got[16];
    size_t len = 0;
    int q = 0;

    (void)state;
    assert_int_equal(mv_fp_new(&fp), MV_OK);
    mv_fp_set_catalog(fp, c);
    assert_int_equal(mv_fp_mem(fp, (const uint8_t *)text, strlen(text), &r1), MV_OK);
    assert_int_equal(r1.cached, 0);
    assert_int_equal(mv_catalog_fp_get(c, r1.md5, strlen(text), "simhash64", MV_FP_SIMHASH_VERSION,
                                       got, sizeof(got), &len, &q),
                     MV_OK);
    assert_int_equal(len, 16);
    assert_int_equal(q, -1);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | got[i];
    assert_true(h == r1.simhash);
    assert_int_equal(mv_fp_mem(fp, (const uint8_t *)text, strlen(text), &r2), MV_OK);
    assert_int_equal(r2.cached, 1);
    assert_true(r2.simhash == r1.simhash && r2.tokens == r1.tokens);
    /* A value planted under that key is what the next lookup returns. */
    memset(got, 0, sizeof(got));
    got[7] = 0x2a;
    got[15] = 3;
    assert_int_equal(mv_catalog_fp_put(c, r1.md5, strlen(text), "simhash64", MV_FP_SIMHASH_VERSION,
                                       got, sizeof(got), -1, 5),
                     MV_OK);
    assert_int_equal(mv_fp_mem(fp, (const uint8_t *)text, strlen(text), &r2), MV_OK);
    assert_true(r2.cached == 1 && r2.simhash == 0x2a && r2.tokens == 3);
    mv_fp_free(fp);
    cleanup(c);
}

/* A video hashed at every frame for an hour stores megabytes: the first
 * buffer is too small, the length comes back, a buffer of that size gets it. */
static void large_values(void **state)
{
    enum { BIG = 4 * 1024 * 1024 + 17 };
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], small[16384];
    uint8_t *v = malloc(BIG), *got = malloc(BIG);
    size_t len = 0;
    int quality = 0;

    (void)state;
    assert_non_null(v);
    assert_non_null(got);
    md5_of(md5, 0x77);
    value_of(v, BIG, 11);
    assert_int_equal(mv_catalog_fp_put(c, md5, 1u << 30, "vpdq+every0+size0", 1, v, BIG, -1, 1),
                     MV_OK);
    c = reopen(c);
    assert_int_equal(mv_catalog_fp_get(c, md5, 1u << 30, "vpdq+every0+size0", 1, small,
                                       sizeof(small), &len, &quality),
                     MV_ETOOBIG);
    assert_int_equal(len, BIG);
    memset(got, 0, BIG);
    assert_int_equal(
        mv_catalog_fp_get(c, md5, 1u << 30, "vpdq+every0+size0", 1, got, len, &len, &quality),
        MV_OK);
    assert_int_equal(len, BIG);
    assert_int_equal(quality, -1);
    assert_memory_equal(got, v, BIG);
    free(v);
    free(got);
    cleanup(c);
}

/* The options that change a result are in the algorithm name: each name is a
 * row of its own on one content, and a name never answers for another content. */
static void option_keys(void **state)
{
    static const char *const names[] = {
        "chromaprint+alg2+len120",     "chromaprint+alg2+len0", "chromaprint+alg3+len120",
        "vpdq+every1+size0",           "vpdq+every0.5+size0",   "vpdq+every1+size128",
        "vpdq+every1+size0+maxpx1000",
    };
    const size_t n = sizeof(names) / sizeof(names[0]);
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN], other[MV_MD5_LEN], v[40], got[40];
    size_t len = 0;
    int quality = 0;

    (void)state;
    md5_of(md5, 0x31);
    md5_of(other, 0x32);
    for (size_t i = 0; i < n; i++) {
        value_of(v, sizeof(v), (unsigned)i);
        assert_int_equal(mv_catalog_fp_put(c, md5, 500, names[i], 1, v, sizeof(v), -1, 1), MV_OK);
    }
    c = reopen(c);
    for (size_t i = 0; i < n; i++) {
        value_of(v, sizeof(v), (unsigned)i);
        assert_int_equal(
            mv_catalog_fp_get(c, md5, 500, names[i], 1, got, sizeof(got), &len, &quality), MV_OK);
        assert_memory_equal(got, v, sizeof(v));
        /* Another MD5, another size, another version: misses. */
        assert_int_equal(
            mv_catalog_fp_get(c, other, 500, names[i], 1, got, sizeof(got), &len, &quality),
            MV_ENOENT);
        assert_int_equal(
            mv_catalog_fp_get(c, md5, 501, names[i], 1, got, sizeof(got), &len, &quality),
            MV_ENOENT);
        assert_int_equal(
            mv_catalog_fp_get(c, md5, 500, names[i], 2, got, sizeof(got), &len, &quality),
            MV_ENOENT);
    }
    cleanup(c);
}

/* Two handles on one catalog file, as two processes (or the two handles of
 * one `fingerprint` run) have: both write at once, on contents of their own
 * and on shared ones; the busy timeout makes each wait, none fails. */
#define WRITES 150

struct writer {
    int id;
    mv_status st;
};

static void *write_rows(void *arg)
{
    struct writer *w = arg;
    mv_catalog *c = NULL;
    uint8_t md5[MV_MD5_LEN], v[200];

    w->st = mv_catalog_open(db, &c);
    for (int i = 0; i < WRITES && w->st == MV_OK; i++) {
        /* Even i: a content only this writer stores; odd i: one both store. */
        md5_of(md5, (uint8_t)i);
        md5[0] = (uint8_t)(i % 2 ? 0xff : w->id);
        value_of(v, sizeof(v), (unsigned)i);
        w->st = mv_catalog_fp_put(c, md5, (uint64_t)i, "chromaprint+alg2+len120", 1, v, sizeof(v),
                                  -1, 1);
    }
    mv_catalog_close(c);
    return NULL;
}

static void two_writers(void **state)
{
    mv_catalog *c = open_fresh();
    struct writer w[2] = { { 1, MV_OK }, { 2, MV_OK } };
    pthread_t th[2];
    uint8_t md5[MV_MD5_LEN], v[200], got[200];
    size_t len = 0;
    int quality = 0;

    (void)state;
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_create(&th[t], NULL, write_rows, &w[t]), 0);
    for (int t = 0; t < 2; t++)
        assert_int_equal(pthread_join(th[t], NULL), 0);
    assert_int_equal(w[0].st, MV_OK);
    assert_int_equal(w[1].st, MV_OK);
    c = reopen(c);
    for (int i = 0; i < WRITES; i++) {
        value_of(v, sizeof(v), (unsigned)i);
        for (int t = 0; t < 2; t++) {
            md5_of(md5, (uint8_t)i);
            md5[0] = (uint8_t)(i % 2 ? 0xff : w[t].id);
            assert_int_equal(mv_catalog_fp_get(c, md5, (uint64_t)i, "chromaprint+alg2+len120", 1,
                                               got, sizeof(got), &len, &quality),
                             MV_OK);
            assert_int_equal(len, sizeof(v));
            assert_memory_equal(got, v, sizeof(v));
        }
    }
    cleanup(c);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(put_get_roundtrip), cmocka_unit_test(miss),
        cmocka_unit_test(overwrite),         cmocka_unit_test(version_mismatch),
        cmocka_unit_test(small_buffer),      cmocka_unit_test(bad_arguments),
        cmocka_unit_test(null_safety),       cmocka_unit_test(fp_uses_cache),
        cmocka_unit_test(large_values),      cmocka_unit_test(option_keys),
        cmocka_unit_test(two_writers),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
