/*
 * Unit tests of the catalog-free duplicate finder (mv_dupes_*).
 *
 * Every case builds a real tree in a fresh temporary directory: planted
 * duplicates of sizes around the sample edges, equal sizes with different
 * content, files equal in head and tail but not in the middle, hard links,
 * symbolic links, empty files and odd names. Groups are rendered as one line
 * each ("SIZE: a=a2 b", '=' joining the hard links of one inode, paths relative
 * to the tree) and compared with what the case planted. A randomised case
 * checks the finder against a brute-force grouping by (size, MD5) of every file.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mediavault/mediavault.h"

struct tmp {
    char root[256];
};

static void tmp_init(struct tmp *t)
{
    const char *base = getenv("TMPDIR");

    snprintf(t->root, sizeof(t->root), "%s/mv-dupes-XXXXXX", base != NULL ? base : "/tmp");
    assert_non_null(mkdtemp(t->root));
}

static void tmp_free(struct tmp *t)
{
    char cmd[512];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->root);
    assert_int_equal(system(cmd), 0);
}

static void path_of(const struct tmp *t, const char *rel, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", t->root, rel);
}

/* Deterministic content: a xorshift stream seeded by seed; patch flips one byte. */
static void put_file(const struct tmp *t, const char *rel, size_t size, uint64_t seed, long patch)
{
    char p[512];
    uint8_t *buf = malloc(size + 1);
    uint64_t x = seed * 0x9e3779b97f4a7c15u + 1;

    assert_non_null(buf);
    for (size_t i = 0; i < size; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (uint8_t)x;
    }
    if (patch >= 0)
        buf[patch] ^= 0x5a;
    path_of(t, rel, p, sizeof(p));
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, size, f), size);
    assert_int_equal(fclose(f), 0);
    free(buf);
}

static void put_dir(const struct tmp *t, const char *rel)
{
    char p[512];

    path_of(t, rel, p, sizeof(p));
    assert_int_equal(mkdir(p, 0755), 0);
}

static void put_link(const struct tmp *t, const char *from, const char *to)
{
    char a[512], b[512];

    path_of(t, from, a, sizeof(a));
    path_of(t, to, b, sizeof(b));
    assert_int_equal(link(a, b), 0);
}

static void put_symlink(const struct tmp *t, const char *target, const char *rel)
{
    char p[512];

    path_of(t, rel, p, sizeof(p));
    assert_int_equal(symlink(target, p), 0);
}

struct errors {
    int n;
    mv_status last;
    char path[512];
};

static void on_error(void *opaque, const char *path, mv_status st)
{
    struct errors *e = opaque;

    e->n++;
    e->last = st;
    snprintf(e->path, sizeof(e->path), "%s", path);
}

/* Renders the groups, paths relative to the tree root (cut rootlen chars). */
static void render(const mv_dupes_result *r, size_t rootlen, char *out, size_t size)
{
    size_t used = 0;

    out[0] = '\0';
    for (size_t i = 0; i < mv_dupes_result_count(r); i++) {
        mv_dupes_group g;
        assert_int_equal(mv_dupes_result_group(r, i, &g), MV_OK);
        used += (size_t)snprintf(out + used, size - used, "%s%llu:", i ? "\n" : "",
                                 (unsigned long long)g.size);
        for (size_t j = 0; j < g.entries; j++) {
            mv_dupes_entry e;
            assert_int_equal(mv_dupes_result_entry(r, i, j, &e), MV_OK);
            for (size_t k = 0; k < e.npaths; k++)
                used += (size_t)snprintf(out + used, size - used, "%s%s", k ? "=" : " ",
                                         e.paths[k] + rootlen);
        }
        assert_true(used < size);
    }
}

