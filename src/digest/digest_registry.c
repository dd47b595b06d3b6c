/*
 * The MD5 engine registry and backend selection.
 *
 * Engines are listed best first; each probe runs once, when the engine is
 * first considered, and the answer is kept. AUTO takes the first usable engine, a forced backend
 * the first usable engine of that backend. MEDIAVAULT_MD5_ENGINE=NAME pins one engine by name,
 * which the differential tests use to run every engine.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "digest_md5_kernel.h"
#include "engine.h"

#ifndef MV_NO_AVX2
static int probe_avx2(void)
{
    return (mv_digest_cpu_features() & MV_CPU_AVX2) != 0;
}

static void many_x8_avx2(uint32_t *st, const uint8_t *const *p, size_t nblocks)
{
    mv__md5_x8_avx2((uint32_t(*)[8])st, p, nblocks);
}

static void many_x16_avx2(uint32_t *st, const uint8_t *const *p, size_t nblocks)
{
    mv__md5_x16_avx2((uint32_t(*)[16])st, p, nblocks);
}

static const struct mv_digest_engine engine_avx2 = {
    "simd-avx2", "simd", MV__ENGINE_MULTI, probe_avx2, 8, 8, NULL, many_x8_avx2,
};

static const struct mv_digest_engine engine_avx2x2 = {
    "simd-avx2x2", "simd", MV__ENGINE_MULTI, probe_avx2, 16, 16, NULL, many_x16_avx2,
};
#endif

#ifndef MV_NO_AVX512
static int probe_avx512(void)
{
    return (mv_digest_cpu_features() & MV_CPU_AVX512F) != 0;
}

static void many_x16_avx512(uint32_t *st, const uint8_t *const *p, size_t nblocks)
{
    mv__md5_x16_avx512((uint32_t(*)[16])st, p, nblocks);
}

static const struct mv_digest_engine engine_avx512 = {
    "simd-avx512", "simd", MV__ENGINE_MULTI, probe_avx512, 16, 16, NULL, many_x16_avx512,
};
#endif

static const struct mv_digest_engine *const registry[] = {
    /* First: its probe fails unless the CUDA plugin loads and finds a device. */
    &mv__engine_cuda,
#ifndef MV_NO_AVX512
    &engine_avx512,
#endif
#ifndef MV_NO_AVX2
    &engine_avx2x2,     &engine_avx2,
#endif
    &mv__engine_scalar,
};

#define N_ENGINES (sizeof(registry) / sizeof(registry[0]))

/* Each engine is probed the first time it is asked about, and only then: a
   request for the scalar engine never initialises a GPU. */
enum { UNPROBED = 0, USABLE = 1, UNUSABLE = 2 };
static int probed[N_ENGINES];
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;

size_t mv__engine_count(void)
{
    return N_ENGINES;
}

const struct mv_digest_engine *mv__engine_at(size_t i)
{
    return i < N_ENGINES ? registry[i] : NULL;
}

int mv__engine_usable(size_t i)
{
    if (i >= N_ENGINES)
        return 0;
    pthread_mutex_lock(&probe_lock);
    if (probed[i] == UNPROBED)
        probed[i] = registry[i]->probe == NULL || registry[i]->probe() ? USABLE : UNUSABLE;
    int ok = probed[i] == USABLE;
    pthread_mutex_unlock(&probe_lock);
    return ok;
}

static const struct mv_digest_engine *pinned_engine(mv_status *st)
{
    const char *name = getenv("MEDIAVAULT_MD5_ENGINE");

    if (name == NULL || *name == '\0')
        return NULL;
    for (size_t i = 0; i < N_ENGINES; i++) {
        if (strcmp(registry[i]->name, name) == 0 && mv__engine_usable(i))
            return registry[i];
    }
    *st = MV_ENOTSUP;
    return NULL;
}

const struct mv_digest_engine *mv__engine_select(mv_digest_backend backend, mv_status *st)
{
    static const char *const names[] = { "auto", "scalar", "simd", "cuda" };
    const struct mv_digest_engine *e;

    *st = MV_OK;
    if ((unsigned)backend > MV_BACKEND_CUDA) {
        *st = MV_EINVAL;
        return NULL;
    }
    e = pinned_engine(st);
    if (e != NULL || *st != MV_OK)
        return e;
    for (size_t i = 0; i < N_ENGINES; i++) {
        if (backend != MV_BACKEND_AUTO && strcmp(registry[i]->backend, names[backend]) != 0)
            continue;
        if (mv__engine_usable(i))
            return registry[i];
    }
    *st = MV_ENOTSUP;
    return NULL;
}

const struct mv_digest_engine *mv__engine_cpu_best(void)
{
    for (size_t i = 0; i < N_ENGINES; i++) {
        if (!(registry[i]->caps & MV__ENGINE_GPU) && mv__engine_usable(i))
            return registry[i];
    }
    return &mv__engine_scalar;
}

mv_status mv__engine_env_backend(mv_digest_backend *out)
{
    const char *v = getenv("MEDIAVAULT_BACKEND");

    *out = MV_BACKEND_AUTO;
    if (v == NULL || *v == '\0')
        return MV_OK;
    return mv_digest_backend_parse(v, out);
}

static const char *engine_detail(const struct mv_digest_engine *e, int ok)
{
    if (e->caps & MV__ENGINE_GPU)
        return mv__md5_gpu_detail();
    if (!ok)
        return "CPU lacks the instructions";
    if (e->lanes == 16)
        return "16 lanes";
    if (e->lanes == 8)
        return "8 lanes";
    return "OpenSSL EVP";
}

mv_status mv_digest_engine_get(size_t index, mv_digest_engine_info *out)
{
    if (index >= N_ENGINES)
        return MV_EINVAL;
    const struct mv_digest_engine *e = registry[index];
    int ok = mv__engine_usable(index);
    out->name = e->name;
    out->backend = e->backend;
    out->available = ok;
    out->detail = engine_detail(e, ok);
    return MV_OK;
}

mv_status mv_digest_engine_choose(mv_digest_backend backend, const char **name)
{
    mv_status st;
    const struct mv_digest_engine *e = mv__engine_select(backend, &st);

    *name = e != NULL ? e->name : NULL;
    return st;
}

mv_status mv_digest_backend_parse(const char *name, mv_digest_backend *out)
{
    static const char *const names[] = { "auto", "scalar", "simd", "cuda" };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (mv_digest_backend)i;
            return MV_OK;
        }
    }
    return MV_EINVAL;
}
