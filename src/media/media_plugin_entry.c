/*
 * The entry point of the media plugin (mediavault-media.so): every decoder but
 * JPEG's (media_plugin.h says why the decoders are split in two).
 *
 * The plugin is built from the same media and fingerprint sources as the
 * static library (media_png.c, media_formats.c, media_heif.c, media_audio.c,
 * media_video.c, fp_chromaprint.c, fp_vpdq.c), with the core services lent by
 * the host (media_plugin_services.c); media_pixels.c, media_tiff.c, fp_pdq.c
 * and core_fmt.c, pure functions, are compiled in.
 */
#include "media_plugin.h"

#if MV_HAVE_HEIF
#define DECODERS "images (PNG, GIF, WebP, BMP, TIFF, HEIF), audio, video"
#else
#define DECODERS "images (PNG, GIF, WebP, BMP, TIFF), audio, video"
#endif

static const struct mv_media_plugin table = {
    .abi = MV_MEDIA_PLUGIN_ABI,
    .size = sizeof(struct mv_media_plugin),
    .decoders = DECODERS,
    .image_png = mv__image_png,
    .image_other = mv__image_other,
    .image_heif = mv__image_heif,
    .image_heif_supported = mv__image_heif_supported,
    .audio_chromaprint_file_opts = mv_audio_chromaprint_file_opts,
    .vpdq_file = mv_vpdq_file,
    .vpdq_file_frames = mv_vpdq_file_frames,
};

/* The only exported symbol (media_plugin.map). */
__attribute__((visibility("default"))) const struct mv_media_plugin *
mv_media_plugin_entry(uint32_t abi_version, const struct mv_media_host *h)
{
    return mv__media_host_keep(abi_version, h) ? &table : NULL;
}