/* Runs the finder on the tree root with an option set, renders the groups. */
static mv_status find(const struct tmp *t, mv_dupes_opt key, long long value, struct errors *err,
                      char *out, size_t size, mv_dupes_stats *stats)
{
    mv_dupes *d = NULL;
    mv_dupes_result *r = NULL;
    const char *roots[] = { t->root };

    assert_int_equal(mv_dupes_new(&d), MV_OK);
    if (key != 0)
        assert_int_equal(mv_dupes_set(d, key, value), MV_OK);
    mv_dupes_set_error_cb(d, on_error, err);
    mv_status st = mv_dupes_run(d, roots, 1, &r);
    if (st == MV_OK) {
        render(r, strlen(t->root) + 1, out, size);
        if (stats != NULL)
            mv_dupes_result_stats(r, stats);
    }
    mv_dupes_result_free(r);
    mv_dupes_free(d);
    return st;
}

static void groups_and_order(void **state)
{
    struct tmp t;
    struct errors err = { 0 };
    char got[4096];
    mv_dupes_stats s;

    (void)state;
    tmp_init(&t);
    put_dir(&t, "sub");
    put_file(&t, "s1a", 1, 7, -1);
    put_file(&t, "sub/s1b", 1, 7, -1);
    put_file(&t, "odd name\nwith newline", 1, 7, -1);
    put_file(&t, "m1", 5000, 1, -1);
    put_file(&t, "m2", 5000, 1, -1);
    put_file(&t, "sub/m3", 5000, 1, -1);
    put_file(&t, "k1", 8192, 2, -1); /* exactly two samples: read whole */
    put_file(&t, "k2", 8192, 2, -1);
    put_file(&t, "k3", 8192, 3, -1); /* same size, other content */
    put_file(&t, "b1", 8193, 4, -1); /* one byte past the whole-file sample */
    put_file(&t, "b2", 8193, 4, -1);
    put_file(&t, "h1", 100000, 5, -1);
    put_file(&t, "h2", 100000, 5, 50000); /* same head and tail, other middle */
    put_file(&t, "h3", 100000, 5, -1);
    put_file(&t, "e1", 0, 0, -1);
    put_file(&t, "e2", 0, 0, -1);
    put_symlink(&t, "m1", "sym-m1");
    put_symlink(&t, "sub", "sym-sub");
    assert_int_equal(find(&t, 0, 0, &err, got, sizeof(got), &s), MV_OK);
    assert_string_equal(got, "100000: h1 h3\n"
                             "5000: m1 m2 sub/m3\n"
                             "8193: b1 b2\n"
                             "8192: k1 k2\n"
                             "1: odd name\nwith newline s1a sub/s1b");
    assert_int_equal(err.n, 0);
    assert_int_equal(s.groups, 5);
    assert_int_equal(s.reclaimable, 100000 + 10000 + 8193 + 8192 + 2);
    assert_int_equal(s.full_hashed, 5); /* b1 b2 h1 h2 h3 */
    assert_int_equal(s.skipped, 4);     /* two symlinks, two empty files */
    tmp_free(&t);
}

static void hardlinks_one_entry(void **state)
{
    struct tmp t;
    struct errors err = { 0 };
    char got[4096];
    mv_dupes_stats s;

    (void)state;
    tmp_init(&t);
    put_file(&t, "a", 20000, 1, -1);
    put_link(&t, "a", "a2");
    put_link(&t, "a", "z-link");
    put_file(&t, "b", 20000, 1, -1);
    put_file(&t, "c", 30000, 2, -1); /* an inode alone, however many names: no group */
    put_link(&t, "c", "c2");
    assert_int_equal(find(&t, 0, 0, &err, got, sizeof(got), &s), MV_OK);
    assert_string_equal(got, "20000: a=a2=z-link b");
    assert_int_equal(s.sampled, 2); /* a is read once, c not at all */
    assert_int_equal(s.full_hashed, 2);
    assert_int_equal(s.reclaimable, 20000);
    assert_int_equal(s.paths, 4);
    tmp_free(&t);
}

