/*
 * Unit tests of the GPU module: the plugin loader, the "cuda" MD5 engine and
 * the CUDA plugin itself.
 *
 * Without a GPU: the probe gives reasons, a forced cuda backend is refused,
 * plugins of a wrong ABI, size or without the entry symbol (real shared objects
 * built from gpu_fake_plugin.c) are refused with a logged reason and the CPU
 * takes over, and a fake plugin that hashes on the CPU drives the whole GPU
 * engine (batching, deferral of large files, failure mid-run) end to end.
 * With a GPU (label gpu): every length 0..4097 and random lengths up to 16 MiB
 * through the real plugin against OpenSSL; these exit 77 (a CTest skip) when
 * no GPU is present.
 *
 * The loader and the engine probes run once per process, so each case that
 * points MEDIAVAULT_PLUGIN_DIR somewhere needs a process of its own: CTest runs
 * every case on its own.
 */
#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <threads.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "digest/engine.h"
#include "gpu/gpu_plugin.h"
#include "mediavault/mediavault.h"

#define PLUGIN_SO "/" MV_GPU_PLUGIN_FILE
#define SKIP_RC   77
#define MIB       (1u << 20)

/* ---- log capture ---- */

static char logged[16384];
static mtx_t log_lock;

static void capture(void *opaque, mv_log_level level, const char *message)
{
    (void)opaque;
    (void)level;
    mtx_lock(&log_lock);
    size_t used = strlen(logged);
    snprintf(logged + used, sizeof(logged) - used, "%s\n", message);
    mtx_unlock(&log_lock);
}

static void capture_logs(void)
{
    logged[0] = '\0';
    mv_log_set_handler(capture, NULL, MV_LOG_DEBUG);
}

/* ---- files with known digests ---- */

struct tree {
    char dir[64];
    char **paths;
    uint8_t (*want)[MV_MD5_LEN];
    mv_status *want_st;
    size_t n;
};

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void md5_of(const uint8_t *p, size_t len, uint8_t out[MV_MD5_LEN])
{
    unsigned int outlen;
    assert_true(EVP_Digest(p, len, out, &outlen, EVP_md5(), NULL));
}

static void tree_init(struct tree *t, size_t n)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "/tmp/mv-test-gpu-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    t->paths = calloc(n, sizeof(*t->paths));
    t->want = calloc(n, sizeof(*t->want));
    t->want_st = calloc(n, sizeof(*t->want_st));
    assert_true(t->paths && t->want && t->want_st);
    t->n = n;
}

static void tree_file(struct tree *t, size_t i, size_t len)
{
    uint8_t *buf = malloc(len ? len : 1);
    char path[128];

    assert_non_null(buf);
    for (size_t k = 0; k < len; k++)
        buf[k] = (uint8_t)(next_rand() >> 24);
    snprintf(path, sizeof(path), "%s/f%06zu", t->dir, i);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    md5_of(buf, len, t->want[i]);
    t->paths[i] = strdup(path);
    free(buf);
}

/* An entry that must fail with st (a missing file, a directory, a FIFO). */
static void tree_bad(struct tree *t, size_t i, const char *name, mv_status st)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", t->dir, name);
    if (st == MV_EISDIR)
        assert_int_equal(mkdir(path, 0700), 0);
    if (st == MV_ENOTREG)
        assert_int_equal(mkfifo(path, 0600), 0);
    t->paths[i] = strdup(path);
    t->want_st[i] = st;
}

static void tree_free(struct tree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        if (t->paths[i] != NULL && strncmp(t->paths[i], t->dir, strlen(t->dir)) == 0 &&
            unlink(t->paths[i]) != 0)
            rmdir(t->paths[i]);
        free(t->paths[i]);
    }
    rmdir(t->dir);
    free(t->paths);
    free(t->want);
    free(t->want_st);
}

/* Lengths 0..4097 (every block edge), nrand log-uniform ones up to 16 MiB, then
   extra entries left for the caller. */
