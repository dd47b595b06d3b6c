/**
 * Allocator hooks. Every allocation of the library goes through them.
 *
 * mv_set_allocator() may be called once before any other MediaVault call; tests
 * use it to fail the Nth allocation and check that MV_ENOMEM comes back without
 * a leak. The library never aborts when an allocation fails.
 */
#ifndef MEDIAVAULT_ALLOC_H
#define MEDIAVAULT_ALLOC_H

#include "mediavault/api.h"

#include <stddef.h>

#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A set of allocation functions; opaque is passed back to each of them. */
typedef struct mv_allocator {
    void *(*malloc_fn)(void *opaque, size_t size);
    void *(*realloc_fn)(void *opaque, void *ptr, size_t size);
    void (*free_fn)(void *opaque, void *ptr);
    void *opaque;
} mv_allocator;

/**
 * Installs allocation functions; NULL restores the C library's.
 * Params: alloc, copied; all three functions must be set.
 * Returns: MV_OK, or MV_EINVAL when a function is missing.
 */
MV_API mv_status mv_set_allocator(const mv_allocator *alloc);

/**
 * Releases memory that a MediaVault function returned to the caller.
 * Ownership: takes ptr; NULL is accepted.
 */
MV_API void mv_free(void *ptr);

#ifdef __cplusplus
}
#endif

#endif
