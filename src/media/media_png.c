/*
 * PNG decoding through FFmpeg's libavcodec, straight from the file bytes.
 *
 * A PNG file is one packet for FFmpeg's PNG decoder, so no demuxer is needed.
 * The size is read from IHDR and checked against the pixel budget before FFmpeg
 * allocates anything. The decoder's pixel formats are turned into RGB24 or grey
 * here, so that every sample is defined: alpha is dropped without compositing,
 * palettes are looked up, and 16-bit samples are scaled to 8 bits the way
 * ImageMagick Q16 does (round(v / 257)), which is what the PDQ reference saw.
 * Any other format goes through libswscale to RGB24. FFmpeg allocates with its
 * own allocator; only the output pixels use the library's hooks.
 * mv__image_ffmpeg() is the same path for the other one-packet formats
 * (media_formats.c checks their headers).
 */
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavutil/imgutils.h>
#include <libavutil/mem.h>
#include <libswscale/swscale.h>

#include "../core/core.h"
#include "media.h"
#include "media_sws.h"

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Width and height from IHDR, which must be the first chunk. */
static mv_status png_header(const uint8_t *data, size_t size, size_t max_pixels)
{
    if (size < 33 || be32(data + 8) != 13 || memcmp(data + 12, "IHDR", 4) != 0)
        return MV_ECORRUPT;
    const size_t w = be32(data + 16), h = be32(data + 20);
    if (w == 0 || h == 0 || w > INT32_MAX || h > INT32_MAX)
        return MV_ECORRUPT;
    return w > max_pixels / h ? MV_ETOOBIG : MV_OK;
}

static uint8_t q16_to_8(const uint8_t *be)
{
    const unsigned long q = (unsigned long)be[0] << 8 | be[1];
    return (uint8_t)(((q + 128UL) - ((q + 128UL) >> 8)) >> 8);
}

/* How a pixel format maps to our samples: bytes per sample, samples per pixel, used. */
struct layout {
    int bytes, in_ch, out_ch;
};

static int layout_of(enum AVPixelFormat f, struct layout *l)
{
    static const struct {
        enum AVPixelFormat fmt;
        struct layout l;
    } table[] = {
        { AV_PIX_FMT_RGB24, { 1, 3, 3 } },    { AV_PIX_FMT_RGBA, { 1, 4, 3 } },
        { AV_PIX_FMT_GRAY8, { 1, 1, 1 } },    { AV_PIX_FMT_YA8, { 1, 2, 1 } },
        { AV_PIX_FMT_RGB48BE, { 2, 3, 3 } },  { AV_PIX_FMT_RGBA64BE, { 2, 4, 3 } },
        { AV_PIX_FMT_GRAY16BE, { 2, 1, 1 } }, { AV_PIX_FMT_YA16BE, { 2, 2, 1 } },
    };
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
        if (table[i].fmt == f) {
            *l = table[i].l;
            return 1;
        }
    return 0;
}

static void copy_packed(const AVFrame *fr, struct layout l, mv__image *img)
{
    for (size_t y = 0; y < img->height; y++) {
        const uint8_t *s = fr->data[0] + y * (size_t)fr->linesize[0];
        uint8_t *d = img->pixels + y * img->stride;
        for (size_t x = 0; x < img->width; x++, s += l.bytes * l.in_ch)
            for (int c = 0; c < l.out_ch; c++)
                *d++ = l.bytes == 1 ? s[c] : q16_to_8(s + 2 * c);
    }
}

static void copy_palette(const AVFrame *fr, mv__image *img)
{
    const uint32_t *pal = (const uint32_t *)fr->data[1];
    for (size_t y = 0; y < img->height; y++) {
        const uint8_t *s = fr->data[0] + y * (size_t)fr->linesize[0];
        uint8_t *d = img->pixels + y * img->stride;
        for (size_t x = 0; x < img->width; x++) {
            const uint32_t argb = pal[s[x]];
            *d++ = (uint8_t)(argb >> 16);
            *d++ = (uint8_t)(argb >> 8);
            *d++ = (uint8_t)argb;
        }
    }
}

/* swscale writes past the end of an output row (media_sws.h), and the image's
 * rows are exactly width x 3 bytes (mv__image_alloc()): it converts into padded
 * rows, which are then copied. */
