/*
 * `mediavault fingerprint`: perceptual fingerprints of files (PDQ for images,
 * SimHash for text), with the catalog as a cache keyed by content.
 *
 * Every input gets exactly one answer, in argument order: a line (text) or an
 * object (json) for a fingerprint, an error otherwise, and the others go on;
 * the exit status is 1 when any input failed. The library does the work
 * (mv_fp_file); this file parses options and prints. Errors also go to stderr
 * as `mediavault: PATH: reason`, so that the text output stays one line per
 * fingerprint.
 *
 * Each input goes to one of three paths: images and text through mv_fp_file
 * (here), audio through cli_fp_audio.c, video through cli_fp_video.c. --type
 * picks the path for every input; --type auto (the default) sniffs each file
 * on its own (a video container, else an audio one, else image or text), so
 * one call may mix them. Every path caches by content in the catalog, opened
 * only when some input needs it: images and text through mv_fp's handle,
 * audio and video through a second handle of their own (cli_fp_cache.c),
 * since mv_fp's lock that guards its handle is private to it.
 *
 * With --jobs N (global; default every core) N inputs are fingerprinted at
 * once by the ordered batch of cli_fp_batch.c: workers compute, this thread
 * prints each result as soon as it and all before it are done, in argument
 * order, so the output is the same for every N and memory stays bounded by
 * the batch's window whatever the number of inputs. The workers share one
 * mv_fp, whose lock serialises its catalog calls (one SQLite handle, opened
 * NOMUTEX, may not be used by two threads at once). A video on its own gets
 * all N threads for its frames; several share them.
 *
 * MEDIAVAULT_TIMEOUT (seconds per file, decimals allowed; 0 = none; default
 * DEFAULT_TIMEOUT_S) bounds the decoding of each audio or video input: past
 * it the input fails with "timed out" and the others go on. Images and text
 * need none: their size is bounded by --max-pixels and MV_FP_MAX_FILE_SIZE.
 *
 * SIGINT or SIGTERM stops the batch (cli_fp_batch.c): no new input is taken,
 * the audio and video decodes running stop at their next packet or frame
 * (mv_media_cancel(), through the media layer's deadline checks; vPDQ's frame
 * callback also gives up), images and texts running finish (they are
 * bounded), a decode that ended after the stop is never taken for a complete
 * answer (nor stored), the results complete before the
 * first that is not are printed in order, the JSON array is closed, and the
 * exit status is 1 ("interrupted" on stderr), as for an interrupted scan. A
 * second signal ends the process the usual way. The catalog is never left
 * half-written: each cached value is one row, stored only when complete.
 */
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_fp_audio.h"
#include "cli_fp_batch.h"
#include "cli_fp_video.h"
#include "mediavault/audio.h"
#include "mediavault/fingerprint.h"

/* One hour per file: far beyond any real file's decoding (a 3-minute song
 * takes well under a second, a minute of 720p video every frame about ten),
 * so only a file that would otherwise never finish meets it. */
#define DEFAULT_TIMEOUT_S 3600.0
/* Bytes read to sniff an input's type under --type auto. */
#define SNIFF_BYTES       1024

enum fp_format { FP_TEXT, FP_JSON };
enum fp_kind { KIND_FP, KIND_AUDIO, KIND_VIDEO };

/* Set by the first SIGINT or SIGTERM of a run; read by the batch and vPDQ. */
static atomic_int stop_requested; /* lock-free: safe in the handler, read by workers */

static void on_signal(int sig)
{
    stop_requested = 1;
    mv_media_cancel(1);   /* the decodes in flight stop at their next packet or frame */
    signal(sig, SIG_DFL); /* a second signal ends the process the usual way */
}

struct fp_opts {
    enum fp_format fmt;
    int no_cache, dihedral;
    size_t printed;            /* JSON objects so far, for the commas */
    struct cli_fp_audio audio; /* cli_fp_audio.c */
    struct cli_fp_video video; /* cli_fp_video.c */
};

static const char *const dihedral_names[MV_PDQ_NDIHEDRAL] = {
    "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm",
};

