/*
 * The video side of `mediavault fingerprint`: vPDQ through
 * mv_vpdq_file_frames(), printed as text (one line per kept frame), JSON (the
 * DESIGN.md object with a "frames" array), or exactly as the reference
 * `vpdq-hash-video` writes its output file (--format vpdq: one
 * `frame,quality,hex,timestamp` line per frame, a blank line between files, as
 * --format fpcalc separates audio files).
 *
 * Video is not cached in the catalog. One file is computed on a worker of the
 * batch (cli_fp_batch.c) and printed later on the calling thread, so the two
 * halves are separate functions around a result struct; mv_vpdq_file() itself
 * spreads decoding, conversion and hashing over threads (o->threads, which
 * the caller sets from --jobs and the number of files running at once). The
 * frames of a file are collected before anything is printed, so that a file
 * that fails prints nothing but its error. A stream that ended early on
 * corrupt or truncated data still gives the frames before (the documented
 * partial result of mv_vpdq_file()): a warning on stderr says so, the JSON
 * object gets "truncated": true, and the exit status stays 0. Errors go to
 * stderr as `mediavault: PATH: reason` and the other inputs go on; the exit
 * status is then 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fp_video.h"
#include "mediavault/alloc.h"
#include "mediavault/digest.h"
#include "mediavault/fingerprint.h"
#include "mediavault/vpdq.h"

#define SNIFF_BYTES 1024
#define TS_PACKET   188

static int has_nul(const uint8_t *d, size_t n)
{
    return memchr(d, 0, n) != NULL;
}

/* ISO base media (MP4, MOV, M4V, 3GP): an ftyp box of a video brand. Audio
 * brands (M4A ...) and still images (HEIF, AVIF) are not video. */
static int mp4_video(const uint8_t *d, size_t n)
{
    static const char *const brands[] = {
        "iso",  "mp4",  "mp7",  "avc1", "M4V",  "qt  ", "3gp",  "3g2",  "dash",
        "f4v ", "mmp4", "MSNV", "XAVC", "NDAS", "MFSM", "hvc1", "av01", "CAEP",
    };

    if (n < 12 || d[0] != 0 || d[1] != 0 || memcmp(d + 4, "ftyp", 4) != 0)
        return 0;
    /* A HEIF or AVIF still image may carry a generic major brand (iso8) and
     * name its image brands (mif1, heic, avif) only among the compatible
     * ones: the image sniffer, which reads them all, has the last word. */
    if (mv_fp_sniff(d, n) == MV_FP_IMAGE)
        return 0;
    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
        if (memcmp(d + 8, brands[i], strlen(brands[i])) == 0)
            return 1;
    return 0;
}

/* QuickTime without ftyp: a top-level moov, mdat, wide or free atom first. */
static int mov_atom(const uint8_t *d, size_t n)
{
    static const char *const atoms[] = { "moov", "mdat", "wide", "free", "pnot" };

    if (n < 8 || d[0] != 0)
        return 0;
    for (size_t i = 0; i < sizeof(atoms) / sizeof(atoms[0]); i++)
        if (memcmp(d + 4, atoms[i], 4) == 0)
            return 1;
    return 0;
}

/* MPEG-TS (sync byte 0x47 every 188 bytes) or M2TS (192-byte packets with a
 * 4-byte prefix): at least three packets in view, and a NUL byte somewhere so
 * that text with a 'G' at the right places never counts. */
static int mpeg_ts(const uint8_t *d, size_t n)
{
    static const size_t strides[] = { TS_PACKET, TS_PACKET + 4 };

    for (size_t s = 0; s < 2; s++) {
        const size_t first = s ? 4 : 0, stride = strides[s];
        size_t seen = 0, at = first;
        for (; at < n && d[at] == 0x47; at += stride)
            seen++;
        if (seen >= 3 && at >= n && has_nul(d, n))
            return 1;
    }
    return 0;
}

int cli_fp_video_sniff(const uint8_t *head, size_t len)
{
    const uint8_t *d = head;

    if (d == NULL || len < 8)
        return 0;
    if (memcmp(d, "\x1a\x45\xdf\xa3", 4) == 0) /* EBML: Matroska, WebM */
        return 1;
    if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "AVI ", 4) == 0)
        return has_nul(d, len);
    if (len >= 9 && memcmp(d, "FLV\x01", 4) == 0) /* flags: 1 = video, 4 = audio */
        return (d[4] & 0x01) != 0 || d[4] == 0;
    return mp4_video(d, len) || mov_atom(d, len) || mpeg_ts(d, len);
}

size_t cli_fp_read_head(const char *path, uint8_t *head, size_t size)
{
    struct stat sb;
    const int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    ssize_t n = 0;

    if (fd < 0)
        return 0;
    if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
        do
            n = read(fd, head, size);
        while (n < 0 && errno == EINTR);
    }
    close(fd);
    return n > 0 ? (size_t)n : 0;
}

/* A text file is never handed to FFmpeg (whose tty demuxer would show it). */
static mv_status refuse_text(const char *path)
{
    uint8_t head[SNIFF_BYTES];
    const size_t n = cli_fp_read_head(path, head, sizeof(head));

    if (n > 0 && !cli_fp_video_sniff(head, n) && mv_fp_sniff(head, n) == MV_FP_TEXT)
        return MV_ENOTSUP;
    return MV_OK;
}

