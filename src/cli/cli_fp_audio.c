/*
 * The audio side of `mediavault fingerprint`: Chromaprint fingerprints through
 * mv_audio_chromaprint_file(), printed as text, JSON, or exactly as `fpcalc`
 * prints them (--format fpcalc: DURATION=/FINGERPRINT= lines, a blank line
 * between files).
 *
 * Audio is not cached in the catalog and runs in this thread: decoding
 * dominates and each file is independent, but the results are long strings
 * that the mv_fp result has no room for. Errors go to stderr as
 * `mediavault: PATH: reason` and the other inputs go on (fpcalc stops at the
 * first); the exit status is then 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cli_fp_audio.h"
#include "mediavault/alloc.h"
#include "mediavault/audio.h"

#define SNIFF_BYTES 64

static int sniff_file(const char *path)
{
    uint8_t head[SNIFF_BYTES];
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return 0;
    const size_t n = fread(head, 1, sizeof(head), f);
    fclose(f);
    return mv_audio_sniff(head, n);
}

int cli_fp_audio_wanted(const struct cli_fp_audio *o, char **paths, size_t n)
{
    if (o->mode == CLI_AUDIO_ON || o->fmt == CLI_AUDIO_FPCALC)
        return 1;
    if (o->mode == CLI_AUDIO_OFF || n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!sniff_file(paths[i]))
            return 0;
    return 1;
}

static const char *reason(mv_status st)
{
    switch (st) {
    case MV_ENOTSUP:
        if (cli_media_missing() != NULL)
            return cli_media_missing();
        return "no audio stream (not a media file with audio FFmpeg can decode)";
    case MV_ECORRUPT:
        return "corrupt, truncated or too short audio";
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
    fflush(stdout);
    cli_error(path, "%s", reason(st));
    if (o->fmt == CLI_AUDIO_JSON)
        cli_json_error(stdout, path, reason(st), printed == 0);
}

int cli_fp_audio_run(const struct cli_fp_audio *o, char **paths, size_t n)
{
    size_t printed = 0;
    int rc = CLI_EXIT_OK;

    if (o->fmt == CLI_AUDIO_JSON)
        fputs("[\n", stdout);
    for (size_t i = 0; i < n; i++) {
        char *fp = NULL;
        uint32_t *raw = NULL;
        size_t len = 0;
        double duration = 0;
        const mv_status st =
            mv_audio_chromaprint_file(paths[i], o->length, o->algorithm, o->raw ? NULL : &fp,
                                      &duration, o->raw ? &raw : NULL, &len);
        if (st == MV_OK) {
            print_one(o, paths[i], fp, raw, len, duration, printed);
        } else {
            print_error(o, paths[i], st, printed);
            const int e = st == MV_ENOMEM ? CLI_EXIT_SYSTEM : CLI_EXIT_SOME_FAILED;
            rc = e > rc ? e : rc;
        }
        printed += st == MV_OK || o->fmt == CLI_AUDIO_JSON;
        mv_free(fp);
        mv_free(raw);
    }
    if (o->fmt == CLI_AUDIO_JSON)
        fputs(printed ? "\n]\n" : "]\n", stdout);
    fflush(stdout);
    return rc;
}
