/*
 * The one table from library statuses to exit statuses, and the program's
 * error printing. Per-input failures are exit 1 (the rest was done); usage
 * errors 2; the catalog or the system failing is 3.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

#include "cli.h"

const char *cli_media_missing(mv_media_kind kind)
{
    const char *detail = NULL;

    return mv_media_load_kind(kind, &detail) == MV_OK ? NULL : detail;
}

int cli_exit_for(mv_status st)
{
    switch (st) {
    case MV_OK:
        return CLI_EXIT_OK;
    case MV_EINVAL:
    case MV_ENOTSUP:
        return CLI_EXIT_USAGE;
    case MV_ENOMEM:
    case MV_ESYSTEM:
    case MV_ECORRUPT:
    case MV_EBUSY:
        return CLI_EXIT_SYSTEM;
    case MV_ETIMEDOUT: /* one input took too long (MEDIAVAULT_TIMEOUT); the others go on */
        return CLI_EXIT_SOME_FAILED;
    default:
        return CLI_EXIT_SOME_FAILED;
    }
}

void cli_error(const char *path, const char *fmt, ...)
{
    va_list ap;

    cli_progress_hold();
    fputs("mediavault: ", stderr);
    cli_print_quoted(stderr, path);
    fputs(": ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_progress_release();
}

void cli_warn(const char *fmt, ...)
{
    va_list ap;

    cli_progress_hold();
    fputs("mediavault: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    cli_progress_release();
}

int cli_parse_long(const char *opt, const char *text, long min, long max, long *out)
{
    char *end;

    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        cli_warn("invalid value '%s' for %s (expected %ld..%ld)", text, opt, min, max);
        return 0;
    }
    *out = v;
    return 1;
}

int cli_parse_jobs(struct cli_global *g, const char *text)
{
    return cli_parse_long("--jobs", text, 1, 4096, &g->jobs);
}

int cli_parse_backend(struct cli_global *g, const char *text)
{
    if (mv_digest_backend_parse(text, &g->backend) == MV_OK)
        return 1;
    cli_warn("unknown backend '%s' (auto, scalar, simd, cuda)", text);
    return 0;
}

int cli_backend_usable(const struct cli_global *g)
{
    static const char *const names[] = { "auto", "scalar", "simd", "cuda" };
    const char *engine, *pinned = getenv("MEDIAVAULT_MD5_ENGINE");
    mv_gpu_info gpu;

    if (mv_digest_engine_choose(g->backend, &engine) == MV_OK)
        return 1;
    if (pinned != NULL && *pinned != '\0') {
        cli_warn("MEDIAVAULT_MD5_ENGINE=%s: no such engine usable here (see 'mediavault info')",
                 pinned);
    } else if (g->backend == MV_BACKEND_CUDA) {
        mv_gpu_probe(&gpu);
        cli_warn("backend cuda: not available (%s)",
                 gpu.available ? "the plugin could not be loaded" : gpu.reason);
    } else {
        cli_warn("backend %s: not available on this CPU (see 'mediavault info')",
                 names[g->backend]);
    }
    return 0;
}
