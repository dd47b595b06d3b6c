/**
 * The media decoders. The shared library loads them from two plugins, each the
 * first time something it decodes is decoded: libjpeg-turbo from
 * mediavault-jpeg.so (JPEG), FFmpeg, Chromaprint and libheif from
 * mediavault-media.so (everything else), so that a program that only hashes or
 * queries the catalog maps none of them, and one that fingerprints JPEGs maps
 * libjpeg-turbo alone; the static library links them in.
 *
 * Since 0.1.
 */
#ifndef MEDIAVAULT_MEDIA_H
#define MEDIAVAULT_MEDIA_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/api.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The decoder plugins, one value each.
 * Since 0.7.
 */
typedef enum mv_media_kind {
    /** mediavault-media.so: every image format but JPEG, audio and video */
    MV_MEDIA_KIND_MEDIA = 1,
    /** mediavault-jpeg.so: JPEG */
    MV_MEDIA_KIND_JPEG = 2,
} mv_media_kind;

/**
 * Loads the one decoder plugin kind now, when not done yet (once per process,
 * thread-safe), and says whether it can be used; the other plugin is left
 * alone. Without the media plugin, every decoding call but a JPEG's (image
 * fingerprints of other formats, mv_audio_chromaprint_file(), mv_vpdq_file())
 * fails with MV_ENOTSUP; without the JPEG plugin, a JPEG's does. So the reason
 * for a failed input is the detail of the plugin it needed (mv_media_sniff()
 * for an image), found without loading the other.
 * Params: kind: MV_MEDIA_KIND_MEDIA or MV_MEDIA_KIND_JPEG.
 *         detail: when not NULL, receives what the plugin decodes ("FILE: images
 *         (JPEG)"), or why it cannot be used ("media decoders unavailable: FILE:
 *         reason" or "JPEG decoder unavailable: FILE: reason", the reason from
 *         dlerror() or the plugin check); "linked in: ..." in the static library.
 * Returns: MV_OK when the plugin can be used.
 * Errors: MV_ENOTSUP when it is missing, cannot be loaded or is of another ABI;
 *         MV_EINVAL for another kind (*detail then says so).
 * Ownership: *detail is a static string, valid for the life of the process.
 * Since 0.7.
 */
MV_API mv_status mv_media_load_kind(mv_media_kind kind, const char **detail);

/**
 * Which plugin decodes the image whose first bytes are data: MV_MEDIA_KIND_JPEG
 * for a JPEG (FF D8 FF), MV_MEDIA_KIND_MEDIA for anything else. Loads nothing.
 * Params: data: the first bytes of the file (3 are enough; NULL when len is 0).
 * Ownership: data is borrowed for the call.
 * Since 0.7.
 */
MV_API mv_media_kind mv_media_sniff(const uint8_t *data, size_t len);

/**
 * Loads both decoder plugins now, when not done yet (once per process,
 * thread-safe), and says whether all decoding can work: the two
 * mv_media_load_kind() calls in one. To word the failure of one input, or to
 * report each plugin on its own, use mv_media_load_kind(), which loads only the
 * plugin asked for.
 * Params: detail: when not NULL, receives what the decoders decode ("FILE: images
 *         (...), audio, video; FILE: images (JPEG)"), or why those that cannot be
 *         used cannot ("media decoders unavailable: FILE: reason", "JPEG decoder
 *         unavailable: FILE: reason", joined by "; " when both; the reason from
 *         dlerror()).
 * Returns: MV_OK when both plugins can be used.
 * Errors: MV_ENOTSUP when a plugin is missing, cannot be loaded or is of another ABI.
 * Ownership: *detail is a static string, valid for the life of the process.
 * Since 0.1.
 */
MV_API mv_status mv_media_load(const char **detail);

/**
 * Asks every audio and video decode of this process to stop (on = 1), or lets
 * them run again (on = 0). While set, the time-limit checks of the media layer
 * see their deadline as passed: a call in flight (mv_audio_chromaprint_file*(),
 * mv_vpdq_file*()) stops within a packet or a frame and returns MV_ETIMEDOUT
 * with no partial result, and a new call fails the same way at once. The
 * caller that set it knows the cause. Safe in a signal handler (one atomic store).
 * Since 0.6.
 */
MV_API void mv_media_cancel(int on);

#ifdef __cplusplus
}
#endif

#endif
