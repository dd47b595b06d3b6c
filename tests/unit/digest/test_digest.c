/*
 * Unit tests of the digest module through real files: every engine against
 * OpenSSL at every length around the block edges and at random lengths up to
 * 16 MiB in one batch (lanes of very different lengths side by side), errors as
 * results, forced backends, the sums parser, and failing allocations.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "digest/engine.h"
#include "mediavault/mediavault.h"

struct tree {
    char dir[64];
    char **paths;
    uint8_t (*want)[MV_DIGEST_MAX_LEN];
    size_t n;
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(next_rand() >> 24);
}

static void tree_init(struct tree *t, size_t n)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/mv-test-digest-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    t->paths = calloc(n, sizeof(*t->paths));
    t->want = calloc(n, sizeof(*t->want));
    assert_non_null(t->paths);
    assert_non_null(t->want);
    t->n = n;
}

/* Writes file i with len random bytes and records its digest for algo. */
static void tree_file(struct tree *t, size_t i, size_t len, mv_digest_algo algo)
{
    static const char *const md[] = { "MD5", "SHA1", "SHA256", "BLAKE2B-512" };
    uint8_t *buf = malloc(len ? len : 1);
    char path[128];
    unsigned int outlen;

    assert_non_null(buf);
    fill_random(buf, len);
    snprintf(path, sizeof(path), "%s/f%06zu", t->dir, i);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    EVP_MD *m = EVP_MD_fetch(NULL, md[algo], NULL);
    assert_true(EVP_Digest(buf, len, t->want[i], &outlen, m, NULL));
    EVP_MD_free(m);
    t->paths[i] = strdup(path);
    free(buf);
}

static void tree_free(struct tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->paths[i] != NULL)
            unlink(t->paths[i]);
        free(t->paths[i]);
    }
    rmdir(t->dir);
    free(t->paths);
    free(t->want);
}

static mv_status run_batch(const struct tree *t, mv_digest_algo algo, long jobs,
                           mv_digest_result *res)
{
    mv_digest_batch *b;
    assert_int_equal(mv_digest_batch_new(&b), MV_OK);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_ALGO, algo), MV_OK);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_JOBS, jobs), MV_OK);
    mv_status st = mv_digest_batch_run(b, (const char *const *)t->paths, t->n, res, NULL, NULL);
    mv_digest_batch_free(b);
    return st;
}

static void expect_all(const struct tree *t, mv_digest_algo algo, const mv_digest_result *res)
{
    for (size_t i = 0; i < t->n; i++) {
        if (res[i].status != MV_OK)
            fail_msg("%s: %s", t->paths[i], mv_strerror(res[i].status));
        if (memcmp(res[i].digest, t->want[i], mv_digest_len(algo)) != 0)
            fail_msg("%s: wrong %s digest (engine %s)", t->paths[i], mv_digest_algo_name(algo),
                     getenv("MEDIAVAULT_MD5_ENGINE"));
    }
}

/* Runs the tree through every usable engine with 1 and 2 jobs. */
static void every_engine(const struct tree *t)
{
    mv_digest_result *res = calloc(t->n, sizeof(*res));

    assert_non_null(res);
    for (size_t e = 0; e < mv__engine_count(); e++) {
        if (!mv__engine_usable(e))
            continue;
        setenv("MEDIAVAULT_MD5_ENGINE", mv__engine_at(e)->name, 1);
        for (long jobs = 1; jobs <= 2; jobs++) {
            memset(res, 0xa5, t->n * sizeof(*res));
            assert_int_equal(run_batch(t, MV_DIGEST_MD5, jobs, res), MV_OK);
            expect_all(t, MV_DIGEST_MD5, res);
        }
    }
    unsetenv("MEDIAVAULT_MD5_ENGINE");
    free(res);
}

