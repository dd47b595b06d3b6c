/*
 * The audio side of `mediavault fingerprint`: Chromaprint fingerprints through
 * mv_audio_chromaprint_file(), printed as text, JSON, or exactly as `fpcalc`
 * prints them (--format fpcalc: DURATION=/FINGERPRINT= lines, a blank line
 * between files).
 *
 * Audio is not cached in the catalog (the results are long strings that the
 * mv_fp result has no room for). One file is computed on a worker of the
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
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fp_audio.h"
#include "mediavault/alloc.h"
#include "mediavault/audio.h"

static const char *reason(const struct cli_fp_audio *o, mv_status st, char *buf, size_t size)
{
    switch (st) {
    case MV_ENOTSUP:
        if (cli_media_missing() != NULL)
            return cli_media_missing();
        return "no audio stream (not a media file with audio FFmpeg can decode)";
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

static void print_one(const struct cli_fp_audio *o, const char *path, const char *fp,
                      const uint32_t *raw, size_t len, double duration, size_t printed)
{
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
        printf("%s, \"duration\": %.2f, \"length\": %g, \"chromaprint_algorithm\": %d}",
               raw ? "]" : "\"", duration, o->length, o->algorithm);
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

void cli_fp_audio_compute(const struct cli_fp_audio *o, const char *path,
                          struct cli_fp_audio_result *r)
{
    const mv_audio_options opts = { .length_s = o->length,
                                    .algorithm = o->algorithm,
                                    .timeout_s = o->timeout,
                                    .threads = o->threads };

    r->st = mv_audio_chromaprint_file_opts(path, &opts, o->raw ? NULL : &r->fp, &r->duration,
                                           o->raw ? &r->raw : NULL, &r->len);
}

int cli_fp_audio_emit(const struct cli_fp_audio *o, const char *path, struct cli_fp_audio_result *r,
                      size_t *printed)
{
    int rc = CLI_EXIT_OK;

    if (r->st == MV_OK) {
        print_one(o, path, r->fp, r->raw, r->len, r->duration, *printed);
    } else {
        print_error(o, path, r->st, *printed);
        rc = r->st == MV_ENOMEM ? CLI_EXIT_SYSTEM : CLI_EXIT_SOME_FAILED;
    }
    *printed += r->st == MV_OK || o->fmt == CLI_AUDIO_JSON;
    mv_free(r->fp);
    mv_free(r->raw);
    r->fp = NULL;
    r->raw = NULL;
    return rc;
}
