/*
 * Catalog queries: `dupes`, `lookup` and `export`. Nothing here reads a file
 * that is catalogued; `lookup FILE` hashes only the file it is given.
 *
 * dupes collects the catalog's (size, MD5) groups, keeps the paths below the
 * ROOTs given, folds the hard links of one inode into one entry, and prints
 * the groups with the most reclaimable bytes first, in the formats of
 * `dupes --fresh` (cli_dupes_fresh.c, which `--fresh` hands over to):
 * text as jdupes prints with "# ..." header lines and "= PATH" for further
 * links, json, csv. Paths are written as cli_out.c says.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

enum format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_MD5SUM };

static int parse_format(const char *text, int allow_md5sum, enum format *out)
{
    static const char *const names[] = { "text", "json", "csv", "md5sum" };

    for (int i = 0; i < 4; i++) {
        if (strcmp(text, names[i]) == 0 && (i != FMT_MD5SUM || allow_md5sum)) {
            *out = (enum format)i;
            return 1;
        }
    }
    cli_warn("unknown format '%s'", text);
    return 0;
}

/* ---- dupes ------------------------------------------------------------- */

struct drow {
    uint8_t *path;
    size_t len;
    uint64_t dev, ino, size;
    uint8_t md5[MV_MD5_LEN];
};

struct dgroup {
    size_t first, end, entries;
    uint64_t reclaimable;
};

struct dupes {
    struct drow *rows;
    size_t n, cap;
    struct dgroup *groups;
    size_t ngroups;
    char **roots;
    size_t nroots;
    int oom;
};

static int below(const struct dupes *d, const mv_catalog_file *f)
{
    if (d->nroots == 0)
        return 1;
    for (size_t i = 0; i < d->nroots; i++) {
        size_t n = strlen(d->roots[i]);
        if (n > 0 && d->roots[i][n - 1] == '/')
            n--;
        if (f->path_len >= n && memcmp(f->path, d->roots[i], n) == 0 &&
            (f->path_len == n || f->path[n] == '/'))
            return 1;
    }
    return 0;
}

static int on_dupe_row(void *opaque, const mv_catalog_file *f)
{
    struct dupes *d = opaque;

    if (!below(d, f))
        return 0;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 1024;
        struct drow *v = realloc(d->rows, cap * sizeof(*v));
        if (v == NULL)
            return d->oom = 1;
        d->rows = v;
        d->cap = cap;
    }
    struct drow *r = &d->rows[d->n];
    r->path = malloc(f->path_len);
    if (r->path == NULL)
        return d->oom = 1;
    memcpy(r->path, f->path, f->path_len);
    r->len = f->path_len;
    r->dev = f->device;
    r->ino = f->inode;
    r->size = f->size;
    memcpy(r->md5, f->digest[MV_DIGEST_MD5], MV_MD5_LEN);
    d->n++;
    return 0;
}

static int same_content(const struct drow *a, const struct drow *b)
{
    return a->size == b->size && memcmp(a->md5, b->md5, MV_MD5_LEN) == 0;
}

