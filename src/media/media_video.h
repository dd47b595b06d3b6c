/*
 * Private interface of the video decoder (media_video.c): FFmpeg demuxing and
 * decoding of a file's best video stream, frame by frame, counting decoded frames.
 */
#ifndef MV_MEDIA_VIDEO_H
#define MV_MEDIA_VIDEO_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"

struct AVFrame;
typedef struct mv__video mv__video;

/* What a decoder may spend on one file. */
typedef struct mv__video_limits {
    int threads;       /* FFmpeg's own frame/slice threads; 0 = auto */
    size_t max_pixels; /* per frame, from the header; 0 = MV_PDQ_DEFAULT_MAX_PIXELS */
    double timeout_s;  /* from the open on; 0 = no limit */
} mv__video_limits;

/* Opens path and its decoder. Errors: see mv_vpdq_file(); MV_ETOOBIG over
 * max_pixels, MV_ETIMEDOUT past the time limit. */
mv_status mv__video_open(const char *path, const mv__video_limits *limits, mv__video **out);

/* The container's duration in seconds (0 when unknown) and the stream's average
 * frame rate (r_frame_rate when the average is unset; 0 when neither is). */
double mv__video_duration(const mv__video *v);
double mv__video_frame_rate(const mv__video *v);

/*
 * Decodes up to the next frame whose number is a multiple of interval (>= 1) and
 * moves it into out (a caller-allocated, unreferenced AVFrame). Frames in between are
 * released as soon as they are decoded, never converted.
 * Returns MV_OK with *number set and *eof = 0; MV_OK with *eof = 1 at the end of the
 * stream; *truncated is set when demuxing stopped on an error (the stream then ends).
 * Errors: MV_ECORRUPT, MV_ENOMEM, MV_ETIMEDOUT (the time limit passed).
 */
mv_status mv__video_next(mv__video *v, uint64_t interval, struct AVFrame *out, uint64_t *number,
                         int *eof);

/* Frames decoded so far; whether demuxing stopped on an error. */
uint64_t mv__video_decoded(const mv__video *v);
int mv__video_truncated(const mv__video *v);

/* NULL-safe. */
void mv__video_close(mv__video *v);

#endif
