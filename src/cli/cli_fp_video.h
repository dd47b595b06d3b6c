/*
 * `mediavault fingerprint` for video (vPDQ), kept apart from the image and
 * text path of cli_fingerprint.c, as cli_fp_audio.c is for audio.
 */
#ifndef MV_CLI_FP_VIDEO_H
#define MV_CLI_FP_VIDEO_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "cli_fp_cache.h"
#include "mediavault/digest.h"
#include "mediavault/vpdq.h"

enum cli_fp_video_mode { CLI_VIDEO_AUTO, CLI_VIDEO_ON, CLI_VIDEO_OFF };
enum cli_fp_video_fmt { CLI_VIDEO_TEXT, CLI_VIDEO_JSON, CLI_VIDEO_VPDQ };

struct cli_fp_video {
    enum cli_fp_video_mode mode; /* --type video: ON; image/text/audio: OFF */
    enum cli_fp_video_fmt fmt;
    double every;               /* --every, seconds; 0 = every frame */
    size_t size;                /* --size: 0 = native, else N x N */
    size_t threads;             /* PDQ workers per file, from --jobs; 0 = one per CPU */
    size_t max_pixels;          /* --max-pixels; 0 = the library's default */
    double timeout;             /* MEDIAVAULT_TIMEOUT, seconds per file; 0 = none */
    struct cli_fp_cache *cache; /* NULL or no catalog in it: not cached */
    const atomic_int *cancel;   /* NULL, or nonzero once the run must stop */
};

/* One file's outcome, from cli_fp_video_compute() to cli_fp_video_emit(). */
struct cli_fp_video_result {
    mv_status st;          /* MV_ECANCELED: stopped by *cancel, nothing to print */
    mv_vpdq_frame *frames; /* malloc() */
    size_t count;
    mv_vpdq_info info;
    char md5[2 * MV_MD5_LEN + 1]; /* --format json only */
    double ms;
    int cached; /* from the catalog */
};

/* 1 when the first bytes are a video container: MP4/QuickTime (ftyp of a video
 * brand), Matroska/WebM, AVI, FLV with video, MPEG-TS/M2TS; never text. */
int cli_fp_video_sniff(const uint8_t *head, size_t len);

/* Reads up to size first bytes of a regular file, without blocking on a FIFO or a
 * device (those give 0, as does a file that cannot be read); returns the count. */
size_t cli_fp_read_head(const char *path, uint8_t *head, size_t size);

/* Fingerprints one file into r (zeroed by the caller), from the catalog when
 * o->cache has it; safe on any thread. */
void cli_fp_video_compute(const struct cli_fp_video *o, const char *path,
                          struct cli_fp_video_result *r);

/* Prints r (or its error on stderr, and as a JSON object) and releases it; *printed
 * counts what went to stdout, for the separators. Returns the exit status it deserves. */
int cli_fp_video_emit(const struct cli_fp_video *o, const char *path, struct cli_fp_video_result *r,
                      size_t *printed);

#endif
