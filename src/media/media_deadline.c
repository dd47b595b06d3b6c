/*
 * The per-file time limit of audio and video decoding (MEDIAVAULT_TIMEOUT in
 * the program): bad media must end in an error, never in a hang.
 *
 * Two checks share one deadline. FFmpeg calls an AVIOInterruptCB from every
 * blocking read and from its probing loops, so a demuxer that keeps reading
 * (or waits on slow storage) stops with AVERROR_EXIT once the deadline has
 * passed; the decode loops of media_audio.c and media_video.c check the same
 * deadline once per packet and per frame, which covers a small file that
 * decodes slowly and never reads. Reading the monotonic clock costs tens of
 * nanoseconds, nothing next to a packet. The callers turn both into
 * MV_ETIMEDOUT; what was decoded until then is discarded, so a timed-out file
 * has no partial result. mv_media_cancel() makes every deadline pass at once
 * (core_cancel.c): the same checks then end the decodes in flight, which is
 * how a program stops them on SIGINT. Before any of that, only a regular file is handed to
 * FFmpeg: opening a FIFO or a device can block for ever, before a deadline can
 * be checked.
 */
#include <errno.h>
#include <math.h>
#include <sys/stat.h>
#include <time.h>

#include <libavformat/avformat.h>

#include "../core/core.h"
#include "media_deadline.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

mv_status mv__deadline_start(mv__deadline *d, double timeout_s)
{
    d->at = 0.0;
    if (!(timeout_s >= 0.0))
        return MV_EINVAL;
    if (timeout_s > 0.0 && isfinite(timeout_s))
        d->at = now_s() + timeout_s;
    return MV_OK;
}

int mv__deadline_passed(const mv__deadline *d)
{
    return mv__media_canceled() || (d->at > 0.0 && now_s() >= d->at);
}

static int interrupt(void *arg)
{
    return mv__deadline_passed(arg);
}

int mv__deadline_open_input(AVFormatContext **fmt, const char *path, mv__deadline *d)
{
    AVFormatContext *ctx = avformat_alloc_context();

    if (ctx == NULL)
        return AVERROR(ENOMEM);
    ctx->interrupt_callback.callback = interrupt;
    ctx->interrupt_callback.opaque = d;
    *fmt = ctx;
    return avformat_open_input(fmt, path, NULL, NULL); /* frees ctx on failure */
}

mv_status mv__media_check_path(const char *path)
{
    struct stat sb;

    if (stat(path, &sb) != 0)
        return mv_status_from_errno(errno);
    if (S_ISDIR(sb.st_mode))
        return MV_EISDIR;
    return S_ISREG(sb.st_mode) ? MV_OK : MV_ENOTREG;
}