static mv_status convert_sws(const AVFrame *fr, mv__image *img)
{
    const size_t line = mv__sws_line(img->width);
    uint8_t *raw = mv__malloc(mv__sws_size(line, img->height));
    struct SwsContext *sws =
        sws_getContext(fr->width, fr->height, fr->format, fr->width, fr->height, AV_PIX_FMT_RGB24,
                       SWS_POINT, NULL, NULL, NULL);
    mv_status st = raw == NULL ? MV_ENOMEM : sws == NULL ? MV_ENOTSUP : MV_OK;

    if (st == MV_OK) {
        uint8_t *rgb = mv__sws_first(raw);
        uint8_t *dst[4] = { rgb, NULL, NULL, NULL };
        const int dst_stride[4] = { (int)line, 0, 0, 0 };
        const int rows = sws_scale(sws, (const uint8_t *const *)fr->data, fr->linesize, 0,
                                   fr->height, dst, dst_stride);
        st = rows == fr->height ? MV_OK : MV_ECORRUPT;
        for (size_t y = 0; st == MV_OK && y < img->height; y++)
            memcpy(img->pixels + y * img->stride, rgb + y * line, img->stride);
    }
    sws_freeContext(sws);
    mv__free(raw);
    return st;
}

static mv_status frame_to_image(const AVFrame *fr, size_t max_pixels, mv__image *img)
{
    struct layout l = { 1, 3, 3 };
    const int known = layout_of(fr->format, &l);
    mv_status st =
        mv__image_alloc(img, (size_t)fr->width, (size_t)fr->height, l.out_ch, max_pixels);
    if (st != MV_OK)
        return st;
    if (known)
        copy_packed(fr, l, img);
    else if (fr->format == AV_PIX_FMT_PAL8)
        copy_palette(fr, img);
    else
        st = convert_sws(fr, img);
    return st;
}

struct png_job {
    AVCodecContext *ctx;
    AVPacket *pkt;
    AVFrame *frame;
};

/* The pixel budget is checked from IHDR before this; FFmpeg's own max_pixels is not used,
 * because FFmpeg applies it to the width padded for SIMD. */
static mv_status decode_frame(struct png_job *j, enum AVCodecID id, const uint8_t *data,
                              size_t size)
{
    const AVCodec *codec = avcodec_find_decoder(id);
    if (codec == NULL || size > INT32_MAX - AV_INPUT_BUFFER_PADDING_SIZE)
        return MV_ENOTSUP;
    j->ctx = avcodec_alloc_context3(codec);
    j->pkt = av_packet_alloc();
    j->frame = av_frame_alloc();
    if (j->ctx == NULL || j->pkt == NULL || j->frame == NULL ||
        av_new_packet(j->pkt, (int)size) < 0)
        return MV_ENOMEM;
    memcpy(j->pkt->data, data, size);
    /* The TIFF decoder would refuse any tag it does not know (ResolutionUnit...) if told to
     * explode; the other formats keep FFmpeg's own strictness. */
    j->ctx->err_recognition =
        id == AV_CODEC_ID_PNG ? AV_EF_EXPLODE | AV_EF_CRCCHECK : AV_EF_CRCCHECK;
    j->ctx->thread_count = 1;
    if (avcodec_open2(j->ctx, codec, NULL) < 0)
        return MV_ENOTSUP;
    if (avcodec_send_packet(j->ctx, j->pkt) < 0)
        return MV_ECORRUPT;
    int rc = avcodec_receive_frame(j->ctx, j->frame);
    if (rc == AVERROR(EAGAIN) && avcodec_send_packet(j->ctx, NULL) >= 0)
        rc = avcodec_receive_frame(j->ctx, j->frame); /* a decoder that waits for the end */
    if (rc < 0 || j->frame->decode_error_flags != 0)
        return MV_ECORRUPT;
    return MV_OK;
}

mv_status mv__image_png(const uint8_t *data, size_t size, size_t max_pixels, mv__image *out)
{
    const mv_status st = png_header(data, size, max_pixels);

    return st != MV_OK ? st : mv__image_ffmpeg(AV_CODEC_ID_PNG, data, size, max_pixels, out);
}

/* Any single-picture format whose whole file is one packet (PNG, BMP, TIFF, WebP; GIF
 * gives its first frame). The caller has checked the header against max_pixels. */
mv_status mv__image_ffmpeg(int codec_id, const uint8_t *data, size_t size, size_t max_pixels,
                           mv__image *out)
{
    struct png_job j = { NULL, NULL, NULL };
    mv_status st;

    av_log_set_level(AV_LOG_QUIET);
    st = decode_frame(&j, (enum AVCodecID)codec_id, data, size);
    if (st == MV_OK)
        st = frame_to_image(j.frame, max_pixels, out);
    av_frame_free(&j.frame);
    av_packet_free(&j.pkt);
    avcodec_free_context(&j.ctx);
    return st;
}
