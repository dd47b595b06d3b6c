/*
 * Finding and loading the media plugin (mediavault-media.so), and the media
 * layer's entry points as the shared library sees them: each forwards to the
 * plugin's table.
 *
 * libmediavault.so does not link FFmpeg, libjpeg, Chromaprint or libheif:
 * together they bring some 130 shared libraries whose loading and initialisers
 * cost more than hashing a small file or querying the catalog. The decoders
 * live in a plugin opened with dlopen() the first time something is decoded
 * (pthread_once), as the CUDA plugin is (gpu_loader.c): next to the library
 * itself (dladdr), then in $MEDIAVAULT_PLUGIN_DIR. $MEDIAVAULT_MEDIA_PLUGIN,
 * when set, names the one file to load (tests, and installs that keep plugins
 * elsewhere). The host's allocator and logging go in at load time
 * (media_plugin.h), so the plugin holds no copy of the core's state.
 *
 * Unlike the CUDA plugin, there is no fallback: without the plugin nothing is
 * decoded. Every decoding call then fails with MV_ENOTSUP, the reason is
 * logged once at MV_LOG_ERROR, and mv_media_load() gives it to the program:
 * "media decoders unavailable: FILE: dlerror's reason". Sniffing (fp_sniff.c,
 * media_heif_sniff.c) and freeing pixels need no decoder and never load it.
 *
 * The static library links the decoders directly and has none of this
 * (media_linked.c).
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/core.h"
#include "media_plugin.h"
#include "mediavault/media.h"

#define PATH_LEN 4096

static const struct mv_media_host host = {
    .abi = MV_MEDIA_PLUGIN_ABI,
    .size = sizeof(struct mv_media_host),
    .malloc = mv__malloc,
    .calloc = mv__calloc,
    .realloc = mv__realloc,
    .free = mv__free,
    .log = mv__log,
    .status_from_errno = mv_status_from_errno,
    .read_full = mv__read_full,
    .cpu_count = mv__cpu_count,
    .canceled = mv__media_canceled,
};

static struct {
    const struct mv_media_plugin *table;
    char detail[PATH_LEN + 512]; /* what it decodes, or why it cannot */
} loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* Why the table is refused, or NULL when it is usable. */
static const char *check_table(const struct mv_media_plugin *t)
{
    if (t == NULL)
        return MV_MEDIA_PLUGIN_ENTRY "() refused this library (another ABI version?)";
    if (t->abi != MV_MEDIA_PLUGIN_ABI)
        return "plugin of another ABI version";
    if (t->size < sizeof(*t))
        return "plugin table smaller than this library needs";
    if (t->decoders == NULL || t->image_decode_mem == NULL || t->image_decode_mem_sampled == NULL ||
        t->image_decode_file == NULL || t->image_heif_supported == NULL ||
        t->audio_chromaprint_file_opts == NULL || t->vpdq_file == NULL ||
        t->vpdq_file_frames == NULL)
        return "plugin table lacks a function";
    return NULL;
}

