/*
 * Bounded formatting into a caller's buffer.
 *
 * Detail messages (a handle's error text, a loader's reason) have fixed-size
 * buffers; mv__fmt() always terminates and truncates rather than overflow.
 * It keeps no state, so the media plugin compiles this same file instead of
 * asking the library for it through its table.
 */
#include <stdarg.h>
#include <stdio.h>

#include "core.h"

void mv__fmt(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    if (size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}
