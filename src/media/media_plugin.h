/*
 * The media plugin ABI, shared by the library (the host, media_plugin_loader.c)
 * and the plugin mediavault-media.so (media_plugin_entry.c).
 *
 * Everything that needs FFmpeg, libjpeg, Chromaprint or libheif lives in the
 * plugin, so that a process that decodes nothing never maps those libraries.
 * The plugin exports one symbol, mv_media_plugin_entry(). The host calls it with
 * the ABI version it was built with and a table of its own services (allocator,
 * logging); the plugin keeps that table and answers with its own: the decoding
 * entry points the fingerprint layer calls. As for the CUDA plugin, the host
 * accepts the answer only when the ABI version is equal and the size covers
 * every field it knows; fields may be appended without a new version.
 *
 * Both sides are built from the same tree, so private types (mv__image, the
 * public option structs) and mv_status, whose values are pinned, may cross.
 * The plugin holds no state of the core: every allocation goes through the
 * host's mv__malloc (and so through mv_set_allocator()'s hooks), every message
 * through the host's log handler, errno through the host's translation. Nothing is ever unloaded.
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

#define MV_MEDIA_PLUGIN_ABI   1
#define MV_MEDIA_PLUGIN_FILE  "mediavault-media.so"
#define MV_MEDIA_PLUGIN_ENTRY "mv_media_plugin_entry"

/* What the library lends the plugin; valid for the life of the process. */
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

/* What the plugin offers: the media layer's entry points, same contracts. */
struct mv_media_plugin {
    uint32_t abi;         /* MV_MEDIA_PLUGIN_ABI of the plugin */
    uint32_t size;        /* sizeof(struct mv_media_plugin) in the plugin */
    const char *decoders; /* what it decodes, for `mediavault info` */
    mv_status (*image_decode_mem)(const uint8_t *data, size_t size, size_t max_pixels,
                                  mv__image *out);
    mv_status (*image_decode_mem_sampled)(const uint8_t *data, size_t size, size_t max_pixels,
                                          size_t rows, mv__image *out);
    mv_status (*image_decode_file)(const char *path, size_t max_pixels, mv__image *out);
    int (*image_heif_supported)(void);
    int (*image_exif_orientation)(const uint8_t *data, size_t size);
    mv_status (*image_orient)(mv__image *img, int o);
    mv_status (*audio_chromaprint_file_opts)(const char *path, const mv_audio_options *opts,
                                             char **fingerprint, double *duration, uint32_t **raw,
                                             size_t *raw_len);
    mv_status (*vpdq_file)(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame_fn fn,
                           void *arg, mv_vpdq_info *info);
    mv_status (*vpdq_file_frames)(const char *path, const mv_vpdq_options *opts,
                                  mv_vpdq_frame **frames, size_t *count, mv_vpdq_info *info);
};

typedef const struct mv_media_plugin *(*mv_media_plugin_entry_fn)(uint32_t abi_version,
                                                                  const struct mv_media_host *host);

/*
 * The plugin's only export. Keeps host (when its version and size suit the
 * plugin) and returns the plugin's table, or NULL when it cannot serve that host.
 */
const struct mv_media_plugin *mv_media_plugin_entry(uint32_t abi_version,
                                                    const struct mv_media_host *host);

/*
 * Host side: finds, loads and checks the plugin once per process (next to
 * libmediavault.so, then in $MEDIAVAULT_PLUGIN_DIR; $MEDIAVAULT_MEDIA_PLUGIN,
 * when set, names the file and nothing else is tried). Returns the table, or
 * NULL with *detail (static, never NULL) saying why: "media decoders
 * unavailable: FILE: reason".
 */
const struct mv_media_plugin *mv__media_plugin(const char **detail);

#endif
