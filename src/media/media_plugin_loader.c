/*
 * Finding and loading the two decoder plugins, mediavault-jpeg.so and
 * mediavault-media.so (media_plugin.h says why there are two and what each
 * holds), mv_media_load_kind() and mv_media_load().
 *
 * libmediavault.so links none of libjpeg-turbo, FFmpeg, Chromaprint or
 * libheif. Each plugin is opened with dlopen() the first time a call needs it
 * (pthread_once per plugin), as the CUDA plugin is (gpu_loader.c): next to the
 * library itself (dladdr), then in $MEDIAVAULT_PLUGIN_DIR. An environment
 * variable per plugin, $MEDIAVAULT_JPEG_PLUGIN and $MEDIAVAULT_MEDIA_PLUGIN,
 * when set, names the one file to load (tests, and installs that keep plugins
 * elsewhere). The host's allocator and logging go in at load time, so a plugin
 * holds no copy of the core's state. The calls that use the tables are
 * media_plugin_calls.c.
 *
 * Unlike the CUDA plugin, there is no fallback: without a plugin, what it
 * decodes is not decoded. Each of those calls then fails with MV_ENOTSUP, the
 * reason is logged once at MV_LOG_ERROR, and mv_media_load_kind() gives it to
 * the program for the one plugin an input needed, loading only that one:
 * "media decoders unavailable: FILE: dlerror's reason", or "JPEG decoder
 * unavailable: ..." for the JPEG plugin. Sniffing, the grey rule, EXIF
 * orientation and freeing pixels need no decoder and never load either.
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

#define PATH_LEN   4096
#define DETAIL_LEN (PATH_LEN + 512)

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

/* One plugin: how to find it, and what loading it gave. */
struct plugin {
    const char *file;  /* its name, looked for beside the library and in the plugin dir */
    const char *env;   /* the variable that names its file instead */
    const char *entry; /* its entry symbol */
    const char *what;  /* "media decoders", "JPEG decoder": the start of an error */
    int bind;          /* RTLD_LAZY or RTLD_NOW (open_plugin() says why each) */
    /* Calls the entry found at sym; returns why its answer is refused, or NULL
     * with *table and *decoders set. */
    const char *(*accept)(void *sym, const void **table, const char **decoders);
    const void *table;
    char detail[DETAIL_LEN]; /* "FILE: what it decodes", or why it cannot */
};

/* Why a table whose header says abi and size is refused when this library
 * needs need bytes of it, or NULL. */
static const char *check_header(uint32_t abi, uint32_t size, size_t need)
{
    if (abi != MV_MEDIA_PLUGIN_ABI)
        return "plugin of another ABI version";
    if (size < need)
        return "plugin table smaller than this library needs";
    return NULL;
}

/* Why the media plugin's table t is refused, or NULL when it is usable. */
static const char *check_media(const struct mv_media_plugin *t)
{
    if (t == NULL)
        return MV_MEDIA_PLUGIN_ENTRY "() refused this library (another ABI version?)";
    const char *why = check_header(t->abi, t->size, sizeof(*t));
    if (why != NULL)
        return why;
    if (t->decoders == NULL || t->image_png == NULL || t->image_other == NULL ||
        t->image_heif == NULL || t->image_heif_supported == NULL ||
        t->audio_chromaprint_file_opts == NULL || t->vpdq_file == NULL ||
        t->vpdq_file_frames == NULL)
        return "plugin table lacks a function";
    return NULL;
}

static const char *accept_media(void *sym, const void **table, const char **decoders)
{
    mv_media_plugin_entry_fn entry;
    /* dlsym returns void *; POSIX guarantees the conversion to a function pointer. */
    *(void **)&entry = sym;
    const struct mv_media_plugin *t = entry(MV_MEDIA_PLUGIN_ABI, &host);
    const char *why = check_media(t);

    if (why == NULL) {
        *table = t;
        *decoders = t->decoders;
    }
    return why;
}

/* Why the JPEG plugin's table t is refused, or NULL when it is usable. */
static const char *check_jpeg(const struct mv_jpeg_plugin *t)
{
    if (t == NULL)
        return MV_JPEG_PLUGIN_ENTRY "() refused this library (another ABI version?)";
    const char *why = check_header(t->abi, t->size, sizeof(*t));
    if (why != NULL)
        return why;
    if (t->decoders == NULL || t->image_jpeg_rows == NULL)
        return "plugin table lacks a function";
    return NULL;
}

static const char *accept_jpeg(void *sym, const void **table, const char **decoders)
{
    mv_jpeg_plugin_entry_fn entry;
    *(void **)&entry = sym;
    const struct mv_jpeg_plugin *t = entry(MV_MEDIA_PLUGIN_ABI, &host);
    const char *why = check_jpeg(t);

    if (why == NULL) {
        *table = t;
        *decoders = t->decoders;
    }
    return why;
}

static struct plugin media = {
    .file = MV_MEDIA_PLUGIN_FILE,
    .env = "MEDIAVAULT_MEDIA_PLUGIN",
    .entry = MV_MEDIA_PLUGIN_ENTRY,
    .what = "media decoders",
    .bind = RTLD_LAZY,
    .accept = accept_media,
};
static struct plugin jpeg = {
    .file = MV_JPEG_PLUGIN_FILE,
    .env = "MEDIAVAULT_JPEG_PLUGIN",
    .entry = MV_JPEG_PLUGIN_ENTRY,
    .what = "JPEG decoder",
    .bind = RTLD_NOW,
    .accept = accept_jpeg,
};
static pthread_once_t media_once = PTHREAD_ONCE_INIT, jpeg_once = PTHREAD_ONCE_INIT;

