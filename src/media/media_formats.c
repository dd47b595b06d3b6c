/*
 * The still-image formats beyond JPEG and PNG (GIF, WebP, BMP, TIFF), and EXIF
 * orientation.
 *
 * Each format is recognised by its magic bytes and its size is read from its
 * own header, so that a decompression bomb is refused before FFmpeg allocates
 * anything; then the whole file goes to FFmpeg's decoder as one packet
 * (mv__image_ffmpeg), which is what FFmpeg's image2 demuxer does too. A GIF
 * gives its first frame. The header readers look at a handful of fixed
 * offsets and check every offset against the size first.
 *
 * EXIF orientation is read from a JPEG's APP1 "Exif" segment (a small TIFF
 * structure) and applied to decoded pixels only on request: the PDQ reference
 * ignores it, so the default hashes match the reference.
 */
#include <string.h>

#include <libavcodec/codec_id.h>

#include "../core/core.h"
#include "media.h"

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le24(const uint8_t *p)
{
    return le16(p) | (uint32_t)p[2] << 16;
}

static uint32_t le32(const uint8_t *p)
{
    return le24(p) | (uint32_t)p[3] << 24;
}

static mv_status check_size(uint64_t w, uint64_t h, size_t max_pixels)
{
    if (w == 0 || h == 0)
        return MV_ECORRUPT;
    return w > max_pixels / h ? MV_ETOOBIG : MV_OK;
}

static mv_status gif_header(const uint8_t *d, size_t n, size_t max_pixels)
{
    return n < 13 ? MV_ECORRUPT : check_size(le16(d + 6), le16(d + 8), max_pixels);
}

static mv_status webp_header(const uint8_t *d, size_t n, size_t max_pixels)
{
    if (n < 30)
        return MV_ECORRUPT;
    if (memcmp(d + 12, "VP8 ", 4) == 0) {
        if (d[23] != 0x9d || d[24] != 0x01 || d[25] != 0x2a)
            return MV_ECORRUPT;
        return check_size(le16(d + 26) & 0x3fff, le16(d + 28) & 0x3fff, max_pixels);
    }
    if (memcmp(d + 12, "VP8L", 4) == 0) {
        if (d[20] != 0x2f)
            return MV_ECORRUPT;
        const uint32_t bits = le32(d + 21);
        return check_size((bits & 0x3fff) + 1, (bits >> 14 & 0x3fff) + 1, max_pixels);
    }
    if (memcmp(d + 12, "VP8X", 4) == 0)
        return check_size((uint64_t)le24(d + 24) + 1, (uint64_t)le24(d + 27) + 1, max_pixels);
    return MV_ECORRUPT;
}

static mv_status bmp_header(const uint8_t *d, size_t n, size_t max_pixels)
{
    if (n < 26)
        return MV_ECORRUPT;
    if (le32(d + 14) == 12) /* OS/2 BITMAPCOREHEADER: 16-bit sizes */
        return check_size(le16(d + 18), le16(d + 20), max_pixels);
    const int32_t w = (int32_t)le32(d + 18), h = (int32_t)le32(d + 22);
    if (w <= 0 || h == 0 || h == INT32_MIN)
        return MV_ECORRUPT;
    return check_size((uint64_t)w, (uint64_t)(h < 0 ? -h : h), max_pixels);
}

/* A TIFF structure (a TIFF file, or the body of an EXIF segment). */
struct tiff {
    const uint8_t *d;
    size_t n;
    int big; /* "MM": big-endian */
};

static uint32_t t16(const struct tiff *t, size_t off)
{
    const uint8_t *p = t->d + off;
    return t->big ? (uint32_t)p[0] << 8 | p[1] : le16(p);
}

static uint32_t t32(const struct tiff *t, size_t off)
{
    return t->big ? t16(t, off) << 16 | t16(t, off + 2) : t16(t, off) | t16(t, off + 2) << 16;
}

static int tiff_open(struct tiff *t, const uint8_t *d, size_t n)
{
    if (n < 8 || !((d[0] == 'I' && d[1] == 'I') || (d[0] == 'M' && d[1] == 'M')))
        return 0;
    t->d = d;
    t->n = n;
    t->big = d[0] == 'M';
    return t16(t, 2) == 42;
}

