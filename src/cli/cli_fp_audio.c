/*
 * The audio side of `mediavault fingerprint`: Chromaprint fingerprints through
 * mv_audio_chromaprint_file(), printed as text, JSON, or exactly as `fpcalc`
 * prints them (--format fpcalc: DURATION=/FINGERPRINT= lines, a blank line
 * between files).
 *
 * Results are cached in the catalog by content (cli_fp_cache.c), under the
 * algorithm name "chromaprint+algA+lenL" (A: --algorithm, L: --length in
 * seconds, 0 = all), version CACHE_VERSION; both forms are computed and kept,
 * so that --raw and the string are answered from one row. The value
 * (big-endian): the duration (IEEE 754 double, 8 bytes), the number N of raw
 * integers (8 bytes), the N integers (4 bytes each), then the base64 string
 * (the rest, no NUL). Only a complete result is stored: an error or a timeout
 * stores nothing, nor does a call that returned past its deadline or after
 * the run was stopped (mv_media_cancel() ends a decode as a deadline does). One file
 * is computed on a worker of the
 * batch (cli_fp_batch.c, one file per worker: decoding dominates and each
 * file is independent) and printed later on the calling thread, so the two
 * halves are separate functions around a result struct. Errors go to stderr
 * as `mediavault: PATH: reason` and the other inputs go on (fpcalc stops at
 * the first); the exit status is then 1. A file gets a second thread (decode
 * apart from resampling and Chromaprint) only when the batch leaves a job and
 * a CPU free for it: one file alone on two cores, never a full batch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fp_audio.h"
#include "mediavault/alloc.h"
#include "mediavault/audio.h"

/* Bumped when the stored layout or the computation changes; older rows stay
 * for older programs. */
#define CACHE_VERSION 1
#define ALGO_MAX      64
#define HEAD_LEN      16 /* duration, then the number of integers */

static const char *reason(const struct cli_fp_audio *o, mv_status st, char *buf, size_t size)
{
    switch (st) {
    case MV_ENOTSUP: {
        const char *missing = cli_media_missing(MV_MEDIA_KIND_MEDIA);
        if (missing != NULL)
            return missing;
        return "no audio stream (not a media file with audio FFmpeg can decode)";
    }
    case MV_ECORRUPT:
        return "corrupt, truncated or too short audio";
    case MV_ETIMEDOUT:
        snprintf(buf, size, "timed out after %g s (MEDIAVAULT_TIMEOUT)", o->timeout);
        return buf;
    default:
        return mv_strerror(st);
    }
}

/* The fingerprint as fpcalc prints it: base64, or the integers with commas. */
static void put_fp(const char *fp, const uint32_t *raw, size_t len)
{
    if (raw == NULL) {
        fputs(fp, stdout);
        return;
    }
    for (size_t i = 0; i < len; i++)
        printf(i ? ",%u" : "%u", (unsigned)raw[i]);
}

static void print_one(const struct cli_fp_audio *o, const char *path,
                      const struct cli_fp_audio_result *r, size_t printed)
{
    const char *fp = r->fp;
    const uint32_t *raw = o->raw ? r->raw : NULL;
    const size_t len = r->len;
    const double duration = r->duration;

    if (o->fmt == CLI_AUDIO_FPCALC) {
        printf("%sDURATION=%d\nFINGERPRINT=", printed ? "\n" : "", (int)duration);
        put_fp(fp, raw, len);
        fputc('\n', stdout);
    } else if (o->fmt == CLI_AUDIO_JSON) {
        fputs(printed ? ",\n  {\"path\": " : "  {\"path\": ", stdout);
        cli_json_bytes(stdout, (const uint8_t *)path, strlen(path));
        fputs(", \"type\": \"audio\", \"algorithm\": \"chromaprint\", \"fingerprint\": ", stdout);
        fputs(raw ? "[" : "\"", stdout);
        put_fp(fp, raw, len);
        printf("%s, \"duration\": %.2f, \"length\": %g, \"chromaprint_algorithm\": %d",
               raw ? "]" : "\"", duration, o->length, o->algorithm);
        printf(", \"md5\": \"%s\", \"processing_time_ms\": %.3f, \"cached\": %s}", r->md5, r->ms,
               r->cached ? "true" : "false");
    } else {
        fputs("chromaprint ", stdout);
        put_fp(fp, raw, len);
        printf(" %d ", (int)duration);
        cli_text_bytes(stdout, "", (const uint8_t *)path, strlen(path));
    }
}

static void print_error(const struct cli_fp_audio *o, const char *path, mv_status st,
                        size_t printed)
{
    char buf[96];
    const char *why = reason(o, st, buf, sizeof(buf));

    fflush(stdout);
    cli_error(path, "%s", why);
    if (o->fmt == CLI_AUDIO_JSON)
        cli_json_error(stdout, path, why, printed == 0);
}

int cli_fp_audio_threads(long jobs, size_t workers)
{
    const long cpus = sysconf(_SC_NPROCESSORS_ONLN);

    if (workers == 0 || jobs < 2 || cpus < 2)
        return 1;
    return (size_t)jobs / workers >= 2 && (size_t)cpus / workers >= 2 ? 2 : 1;
}