static void usage(FILE *out)
{
    fputs("Usage: mediavault fingerprint [--type auto|image|text|audio|video]\n"
          "                              [--format text|json|fpcalc|vpdq] [--length SECS]\n"
          "                              [--raw] [--algorithm 1..5] [--every SECS] [--size N]\n"
          "                              [--full-res] [--max-pixels N] [--exif-orient]\n"
          "                              [--dihedral] [--no-cache] [--jobs N] FILE...\n"
          "Prints the PDQ hash and quality of each image, or the 64-bit SimHash and word\n"
          "count of each text; the type is sniffed from the content. Fingerprints are\n"
          "cached in the catalog by content MD5 (--no-cache: neither read nor write it).\n"
          "--jobs N fingerprints N files at once (default: the number of CPUs); the\n"
          "output is in argument order whatever N. SIGINT/SIGTERM (Ctrl-C): no new file\n"
          "is started, the results complete until then are printed in order (a JSON\n"
          "array is closed) and the exit status is 1.\n"
          "  text:  pdq HEX QUALITY PATH | simhash64 HEX16 TOKENS PATH\n"
          "         with --dihedral: pdq-dihedral QUALITY ORIG ROT90 ROT180 ROT270 FLIPX\n"
          "         FLIPY FLIPP FLIPM PATH\n"
          "  json:  an array of objects; a failed input is {\"path\": ..., \"error\": ...}\n"
          "Audio (--type audio, or an input sniffed as audio): Chromaprint as fpcalc\n"
          "computes it, of the first --length seconds (default 120, 0 = all); --raw\n"
          "gives the integers. text: chromaprint FINGERPRINT DURATION PATH;\n"
          "--format fpcalc prints fpcalc's DURATION=/FINGERPRINT= lines.\n"
          "Audio and video fingerprints are cached like the others, per --algorithm and\n"
          "--length, and per --every, --size and --max-pixels.\n"
          "Video (--type video, or an input sniffed as MP4/MOV, Matroska/WebM, AVI,\n"
          "FLV or MPEG-TS): vPDQ, the PDQ hash of one frame per --every seconds\n"
          "(default 1, decimals allowed, 0 = every frame), at the native size or scaled\n"
          "to --size N x N first (default 0 = native); --max-pixels applies per frame.\n"
          "  text:  one line per kept frame: vpdq FRAME QUALITY HEX TIMESTAMP PATH\n"
          "  json:  {\"type\": \"video\", \"algorithm\": \"vpdq\", \"duration\": ...,\n"
          "         \"frames\": [{\"hash\", \"quality\", \"timestamp\"}...], \"md5\", ...}\n"
          "  vpdq:  the reference vpdq-hash-video's FRAME,QUALITY,HEX,TIMESTAMP lines;\n"
          "         a blank line between files.\n"
          "--type auto sniffs each input on its own, so one call may mix images, text,\n"
          "audio and video.\n"
          "Environment: MEDIAVAULT_TIMEOUT=SECS limits the wall-clock time of each audio\n"
          "or video input (decimals allowed, 0 = none, default 3600); an input past it\n"
          "fails with \"timed out\" and the others go on.\n",
          out);
}

/* Why the image at path, recognised but not decoded, was not: the plugin its
 * format needs is missing (that plugin alone is loaded to say so), or this
 * build cannot decode the format. */
static const char *image_unsupported(const char *path)
{
    uint8_t head[16]; /* mv_media_sniff() needs 3 */
    const mv_media_kind kind = mv_media_sniff(head, cli_fp_read_head(path, head, sizeof(head)));
    const char *missing = cli_media_missing(kind);

    if (missing != NULL)
        return missing;
    if (kind == MV_MEDIA_KIND_JPEG || mv_fp_heif_supported())
        return "image format not supported by this build";
    return "built without HEIF support";
}

static const char *reason(mv_status st, const mv_fp_result *r, const char *path)
{
    switch (st) {
    case MV_ECORRUPT:
        return r->size == 0 ? "empty file" : "corrupt or truncated data";
    case MV_ENOTSUP:
        if (r->type == MV_FP_IMAGE)
            return image_unsupported(path);
        return "unsupported content (not a known image format or text)";
    case MV_EPARSE:
        return "not valid UTF-8 text";
    case MV_ETOOBIG:
        return "too large (see --max-pixels)";
    default:
        return mv_strerror(st);
    }
}

static void json_begin(struct fp_opts *o, const char *path)
{
    fputs(o->printed++ ? ",\n  {\"path\": " : "  {\"path\": ", stdout);
    cli_json_bytes(stdout, (const uint8_t *)path, strlen(path));
}

