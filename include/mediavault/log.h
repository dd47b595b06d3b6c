/**
 * Logging. The library never writes to stderr: it hands messages to a callback
 * that the application installs (none by default, so messages are dropped).
 */
#ifndef MEDIAVAULT_LOG_H
#define MEDIAVAULT_LOG_H

#include "mediavault/api.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mv_log_level {
    MV_LOG_ERROR = 0,
    MV_LOG_WARN = 1,
    MV_LOG_INFO = 2,
    MV_LOG_DEBUG = 3,
} mv_log_level;

/** Receives one formatted message without a trailing newline. */
typedef void (*mv_log_fn)(void *opaque, mv_log_level level, const char *message);

/**
 * Installs the log callback and the most verbose level passed to it.
 * Params: fn may be NULL to drop all messages; opaque is passed back to fn.
 * The callback may be called from any thread, so it must be thread-safe.
 */
MV_API void mv_log_set_handler(mv_log_fn fn, void *opaque, mv_log_level max_level);

#ifdef __cplusplus
}
#endif

#endif
