/*
 * The heap policy of the commands that decode images (fingerprint, scan
 * --fingerprint).
 *
 * Every image brings blocks of a few megabytes that live for one decode: the
 * 512x512 RGB sample, PDQ's two float planes (2 MB), libjpeg-turbo's buffers.
 * glibc serves blocks above its mmap threshold (128 KiB at first, then
 * adjusted, at most 32 MiB) with mmap() and gives them back with munmap(), and
 * trims the heap's top above twice that threshold, so the next image's blocks
 * are mapped and faulted in again, page by page: 16,178 page faults over 30
 * 1600x1004 photos. With blocks up to 32 MiB served from the heap and up to
 * 32 MiB of free heap kept, the same run takes 3,061 faults and 7-11% less CPU
 * (one job and two; bench/README.md, "pdq"), and the peak resident size over
 * 15-20 MP photos grows by 16% (113 to 131 MB). Larger blocks (a 100 MP
 * image) are still mapped and returned at once. The library leaves the
 * process's heap alone; this is the program's choice.
 */
#include <malloc.h>

#include "cli.h"

void cli_heap_for_decoding(void)
{
#if defined(__GLIBC__) && defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
    const int keep = 32 << 20;

    mallopt(M_MMAP_THRESHOLD, keep);
    mallopt(M_TRIM_THRESHOLD, keep);
#endif
}