static void rfc1321_vectors(void **state)
{
    static const char *const in[] = {
        "",
        "a",
        "abc",
        "message digest",
        "abcdefghijklmnopqrstuvwxyz",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
        "12345678901234567890123456789012345678901234567890123456789012345678901234567890",
    };
    static const char *const out[] = {
        "d41d8cd98f00b204e9800998ecf8427e", "0cc175b9c0f1b6a831c399e269772661",
        "900150983cd24fb0d6963f7d28e17f72", "f96b697d7cb7938d525a2f31aaf161d0",
        "c3fcd3d76192e4007dfb496cca67e13b", "d174ab98d277d9f5a5611c2c9f419d9f",
        "57edf4a22be3c955ac49da2e2107b67a",
    };
    struct tree t;
    mv_digest_result res[7];
    uint8_t d[MV_DIGEST_MAX_LEN];
    char hex[2 * MV_DIGEST_MAX_LEN + 1];

    (void)state;
    tree_init(&t, 7);
    for (size_t i = 0; i < 7; i++) {
        assert_int_equal(mv_digest_buffer(MV_DIGEST_MD5, in[i], strlen(in[i]), d), MV_OK);
        mv_digest_hex(d, MV_MD5_LEN, hex);
        assert_string_equal(hex, out[i]);
        char path[128];
        snprintf(path, sizeof(path), "%s/v%zu", t.dir, i);
        FILE *f = fopen(path, "wb");
        fputs(in[i], f);
        fclose(f);
        t.paths[i] = strdup(path);
        memcpy(t.want[i], d, MV_MD5_LEN);
    }
    every_engine(&t);
    (void)res;
    tree_free(&t);
}

static void every_length_every_engine(void **state)
{
    const size_t n = 4098; /* lengths 0..4097 */
    struct tree t;

    (void)state;
    tree_init(&t, n);
    for (size_t i = 0; i < n; i++)
        tree_file(&t, i, i, MV_DIGEST_MD5);
    every_engine(&t);
    tree_free(&t);
}

static void random_lengths_mixed_lanes(void **state)
{
    const size_t n = 40;
    struct tree t;

    (void)state;
    tree_init(&t, n);
    for (size_t i = 0; i < n; i++) {
        /* Log-uniform from 1 byte to 16 MiB, with a few exact block multiples. */
        size_t len = (size_t)1 << (next_rand() % 25);
        len += next_rand() % len;
        if (len > (16u << 20))
            len = 16u << 20;
        if (i % 7 == 0)
            len &= ~(size_t)63;
        tree_file(&t, i, len, MV_DIGEST_MD5);
    }
    every_engine(&t);
    tree_free(&t);
}

static void algorithms_match_openssl(void **state)
{
    static const size_t lens[] = { 0, 1, 55, 56, 64, 127, 128, 129, 1000, 65536, 1048577 };
    const size_t n = sizeof(lens) / sizeof(lens[0]);

    (void)state;
    for (int algo = MV_DIGEST_SHA1; algo <= MV_DIGEST_BLAKE2B; algo++) {
        struct tree t;
        mv_digest_result res[sizeof(lens) / sizeof(lens[0])];
        tree_init(&t, n);
        for (size_t i = 0; i < n; i++)
            tree_file(&t, i, lens[i], (mv_digest_algo)algo);
        assert_int_equal(run_batch(&t, (mv_digest_algo)algo, 2, res), MV_OK);
        expect_all(&t, (mv_digest_algo)algo, res);
        tree_free(&t);
    }
}

static void batch_errors_are_results(void **state)
{
    struct tree t;
    mv_digest_result res[6];
    char loop_a[128], loop_b[128];

    (void)state;
    tree_init(&t, 6);
    tree_file(&t, 0, 100, MV_DIGEST_MD5);
    t.paths[1] = strdup("/nonexistent/mediavault/file");
    t.paths[2] = strdup(t.dir);
    snprintf(loop_a, sizeof(loop_a), "%s/loop_a", t.dir);
    snprintf(loop_b, sizeof(loop_b), "%s/loop_b", t.dir);
    assert_int_equal(symlink(loop_b, loop_a), 0);
    assert_int_equal(symlink(loop_a, loop_b), 0);
    t.paths[3] = strdup(loop_a);
    tree_file(&t, 4, 5000, MV_DIGEST_MD5);
    t.paths[5] = strdup("/dev/null");
    for (long jobs = 1; jobs <= 2; jobs++) {
        assert_int_equal(run_batch(&t, MV_DIGEST_MD5, jobs, res), MV_OK);
        assert_int_equal(res[0].status, MV_OK);
        assert_memory_equal(res[0].digest, t.want[0], MV_MD5_LEN);
        assert_int_equal(res[1].status, MV_ENOENT);
        assert_int_equal(res[2].status, MV_EISDIR);
        assert_int_equal(res[3].status, MV_ELOOP);
        assert_int_equal(res[4].status, MV_OK);
        assert_int_equal(res[4].size, 5000);
        assert_memory_equal(res[4].digest, t.want[4], MV_MD5_LEN);
        assert_int_equal(res[5].status, MV_ENOTREG);
    }
    unlink(loop_a);
    unlink(loop_b);
    /* Not ours to unlink: the directory and the device. */
    free(t.paths[2]);
    t.paths[2] = NULL;
    free(t.paths[5]);
    t.paths[5] = NULL;
    tree_free(&t);
}

