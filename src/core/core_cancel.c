/*
 * The process-wide stop of audio and video decoding (mv_media_cancel()): one
 * flag, read by the media layer's deadline checks (media_deadline.c) once per
 * packet and frame and by FFmpeg's interrupt callback, so that a program can
 * end the decodes in flight from a SIGINT handler. The flag is a lock-free
 * atomic: setting it is one store, safe in a signal handler. It lives in the
 * library, not in the media plugin: the plugin reads it through the host
 * table (media_plugin.h), the static library directly.
 */
#include <stdatomic.h>

#include "core.h"
#include "mediavault/media.h"

static atomic_int canceled;

void mv_media_cancel(int on)
{
    atomic_store(&canceled, on != 0);
}

int mv__media_canceled(void)
{
    return atomic_load_explicit(&canceled, memory_order_relaxed);
}