static void zero_length_and_min_size(void **state)
{
    struct tmp t;
    struct errors err = { 0 };
    char got[4096];

    (void)state;
    tmp_init(&t);
    put_file(&t, "e1", 0, 0, -1);
    put_file(&t, "e2", 0, 0, -1);
    put_file(&t, "t1", 10, 1, -1);
    put_file(&t, "t2", 10, 1, -1);
    put_file(&t, "u1", 1000, 2, -1);
    put_file(&t, "u2", 1000, 2, -1);
    assert_int_equal(find(&t, 0, 0, &err, got, sizeof(got), NULL), MV_OK);
    assert_string_equal(got, "1000: u1 u2\n10: t1 t2");
    assert_int_equal(find(&t, MV_DUPES_OPT_MIN_SIZE, 0, &err, got, sizeof(got), NULL), MV_OK);
    assert_string_equal(got, "1000: u1 u2\n10: t1 t2\n0: e1 e2");
    assert_int_equal(find(&t, MV_DUPES_OPT_MIN_SIZE, 100, &err, got, sizeof(got), NULL), MV_OK);
    assert_string_equal(got, "1000: u1 u2");
    assert_int_equal(err.n, 0);
    tmp_free(&t);
}

static void nested_roots_walked_once(void **state)
{
    struct tmp t;
    char sub[512], file[512];
    mv_dupes *d = NULL;
    mv_dupes_result *r = NULL;
    char got[4096];

    (void)state;
    tmp_init(&t);
    put_dir(&t, "sub");
    put_file(&t, "sub/x", 3000, 1, -1);
    put_file(&t, "y", 3000, 1, -1);
    path_of(&t, "sub", sub, sizeof(sub));
    path_of(&t, "sub/x", file, sizeof(file));
    const char *roots[] = { sub, t.root, t.root, file };
    assert_int_equal(mv_dupes_new(&d), MV_OK);
    assert_int_equal(mv_dupes_run(d, roots, 4, &r), MV_OK);
    render(r, strlen(t.root) + 1, got, sizeof(got));
    assert_string_equal(got, "3000: sub/x y");
    mv_dupes_result_free(r);
    mv_dupes_free(d);
    tmp_free(&t);
}

static void errors_reported(void **state)
{
    struct tmp t;
    struct errors err = { 0 };
    char missing[512], fifo[512];
    mv_dupes *d = NULL;
    mv_dupes_result *r = NULL;

    (void)state;
    tmp_init(&t);
    put_file(&t, "a", 5000, 1, -1);
    put_file(&t, "b", 5000, 1, -1);
    put_file(&t, "c", 5000, 1, -1);
    path_of(&t, "missing", missing, sizeof(missing));
    path_of(&t, "fifo", fifo, sizeof(fifo));
    assert_int_equal(mkfifo(fifo, 0600), 0);
    if (geteuid() != 0) { /* root reads anything: EACCES cannot be staged */
        char c[512];
        path_of(&t, "c", c, sizeof(c));
        assert_int_equal(chmod(c, 0), 0);
    }
    const char *roots[] = { missing, fifo, t.root };
    assert_int_equal(mv_dupes_new(&d), MV_OK);
    mv_dupes_set_error_cb(d, on_error, &err);
    assert_int_equal(mv_dupes_run(d, roots, 3, &r), MV_OK);
    mv_dupes_group g;
    assert_int_equal(mv_dupes_result_count(r), 1);
    assert_int_equal(mv_dupes_result_group(r, 0, &g), MV_OK);
    if (geteuid() != 0) {
        assert_int_equal(err.n, 3);
        assert_int_equal(err.last, MV_EACCES);
        assert_int_equal(g.entries, 2);
    } else {
        assert_int_equal(err.n, 2);
        assert_int_equal(err.last, MV_ENOTREG);
        assert_string_equal(err.path, fifo);
        assert_int_equal(g.entries, 3);
    }
    mv_dupes_stats s;
    mv_dupes_result_stats(r, &s);
    assert_int_equal(s.errors, (uint64_t)err.n);
    mv_dupes_result_free(r);
    mv_dupes_free(d);
    tmp_free(&t);
}