static void batch_fifo_refused(void **state)
{
    struct tree t;
    mv_digest_result res[1];
    char path[128];

    (void)state;
    tree_init(&t, 1);
    snprintf(path, sizeof(path), "%s/fifo", t.dir);
    assert_int_equal(mkfifo(path, 0600), 0);
    t.paths[0] = strdup(path);
    /* Nobody writes to the FIFO: a blocking open would hang the test until its timeout. */
    assert_int_equal(run_batch(&t, MV_DIGEST_MD5, 1, res), MV_OK);
    assert_int_equal(res[0].status, MV_ENOTREG);
    tree_free(&t);
}

static void batch_engine_forced(void **state)
{
    struct tree t;
    mv_digest_result res[3];
    mv_digest_batch *b;
    mv_gpu_info gpu;

    (void)state;
    tree_init(&t, 3);
    for (size_t i = 0; i < 3; i++)
        tree_file(&t, i, 70000 * i, MV_DIGEST_MD5);
    assert_int_equal(mv_digest_batch_new(&b), MV_OK);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_BACKEND, MV_BACKEND_SCALAR), MV_OK);
    assert_int_equal(mv_digest_batch_run(b, (const char *const *)t.paths, 3, res, NULL, NULL),
                     MV_OK);
    assert_string_equal(mv_digest_batch_engine(b), "scalar");
    expect_all(&t, MV_DIGEST_MD5, res);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_BACKEND, MV_BACKEND_SIMD), MV_OK);
    mv_status st = mv_digest_batch_run(b, (const char *const *)t.paths, 3, res, NULL, NULL);
    if (mv_digest_cpu_features() & MV_CPU_AVX2) {
        assert_int_equal(st, MV_OK);
        assert_memory_equal(mv_digest_batch_engine(b), "simd-", 5);
        expect_all(&t, MV_DIGEST_MD5, res);
    } else {
        assert_int_equal(st, MV_ENOTSUP);
    }
    mv_gpu_probe(&gpu);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_BACKEND, MV_BACKEND_CUDA), MV_OK);
    st = mv_digest_batch_run(b, (const char *const *)t.paths, 3, res, NULL, NULL);
    if (!gpu.available)
        assert_int_equal(st, MV_ENOTSUP);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_JOBS, -1), MV_EINVAL);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_READ_SIZE, 100), MV_EINVAL);
    assert_int_equal(mv_digest_batch_set(b, (mv_digest_batch_opt)99, 1), MV_EINVAL);
    mv_digest_batch_free(b);
    mv_digest_batch_free(NULL);
    tree_free(&t);
}

struct cancel_probe {
    mv_digest_batch *b;
    _Atomic size_t calls, canceled;
};

static void cancel_after_first(void *opaque, size_t index, const mv_digest_result *r)
{
    struct cancel_probe *p = opaque;

    (void)index;
    if (atomic_fetch_add(&p->calls, 1) == 0)
        mv_digest_batch_cancel(p->b);
    if (r->status == MV_ECANCELED)
        atomic_fetch_add(&p->canceled, 1);
}

static void *cancel_later(void *arg)
{
    struct cancel_probe *p = arg;
    usleep(2000);
    mv_digest_batch_cancel(p->b);
    return NULL;
}

static void count_results(void *opaque, size_t index, const mv_digest_result *r)
{
    struct cancel_probe *p = opaque;

    (void)index;
    atomic_fetch_add(&p->calls, 1);
    if (r->status == MV_ECANCELED)
        atomic_fetch_add(&p->canceled, 1);
}

