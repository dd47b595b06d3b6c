/*
 * `mediavault dupes --fresh`: exact duplicates without a catalog.
 *
 * The library does the finding (mv_dupes_*: size groups, head/tail samples,
 * full MD5 only where still needed); this file parses the options and prints
 * the groups, largest reclaimable space first, in one of three formats:
 *
 * text  As jdupes prints: one path per line, groups separated by a blank line,
 *       plus a header line per group ("# SIZE bytes x N files, R bytes
 *       reclaimable, md5 HEX") and a final "# G groups, ..." summary. Further
 *       hard links of an inode follow its first path as "= PATH" lines. A path
 *       that holds a backslash, a newline or a carriage return, or begins with
 *       '#' or '=', is written md5sum's way: a leading backslash, then those
 *       three characters as \\, \n and \r. So every line is unambiguous.
 * json  One object: {"groups": [...], "summary": {...}}. Paths are bytes, not
 *       text: valid UTF-8 is written as is (JSON escapes for '"', '\' and
 *       control characters) and every byte that is not valid UTF-8 becomes
 *       \udcXX, the lone surrogate of Python's "surrogateescape" (PEP 383), so
 *       json.loads() then os.fsencode() gives the exact bytes back.
 * csv   RFC 4180, one row per path: group,size,md5,files,reclaimable,entry,
 *       link,path (link 0 is an inode's first path, 1.. its hard links).
 *       Fields holding a comma, a quote, CR or LF are quoted with quotes
 *       doubled; other bytes are written raw, so the file is lossless.
 *
 * Paths that could not be read are reported on stderr as they are met and
 * make the exit status 1; the groups found among the rest are still printed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "mediavault/dupes.h"

enum format { FMT_TEXT, FMT_JSON, FMT_CSV };

struct dupes_opts {
    long long min_size;
    int one_fs;
    enum format format;
};

struct printer {
    FILE *out;
    const mv_dupes_result *r;
    size_t errors;
};

/* ---- text -------------------------------------------------------------- */

static void text_path(FILE *out, const char *prefix, const char *path)
{
    cli_text_bytes(out, prefix, (const uint8_t *)path, strlen(path));
}

static void text_group(FILE *out, const mv_dupes_result *r, size_t i)
{
    mv_dupes_group g;
    mv_dupes_entry e;
    char hex[2 * MV_MD5_LEN + 1];

    mv_dupes_result_group(r, i, &g);
    mv_digest_hex(g.md5, MV_MD5_LEN, hex);
    fprintf(out, "# %llu bytes x %zu files, %llu bytes reclaimable, md5 %s\n",
            (unsigned long long)g.size, g.entries, (unsigned long long)g.reclaimable, hex);
    for (size_t j = 0; j < g.entries; j++) {
        mv_dupes_result_entry(r, i, j, &e);
        for (size_t k = 0; k < e.npaths; k++)
            text_path(out, k == 0 ? "" : "= ", e.paths[k]);
    }
    fputc('\n', out);
}

static void print_text(const struct printer *p)
{
    mv_dupes_stats s;

    for (size_t i = 0; i < mv_dupes_result_count(p->r); i++)
        text_group(p->out, p->r, i);
    mv_dupes_result_stats(p->r, &s);
    fprintf(p->out, "# %llu groups, %llu files, %llu bytes reclaimable\n",
            (unsigned long long)s.groups, (unsigned long long)s.entries,
            (unsigned long long)s.reclaimable);
}

/* ---- json -------------------------------------------------------------- */

static void json_string(FILE *out, const char *str)
{
    cli_json_bytes(out, (const uint8_t *)str, strlen(str));
}

static void json_entry(FILE *out, const mv_dupes_entry *e)
{
    fputs("{\"paths\": [", out);
    for (size_t k = 0; k < e->npaths; k++) {
        if (k > 0)
            fputs(", ", out);
        json_string(out, e->paths[k]);
    }
    fprintf(out, "], \"hardlinked\": %s}", e->npaths > 1 ? "true" : "false");
}

static void json_group(FILE *out, const mv_dupes_result *r, size_t i)
{
    mv_dupes_group g;
    mv_dupes_entry e;
    char hex[2 * MV_MD5_LEN + 1];

    mv_dupes_result_group(r, i, &g);
    mv_digest_hex(g.md5, MV_MD5_LEN, hex);
    fprintf(out,
            "    {\"size\": %llu, \"md5\": \"%s\", \"files\": %zu, \"paths\": %zu, "
            "\"reclaimable\": %llu, \"entries\": [",
            (unsigned long long)g.size, hex, g.entries, g.paths, (unsigned long long)g.reclaimable);
    for (size_t j = 0; j < g.entries; j++) {
        mv_dupes_result_entry(r, i, j, &e);
        fputs(j > 0 ? ", " : "", out);
        json_entry(out, &e);
    }
    fputs("]}", out);
}

