/*
 * Audio decoding for fingerprints: the best audio stream of a file, through
 * FFmpeg, as interleaved int16 samples at the rate and channel count the
 * caller asks for.
 *
 * It is shaped after what `fpcalc` (Chromaprint's program) does, because the
 * fingerprints must match its output bit for bit: the decoder is asked for
 * S16; when the decoder's format, rate or channel count differ from the target
 * the frames go through swresample with fpcalc's "compatible" settings (SWR
 * engine, 16-tap filter, phase shift 8, linear interpolation, cutoff 0.8;
 * the internal sample format is left to swresample, as fpcalc 1.5.1 leaves
 * it). At the end the decoder is drained but swresample is not: fpcalc 1.5.1
 * (Debian's, on FFmpeg 5) stops at the decoder's end of stream, which it
 * reports as an error, so the few samples swresample still holds never reach
 * Chromaprint; dropping them too keeps the match. A decode error on the first
 * packet is skipped (fpcalc tolerates one there); any later one
 * ends the stream with MV_ECORRUPT. The decoder's delay and padding are left
 * to FFmpeg (the skip-samples side data), as fpcalc leaves them. The duration
 * is the stream's, else the container's, in whole milliseconds.
 *
 * Only regular files are opened, so a FIFO or a device never blocks us, and
 * a time limit (media_deadline.c) bounds the rest: a file still decoding when
 * it passes ends in MV_ETIMEDOUT.
 *
 * With two threads asked for, one file becomes a two-stage pipeline: a decode
 * thread reads packets and decodes them (the larger half of the work on MP3:
 * about two thirds), and the thread that calls mv__audio_read() converts and
 * hands the samples on (swresample, then the caller's Chromaprint). Decoded
 * frames change hands by reference (av_frame_move_ref, no sample copied)
 * through a queue of QUEUE_FRAMES, so the decoder runs at most that far ahead
 * of what is used. The decode thread owns the demuxer and the decoder, the
 * caller owns swresample and the output buffer; the queue, its counters and
 * the stop flag are under one lock. The decode thread ends at the end of the
 * stream or on its first error, which the reader gets after the frames
 * decoded before it, exactly where the one-thread loop would have stopped;
 * closing (or asking for the duration) stops it and joins it, so a reader
 * that stops early (fpcalc's --length, an error of its own) never waits for
 * the rest of the file. The frames and the duration are the same either way.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>

#include "../core/core.h"
#include "media_audio.h"
#include "media_deadline.h"

/* Decoded frames the decode thread may hold ready ahead of the converter (an
 * MP3 frame is 1152 samples, ~26 ms of audio, ~15 us of decoding; 64 of them
 * ~0.6 MB), also bounded in bytes for codecs with large frames. Each side
 * sleeps when it has nothing to do and is woken only once a batch is ready
 * (half the queue) for it: on a virtual machine a wake-up of a sleeping CPU
 * costs about as much as converting a frame, and waking per frame measured
 * slower than one thread (queues of 4-8 frames); 32-256 frames measured alike. */
#define QUEUE_FRAMES 64
#define BATCH_FRAMES (QUEUE_FRAMES / 2)
#define QUEUE_BYTES  ((size_t)4 << 20)

/* The decode thread and what it shares with the reader (threaded mode). */
struct pipe {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;          /* a frame was queued or taken, or the thread ended */
    AVFrame *queue[QUEUE_FRAMES];    /* under lock: count frames from head */
    size_t head, count;              /* under lock */
    size_t bytes;                    /* under lock: sample bytes of the queued frames */
    int ended;                       /* under lock: the decode thread is done */
    int reader_waits, decoder_waits; /* under lock: who sleeps on changed */
    mv_status status;                /* under lock: its outcome, once ended */
    atomic_int stop;                 /* set (under lock too) when the reader is done */
    int joined;
};

struct mv__audio {
    AVFormatContext *fmt;
    AVCodecContext *dec;
    SwrContext *swr; /* NULL when the decoder already gives the target format */
    AVPacket *pkt;
    AVFrame *frame; /* the decoder's output (the decode thread's, when there is one) */
    AVFrame *cur;   /* threaded: the frame being converted, taken from the queue */
    int stream, out_rate, out_channels;
    int draining, done;
    uint64_t packets; /* sent to the decoder */
    int16_t *buf;     /* converted samples */
    size_t cap;       /* frames buf holds */
    mv__deadline deadline;
    struct pipe *pipe; /* NULL: everything on the caller's thread */
};

/* An FFmpeg error as a status; errno-based ones keep their meaning. */
static mv_status from_av(int err, mv_status otherwise)
{
    if (err == AVERROR(ENOMEM))
        return MV_ENOMEM;
    if (err == AVERROR_EXIT) /* only the deadline's interrupt callback stops FFmpeg */
        return MV_ETIMEDOUT;
    if (err < 0 && err > -4096 && err != AVERROR(EINVAL))
        return mv_status_from_errno(-err);
    return otherwise;
}

