/**
 * vPDQ: Meta's video fingerprint, a PDQ hash of every kept frame, bit-exact with the
 * reference `vpdq-hash-video` on the same FFmpeg build.
 *
 * Frames are decoded by FFmpeg (on its own threads), converted to packed RGB24 by
 * libswscale at the native size (or N x N with SWS_AREA) and hashed at full resolution
 * (MV_PDQ_FULLRES). Frame k is kept when k is a multiple of floor(every_s * frame rate)
 * (every frame when that is 0). The timestamp of frame k is k / average frame rate.
 * Since 0.x.
 */
#ifndef MEDIAVAULT_VPDQ_H
#define MEDIAVAULT_VPDQ_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/api.h"
#include "mediavault/error.h"
#include "mediavault/pdq.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Room for one reference line (`frame_number,quality,pdq_hex,timestamp`) and its NUL. */
#define MV_VPDQ_LINE_MAX 128

/** The hash of one kept frame. */
typedef struct mv_vpdq_frame {
    mv_pdq_hash hash;
    int quality;           /* 0..100 */
    uint64_t frame_number; /* decoded frames counted from 0 */
    double timestamp;      /* frame_number / average frame rate, seconds */
} mv_vpdq_frame;

/** What the decoder saw. */
typedef struct mv_vpdq_info {
    double duration;         /* seconds, from the container (0 when unknown) */
    double frame_rate;       /* average frame rate used for timestamps and --every */
    size_t width, height;    /* of the first frame */
    uint64_t frames_decoded; /* all decoded frames, kept or not */
    uint64_t frames_hashed;  /* frames passed to the callback */
    /* Nonzero when demuxing stopped on corrupt or truncated data after at least one
     * frame: the frames before it were hashed and the call still returned MV_OK. */
    int truncated;
} mv_vpdq_info;

/** Options of mv_vpdq_file(); zero-initialise, then set what differs. */
typedef struct mv_vpdq_options {
    double every_s; /* keep one frame per every_s seconds; 0 = every frame */
    size_t size;    /* 0: native size; N (<= 10000): frames scaled to N x N (SWS_AREA) */
    size_t threads; /* conversion + PDQ workers, and FFmpeg's decoding threads (since
                     * 0.5); 0 = one worker per CPU and FFmpeg's own thread count */
    /* Since 0.5: frames over this many pixels are refused with MV_ETOOBIG, from the
     * stream header before anything is decoded, and per frame after a change of
     * size; 0 = MV_PDQ_DEFAULT_MAX_PIXELS. */
    size_t max_pixels;
    /* Since 0.5: the run stops with MV_ETIMEDOUT once this many seconds have passed
     * since the call (FFmpeg's reads are interrupted, the decode loop checks it per
     * frame); 0 = no limit. */
    double timeout_s;
} mv_vpdq_options;

/**
 * Called once per kept frame, in frame order, on the thread that called mv_vpdq_file().
 * Returns: 0 to go on; nonzero stops the run, which then returns MV_ECANCELED.
 * Ownership: frame is borrowed for the call only.
 */
typedef int (*mv_vpdq_frame_fn)(const mv_vpdq_frame *frame, void *arg);

/**
 * Fingerprints a video file, streaming: memory stays bounded by a small queue of frames
 * whatever the video's length, and frames that are not kept are never converted.
 * Params: opts: NULL for the reference's defaults (every_s = 1, native size, one worker
 *         per CPU); fn, arg: the per-frame callback; info: filled when not NULL (also on
 *         error, with what was known).
 * Returns: MV_OK when the end of the stream (or a truncation, see info.truncated) was reached.
 * Errors: MV_ENOENT/MV_EACCES/MV_EIO (opening), MV_EISDIR/MV_ENOTREG (not a regular
 *         file: a FIFO or a device is refused without being opened), MV_ENOTSUP (no
 *         video stream, no decoder, no frame rate), MV_ECORRUPT (unreadable container,
 *         no frame decoded), MV_ETOOBIG (frame over opts->max_pixels), MV_EINVAL (bad
 *         arguments), MV_ENOMEM, MV_ECANCELED (the callback stopped it), MV_ETIMEDOUT
 *         (past opts->timeout_s; the frames already passed to the callback stand).
 *         The callback is never called after an error has been returned, nor after
 *         this call returns.
 * Ownership: borrows path and opts for the call.
 */
MV_API mv_status mv_vpdq_file(const char *path, const mv_vpdq_options *opts, mv_vpdq_frame_fn fn,
                              void *arg, mv_vpdq_info *info);

/**
 * mv_vpdq_file() collecting every frame into an array.
 * Returns: MV_OK with *frames (release with mv_free()) and *count set; on error *frames is NULL.
 */
MV_API mv_status mv_vpdq_file_frames(const char *path, const mv_vpdq_options *opts,
                                     mv_vpdq_frame **frames, size_t *count, mv_vpdq_info *info);

/**
 * Writes the reference's line for a frame, `frame_number,quality,pdq_hex,timestamp`
 * (timestamp with 3 decimals), without a newline.
 */
MV_API void mv_vpdq_line(const mv_vpdq_frame *frame, char out[MV_VPDQ_LINE_MAX]);

#ifdef __cplusplus
}
#endif

#endif
