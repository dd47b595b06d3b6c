/*
 * `mediavault fingerprint` for audio (Chromaprint), kept apart from the image
 * and text path of cli_fingerprint.c.
 */
#ifndef MV_CLI_FP_AUDIO_H
#define MV_CLI_FP_AUDIO_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_fp_cache.h"
#include "mediavault/digest.h"
#include "mediavault/error.h"

enum cli_fp_audio_mode { CLI_AUDIO_AUTO, CLI_AUDIO_ON, CLI_AUDIO_OFF };
enum cli_fp_audio_fmt { CLI_AUDIO_TEXT, CLI_AUDIO_JSON, CLI_AUDIO_FPCALC };

struct cli_fp_audio {
    enum cli_fp_audio_mode mode; /* --type audio: ON; image/text: OFF */
    enum cli_fp_audio_fmt fmt;
    double length;              /* --length, seconds; 0 = whole file */
    int raw;                    /* --raw */
    int algorithm;              /* --algorithm 1..5 (fpcalc's numbering) */
    double timeout;             /* MEDIAVAULT_TIMEOUT, seconds per file; 0 = none */
    int threads;                /* per file, from cli_fp_audio_threads(); 0 or 1 = one */
    struct cli_fp_cache *cache; /* NULL or no catalog in it: not cached */
    const atomic_int *cancel;   /* NULL, or nonzero once the run must stop */
};

/* One file's outcome, from cli_fp_audio_compute() to cli_fp_audio_emit(). */
struct cli_fp_audio_result {
    mv_status st;
    char *fp;      /* the string, or NULL with --raw */
    uint32_t *raw; /* --raw: the integers */
    size_t len;
    double duration;
    char md5[2 * MV_MD5_LEN + 1]; /* --format json only */
    double ms;
    int cached; /* fp and raw came from the catalog (malloc()), not the decoder */
};

/* Threads for one file when `workers` files are fingerprinted at once under
 * --jobs `jobs`: 2 (decoding on a thread of its own) when every worker has a
 * spare job and a spare CPU, else 1, so that a batch never oversubscribes. */
int cli_fp_audio_threads(long jobs, size_t workers);

/* Fingerprints one file into r (zeroed by the caller), from the catalog when
 * o->cache has it; safe on any thread. */
void cli_fp_audio_compute(const struct cli_fp_audio *o, const char *path,
                          struct cli_fp_audio_result *r);

/* Prints r (or its error on stderr, and as a JSON object) and releases it; *printed
 * counts what went to stdout, for the separators. Returns the exit status it deserves. */
int cli_fp_audio_emit(const struct cli_fp_audio *o, const char *path, struct cli_fp_audio_result *r,
                      size_t *printed);

/* Releases what r holds without printing it (a run stopped before it). */
void cli_fp_audio_release(struct cli_fp_audio_result *r);

#endif
