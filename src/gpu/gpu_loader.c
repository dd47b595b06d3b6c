/*
 * Finding, loading and checking the CUDA plugin (mediavault-cuda.so).
 *
 * The library never links to CUDA: GPU work lives in a plugin that is opened
 * with dlopen() the first time something asks for it (pthread_once), and whatever
 * goes wrong becomes a reason string, never a failure. The plugin is looked for
 * next to libmediavault.so itself (found with dladdr() on a variable of this
 * file, so an installed library finds its installed plugin whatever the
 * program's search path), then in $MEDIAVAULT_PLUGIN_DIR. A file that cannot be
 * opened, lacks the entry symbol or offers a table of another ABI version or
 * of a smaller size is refused with a warning in the log, and the next place
 * is tried; with none accepted, the digest module stays on the CPU.
 *
 * Nothing is ever unloaded: the plugin carries a CUDA runtime whose teardown
 * at dlclose() is not something to rely on, and the table must stay valid.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/core.h"
#include "gpu_plugin.h"

#define PATH_LEN 4096

static struct {
    const struct mv_gpu_plugin *table;
    char path[PATH_LEN]; /* the file loaded, or the last one refused */
    char reason[768];
} loaded;
static pthread_once_t load_once = PTHREAD_ONCE_INIT;

/* The table's first two fields are the same in every ABI version, so they are read first. */
static int check_table(const struct mv_gpu_plugin *t, char *reason, size_t len)
{
    if (t == NULL) {
        mv__fmt(reason, len, "%s() returned no table for ABI %d", MV_GPU_PLUGIN_ENTRY,
                MV_GPU_PLUGIN_ABI);
        return 0;
    }
    if (t->abi != MV_GPU_PLUGIN_ABI) {
        mv__fmt(reason, len, "plugin ABI %u, this library needs ABI %d", (unsigned)t->abi,
                MV_GPU_PLUGIN_ABI);
        return 0;
    }
    if (t->size < sizeof(*t)) {
        mv__fmt(reason, len, "plugin table of %u bytes, this library needs at least %zu",
                (unsigned)t->size, sizeof(*t));
        return 0;
    }
    if (t->device_query == NULL || t->md5_buffers == NULL || t->shutdown == NULL) {
        mv__fmt(reason, len, "plugin table lacks a function");
        return 0;
    }
    return 1;
}

const struct mv_gpu_plugin *mv__gpu_plugin_open(const char *path, char *reason, size_t len)
{
    const struct mv_gpu_plugin *t = NULL;
    mv_gpu_plugin_entry_fn entry = NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);

    if (lib == NULL) {
        const char *e = dlerror();
        mv__fmt(reason, len, "dlopen failed: %s", e != NULL ? e : "unknown error");
    } else {
        /* dlsym returns void *; POSIX guarantees the conversion to a function pointer. */
        *(void **)&entry = dlsym(lib, MV_GPU_PLUGIN_ENTRY);
        if (entry == NULL)
            mv__fmt(reason, len, "no %s symbol", MV_GPU_PLUGIN_ENTRY);
        else
            t = entry(MV_GPU_PLUGIN_ABI);
        if (entry != NULL && !check_table(t, reason, len))
            t = NULL;
    }
    if (t == NULL)
        mv__log(MV_LOG_WARN, "cuda plugin %s refused: %s; hashing on the CPU", path, reason);
    else
        mv__log(MV_LOG_DEBUG, "cuda plugin %s loaded (ABI %d)", path, MV_GPU_PLUGIN_ABI);
    return t;
}

/* Tries dir/mediavault-cuda.so when it exists; returns 1 when it was accepted. */
static int try_dir(const char *dir, int *found)
{
    char path[PATH_LEN];

    mv__fmt(path, sizeof(path), "%s/%s", dir, MV_GPU_PLUGIN_FILE);
    if (access(path, F_OK) != 0)
        return 0;
    *found = 1;
    memcpy(loaded.path, path, sizeof(path));
    loaded.table = mv__gpu_plugin_open(loaded.path, loaded.reason, sizeof(loaded.reason));
    return loaded.table != NULL;
}

static void load_plugin(void)
{
    char libdir[PATH_LEN] = "";
    const char *envdir = getenv("MEDIAVAULT_PLUGIN_DIR");
    int found = 0;

    if (mv__lib_dir(libdir, sizeof(libdir)) && try_dir(libdir, &found))
        return;
    if (envdir != NULL && *envdir != '\0' && try_dir(envdir, &found))
        return;
    if (found)
        return; /* loaded.path and loaded.reason name the last refusal */
    loaded.path[0] = '\0';
    mv__fmt(loaded.reason, sizeof(loaded.reason), "%s not found in %s%s%s", MV_GPU_PLUGIN_FILE,
            libdir[0] ? libdir : "the library's directory",
            envdir != NULL && *envdir != '\0' ? " or " : " ($MEDIAVAULT_PLUGIN_DIR unset)",
            envdir != NULL && *envdir != '\0' ? envdir : "");
    mv__log(MV_LOG_DEBUG, "%s", loaded.reason);
}

const struct mv_gpu_plugin *mv__gpu_plugin(const char **reason, const char **path)
{
    pthread_once(&load_once, load_plugin);
    if (reason != NULL)
        *reason = loaded.reason;
    if (path != NULL)
        *path = loaded.path;
    return loaded.table;
}
