/*
 * Video decoding for vPDQ: the best video stream of a file, decoded by FFmpeg
 * frame by frame, with frames counted in decode order from 0 as the vPDQ
 * reference counts them.
 *
 * The decoder runs FFmpeg's own frame and slice threads, so decoding overlaps
 * with whatever the caller does with the frames (fp_vpdq.c converts and hashes
 * them on a pool). Only frames whose number is a multiple of the caller's
 * interval leave this file; the others are released as soon as they come out of
 * the decoder and are never colour-converted. Frames are handed over by moving
 * their references, so memory stays bounded by the decoder's own frame pool and
 * however many frames the caller holds.
 *
 * Bad input: a container FFmpeg cannot open is MV_ECORRUPT; a file without a
 * video stream (or whose only picture is cover art) is MV_ENOTSUP. A demuxing
 * error after the start (a truncated MP4) ends the stream as if it were the end
 * of the file and is reported through mv__video_truncated(), as is a stream that
 * ends with fewer frames than its index promised; packets the decoder
 * rejects as invalid are skipped, as the ffmpeg program does. A frame larger
 * than the caller's pixel limit (from the stream header) is MV_ETOOBIG before
 * any frame is allocated. A time limit (media_deadline.c) interrupts FFmpeg's
 * reads and is checked once per packet and frame: past it, MV_ETIMEDOUT.
 */
#include <errno.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/log.h>

#include "../core/core.h"
#include "media_deadline.h"
#include "media_video.h"
#include "mediavault/pdq.h"

struct mv__video {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    int stream;
    int draining;
    int truncated;
    uint64_t decoded;
    unsigned errors; /* decoding errors so far */
    mv__deadline deadline;
};

/* Decoding errors tolerated in one stream before it is called corrupt. */
#define MAX_DECODE_ERRORS 10000u

/* AVERROR(errno) values are small negatives; FFmpeg's own tags are large ones. */
static mv_status status_from_av(int ret)
{
    if (ret == AVERROR(ENOMEM))
        return MV_ENOMEM;
    if (ret == AVERROR_EXIT) /* only the deadline's interrupt callback stops FFmpeg */
        return MV_ETIMEDOUT;
    if (ret < 0 && ret > -4096)
        return mv_status_from_errno(-ret);
    return MV_ECORRUPT;
}

static mv_status open_input(mv__video *v, const char *path)
{
    const mv_status st = mv__media_check_path(path);
    if (st != MV_OK)
        return st;
    int ret = mv__deadline_open_input(&v->fmt, path, &v->deadline);
    if (ret < 0)
        return status_from_av(ret);
    ret = avformat_find_stream_info(v->fmt, NULL);
    if (ret < 0)
        return ret == AVERROR(ENOMEM) || ret == AVERROR_EXIT ? status_from_av(ret) : MV_ECORRUPT;
    return mv__deadline_passed(&v->deadline) ? MV_ETIMEDOUT : MV_OK;
}

static mv_status open_decoder(mv__video *v, int threads, size_t max_pixels)
{
    const AVCodec *codec = NULL;
    const int idx = av_find_best_stream(v->fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);

    if (idx < 0 || codec == NULL)
        return MV_ENOTSUP;
    const AVStream *st = v->fmt->streams[idx];
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC)
        return MV_ENOTSUP;
    const AVCodecParameters *par = st->codecpar;
    if (par->width > 0 && par->height > 0 && (size_t)par->width > max_pixels / (size_t)par->height)
        return MV_ETOOBIG;
    v->stream = idx;
    v->dec = avcodec_alloc_context3(codec);
    if (v->dec == NULL)
        return MV_ENOMEM;
    if (avcodec_parameters_to_context(v->dec, par) < 0)
        return MV_ECORRUPT;
    v->dec->thread_count = threads;
    v->dec->thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE;
    const int ret = avcodec_open2(v->dec, codec, NULL);
    if (ret < 0)
        return ret == AVERROR(ENOMEM) ? MV_ENOMEM : MV_ENOTSUP;
    return MV_OK;
}

