/*
 * Unit tests of the scanner on real trees made here: first scan and rescan
 * (no bytes read), rename and hard links not re-read, deleted files marked
 * gone, special files noted, a new algorithm read once, options, cancel;
 * with fingerprints: one read per file, a tree catalogued without them
 * fingerprinted later, once per content.
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
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "mediavault/mediavault.h"

static char root[64];
static char tree[96];
static mv_catalog *cat;

static void path_of(char *out, size_t size, const char *rel)
{
    snprintf(out, size, "%s/%s", tree, rel);
}

static void write_file(const char *rel, size_t size, int seed)
{
    char p[256];

    path_of(p, sizeof(p), rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < size; i++)
        fputc((int)((i * 31 + (size_t)seed) & 0xff), f);
    fclose(f);
}

static void mkdir_rel(const char *rel)
{
    char p[256];

    path_of(p, sizeof(p), rel);
    assert_int_equal(mkdir(p, 0755), 0);
}

static int setup(void **state)
{
    char db[128];

    (void)state;
    snprintf(root, sizeof(root), "/tmp/mv-scan-XXXXXX");
    assert_non_null(mkdtemp(root));
    snprintf(tree, sizeof(tree), "%s/tree", root);
    assert_int_equal(mkdir(tree, 0755), 0);
    snprintf(db, sizeof(db), "%s/catalog.db", root);
    assert_int_equal(mv_catalog_open(db, &cat), MV_OK);
    mkdir_rel("d");
    mkdir_rel("d/e");
    write_file("a", 5000, 1);
    write_file("d/b", 70000, 2);
    write_file("d/e/c", 1, 3);
    write_file("empty", 0, 0);
    return 0;
}

static int teardown(void **state)
{
    char cmd[128], mnt[256];

    (void)state;
    path_of(mnt, sizeof(mnt), "mnt");
    (void)umount2(mnt, MNT_DETACH); /* two_devices' tmpfs, when it is there */
    mv_catalog_close(cat);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

static mv_status scan_with(mv_scan *s, mv_scan_summary *m)
{
    const char *roots[] = { tree };

    return mv_scan_run(s, cat, roots, 1, m);
}

static mv_scan_summary scan(void)
{
    mv_scan *s = NULL;
    mv_scan_summary m;

    assert_int_equal(mv_scan_new(&s), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_JOBS, 2), MV_OK);
    assert_int_equal(scan_with(s, &m), MV_OK);
    mv_scan_free(s);
    return m;
}

static void get(const char *rel, mv_catalog_file *f)
{
    char p[256];

    path_of(p, sizeof(p), rel);
    assert_int_equal(mv_catalog_file_get(cat, (const uint8_t *)p, strlen(p), f), MV_OK);
}

static void first_scan_then_no_reads(void **state)
{
    mv_catalog_file f;
    uint8_t want[MV_DIGEST_MAX_LEN];

    (void)state;
    mv_scan_summary m = scan();
    assert_int_equal(m.stats.files, 4);
    assert_int_equal(m.stats.new_files, 4);
    assert_int_equal(m.stats.bytes_read, 75001);
    get("d/e/c", &f);
    assert_int_equal(mv_digest_buffer(MV_DIGEST_MD5, "\x03", 1, want), MV_OK);
    assert_memory_equal(f.digest[MV_DIGEST_MD5], want, MV_MD5_LEN);
    m = scan();
    assert_int_equal(m.stats.bytes_read, 0);
    assert_int_equal(m.stats.unchanged, 4);
    assert_int_equal(m.stats.new_files + m.stats.changed + m.stats.gone, 0);
}

static void rename_not_read(void **state)
{
    char from[256], to[256];
    mv_catalog_file f;

    (void)state;
    scan();
    path_of(from, sizeof(from), "d/b");
    path_of(to, sizeof(to), "d/e/moved");
    assert_int_equal(rename(from, to), 0);
    mv_scan_summary m = scan();
    assert_int_equal(m.stats.renamed, 1);
    assert_int_equal(m.stats.bytes_read, 0);
    assert_int_equal(m.stats.gone, 0);
    get("d/e/moved", &f);
    assert_true(f.digests & MV_CATALOG_HAS(MV_DIGEST_MD5));
    get("d/b", &f);
    assert_true(f.gone_at != 0);
}

