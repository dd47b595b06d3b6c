/*
 * The still-image formats beyond JPEG and PNG (GIF, WebP, BMP, TIFF).
 *
 * Each format is recognised by its magic bytes and its size is read from its
 * own header, so that a decompression bomb is refused before FFmpeg allocates
 * anything; then the whole file goes to FFmpeg's decoder as one packet
 * (mv__image_ffmpeg), which is what FFmpeg's image2 demuxer does too. A GIF
 * gives its first frame. The header readers look at a handful of fixed
 * offsets and check every offset against the size first (a TIFF's through
 * media_tiff.c).
 */
#include <string.h>

#include <libavcodec/codec_id.h>

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

static mv_status tiff_header(const uint8_t *d, size_t n, size_t max_pixels)
{
    mv__tiff t;

    if (!mv__tiff_open(&t, d, n))
        return MV_ECORRUPT;
    return check_size(mv__tiff_tag(&t, 256), mv__tiff_tag(&t, 257), max_pixels);
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
