/*
 * The video side of `mediavault fingerprint`: vPDQ through
 * mv_vpdq_file_frames(), printed as text (one line per kept frame), JSON (the
 * DESIGN.md object with a "frames" array), or exactly as the reference
 * `vpdq-hash-video` writes its output file (--format vpdq: one
 * `frame,quality,hex,timestamp` line per frame, a blank line between files, as
 * --format fpcalc separates audio files).
 *
 * Results are cached in the catalog by content (cli_fp_cache.c), under the
 * algorithm name "vpdq+everyE+sizeS" (E: --every in seconds, S: --size, 0 =
 * native), with "+maxpxN" when --max-pixels N is given (a limit only turns a
 * result into an error, but a stored result must not answer a call whose
 * limit would refuse it), version CACHE_VERSION. The value (big-endian):
 * duration (IEEE 754 double), frames decoded (8 bytes), truncated (1 byte),
 * then per kept frame its number (8), timestamp (double), quality (1) and the
 * 16 PDQ words (2 each). A truncated stream is stored with its flag and
 * answered as truncated; an error, a timeout, a cancelled run or a call that
 * returned past its deadline stores nothing. The --jobs thread count is not
 * in the key: it never changes the frames.
 *
 * One file is computed on a worker of the
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
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fp_video.h"
#include "mediavault/digest.h"
#include "mediavault/fingerprint.h"
#include "mediavault/vpdq.h"

#define SNIFF_BYTES   1024
#define TS_PACKET     188
/* Bumped when the stored layout or the computation changes. */
#define CACHE_VERSION 1
#define ALGO_MAX      96
#define HEAD_LEN      17 /* duration, frames decoded, truncated */
#define FRAME_LEN     (8 + 8 + 1 + 2 * MV_PDQ_WORDS)

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
    case MV_ENOTSUP: {
        const char *missing = cli_media_missing(MV_MEDIA_KIND_MEDIA);
        if (missing != NULL)
            return missing;
        return "not a video (no video stream FFmpeg can decode)";
    }
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
    printf("]%s, \"md5\": \"%s\", \"processing_time_ms\": %.3f, \"cached\": %s}",
           r->info.truncated ? ", \"truncated\": true" : "", r->md5, r->ms,
           r->cached ? "true" : "false");
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

static void algo_name(const struct cli_fp_video *o, char out[ALGO_MAX])
{
    const int n = snprintf(out, ALGO_MAX, "vpdq+every%.17g+size%zu", o->every, o->size);

    if (o->max_pixels > 0 && n > 0 && n < ALGO_MAX)
        snprintf(out + n, ALGO_MAX - (size_t)n, "+maxpx%zu", o->max_pixels);
}

/* The stored value of a complete result (malloc()); NULL when out of memory. */
static uint8_t *pack(const struct cli_fp_video_result *r, size_t *len)
{
    uint8_t *v = malloc(HEAD_LEN + FRAME_LEN * r->count), *at = v;

    if (v == NULL)
        return NULL;
    cli_fp_put_f64(&at, r->info.duration);
    cli_fp_put_u64(&at, r->info.frames_decoded);
    *at++ = r->info.truncated ? 1 : 0;
    for (size_t i = 0; i < r->count; i++) {
        const mv_vpdq_frame *f = &r->frames[i];
        cli_fp_put_u64(&at, f->frame_number);
        cli_fp_put_f64(&at, f->timestamp);
        *at++ = (uint8_t)f->quality;
        for (int w = 0; w < MV_PDQ_WORDS; w++) {
            *at++ = (uint8_t)(f->hash.words[w] >> 8);
            *at++ = (uint8_t)f->hash.words[w];
        }
    }
    *len = HEAD_LEN + FRAME_LEN * r->count;
    return v;
}

