/*
 * The pixels of a decoded image: allocated within the pixel budget, released.
 *
 * Every decoder allocates through mv__image_alloc(), which checks width x
 * height against max_pixels before anything is allocated, and the library
 * releases what any of them returned. The pixels come from mv__malloc(): in a
 * decoder plugin that is the host's allocator (media_plugin.h), so the library,
 * both plugins and the static library all compile this file in and a plugin
 * need not be loaded to free what it decoded.
 */
#include <string.h>

#include "../core/core.h"
#include "media.h"

void mv__image_free(mv__image *img)
{
    if (img == NULL)
        return;
    mv__free(img->pixels);
    memset(img, 0, sizeof(*img));
}

mv_status mv__image_alloc(mv__image *img, size_t width, size_t height, int channels,
                          size_t max_pixels)
{
    if (width == 0 || height == 0)
        return MV_ECORRUPT;
    if (width > max_pixels / height)
        return MV_ETOOBIG;
    img->pixels = mv__malloc(width * height * (size_t)channels);
    if (img->pixels == NULL)
        return MV_ENOMEM;
    img->width = width;
    img->height = height;
    img->channels = channels;
    img->stride = width * (size_t)channels;
    return MV_OK;
}
