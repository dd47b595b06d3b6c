/*
 * Private core services shared by every module: allocation through the hooks,
 * logging through the application's callback, and the thread pool.
 */
#ifndef MV_CORE_H
#define MV_CORE_H

#include <stddef.h>

#include "mediavault/alloc.h"
#include "mediavault/error.h"
#include "mediavault/log.h"

#if defined(__GNUC__)
#define MV_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define MV_PRINTF(fmt, args)
#endif

void *mv__malloc(size_t size);
void *mv__calloc(size_t n, size_t size);
void *mv__realloc(void *ptr, size_t size);
void mv__free(void *ptr);
char *mv__strdup(const char *s);

void mv__log(mv_log_level level, const char *fmt, ...) MV_PRINTF(2, 3);

/* Formats into buf (always NUL-terminated, truncated to size). */
void mv__fmt(char *buf, size_t size, const char *fmt, ...) MV_PRINTF(3, 4);

/*
 * A fixed set of worker threads taking tasks from a FIFO queue.
 * mv__pool_wait() blocks until every submitted task has run.
 */
typedef struct mv__pool mv__pool;
typedef void (*mv__task_fn)(void *arg);

mv_status mv__pool_new(size_t threads, mv__pool **out);
mv_status mv__pool_submit(mv__pool *pool, mv__task_fn fn, void *arg);
void mv__pool_wait(mv__pool *pool);
size_t mv__pool_size(const mv__pool *pool);
void mv__pool_free(mv__pool *pool);

/* Reads exactly size bytes; MV_ECHANGED when the file ends first (core_io.c). */
mv_status mv__read_full(int fd, void *buf, size_t size);

/* The directory libmediavault was loaded from, where its plugins live: 1 when
 * found, 0 otherwise (core_libdir.c). */
int mv__lib_dir(char *dir, size_t len);

/* Number of online CPUs, at least 1. */
size_t mv__cpu_count(void);

/* 1 once mv_media_cancel(1) asked the decodes in flight to stop (core_cancel.c;
 * in the media plugin, read through the host table). */
int mv__media_canceled(void);

#endif
