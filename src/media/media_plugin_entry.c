/*
 * The entry point of the media plugin (mediavault-media.so), and the core
 * services its decoders use, lent by the library that loaded it.
 *
 * The plugin is built from the same media and fingerprint sources as the
 * static library (media_*.c, fp_chromaprint.c, fp_vpdq.c, fp_pdq.c). Those
 * call mv__malloc(), mv__log() and friends; here these forward to the host's
 * table, received once in mv_media_plugin_entry(), so the plugin has no
 * allocator, log handler or other state of its own: mv_set_allocator()'s hooks
 * and the application's log handler see the decoders' work as theirs, and errno
 * is still translated in one place. Only mv__fmt() and mv__strdup(), which need
 * nothing of the host's, are done locally, and media_heif_sniff.c and fp_pdq.c
 * (pure functions) are compiled in.
 *
 * The host loads the plugin under pthread_once and calls the entry before
 * anything else, so `host` is written once before any decoder runs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/core.h"
#include "media_plugin.h"

#if MV_HAVE_HEIF
#define DECODERS "images (JPEG, PNG, GIF, WebP, BMP, TIFF, HEIF), audio, video"
#else
#define DECODERS "images (JPEG, PNG, GIF, WebP, BMP, TIFF), audio, video"
#endif

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

static const struct mv_media_plugin table = {
    .abi = MV_MEDIA_PLUGIN_ABI,
    .size = sizeof(struct mv_media_plugin),
    .decoders = DECODERS,
    .image_decode_mem = mv__image_decode_mem,
    .image_decode_mem_sampled = mv__image_decode_mem_sampled,
    .image_decode_file = mv__image_decode_file,
    .image_heif_supported = mv__image_heif_supported,
    .image_exif_orientation = mv__image_exif_orientation,
    .image_orient = mv__image_orient,
    .audio_chromaprint_file_opts = mv_audio_chromaprint_file_opts,
    .vpdq_file = mv_vpdq_file,
    .vpdq_file_frames = mv_vpdq_file_frames,
};

/* The only exported symbol (media_plugin.map). */
__attribute__((visibility("default"))) const struct mv_media_plugin *
mv_media_plugin_entry(uint32_t abi_version, const struct mv_media_host *h)
{
    if (abi_version != MV_MEDIA_PLUGIN_ABI || h == NULL || h->abi != MV_MEDIA_PLUGIN_ABI ||
        h->size < sizeof(*h) || h->malloc == NULL || h->calloc == NULL || h->realloc == NULL ||
        h->free == NULL || h->log == NULL || h->status_from_errno == NULL || h->read_full == NULL ||
        h->cpu_count == NULL || h->canceled == NULL)
        return NULL;
    host = h;
    return &table;
}