static void batch_cancel(void **state)
{
    const size_t n = 300;
    struct tree t;
    mv_digest_result *res = calloc(n, sizeof(*res));
    struct cancel_probe p = { 0 };

    (void)state;
    tree_init(&t, n);
    for (size_t i = 0; i < n; i++)
        tree_file(&t, i, 20000 + 100 * i, MV_DIGEST_MD5);
    for (long jobs = 1; jobs <= 2; jobs++) {
        assert_int_equal(mv_digest_batch_new(&p.b), MV_OK);
        assert_int_equal(mv_digest_batch_set(p.b, MV_DIGEST_OPT_JOBS, jobs), MV_OK);
        atomic_store(&p.calls, 0);
        atomic_store(&p.canceled, 0);
        assert_int_equal(
            mv_digest_batch_run(p.b, (const char *const *)t.paths, n, res, cancel_after_first, &p),
            MV_OK);
        /* Every file got exactly one result, most of them canceled, none wrong. */
        assert_int_equal(atomic_load(&p.calls), n);
        assert_true(atomic_load(&p.canceled) > n / 2);
        for (size_t i = 0; i < n; i++) {
            assert_true(res[i].status == MV_OK || res[i].status == MV_ECANCELED);
            if (res[i].status == MV_OK)
                assert_memory_equal(res[i].digest, t.want[i], MV_MD5_LEN);
        }
        /* A cancel from another thread, at any moment: still one result per file. */
        pthread_t th;
        atomic_store(&p.calls, 0);
        assert_int_equal(pthread_create(&th, NULL, cancel_later, &p), 0);
        assert_int_equal(
            mv_digest_batch_run(p.b, (const char *const *)t.paths, n, res, count_results, &p),
            MV_OK);
        pthread_join(th, NULL);
        assert_int_equal(atomic_load(&p.calls), n);
        /* The next run starts afresh. */
        assert_int_equal(run_batch(&t, MV_DIGEST_MD5, jobs, res), MV_OK);
        expect_all(&t, MV_DIGEST_MD5, res);
        mv_digest_batch_free(p.b);
    }
    free(res);
    tree_free(&t);
}

/* Descriptors this process holds now. */
static size_t open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    size_t n = 0;

    assert_non_null(d);
    while (readdir(d) != NULL)
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory itself */
}

/* A tree of n files of assorted sizes, with failures at fixed places. */
static void tree_mixed(struct tree *t, size_t n)
{
    tree_init(t, n);
    for (size_t i = 0; i < n; i++) {
        if (i % 37 == 5)
            t->paths[i] = strdup("/nonexistent/mediavault/file");
        else
            tree_file(t, i, (i * 7919) % 300000, MV_DIGEST_MD5);
    }
}

static void expect_mixed(const struct tree *t, const mv_digest_result *res)
{
    for (size_t i = 0; i < t->n; i++) {
        if (i % 37 == 5) {
            assert_int_equal(res[i].status, MV_ENOENT);
            continue;
        }
        assert_int_equal(res[i].status, MV_OK);
        assert_int_equal(res[i].size, (i * 7919) % 300000);
        assert_memory_equal(res[i].digest, t->want[i], MV_MD5_LEN);
    }
}

/* Takes file i from the prefetcher and checks it is the right one. */
static void take_and_check(const struct tree *t, mv__prefetch *p, size_t i)
{
    mv__file f;
    struct stat want;
    mv_status st = mv__prefetch_open(p, i, &f);

    if (i % 37 == 5) {
        assert_int_equal(st, MV_ENOENT);
        return;
    }
    assert_int_equal(st, MV_OK);
    assert_int_equal(stat(t->paths[i], &want), 0);
    assert_int_equal(f.st.st_ino, want.st_ino);
    assert_int_equal(f.st.st_size, (off_t)((i * 7919) % 300000));
    mv__file_close(&f);
}

/* The prefetcher hands each file to the one who asks for it, opened or with
   its error, in any order; a file it has not reached is opened by the caller
   and skipped by it; what nobody took is closed when it stops. */
static void prefetch_hands_over(void **state)
{
    const size_t n = 3 * MV__PREFETCH_FILES, jump = 2 * MV__PREFETCH_FILES;
    struct tree t;
    mv__prefetch *p = NULL;
    size_t fds = open_fds();

    (void)state;
    tree_mixed(&t, n);
    assert_int_equal(mv__prefetch_start((const char *const *)t.paths, n, 0, &p), MV_OK);
    assert_null(p);
    assert_int_equal(mv__prefetch_start((const char *const *)t.paths, n, 16, &p), MV_OK);
    assert_non_null(p);
    /* The first files in order, then one far ahead of it, then the rest but
       every 50th, which nobody takes. */
    for (size_t i = 0; i < 10; i++)
        take_and_check(&t, p, i);
    take_and_check(&t, p, jump);
    for (size_t i = 10; i < n; i++) {
        if (i != jump && i % 50 != 49)
            take_and_check(&t, p, i);
    }
    mv__prefetch_stop(p);
    mv__prefetch_stop(NULL);
    assert_int_equal(open_fds(), fds);
    tree_free(&t);
}