static void options_and_null_safety(void **state)
{
    mv_dupes *d = NULL;
    mv_dupes_result *r = (mv_dupes_result *)&d;
    mv_dupes_group g;
    mv_dupes_entry e;

    (void)state;
    mv_dupes_free(NULL);
    mv_dupes_result_free(NULL);
    assert_int_equal(mv_dupes_result_count(NULL), 0);
    assert_int_equal(mv_dupes_result_group(NULL, 0, &g), MV_EINVAL);
    assert_int_equal(mv_dupes_result_entry(NULL, 0, 0, &e), MV_EINVAL);
    assert_int_equal(mv_dupes_new(&d), MV_OK);
    assert_int_equal(mv_dupes_set(d, MV_DUPES_OPT_MIN_SIZE, -1), MV_EINVAL);
    assert_int_equal(mv_dupes_set(d, MV_DUPES_OPT_JOBS, -1), MV_EINVAL);
    assert_int_equal(mv_dupes_set(d, MV_DUPES_OPT_BACKEND, 99), MV_EINVAL);
    assert_int_equal(mv_dupes_set(d, MV_DUPES_OPT_SAMPLE_SIZE, 100), MV_EINVAL);
    assert_int_equal(mv_dupes_set(d, (mv_dupes_opt)999, 1), MV_EINVAL);
    assert_int_equal(mv_dupes_set(d, MV_DUPES_OPT_SAMPLE_SIZE, 512), MV_OK);
    assert_int_equal(mv_dupes_run(d, NULL, 1, &r), MV_EINVAL);
    assert_null(r);
    assert_int_equal(mv_dupes_run(d, NULL, 0, &r), MV_OK);
    assert_int_equal(mv_dupes_result_count(r), 0);
    assert_int_equal(mv_dupes_result_group(r, 0, &g), MV_EINVAL);
    mv_dupes_result_free(r);
    mv_dupes_free(d);
}

/* ---- brute force on a random tree ---------------------------------------- */

struct brute {
    char rel[64];
    size_t size;
    uint64_t seed;
    int link_of; /* -1, or the index this one is a hard link of */
};

static void plant_random(struct tmp *t, struct brute *b, size_t n, unsigned rnd)
{
    static const size_t sizes[] = { 100, 101, 4095, 4096, 4097, 8191, 8192, 8193, 65536, 300000 };

    put_dir(t, "d0");
    put_dir(t, "d1");
    put_dir(t, "d1/d2");
    for (size_t i = 0; i < n; i++) {
        rnd = rnd * 1103515245u + 12345u;
        snprintf(b[i].rel, sizeof(b[i].rel), "d%u/f%zu", (rnd >> 8) % 2, i);
        if ((rnd >> 9) % 4 == 0 && strncmp(b[i].rel, "d1/", 3) == 0)
            snprintf(b[i].rel, sizeof(b[i].rel), "d1/d2/f %zu", i);
        b[i].size = sizes[(rnd >> 16) % (sizeof(sizes) / sizeof(sizes[0]))];
        b[i].seed = (rnd >> 20) % 3; /* few contents per size: many duplicates */
        b[i].link_of = -1;
        if (i > 0 && (rnd >> 24) % 10 == 0) {
            b[i].link_of = (int)((rnd >> 4) % i);
            while (b[b[i].link_of].link_of >= 0)
                b[i].link_of = b[b[i].link_of].link_of;
            b[i].size = b[b[i].link_of].size;
            b[i].seed = b[b[i].link_of].seed;
            put_link(t, b[b[i].link_of].rel, b[i].rel);
        } else {
            put_file(t, b[i].rel, b[i].size, b[i].seed + 100 * b[i].size, -1);
        }
    }
}

