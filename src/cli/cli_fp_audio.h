/*
 * `mediavault fingerprint` for audio (Chromaprint), kept apart from the image
 * and text path of cli_fingerprint.c.
 */
#ifndef MV_CLI_FP_AUDIO_H
#define MV_CLI_FP_AUDIO_H

#include <stddef.h>

enum cli_fp_audio_mode { CLI_AUDIO_AUTO, CLI_AUDIO_ON, CLI_AUDIO_OFF };
enum cli_fp_audio_fmt { CLI_AUDIO_TEXT, CLI_AUDIO_JSON, CLI_AUDIO_FPCALC };

struct cli_fp_audio {
    enum cli_fp_audio_mode mode; /* --type audio: ON; image/text: OFF */
    enum cli_fp_audio_fmt fmt;
    double length; /* --length, seconds; 0 = whole file */
    int raw;       /* --raw */
    int algorithm; /* --algorithm 1..5 (fpcalc's numbering) */
};

/* 1 when the audio path should take these inputs: --type audio or
 * --format fpcalc, or --type auto and every input sniffs as audio. */
int cli_fp_audio_wanted(const struct cli_fp_audio *o, char **paths, size_t n);

/* Fingerprints every input, printing in argument order; returns the exit status. */
int cli_fp_audio_run(const struct cli_fp_audio *o, char **paths, size_t n);

#endif