static void print_json(struct fp_opts *o, const char *path, const mv_fp_result *r)
{
    char hex[MV_PDQ_HEX_LEN + 1], md5[2 * MV_MD5_LEN + 1];

    json_begin(o, path);
    printf(", \"type\": \"%s\", \"algorithm\": \"%s\"", mv_fp_type_name(r->type), r->algorithm);
    if (r->type == MV_FP_TEXT) {
        printf(", \"hash\": \"%016llx\", \"tokens\": %llu", (unsigned long long)r->simhash,
               (unsigned long long)r->tokens);
    } else {
        mv_pdq_to_hex(&r->pdq[0], hex);
        printf(", \"hash\": \"%s\", \"quality\": %d", hex, r->quality);
    }
    if (r->type == MV_FP_IMAGE && o->dihedral) {
        fputs(", \"dihedral\": {", stdout);
        for (int i = 0; i < MV_PDQ_NDIHEDRAL; i++) {
            mv_pdq_to_hex(&r->pdq[i], hex);
            printf("%s\"%s\": \"%s\"", i ? ", " : "", dihedral_names[i], hex);
        }
        fputc('}', stdout);
    }
    mv_digest_hex(r->md5, MV_MD5_LEN, md5);
    printf(", \"md5\": \"%s\", \"processing_time_ms\": %.3f, \"cached\": %s}", md5,
           r->processing_ms, r->cached ? "true" : "false");
}

static void print_text(const struct fp_opts *o, const char *path, const mv_fp_result *r)
{
    char prefix[16 + MV_PDQ_NDIHEDRAL * (MV_PDQ_HEX_LEN + 1) + 16], hex[MV_PDQ_HEX_LEN + 1];
    size_t n = 0;

    if (r->type == MV_FP_TEXT) {
        snprintf(prefix, sizeof(prefix), "simhash64 %016llx %llu ", (unsigned long long)r->simhash,
                 (unsigned long long)r->tokens);
    } else if (o->dihedral) {
        n = (size_t)snprintf(prefix, sizeof(prefix), "pdq-dihedral %d ", r->quality);
        for (int i = 0; i < MV_PDQ_NDIHEDRAL && n < sizeof(prefix); i++) {
            mv_pdq_to_hex(&r->pdq[i], hex);
            n += (size_t)snprintf(prefix + n, sizeof(prefix) - n, "%s ", hex);
        }
    } else {
        mv_pdq_to_hex(&r->pdq[0], hex);
        snprintf(prefix, sizeof(prefix), "pdq %s %d ", hex, r->quality);
    }
    cli_text_bytes(stdout, prefix, (const uint8_t *)path, strlen(path));
}

/* The answer for one input; returns the exit status it deserves. */
static int print_one(struct fp_opts *o, const char *path, mv_status st, const mv_fp_result *r)
{
    if (st != MV_OK) {
        const char *why = reason(st, r, path);
        fflush(stdout);
        cli_error(path, "%s", why);
        if (o->fmt == FP_JSON) {
            json_begin(o, path);
            fputs(", \"error\": ", stdout);
            cli_json_bytes(stdout, (const uint8_t *)why, strlen(why));
            fputc('}', stdout);
        }
        return st == MV_ENOMEM ? CLI_EXIT_SYSTEM : CLI_EXIT_SOME_FAILED;
    }
    if (o->fmt == FP_JSON)
        print_json(o, path, r);
    else
        print_text(o, path, r);
    return CLI_EXIT_OK;
}

/* ---- the batch ------------------------------------------------------------ */

/* The outcome of one input, whichever path it took. */
struct fp_job {
    enum fp_kind kind;
    mv_status st; /* KIND_FP */
    mv_fp_result r;
    struct cli_fp_audio_result audio;
    struct cli_fp_video_result video;
};

struct fp_batch {
    mv_fp *fp; /* shared: its lock guards the catalog */
    struct fp_opts *o;
    char **paths;
};

/* The path an input takes; *readable is 0 when its first bytes could not be read. */
static enum fp_kind kind_of(const struct fp_opts *o, const char *path, int *readable)
{
    uint8_t head[SNIFF_BYTES];

    *readable = 1;
    if (o->audio.mode == CLI_AUDIO_ON || o->audio.fmt == CLI_AUDIO_FPCALC)
        return KIND_AUDIO;
    if (o->video.mode == CLI_VIDEO_ON || o->video.fmt == CLI_VIDEO_VPDQ)
        return KIND_VIDEO;
    if (o->video.mode == CLI_VIDEO_OFF) /* --type image or text */
        return KIND_FP;
    const size_t n = cli_fp_read_head(path, head, sizeof(head));
    *readable = n > 0;
    if (cli_fp_video_sniff(head, n))
        return KIND_VIDEO;
    return mv_audio_sniff(head, n) ? KIND_AUDIO : KIND_FP;
}