static void hardlink_read_once(void **state)
{
    char from[256], to[256];

    (void)state;
    path_of(from, sizeof(from), "d/b");
    path_of(to, sizeof(to), "link");
    assert_int_equal(link(from, to), 0);
    mv_scan_summary m = scan();
    assert_int_equal(m.stats.files, 5);
    assert_int_equal(m.stats.new_files, 5);
    assert_int_equal(m.stats.bytes_read, 75001); /* d/b once */
    m = scan();
    assert_int_equal(m.stats.bytes_read, 0);
}

static void gone_marked(void **state)
{
    char p[256];
    mv_catalog_file f;

    (void)state;
    scan();
    path_of(p, sizeof(p), "a");
    assert_int_equal(unlink(p), 0);
    mv_scan_summary m = scan();
    assert_int_equal(m.stats.gone, 1);
    get("a", &f);
    assert_true(f.gone_at != 0);
    write_file("a", 5000, 1); /* back again: present, read (a new inode) */
    m = scan();
    assert_int_equal(m.stats.gone, 0);
    get("a", &f);
    assert_int_equal(f.gone_at, 0);
}

static void special_files_noted(void **state)
{
    char p[256], loop[256];
    mv_catalog_file f;
    mv_scan *s = NULL;
    mv_scan_summary m;

    (void)state;
    path_of(p, sizeof(p), "fifo");
    assert_int_equal(mkfifo(p, 0600), 0);
    path_of(p, sizeof(p), "d/up");
    assert_int_equal(symlink("..", p), 0); /* a loop when links are followed */
    path_of(loop, sizeof(loop), "self");
    assert_int_equal(symlink("self", loop), 0);
    m = scan();
    assert_int_equal(m.stats.files, 4);
    assert_int_equal(m.stats.skipped, 3);
    get("fifo", &f);
    assert_int_equal(f.kind, MV_KIND_FIFO);
    assert_string_equal(f.note, "fifo skipped");
    assert_int_equal(mv_scan_new(&s), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_FOLLOW_SYMLINKS, 1), MV_OK);
    assert_int_equal(scan_with(s, &m), MV_OK);
    mv_scan_free(s);
    assert_int_equal(m.stats.files, 4);
    get("d/up", &f);
    assert_int_equal(f.error, MV_ELOOP);
    get("self", &f);
    assert_string_equal(f.note, "symlink loop skipped");
}

static void algo_added_once(void **state)
{
    mv_scan *s = NULL;
    mv_scan_summary m;
    mv_catalog_file f;

    (void)state;
    scan();
    assert_int_equal(mv_scan_new(&s), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_ALGOS, MV_CATALOG_HAS(MV_DIGEST_SHA256)), MV_OK);
    assert_int_equal(scan_with(s, &m), MV_OK);
    assert_int_equal(m.stats.bytes_read, 75001);
    assert_int_equal(m.stats.unchanged, 4);
    get("a", &f);
    assert_true(f.digests & MV_CATALOG_HAS(MV_DIGEST_SHA256));
    assert_int_equal(scan_with(s, &m), MV_OK);
    assert_int_equal(m.stats.bytes_read, 0);
    mv_scan_free(s);
}

static void options_checked(void **state)
{
    mv_scan *s = NULL;

    (void)state;
    assert_int_equal(mv_scan_new(&s), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_JOBS, -1), MV_EINVAL);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_ALGOS, 99), MV_EINVAL);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_BATCH_ROWS, 0), MV_EINVAL);
    assert_int_equal(mv_scan_opt_set(s, (mv_scan_opt)999, 1), MV_EINVAL);
    assert_int_equal(mv_scan_add_exclude(s, ""), MV_EINVAL);
    assert_int_equal(mv_scan_add_exclude(s, "b"), MV_OK);
    mv_scan_summary m;
    assert_int_equal(scan_with(s, &m), MV_OK);
    assert_int_equal(m.stats.files, 3);
    assert_int_equal(mv_scan_run(s, NULL, NULL, 0, &m), MV_EINVAL);
    mv_scan_free(s);
    mv_scan_free(NULL);
}