/* Loads path; returns 1 when accepted. loaded.detail says what or why. */
static int open_plugin(const char *path)
{
    const struct mv_media_plugin *t = NULL;
    mv_media_plugin_entry_fn entry = NULL;
    const char *why = NULL;
    /* Lazy: binding every function of FFmpeg & co. up front costs ~10 ms per
     * process (docs/internals/media.md). */
    void *lib = dlopen(path, RTLD_LAZY | RTLD_LOCAL);

    if (lib == NULL) {
        why = dlerror();
        if (why == NULL)
            why = "dlopen failed";
        /* dlerror() starts with the path it was given; keep the reason only. */
        const size_t n = strlen(path);
        if (strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
            why += n + 2;
    } else {
        /* dlsym returns void *; POSIX guarantees the conversion to a function pointer. */
        *(void **)&entry = dlsym(lib, MV_MEDIA_PLUGIN_ENTRY);
        if (entry != NULL)
            t = entry(MV_MEDIA_PLUGIN_ABI, &host);
        why = entry == NULL ? "no " MV_MEDIA_PLUGIN_ENTRY " symbol" : check_table(t);
    }
    if (why == NULL) {
        loaded.table = t;
        mv__fmt(loaded.detail, sizeof(loaded.detail), "%s: %s", path, t->decoders);
        mv__log(MV_LOG_DEBUG, "media plugin %s loaded (ABI %d)", path, MV_MEDIA_PLUGIN_ABI);
        return 1;
    }
    mv__fmt(loaded.detail, sizeof(loaded.detail), "media decoders unavailable: %s: %s", path, why);
    return 0;
}

/* Tries dir/mediavault-media.so when it exists; 1 when accepted, *found set when it exists. */
static int try_dir(const char *dir, int *found)
{
    char path[PATH_LEN];

    mv__fmt(path, sizeof(path), "%s/%s", dir, MV_MEDIA_PLUGIN_FILE);
    if (access(path, F_OK) != 0)
        return 0;
    *found = 1;
    return open_plugin(path);
}

static void search(void)
{
    char libdir[PATH_LEN] = "";
    const char *envdir = getenv("MEDIAVAULT_PLUGIN_DIR");
    const int have_env = envdir != NULL && *envdir != '\0';
    int found = 0;

    if (mv__lib_dir(libdir, sizeof(libdir)) && try_dir(libdir, &found))
        return;
    if (have_env && try_dir(envdir, &found))
        return;
    if (!found)
        mv__fmt(loaded.detail, sizeof(loaded.detail),
                "media decoders unavailable: %s: not found in %s%s%s", MV_MEDIA_PLUGIN_FILE,
                libdir[0] ? libdir : "the library's directory",
                have_env ? " or " : " ($MEDIAVAULT_PLUGIN_DIR unset)", have_env ? envdir : "");
}

static void load_plugin(void)
{
    const char *file = getenv("MEDIAVAULT_MEDIA_PLUGIN");

    if (file != NULL && *file != '\0')
        open_plugin(file);
    else
        search();
    if (loaded.table == NULL)
        mv__log(MV_LOG_ERROR, "%s", loaded.detail);
}

const struct mv_media_plugin *mv__media_plugin(const char **detail)
{
    pthread_once(&load_once, load_plugin);
    if (detail != NULL)
        *detail = loaded.detail;
    return loaded.table;
}

mv_status mv_media_load(const char **detail)
{
    const struct mv_media_plugin *t = mv__media_plugin(detail);

    return t != NULL ? MV_OK : MV_ENOTSUP;
}

mv_status mv__image_decode_mem(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    return t != NULL ? t->image_decode_mem(data, size, max_pixels, out) : MV_ENOTSUP;
}

mv_status mv__image_decode_mem_sampled(const uint8_t *data, size_t size, size_t max_pixels,
                                       size_t rows, mv__image *out)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    return t != NULL ? t->image_decode_mem_sampled(data, size, max_pixels, rows, out) : MV_ENOTSUP;
}

mv_status mv__image_decode_file(const char *path, size_t max_pixels, mv__image *out)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (out != NULL)
        memset(out, 0, sizeof(*out));
    return t != NULL ? t->image_decode_file(path, max_pixels, out) : MV_ENOTSUP;
}

/* The pixels come from the host's allocator (lent to the plugin): no need to load it. */
void mv__image_free(mv__image *img)
{
    if (img == NULL)
        return;
    mv__free(img->pixels);
    memset(img, 0, sizeof(*img));
}

int mv__image_heif_supported(void)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL && t->image_heif_supported();
}

/* Called after a decode, so the plugin is there; without it, no turn. */
int mv__image_exif_orientation(const uint8_t *data, size_t size)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL ? t->image_exif_orientation(data, size) : 1;
}

mv_status mv__image_orient(mv__image *img, int o)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL ? t->image_orient(img, o) : MV_ENOTSUP;
}

mv_status mv_audio_chromaprint_file(const char *path, double length_s, int algorithm,
                                    char **fingerprint, double *duration, uint32_t **raw,
                                    size_t *raw_len)
{
    const mv_audio_options o = { .length_s = length_s, .algorithm = algorithm };

    return mv_audio_chromaprint_file_opts(path, &o, fingerprint, duration, raw, raw_len);
}

mv_status mv_audio_chromaprint_file_opts(const char *path, const mv_audio_options *opts,
                                         char **fingerprint, double *duration, uint32_t **raw,
                                         size_t *raw_len)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (t != NULL)
        return t->audio_chromaprint_file_opts(path, opts, fingerprint, duration, raw, raw_len);
    if (fingerprint != NULL)
        *fingerprint = NULL;
    if (duration != NULL)
        *duration = 0.0;
    if (raw != NULL)
        *raw = NULL;
    if (raw_len != NULL)
        *raw_len = 0;
    return MV_ENOTSUP;
}

mv_status mv_vpdq_file(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame_fn fn,
                       void *arg, mv_vpdq_info *info)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (t == NULL) {
        if (info != NULL)
            memset(info, 0, sizeof(*info));
        return MV_ENOTSUP;
    }
    return t->vpdq_file(path, opts, fn, arg, info);
}

mv_status mv_vpdq_file_frames(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame **frames,
                              size_t *count, mv_vpdq_info *info)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (t == NULL) {
        if (frames != NULL)
            *frames = NULL;
        if (count != NULL)
            *count = 0;
        if (info != NULL)
            memset(info, 0, sizeof(*info));
        return MV_ENOTSUP;
    }
    return t->vpdq_file_frames(path, opts, frames, count, info);
}
