/*
 * The entry point of the JPEG plugin (mediavault-jpeg.so): the JPEG decoder,
 * which links libjpeg-turbo and nothing else, so that fingerprinting a photo
 * does not load FFmpeg, Chromaprint or libheif (media_plugin.h).
 *
 * The plugin is built from the same JPEG sources as the static library
 * (media_jpeg.c and what it calls), with the core services lent by the host
 * (media_plugin_services.c) and media_pixels.c compiled in. What a JPEG needs
 * beyond the decoder (sniffing, the grey rule, EXIF orientation) is the
 * library's own (media_image.c, media_exif.c).
 */
#include "media_plugin.h"

static const struct mv_jpeg_plugin table = {
    .abi = MV_MEDIA_PLUGIN_ABI,
    .size = sizeof(struct mv_jpeg_plugin),
    .decoders = "images (JPEG)",
    .image_jpeg_rows = mv__image_jpeg_rows,
};

/* The only exported symbol (media_jpeg.map). */
__attribute__((visibility("default"))) const struct mv_jpeg_plugin *
mv_jpeg_plugin_entry(uint32_t abi_version, const struct mv_media_host *h)
{
    return mv__media_host_keep(abi_version, h) ? &table : NULL;
}
