/*
 * Logging through the application's callback.
 *
 * The library never prints: messages are formatted into a bounded stack buffer
 * and handed to the installed callback, or dropped when there is none.
 */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>

#include "core.h"

static mv_log_fn log_fn;
static void *log_opaque;
static atomic_int log_max = MV_LOG_WARN;

void mv_log_set_handler(mv_log_fn fn, void *opaque, mv_log_level max_level)
{
    log_fn = fn;
    log_opaque = opaque;
    atomic_store(&log_max, (int)max_level);
}

void mv__log(mv_log_level level, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    if (log_fn == NULL || (int)level > atomic_load(&log_max))
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_fn(log_opaque, level, msg);
}