static void cancel_before_run(void **state)
{
    mv_scan *s = NULL;
    mv_scan_summary m;

    (void)state;
    scan();
    write_file("new", 100, 9);
    char p[256];
    path_of(p, sizeof(p), "a");
    assert_int_equal(unlink(p), 0);
    assert_int_equal(mv_scan_new(&s), MV_OK);
    mv_scan_cancel(s);
    assert_int_equal(scan_with(s, &m), MV_ECANCELED);
    mv_scan_free(s);
    assert_int_equal(m.stats.gone, 0); /* a canceled scan marks nothing gone */
    m = scan();
    assert_int_equal(m.stats.new_files, 1);
    assert_int_equal(m.stats.gone, 1);
}

static atomic_long alloc_count, fail_at = -1;

static void *failing_malloc(void *opaque, size_t size)
{
    (void)opaque;
    long n = atomic_fetch_add(&alloc_count, 1);
    return n == atomic_load(&fail_at) ? NULL : malloc(size);
}

static void *failing_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    long n = atomic_fetch_add(&alloc_count, 1);
    return n == atomic_load(&fail_at) ? NULL : realloc(ptr, size);
}

static void plain_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static void write_text(const char *rel, const char *text)
{
    char p[256];

    path_of(p, sizeof(p), rel);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static const char text_one[] = "Cataloguing media files: digests, fingerprints and the catalog.\n";
static const char text_two[] =
    "Quite another text, with other words in it, and a few more words.\n";

/* Texts named as texts (any case), a binary named as a photo, and the files of setup(). */
static void write_media(void)
{
    write_text("one.txt", text_one);
    write_text("d/TWO.TXT", text_two);
    write_file("d/binary.jpg", 3000, 7); /* neither an image nor a text inside */
}

static mv_scan_summary scan_fingerprint(unsigned algos)
{
    mv_scan *s = NULL;
    mv_scan_summary m;

    assert_int_equal(mv_scan_new(&s), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_JOBS, 2), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_FINGERPRINT, 1), MV_OK);
    assert_int_equal(mv_scan_opt_set(s, MV_SCAN_ALGOS, algos), MV_OK);
    assert_int_equal(scan_with(s, &m), MV_OK);
    mv_scan_free(s);
    return m;
}

/*
 * With MV_SCAN_FINGERPRINT the texts are read once for their digests and
 * their fingerprint: every byte is read once, the digests (SHA-256 too) are
 * those of the bytes, the fingerprints are in the cache; a rescan reads and
 * fingerprints nothing.
 */
static void fingerprint_one_read(void **state)
{
    mv_catalog_file f;
    mv_fp_result r;
    uint8_t want[MV_DIGEST_MAX_LEN];
    mv_fp *fp = NULL;

    (void)state;
    write_media();
    /* The engine reads the other files once per algorithm; a file read whole, once. */
    const uint64_t all = 2 * 75001 + (sizeof(text_one) - 1) + (sizeof(text_two) - 1) + 3000;
    mv_scan_summary m = scan_fingerprint(MV_CATALOG_HAS(MV_DIGEST_SHA256));
    assert_int_equal(m.stats.files, 7);
    assert_int_equal(m.stats.new_files, 7);
    assert_int_equal(m.stats.bytes_read, all);
    assert_int_equal(m.fp_computed, 2);
    assert_int_equal(m.fp_failed, 0);
    get("d/TWO.TXT", &f);
    assert_int_equal(mv_digest_buffer(MV_DIGEST_SHA256, text_two, sizeof(text_two) - 1, want),
                     MV_OK);
    assert_memory_equal(f.digest[MV_DIGEST_SHA256], want, 32);
    assert_int_equal(mv_digest_buffer(MV_DIGEST_MD5, text_two, sizeof(text_two) - 1, want), MV_OK);
    assert_memory_equal(f.digest[MV_DIGEST_MD5], want, MV_MD5_LEN);
    assert_int_equal(mv_fp_new(&fp), MV_OK);
    mv_fp_set_catalog(fp, cat);
    assert_int_equal(mv_fp_cached(fp, MV_FP_TEXT, want, sizeof(text_two) - 1, &r), MV_OK);
    mv_fp_free(fp);
    m = scan_fingerprint(MV_CATALOG_HAS(MV_DIGEST_SHA256));
    assert_int_equal(m.stats.bytes_read, 0);
    assert_int_equal(m.fp_computed + m.fp_cached, 0);
}