/* Out of descriptors, the prefetcher leaves the file to the caller and stops. */
static void prefetch_out_of_fds(void **state)
{
    const size_t n = 100;
    struct tree t;
    mv__prefetch *p = NULL;
    struct rlimit old, low;

    (void)state;
    tree_mixed(&t, n);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    low = old;
    low.rlim_cur = open_fds() + 12;
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
    assert_int_equal(mv__prefetch_start((const char *const *)t.paths, n, 64, &p), MV_OK);
    assert_non_null(p);
    /* Wait until it has used every descriptor: its next open fails. */
    for (int tries = 0; tries < 5000; tries++) {
        int fd = dup(2);
        if (fd < 0)
            break;
        close(fd);
        usleep(1000);
    }
    for (size_t i = 0; i < n; i++) {
        mv__file f;
        mv_status st = mv__prefetch_open(p, i, &f);
        assert_int_equal(st, i % 37 == 5 ? MV_ENOENT : MV_OK);
        if (st == MV_OK)
            mv__file_close(&f);
    }
    mv__prefetch_stop(p);
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    tree_free(&t);
}

/* Batches through the prefetcher: right digests and errors, no descriptor
   left open, also when canceled, and with a descriptor limit that leaves the
   prefetcher little or no room. */
static void batch_prefetch_fds(void **state)
{
    const size_t n = 400;
    struct tree t;
    mv_digest_result *res = calloc(n, sizeof(*res));
    struct cancel_probe p = { 0 };
    size_t fds = open_fds();
    struct rlimit old, low;

    (void)state;
    assert_non_null(res);
    tree_mixed(&t, n);
    for (long jobs = 1; jobs <= 3; jobs++) {
        memset(res, 0xa5, n * sizeof(*res));
        assert_int_equal(run_batch(&t, MV_DIGEST_MD5, jobs, res), MV_OK);
        expect_mixed(&t, res);
        assert_int_equal(open_fds(), fds);
    }
    /* The scalar workers take their files from it too. */
    setenv("MEDIAVAULT_BACKEND", "scalar", 1);
    memset(res, 0xa5, n * sizeof(*res));
    assert_int_equal(run_batch(&t, MV_DIGEST_MD5, 2, res), MV_OK);
    unsetenv("MEDIAVAULT_BACKEND");
    expect_mixed(&t, res);
    assert_int_equal(open_fds(), fds);
    assert_int_equal(mv_digest_batch_new(&p.b), MV_OK);
    assert_int_equal(
        mv_digest_batch_run(p.b, (const char *const *)t.paths, n, res, cancel_after_first, &p),
        MV_OK);
    mv_digest_batch_free(p.b);
    assert_int_equal(atomic_load(&p.calls), n);
    assert_int_equal(open_fds(), fds);
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    for (rlim_t extra = 40; extra <= 120; extra += 40) {
        low = old;
        low.rlim_cur = fds + extra;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        memset(res, 0xa5, n * sizeof(*res));
        assert_int_equal(run_batch(&t, MV_DIGEST_MD5, 2, res), MV_OK);
        expect_mixed(&t, res);
    }
    assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
    assert_int_equal(open_fds(), fds);
    free(res);
    tree_free(&t);
}

