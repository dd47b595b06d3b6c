/*
 * The core services a plugin's code calls (mv__malloc(), mv__log() and
 * friends), lent by the library that loaded it; compiled into both decoder
 * plugins, mediavault-jpeg.so and mediavault-media.so.
 *
 * The decoders are built from the same sources as the static library, and
 * those call the core's internal functions. Here each forwards to the host's
 * table, received once through mv__media_host_keep() from the plugin's entry
 * point, so a plugin has no allocator, log handler or other state of its own:
 * mv_set_allocator()'s hooks and the application's log handler see the
 * decoders' work as theirs, and errno is still translated in one place. Only
 * mv__strdup(), which needs nothing of the host's, is done locally.
 *
 * The host loads each plugin under pthread_once and calls its entry before
 * anything else, so `host` is written once before any decoder runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/core.h"
#include "media_plugin.h"

static const struct mv_media_host *host;

void *mv__malloc(size_t size)
{
    return host->malloc(size);
}

void *mv__calloc(size_t n, size_t size)
{
    return host->calloc(n, size);
}

void *mv__realloc(void *ptr, size_t size)
{
    return host->realloc(ptr, size);
}

void mv__free(void *ptr)
{
    host->free(ptr);
}

char *mv__strdup(const char *s)
{
    const size_t n = strlen(s) + 1;
    char *p = mv__malloc(n);

    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void mv__log(mv_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    host->log(level, "%s", msg);
}

mv_status mv_status_from_errno(int err)
{
    return host->status_from_errno(err);
}

mv_status mv__read_full(int fd, void *buf, size_t size)
{
    return host->read_full(fd, buf, size);
}

size_t mv__cpu_count(void)
{
    return host->cpu_count();
}

int mv__media_canceled(void)
{
    return host->canceled();
}

int mv__media_host_keep(uint32_t abi_version, const struct mv_media_host *h)
{
    if (abi_version != MV_MEDIA_PLUGIN_ABI || h == NULL || h->abi != MV_MEDIA_PLUGIN_ABI ||
        h->size < sizeof(*h) || h->malloc == NULL || h->calloc == NULL || h->realloc == NULL ||
        h->free == NULL || h->log == NULL || h->status_from_errno == NULL || h->read_full == NULL ||
        h->cpu_count == NULL || h->canceled == NULL)
        return 0;
    host = h;
    return 1;
}