/* Which catalog handles the inputs need: NEED_FP for a readable input on the
 * mv_fp path (images, text), NEED_AV for an audio or video input. */
enum { NEED_FP = 1, NEED_AV = 2 };

static int catalogs_needed(const struct fp_opts *o, char **paths, size_t n)
{
    int readable, need = 0;

    for (size_t i = 0; i < n && need != (NEED_FP | NEED_AV); i++) {
        const enum fp_kind k = kind_of(o, paths[i], &readable);
        if (k == KIND_FP && readable)
            need |= NEED_FP;
        else if (k != KIND_FP)
            need |= NEED_AV;
    }
    return need;
}

static int job_work(void *ctx, size_t i, void *result)
{
    const struct fp_batch *b = ctx;
    struct fp_job *j = result;
    int readable;

    j->kind = kind_of(b->o, b->paths[i], &readable);
    if (j->kind == KIND_AUDIO)
        cli_fp_audio_compute(&b->o->audio, b->paths[i], &j->audio);
    else if (j->kind == KIND_VIDEO)
        cli_fp_video_compute(&b->o->video, b->paths[i], &j->video);
    else
        j->st = mv_fp_file(b->fp, b->paths[i], &j->r);
    /* An audio or video file decoded while the run was stopped may have been
     * cut short by it (mv_media_cancel() looks like a timeout): no answer. */
    if (j->kind == KIND_AUDIO)
        return !(stop_requested && !j->audio.cached);
    if (j->kind == KIND_VIDEO)
        return !(stop_requested && !j->video.cached);
    return 1;
}

static void job_discard(void *ctx, void *result)
{
    struct fp_job *j = result;

    (void)ctx;
    free(j->video.frames);
    cli_fp_audio_release(&j->audio);
}

static int job_emit(void *ctx, size_t i, void *result)
{
    struct fp_batch *b = ctx;
    struct fp_job *j = result;
    int rc;

    if (j->kind == KIND_AUDIO)
        rc = cli_fp_audio_emit(&b->o->audio, b->paths[i], &j->audio, &b->o->printed);
    else if (j->kind == KIND_VIDEO)
        rc = cli_fp_video_emit(&b->o->video, b->paths[i], &j->video, &b->o->printed);
    else
        rc = print_one(b->o, b->paths[i], j->st, &j->r);
    fflush(stdout); /* each result leaves as soon as it is printed */
    return rc;
}

/* Every input on min(--jobs, n) workers; returns the worst exit status. */
static int run_inputs(const struct cli_global *g, mv_fp *fp, struct fp_opts *o, char **paths,
                      size_t n)
{
    long jobs = g->jobs > 0 ? g->jobs : sysconf(_SC_NPROCESSORS_ONLN);
    struct fp_batch ctx = { fp, o, paths };

    if (jobs < 1)
        jobs = 1;
    const size_t workers = (size_t)jobs < n ? (size_t)jobs : n;
    /* One video alone gets every thread for its frames; several share them. */
    o->video.threads = workers > 1 ? (size_t)jobs / workers : (size_t)jobs;
    o->audio.threads = cli_fp_audio_threads(jobs, workers);
    const struct cli_batch batch = { .n = n,
                                     .workers = workers,
                                     .result_size = sizeof(struct fp_job),
                                     .work = job_work,
                                     .emit = job_emit,
                                     .discard = job_discard,
                                     .stop = &stop_requested,
                                     .ctx = &ctx };
    size_t printed = 0;
    struct cli_signals sig;

    stop_requested = 0;
    cli_signals_catch(&sig, on_signal);
    int rc = cli_batch_run(&batch, &printed);
    cli_signals_restore(&sig);
    mv_media_cancel(0);
    if (printed < n) {
        fflush(stdout);
        cli_warn("fingerprint interrupted: %zu of %zu inputs not fingerprinted", n - printed, n);
        rc = rc > CLI_EXIT_SOME_FAILED ? rc : CLI_EXIT_SOME_FAILED;
    }
    return rc;
}

static int set(mv_fp *fp, mv_fp_opt key, long value)
{
    return mv_fp_set(fp, key, value) == MV_OK;
}