static void streaming_ctx(void **state)
{
    uint8_t data[10000], whole[MV_DIGEST_MAX_LEN], parts[MV_DIGEST_MAX_LEN];
    mv_digest_ctx *ctx;
    mv_digest_algo a;

    (void)state;
    fill_random(data, sizeof(data));
    for (int algo = MV_DIGEST_MD5; algo <= MV_DIGEST_BLAKE2B; algo++) {
        assert_int_equal(mv_digest_buffer((mv_digest_algo)algo, data, sizeof(data), whole), MV_OK);
        assert_int_equal(mv_digest_ctx_new((mv_digest_algo)algo, &ctx), MV_OK);
        for (size_t off = 0; off < sizeof(data); off += 333) {
            size_t n = sizeof(data) - off < 333 ? sizeof(data) - off : 333;
            assert_int_equal(mv_digest_ctx_update(ctx, data + off, n), MV_OK);
        }
        assert_int_equal(mv_digest_ctx_final(ctx, parts), MV_OK);
        mv_digest_ctx_free(ctx);
        assert_memory_equal(whole, parts, mv_digest_len((mv_digest_algo)algo));
    }
    assert_int_equal(mv_digest_ctx_new((mv_digest_algo)7, &ctx), MV_EINVAL);
    assert_int_equal(mv_digest_algo_parse("sha256", &a), MV_OK);
    assert_int_equal(a, MV_DIGEST_SHA256);
    assert_int_equal(mv_digest_algo_parse("md4", &a), MV_EINVAL);
    assert_int_equal(mv_digest_len(MV_DIGEST_BLAKE2B), 64);
}

static void parse_ok(const char *text, const char *name, const char *hexd)
{
    char line[256];
    mv_sums_line sl;
    char hex[33];

    snprintf(line, sizeof(line), "%s", text);
    assert_int_equal(mv_sums_parse_line(MV_DIGEST_MD5, NULL, line, strlen(line), &sl), MV_OK);
    assert_int_equal(sl.kind, MV_SUMS_ENTRY);
    assert_string_equal(sl.name, name);
    mv_digest_hex(sl.digest, 16, hex);
    assert_string_equal(hex, hexd);
}

static mv_status parse_status(const char *text)
{
    char line[256];
    mv_sums_line sl;

    snprintf(line, sizeof(line), "%s", text);
    mv_status st = mv_sums_parse_line(MV_DIGEST_MD5, NULL, line, strlen(line), &sl);
    return st == MV_OK && sl.kind == MV_SUMS_SKIP ? (mv_status)1 : st;
}

static void sums_parser(void **state)
{
    const char *h = "0cc175b9c0f1b6a831c399e269772661";
    char line[128] = "0cc175b9c0f1b6a831c399e269772661  a\0b\n";
    mv_sums_line sl;

    (void)state;
    parse_ok("0cc175b9c0f1b6a831c399e269772661  a b\n", "a b", h);
    parse_ok("0cc175b9c0f1b6a831c399e269772661 *bin\r\n", "bin", h);
    parse_ok("0CC175B9C0F1B6A831C399E269772661  up", "up", h);
    parse_ok("\\0cc175b9c0f1b6a831c399e269772661  x\\ny\\\\z\\r", "x\ny\\z\r", h);
    parse_ok("MD5 (tagged name) = 0cc175b9c0f1b6a831c399e269772661\n", "tagged name", h);
    parse_ok("  0cc175b9c0f1b6a831c399e269772661   lead", " lead", h);
    parse_ok("0cc175b9c0f1b6a831c399e269772661\ttab", "tab", h);
    parse_ok("0cc175b9c0f1b6a831c399e269772661 reversed", "reversed", h);
    parse_ok("MD5(a b)= 0cc175b9c0f1b6a831c399e269772661", "a b", h);
    parse_ok("MD5 (p(a)r) =  0cc175b9c0f1b6a831c399e269772661", "p(a)r", h);
    parse_ok("\\MD5 (x\\ny) = 0cc175b9c0f1b6a831c399e269772661", "x\ny", h);
    assert_int_equal(parse_status("\n"), 1);
    assert_int_equal(parse_status("# comment"), 1);
    assert_int_equal(parse_status("  # comment"), MV_EPARSE);
    assert_int_equal(parse_status("\v0cc175b9c0f1b6a831c399e269772661  vt"), MV_EPARSE);
    parse_ok("MD5 () = 0cc175b9c0f1b6a831c399e269772661", "", h); /* md5sum: file '' */
    assert_int_equal(parse_status("   "), MV_EPARSE);
    assert_int_equal(parse_status("MD5 (x) = 0cc175b9c0f1b6a831c399e269772661 trailing"),
                     MV_EPARSE);
    assert_int_equal(parse_status("junk"), MV_EPARSE);
    assert_int_equal(parse_status("0cc175b9c0f1b6a831c399e26977266  short"), MV_EPARSE);
    assert_int_equal(parse_status("0cc175b9c0f1b6a831c399e269772661 x"), MV_OK); /* reversed form */
    assert_int_equal(parse_status("0cc175b9c0f1b6a831c399e269772661  "), MV_OK); /* name " " */
    assert_int_equal(parse_status("0cc175b9c0f1b6a831c399e26977266g  g"), MV_EPARSE);
    assert_int_equal(parse_status("\\0cc175b9c0f1b6a831c399e269772661  bad\\q"), MV_EPARSE);
    assert_int_equal(parse_status("SHA1 (x) = 0cc175b9c0f1b6a831c399e269772661"), MV_EPARSE);
    assert_int_equal(mv_sums_parse_line(MV_DIGEST_MD5, NULL, line, 38, &sl), MV_EPARSE);
    {
        /* One list may not mix "HEX  NAME" and "HEX NAME". */
        mv_sums_state st = MV_SUMS_STATE_INIT;
        char a[] = "0cc175b9c0f1b6a831c399e269772661  std",
             b[] = "0cc175b9c0f1b6a831c399e269772661 rev";
        assert_int_equal(mv_sums_parse_line(MV_DIGEST_MD5, &st, a, strlen(a), &sl), MV_OK);
        assert_int_equal(mv_sums_parse_line(MV_DIGEST_MD5, &st, b, strlen(b), &sl), MV_EPARSE);
    }
    assert_int_equal(mv_sums_parse_line((mv_digest_algo)9, NULL, line, 3, &sl), MV_EINVAL);
    assert_string_equal(mv_sums_tag(MV_DIGEST_BLAKE2B), "BLAKE2b");
}

