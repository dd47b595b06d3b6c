/*
 * Unit tests of the catalog: migrations, records with byte paths, the
 * inode/MD5 lookups, gone-marking below a root, dupes grouping, scan records.
 * Each case uses its own catalog file in a fresh temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "mediavault/mediavault.h"

static char dir[64];
static char db[128];

static mv_catalog *open_fresh(void)
{
    mv_catalog *c = NULL;

    snprintf(dir, sizeof(dir), "/tmp/mv-catalog-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(db, sizeof(db), "%s/sub/dir/catalog.db", dir);
    assert_int_equal(mv_catalog_open(db, &c), MV_OK);
    return c;
}

static void cleanup(mv_catalog *c)
{
    char cmd[160];

    mv_catalog_close(c);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

static mv_catalog_file make(const char *path, uint64_t ino, uint64_t size, uint8_t fill)
{
    mv_catalog_file f;

    memset(&f, 0, sizeof(f));
    f.path = (const uint8_t *)path;
    f.path_len = strlen(path);
    f.device = 7;
    f.inode = ino;
    f.size = size;
    f.mtime_ns = 1000;
    f.ctime_ns = 2000;
    f.digests = MV_CATALOG_HAS(MV_DIGEST_MD5);
    memset(f.digest[MV_DIGEST_MD5], fill, MV_MD5_LEN);
    f.seen_scan = 1;
    return f;
}

static void put(mv_catalog *c, const char *path, uint64_t ino, uint64_t size, uint8_t fill)
{
    mv_catalog_file f = make(path, ino, size, fill);

    assert_int_equal(mv_catalog_file_put(c, &f), MV_OK);
}

static void open_migrates_and_reopens(void **state)
{
    mv_catalog *c = open_fresh(), *again = NULL;

    (void)state;
    assert_string_equal(mv_catalog_backend_name(c), "sqlite");
    int v = mv_catalog_schema_version(c);
    assert_true(v >= 2);
    put(c, "/x", 1, 1, 1);
    mv_catalog_close(c);
    assert_int_equal(mv_catalog_open(db, &again), MV_OK);
    assert_int_equal(mv_catalog_schema_version(again), v);
    mv_catalog_file f;
    assert_int_equal(mv_catalog_file_get(again, (const uint8_t *)"/x", 2, &f), MV_OK);
    cleanup(again);
}

static void put_get_roundtrip(void **state)
{
    mv_catalog *c = open_fresh();
    mv_catalog_file in = make("/a/b", 42, 123, 0xab), out;

    (void)state;
    in.digests |= MV_CATALOG_HAS(MV_DIGEST_SHA256);
    memset(in.digest[MV_DIGEST_SHA256], 0x5a, 32);
    in.note = "a note";
    assert_int_equal(mv_catalog_begin(c), MV_OK);
    assert_int_equal(mv_catalog_file_put(c, &in), MV_OK);
    assert_int_equal(mv_catalog_commit(c), MV_OK);
    assert_int_equal(mv_catalog_file_get(c, in.path, in.path_len, &out), MV_OK);
    assert_int_equal(out.path_len, 4);
    assert_memory_equal(out.path, "/a/b", 4);
    assert_int_equal(out.inode, 42);
    assert_int_equal(out.size, 123);
    assert_int_equal(out.mtime_ns, 1000);
    assert_int_equal(out.ctime_ns, 2000);
    assert_int_equal(out.digests, in.digests);
    assert_memory_equal(out.digest[MV_DIGEST_SHA256], in.digest[MV_DIGEST_SHA256], 32);
    assert_string_equal(out.note, "a note");
    assert_int_equal(mv_catalog_file_get(c, (const uint8_t *)"/nope", 5, &out), MV_ENOENT);
    /* A rolled-back write is not there. */
    assert_int_equal(mv_catalog_begin(c), MV_OK);
    put(c, "/rolled", 9, 9, 9);
    assert_int_equal(mv_catalog_rollback(c), MV_OK);
    assert_int_equal(mv_catalog_file_get(c, (const uint8_t *)"/rolled", 7, &out), MV_ENOENT);
    cleanup(c);
}

static void bytes_paths(void **state)
{
    mv_catalog *c = open_fresh();
    const uint8_t odd[] = { '/', 'n', '\n', 0xff, 0xfe, '\\', 'x' };
    mv_catalog_file in = make("", 3, 3, 3), out;

    (void)state;
    in.path = odd;
    in.path_len = sizeof(odd);
    assert_int_equal(mv_catalog_file_put(c, &in), MV_OK);
    assert_int_equal(mv_catalog_file_get(c, odd, sizeof(odd), &out), MV_OK);
    assert_int_equal(out.path_len, sizeof(odd));
    assert_memory_equal(out.path, odd, sizeof(odd));
    cleanup(c);
}

static int count_cb(void *opaque, const mv_catalog_file *f)
{
    (void)f;
    (*(int *)opaque)++;
    return 0;
}

static void find_inode_and_md5(void **state)
{
    mv_catalog *c = open_fresh();
    uint8_t md5[MV_MD5_LEN];
    int n = 0;

    (void)state;
    put(c, "/one", 5, 10, 1);
    put(c, "/two", 5, 10, 1);
    put(c, "/three", 6, 10, 2);
    assert_int_equal(mv_catalog_file_find_inode(c, 7, 5, count_cb, &n), MV_OK);
    assert_int_equal(n, 2);
    memset(md5, 2, sizeof(md5));
    n = 0;
    assert_int_equal(mv_catalog_file_find_md5(c, md5, count_cb, &n), MV_OK);
    assert_int_equal(n, 1);
    cleanup(c);
}