static int parse_type(mv_fp *fp, struct fp_opts *o, const char *text)
{
    o->video.mode = strcmp(text, "video") == 0  ? CLI_VIDEO_ON
                    : strcmp(text, "auto") == 0 ? CLI_VIDEO_AUTO
                                                : CLI_VIDEO_OFF;
    if (o->video.mode == CLI_VIDEO_ON) {
        o->audio.mode = CLI_AUDIO_OFF;
        return 1;
    }
    o->audio.mode = strcmp(text, "audio") == 0  ? CLI_AUDIO_ON
                    : strcmp(text, "auto") == 0 ? CLI_AUDIO_AUTO
                                                : CLI_AUDIO_OFF;
    if (o->audio.mode == CLI_AUDIO_ON)
        return 1;
    static const char *const names[] = { "auto", "image", "text" };

    for (long i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0)
            return set(fp, MV_FP_OPT_TYPE, i);
    cli_warn("unknown --type '%s' (auto, image, text, audio, video)", text);
    return 0;
}

static int parse_format(struct fp_opts *o, const char *text)
{
    o->audio.fmt = text[0] == 'j'   ? CLI_AUDIO_JSON
                   : text[0] == 'f' ? CLI_AUDIO_FPCALC
                                    : CLI_AUDIO_TEXT;
    o->video.fmt = text[0] == 'j'   ? CLI_VIDEO_JSON
                   : text[0] == 'v' ? CLI_VIDEO_VPDQ
                                    : CLI_VIDEO_TEXT;
    if (strcmp(text, "fpcalc") == 0 || strcmp(text, "vpdq") == 0)
        return 1;
    if (strcmp(text, "text") == 0 || strcmp(text, "json") == 0) {
        o->fmt = text[0] == 'j' ? FP_JSON : FP_TEXT;
        return 1;
    }
    cli_warn("unknown --format '%s' (text, json, fpcalc, vpdq)", text);
    return 0;
}

/* --every SECS: a decimal number of seconds, 0 = every frame. */
static int parse_every(struct fp_opts *o, const char *text)
{
    char *end = NULL;
    const double v = strtod(text, &end);

    if (end == text || *end != '\0' || !isfinite(v) || v < 0 || v > 1e6) {
        cli_warn("invalid --every '%s' (seconds, 0 = every frame)", text);
        return 0;
    }
    o->video.every = v;
    return 1;
}

/* MEDIAVAULT_TIMEOUT: seconds per audio or video input, decimals allowed, 0 = none. */
static int parse_timeout(struct fp_opts *o)
{
    const char *text = getenv("MEDIAVAULT_TIMEOUT");
    double v = DEFAULT_TIMEOUT_S;

    if (text != NULL && *text != '\0') {
        char *end = NULL;
        v = strtod(text, &end);
        if (end == text || *end != '\0' || !isfinite(v) || v < 0) {
            cli_warn("invalid MEDIAVAULT_TIMEOUT '%s' (seconds per file, 0 = none)", text);
            return 0;
        }
    }
    o->audio.timeout = o->video.timeout = v;
    return 1;
}