static void algo_name(const struct cli_fp_audio *o, char out[ALGO_MAX])
{
    snprintf(out, ALGO_MAX, "chromaprint+alg%d+len%.17g", o->algorithm, o->length);
}

/* The stored value of a complete result (malloc()); NULL when out of memory. */
static uint8_t *pack(const struct cli_fp_audio_result *r, size_t *len)
{
    const size_t fp_len = strlen(r->fp);
    uint8_t *v = malloc(HEAD_LEN + 4 * r->len + fp_len), *at = v;

    if (v == NULL)
        return NULL;
    cli_fp_put_f64(&at, r->duration);
    cli_fp_put_u64(&at, r->len);
    for (size_t i = 0; i < r->len; i++)
        for (int b = 3; b >= 0; b--)
            *at++ = (uint8_t)(r->raw[i] >> (8 * b));
    memcpy(at, r->fp, fp_len);
    *len = HEAD_LEN + 4 * r->len + fp_len;
    return v;
}

/* r from a stored value; 0 (r untouched) when the value is not one pack() wrote. */
static int unpack(const uint8_t *v, size_t len, struct cli_fp_audio_result *r)
{
    const uint8_t *at = v;

    if (len < HEAD_LEN)
        return 0;
    const double duration = cli_fp_get_f64(&at);
    const uint64_t n = cli_fp_get_u64(&at);
    if (n == 0 || n > (len - HEAD_LEN) / 4)
        return 0;
    const size_t fp_len = len - HEAD_LEN - 4 * (size_t)n;
    if (fp_len == 0 || memchr(at + 4 * n, 0, fp_len) != NULL)
        return 0;
    uint32_t *raw = malloc(4 * (size_t)n);
    char *fp = malloc(fp_len + 1);
    if (raw == NULL || fp == NULL) {
        free(raw);
        free(fp);
        return 0;
    }
    for (size_t i = 0; i < n; i++, at += 4)
        raw[i] = (uint32_t)at[0] << 24 | (uint32_t)at[1] << 16 | (uint32_t)at[2] << 8 | at[3];
    memcpy(fp, at, fp_len);
    fp[fp_len] = '\0';
    r->duration = duration;
    r->len = (size_t)n;
    r->raw = raw;
    r->fp = fp;
    r->cached = 1;
    return 1;
}

void cli_fp_audio_compute(const struct cli_fp_audio *o, const char *path,
                          struct cli_fp_audio_result *r)
{
    const mv_audio_options opts = { .length_s = o->length,
                                    .algorithm = o->algorithm,
                                    .timeout_s = o->timeout,
                                    .threads = o->threads };
    const double start = cli_fp_now_ms();
    const int cache = o->cache != NULL && o->cache->cat != NULL;
    struct cli_fp_content content = { 0 };
    char algo[ALGO_MAX];
    uint8_t *v = NULL;
    size_t len = 0;

    algo_name(o, algo);
    if (cache || o->fmt == CLI_AUDIO_JSON)
        cli_fp_content_of(path, &content);
    if (cli_fp_cache_get(o->cache, &content, algo, CACHE_VERSION, &v, &len) && unpack(v, len, r)) {
        r->st = MV_OK;
    } else {
        /* The limit counts from the decode, as the library's deadline does: a
         * call that returned at or past it may have been cut short. */
        const double decode_start = cli_fp_now_ms();
        /* Both forms, so that a stored row answers --raw and the string alike. */
        r->st = mv_audio_chromaprint_file_opts(path, &opts, &r->fp, &r->duration, &r->raw, &r->len);
        if (r->st == MV_OK && cache && cli_fp_complete(decode_start, o->timeout, o->cancel)) {
            size_t packed_len = 0;
            uint8_t *packed = pack(r, &packed_len);
            cli_fp_cache_put(o->cache, path, &content, algo, CACHE_VERSION, packed, packed_len);
        }
    }
    free(v);
    cli_fp_result_md5(&content, o->fmt == CLI_AUDIO_JSON, &r->st, r->md5);
    r->ms = cli_fp_now_ms() - start;
}

int cli_fp_audio_emit(const struct cli_fp_audio *o, const char *path, struct cli_fp_audio_result *r,
                      size_t *printed)
{
    int rc = CLI_EXIT_OK;

    if (r->st == MV_OK) {
        print_one(o, path, r, *printed);
    } else {
        print_error(o, path, r->st, *printed);
        rc = r->st == MV_ENOMEM ? CLI_EXIT_SYSTEM : CLI_EXIT_SOME_FAILED;
    }
    *printed += r->st == MV_OK || o->fmt == CLI_AUDIO_JSON;
    cli_fp_audio_release(r);
    return rc;
}

void cli_fp_audio_release(struct cli_fp_audio_result *r)
{
    if (r->cached) {
        free(r->fp);
        free(r->raw);
    } else {
        mv_free(r->fp);
        mv_free(r->raw);
    }
    r->fp = NULL;
    r->raw = NULL;
}
