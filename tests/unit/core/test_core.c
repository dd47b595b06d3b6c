/*
 * Unit tests of the core module: the status table, errno mapping, the thread
 * pool, progress formatting, allocator hooks and version queries.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/core.h"
#include "mediavault/mediavault.h"

static void status_table(void **state)
{
    (void)state;
    assert_int_equal(MV_OK, 0);
    assert_string_equal(mv_status_name(MV_ENOENT), "ENOENT");
    assert_string_equal(mv_strerror(MV_ENOENT), "No such file or directory");
    assert_string_equal(mv_strerror(MV_ECHANGED), "file changed while it was read");
    assert_string_equal(mv_strerror((mv_status)-9999), "unknown error");
    assert_string_equal(mv_status_name((mv_status)12345), "UNKNOWN");
    /* Values are pinned forever. */
    assert_int_equal(MV_ENOMEM, -1);
    assert_int_equal(MV_ECHANGED, -8);
    assert_int_equal(MV_EPARSE, -19);
}

static void status_from_errno(void **state)
{
    (void)state;
    assert_int_equal(mv_status_from_errno(0), MV_OK);
    assert_int_equal(mv_status_from_errno(ENOENT), MV_ENOENT);
    assert_int_equal(mv_status_from_errno(EACCES), MV_EACCES);
    assert_int_equal(mv_status_from_errno(EPERM), MV_EACCES);
    assert_int_equal(mv_status_from_errno(ELOOP), MV_ELOOP);
    assert_int_equal(mv_status_from_errno(EISDIR), MV_EISDIR);
    assert_int_equal(mv_status_from_errno(EXDEV), MV_ESYSTEM);
}

static void count_task(void *arg)
{
    atomic_fetch_add((_Atomic int *)arg, 1);
}

static void pool_runs_all(void **state)
{
    _Atomic int counter = 0;
    mv__pool *pool = NULL;

    (void)state;
    assert_int_equal(mv__pool_new(0, &pool), MV_EINVAL);
    assert_int_equal(mv__pool_new(3, &pool), MV_OK);
    assert_int_equal(mv__pool_size(pool), 3);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 1000; i++)
            assert_int_equal(mv__pool_submit(pool, count_task, &counter), MV_OK);
        mv__pool_wait(pool);
        assert_int_equal(atomic_load(&counter), 1000 * (round + 1));
    }
    mv__pool_free(pool);
    mv__pool_free(NULL);
}

static void progress_format(void **state)
{
    mv_progress_stats s = { 10, 4000000000ull, 5, 1000000000ull, 2.0 };
    char line[160];
    mv_progress *p;

    (void)state;
    mv_progress_format(&s, line, sizeof(line));
    assert_string_equal(line, "1.0 GB / 4.0 GB  5 / 10 files  500.0 MB/s  ETA 0:00:06");
    s.bytes_found = 0; /* sizes unknown */
    mv_progress_format(&s, line, sizeof(line));
    assert_string_equal(line, "1.0 GB  5 / 10 files  500.0 MB/s");
    s.bytes_found = 4000000000ull;
    assert_int_equal(mv_progress_new(&p), MV_OK);
    mv_progress_add_found(p, 3, 300);
    mv_progress_add_done(p, 1, 100);
    mv_progress_add_done(NULL, 1, 100);
    mv_progress_snapshot(p, &s);
    assert_int_equal(s.files_found, 3);
    assert_int_equal(s.bytes_done, 100);
    mv_progress_free(p);
    mv_progress_format(&s, line, 8); /* truncates, stays terminated */
    assert_int_equal(strlen(line), 7);
}

static _Atomic long allocs;

static void *counting_malloc(void *opaque, size_t size)
{
    (void)opaque;
    atomic_fetch_add(&allocs, 1);
    return malloc(size);
}

static void *counting_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    return realloc(ptr, size);
}

static void counting_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static void allocator_hooks(void **state)
{
    mv_allocator bad = { counting_malloc, NULL, counting_free, NULL };
    mv_allocator good = { counting_malloc, counting_realloc, counting_free, NULL };
    mv_progress *p;

    (void)state;
    assert_int_equal(mv_set_allocator(&bad), MV_EINVAL);
    assert_int_equal(mv_set_allocator(&good), MV_OK);
    long before = atomic_load(&allocs);
    assert_int_equal(mv_progress_new(&p), MV_OK);
    assert_true(atomic_load(&allocs) > before);
    mv_progress_free(p);
    mv_free(NULL);
    assert_int_equal(mv_set_allocator(NULL), MV_OK);
}

static void version(void **state)
{
    (void)state;
    assert_int_equal(mv_version(), MV_VERSION_NUMBER);
    assert_true(MV_VERSION_AT_LEAST(0, 1, 0));
    assert_false(MV_VERSION_AT_LEAST(99, 0, 0));
    assert_non_null(strchr(mv_version_string(), '.'));
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(status_table),    cmocka_unit_test(status_from_errno),
        cmocka_unit_test(pool_runs_all),   cmocka_unit_test(progress_format),
        cmocka_unit_test(allocator_hooks), cmocka_unit_test(version),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
