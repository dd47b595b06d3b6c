/*
 * PDQ of an image file or an encoded image in memory: decode with the media
 * layer (the reference's pixels), then hash.
 *
 * This is the only place where the fingerprint layer meets decoding, so that
 * fp_pdq.c stays a pure function of pixels that tests can drive directly.
 */
#include "../core/core.h"
#include "../media/media.h"
#include "fp_pdq.h"
#include "mediavault/pdq.h"

static mv_status hash_image(mv__image *img, unsigned flags, int dihedral, mv_pdq_hash *out,
                            int *quality)
{
    mv_status st;
    if (!(flags & MV_PDQ_FULLRES))
        st = mv__pdq_sampled_pixels(img->pixels, img->width, img->height, img->full_height,
                                    img->stride, img->channels, dihedral, out, quality);
    else if (dihedral)
        st = mv_pdq_dihedral_pixels(img->pixels, img->width, img->height, img->stride,
                                    img->channels, flags, out, quality);
    else
        st = mv_pdq_pixels(img->pixels, img->width, img->height, img->stride, img->channels, flags,
                           out, quality);
    mv__image_free(img);
    return st;
}

mv_status mv_pdq_file(const char *path, unsigned flags, size_t max_pixels, int dihedral,
                      mv_pdq_hash *out, int *quality)
{
    mv__image img;

    if (path == NULL || out == NULL || quality == NULL)
        return MV_EINVAL;
    const mv_status st =
        mv__image_decode_file(path, max_pixels ? max_pixels : MV_PDQ_DEFAULT_MAX_PIXELS, &img);
    return st != MV_OK ? st : hash_image(&img, flags, dihedral, out, quality);
}

mv_status mv_pdq_mem(const uint8_t *data, size_t size, unsigned flags, size_t max_pixels,
                     int dihedral, mv_pdq_hash *out, int *quality)
{
    mv__image img;

    if (out == NULL || quality == NULL)
        return MV_EINVAL;
    const mv_status st = mv__image_decode_mem_sampled(
        data, size, max_pixels ? max_pixels : MV_PDQ_DEFAULT_MAX_PIXELS,
        flags & MV_PDQ_FULLRES ? 0 : PDQ_SAMPLED_ROWS, &img);
    return st != MV_OK ? st : hash_image(&img, flags, dihedral, out, quality);
}