static mv_status open_decoder(mv__audio *a)
{
    const AVCodec *codec = NULL;
    int rc = av_find_best_stream(a->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);

    if (rc < 0 || codec == NULL)
        return rc == AVERROR(ENOMEM) ? MV_ENOMEM : MV_ENOTSUP;
    a->stream = rc;
    a->dec = avcodec_alloc_context3(codec);
    if (a->dec == NULL)
        return MV_ENOMEM;
    rc = avcodec_parameters_to_context(a->dec, a->fmt->streams[rc]->codecpar);
    if (rc < 0)
        return from_av(rc, MV_ECORRUPT);
    a->dec->pkt_timebase = a->fmt->streams[a->stream]->time_base;
    a->dec->request_sample_fmt = AV_SAMPLE_FMT_S16;
    rc = avcodec_open2(a->dec, codec, NULL);
    if (rc < 0)
        return from_av(rc, MV_ECORRUPT);
    if (a->dec->ch_layout.nb_channels <= 0 || a->dec->sample_rate <= 0)
        return MV_ECORRUPT;
    return MV_OK;
}

/* fpcalc's converter: its settings, the decoder's input, the target output. */
static mv_status open_converter(mv__audio *a)
{
    AVChannelLayout in = { 0 }, out = { 0 };
    int rc;

    if (a->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC)
        av_channel_layout_default(&in, a->dec->ch_layout.nb_channels);
    else if (av_channel_layout_copy(&in, &a->dec->ch_layout) < 0)
        return MV_ENOMEM;
    av_channel_layout_default(&out, a->out_channels);
    rc = swr_alloc_set_opts2(&a->swr, &out, AV_SAMPLE_FMT_S16, a->out_rate, &in, a->dec->sample_fmt,
                             a->dec->sample_rate, 0, NULL);
    av_channel_layout_uninit(&in);
    av_channel_layout_uninit(&out);
    if (rc < 0)
        return from_av(rc, MV_ECORRUPT);
    av_opt_set_int(a->swr, "resampler", SWR_ENGINE_SWR, 0);
    av_opt_set_int(a->swr, "filter_size", 16, 0);
    av_opt_set_int(a->swr, "phase_shift", 8, 0);
    av_opt_set_int(a->swr, "linear_interp", 1, 0);
    /* No "tsf": fpcalc 1.5.1 leaves the internal format to swresample, which
     * works in FLTP for float decoders (MP3, Vorbis, AAC); forcing S16P there
     * rounds before filtering and changes ~30% of output samples by +-1. */
    av_opt_set_double(a->swr, "cutoff", 0.8, 0);
    rc = swr_init(a->swr);
    return rc < 0 ? from_av(rc, MV_ECORRUPT) : MV_OK;
}

static mv_status open_all(mv__audio *a, const char *path)
{
    int rc = mv__deadline_open_input(&a->fmt, path, &a->deadline);

    if (rc < 0)
        return from_av(rc, MV_ENOTSUP);
    rc = avformat_find_stream_info(a->fmt, NULL);
    if (rc < 0)
        return from_av(rc, MV_ECORRUPT);
    mv_status st = open_decoder(a);
    if (st != MV_OK)
        return st;
    a->pkt = av_packet_alloc();
    a->frame = av_frame_alloc();
    if (a->pkt == NULL || a->frame == NULL)
        return MV_ENOMEM;
    if (a->dec->sample_fmt != AV_SAMPLE_FMT_S16 ||
        a->dec->ch_layout.nb_channels != a->out_channels || a->dec->sample_rate != a->out_rate)
        return open_converter(a);
    return MV_OK;
}

/* Room for at least frames frames in a->buf. */
static mv_status reserve(mv__audio *a, size_t frames)
{
    if (frames <= a->cap)
        return MV_OK;
    if (frames > (size_t)INT_MAX / (size_t)a->out_channels)
        return MV_ECORRUPT;
    int16_t *p = mv__realloc(a->buf, frames * (size_t)a->out_channels * sizeof(*p));
    if (p == NULL)
        return MV_ENOMEM;
    a->buf = p;
    a->cap = frames;
    return MV_OK;
}