/* The SHORT or LONG value of tag in the first IFD; 0 when absent or unreadable. */
static uint32_t tiff_tag(const struct tiff *t, uint32_t tag)
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

static mv_status tiff_header(const uint8_t *d, size_t n, size_t max_pixels)
{
    struct tiff t;

    if (!tiff_open(&t, d, n))
        return MV_ECORRUPT;
    return check_size(tiff_tag(&t, 256), tiff_tag(&t, 257), max_pixels);
}

mv_status mv__image_other(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    int codec;
    mv_status st;

    if (size >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0)) {
        codec = AV_CODEC_ID_GIF;
        st = gif_header(data, size, max_pixels);
    } else if (size >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0) {
        codec = AV_CODEC_ID_WEBP;
        st = webp_header(data, size, max_pixels);
    } else if (size >= 2 && data[0] == 'B' && data[1] == 'M') {
        codec = AV_CODEC_ID_BMP;
        st = bmp_header(data, size, max_pixels);
    } else if (size >= 4 && (memcmp(data, "II*\0", 4) == 0 || memcmp(data, "MM\0*", 4) == 0)) {
        codec = AV_CODEC_ID_TIFF;
        st = tiff_header(data, size, max_pixels);
    } else {
        return MV_ENOTSUP;
    }
    return st != MV_OK ? st : mv__image_ffmpeg(codec, data, size, max_pixels, out);
}

int mv__image_exif_orientation(const uint8_t *data, size_t size)
{
    static const uint8_t exif[6] = { 'E', 'x', 'i', 'f', 0, 0 };
    size_t i = 2;

    if (data == NULL || size < 4 || data[0] != 0xff || data[1] != 0xd8)
        return 1;
    while (i + 4 <= size && data[i] == 0xff) {
        const uint8_t marker = data[i + 1];
        if (marker == 0xff) { /* fill byte */
            i++;
            continue;
        }
        if (marker == 0xda || marker == 0xd9)
            break;
        const size_t len = (size_t)data[i + 2] << 8 | data[i + 3];
        if (len < 2 || len > size - i - 2)
            break;
        struct tiff t;
        if (marker == 0xe1 && len >= 8 && memcmp(data + i + 4, exif, 6) == 0 &&
            tiff_open(&t, data + i + 10, len - 8)) {
            const uint32_t o = tiff_tag(&t, 0x0112);
            return o >= 1 && o <= 8 ? (int)o : 1;
        }
        i += 2 + len;
    }
    return 1;
}

/* Where output pixel (x, y) of an image turned by orientation o comes from. */
static void source_of(int o, size_t w, size_t h, size_t x, size_t y, size_t *sx, size_t *sy)
{
    switch (o) {
    case 2:
        *sx = w - 1 - x, *sy = y;
        break;
    case 3:
        *sx = w - 1 - x, *sy = h - 1 - y;
        break;
    case 4:
        *sx = x, *sy = h - 1 - y;
        break;
    case 5:
        *sx = y, *sy = x;
        break;
    case 6:
        *sx = y, *sy = h - 1 - x;
        break;
    case 7:
        *sx = w - 1 - y, *sy = h - 1 - x;
        break;
    case 8:
        *sx = w - 1 - y, *sy = x;
        break;
    default:
        *sx = x, *sy = y;
        break;
    }
}

mv_status mv__image_orient(mv__image *img, int o)
{
    if (img == NULL || img->pixels == NULL)
        return MV_EINVAL;
    if (o < 2 || o > 8)
        return MV_OK;
    const size_t w = img->width, h = img->height, ch = (size_t)img->channels;
    const int swap = o >= 5;
    const size_t ow = swap ? h : w, oh = swap ? w : h;
    uint8_t *dst = mv__malloc(ow * oh * ch);
    if (dst == NULL)
        return MV_ENOMEM;
    for (size_t y = 0; y < oh; y++)
        for (size_t x = 0; x < ow; x++) {
            size_t sx, sy;
            source_of(o, w, h, x, y, &sx, &sy);
            memcpy(dst + (y * ow + x) * ch, img->pixels + sy * img->stride + sx * ch, ch);
        }
    mv__free(img->pixels);
    img->pixels = dst;
    img->width = ow;
    img->height = oh;
    img->stride = ow * ch;
    return MV_OK;
}
