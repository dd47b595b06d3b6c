/*
 * EXIF orientation: read from a JPEG's APP1 "Exif" segment (a small TIFF
 * structure, media_tiff.c) and applied to decoded pixels.
 *
 * Only on request (--exif-orient): the PDQ reference ignores orientation, so
 * the default hashes match the reference. Both jobs are pure functions of the
 * bytes and pixels, so the library does them itself, with no decoder loaded:
 * an oriented JPEG needs libjpeg-turbo and nothing else (media_plugin.h).
 */
#include <string.h>

#include "../core/core.h"
#include "media.h"

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
        mv__tiff t;
        if (marker == 0xe1 && len >= 8 && memcmp(data + i + 4, exif, 6) == 0 &&
            mv__tiff_open(&t, data + i + 10, len - 8)) {
            const uint32_t o = mv__tiff_tag(&t, 0x0112);
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
