/*
 * Allocation through replaceable hooks.
 *
 * Every allocation of the library comes here, so that an application can route
 * memory to its own allocator and tests can fail the Nth allocation. The hooks
 * are meant to be installed once, before anything else runs.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

static void *default_malloc(void *opaque, size_t size)
{
    (void)opaque;
    return malloc(size);
}

static void *default_realloc(void *opaque, void *ptr, size_t size)
{
    (void)opaque;
    return realloc(ptr, size);
}

static void default_free(void *opaque, void *ptr)
{
    (void)opaque;
    free(ptr);
}

static mv_allocator hooks = { default_malloc, default_realloc, default_free, NULL };

mv_status mv_set_allocator(const mv_allocator *alloc)
{
    static const mv_allocator defaults = { default_malloc, default_realloc, default_free, NULL };

    if (alloc == NULL) {
        hooks = defaults;
        return MV_OK;
    }
    if (alloc->malloc_fn == NULL || alloc->realloc_fn == NULL || alloc->free_fn == NULL)
        return MV_EINVAL;
    hooks = *alloc;
    return MV_OK;
}

void *mv__malloc(size_t size)
{
    return hooks.malloc_fn(hooks.opaque, size ? size : 1);
}

void *mv__calloc(size_t n, size_t size)
{
    if (size != 0 && n > (size_t)-1 / size)
        return NULL;
    void *p = mv__malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void *mv__realloc(void *ptr, size_t size)
{
    return hooks.realloc_fn(hooks.opaque, ptr, size ? size : 1);
}

void mv__free(void *ptr)
{
    if (ptr != NULL)
        hooks.free_fn(hooks.opaque, ptr);
}

void mv_free(void *ptr)
{
    mv__free(ptr);
}

char *mv__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = mv__malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}