static void tree_lengths(struct tree *t, size_t nrand, size_t extra)
{
    tree_init(t, 4098 + nrand + extra);
    for (size_t i = 0; i < 4098; i++)
        tree_file(t, i, i);
    for (size_t i = 4098; i < 4098 + nrand; i++) {
        size_t len = (size_t)1 << (next_rand() % 25);
        len += next_rand() % len;
        tree_file(t, i, len > 16 * MIB ? 16 * MIB : len);
    }
}

static mv_status run_batch(const struct tree *t, mv_digest_backend backend, long jobs,
                           mv_digest_result *res, char *engine, size_t engine_len)
{
    mv_digest_batch *b;

    assert_int_equal(mv_digest_batch_new(&b), MV_OK);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_BACKEND, backend), MV_OK);
    assert_int_equal(mv_digest_batch_set(b, MV_DIGEST_OPT_JOBS, jobs), MV_OK);
    memset(res, 0xa5, t->n * sizeof(*res));
    mv_status st = mv_digest_batch_run(b, (const char *const *)t->paths, t->n, res, NULL, NULL);
    if (engine != NULL)
        snprintf(engine, engine_len, "%s", mv_digest_batch_engine(b));
    mv_digest_batch_free(b);
    return st;
}

static void expect_all(const struct tree *t, const mv_digest_result *res)
{
    for (size_t i = 0; i < t->n; i++) {
        if (res[i].status != t->want_st[i])
            fail_msg("%s: %s, expected %s", t->paths[i], mv_status_name(res[i].status),
                     mv_status_name(t->want_st[i]));
        if (t->want_st[i] == MV_OK && memcmp(res[i].digest, t->want[i], MV_MD5_LEN) != 0)
            fail_msg("%s: wrong MD5 (%llu bytes)", t->paths[i], (unsigned long long)res[i].size);
    }
}

/* ---- helpers around the cuda engine ---- */

static int cuda_engine(mv_digest_engine_info *out)
{
    for (size_t i = 0; mv_digest_engine_get(i, out) == MV_OK; i++) {
        if (strcmp(out->name, "cuda") == 0)
            return 1;
    }
    return 0;
}

static _Atomic unsigned long *fake_counter(void)
{
    void *h = dlopen(FAKE_DIR_OK PLUGIN_SO, RTLD_NOW | RTLD_NOLOAD);
    assert_non_null(h);
    void *sym = dlsym(h, "mv_fake_plugin_buffers");
    assert_non_null(sym);
    dlclose(h); /* drops only the reference taken here */
    return sym;
}

/* Exits 77 (a CTest skip) unless the real plugin and a GPU are here. */
static void require_gpu(void)
{
    mv_digest_engine_info e;

#ifdef REAL_PLUGIN_DIR
    setenv("MEDIAVAULT_PLUGIN_DIR", REAL_PLUGIN_DIR, 1);
    assert_true(cuda_engine(&e));
    if (e.available)
        return;
    print_message("SKIP: no usable GPU (%s)\n", e.detail);
#else
    (void)e;
    print_message("SKIP: the CUDA plugin was not built (no nvcc at configure time)\n");
#endif
    fflush(NULL);
    exit(SKIP_RC);
}

/* ---- without a GPU ---- */

static void probe_gives_reasons(void **state)
{
    mv_gpu_info gpu;
    mv_digest_engine_info e;

    (void)state;
#ifdef REAL_PLUGIN_DIR
    setenv("MEDIAVAULT_PLUGIN_DIR", REAL_PLUGIN_DIR, 1);
#endif
    assert_int_equal(mv_gpu_probe(&gpu), MV_OK);
    assert_true(gpu.plugin[0] != '\0');
#ifdef REAL_PLUGIN_DIR
    /* The plugin carries a static CUDA runtime: it loads even without a driver. */
    assert_int_equal(gpu.plugin_loaded, 1);
    assert_non_null(strstr(gpu.plugin, PLUGIN_SO));
#else
    assert_int_equal(gpu.plugin_loaded, 0);
    assert_non_null(strstr(gpu.plugin, "not found"));
#endif
    assert_true(cuda_engine(&e));
    assert_string_equal(e.backend, "cuda");
    assert_true(e.detail != NULL && e.detail[0] != '\0');
    if (!gpu.available) {
        assert_true(gpu.reason[0] != '\0');
        assert_false(e.available);
        print_message("no GPU: %s; cuda engine: %s\n", gpu.reason, e.detail);
    }
}

