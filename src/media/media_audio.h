/*
 * Private interface of the media layer for audio: a decoder that gives the
 * best audio stream of a file as interleaved int16 samples at a chosen rate
 * and channel count (see media_audio.c).
 */
#ifndef MV_MEDIA_AUDIO_H
#define MV_MEDIA_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"

typedef struct mv__audio mv__audio;

/* Opens path and its best audio stream, converting to out_rate Hz and
 * out_channels channels of int16; opening and every read after it give up with
 * MV_ETIMEDOUT once timeout_s seconds have passed (0 = no limit). threads >= 2
 * decodes on a thread of its own while the caller's reads convert (1 or less:
 * everything on the caller's thread); the samples are the same.
 * Errors: those of mv_audio_chromaprint_file(). */
mv_status mv__audio_open(const char *path, int out_rate, int out_channels, double timeout_s,
                         int threads, mv__audio **out);

/* The stream's duration in whole milliseconds as fpcalc computes it; -1 when
 * unknown. It ends decoding (the decode thread stops): call it after the last
 * read. */
int64_t mv__audio_duration_ms(mv__audio *a);

/* The next samples: *frames frames of interleaved int16, borrowed until the
 * next call; *frames == 0 at the end. Errors: MV_ECORRUPT, MV_EIO, MV_ENOMEM,
 * MV_ETIMEDOUT. */
mv_status mv__audio_read(mv__audio *a, const int16_t **samples, size_t *frames);

/* Closes the decoder; NULL-safe. */
void mv__audio_close(mv__audio *a);

#endif
