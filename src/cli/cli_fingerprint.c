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
 */
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mediavault/fingerprint.h"

enum fp_format { FP_TEXT, FP_JSON };

struct fp_opts {
    enum fp_format fmt;
    int no_cache, dihedral;
    size_t printed; /* JSON objects so far, for the commas */
};

static const char *const dihedral_names[MV_PDQ_NDIHEDRAL] = {
    "orig", "rot90", "rot180", "rot270", "flipx", "flipy", "flipp", "flipm",
};

static void usage(FILE *out)
{
    fputs("Usage: mediavault fingerprint [--type auto|image|text] [--format text|json]\n"
          "                              [--full-res] [--max-pixels N] [--exif-orient]\n"
          "                              [--dihedral] [--no-cache] FILE...\n"
          "Prints the PDQ hash and quality of each image, or the 64-bit SimHash and word\n"
          "count of each text; the type is sniffed from the content. Fingerprints are\n"
          "cached in the catalog by content MD5 (--no-cache: neither read nor write it).\n"
          "  text:  pdq HEX QUALITY PATH | simhash64 HEX16 TOKENS PATH\n"
          "         with --dihedral: pdq-dihedral QUALITY ORIG ROT90 ROT180 ROT270 FLIPX\n"
          "         FLIPY FLIPP FLIPM PATH\n"
          "  json:  an array of objects; a failed input is {\"path\": ..., \"error\": ...}\n",
          out);
}

static const char *reason(mv_status st, const mv_fp_result *r)
{
    switch (st) {
    case MV_ECORRUPT:
        return r->size == 0 ? "empty file" : "corrupt or truncated data";
    case MV_ENOTSUP:
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

/* One input; returns the exit status it deserves. */
static int fingerprint_one(mv_fp *fp, struct fp_opts *o, const char *path)
{
    mv_fp_result r;
    const mv_status st = mv_fp_file(fp, path, &r);

    if (st != MV_OK) {
        fflush(stdout);
        cli_error(path, "%s", reason(st, &r));
        if (o->fmt == FP_JSON) {
            json_begin(o, path);
            fputs(", \"error\": ", stdout);
            const char *why = reason(st, &r);
            cli_json_bytes(stdout, (const uint8_t *)why, strlen(why));
            fputc('}', stdout);
        }
        return st == MV_ENOMEM ? CLI_EXIT_SYSTEM : CLI_EXIT_SOME_FAILED;
    }
    if (o->fmt == FP_JSON)
        print_json(o, path, &r);
    else
        print_text(o, path, &r);
    return CLI_EXIT_OK;
}

static int set(mv_fp *fp, mv_fp_opt key, long value)
{
    return mv_fp_set(fp, key, value) == MV_OK;
}

static int parse_type(mv_fp *fp, const char *text)
{
    static const char *const names[] = { "auto", "image", "text" };

    for (long i = 0; i < 3; i++)
        if (strcmp(text, names[i]) == 0)
            return set(fp, MV_FP_OPT_TYPE, i);
    cli_warn("unknown --type '%s' (auto, image, text)", text);
    return 0;
}

static int parse_format(struct fp_opts *o, const char *text)
{
    if (strcmp(text, "text") == 0 || strcmp(text, "json") == 0) {
        o->fmt = text[0] == 'j' ? FP_JSON : FP_TEXT;
        return 1;
    }
    cli_warn("unknown --format '%s' (text, json)", text);
    return 0;
}

/* Returns -1 to go on, else the exit status. */
static int parse_opts(mv_fp *fp, struct fp_opts *o, int argc, char **argv)
{
    enum { OPT_FULLRES = 256, OPT_MAXPIX, OPT_EXIF, OPT_DIHEDRAL, OPT_NOCACHE };
    static const struct option longs[] = {
        { "type", required_argument, NULL, 't' },
        { "format", required_argument, NULL, 'f' },
        { "full-res", no_argument, NULL, OPT_FULLRES },
        { "max-pixels", required_argument, NULL, OPT_MAXPIX },
        { "exif-orient", no_argument, NULL, OPT_EXIF },
        { "dihedral", no_argument, NULL, OPT_DIHEDRAL },
        { "no-cache", no_argument, NULL, OPT_NOCACHE },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, ok = 1;
    long v;

    while (ok && (c = getopt_long(argc, argv, "+t:f:h", longs, NULL)) != -1) {
        switch (c) {
        case 't':
            ok = parse_type(fp, optarg);
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
    if (!ok || optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    return -1;
}

int cli_fingerprint(struct cli_global *g, int argc, char **argv)
{
    struct fp_opts o = { FP_TEXT, 0, 0, 0 };
    mv_fp *fp = NULL;
    mv_catalog *cat = NULL;

    if (mv_fp_new(&fp) != MV_OK) {
        cli_warn("out of memory");
        return CLI_EXIT_SYSTEM;
    }
    int rc = parse_opts(fp, &o, argc, argv);
    if (rc < 0 && !o.no_cache) {
        cat = cli_catalog_open(g);
        rc = cat == NULL ? CLI_EXIT_SYSTEM : -1;
        mv_fp_set_catalog(fp, cat);
    }
    if (rc < 0) {
        rc = CLI_EXIT_OK;
        if (o.fmt == FP_JSON)
            fputs("[\n", stdout);
        for (int i = optind; i < argc; i++) {
            const int r = fingerprint_one(fp, &o, argv[i]);
            rc = r > rc ? r : rc;
        }
        if (o.fmt == FP_JSON)
            fputs(o.printed ? "\n]\n" : "]\n", stdout);
    }
    mv_fp_free(fp);
    mv_catalog_close(cat);
    return rc;
}