static int same_inode(const struct drow *a, const struct drow *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

static int by_reclaimable(const void *a, const void *b)
{
    const struct dgroup *x = a, *y = b;

    if (x->reclaimable != y->reclaimable)
        return x->reclaimable > y->reclaimable ? -1 : 1;
    return x->first < y->first ? -1 : 1;
}

/* Rows come ordered by size, MD5, device, inode: one pass finds the groups. */
static int make_groups(struct dupes *d)
{
    d->groups = calloc(d->n / 2 + 1, sizeof(*d->groups));
    if (d->groups == NULL)
        return 0;
    for (size_t i = 0, j; i < d->n; i = j) {
        size_t entries = 1;
        for (j = i + 1; j < d->n && same_content(&d->rows[i], &d->rows[j]); j++)
            entries += !same_inode(&d->rows[j - 1], &d->rows[j]);
        if (entries < 2)
            continue;
        struct dgroup *g = &d->groups[d->ngroups++];
        g->first = i;
        g->end = j;
        g->entries = entries;
        g->reclaimable = d->rows[i].size * (entries - 1);
    }
    qsort(d->groups, d->ngroups, sizeof(*d->groups), by_reclaimable);
    return 1;
}

static void dupes_free(struct dupes *d)
{
    for (size_t i = 0; i < d->n; i++)
        free(d->rows[i].path);
    free(d->rows);
    free(d->groups);
    for (size_t i = 0; i < d->nroots; i++)
        free(d->roots[i]);
    free(d->roots);
}

struct totals {
    unsigned long long groups, entries, paths, reclaimable;
};

static void totals(const struct dupes *d, struct totals *t)
{
    memset(t, 0, sizeof(*t));
    for (size_t i = 0; i < d->ngroups; i++) {
        t->groups++;
        t->entries += d->groups[i].entries;
        t->paths += d->groups[i].end - d->groups[i].first;
        t->reclaimable += d->groups[i].reclaimable;
    }
}

static void print_text(const struct dupes *d)
{
    char hex[2 * MV_MD5_LEN + 1];
    struct totals t;

    for (size_t i = 0; i < d->ngroups; i++) {
        const struct dgroup *g = &d->groups[i];
        mv_digest_hex(d->rows[g->first].md5, MV_MD5_LEN, hex);
        printf("# %llu bytes x %zu files, %llu bytes reclaimable, md5 %s\n",
               (unsigned long long)d->rows[g->first].size, g->entries,
               (unsigned long long)g->reclaimable, hex);
        for (size_t j = g->first; j < g->end; j++) {
            int link = j > g->first && same_inode(&d->rows[j - 1], &d->rows[j]);
            cli_text_bytes(stdout, link ? "= " : "", d->rows[j].path, d->rows[j].len);
        }
        putchar('\n');
    }
    totals(d, &t);
    printf("# %llu groups, %llu files, %llu bytes reclaimable\n", t.groups, t.entries,
           t.reclaimable);
}

static void json_group(const struct dupes *d, const struct dgroup *g)
{
    char hex[2 * MV_MD5_LEN + 1];

    mv_digest_hex(d->rows[g->first].md5, MV_MD5_LEN, hex);
    printf("    {\"size\": %llu, \"md5\": \"%s\", \"files\": %zu, \"paths\": %zu, "
           "\"reclaimable\": %llu, \"entries\": [",
           (unsigned long long)d->rows[g->first].size, hex, g->entries, g->end - g->first,
           (unsigned long long)g->reclaimable);
    for (size_t j = g->first, k; j < g->end; j = k) {
        fputs(j > g->first ? ", {\"paths\": [" : "{\"paths\": [", stdout);
        for (k = j; k < g->end && same_inode(&d->rows[j], &d->rows[k]); k++) {
            fputs(k > j ? ", " : "", stdout);
            cli_json_bytes(stdout, d->rows[k].path, d->rows[k].len);
        }
        printf("], \"hardlinked\": %s}", k - j > 1 ? "true" : "false");
    }
    fputs("]}", stdout);
}

static void print_json(const struct dupes *d)
{
    struct totals t;

    fputs("{\"groups\": [\n", stdout);
    for (size_t i = 0; i < d->ngroups; i++) {
        json_group(d, &d->groups[i]);
        fputs(i + 1 < d->ngroups ? ",\n" : "\n", stdout);
    }
    totals(d, &t);
    printf("  ],\n \"summary\": {\"groups\": %llu, \"files\": %llu, \"paths\": %llu, "
           "\"reclaimable\": %llu, \"errors\": 0}}\n",
           t.groups, t.entries, t.paths, t.reclaimable);
}

static void print_csv(const struct dupes *d)
{
    char hex[2 * MV_MD5_LEN + 1];

    fputs("group,size,md5,files,reclaimable,entry,link,path\r\n", stdout);
    for (size_t i = 0; i < d->ngroups; i++) {
        const struct dgroup *g = &d->groups[i];
        size_t entry = 0, link = 0;
        mv_digest_hex(d->rows[g->first].md5, MV_MD5_LEN, hex);
        for (size_t j = g->first; j < g->end; j++) {
            if (j > g->first && same_inode(&d->rows[j - 1], &d->rows[j]))
                link++;
            else
                entry++, link = 0;
            printf("%zu,%llu,%s,%zu,%llu,%zu,%zu,", i + 1,
                   (unsigned long long)d->rows[g->first].size, hex, g->entries,
                   (unsigned long long)g->reclaimable, entry, link);
            cli_csv_bytes(stdout, d->rows[j].path, d->rows[j].len);
            fputs("\r\n", stdout);
        }
    }
}

static int add_roots(struct dupes *d, int argc, char **argv)
{
    char buf[PATH_MAX];

    d->roots = calloc((size_t)argc + 1, sizeof(*d->roots));
    if (d->roots == NULL)
        return 0;
    for (int i = 0; i < argc; i++) {
        const char *p = realpath(argv[i], buf) != NULL ? buf : argv[i];
        d->roots[d->nroots] = strdup(p);
        if (d->roots[d->nroots++] == NULL)
            return 0;
    }
    return 1;
}

static int has_fresh(int argc, char **argv)
{
    for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (strcmp(argv[i], "--fresh") == 0)
            return 1;
    }
    return 0;
}

