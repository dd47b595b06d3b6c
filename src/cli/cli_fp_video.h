/*
 * `mediavault fingerprint` for video (vPDQ), kept apart from the image and
 * text path of cli_fingerprint.c, as cli_fp_audio.c is for audio.
 */
#ifndef MV_CLI_FP_VIDEO_H
#define MV_CLI_FP_VIDEO_H

#include <stddef.h>
#include <stdint.h>

enum cli_fp_video_mode { CLI_VIDEO_AUTO, CLI_VIDEO_ON, CLI_VIDEO_OFF };
enum cli_fp_video_fmt { CLI_VIDEO_TEXT, CLI_VIDEO_JSON, CLI_VIDEO_VPDQ };

struct cli_fp_video {
    enum cli_fp_video_mode mode; /* --type video: ON; image/text/audio: OFF */
    enum cli_fp_video_fmt fmt;
    double every;   /* --every, seconds; 0 = every frame */
    size_t size;    /* --size: 0 = native, else N x N */
    size_t threads; /* from --jobs; 0 = one per CPU */
};

/* 1 when the first bytes are a video container: MP4/QuickTime (ftyp of a video
 * brand), Matroska/WebM, AVI, FLV with video, MPEG-TS/M2TS; never text. */
int cli_fp_video_sniff(const uint8_t *head, size_t len);

/* 1 when the video path should take these inputs: --type video or
 * --format vpdq, or --type auto and every input sniffs as video. */
int cli_fp_video_wanted(const struct cli_fp_video *o, char **paths, size_t n);

/* Fingerprints every input, printing in argument order; returns the exit status. */
int cli_fp_video_run(const struct cli_fp_video *o, char **paths, size_t n);

#endif