/*
 * A tree catalogued by a plain scan gets its fingerprints from a later
 * fingerprinting scan: the files are unchanged, yet read once per content (the
 * copy of a text is not read) and fingerprinted; the binary named as a photo
 * is recorded as not fingerprintable, so the next scans read nothing, and a
 * plain scan between them drops nothing.
 */
static void fingerprint_after_plain_scan(void **state)
{
    (void)state;
    write_media();
    write_text("d/e/copy.txt", text_one);
    mv_scan_summary m = scan();
    assert_int_equal(m.stats.new_files, 8);
    m = scan_fingerprint(0);
    assert_int_equal(m.stats.files, 8);
    assert_int_equal(m.stats.unchanged, 8);
    assert_int_equal(m.fp_reread, 3); /* one.txt or its copy, TWO.TXT, binary.jpg */
    assert_int_equal(m.fp_computed, 2);
    assert_int_equal(m.fp_cached + m.fp_failed, 0);
    assert_int_equal(m.stats.bytes_read, (sizeof(text_one) - 1) + (sizeof(text_two) - 1) + 3000);
    for (int i = 0; i < 2; i++) {
        m = scan_fingerprint(0);
        assert_int_equal(m.stats.unchanged, 8);
        assert_int_equal(m.stats.bytes_read, 0);
        assert_int_equal(m.fp_reread + m.fp_computed + m.fp_cached + m.fp_failed, 0);
        m = scan();
        assert_int_equal(m.stats.bytes_read, 0);
    }
}

/*
 * An unchanged file (same device, inode, size, mtime, ctime) read for its
 * missing fingerprint whose bytes do not give the MD5 stored is a changed
 * file: its row takes the digests of the bytes read (here the stored MD5 is
 * made wrong, as a rewrite within one timestamp tick would leave it).
 */
static void refingerprint_finds_other_bytes(void **state)
{
    mv_catalog_file f;
    uint8_t want[MV_DIGEST_MAX_LEN], path[256];

    (void)state;
    write_media();
    scan();
    get("d/TWO.TXT", &f);
    memcpy(path, f.path, f.path_len);
    f.path = path;
    f.digest[MV_DIGEST_MD5][0] ^= 0xff; /* a content without a fingerprint */
    assert_int_equal(mv_catalog_file_put(cat, &f), MV_OK);
    mv_scan_summary m = scan_fingerprint(0);
    assert_int_equal(m.fp_reread, 3);
    assert_int_equal(m.stats.changed, 1);
    assert_int_equal(m.stats.unchanged, 6);
    assert_int_equal(m.fp_computed, 2);
    get("d/TWO.TXT", &f);
    assert_int_equal(mv_digest_buffer(MV_DIGEST_MD5, text_two, sizeof(text_two) - 1, want), MV_OK);
    assert_memory_equal(f.digest[MV_DIGEST_MD5], want, MV_MD5_LEN);
    m = scan_fingerprint(0);
    assert_int_equal(m.stats.bytes_read, 0);
    assert_int_equal(m.stats.changed, 0);
}

/* Fails the Nth allocation for every N: MV_OK or MV_ENOMEM, never a crash or a leak. */
static void alloc_torture(void **state)
{
    const mv_allocator a = { failing_malloc, failing_realloc, plain_free, NULL };
    int completed = 0;

    (void)state;
    assert_int_equal(mv_set_allocator(&a), MV_OK);
    for (long n = 0; n < 400 && !completed; n++) {
        mv_scan *s = NULL;
        mv_scan_summary m;
        atomic_store(&alloc_count, 0);
        atomic_store(&fail_at, n);
        mv_status st = mv_scan_new(&s);
        if (st == MV_OK)
            st = mv_scan_add_exclude(s, "nothing-matches");
        if (st == MV_OK)
            st = scan_with(s, &m);
        mv_scan_free(s);
        assert_true(st == MV_OK || st == MV_ENOMEM);
        completed = atomic_load(&alloc_count) <= n;
    }
    atomic_store(&fail_at, -1);
    assert_int_equal(mv_set_allocator(NULL), MV_OK);
    assert_true(completed);
    mv_scan_summary m = scan(); /* the catalog is still usable and right */
    assert_int_equal(m.stats.files, 4);
}