/* Converts the frame just decoded. */
static mv_status convert(mv__audio *a, const AVFrame *f, const int16_t **samples, size_t *frames)
{
    if (a->swr == NULL) {
        *samples = (const int16_t *)f->data[0];
        *frames = f->nb_samples > 0 ? (size_t)f->nb_samples : 0;
        return MV_OK;
    }
    const int in = f->nb_samples;
    const int want = swr_get_out_samples(a->swr, in);
    mv_status st = reserve(a, want > 8192 ? (size_t)want : 8192);
    if (st != MV_OK)
        return st;
    uint8_t *out[1] = { (uint8_t *)a->buf };
    const int n = swr_convert(a->swr, out, (int)a->cap, (const uint8_t **)f->extended_data, in);
    if (n < 0)
        return MV_ECORRUPT;
    *samples = a->buf;
    *frames = (size_t)n;
    return MV_OK;
}

/* Sends the next packet of our stream, or the end; skips one early decode error. */
static mv_status feed(mv__audio *a)
{
    int rc;

    do {
        av_packet_unref(a->pkt);
        rc = av_read_frame(a->fmt, a->pkt);
        if (rc == AVERROR_EOF) {
            a->draining = 1;
            return avcodec_send_packet(a->dec, NULL) < 0 ? MV_ECORRUPT : MV_OK;
        }
        if (rc < 0)
            return from_av(rc, MV_ECORRUPT);
    } while (a->pkt->stream_index != a->stream);
    rc = avcodec_send_packet(a->dec, a->pkt);
    a->packets++;
    if (rc < 0 && rc != AVERROR(EAGAIN) && a->packets > 1)
        return from_av(rc, MV_ECORRUPT);
    return MV_OK;
}

/* Decodes the next frame into a->frame; *got = 0 at the end of the stream. */
static mv_status decode(mv__audio *a, int *got)
{
    mv_status st = MV_OK;

    *got = 0;
    while (st == MV_OK && !a->done && !*got) {
        if (mv__deadline_passed(&a->deadline))
            return MV_ETIMEDOUT;
        if (a->pipe != NULL && atomic_load_explicit(&a->pipe->stop, memory_order_relaxed))
            return MV_OK; /* the reader is gone: no one wants more */
        const int rc = avcodec_receive_frame(a->dec, a->frame);
        if (rc == 0) {
            *got = 1;
        } else if (rc == AVERROR(EAGAIN) && !a->draining) {
            st = feed(a);
        } else if (rc == AVERROR_EOF || rc == AVERROR(EAGAIN)) {
            a->done = 1; /* fpcalc never drains swresample: neither do we */
        } else if (a->packets > 1) {
            st = from_av(rc, MV_ECORRUPT);
        }
    }
    return st;
}

static size_t frame_bytes(const AVFrame *f)
{
    const int per = av_get_bytes_per_sample(f->format);

    if (f->nb_samples <= 0 || per <= 0 || f->ch_layout.nb_channels <= 0)
        return 0;
    return (size_t)f->nb_samples * (size_t)f->ch_layout.nb_channels * (size_t)per;
}

/* Under lock: no room for one more frame. */
static int queue_full(const struct pipe *p)
{
    return p->count == QUEUE_FRAMES || p->bytes >= QUEUE_BYTES;
}

/* Under lock: a batch is queued, worth waking the reader for. */
static int batch_ready(const struct pipe *p)
{
    return p->count >= BATCH_FRAMES || p->bytes >= QUEUE_BYTES / 2;
}

/* Under lock: room for a batch, worth waking the decoder for. */
static int batch_room(const struct pipe *p)
{
    return p->count <= QUEUE_FRAMES - BATCH_FRAMES && p->bytes < QUEUE_BYTES / 2;
}

/* Queues frame (moved) for the reader; 0 when the reader has stopped. */
static int put(struct pipe *p, AVFrame *frame)
{
    const size_t bytes = frame_bytes(frame);

    pthread_mutex_lock(&p->lock);
    p->decoder_waits = 1;
    while (queue_full(p) && !atomic_load(&p->stop))
        pthread_cond_wait(&p->changed, &p->lock);
    p->decoder_waits = 0;
    const int go = !atomic_load(&p->stop);
    if (go) {
        av_frame_move_ref(p->queue[(p->head + p->count) % QUEUE_FRAMES], frame);
        p->count++;
        p->bytes += bytes;
        if (p->reader_waits && batch_ready(p))
            pthread_cond_signal(&p->changed);
    }
    pthread_mutex_unlock(&p->lock);
    return go;
}

static void *decode_main(void *arg)
{
    mv__audio *a = arg;
    mv_status st;
    int got = 0;

    while ((st = decode(a, &got)) == MV_OK && got && put(a->pipe, a->frame))
        ;
    av_frame_unref(a->frame);
    pthread_mutex_lock(&a->pipe->lock);
    a->pipe->ended = 1;
    a->pipe->status = st;
    pthread_cond_signal(&a->pipe->changed);
    pthread_mutex_unlock(&a->pipe->lock);
    return NULL;
}

/* The next decoded frame from the decode thread into a->cur, in order; *got = 0
 * once it has ended, with its status. */
