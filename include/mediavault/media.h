/**
 * The media decoders. The shared library loads FFmpeg, libjpeg, Chromaprint
 * and libheif from a plugin, mediavault-media.so, the first time something is
 * decoded, so that a program that only hashes or queries the catalog never
 * maps them; the static library links them in.
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
 * Loads the media decoders now, when not done yet (once per process, thread-safe),
 * and says whether decoding can work. Without them, every decoding call (image
 * fingerprints, mv_audio_chromaprint_file(), mv_vpdq_file()) fails with MV_ENOTSUP.
 * Params: detail: when not NULL, receives what the decoders decode ("FILE: images
 *         (...), audio, video"), or why they cannot be used ("media decoders
 *         unavailable: FILE: reason", the reason from dlerror()).
 * Returns: MV_OK when the decoders can be used.
 * Errors: MV_ENOTSUP when the plugin is missing, cannot be loaded or is of another ABI.
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