mv_status mv__video_open(const char *path, const mv__video_limits *limits, mv__video **out)
{
    if (path == NULL || out == NULL || limits == NULL || limits->threads < 0)
        return MV_EINVAL;
    *out = NULL;
    av_log_set_level(AV_LOG_QUIET); /* the library never writes to stderr */
    mv__video *v = mv__calloc(1, sizeof(*v));
    if (v == NULL)
        return MV_ENOMEM;
    mv_status st = mv__deadline_start(&v->deadline, limits->timeout_s);
    if (st == MV_OK)
        st = open_input(v, path);
    if (st == MV_OK)
        st = open_decoder(v, limits->threads,
                          limits->max_pixels ? limits->max_pixels : MV_PDQ_DEFAULT_MAX_PIXELS);
    if (st == MV_OK) {
        v->pkt = av_packet_alloc();
        v->frame = av_frame_alloc();
        if (v->pkt == NULL || v->frame == NULL)
            st = MV_ENOMEM;
    }
    if (st != MV_OK) {
        mv__video_close(v);
        return st;
    }
    *out = v;
    return MV_OK;
}

double mv__video_duration(const mv__video *v)
{
    if (v->fmt->duration != AV_NOPTS_VALUE && v->fmt->duration > 0)
        return (double)v->fmt->duration / AV_TIME_BASE;
    const AVStream *st = v->fmt->streams[v->stream];
    if (st->duration != AV_NOPTS_VALUE && st->duration > 0)
        return (double)st->duration * av_q2d(st->time_base);
    return 0.0;
}

double mv__video_frame_rate(const mv__video *v)
{
    const AVStream *st = v->fmt->streams[v->stream];

    if (st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0)
        return av_q2d(st->avg_frame_rate);
    if (st->r_frame_rate.num > 0 && st->r_frame_rate.den > 0)
        return av_q2d(st->r_frame_rate);
    return 0.0;
}

/* Feeds the decoder one packet of the stream, or starts draining at the end. */
static mv_status feed(mv__video *v)
{
    int ret = av_read_frame(v->fmt, v->pkt);

    if (ret < 0) {
        /* A system error (EIO from a failing disk or a network file system)
           is the error of the moment, not a stream cut short: it is returned,
           never reported as a truncated stream (which the cache would keep). */
        if (ret == AVERROR_EXIT || (ret < 0 && ret > -4096 && ret != AVERROR(EINVAL)))
            return status_from_av(ret);
        if (ret != AVERROR_EOF)
            v->truncated = 1;
        v->draining = 1;
        ret = avcodec_send_packet(v->dec, NULL);
        return ret < 0 && ret != AVERROR_EOF ? MV_ECORRUPT : MV_OK;
    }
    if (v->pkt->stream_index == v->stream)
        ret = avcodec_send_packet(v->dec, v->pkt);
    av_packet_unref(v->pkt);
    /* An invalid packet is skipped; the decoder resynchronises on the next keyframe. */
    return ret == AVERROR(ENOMEM) ? MV_ENOMEM : MV_OK;
}

mv_status mv__video_next(mv__video *v, uint64_t interval, AVFrame *out, uint64_t *number, int *eof)
{
    if (v == NULL || out == NULL || number == NULL || eof == NULL || interval == 0)
        return MV_EINVAL;
    *eof = 0;
    for (;;) {
        if (mv__deadline_passed(&v->deadline))
            return MV_ETIMEDOUT;
        const int ret = avcodec_receive_frame(v->dec, v->frame);
        if (ret == 0) {
            const uint64_t n = v->decoded++;
            if (n % interval == 0) {
                av_frame_move_ref(out, v->frame);
                *number = n;
                return MV_OK;
            }
            av_frame_unref(v->frame);
            continue;
        }
        if (ret == AVERROR_EOF || (ret == AVERROR(EAGAIN) && v->draining)) {
            *eof = 1;
            return MV_OK;
        }
        if (ret == AVERROR(ENOMEM))
            return MV_ENOMEM;
        /* A frame the decoder could not rebuild is dropped, not counted, as ffmpeg does;
         * the cap keeps a decoder that only ever fails from spinning forever. */
        if (ret != AVERROR(EAGAIN) && ++v->errors > MAX_DECODE_ERRORS)
            return MV_ECORRUPT;
        const mv_status st = feed(v);
        if (st != MV_OK)
            return st;
    }
}

uint64_t mv__video_decoded(const mv__video *v)
{
    return v->decoded;
}

int mv__video_truncated(const mv__video *v)
{
    /* A truncated MP4 usually just ends early: its index still counts every frame. */
    const int64_t expected = v->fmt->streams[v->stream]->nb_frames;
    return v->truncated || (v->draining && expected > 0 && v->decoded < (uint64_t)expected);
}

void mv__video_close(mv__video *v)
{
    if (v == NULL)
        return;
    av_frame_free(&v->frame);
    av_packet_free(&v->pkt);
    avcodec_free_context(&v->dec);
    avformat_close_input(&v->fmt);
    mv__free(v);
}