static void cuda_backend_refused(void **state)
{
    struct tree t;
    mv_digest_result res[3];
    const char *name;
    char engine[32];

    (void)state;
#ifdef REAL_PLUGIN_DIR
    setenv("MEDIAVAULT_PLUGIN_DIR", REAL_PLUGIN_DIR, 1); /* loaded, but no device */
#endif
    tree_init(&t, 3);
    for (size_t i = 0; i < 3; i++)
        tree_file(&t, i, 1000 * i);
    mv_status st = mv_digest_engine_choose(MV_BACKEND_CUDA, &name);
    if (st == MV_OK) { /* a GPU is here: the forced backend must work */
        assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, 2, res, engine, sizeof(engine)), MV_OK);
        assert_string_equal(engine, "cuda");
        expect_all(&t, res);
    } else {
        assert_int_equal(st, MV_ENOTSUP);
        assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, 2, res, NULL, 0), MV_ENOTSUP);
        setenv("MEDIAVAULT_BACKEND", "cuda", 1);
        assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, 1, res, NULL, 0), MV_ENOTSUP);
        unsetenv("MEDIAVAULT_BACKEND");
        assert_int_equal(run_batch(&t, MV_BACKEND_AUTO, 2, res, engine, sizeof(engine)), MV_OK);
        assert_string_not_equal(engine, "cuda");
        expect_all(&t, res);
    }
    tree_free(&t);
}

static void expect_refused(const char *path, const char *why)
{
    char reason[512] = "";

    logged[0] = '\0';
    assert_null(mv__gpu_plugin_open(path, reason, sizeof(reason)));
    if (strstr(reason, why) == NULL)
        fail_msg("%s: reason '%s' lacks '%s'", path, reason, why);
    assert_non_null(strstr(logged, "refused"));
    assert_non_null(strstr(logged, why));
}

static void plugin_refusals(void **state)
{
    char reason[512], want[64];

    (void)state;
    capture_logs();
    snprintf(want, sizeof(want), "plugin ABI %d,", MV_GPU_PLUGIN_ABI + 1);
    expect_refused(FAKE_DIR_ABI PLUGIN_SO, want);
    expect_refused(FAKE_DIR_SIZE PLUGIN_SO, "table of 8 bytes");
    expect_refused(FAKE_DIR_NOENTRY PLUGIN_SO, "no mv_gpu_plugin_entry symbol");
    expect_refused("/nonexistent/dir" PLUGIN_SO, "dlopen failed");
    const struct mv_gpu_plugin *p = mv__gpu_plugin_open(FAKE_DIR_OK PLUGIN_SO, reason, 512);
    assert_non_null(p);
    assert_string_equal(p->name, "fake");
    assert_int_equal(p->abi, MV_GPU_PLUGIN_ABI);
    mv_log_set_handler(NULL, NULL, MV_LOG_WARN);
}