static void mark_gone_below_root(void **state)
{
    mv_catalog *c = open_fresh();
    uint64_t count = 0;
    mv_catalog_file f;
    int n = 0;

    (void)state;
    put(c, "/r", 1, 1, 1);
    put(c, "/r/a", 2, 1, 1);
    put(c, "/r/b/c", 3, 1, 1);
    put(c, "/r0", 4, 1, 1);  /* not below /r */
    put(c, "/r.x", 5, 1, 1); /* '.' sorts before '/': not below /r either */
    assert_int_equal(mv_catalog_file_seen(c, (const uint8_t *)"/r/a", 4, 2, 99), MV_OK);
    assert_int_equal(mv_catalog_mark_gone(c, (const uint8_t *)"/r", 2, 2, 100, &count), MV_OK);
    assert_int_equal(count, 2);
    assert_int_equal(mv_catalog_file_get(c, (const uint8_t *)"/r/b/c", 6, &f), MV_OK);
    assert_int_equal(f.gone_at, 100);
    assert_int_equal(mv_catalog_each_file(c, count_cb, &n), MV_OK);
    assert_int_equal(n, 3); /* /r/a, /r0, /r.x */
    cleanup(c);
}

struct rows {
    char paths[8][16];
    int n;
};

static int dupe_cb(void *opaque, const mv_catalog_file *f)
{
    struct rows *r = opaque;

    assert_true(r->n < 8);
    memcpy(r->paths[r->n], f->path, f->path_len);
    r->paths[r->n++][f->path_len] = '\0';
    return 0;
}

static void dupes_groups(void **state)
{
    mv_catalog *c = open_fresh();
    struct rows r = { .n = 0 };

    (void)state;
    put(c, "/small1", 1, 10, 1);
    put(c, "/small2", 2, 10, 1);
    put(c, "/big1", 3, 1000, 2);
    put(c, "/big2", 4, 1000, 2);
    put(c, "/single", 5, 1000, 3);
    put(c, "/samemd5-othersize", 6, 11, 1);
    assert_int_equal(mv_catalog_each_dupe(c, 0, dupe_cb, &r), MV_OK);
    assert_int_equal(r.n, 4);
    assert_string_equal(r.paths[0], "/big1");
    assert_string_equal(r.paths[1], "/big2");
    assert_string_equal(r.paths[2], "/small1");
    r.n = 0;
    assert_int_equal(mv_catalog_each_dupe(c, 11, dupe_cb, &r), MV_OK);
    assert_int_equal(r.n, 2);
    cleanup(c);
}

static void scans_and_errors(void **state)
{
    mv_catalog *c = open_fresh();
    mv_catalog_scan_stats s = { .files = 3, .bytes_read = 10 };
    int64_t id1 = 0, id2 = 0;

    (void)state;
    assert_int_equal(mv_catalog_scan_begin(c, "/r", 1, &id1), MV_OK);
    assert_int_equal(mv_catalog_scan_begin(c, "/r", 2, &id2), MV_OK);
    assert_true(id2 > id1);
    assert_int_equal(mv_catalog_scan_error(c, id2, (const uint8_t *)"/r/x", 4, MV_EACCES, NULL),
                     MV_OK);
    assert_int_equal(mv_catalog_scan_end(c, id2, 3, MV_SCAN_DONE, &s), MV_OK);
    assert_int_equal(mv_catalog_scan_end(c, id2, 3, MV_SCAN_DONE, NULL), MV_EINVAL);
    cleanup(c);
}

static void default_uri(void **state)
{
    char *uri = NULL;

    (void)state;
    setenv("MEDIAVAULT_CATALOG", "/x/y.db", 1);
    assert_int_equal(mv_catalog_default_uri(&uri), MV_OK);
    assert_string_equal(uri, "/x/y.db");
    mv_free(uri);
    unsetenv("MEDIAVAULT_CATALOG");
    setenv("XDG_DATA_HOME", "/xdg", 1);
    assert_int_equal(mv_catalog_default_uri(&uri), MV_OK);
    assert_string_equal(uri, "/xdg/mediavault/catalog.db");
    mv_free(uri);
    unsetenv("XDG_DATA_HOME");
    setenv("HOME", "/home/u", 1);
    assert_int_equal(mv_catalog_default_uri(&uri), MV_OK);
    assert_string_equal(uri, "/home/u/.local/share/mediavault/catalog.db");
    mv_free(uri);
}

static void unknown_scheme(void **state)
{
    mv_catalog *c = NULL;

    (void)state;
    assert_int_equal(mv_catalog_open("postgresql://db/x", &c), MV_ENOTSUP);
    assert_non_null(strstr(mv_catalog_errmsg(c), "backend"));
    mv_catalog_close(c);
    assert_int_equal(mv_catalog_open("", &c), MV_EINVAL);
    mv_catalog_close(NULL);
    assert_int_equal(mv_catalog_begin(NULL), MV_EINVAL);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(open_migrates_and_reopens),
        cmocka_unit_test(put_get_roundtrip),
        cmocka_unit_test(bytes_paths),
        cmocka_unit_test(find_inode_and_md5),
        cmocka_unit_test(mark_gone_below_root),
        cmocka_unit_test(dupes_groups),
        cmocka_unit_test(scans_and_errors),
        cmocka_unit_test(default_uri),
        cmocka_unit_test(unknown_scheme),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