/* r from a stored value; 0 (r untouched) when the value is not one pack() wrote. */
static int unpack(const uint8_t *v, size_t len, struct cli_fp_video_result *r)
{
    const uint8_t *at = v;

    if (len < HEAD_LEN || (len - HEAD_LEN) % FRAME_LEN != 0 || v[16] > 1)
        return 0;
    const size_t count = (len - HEAD_LEN) / FRAME_LEN;
    mv_vpdq_frame *frames = calloc(count ? count : 1, sizeof(*frames));
    if (frames == NULL)
        return 0;
    r->info.duration = cli_fp_get_f64(&at);
    r->info.frames_decoded = cli_fp_get_u64(&at);
    r->info.truncated = *at++;
    for (size_t i = 0; i < count; i++) {
        mv_vpdq_frame *f = &frames[i];
        f->frame_number = cli_fp_get_u64(&at);
        f->timestamp = cli_fp_get_f64(&at);
        f->quality = *at++;
        for (int w = 0; w < MV_PDQ_WORDS; w++, at += 2)
            f->hash.words[w] = (uint16_t)(at[0] << 8 | at[1]);
    }
    r->info.frames_hashed = count;
    r->frames = frames;
    r->count = count;
    r->cached = 1;
    return 1;
}

/* The frames of one file, gathered by collect() on the calling thread. */
struct gather {
    const struct cli_fp_video *o;
    mv_vpdq_frame *frames; /* malloc() */
    size_t count, cap;
    int no_memory;
};

static int collect(const mv_vpdq_frame *frame, void *arg)
{
    struct gather *g = arg;

    if (g->o->cancel != NULL && *g->o->cancel)
        return 1; /* Ctrl-C: stop at the next frame, the call gives MV_ECANCELED */
    if (g->count == g->cap) {
        const size_t cap = g->cap ? 2 * g->cap : 64;
        mv_vpdq_frame *grown = realloc(g->frames, cap * sizeof(*grown));
        if (grown == NULL) {
            g->no_memory = 1;
            return 1;
        }
        g->frames = grown;
        g->cap = cap;
    }
    g->frames[g->count++] = *frame;
    return 0;
}

static mv_status decode(const struct cli_fp_video *o, const char *path,
                        struct cli_fp_video_result *r)
{
    const mv_vpdq_options opts = { .every_s = o->every,
                                   .size = o->size,
                                   .threads = o->threads,
                                   .max_pixels = o->max_pixels,
                                   .timeout_s = o->timeout };
    struct gather g = { .o = o };
    mv_status st = refuse_text(path);

    if (st == MV_OK)
        st = mv_vpdq_file(path, &opts, collect, &g, &r->info);
    if (st == MV_ECANCELED && g.no_memory)
        st = MV_ENOMEM;
    if (st != MV_OK) {
        free(g.frames);
        return st;
    }
    r->frames = g.frames;
    r->count = g.count;
    return MV_OK;
}

void cli_fp_video_compute(const struct cli_fp_video *o, const char *path,
                          struct cli_fp_video_result *r)
{
    const double start = cli_fp_now_ms();
    const int cache = o->cache != NULL && o->cache->cat != NULL;
    struct cli_fp_content content = { 0 };
    char algo[ALGO_MAX];
    uint8_t *v = NULL;
    size_t len = 0;

    algo_name(o, algo);
    if (cache)
        cli_fp_content_of(path, &content);
    if (cli_fp_cache_get(o->cache, &content, algo, CACHE_VERSION, &v, &len) && unpack(v, len, r)) {
        r->st = MV_OK;
    } else {
        /* The limit counts from the decode, as the library's deadline does: a
         * call that returned at or past it may have been cut short. */
        const double decode_start = cli_fp_now_ms();
        r->st = decode(o, path, r);
        if (r->st == MV_OK && cache && cli_fp_complete(decode_start, o->timeout, o->cancel)) {
            size_t packed_len = 0;
            uint8_t *packed = pack(r, &packed_len);
            cli_fp_cache_put(o->cache, path, &content, algo, CACHE_VERSION, packed, packed_len);
        }
        /* Without the cache the MD5 is needed for JSON only, and taken after
         * the decode as before (a failing file is not hashed). */
        if (r->st == MV_OK && !cache && o->fmt == CLI_VIDEO_JSON)
            cli_fp_content_of(path, &content);
    }
    free(v);
    cli_fp_result_md5(&content, o->fmt == CLI_VIDEO_JSON, &r->st, r->md5);
    r->ms = cli_fp_now_ms() - start;
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
    free(r->frames);
    r->frames = NULL;
    return rc;
}
