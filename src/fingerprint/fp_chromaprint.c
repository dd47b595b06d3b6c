/*
 * Chromaprint audio fingerprints, byte-identical to `fpcalc`'s.
 *
 * fpcalc asks Chromaprint for its working format (11025 Hz mono for every
 * algorithm), lets swresample convert the decoded audio to it (the media layer
 * does that here, with fpcalc's settings), and starts Chromaprint at that rate
 * and channel count, so that Chromaprint's own resampler never runs. It feeds
 * at most length * rate samples, truncated to a whole sample (0, also from a
 * length under one sample: no limit),
 * then finishes; no sample at all is "not enough audio data" and an empty
 * fingerprint is an error too. Its DURATION is the stream duration in whole
 * milliseconds / 1000, printed as an integer; the same value comes back here.
 *
 * A time limit (mv_audio_options.timeout_s) is enforced by the media layer,
 * which interrupts FFmpeg and stops decoding once it passes. So is the choice
 * of threads (mv_audio_options.threads): with two, the media layer decodes on
 * a thread of its own while this one converts and feeds Chromaprint, and the
 * samples fed are the same.
 *
 * Chromaprint allocates its outputs with its own allocator, so they are copied
 * into mv__malloc memory the caller releases with mv_free().
 */
#include <chromaprint.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "../core/core.h"
#include "../media/media_audio.h"
#include "mediavault/audio.h"

/* Feeds everything the decoder gives, up to limit frames (0: all). */
static mv_status feed_all(ChromaprintContext *ctx, mv__audio *a, size_t limit, int channels,
                          size_t *fed)
{
    const size_t chunk = (size_t)INT_MAX / (size_t)channels;
    const int16_t *s;
    size_t n;
    mv_status st;

    *fed = 0;
    while ((st = mv__audio_read(a, &s, &n)) == MV_OK && n > 0) {
        if (limit > 0 && n > limit - *fed)
            n = limit - *fed;
        for (size_t done = 0; done < n;) {
            const size_t k = n - done < chunk ? n - done : chunk;
            if (!chromaprint_feed(ctx, s + done * (size_t)channels, (int)(k * (size_t)channels)))
                return MV_ECORRUPT;
            done += k;
        }
        *fed += n;
        if (limit > 0 && *fed >= limit)
            break;
    }
    return st;
}

static mv_status copy_raw(ChromaprintContext *ctx, uint32_t **raw, size_t *raw_len)
{
    uint32_t *data = NULL;
    int size = 0;

    if (!chromaprint_get_raw_fingerprint(ctx, &data, &size) || size <= 0) {
        chromaprint_dealloc(data);
        return MV_ECORRUPT;
    }
    *raw = mv__malloc((size_t)size * sizeof(**raw));
    if (*raw != NULL) {
        memcpy(*raw, data, (size_t)size * sizeof(**raw));
        *raw_len = (size_t)size;
    }
    chromaprint_dealloc(data);
    return *raw ? MV_OK : MV_ENOMEM;
}

static mv_status copy_string(ChromaprintContext *ctx, char **fingerprint)
{
    char *text = NULL;

    if (!chromaprint_get_fingerprint(ctx, &text) || text == NULL) {
        chromaprint_dealloc(text);
        return MV_ECORRUPT;
    }
    *fingerprint = mv__strdup(text);
    chromaprint_dealloc(text);
    return *fingerprint ? MV_OK : MV_ENOMEM;
}

/* Decodes, feeds and finishes; ctx then holds the fingerprint. */
static mv_status run(ChromaprintContext *ctx, const char *path, const mv_audio_options *o,
                     double *duration)
{
    const int rate = chromaprint_get_sample_rate(ctx);
    const int channels = chromaprint_get_num_channels(ctx);
    const double frames = o->length_s * rate;
    const size_t limit = frames >= (double)(SIZE_MAX / 2) ? 0 : (size_t)frames;
    mv__audio *a = NULL;
    size_t fed = 0;
    int size = 0;

    if (rate <= 0 || channels <= 0)
        return MV_ENOTSUP;
    mv_status st = mv__audio_open(path, rate, channels, o->timeout_s, o->threads, &a);
    if (st == MV_OK && !chromaprint_start(ctx, rate, channels))
        st = MV_ENOMEM;
    if (st == MV_OK)
        st = feed_all(ctx, a, limit, channels, &fed);
    if (st == MV_OK) { /* before finishing: it also stops a decode thread still ahead */
        const int64_t ms = mv__audio_duration_ms(a);
        if (duration != NULL)
            *duration = ms < 0 ? 0.0 : (double)ms / 1000.0;
    }
    if (st == MV_OK && (!chromaprint_finish(ctx) || fed == 0))
        st = MV_ECORRUPT;
    if (st == MV_OK && (!chromaprint_get_raw_fingerprint_size(ctx, &size) || size <= 0))
        st = MV_ECORRUPT;
    mv__audio_close(a);
    return st;
}

mv_status mv_audio_chromaprint_file(const char *path, double length_s, int algorithm,
                                    char **fingerprint, double *duration, uint32_t **raw,
                                    size_t *raw_len)
{
    const mv_audio_options o = { .length_s = length_s, .algorithm = algorithm };

    return mv_audio_chromaprint_file_opts(path, &o, fingerprint, duration, raw, raw_len);
}

mv_status mv_audio_chromaprint_file_opts(const char *path, const mv_audio_options *opts,
                                         char **fingerprint, double *duration, uint32_t **raw,
                                         size_t *raw_len)
{
    const mv_audio_options defaults = { .length_s = MV_AUDIO_DEFAULT_LENGTH };
    const mv_audio_options *o = opts != NULL ? opts : &defaults;
    int algorithm = o->algorithm;

    if (fingerprint != NULL)
        *fingerprint = NULL;
    if (duration != NULL)
        *duration = 0.0;
    if (raw != NULL)
        *raw = NULL;
    if (raw_len != NULL)
        *raw_len = 0;
    if (algorithm == 0)
        algorithm = MV_AUDIO_DEFAULT_ALGORITHM;
    if (path == NULL || !isfinite(o->length_s) || o->length_s < 0 || algorithm < 1 ||
        algorithm > 5 || !(o->timeout_s >= 0) || (raw != NULL && raw_len == NULL))
        return MV_EINVAL;
    ChromaprintContext *ctx = chromaprint_new(algorithm - 1);
    if (ctx == NULL)
        return MV_ENOMEM;
    mv_status st = run(ctx, path, o, duration);
    if (st == MV_OK && raw != NULL)
        st = copy_raw(ctx, raw, raw_len);
    if (st == MV_OK && fingerprint != NULL)
        st = copy_string(ctx, fingerprint);
    chromaprint_free(ctx);
    if (st != MV_OK) {
        if (raw != NULL) {
            mv__free(*raw);
            *raw = NULL;
            *raw_len = 0;
        }
        if (duration != NULL)
            *duration = 0.0;
    }
    return st;
}
