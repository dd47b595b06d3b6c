/*
 * fp_guard FILE...: fingerprints each FILE through the public API with an
 * allocator (mv_set_allocator()) that puts guard bytes after every block and
 * checks them when the block is freed or reallocated. It prints one line per
 * file ("OK FILE" or "ERROR FILE: message") and exits 1 when any guard was
 * overwritten or any file failed, 0 otherwise.
 *
 * A write past the end of a buffer the library allocated is caught even when
 * it comes from code that the sanitizers do not instrument (FFmpeg's swscale
 * in the media plugin), whose allocations come through the same hooks.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mediavault/mediavault.h"

/* Before each block: its size, padded so that the block keeps malloc's alignment. */
#define HEAD       32
#define GUARD      64
#define GUARD_BYTE 0xa5

static atomic_size_t damaged;

static void *guarded(void *raw, size_t size)
{
    uint8_t *base = raw;

    if (base == NULL)
        return NULL;
    memcpy(base, &size, sizeof(size));
    memset(base + HEAD + size, GUARD_BYTE, GUARD);
    return base + HEAD;
}

/* The allocation behind ptr, after checking its guard. */
static uint8_t *check(void *ptr)
{
    uint8_t *base = (uint8_t *)ptr - HEAD;
    size_t size;

    memcpy(&size, base, sizeof(size));
    for (size_t i = 0; i < GUARD; i++) {
        if (base[HEAD + size + i] != GUARD_BYTE) {
            fprintf(stderr, "fp_guard: block of %zu bytes overwritten %zu bytes after its end\n",
                    size, i);
            atomic_fetch_add(&damaged, 1);
            break;
        }
    }
    return base;
}

static void *g_malloc(void *opaque, size_t size)
{
    (void)opaque;
    return size > SIZE_MAX - HEAD - GUARD ? NULL : guarded(malloc(HEAD + size + GUARD), size);
}

static void g_free(void *opaque, void *ptr)
{
    (void)opaque;
    if (ptr != NULL)
        free(check(ptr));
}

static void *g_realloc(void *opaque, void *ptr, size_t size)
{
    if (ptr == NULL)
        return g_malloc(opaque, size);
    uint8_t *base = check(ptr);
    size_t old;

    memcpy(&old, base, sizeof(old));
    void *fresh = g_malloc(opaque, size);
    if (fresh != NULL) {
        memcpy(fresh, ptr, old < size ? old : size);
        free(base);
    }
    return fresh;
}

int main(int argc, char **argv)
{
    static const mv_allocator hooks = { g_malloc, g_realloc, g_free, NULL };
    mv_fp *fp = NULL;
    int failed = 0;

    if (mv_set_allocator(&hooks) != MV_OK || mv_fp_new(&fp) != MV_OK) {
        fputs("fp_guard: cannot set up\n", stderr);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        mv_fp_result r;
        const mv_status st = mv_fp_file(fp, argv[i], &r);
        if (st == MV_OK) {
            printf("OK %s\n", argv[i]);
        } else {
            printf("ERROR %s: %s\n", argv[i], mv_strerror(st));
            failed = 1;
        }
    }
    mv_fp_free(fp);
    if (atomic_load(&damaged) > 0)
        printf("DAMAGED %zu block(s)\n", atomic_load(&damaged));
    return failed || atomic_load(&damaged) > 0;
}
