/*
 * Reading a TIFF structure: the byte order, the first IFD, and one SHORT or
 * LONG tag in it.
 *
 * Two readers need this much and no more: the TIFF header check of
 * media_formats.c (the image size, before FFmpeg allocates anything) and EXIF
 * orientation (media_exif.c), whose APP1 segment carries a small TIFF
 * structure. It is a pure function of the bytes, so the library compiles it
 * in as well as the media plugin: EXIF orientation is read without a decoder.
 * Every offset is checked against the size before it is read.
 */
#include <string.h>

#include "media.h"

static uint32_t t16(const mv__tiff *t, size_t off)
{
    const uint8_t *p = t->d + off;
    return t->big ? (uint32_t)p[0] << 8 | p[1] : (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t t32(const mv__tiff *t, size_t off)
{
    return t->big ? t16(t, off) << 16 | t16(t, off + 2) : t16(t, off) | t16(t, off + 2) << 16;
}

int mv__tiff_open(mv__tiff *t, const uint8_t *d, size_t n)
{
    if (n < 8 || !((d[0] == 'I' && d[1] == 'I') || (d[0] == 'M' && d[1] == 'M')))
        return 0;
    t->d = d;
    t->n = n;
    t->big = d[0] == 'M';
    return t16(t, 2) == 42;
}

uint32_t mv__tiff_tag(const mv__tiff *t, uint32_t tag)
{
    const size_t ifd = t32(t, 4);
    if (ifd > t->n || t->n - ifd < 2)
        return 0;
    const size_t count = t16(t, ifd);
    for (size_t i = 0; i < count; i++) {
        const size_t e = ifd + 2 + 12 * i;
        if (e > t->n || t->n - e < 12)
            return 0;
        if (t16(t, e) != tag)
            continue;
        const uint32_t type = t16(t, e + 2);
        return type == 3 ? t16(t, e + 8) : type == 4 ? t32(t, e + 8) : 0;
    }
    return 0;
}
