/**
 * Audio fingerprints: Chromaprint (AcoustID) fingerprints of any audio FFmpeg
 * reads (MP3, AAC/M4A, Ogg Vorbis/Opus, FLAC, WAV, the audio track of a
 * video), computed the way the `fpcalc` program computes them, so that the
 * strings are byte-identical to its `FINGERPRINT=` lines for the same length
 * and algorithm.
 *
 * Since 0.4.
 */
#ifndef MEDIAVAULT_AUDIO_H
#define MEDIAVAULT_AUDIO_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/api.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** fpcalc's default --length: seconds of audio fingerprinted (0 = the whole file). */
#define MV_AUDIO_DEFAULT_LENGTH 120.0

/** fpcalc's default -algorithm (numbered as fpcalc numbers them, 1..5). */
#define MV_AUDIO_DEFAULT_ALGORITHM 2

/**
 * Fingerprints the audio of the file at path with Chromaprint, as
 * `fpcalc -length length_s -algorithm algorithm` does: the best audio stream is
 * decoded, converted by swresample to Chromaprint's own rate and channel count
 * (11025 Hz mono, fpcalc's resampler settings), and at most length_s seconds of
 * it (0: all) are fed.
 *
 * algorithm: 1..5 as fpcalc's -algorithm; 0 means MV_AUDIO_DEFAULT_ALGORITHM.
 * fingerprint: the compressed base64 string fpcalc prints (may be NULL).
 * duration: seconds as fpcalc computes DURATION (the container's stream
 *   duration in whole milliseconds / 1000; 0 when unknown); fpcalc prints its
 *   integer part (may be NULL).
 * raw, raw_len: the integer form (`fpcalc -raw`) (may be NULL).
 *
 * Returns: MV_OK with the outputs filled.
 * Errors: MV_EINVAL (NULL path, length_s < 0 or not finite, algorithm out of
 *         range); MV_ENOENT, MV_EACCES, MV_EISDIR, MV_EIO (opening);
 *         MV_ENOTSUP (not a media file FFmpeg reads, or one without an audio
 *         stream, or no decoder for it); MV_ECORRUPT (undecodable or truncated
 *         data, or too little audio for a fingerprint, e.g. zero duration);
 *         MV_ENOMEM. On error the outputs are set to NULL / 0.
 * Ownership: path is borrowed for the call; *fingerprint and *raw are
 *   released with mv_free().
 */
MV_API mv_status mv_audio_chromaprint_file(const char *path, double length_s, int algorithm,
                                           char **fingerprint, double *duration, uint32_t **raw,
                                           size_t *raw_len);

/** Options of mv_audio_chromaprint_file_opts(); zero-initialise, then set what differs. */
typedef struct mv_audio_options {
    double length_s;  /**< seconds fingerprinted, as fpcalc's -length; 0 = the whole file */
    int algorithm;    /**< 1..5 as fpcalc's -algorithm; 0 = MV_AUDIO_DEFAULT_ALGORITHM */
    double timeout_s; /**< give up after this many seconds (opening included); 0 = never */
    int threads;      /**< threads for this one file: 2 or more decodes on a thread of its
                           own while the calling thread resamples and fingerprints (faster
                           when a core is free, the same result); 0 or 1 = the calling
                           thread only. Since 0.6. */
} mv_audio_options;

/**
 * mv_audio_chromaprint_file() with options, among them a time limit: once
 * opts->timeout_s seconds have passed, FFmpeg's reads are interrupted and the
 * decode loop stops, and the call fails with MV_ETIMEDOUT (no partial result).
 * Params: opts: NULL for fpcalc's defaults (the first MV_AUDIO_DEFAULT_LENGTH
 *         seconds, algorithm 2) and no time limit.
 * opts->threads >= 2 uses one more thread for the call (joined before it
 * returns); the outputs do not depend on it.
 * Returns, errors: those of mv_audio_chromaprint_file(), plus MV_ETIMEDOUT, and
 *         MV_EINVAL for a negative or NaN timeout_s.
 * Ownership: as mv_audio_chromaprint_file(); opts is borrowed for the call.
 * Since 0.5.
 */
MV_API mv_status mv_audio_chromaprint_file_opts(const char *path, const mv_audio_options *opts,
                                                char **fingerprint, double *duration,
                                                uint32_t **raw, size_t *raw_len);

/**
 * Guesses from its first bytes whether content is audio: an ID3 tag or an
 * MPEG audio frame sync, Ogg (OggS), FLAC (fLaC), RIFF/WAVE, an MP4 `ftyp` box
 * of an audio brand (M4A, M4B, M4P, F4A), AIFF, or an ADTS AAC header.
 * Returns 1 when it looks like audio, else 0.
 */
MV_API int mv_audio_sniff(const uint8_t *data, size_t len);

#ifdef __cplusplus
}
#endif

#endif