static void dupes_usage(FILE *out)
{
    fputs("Usage: mediavault dupes [--min-size N] [--format text|json|csv] [ROOT...]\n"
          "Groups of catalogued files with the same size and MD5, most reclaimable space\n"
          "first (no file is read; hard links of one inode are one entry, \"= PATH\").\n"
          "With ROOTs, only paths below them. --fresh: find them without the catalog.\n",
          out);
}

static int parse_dupes(int argc, char **argv, long long *min_size, enum format *fmt)
{
    static const struct option longs[] = {
        { "min-size", required_argument, NULL, 'm' },
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;
    long v;

    while ((c = getopt_long(argc, argv, "+m:f:h", longs, NULL)) != -1) {
        if (c == 'm') {
            if (!cli_parse_long("--min-size", optarg, 0, LONG_MAX, &v))
                return CLI_EXIT_USAGE;
            *min_size = v;
        } else if (c == 'f') {
            if (!parse_format(optarg, 0, fmt))
                return CLI_EXIT_USAGE;
        } else if (c == 'h') {
            dupes_usage(stdout);
            return CLI_EXIT_OK;
        } else {
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

int cli_dupes(struct cli_global *g, int argc, char **argv)
{
    long long min_size = 1;
    enum format fmt = FMT_TEXT;
    struct dupes d;

    if (has_fresh(argc, argv))
        return cli_dupes_fresh(g, argc, argv);
    int rc = parse_dupes(argc, argv, &min_size, &fmt);
    if (rc >= 0)
        return rc;
    memset(&d, 0, sizeof(d));
    mv_catalog *c = cli_catalog_open(g);
    if (c == NULL)
        return CLI_EXIT_SYSTEM;
    rc = CLI_EXIT_SYSTEM;
    if (add_roots(&d, argc - optind, argv + optind)) {
        mv_status st = mv_catalog_each_dupe(c, (uint64_t)min_size, on_dupe_row, &d);
        if (st != MV_OK)
            cli_warn("catalog: %s", mv_catalog_errmsg(c));
        else if (!d.oom && make_groups(&d)) {
            if (fmt == FMT_TEXT)
                print_text(&d);
            else if (fmt == FMT_JSON)
                print_json(&d);
            else
                print_csv(&d);
            rc = CLI_EXIT_OK;
        }
    }
    dupes_free(&d);
    mv_catalog_close(c);
    return rc;
}

/* ---- lookup ------------------------------------------------------------ */

struct lookup {
    const char *query;
    enum format fmt;
    size_t found;
};

static int on_match(void *opaque, const mv_catalog_file *f)
{
    struct lookup *l = opaque;
    char hex[2 * MV_MD5_LEN + 1];

    mv_digest_hex(f->digest[MV_DIGEST_MD5], MV_MD5_LEN, hex);
    if (l->fmt == FMT_JSON) {
        fputs(l->found ? ", " : "", stdout);
        cli_json_bytes(stdout, f->path, f->path_len);
    } else {
        cli_md5sum_line(stdout, hex, f->path, f->path_len);
    }
    l->found++;
    return 0;
}

static int parse_md5(const char *text, uint8_t md5[MV_MD5_LEN])
{
    if (strlen(text) != 2 * MV_MD5_LEN)
        return 0;
    for (size_t i = 0; i < MV_MD5_LEN; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char ch = text[2 * i + (size_t)k];
            int d = ch >= '0' && ch <= '9'   ? ch - '0'
                    : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
                                             : -1;
            if (d < 0)
                return 0;
            v = v * 16 + (unsigned)d;
        }
        md5[i] = (uint8_t)v;
    }
    return 1;
}

/* The MD5 of a query: given as hex, or the digest of the file it names. */
static mv_status query_md5(const char *q, uint8_t md5[MV_MD5_LEN])
{
    uint8_t out[MV_DIGEST_MAX_LEN];

    if (parse_md5(q, md5) && access(q, F_OK) != 0)
        return MV_OK;
    int fd = open(q, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return mv_status_from_errno(errno);
    mv_status st = mv_digest_fd(MV_DIGEST_MD5, fd, out, NULL);
    close(fd);
    memcpy(md5, out, MV_MD5_LEN);
    return st;
}

static int lookup_one(mv_catalog *c, const char *q, enum format fmt, int first)
{
    uint8_t md5[MV_MD5_LEN];
    char hex[2 * MV_MD5_LEN + 1];
    struct lookup l = { q, fmt, 0 };
    mv_status st = query_md5(q, md5);

    if (st != MV_OK) {
        cli_error(q, "%s", mv_strerror(st));
        return CLI_EXIT_SOME_FAILED;
    }
    mv_digest_hex(md5, MV_MD5_LEN, hex);
    if (fmt == FMT_JSON) {
        printf("%s  {\"query\": ", first ? "" : ",\n");
        cli_json_bytes(stdout, (const uint8_t *)q, strlen(q));
        printf(", \"md5\": \"%s\", \"paths\": [", hex);
    }
    st = mv_catalog_file_find_md5(c, md5, on_match, &l);
    if (fmt == FMT_JSON)
        fputs("]}", stdout);
    if (st != MV_OK) {
        cli_warn("catalog: %s", mv_catalog_errmsg(c));
        return CLI_EXIT_SYSTEM;
    }
    if (l.found == 0 && fmt != FMT_JSON)
        cli_error(q, "not in the catalog (md5 %s)", hex);
    return l.found ? CLI_EXIT_OK : CLI_EXIT_SOME_FAILED;
}

static int parse_fmt_only(int argc, char **argv, int allow_md5sum, enum format *fmt,
                          const char *usage)
{
    static const struct option longs[] = {
        { "format", required_argument, NULL, 'f' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "+f:h", longs, NULL)) != -1) {
        if (c == 'f' && parse_format(optarg, allow_md5sum, fmt))
            continue;
        if (c == 'h') {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        return CLI_EXIT_USAGE;
    }
    return -1;
}

int cli_lookup(struct cli_global *g, int argc, char **argv)
{
    enum format fmt = FMT_TEXT;
    int rc = parse_fmt_only(argc, argv, 0, &fmt,
                            "Usage: mediavault lookup [--format text|json] MD5|FILE...\n"
                            "Where the content is in the catalog (a FILE is hashed first).\n");

    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        cli_warn("lookup: no MD5 or FILE given");
        return CLI_EXIT_USAGE;
    }
    mv_catalog *c = cli_catalog_open(g);
    if (c == NULL)
        return CLI_EXIT_SYSTEM;
    rc = CLI_EXIT_OK;
    if (fmt == FMT_JSON)
        fputs("[\n", stdout);
    for (int i = optind; i < argc && rc != CLI_EXIT_SYSTEM; i++) {
        int r = lookup_one(c, argv[i], fmt, i == optind);
        rc = r > rc ? r : rc;
    }
    if (fmt == FMT_JSON)
        fputs("\n]\n", stdout);
    mv_catalog_close(c);
    return rc;
}

/* ---- export ------------------------------------------------------------ */

struct exporter {
    enum format fmt;
    size_t n;
};

static void export_json(struct exporter *x, const mv_catalog_file *f)
{
    char hex[2 * MV_DIGEST_MAX_LEN + 1];

    fputs(x->n ? ",\n  {\"path\": " : "  {\"path\": ", stdout);
    cli_json_bytes(stdout, f->path, f->path_len);
    printf(", \"size\": %llu, \"mtime_ns\": %lld, \"device\": %llu, \"inode\": %llu",
           (unsigned long long)f->size, (long long)f->mtime_ns, (unsigned long long)f->device,
           (unsigned long long)f->inode);
    for (unsigned a = 0; a < MV_CATALOG_ALGOS; a++) {
        if (!(f->digests & MV_CATALOG_HAS(a)))
            continue;
        mv_digest_hex(f->digest[a], mv_digest_len((mv_digest_algo)a), hex);
        printf(", \"%s\": \"%s\"", mv_digest_algo_name((mv_digest_algo)a), hex);
    }
    fputc('}', stdout);
}

static int on_export(void *opaque, const mv_catalog_file *f)
{
    struct exporter *x = opaque;
    char hex[2 * MV_MD5_LEN + 1];

    if (f->kind != MV_KIND_FILE || f->error != MV_OK ||
        !(f->digests & MV_CATALOG_HAS(MV_DIGEST_MD5)))
        return 0;
    mv_digest_hex(f->digest[MV_DIGEST_MD5], MV_MD5_LEN, hex);
    if (x->fmt == FMT_JSON) {
        export_json(x, f);
    } else if (x->fmt == FMT_CSV) {
        cli_csv_bytes(stdout, f->path, f->path_len);
        printf(",%llu,%s,%lld\r\n", (unsigned long long)f->size, hex, (long long)f->mtime_ns);
    } else {
        cli_md5sum_line(stdout, hex, f->path, f->path_len);
    }
    x->n++;
    return 0;
}

int cli_export(struct cli_global *g, int argc, char **argv)
{
    struct exporter x = { FMT_MD5SUM, 0 };
    int rc = parse_fmt_only(argc, argv, 1, &x.fmt,
                            "Usage: mediavault export [--format md5sum|json|csv]\n"
                            "The catalog's files with their digests; md5sum -c reads the "
                            "default format.\n");

    if (rc >= 0)
        return rc;
    if (x.fmt == FMT_TEXT)
        x.fmt = FMT_MD5SUM;
    mv_catalog *c = cli_catalog_open(g);
    if (c == NULL)
        return CLI_EXIT_SYSTEM;
    if (x.fmt == FMT_JSON)
        fputs("[\n", stdout);
    else if (x.fmt == FMT_CSV)
        fputs("path,size,md5,mtime_ns\r\n", stdout);
    mv_status st = mv_catalog_each_file(c, on_export, &x);
    if (x.fmt == FMT_JSON)
        fputs(x.n ? "\n]\n" : "]\n", stdout);
    if (st != MV_OK)
        cli_warn("catalog: %s", mv_catalog_errmsg(c));
    mv_catalog_close(c);
    return st == MV_OK ? CLI_EXIT_OK : CLI_EXIT_SYSTEM;
}