static void print_json(const struct printer *p)
{
    mv_dupes_stats s;
    size_t n = mv_dupes_result_count(p->r);

    fputs("{\"groups\": [\n", p->out);
    for (size_t i = 0; i < n; i++) {
        json_group(p->out, p->r, i);
        fputs(i + 1 < n ? ",\n" : "\n", p->out);
    }
    mv_dupes_result_stats(p->r, &s);
    fprintf(p->out,
            "  ],\n \"summary\": {\"groups\": %llu, \"files\": %llu, \"paths\": %llu, "
            "\"reclaimable\": %llu, \"errors\": %zu}}\n",
            (unsigned long long)s.groups, (unsigned long long)s.entries,
            (unsigned long long)s.paths, (unsigned long long)s.reclaimable, p->errors);
}

/* ---- csv --------------------------------------------------------------- */

static void csv_field(FILE *out, const char *s)
{
    cli_csv_bytes(out, (const uint8_t *)s, strlen(s));
}

static void csv_group(FILE *out, const mv_dupes_result *r, size_t i)
{
    mv_dupes_group g;
    mv_dupes_entry e;
    char hex[2 * MV_MD5_LEN + 1];

    mv_dupes_result_group(r, i, &g);
    mv_digest_hex(g.md5, MV_MD5_LEN, hex);
    for (size_t j = 0; j < g.entries; j++) {
        mv_dupes_result_entry(r, i, j, &e);
        for (size_t k = 0; k < e.npaths; k++) {
            fprintf(out, "%zu,%llu,%s,%zu,%llu,%zu,%zu,", i + 1, (unsigned long long)g.size, hex,
                    g.entries, (unsigned long long)g.reclaimable, j + 1, k);
            csv_field(out, e.paths[k]);
            fputs("\r\n", out);
        }
    }
}

static void print_csv(const struct printer *p)
{
    fputs("group,size,md5,files,reclaimable,entry,link,path\r\n", p->out);
    for (size_t i = 0; i < mv_dupes_result_count(p->r); i++)
        csv_group(p->out, p->r, i);
}

/* ---- options and the run ------------------------------------------------ */

static void dupes_usage(FILE *out)
{
    fputs("Usage: mediavault dupes --fresh [OPTION]... ROOT...\n"
          "Find byte-identical files under the ROOTs without a catalog: files are\n"
          "grouped by size, then by a 4 KiB head + 4 KiB tail sample, and only files\n"
          "that still collide are hashed in full (MD5). Hard links of one inode are\n"
          "read once and shown as one entry. Symbolic links in the trees are not\n"
          "followed; FIFOs, sockets and devices are skipped.\n\n"
          "  --fresh                 no catalog: walk and read the files now\n"
          "  --min-size N            ignore files smaller than N bytes (suffix K, M,\n"
          "                          G, T: powers of 1024); default 1, so empty files\n"
          "                          are ignored as jdupes does; 0 includes them\n"
          "  --format F              text (default), json or csv\n"
          "  -x, --one-file-system   do not descend into other file systems\n"
          "  -j, --jobs N            reader threads (default: the number of CPUs)\n"
          "      --backend B         MD5 engine: auto, scalar, simd or cuda\n\n"
          "Groups come largest reclaimable space first. Exit status: 0 done, 1 some\n"
          "paths could not be read (the groups of the rest are printed), 2 usage\n"
          "error, 3 system error.\n",
          out);
}

static int parse_size(const char *text, long long *out)
{
    char *end;

    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    unsigned shift = 0;
    if (end != text && *end != '\0' && end[1] == '\0') {
        const char *p = strchr("KMGT", *end & ~0x20);
        shift = p != NULL ? 10 * (unsigned)(p - "KMGT" + 1) : 0;
        end += p != NULL;
    }
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
        v > (unsigned long long)(INT64_MAX >> shift)) {
        cli_warn("invalid value '%s' for --min-size (bytes, with an optional K, M, G, T)", text);
        return 0;
    }
    *out = (long long)(v << shift);
    return 1;
}

static int parse_format(const char *text, enum format *out)
{
    static const char *const names[] = { "text", "json", "csv" };

    for (size_t i = 0; i < 3; i++) {
        if (strcmp(text, names[i]) == 0) {
            *out = (enum format)i;
            return 1;
        }
    }
    cli_warn("unknown format '%s' (text, json, csv)", text);
    return 0;
}

#define PARSE_GO_ON -1
#define HELP_SHOWN  -2

enum { OPT_FRESH = 256, OPT_MIN_SIZE, OPT_FORMAT, OPT_BACKEND, OPT_CATALOG_ONLY };

static int parse_opt(struct cli_global *g, struct dupes_opts *o, int c)
{
    switch (c) {
    case OPT_FRESH:
        return PARSE_GO_ON;
    case OPT_MIN_SIZE:
        return parse_size(optarg, &o->min_size) ? PARSE_GO_ON : CLI_EXIT_USAGE;
    case OPT_FORMAT:
        return parse_format(optarg, &o->format) ? PARSE_GO_ON : CLI_EXIT_USAGE;
    case 'x':
        o->one_fs = 1;
        return PARSE_GO_ON;
    case 'j':
        return cli_parse_jobs(g, optarg) ? PARSE_GO_ON : CLI_EXIT_USAGE;
    case OPT_BACKEND:
        return cli_parse_backend(g, optarg) ? PARSE_GO_ON : CLI_EXIT_USAGE;
    case OPT_CATALOG_ONLY:
        cli_warn("--similar, --type and --threshold need the catalog; drop --fresh");
        return CLI_EXIT_USAGE;
    case 'h':
        dupes_usage(stdout);
        return HELP_SHOWN;
    default:
        fputs("Try 'mediavault dupes --help' for more information.\n", stderr);
        return CLI_EXIT_USAGE;
    }
}

