/*
 * `mediavault info`: what this build and this machine offer — version, CPU
 * features, MD5 engines and the one chosen, and the GPU — as text or JSON.
 */
#include <getopt.h>
#include <string.h>

#include "cli.h"

static const struct {
    unsigned bit;
    const char *name;
} cpu_names[] = {
    { MV_CPU_SSE41, "sse4.1" },
    { MV_CPU_AVX2, "avx2" },
    { MV_CPU_AVX512F, "avx512f" },
    { MV_CPU_SHANI, "sha-ni" },
};

#define N_CPU (sizeof(cpu_names) / sizeof(cpu_names[0]))

static void json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void print_text(const char *chosen, mv_status chosen_st, const mv_gpu_info *gpu)
{
    unsigned f = mv_digest_cpu_features();
    mv_digest_engine_info e;

    printf("mediavault %s\n", mv_version_string());
    printf("cpu:");
    for (size_t i = 0; i < N_CPU; i++)
        printf(" %s=%s", cpu_names[i].name, (f & cpu_names[i].bit) ? "yes" : "no");
    printf("\ndigest engines (md5, best first):\n");
    for (size_t i = 0; mv_digest_engine_get(i, &e) == MV_OK; i++)
        printf("  %-12s %-6s %s (%s)\n", e.name, e.backend,
               e.available ? "available" : "not available", e.detail);
    if (chosen_st == MV_OK)
        printf("digest engine chosen: %s\n", chosen);
    else
        printf("digest engine chosen: none (%s)\n", mv_strerror(chosen_st));
    if (gpu->available)
        printf("cuda: %s, %.1f GiB, compute capability %d.%d\n", gpu->name,
               (double)gpu->total_memory / (1024.0 * 1024 * 1024), gpu->cc_major, gpu->cc_minor);
    else
        printf("cuda: not available (%s)\n", gpu->reason);
    printf("cuda plugin: %s (%s)\n", gpu->plugin_loaded ? "loaded" : "not loaded", gpu->plugin);
    const char *media = NULL, *jpeg = NULL;
    const mv_status media_st = mv_media_load_kind(MV_MEDIA_KIND_MEDIA, &media);
    const mv_status jpeg_st = mv_media_load_kind(MV_MEDIA_KIND_JPEG, &jpeg);
    printf("media decoders: %s (%s)\n", media_st == MV_OK ? "loaded" : "not loaded", media);
    printf("JPEG decoder: %s (%s)\n", jpeg_st == MV_OK ? "loaded" : "not loaded", jpeg);
    /* HEIF is the media plugin's (libheif): its line follows that plugin only. */
    printf("heif images: %s\n", media_st != MV_OK        ? "not decoded (no media decoders)"
                                : mv_fp_heif_supported() ? "decoded (libheif)"
                                                         : "not decoded (built without libheif)");
}

/* One decoder plugin on its own: , "name": {"loaded": BOOL, "detail": "..."}. */
static void print_json_plugin(const char *name, mv_media_kind kind)
{
    const char *detail = NULL;
    const mv_status st = mv_media_load_kind(kind, &detail);

    printf(", \"%s\": {\"loaded\": %s, \"detail\": ", name, st == MV_OK ? "true" : "false");
    json_string(detail);
    putchar('}');
}

static void print_json(const char *chosen, const mv_gpu_info *gpu)
{
    unsigned f = mv_digest_cpu_features();
    mv_digest_engine_info e;

    printf("{\"version\": \"%s\", \"cpu\": {", mv_version_string());
    for (size_t i = 0; i < N_CPU; i++)
        printf("%s\"%s\": %s", i ? ", " : "", cpu_names[i].name,
               (f & cpu_names[i].bit) ? "true" : "false");
    printf("}, \"digest_engines\": [");
    for (size_t i = 0; mv_digest_engine_get(i, &e) == MV_OK; i++) {
        printf("%s{\"name\": \"%s\", \"backend\": \"%s\", \"available\": %s, \"detail\": ",
               i ? ", " : "", e.name, e.backend, e.available ? "true" : "false");
        json_string(e.detail); /* the GPU engine's detail is a driver message */
        putchar('}');
    }
    printf("], \"digest_engine\": ");
    if (chosen != NULL)
        json_string(chosen);
    else
        fputs("null", stdout);
    printf(", \"gpu\": {\"available\": %s", gpu->available ? "true" : "false");
    if (gpu->available) {
        printf(", \"name\": ");
        json_string(gpu->name);
        printf(", \"memory_bytes\": %llu, \"compute_capability\": \"%d.%d\"",
               (unsigned long long)gpu->total_memory, gpu->cc_major, gpu->cc_minor);
    } else {
        printf(", \"reason\": ");
        json_string(gpu->reason);
    }
    printf(", \"plugin_loaded\": %s, \"plugin\": ", gpu->plugin_loaded ? "true" : "false");
    json_string(gpu->plugin);
    putchar('}');
    print_json_plugin("media", MV_MEDIA_KIND_MEDIA);
    print_json_plugin("jpeg", MV_MEDIA_KIND_JPEG);
    printf(", \"heif\": %s}\n", mv_fp_heif_supported() ? "true" : "false");
}

int cli_info(struct cli_global *g, int argc, char **argv)
{
    static const struct option longs[] = {
        { "json", no_argument, NULL, 'J' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int json = 0, c;

    while ((c = getopt_long(argc, argv, "+h", longs, NULL)) != -1) {
        if (c == 'J') {
            json = 1;
        } else if (c == 'h') {
            puts("Usage: mediavault info [--json]\n"
                 "Show the version, CPU features, digest engines (and the one chosen) and GPU.");
            return CLI_EXIT_OK;
        } else {
            fputs("Try 'mediavault info --help' for more information.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        cli_warn("info: unexpected argument '%s'", argv[optind]);
        return CLI_EXIT_USAGE;
    }
    const char *chosen = NULL;
    mv_status st = mv_digest_engine_choose(g->backend, &chosen);
    mv_gpu_info gpu;
    mv_gpu_probe(&gpu);
    if (json)
        print_json(st == MV_OK ? chosen : NULL, &gpu);
    else
        print_text(chosen, st, &gpu);
    return CLI_EXIT_OK;
}