static void refused_plugin_falls_back(void **state)
{
    struct tree t;
    mv_digest_result res[20];
    mv_digest_engine_info e;
    mv_gpu_info gpu;
    const char *why, *path, *name;
    char engine[32];

    (void)state;
    capture_logs();
    setenv("MEDIAVAULT_PLUGIN_DIR", FAKE_DIR_ABI, 1);
    assert_null(mv__gpu_plugin(&why, &path));
    assert_non_null(strstr(why, "ABI"));
    assert_string_equal(path, FAKE_DIR_ABI PLUGIN_SO);
    assert_non_null(strstr(logged, "refused"));
    assert_int_equal(mv_digest_engine_choose(MV_BACKEND_AUTO, &name), MV_OK);
    assert_string_not_equal(name, "cuda");
    assert_true(cuda_engine(&e));
    assert_false(e.available);
    assert_non_null(strstr(e.detail, "ABI"));
    assert_int_equal(mv_gpu_probe(&gpu), MV_OK);
    assert_int_equal(gpu.plugin_loaded, 0);
    assert_non_null(strstr(gpu.plugin, "ABI"));
    tree_init(&t, 20);
    for (size_t i = 0; i < 20; i++)
        tree_file(&t, i, 3000 * i);
    assert_int_equal(run_batch(&t, MV_BACKEND_AUTO, 2, res, engine, sizeof(engine)), MV_OK);
    assert_string_not_equal(engine, "cuda");
    expect_all(&t, res);
    assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, 2, res, NULL, 0), MV_ENOTSUP);
    tree_free(&t);
    mv_log_set_handler(NULL, NULL, MV_LOG_WARN);
}

/* /proc/version reports size 0 but has bytes: the engine must send it to the CPU. */
static int add_procfs(struct tree *t, size_t i)
{
    uint8_t buf[4096];
    FILE *f = fopen("/proc/version", "rb");

    if (f == NULL)
        return 0;
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    md5_of(buf, len, t->want[i]);
    t->paths[i] = strdup("/proc/version");
    return 1;
}

static void fake_gpu_engine(void **state)
{
    static const size_t big[] = { 8 * MIB, 8 * MIB + 1, 12 * MIB + 7, 16 * MIB };
    const size_t nbig = sizeof(big) / sizeof(big[0]);
    struct tree t;
    mv_digest_engine_info e;
    char engine[32];

    (void)state;
    setenv("MEDIAVAULT_PLUGIN_DIR", FAKE_DIR_OK, 1);
    assert_true(cuda_engine(&e));
    assert_true(e.available);
    assert_non_null(strstr(e.detail, "fake CPU device"));
    tree_lengths(&t, 12, nbig + 4);
    size_t k = t.n - nbig - 4;
    for (size_t i = 0; i < nbig; i++)
        tree_file(&t, k++, big[i]);
    tree_bad(&t, k++, "missing", MV_ENOENT);
    tree_bad(&t, k++, "dir", MV_EISDIR);
    tree_bad(&t, k++, "fifo", MV_ENOTREG);
    if (!add_procfs(&t, k))
        tree_file(&t, k, 5);
    mv_digest_result *res = calloc(t.n, sizeof(*res));
    _Atomic unsigned long *counter = fake_counter();
    assert_non_null(res);
    for (long jobs = 1; jobs <= 4; jobs *= 2) {
        atomic_store(counter, 0);
        assert_int_equal(run_batch(&t, MV_BACKEND_AUTO, jobs, res, engine, sizeof(engine)), MV_OK);
        assert_string_equal(engine, "cuda");
        expect_all(&t, res);
        size_t small = 0;
        for (size_t i = 0; i < t.n; i++)
            small += t.want_st[i] == MV_OK && res[i].size <= 8 * MIB &&
                     strncmp(t.paths[i], "/proc", 5) != 0;
        /* One worker: the feeder takes every file and the GPU every small one. */
        if (jobs == 1)
            assert_int_equal(atomic_load(counter), small);
        else
            assert_true(atomic_load(counter) > 0);
    }
    free(res);
    tree_free(&t);
}