static mv_status take(mv__audio *a, int *got)
{
    struct pipe *p = a->pipe;
    mv_status st = MV_OK;

    *got = 0;
    av_frame_unref(a->cur);
    if (mv__deadline_passed(&a->deadline))
        return MV_ETIMEDOUT;
    pthread_mutex_lock(&p->lock);
    if (p->count == 0) {
        p->reader_waits = 1;
        while (!batch_ready(p) && !p->ended)
            pthread_cond_wait(&p->changed, &p->lock);
        p->reader_waits = 0;
    }
    if (p->count > 0) {
        av_frame_move_ref(a->cur, p->queue[p->head]);
        p->head = (p->head + 1) % QUEUE_FRAMES;
        p->count--;
        p->bytes -= frame_bytes(a->cur);
        *got = 1;
        if (p->decoder_waits && batch_room(p))
            pthread_cond_signal(&p->changed);
    } else {
        st = p->status;
    }
    pthread_mutex_unlock(&p->lock);
    return st;
}

/* Stops the decode thread and waits for it; then everything is the caller's. */
static void pipe_stop(mv__audio *a)
{
    struct pipe *p = a->pipe;

    if (p == NULL || p->joined)
        return;
    pthread_mutex_lock(&p->lock);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->changed);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    p->joined = 1;
}

static void pipe_free(mv__audio *a)
{
    struct pipe *p = a->pipe;

    if (p == NULL)
        return;
    pipe_stop(a);
    for (size_t i = 0; i < QUEUE_FRAMES; i++)
        av_frame_free(&p->queue[i]);
    pthread_cond_destroy(&p->changed);
    pthread_mutex_destroy(&p->lock);
    mv__free(p);
    a->pipe = NULL;
}

/* Starts the decode thread; without memory or a thread, a stays one-threaded. */
static void pipe_start(mv__audio *a)
{
    struct pipe *p = mv__calloc(1, sizeof(*p));
    int ok = p != NULL && (a->cur = av_frame_alloc()) != NULL;

    for (size_t i = 0; ok && i < QUEUE_FRAMES; i++)
        ok = (p->queue[i] = av_frame_alloc()) != NULL;
    if (!ok) {
        for (size_t i = 0; p != NULL && i < QUEUE_FRAMES; i++)
            av_frame_free(&p->queue[i]);
        mv__free(p);
        return;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->changed, NULL);
    atomic_init(&p->stop, 0);
    a->pipe = p;
    if (pthread_create(&p->thread, NULL, decode_main, a) != 0) {
        p->joined = 1; /* nothing to join */
        pipe_free(a);
    }
}

mv_status mv__audio_open(const char *path, int out_rate, int out_channels, double timeout_s,
                         int threads, mv__audio **out)
{
    *out = NULL;
    mv_status st = mv__media_check_path(path);
    if (st != MV_OK)
        return st;
    mv__audio *a = mv__calloc(1, sizeof(*a));
    if (a == NULL)
        return MV_ENOMEM;
    a->out_rate = out_rate;
    a->out_channels = out_channels;
    av_log_set_level(AV_LOG_QUIET);
    st = mv__deadline_start(&a->deadline, timeout_s);
    if (st == MV_OK)
        st = open_all(a, path);
    if (st != MV_OK) {
        mv__audio_close(a);
        return st;
    }
    if (threads >= 2)
        pipe_start(a);
    *out = a;
    return MV_OK;
}

int64_t mv__audio_duration_ms(mv__audio *a)
{
    pipe_stop(a); /* the demuxer is the caller's from here */
    const AVStream *s = a->fmt->streams[a->stream];

    if (s->duration != AV_NOPTS_VALUE && s->time_base.den > 0)
        return 1000 * s->time_base.num * s->duration / s->time_base.den;
    if (a->fmt->duration != AV_NOPTS_VALUE)
        return 1000 * a->fmt->duration / AV_TIME_BASE;
    return -1;
}

mv_status mv__audio_read(mv__audio *a, const int16_t **samples, size_t *frames)
{
    mv_status st = MV_OK;

    *samples = NULL;
    *frames = 0;
    while (st == MV_OK && *frames == 0) {
        int got = 0;
        st = a->pipe != NULL ? take(a, &got) : decode(a, &got);
        if (st != MV_OK || !got)
            break;
        st = convert(a, a->pipe != NULL ? a->cur : a->frame, samples, frames);
    }
    return st;
}

void mv__audio_close(mv__audio *a)
{
    if (a == NULL)
        return;
    pipe_free(a);
    av_frame_free(&a->cur);
    swr_free(&a->swr);
    avcodec_free_context(&a->dec);
    avformat_close_input(&a->fmt);
    av_packet_free(&a->pkt);
    av_frame_free(&a->frame);
    mv__free(a->buf);
    mv__free(a);
}
