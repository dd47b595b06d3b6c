/*
 * The directory the library itself was loaded from.
 *
 * The library's plugins (the CUDA engine, the media decoders) are installed
 * next to libmediavault.so, so their loaders look there first whatever the
 * program's working directory or the loader's search path. dladdr() on an
 * address inside this file names the object that holds it: libmediavault.so,
 * or the program itself when the library is linked statically.
 */
#include <dlfcn.h>
#include <string.h>

#include "core.h"

/* Any object of this file will do: its address lies inside the library. */
static const char anchor;

int mv__lib_dir(char *dir, size_t len)
{
    Dl_info info;

    if (dir == NULL || len == 0 || dladdr(&anchor, &info) == 0 || info.dli_fname == NULL)
        return 0;
    const char *slash = strrchr(info.dli_fname, '/');
    if (slash == NULL || (size_t)(slash - info.dli_fname) >= len)
        return 0;
    memcpy(dir, info.dli_fname, (size_t)(slash - info.dli_fname));
    dir[slash - info.dli_fname] = '\0';
    return 1;
}
