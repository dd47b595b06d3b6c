/*
 * Whole reads from a file descriptor.
 *
 * Several modules read a file of known size into memory in one go (a photo to
 * decode, a text to fingerprint); an early end of file there means the file
 * shrank since it was sized, which callers report as a change.
 */
#include <errno.h>
#include <unistd.h>

#include "core.h"

mv_status mv__read_full(int fd, void *buf, size_t size)
{
    unsigned char *p = buf;
    size_t got = 0;

    while (got < size) {
        const ssize_t n = read(fd, p + got, size - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mv_status_from_errno(errno);
        if (n == 0)
            return MV_ECHANGED;
        got += (size_t)n;
    }
    return MV_OK;
}
