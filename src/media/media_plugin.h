/*
 * The ABI of the two decoder plugins, shared by the library (the host,
 * media_plugin_loader.c) and the plugins: mediavault-jpeg.so
 * (media_jpeg_entry.c) and mediavault-media.so (media_plugin_entry.c).
 *
 * Everything that needs libjpeg-turbo, FFmpeg, Chromaprint or libheif lives in
 * a plugin, so that a process that decodes nothing never maps those libraries.
 * The decoders are split in two because their costs are so unequal: JPEG, the
 * common photo, needs libjpeg-turbo alone (one shared object), while FFmpeg,
 * Chromaprint and libheif bring some 130 whose loading and initialisers cost
 * several times a JPEG's whole fingerprint. So the JPEG plugin holds the JPEG
 * decoder only, and the media plugin everything else: PNG, GIF, WebP, BMP,
 * TIFF, HEIF, audio and video. Each is loaded the first time a file of its
 * kind is decoded; a run over JPEGs and texts never loads the media plugin.
 * What needs no library stays in the host: sniffing the format and the grey
 * rule (media_image.c), EXIF orientation (media_exif.c), PDQ itself.
 *
 * Each plugin exports one symbol, its entry function. The host calls it with
 * the ABI version it was built with and a table of its own services
 * (allocator, logging), the same table for both; the plugin keeps that table
 * and answers with its own: the backends that media_image.c and the
 * fingerprint layer call. As for the CUDA plugin, the host accepts the answer
 * only when the ABI version is equal and the size covers every field it knows;
 * fields may be appended without a new version.
 *
 * Both sides are built from the same tree, so private types (mv__image, the
 * public option structs) and mv_status, whose values are pinned, may cross.
 * A plugin holds no state of the core: every allocation goes through the
 * host's mv__malloc (and so through mv_set_allocator()'s hooks), every message
 * through the host's log handler, errno through the host's translation
 * (media_plugin_services.c). Nothing is ever unloaded.
 */
#ifndef MV_MEDIA_PLUGIN_H
#define MV_MEDIA_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "media.h"
#include "mediavault/audio.h"
#include "mediavault/error.h"
#include "mediavault/log.h"
#include "mediavault/vpdq.h"

/* One version for the host's table and both plugins' tables. 2: the media
 * plugin offers backends (image_png, ...) instead of whole image decodes. */
#define MV_MEDIA_PLUGIN_ABI   2
#define MV_MEDIA_PLUGIN_FILE  "mediavault-media.so"
#define MV_MEDIA_PLUGIN_ENTRY "mv_media_plugin_entry"
#define MV_JPEG_PLUGIN_FILE   "mediavault-jpeg.so"
#define MV_JPEG_PLUGIN_ENTRY  "mv_jpeg_plugin_entry"

/* What the library lends a plugin; valid for the life of the process. */
struct mv_media_host {
    uint32_t abi;  /* MV_MEDIA_PLUGIN_ABI of the host */
    uint32_t size; /* sizeof(struct mv_media_host) in the host */
    void *(*malloc)(size_t size);
    void *(*calloc)(size_t n, size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);
    /* The host's mv__log(): a message already formatted, passed as "%s". */
    void (*log)(mv_log_level level, const char *fmt, ...);
    /* The one place errno becomes a status (mv_status_from_errno()). */
    mv_status (*status_from_errno)(int err);
    mv_status (*read_full)(int fd, void *buf, size_t size); /* mv__read_full() */
    size_t (*cpu_count)(void);                              /* mv__cpu_count() */
    int (*canceled)(void); /* mv__media_canceled(): mv_media_cancel() was called */
};

/* What the media plugin offers: the backends of every format but JPEG (same
 * contracts as in media.h), Chromaprint and vPDQ. */
struct mv_media_plugin {
    uint32_t abi;         /* MV_MEDIA_PLUGIN_ABI of the plugin */
    uint32_t size;        /* sizeof(struct mv_media_plugin) in the plugin */
    const char *decoders; /* what it decodes, for `mediavault info` */
    mv_status (*image_png)(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
    mv_status (*image_other)(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
    mv_status (*image_heif)(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out);
    int (*image_heif_supported)(void);
    mv_status (*audio_chromaprint_file_opts)(const char *path, const mv_audio_options *opts,
                                             char **fingerprint, double *duration, uint32_t **raw,
                                             size_t *raw_len);
    mv_status (*vpdq_file)(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame_fn fn,
                           void *arg, mv_vpdq_info *info);
    mv_status (*vpdq_file_frames)(const char *path, const mv_vpdq_options *opts,
                                  mv_vpdq_frame **frames, size_t *count, mv_vpdq_info *info);
};

/* What the JPEG plugin offers: the JPEG backend (mv__image_jpeg_rows()). */
struct mv_jpeg_plugin {
    uint32_t abi;         /* MV_MEDIA_PLUGIN_ABI of the plugin */
    uint32_t size;        /* sizeof(struct mv_jpeg_plugin) in the plugin */
    const char *decoders; /* what it decodes, for `mediavault info` */
    mv_status (*image_jpeg_rows)(const uint8_t *data, size_t size, size_t max_pixels, size_t rows,
                                 mv__image *out);
};

typedef const struct mv_media_plugin *(*mv_media_plugin_entry_fn)(uint32_t abi_version,
                                                                  const struct mv_media_host *host);
typedef const struct mv_jpeg_plugin *(*mv_jpeg_plugin_entry_fn)(uint32_t abi_version,
                                                                const struct mv_media_host *host);

/*
 * The plugins' only exports. Each keeps host (when its version and size suit
 * the plugin) and returns the plugin's table, or NULL when it cannot serve
 * that host.
 */
const struct mv_media_plugin *mv_media_plugin_entry(uint32_t abi_version,
                                                    const struct mv_media_host *host);
const struct mv_jpeg_plugin *mv_jpeg_plugin_entry(uint32_t abi_version,
                                                  const struct mv_media_host *host);

/* Plugin side (media_plugin_services.c): keeps host for the core services the
 * plugin's code calls; 0 (nothing kept) when host is not one it can use. */
int mv__media_host_keep(uint32_t abi_version, const struct mv_media_host *host);

/*
 * Host side: find, load and check a plugin once per process (next to
 * libmediavault.so, then in $MEDIAVAULT_PLUGIN_DIR; $MEDIAVAULT_MEDIA_PLUGIN or
 * $MEDIAVAULT_JPEG_PLUGIN, when set, names the file and nothing else is tried).
 * Each returns the table, or NULL with *detail (static, never NULL) saying why:
 * "media decoders unavailable: FILE: reason", "JPEG decoder unavailable: FILE:
 * reason". When loaded, *detail says "FILE: what it decodes".
 */
const struct mv_media_plugin *mv__media_plugin(const char **detail);
const struct mv_jpeg_plugin *mv__jpeg_plugin(const char **detail);

#endif