static void fake_gpu_failure(void **state)
{
    const size_t n = 5000; /* more than one batch of 4096 files */
    struct tree t;
    const char *name;
    char engine[32];

    (void)state;
    capture_logs();
    setenv("MEDIAVAULT_PLUGIN_DIR", FAKE_DIR_OK, 1);
    setenv("MV_FAKE_PLUGIN_FAIL_AT", "2", 1); /* call 0 is the probe, call 1 the first batch */
    assert_int_equal(mv_digest_engine_choose(MV_BACKEND_CUDA, &name), MV_OK);
    assert_string_equal(name, "cuda");
    tree_init(&t, n);
    for (size_t i = 0; i < n; i++)
        tree_file(&t, i, i % 3000);
    mv_digest_result *res = calloc(n, sizeof(*res));
    _Atomic unsigned long *counter = fake_counter();
    assert_non_null(res);
    atomic_store(counter, 0);
    assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, 1, res, engine, sizeof(engine)), MV_OK);
    assert_string_equal(engine, "cuda");
    expect_all(&t, res);
    assert_int_equal(atomic_load(counter), 4096);
    assert_non_null(strstr(logged, "fake device lost"));
    /* Every call fails from now on: the CPU does the whole run. */
    assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, 3, res, NULL, 0), MV_OK);
    expect_all(&t, res);
    assert_int_equal(atomic_load(counter), 4096);
    unsetenv("MV_FAKE_PLUGIN_FAIL_AT");
    free(res);
    tree_free(&t);
    mv_log_set_handler(NULL, NULL, MV_LOG_WARN);
}

/* ---- with a GPU ---- */

static void gpu_differential(void **state)
{
    struct tree t;
    char engine[32];

    (void)state;
    require_gpu();
    tree_lengths(&t, 40, 0);
    mv_digest_result *res = calloc(t.n, sizeof(*res));
    assert_non_null(res);
    for (long jobs = 1; jobs <= 4; jobs *= 4) {
        assert_int_equal(run_batch(&t, MV_BACKEND_CUDA, jobs, res, engine, sizeof(engine)), MV_OK);
        assert_string_equal(engine, "cuda");
        expect_all(&t, res);
    }
    free(res);
    tree_free(&t);
}

/* n buffers at odd offsets of one block (some overlapping, some empty), straight to the plugin. */
static void direct_round(const struct mv_gpu_plugin *p, const uint8_t *data, size_t datalen,
                         size_t n, size_t maxlen)
{
    uint64_t *off = calloc(n, sizeof(*off)), *len = calloc(n, sizeof(*len));
    uint8_t(*out)[16] = calloc(n, 16);
    uint8_t want[MV_MD5_LEN];
    char err[256] = "";

    assert_true(off && len && out);
    for (size_t i = 0; i < n; i++) {
        len[i] = i % 7 == 0 ? 0 : next_rand() % (maxlen + 1);
        off[i] = next_rand() % (datalen - len[i] + 1);
    }
    if (p->md5_buffers(data, off, len, n, out, err, sizeof(err)) != 0)
        fail_msg("md5_buffers: %s", err);
    for (size_t i = 0; i < n; i++) {
        md5_of(data + off[i], (size_t)len[i], want);
        if (memcmp(out[i], want, MV_MD5_LEN) != 0)
            fail_msg("buffer %zu (offset %llu, %llu bytes): wrong MD5", i,
                     (unsigned long long)off[i], (unsigned long long)len[i]);
    }
    free(off);
    free(len);
    free(out);
}

static void gpu_plugin_direct(void **state)
{
    const size_t datalen = 48 * MIB;
    const char *why, *path;

    (void)state;
    require_gpu();
    const struct mv_gpu_plugin *p = mv__gpu_plugin(&why, &path);
    assert_non_null(p);
    uint8_t *data = malloc(datalen);
    assert_non_null(data);
    for (size_t i = 0; i < datalen; i++)
        data[i] = (uint8_t)(next_rand() >> 24);
    direct_round(p, data, datalen, 100000, 300); /* several chunks of many jobs */
    direct_round(p, data, datalen, 3, 40 * MIB); /* a buffer larger than a staging chunk */
    p->shutdown();
    direct_round(p, data, datalen, 5000, 70000); /* set up again after shutdown */
    free(data);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(probe_gives_reasons), cmocka_unit_test(cuda_backend_refused),
        cmocka_unit_test(plugin_refusals),     cmocka_unit_test(refused_plugin_falls_back),
        cmocka_unit_test(fake_gpu_engine),     cmocka_unit_test(fake_gpu_failure),
        cmocka_unit_test(gpu_differential),    cmocka_unit_test(gpu_plugin_direct),
    };
    mtx_init(&log_lock, mtx_plain);
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
