/*
 * Still-image decoding for fingerprints: format sniffing, file reading, the
 * pixel budget, and the grey rule.
 *
 * JPEG goes to libjpeg-turbo with its defaults (media_jpeg.c) and PNG to FFmpeg
 * (media_png.c), because those reproduce the pixels ImageMagick gave Meta's PDQ
 * reference; HEIF goes to libheif when the build has it (media_heif.c). The
 * reference then saw any image whose pixels are all grey (R=G=B) as one channel
 * and used the sample itself as luma, which changes float results, so decoded
 * RGB that is all grey is folded to one channel here, in place.
 * Sizes are checked against max_pixels from the header, before any allocation.
 *
 * This file calls the backends (mv__image_jpeg_rows(), mv__image_png(), ...)
 * and needs none of their libraries itself, so the shared library compiles it
 * in and each backend call there goes to the plugin that holds it
 * (media_plugin_calls.c): a JPEG is sniffed here and sent to the JPEG plugin,
 * and only the other formats load the big one. The static library links the
 * backends directly.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/core.h"
#include "media.h"
#include "mediavault/media.h"

static int all_grey(const mv__image *img)
{
    for (size_t y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + y * img->stride;
        for (size_t x = 0; x < img->width; x++, p += 3)
            if (p[0] != p[1] || p[1] != p[2])
                return 0;
    }
    return 1;
}

static void fold_grey(mv__image *img)
{
    if (img->channels != 3 || !all_grey(img))
        return;
    uint8_t *dst = img->pixels;
    for (size_t y = 0; y < img->height; y++) {
        const uint8_t *p = img->pixels + y * img->stride;
        for (size_t x = 0; x < img->width; x++, p += 3)
            *dst++ = p[0];
    }
    img->channels = 1;
    img->stride = img->width;
}

static int is_jpeg(const uint8_t *data, size_t size)
{
    return size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff;
}

/* The same test as the decoding below, so that the plugin named for a failure
 * is the one the decode asked for. */
mv_media_kind mv_media_sniff(const uint8_t *data, size_t len)
{
    return data != NULL && is_jpeg(data, len) ? MV_MEDIA_KIND_JPEG : MV_MEDIA_KIND_MEDIA;
}

mv_status mv__image_decode_mem(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    static const uint8_t png_magic[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    mv_status st;

    if (out == NULL || (data == NULL && size > 0))
        return MV_EINVAL;
    memset(out, 0, sizeof(*out));
    if (is_jpeg(data, size))
        st = mv__image_jpeg(data, size, max_pixels, out);
    else if (size >= 8 && memcmp(data, png_magic, 8) == 0)
        st = mv__image_png(data, size, max_pixels, out);
    else if (size == 0)
        return MV_ECORRUPT;
    else if (mv__image_is_heif(data, size))
        st = mv__image_heif(data, size, max_pixels, out);
    else
        st = mv__image_other(data, size, max_pixels, out);
    if (st != MV_OK) {
        mv__image_free(out);
        return st;
    }
    fold_grey(out);
    out->full_height = out->height;
    return MV_OK;
}

/* Sampled rows that are all grey may belong to an all-grey image, whose pixels
 * the grey rule folds: only the full decode can tell, so that case redoes it. */
mv_status mv__image_decode_mem_sampled(const uint8_t *data, size_t size, size_t max_pixels,
                                       size_t rows, mv__image *out)
{
    if (out == NULL || data == NULL || !is_jpeg(data, size) || rows == 0)
        return mv__image_decode_mem(data, size, max_pixels, out);
    memset(out, 0, sizeof(*out));
    mv_status st = mv__image_jpeg_rows(data, size, max_pixels, rows, out);
    if (st != MV_OK) {
        mv__image_free(out);
        return st;
    }
    if (out->height == out->full_height) {
        fold_grey(out);
        return MV_OK;
    }
    if (out->channels == 3 && all_grey(out)) {
        mv__image_free(out);
        return mv__image_decode_mem(data, size, max_pixels, out);
    }
    return MV_OK;
}

mv_status mv__image_decode_file(const char *path, size_t max_pixels, mv__image *out)
{
    struct stat sb;

    if (path == NULL || out == NULL)
        return MV_EINVAL;
    memset(out, 0, sizeof(*out));
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return mv_status_from_errno(errno);
    if (fstat(fd, &sb) != 0) {
        const int err = errno;
        close(fd);
        return mv_status_from_errno(err);
    }
    if (!S_ISREG(sb.st_mode)) {
        close(fd);
        return S_ISDIR(sb.st_mode) ? MV_EISDIR : MV_ENOTREG;
    }
    const size_t size = (size_t)sb.st_size;
    uint8_t *buf = mv__malloc(size ? size : 1);
    mv_status st = buf == NULL ? MV_ENOMEM : mv__read_full(fd, buf, size);
    close(fd);
    if (st == MV_OK)
        st = mv__image_decode_mem(buf, size, max_pixels, out);
    mv__free(buf);
    return st;
}