/*
 * A tmpfs inside the tree (root only; skipped otherwise) is a second device:
 * two readers, each file read once, the summary exact, with fingerprints too.
 */
static void two_devices(void **state)
{
    char mnt[256];

    (void)state;
    path_of(mnt, sizeof(mnt), "mnt");
    assert_int_equal(mkdir(mnt, 0755), 0);
    if (mount("mv-test", mnt, "tmpfs", 0, "size=16m") != 0) {
        print_message("SKIP: cannot mount a tmpfs (%s): root only\n", strerror(errno));
        teardown(state);
        fflush(NULL);
        exit(77); /* a CTest skip */
    }
    write_file("mnt/x", 300000, 4);
    write_file("mnt/y", 2000000, 5);
    write_text("mnt/three.txt", text_one);
    write_text("two.txt", text_two);
    mv_scan_summary m = scan_fingerprint(0);
    assert_int_equal(m.devices, 2);
    assert_int_equal(m.stats.files, 8);
    assert_int_equal(m.stats.new_files, 8);
    assert_int_equal(m.stats.bytes_read, 75001 + 2300000 + sizeof(text_one) + sizeof(text_two) - 2);
    assert_int_equal(m.fp_computed, 2);
    write_text("mnt/four.txt", text_two); /* a copy: its fingerprint is in the cache */
    write_text("mnt/five.txt", "Five words, and then some more words.\n");
    m = scan_fingerprint(0);
    assert_int_equal(m.devices, 1);
    assert_int_equal(m.stats.new_files, 2);
    assert_int_equal(m.fp_computed, 1);
    assert_int_equal(m.fp_cached, 1);
}

/* The same with fingerprints: the whole-file jobs and their buffers under failing allocations. */
static void alloc_torture_fingerprint(void **state)
{
    const mv_allocator a = { failing_malloc, failing_realloc, plain_free, NULL };
    int completed = 0;

    (void)state;
    write_media();
    assert_int_equal(mv_set_allocator(&a), MV_OK);
    for (long n = 0; n < 3000 && !completed; n += 1 + n / 100) {
        mv_scan *s = NULL;
        mv_scan_summary m;
        atomic_store(&alloc_count, 0);
        atomic_store(&fail_at, n);
        mv_status st = mv_scan_new(&s);
        if (st == MV_OK)
            st = mv_scan_opt_set(s, MV_SCAN_FINGERPRINT, 1);
        if (st == MV_OK)
            st = scan_with(s, &m);
        mv_scan_free(s);
        assert_true(st == MV_OK || st == MV_ENOMEM);
        completed = atomic_load(&alloc_count) <= n;
    }
    atomic_store(&fail_at, -1);
    assert_int_equal(mv_set_allocator(NULL), MV_OK);
    assert_true(completed);
    mv_scan_summary m = scan_fingerprint(0);
    assert_int_equal(m.stats.files, 7);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(first_scan_then_no_reads, setup, teardown),
        cmocka_unit_test_setup_teardown(rename_not_read, setup, teardown),
        cmocka_unit_test_setup_teardown(hardlink_read_once, setup, teardown),
        cmocka_unit_test_setup_teardown(gone_marked, setup, teardown),
        cmocka_unit_test_setup_teardown(special_files_noted, setup, teardown),
        cmocka_unit_test_setup_teardown(algo_added_once, setup, teardown),
        cmocka_unit_test_setup_teardown(options_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(cancel_before_run, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_torture, setup, teardown),
        cmocka_unit_test_setup_teardown(fingerprint_one_read, setup, teardown),
        cmocka_unit_test_setup_teardown(alloc_torture_fingerprint, setup, teardown),
        cmocka_unit_test_setup_teardown(two_devices, setup, teardown),
        cmocka_unit_test_setup_teardown(fingerprint_after_plain_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(refingerprint_finds_other_bytes, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