static int parse_dupes_opts(struct cli_global *g, int argc, char **argv, struct dupes_opts *o)
{
    static const struct option longs[] = {
        { "fresh", no_argument, NULL, OPT_FRESH },
        { "min-size", required_argument, NULL, OPT_MIN_SIZE },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "one-file-system", no_argument, NULL, 'x' },
        { "jobs", required_argument, NULL, 'j' },
        { "backend", required_argument, NULL, OPT_BACKEND },
        { "similar", no_argument, NULL, OPT_CATALOG_ONLY },
        { "type", required_argument, NULL, OPT_CATALOG_ONLY },
        { "threshold", required_argument, NULL, OPT_CATALOG_ONLY },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc;

    while ((c = getopt_long(argc, argv, "xj:h", longs, NULL)) != -1) {
        rc = parse_opt(g, o, c);
        if (rc != PARSE_GO_ON)
            return rc;
    }
    if (optind >= argc) {
        cli_warn("dupes --fresh needs at least one ROOT");
        fputs("Try 'mediavault dupes --help' for more information.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    return PARSE_GO_ON;
}

static void on_error(void *opaque, const char *path, mv_status st)
{
    struct printer *p = opaque;

    cli_error(path, "%s", mv_strerror(st));
    p->errors++;
}

static mv_status make_finder(const struct cli_global *g, const struct dupes_opts *o, mv_dupes **out)
{
    mv_status st = mv_dupes_new(out);

    if (st == MV_OK)
        st = mv_dupes_set(*out, MV_DUPES_OPT_MIN_SIZE, o->min_size);
    if (st == MV_OK)
        st = mv_dupes_set(*out, MV_DUPES_OPT_ONE_FS, o->one_fs);
    if (st == MV_OK)
        st = mv_dupes_set(*out, MV_DUPES_OPT_JOBS, g->jobs);
    if (st == MV_OK)
        st = mv_dupes_set(*out, MV_DUPES_OPT_BACKEND, g->backend);
    return st;
}

static void print_stats(const mv_dupes_result *r)
{
    mv_dupes_stats s;

    mv_dupes_result_stats(r, &s);
    cli_warn("dupes: %llu files (%llu bytes) in %llu directories, %llu skipped; %llu share a "
             "size; %llu sampled; %llu hashed in full; %llu bytes read",
             (unsigned long long)s.files, (unsigned long long)s.bytes, (unsigned long long)s.dirs,
             (unsigned long long)s.skipped, (unsigned long long)s.size_collide,
             (unsigned long long)s.sampled, (unsigned long long)s.full_hashed,
             (unsigned long long)s.bytes_read);
}

static mv_status run(const struct cli_global *g, const struct dupes_opts *o, char **roots, size_t n,
                     struct printer *p, mv_dupes_result **r)
{
    mv_dupes *d = NULL;
    mv_progress *progress = NULL;
    mv_status st = make_finder(g, o, &d);

    if (st == MV_OK)
        st = mv_progress_new(&progress);
    if (st == MV_OK) {
        mv_dupes_set_error_cb(d, on_error, p);
        mv_dupes_set_progress(d, progress);
        struct cli_progress *cp = cli_progress_start(g, progress);
        st = mv_dupes_run(d, (const char *const *)roots, n, r);
        cli_progress_stop(cp);
    }
    mv_progress_free(progress);
    mv_dupes_free(d);
    return st;
}

int cli_dupes_fresh(struct cli_global *g, int argc, char **argv)
{
    struct dupes_opts o = { 1, 0, FMT_TEXT };
    struct printer p = { stdout, NULL, 0 };
    mv_dupes_result *r = NULL;

    int rc = parse_dupes_opts(g, argc, argv, &o);
    if (rc != PARSE_GO_ON)
        return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
    mv_status st = run(g, &o, argv + optind, (size_t)(argc - optind), &p, &r);
    if (st != MV_OK) {
        cli_warn("dupes: %s", mv_strerror(st));
        return cli_exit_for(st) == CLI_EXIT_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_SYSTEM;
    }
    p.r = r;
    if (o.format == FMT_JSON)
        print_json(&p);
    else if (o.format == FMT_CSV)
        print_csv(&p);
    else
        print_text(&p);
    if (g->verbose)
        print_stats(r);
    mv_dupes_result_free(r);
    if (fflush(stdout) != 0) {
        cli_warn("standard output: %s", strerror(errno));
        return CLI_EXIT_SYSTEM;
    }
    return p.errors > 0 ? CLI_EXIT_SOME_FAILED : CLI_EXIT_OK;
}