static const char *reason(const struct cli_fp_video *o, mv_status st, char *buf, size_t size)
{
    switch (st) {
    case MV_ENOTSUP:
        if (cli_media_missing() != NULL)
            return cli_media_missing();
        return "not a video (no video stream FFmpeg can decode)";
    case MV_ECORRUPT:
        return "corrupt or truncated video (no frame decoded)";
    case MV_ETOOBIG:
        return "video frames too large (see --max-pixels)";
    case MV_ETIMEDOUT:
        snprintf(buf, size, "timed out after %g s (MEDIAVAULT_TIMEOUT)", o->timeout);
        return buf;
    default:
        return mv_strerror(st);
    }
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static mv_status file_md5(const char *path, char hex[2 * MV_MD5_LEN + 1])
{
    uint8_t md5[MV_DIGEST_MAX_LEN];
    const int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return MV_EIO;
    const mv_status st = mv_digest_fd(MV_DIGEST_MD5, fd, md5, NULL);
    close(fd);
    if (st == MV_OK)
        mv_digest_hex(md5, MV_MD5_LEN, hex);
    return st;
}

static void print_json(const char *path, const struct cli_fp_video_result *r, size_t printed)
{
    char hex[MV_PDQ_HEX_LEN + 1];

    fputs(printed ? ",\n  {\"path\": " : "  {\"path\": ", stdout);
    cli_json_bytes(stdout, (const uint8_t *)path, strlen(path));
    printf(", \"type\": \"video\", \"algorithm\": \"vpdq\", \"duration\": %.3f, \"frames\": [",
           r->info.duration);
    for (size_t i = 0; i < r->count; i++) {
        mv_pdq_to_hex(&r->frames[i].hash, hex);
        printf("%s{\"hash\": \"%s\", \"quality\": %d, \"timestamp\": %.3f}", i ? ", " : "", hex,
               r->frames[i].quality, r->frames[i].timestamp);
    }
    printf("]%s, \"md5\": \"%s\", \"processing_time_ms\": %.3f, \"cached\": false}",
           r->info.truncated ? ", \"truncated\": true" : "", r->md5, r->ms);
}

static void print_one(const struct cli_fp_video *o, const char *path,
                      const struct cli_fp_video_result *r, size_t printed)
{
    char line[MV_VPDQ_LINE_MAX], prefix[MV_VPDQ_LINE_MAX + 16], hex[MV_PDQ_HEX_LEN + 1];

    if (o->fmt == CLI_VIDEO_JSON) {
        print_json(path, r, printed);
        return;
    }
    if (o->fmt == CLI_VIDEO_VPDQ && printed)
        fputc('\n', stdout);
    for (size_t i = 0; i < r->count; i++) {
        const mv_vpdq_frame *f = &r->frames[i];
        if (o->fmt == CLI_VIDEO_VPDQ) {
            mv_vpdq_line(f, line);
            puts(line);
        } else {
            mv_pdq_to_hex(&f->hash, hex);
            snprintf(prefix, sizeof(prefix), "vpdq %llu %d %s %.3f ",
                     (unsigned long long)f->frame_number, f->quality, hex, f->timestamp);
            cli_text_bytes(stdout, prefix, (const uint8_t *)path, strlen(path));
        }
    }
}

static void print_error(const struct cli_fp_video *o, const char *path, mv_status st,
                        size_t printed)
{
    char buf[96];
    const char *why = reason(o, st, buf, sizeof(buf));

    fflush(stdout);
    cli_error(path, "%s", why);
    if (o->fmt == CLI_VIDEO_JSON)
        cli_json_error(stdout, path, why, printed == 0);
}

void cli_fp_video_compute(const struct cli_fp_video *o, const char *path,
                          struct cli_fp_video_result *r)
{
    const mv_vpdq_options opts = { .every_s = o->every,
                                   .size = o->size,
                                   .threads = o->threads,
                                   .max_pixels = o->max_pixels,
                                   .timeout_s = o->timeout };
    const double start = now_ms();
    mv_status st = refuse_text(path);

    if (st == MV_OK)
        st = mv_vpdq_file_frames(path, &opts, &r->frames, &r->count, &r->info);
    if (st == MV_OK && o->fmt == CLI_VIDEO_JSON)
        st = file_md5(path, r->md5);
    r->ms = now_ms() - start;
    r->st = st;
}

int cli_fp_video_emit(const struct cli_fp_video *o, const char *path, struct cli_fp_video_result *r,
                      size_t *printed)
{
    int rc = CLI_EXIT_OK;

    if (r->st == MV_OK) {
        print_one(o, path, r, *printed);
        if (r->info.truncated) {
            fflush(stdout);
            cli_error(path, "warning: corrupt or truncated stream; %llu frames decoded, %zu hashed",
                      (unsigned long long)r->info.frames_decoded, r->count);
        }
    } else {
        print_error(o, path, r->st, *printed);
        rc = r->st == MV_ENOMEM ? CLI_EXIT_SYSTEM : CLI_EXIT_SOME_FAILED;
    }
    *printed += r->st == MV_OK || o->fmt == CLI_VIDEO_JSON;
    mv_free(r->frames);
    r->frames = NULL;
    return rc;
}