/* Allocator that fails the Nth allocation (and none when fail_at is -1). */
static _Atomic long alloc_count, fail_at = -1;

static void *failing_malloc(void *opaque, size_t size)
{
    (void)opaque;
    if (atomic_fetch_add(&alloc_count, 1) == atomic_load(&fail_at))
        return NULL;
    return malloc(size);
}

static void *failing_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    if (atomic_fetch_add(&alloc_count, 1) == atomic_load(&fail_at))
        return NULL;
    return realloc(ptr, size);
}

static void plain_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static void alloc_torture(void **state)
{
    const mv_allocator a = { failing_malloc, failing_realloc, plain_free, NULL };
    struct tree t;
    mv_digest_result res[20];
    int completed = 0;

    (void)state;
    tree_init(&t, 20);
    for (size_t i = 0; i < 20; i++)
        tree_file(&t, i, 1000 * i, MV_DIGEST_MD5);
    assert_int_equal(mv_set_allocator(&a), MV_OK);
    for (long n = 0; n < 200 && !completed; n++) {
        mv_digest_batch *b = NULL;
        atomic_store(&alloc_count, 0);
        atomic_store(&fail_at, n);
        mv_status st = mv_digest_batch_new(&b);
        if (st == MV_OK)
            st = mv_digest_batch_set(b, MV_DIGEST_OPT_JOBS, 2);
        if (st == MV_OK)
            st = mv_digest_batch_run(b, (const char *const *)t.paths, t.n, res, NULL, NULL);
        mv_digest_batch_free(b);
        assert_true(st == MV_OK || st == MV_ENOMEM);
        for (size_t i = 0; st == MV_OK && i < t.n; i++) {
            assert_true(res[i].status == MV_OK || res[i].status == MV_ENOMEM);
            if (res[i].status == MV_OK)
                assert_memory_equal(res[i].digest, t.want[i], MV_MD5_LEN);
        }
        completed = atomic_load(&alloc_count) <= n;
    }
    atomic_store(&fail_at, -1);
    assert_int_equal(mv_set_allocator(NULL), MV_OK);
    assert_true(completed);
    tree_free(&t);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(rfc1321_vectors),
        cmocka_unit_test(every_length_every_engine),
        cmocka_unit_test(random_lengths_mixed_lanes),
        cmocka_unit_test(algorithms_match_openssl),
        cmocka_unit_test(batch_errors_are_results),
        cmocka_unit_test(batch_fifo_refused),
        cmocka_unit_test(batch_engine_forced),
        cmocka_unit_test(batch_cancel),
        cmocka_unit_test(prefetch_hands_over),
        cmocka_unit_test(prefetch_out_of_fds),
        cmocka_unit_test(batch_prefetch_fds),
        cmocka_unit_test(streaming_ctx),
        cmocka_unit_test(sums_parser),
        cmocka_unit_test(alloc_torture),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
