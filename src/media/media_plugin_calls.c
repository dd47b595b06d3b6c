/*
 * The decoder backends as the shared library sees them: each forwards to the
 * table of the plugin that holds it (media_plugin.h), loading that plugin on
 * the first call (media_plugin_loader.c).
 *
 * media_image.c, compiled into the library, sniffs each image and calls one
 * backend: a JPEG reaches mv__image_jpeg_rows() here and so the JPEG plugin,
 * any other format the media plugin. Audio and video go to the media plugin
 * whole. Without the plugin a call needs, it fails with MV_ENOTSUP and its
 * outputs are left empty, as on any error.
 */
#include <string.h>

#include "media_plugin.h"

mv_status mv__image_jpeg_rows(const uint8_t *data, size_t size, size_t max_pixels, size_t rows,
                              mv__image *out)
{
    const struct mv_jpeg_plugin *t = mv__jpeg_plugin(NULL);

    return t != NULL ? t->image_jpeg_rows(data, size, max_pixels, rows, out) : MV_ENOTSUP;
}

mv_status mv__image_jpeg(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    return mv__image_jpeg_rows(data, size, max_pixels, 0, out);
}

mv_status mv__image_png(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL ? t->image_png(data, size, max_pixels, out) : MV_ENOTSUP;
}

mv_status mv__image_other(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL ? t->image_other(data, size, max_pixels, out) : MV_ENOTSUP;
}

mv_status mv__image_heif(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL ? t->image_heif(data, size, max_pixels, out) : MV_ENOTSUP;
}

int mv__image_heif_supported(void)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    return t != NULL && t->image_heif_supported();
}

mv_status mv_audio_chromaprint_file(const char *path, double length_s, int algorithm,
                                    char **fingerprint, double *duration, uint32_t **raw,
                                    size_t *raw_len)
{
    const mv_audio_options o = { .length_s = length_s, .algorithm = algorithm };

    return mv_audio_chromaprint_file_opts(path, &o, fingerprint, duration, raw, raw_len);
}

mv_status mv_audio_chromaprint_file_opts(const char *path, const mv_audio_options *opts,
                                         char **fingerprint, double *duration, uint32_t **raw,
                                         size_t *raw_len)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (t != NULL)
        return t->audio_chromaprint_file_opts(path, opts, fingerprint, duration, raw, raw_len);
    if (fingerprint != NULL)
        *fingerprint = NULL;
    if (duration != NULL)
        *duration = 0.0;
    if (raw != NULL)
        *raw = NULL;
    if (raw_len != NULL)
        *raw_len = 0;
    return MV_ENOTSUP;
}

mv_status mv_vpdq_file(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame_fn fn,
                       void *arg, mv_vpdq_info *info)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (t == NULL) {
        if (info != NULL)
            memset(info, 0, sizeof(*info));
        return MV_ENOTSUP;
    }
    return t->vpdq_file(path, opts, fn, arg, info);
}

mv_status mv_vpdq_file_frames(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame **frames,
                              size_t *count, mv_vpdq_info *info)
{
    const struct mv_media_plugin *t = mv__media_plugin(NULL);

    if (t == NULL) {
        if (frames != NULL)
            *frames = NULL;
        if (count != NULL)
            *count = 0;
        if (info != NULL)
            memset(info, 0, sizeof(*info));
        return MV_ENOTSUP;
    }
    return t->vpdq_file_frames(path, opts, frames, count, info);
}
