/*
 * Recognising a HEIF file (HEIC, AVIF) from its ftyp box, with no decoder.
 *
 * It lives apart from media_heif.c, which needs libheif, so that the library
 * can sniff content without loading the media plugin (media_plugin.h): only
 * decoding does that. A HEIF file is an ISO base media file whose ftyp box
 * names a still-image brand, as its major brand or among the compatible ones.
 */
#include <string.h>

#include "media.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int heif_brand(const uint8_t *b)
{
    static const char brands[][4] = { "heic", "heix", "hevc", "hevx", "heim",
                                      "heis", "mif1", "msf1", "avif", "avis" };

    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
        if (memcmp(b, brands[i], 4) == 0)
            return 1;
    return 0;
}

int mv__image_is_heif(const uint8_t *data, size_t size)
{
    if (data == NULL || size < 16 || memcmp(data + 4, "ftyp", 4) != 0)
        return 0;
    const uint32_t box = be32(data);
    if (box < 16 || box % 4 != 0)
        return 0;
    if (heif_brand(data + 8))
        return 1;
    const size_t end = box < size ? box : size;
    for (size_t off = 16; off + 4 <= end; off += 4) /* the compatible brands */
        if (heif_brand(data + off))
            return 1;
    return 0;
}
