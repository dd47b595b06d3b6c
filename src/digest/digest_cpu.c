/*
 * CPU feature probe: the only place that asks the processor what it can do.
 *
 * cpuid says what the silicon has; xgetbv says whether the OS saves the wider
 * registers, without which AVX code would crash. The probe runs once.
 */
#include <pthread.h>

#include "engine.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void)
{
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static unsigned probe_x86(void)
{
    unsigned a, b, c, d, feats = 0;

    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    if (c & bit_SSE4_1)
        feats |= MV_CPU_SSE41;
    int osxsave = (c & bit_OSXSAVE) != 0;
    unsigned long long xcr0 = osxsave ? xgetbv0() : 0;
    int ymm_ok = (xcr0 & 0x6) == 0x6;   /* SSE and AVX state */
    int zmm_ok = (xcr0 & 0xe6) == 0xe6; /* plus opmask and upper ZMM state */
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return feats;
    if ((b & bit_AVX2) && ymm_ok)
        feats |= MV_CPU_AVX2;
    if ((b & bit_AVX512F) && zmm_ok)
        feats |= MV_CPU_AVX512F;
    if (b & bit_SHA)
        feats |= MV_CPU_SHANI;
    return feats;
}
#else
static unsigned probe_x86(void)
{
    return 0;
}
#endif

static unsigned features;
static pthread_once_t features_once = PTHREAD_ONCE_INIT;

static void probe_once(void)
{
    features = probe_x86();
}

unsigned mv_digest_cpu_features(void)
{
    pthread_once(&features_once, probe_once);
    return features;
}