/* Same (size, seed) means the same bytes; count the expected groups and paths. */
static void expected_counts(const struct brute *b, size_t n, size_t *groups, size_t *paths)
{
    *groups = *paths = 0;
    for (size_t i = 0; i < n; i++) {
        int first = 1;
        size_t inodes = 0, names = 0;
        for (size_t k = 0; k < n; k++) {
            if (b[k].size != b[i].size || b[k].seed != b[i].seed)
                continue;
            if (k < i)
                first = 0;
            names++;
            inodes += b[k].link_of < 0;
        }
        if (first && inodes >= 2) {
            (*groups)++;
            *paths += names;
        }
    }
}

static void random_tree_matches_brute_force(void **state)
{
    enum { N = 300 };
    struct tmp t;
    struct brute b[N];
    struct errors err = { 0 };
    size_t groups, paths;
    static char got[1 << 16];
    mv_dupes_stats s;

    (void)state;
    tmp_init(&t);
    plant_random(&t, b, N, 12345);
    expected_counts(b, N, &groups, &paths);
    assert_true(groups >= 10); /* the plan does plant duplicates */
    for (long jobs = 1; jobs <= 4; jobs += 3) {
        assert_int_equal(find(&t, MV_DUPES_OPT_JOBS, jobs, &err, got, sizeof(got), &s), MV_OK);
        assert_int_equal(s.groups, groups);
        assert_int_equal(s.paths, paths);
        assert_int_equal(err.n, 0);
    }
    tmp_free(&t);
}

/* ---- allocation failures ------------------------------------------------- */

static atomic_long alloc_count, fail_at = -1;

static int should_fail(void)
{
    long n = atomic_fetch_add(&alloc_count, 1);
    return atomic_load(&fail_at) >= 0 && n == atomic_load(&fail_at);
}

static void *failing_malloc(void *opaque, size_t size)
{
    (void)opaque;
    return should_fail() ? NULL : malloc(size);
}

static void *failing_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    return should_fail() ? NULL : realloc(ptr, size);
}

static void plain_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static void alloc_torture(void **state)
{
    const mv_allocator a = { failing_malloc, failing_realloc, plain_free, NULL };
    struct tmp t;
    int completed = 0;

    (void)state;
    tmp_init(&t);
    put_dir(&t, "d");
    put_file(&t, "d/a", 20000, 1, -1);
    put_file(&t, "d/b", 20000, 1, -1);
    put_link(&t, "d/b", "d/b2");
    put_file(&t, "c", 3000, 2, -1);
    put_file(&t, "e", 3000, 2, -1);
    const char *roots[] = { t.root };
    assert_int_equal(mv_set_allocator(&a), MV_OK);
    for (long n = 0; n < 400 && !completed; n++) {
        mv_dupes *d = NULL;
        mv_dupes_result *r = NULL;
        atomic_store(&alloc_count, 0);
        atomic_store(&fail_at, n);
        mv_status st = mv_dupes_new(&d);
        if (st == MV_OK)
            st = mv_dupes_set(d, MV_DUPES_OPT_JOBS, 2);
        if (st == MV_OK)
            st = mv_dupes_run(d, roots, 1, &r);
        assert_true(st == MV_OK || st == MV_ENOMEM);
        /* A failed allocation may only drop a file (reported), never invent a group. */
        assert_true(mv_dupes_result_count(r) <= 2);
        mv_dupes_result_free(r);
        mv_dupes_free(d);
        completed = atomic_load(&alloc_count) <= n;
    }
    atomic_store(&fail_at, -1);
    assert_int_equal(mv_set_allocator(NULL), MV_OK);
    assert_true(completed);
    tmp_free(&t);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(groups_and_order),
        cmocka_unit_test(hardlinks_one_entry),
        cmocka_unit_test(zero_length_and_min_size),
        cmocka_unit_test(nested_roots_walked_once),
        cmocka_unit_test(errors_reported),
        cmocka_unit_test(options_and_null_safety),
        cmocka_unit_test(random_tree_matches_brute_force),
        cmocka_unit_test(alloc_torture),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