/* --format fpcalc is for audio only, --format vpdq for video only. */
static int formats_agree(const struct fp_opts *o)
{
    if (o->audio.fmt == CLI_AUDIO_FPCALC && o->video.mode == CLI_VIDEO_ON) {
        cli_warn("--format fpcalc is for audio, not --type video");
        return 0;
    }
    if (o->video.fmt == CLI_VIDEO_VPDQ && o->video.mode == CLI_VIDEO_OFF) {
        cli_warn("--format vpdq is for video only");
        return 0;
    }
    return 1;
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(struct cli_global *g, mv_fp *fp, struct fp_opts *o, int argc, char **argv)
{
    enum {
        OPT_FULLRES = 256,
        OPT_MAXPIX,
        OPT_EXIF,
        OPT_DIHEDRAL,
        OPT_NOCACHE,
        OPT_LENGTH,
        OPT_RAW,
        OPT_ALGO,
        OPT_EVERY,
        OPT_SIZE
    };
    static const struct option longs[] = {
        { "type", required_argument, NULL, 't' },
        { "format", required_argument, NULL, 'f' },
        { "full-res", no_argument, NULL, OPT_FULLRES },
        { "max-pixels", required_argument, NULL, OPT_MAXPIX },
        { "exif-orient", no_argument, NULL, OPT_EXIF },
        { "dihedral", no_argument, NULL, OPT_DIHEDRAL },
        { "no-cache", no_argument, NULL, OPT_NOCACHE },
        { "length", required_argument, NULL, OPT_LENGTH },
        { "raw", no_argument, NULL, OPT_RAW },
        { "algorithm", required_argument, NULL, OPT_ALGO },
        { "every", required_argument, NULL, OPT_EVERY },
        { "size", required_argument, NULL, OPT_SIZE },
        { "jobs", required_argument, NULL, 'j' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, ok = 1;
    long v;

    while (ok && (c = getopt_long(argc, argv, "+t:f:j:h", longs, NULL)) != -1) {
        switch (c) {
        case 't':
            ok = parse_type(fp, o, optarg);
            break;
        case 'f':
            ok = parse_format(o, optarg);
            break;
        case OPT_FULLRES:
            ok = set(fp, MV_FP_OPT_FULLRES, 1);
            break;
        case OPT_MAXPIX:
            ok = cli_parse_long("--max-pixels", optarg, 1, LONG_MAX, &v) &&
                 set(fp, MV_FP_OPT_MAX_PIXELS, v);
            o->video.max_pixels = ok ? (size_t)v : 0;
            break;
        case OPT_EXIF:
            ok = set(fp, MV_FP_OPT_EXIF, 1);
            break;
        case OPT_DIHEDRAL:
            o->dihedral = 1;
            ok = set(fp, MV_FP_OPT_DIHEDRAL, 1);
            break;
        case OPT_NOCACHE:
            o->no_cache = 1;
            ok = set(fp, MV_FP_OPT_CACHE, 0);
            break;
        case 'j':
            ok = cli_parse_jobs(g, optarg);
            break;
        case OPT_LENGTH:
            ok = cli_parse_long("--length", optarg, 0, 1L << 30, &v);
            o->audio.length = (double)v;
            break;
        case OPT_RAW:
            o->audio.raw = 1;
            break;
        case OPT_ALGO:
            ok = cli_parse_long("--algorithm", optarg, 1, 5, &v);
            o->audio.algorithm = (int)v;
            break;
        case OPT_EVERY:
            ok = parse_every(o, optarg);
            break;
        case OPT_SIZE:
            ok = cli_parse_long("--size", optarg, 0, 10000, &v);
            o->video.size = (size_t)v;
            break;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            ok = 0;
            break;
        }
    }
    if (ok && optind >= argc)
        cli_warn("fingerprint: no FILE given");
    if (ok && optind < argc && !formats_agree(o))
        ok = 0;
    if (ok && optind < argc)
        ok = parse_timeout(o);
    if (!ok || optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

int cli_fingerprint(struct cli_global *g, int argc, char **argv)
{
    struct fp_opts o = { .fmt = FP_TEXT,
                         .audio = { .mode = CLI_AUDIO_AUTO,
                                    .fmt = CLI_AUDIO_TEXT,
                                    .length = MV_AUDIO_DEFAULT_LENGTH,
                                    .algorithm = MV_AUDIO_DEFAULT_ALGORITHM },
                         .video = { .mode = CLI_VIDEO_AUTO, .fmt = CLI_VIDEO_TEXT, .every = 1.0 } };
    mv_fp *fp = NULL;
    mv_catalog *cat = NULL;
    struct cli_fp_cache av = { 0 };

    if (mv_fp_new(&fp) != MV_OK || pthread_mutex_init(&av.lock, NULL) != 0) {
        cli_warn("out of memory");
        mv_fp_free(fp);
        return CLI_EXIT_SYSTEM;
    }
    o.audio.cache = o.video.cache = &av;
    o.audio.cancel = o.video.cancel = &stop_requested;
    int rc = parse_opts(g, fp, &o, argc, argv);
    char **paths = argv + optind;
    if (rc < 0)
        cli_heap_for_decoding();
    const size_t n = rc < 0 ? (size_t)(argc - optind) : 0;
    const int need = rc < 0 && !o.no_cache ? catalogs_needed(&o, paths, n) : 0;
    if (need & NEED_FP) {
        cat = cli_catalog_open(g);
        rc = cat == NULL ? CLI_EXIT_SYSTEM : -1;
        mv_fp_set_catalog(fp, cat);
    }
    if (rc < 0 && (need & NEED_AV)) {
        av.cat = cli_catalog_open(g);
        rc = av.cat == NULL ? CLI_EXIT_SYSTEM : -1;
    }
    if (rc < 0) {
        if (o.fmt == FP_JSON)
            fputs("[\n", stdout);
        rc = run_inputs(g, fp, &o, paths, n);
        if (o.fmt == FP_JSON)
            fputs(o.printed ? "\n]\n" : "]\n", stdout);
        fflush(stdout);
    }
    mv_fp_free(fp);
    mv_catalog_close(cat);
    mv_catalog_close(av.cat);
    pthread_mutex_destroy(&av.lock);
    return rc;
}