/* dlerror()'s reason for path, without the path it starts with. */
static const char *dlopen_reason(const char *path)
{
    const char *why = dlerror();

    if (why == NULL)
        return "dlopen failed";
    const size_t n = strlen(path);
    if (strncmp(why, path, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
        why += n + 2;
    return why;
}

/* Loads path as p; returns 1 when accepted. p->detail says what or why. */
static int open_plugin(struct plugin *p, const char *path)
{
    const void *table = NULL;
    const char *why, *decoders = NULL;
    char no_symbol[128];
    /* The media plugin binds lazily: binding every function of FFmpeg & co. up
     * front costs ~10 ms per process (docs/internals/media.md). The JPEG
     * plugin binds now, which costs little for one libjpeg, so that a libjpeg
     * lacking a function the plugin calls is refused here, with the reason,
     * instead of ending the process at the first JPEG that calls it. */
    void *lib = dlopen(path, p->bind | RTLD_LOCAL);
    void *sym = lib != NULL ? dlsym(lib, p->entry) : NULL;

    mv__fmt(no_symbol, sizeof(no_symbol), "no %s symbol", p->entry);
    if (lib == NULL)
        why = dlopen_reason(path);
    else
        why = sym != NULL ? p->accept(sym, &table, &decoders) : no_symbol;
    if (why == NULL) {
        p->table = table;
        mv__fmt(p->detail, sizeof(p->detail), "%s: %s", path, decoders);
        mv__log(MV_LOG_DEBUG, "plugin %s loaded (ABI %d)", path, MV_MEDIA_PLUGIN_ABI);
        return 1;
    }
    mv__fmt(p->detail, sizeof(p->detail), "%s unavailable: %s: %s", p->what, path, why);
    return 0;
}

/* Tries dir/FILE when it exists; 1 when accepted, *found set when it exists. */
static int try_dir(struct plugin *p, const char *dir, int *found)
{
    char path[PATH_LEN];

    mv__fmt(path, sizeof(path), "%s/%s", dir, p->file);
    if (access(path, F_OK) != 0)
        return 0;
    *found = 1;
    return open_plugin(p, path);
}

static void search(struct plugin *p)
{
    char libdir[PATH_LEN] = "";
    const char *envdir = getenv("MEDIAVAULT_PLUGIN_DIR");
    const int have_env = envdir != NULL && *envdir != '\0';
    int found = 0;

    if (mv__lib_dir(libdir, sizeof(libdir)) && try_dir(p, libdir, &found))
        return;
    if (have_env && try_dir(p, envdir, &found))
        return;
    if (!found)
        mv__fmt(p->detail, sizeof(p->detail), "%s unavailable: %s: not found in %s%s%s", p->what,
                p->file, libdir[0] ? libdir : "the library's directory",
                have_env ? " or " : " ($MEDIAVAULT_PLUGIN_DIR unset)", have_env ? envdir : "");
}

static void load(struct plugin *p)
{
    const char *file = getenv(p->env);

    if (file != NULL && *file != '\0')
        open_plugin(p, file);
    else
        search(p);
    if (p->table == NULL)
        mv__log(MV_LOG_ERROR, "%s", p->detail);
}

static void load_media(void)
{
    load(&media);
}

static void load_jpeg(void)
{
    load(&jpeg);
}

const struct mv_media_plugin *mv__media_plugin(const char **detail)
{
    pthread_once(&media_once, load_media);
    if (detail != NULL)
        *detail = media.detail;
    return media.table;
}

const struct mv_jpeg_plugin *mv__jpeg_plugin(const char **detail)
{
    pthread_once(&jpeg_once, load_jpeg);
    if (detail != NULL)
        *detail = jpeg.detail;
    return jpeg.table;
}

static char both[2 * DETAIL_LEN + 2];
static pthread_once_t both_once = PTHREAD_ONCE_INIT;

/* What both plugins decode, or why those that cannot be used cannot: the media
 * plugin first, as it decodes the most. */
static void describe_both(void)
{
    const char *m, *j;
    const int m_ok = mv__media_plugin(&m) != NULL, j_ok = mv__jpeg_plugin(&j) != NULL;

    if (m_ok == j_ok)
        mv__fmt(both, sizeof(both), "%s; %s", m, j);
    else
        mv__fmt(both, sizeof(both), "%s", m_ok ? j : m);
}

mv_status mv_media_load_kind(mv_media_kind kind, const char **detail)
{
    const char *d = "unknown decoder plugin kind";
    mv_status st = MV_EINVAL;

    if (kind == MV_MEDIA_KIND_MEDIA)
        st = mv__media_plugin(&d) != NULL ? MV_OK : MV_ENOTSUP;
    else if (kind == MV_MEDIA_KIND_JPEG)
        st = mv__jpeg_plugin(&d) != NULL ? MV_OK : MV_ENOTSUP;
    if (detail != NULL)
        *detail = d;
    return st;
}

mv_status mv_media_load(const char **detail)
{
    pthread_once(&both_once, describe_both);
    if (detail != NULL)
        *detail = both;
    return mv__media_plugin(NULL) != NULL && mv__jpeg_plugin(NULL) != NULL ? MV_OK : MV_ENOTSUP;
}
