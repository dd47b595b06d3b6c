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

#include "mediavault/api.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Loads both decoder plugins now, when not done yet (once per process,
 * thread-safe), and says whether decoding can work. Without the media plugin,
 * every decoding call but a JPEG's (image fingerprints, mv_audio_chromaprint_file(),
 * mv_vpdq_file()) fails with MV_ENOTSUP; without the JPEG plugin, a JPEG's does.
 * Params: detail: when not NULL, receives what the decoders decode ("FILE: images
 *         (...), audio, video; FILE: images (JPEG)"), or why those that cannot be
 *         used cannot ("media decoders unavailable: FILE: reason", "JPEG decoder
 *         unavailable: FILE: reason", joined by "; " when both; the reason from
 *         dlerror()).
 * Returns: MV_OK when both plugins can be used.
 * Errors: MV_ENOTSUP when a plugin is missing, cannot be loaded or is of another ABI.
 * Ownership: *detail is a static string, valid for the life of the process.
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
