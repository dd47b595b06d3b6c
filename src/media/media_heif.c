/*
 * HEIF images (HEIC from phones, and AVIF) through libheif: recognising the
 * container, and decoding its primary image to RGB24.
 *
 * A HEIF file is an ISO base media file whose ftyp box names a still-image
 * brand (heic, heix, heim, heis, mif1, and the sequence brands hevc, hevx,
 * msf1; avif and avis for AV1). The check reads only the ftyp box, so it works
 * in a build without libheif too: such a build still recognises HEIF and
 * answers MV_ENOTSUP, which the program reports as "built without HEIF
 * support", instead of calling the file unknown.
 *
 * Decoding asks libheif for interleaved 8-bit RGB: alpha is dropped without
 * compositing, as for PNG, and a monochrome image comes out with R = G = B, so
 * that the grey rule of media_image.c folds it to one channel exactly as it
 * does a grey PNG or JPEG. Images of more than 8 bits are reduced by libheif.
 * Decoding is strict: libheif's decoding warnings (a truncated or damaged
 * bitstream) are errors here, as a truncated JPEG is.
 *
 * (Recognising the container, which needs no decoder, is media_heif_sniff.c.)
 *
 * The pixel budget is checked from the headers before anything is decoded:
 * both the size of the primary image as displayed and the size of its coded
 * image (ispe) must fit, because libheif allocates the coded size before it
 * crops. The tiles of a grid image are not visible through libheif's API; each
 * is bounded by libheif's limit per side, lowered to the budget when smaller.
 *
 * Orientation: HEIF carries rotation and mirroring (irot, imir) and cropping
 * (clap) as properties of the image item itself, which the standard requires
 * a reader to apply; they are part of the image, not a hint beside it as EXIF
 * orientation is in a JPEG. libheif applies them by default, and so does
 * ImageMagick (which produced the pixels the PDQ reference hashed) unless told
 * to preserve the orientation. So they are always applied here, with or
 * without --exif-orient. An EXIF block inside a HEIF file only repeats what
 * irot/imir say (the standard makes it informative), so it is never applied on
 * top: mv__image_exif_orientation() reads JPEG files only, and --exif-orient
 * leaves a HEIF fingerprint unchanged. To match a HEIC against a JPEG of the
 * same photo that carries an EXIF turn, use --exif-orient (or --dihedral).
 *
 * libheif allocates with its own allocator; only the output pixels use the
 * library's hooks.
 */
#include <string.h>

#include "../core/core.h"
#include "media.h"

#if MV_HAVE_HEIF
#include <libheif/heif.h>
#endif

#if MV_HAVE_HEIF

/* libheif's default limit on the sides of any image item (MAX_IMAGE_WIDTH). */
#define HEIF_SIDE_LIMIT ((size_t)32768)

int mv__image_heif_supported(void)
{
    return 1;
}

static mv_status status_of(struct heif_error e)
{
    switch (e.code) {
    case heif_error_Ok:
        return MV_OK;
    case heif_error_Memory_allocation_error:
        return e.subcode == heif_suberror_Security_limit_exceeded ? MV_ETOOBIG : MV_ENOMEM;
    case heif_error_Unsupported_filetype:
    case heif_error_Unsupported_feature:
    case heif_error_Plugin_loading_error:
        return MV_ENOTSUP;
    default:
        return MV_ECORRUPT;
    }
}

static mv_status check_size(int w, int h, size_t max_pixels)
{
    if (w <= 0 || h <= 0)
        return MV_ECORRUPT;
    return (size_t)w > max_pixels / (size_t)h ? MV_ETOOBIG : MV_OK;
}

struct heif_job {
    struct heif_context *ctx;
    struct heif_image_handle *handle;
    struct heif_image *img;
    struct heif_decoding_options *opts;
};

/* Opens the primary image and checks its sizes, displayed and coded. */
static mv_status open_primary(struct heif_job *j, const uint8_t *data, size_t size,
                              size_t max_pixels)
{
    j->ctx = heif_context_alloc();
    if (j->ctx == NULL)
        return MV_ENOMEM;
    /* libheif checks every item's ispe against a limit per side (32768 by default) as
     * it reads the file: grid tiles too, whose sizes the API does not show. A side
     * longer than the whole budget can never fit, so a small budget tightens it. */
    if (max_pixels < HEIF_SIDE_LIMIT)
        heif_context_set_maximum_image_size_limit(j->ctx, (int)max_pixels);
    mv_status st = status_of(heif_context_read_from_memory_without_copy(j->ctx, data, size, NULL));
    if (st == MV_OK)
        st = status_of(heif_context_get_primary_image_handle(j->ctx, &j->handle));
    if (st == MV_OK)
        st = check_size(heif_image_handle_get_width(j->handle),
                        heif_image_handle_get_height(j->handle), max_pixels);
    if (st == MV_OK)
        st = check_size(heif_image_handle_get_ispe_width(j->handle),
                        heif_image_handle_get_ispe_height(j->handle), max_pixels);
    return st;
}

static mv_status copy_rgb(const struct heif_image *img, size_t max_pixels, mv__image *out)
{
    int stride = 0;
    const int w = heif_image_get_width(img, heif_channel_interleaved);
    const int h = heif_image_get_height(img, heif_channel_interleaved);
    const uint8_t *src = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);

    if (src == NULL || w <= 0 || h <= 0 || stride < 3 * w)
        return MV_ECORRUPT;
    if (heif_image_get_bits_per_pixel_range(img, heif_channel_interleaved) != 8)
        return MV_ENOTSUP;
    const mv_status st = mv__image_alloc(out, (size_t)w, (size_t)h, 3, max_pixels);
    if (st != MV_OK)
        return st;
    for (size_t y = 0; y < out->height; y++)
        memcpy(out->pixels + y * out->stride, src + y * (size_t)stride, out->stride);
    return MV_OK;
}

mv_status mv__image_heif(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    struct heif_job j = { NULL, NULL, NULL, NULL };

    if (data == NULL || out == NULL)
        return MV_EINVAL;
    mv_status st = open_primary(&j, data, size, max_pixels);
    if (st == MV_OK && (j.opts = heif_decoding_options_alloc()) == NULL)
        st = MV_ENOMEM;
    if (st == MV_OK) {
        j.opts->ignore_transformations = 0; /* see the orientation note above */
        j.opts->convert_hdr_to_8bit = 1;
        j.opts->strict_decoding = 1;
        st = status_of(heif_decode_image(j.handle, &j.img, heif_colorspace_RGB,
                                         heif_chroma_interleaved_RGB, j.opts));
    }
    if (st == MV_OK)
        st = copy_rgb(j.img, max_pixels, out);
    heif_image_release(j.img);
    heif_decoding_options_free(j.opts);
    heif_image_handle_release(j.handle);
    heif_context_free(j.ctx);
    return st;
}

#else /* built without libheif */

int mv__image_heif_supported(void)
{
    return 0;
}

mv_status mv__image_heif(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    (void)data, (void)size, (void)max_pixels, (void)out;
    return MV_ENOTSUP;
}

#endif
