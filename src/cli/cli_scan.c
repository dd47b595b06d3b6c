/*
 * `mediavault scan`: walk roots into the catalog, then print a summary.
 *
 * The library does the work; this file parses options, opens the catalog,
 * turns SIGINT and SIGTERM into mv_scan_cancel() (the scan commits the batch
 * in flight and stops; a second signal kills as usual), prints per-path
 * failures as they happen ("mediavault: PATH: reason"; notes such as skipped
 * FIFOs only with --verbose) and the summary: text on stderr, or with --json
 * one object on stdout. Paths in messages are written as the bytes they are.
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static mv_scan *volatile running_scan;

static void on_signal(int sig)
{
    mv_scan_cancel(running_scan);
    signal(sig, SIG_DFL); /* a second signal ends the process the usual way */
}

mv_catalog *cli_catalog_open(const struct cli_global *g)
{
    char *uri = NULL;
    mv_catalog *c = NULL;
    mv_status st = MV_OK;

    if (g->catalog == NULL)
        st = mv_catalog_default_uri(&uri);
    if (st != MV_OK) {
        cli_warn("no catalog: set --catalog, MEDIAVAULT_CATALOG or HOME");
        return NULL;
    }
    const char *where = g->catalog != NULL ? g->catalog : uri;
    st = mv_catalog_open(where, &c);
    if (st != MV_OK) {
        cli_error(where, "%s", c != NULL ? mv_catalog_errmsg(c) : mv_strerror(st));
        mv_catalog_close(c);
        c = NULL;
    }
    mv_free(uri);
    return c;
}

struct scan_opts {
    int json, one_fs, follow;
    unsigned algos;
    struct cli_global *g;
    int fingerprint; /* --fingerprint */
};

static void on_event(void *opaque, const uint8_t *path, size_t len, mv_status st, const char *note)
{
    const struct scan_opts *o = opaque;

    if (st == MV_OK && !o->g->verbose)
        return;
    fflush(stdout);
    fputs("mediavault: ", stderr);
    fwrite(path, 1, len, stderr);
    if (st != MV_OK)
        fprintf(stderr, ": %s%s%s\n", mv_strerror(st), note != NULL ? " - " : "",
                note != NULL ? note : "");
    else
        fprintf(stderr, ": %s\n", note != NULL ? note : "skipped");
}

static void scan_usage(FILE *out)
{
    fputs("Usage: mediavault scan [OPTION]... ROOT...\n"
          "Catalog the files under each ROOT: MD5 of every regular file, read only when\n"
          "new or changed since the last scan.\n\n"
          "  -e, --exclude GLOB      leave out names (or paths, when GLOB has a '/') that match\n"
          "  -x, --one-file-system   stay on the file system of each ROOT\n"
          "  -L, --follow-symlinks   follow symbolic links (loops are noted and skipped)\n"
          "  -a, --algo ALGO         also store sha1, sha256 or blake2b (repeatable)\n"
          "      --fingerprint       also fingerprint the images and texts (up to 64 MiB)\n"
          "                          into the catalog's fingerprint cache; files named\n"
          "                          .jpg .png .gif .webp .heic .tif .bmp .txt .md .html\n"
          "                          .srt .vtt ... are read once for both; unchanged ones\n"
          "                          whose content has no fingerprint yet are read for it;\n"
          "                          one that cannot be fingerprinted is reported once\n"
          "      --json              print the summary as one JSON object on stdout\n"
          "  -j, --jobs N            hashing threads (default: the number of CPUs)\n"
          "      --parallel          accepted for users of the earlier scanner\n\n"
          "SIGINT or SIGTERM stops after committing the work in flight; running the same\n"
          "scan again continues without re-reading what was stored.\n",
          out);
}

#define PARSE_GO_ON -1
#define HELP_SHOWN  -2

static int parse_algo(struct scan_opts *o, const char *text)
{
    mv_digest_algo a;

    if (mv_digest_algo_parse(text, &a) != MV_OK) {
        cli_warn("unknown algorithm '%s' (md5, sha1, sha256, blake2b)", text);
        return CLI_EXIT_USAGE;
    }
    o->algos |= MV_CATALOG_HAS(a);
    return PARSE_GO_ON;
}

static int parse_scan_opts(int argc, char **argv, struct scan_opts *o, mv_scan *s)
{
    enum { OPT_JSON = 256, OPT_PARALLEL, OPT_FINGERPRINT };
    static const struct option longs[] = {
        { "exclude", required_argument, NULL, 'e' },
        { "one-file-system", no_argument, NULL, 'x' },
        { "follow-symlinks", no_argument, NULL, 'L' },
        { "algo", required_argument, NULL, 'a' },
        { "json", no_argument, NULL, OPT_JSON },
        { "jobs", required_argument, NULL, 'j' },
        { "parallel", no_argument, NULL, OPT_PARALLEL },
        { "fingerprint", no_argument, NULL, OPT_FINGERPRINT },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c, rc = PARSE_GO_ON;

    while (rc == PARSE_GO_ON && (c = getopt_long(argc, argv, "+e:xLa:j:h", longs, NULL)) != -1) {
        if (c == 'e' && mv_scan_add_exclude(s, optarg) != MV_OK)
            rc = CLI_EXIT_SYSTEM;
        else if (c == 'x')
            o->one_fs = 1;
        else if (c == 'L')
            o->follow = 1;
        else if (c == 'a')
            rc = parse_algo(o, optarg);
        else if (c == OPT_JSON)
            o->json = 1;
        else if (c == OPT_FINGERPRINT)
            o->fingerprint = 1;
        else if (c == 'j' && !cli_parse_long("--jobs", optarg, 1, 4096, &o->g->jobs))
            rc = CLI_EXIT_USAGE;
        else if (c == 'h') {
            scan_usage(stdout);
            rc = HELP_SHOWN;
        } else if (c == '?' || c == ':') {
            fputs("Try 'mediavault scan --help' for more information.\n", stderr);
            rc = CLI_EXIT_USAGE;
        }
    }
    if (rc == PARSE_GO_ON && optind >= argc) {
        cli_warn("scan: no ROOT given");
        rc = CLI_EXIT_USAGE;
    }
    return rc;
}

static mv_status configure(const struct scan_opts *o, mv_scan *s)
{
    const char *rows = getenv("MEDIAVAULT_BATCH_SIZE");
    mv_status st = mv_scan_opt_set(s, MV_SCAN_JOBS, o->g->jobs);

    if (st == MV_OK)
        st = mv_scan_opt_set(s, MV_SCAN_BACKEND, o->g->backend);
    if (st == MV_OK)
        st = mv_scan_opt_set(s, MV_SCAN_ONE_FILE_SYSTEM, o->one_fs);
    if (st == MV_OK)
        st = mv_scan_opt_set(s, MV_SCAN_FOLLOW_SYMLINKS, o->follow);
    if (st == MV_OK)
        st = mv_scan_opt_set(s, MV_SCAN_ALGOS, (long)o->algos);
    if (st == MV_OK)
        st = mv_scan_opt_set(s, MV_SCAN_FINGERPRINT, o->fingerprint);
    if (st == MV_OK && o->fingerprint)
        cli_heap_for_decoding();
    if (st == MV_OK && rows != NULL && *rows != '\0')
        st = mv_scan_opt_set(s, MV_SCAN_BATCH_ROWS, strtol(rows, NULL, 10));
    return st;
}

static void print_summary(const struct scan_opts *o, const mv_scan_summary *m, mv_status st)
{
    const mv_catalog_scan_stats *s = &m->stats;
    double rate = m->elapsed_s > 0 ? (double)s->bytes_read / m->elapsed_s : 0;
    int root_failed = st == MV_ENOENT || st == MV_EACCES || st == MV_ENOTDIR;
    const char *state = st == MV_ECANCELED           ? "canceled"
                        : st == MV_OK || root_failed ? "done"
                                                     : "failed";

    if (o->json) {
        printf("{\"scan_id\": %lld, \"status\": \"%s\", \"files\": %llu, \"bytes\": %llu, "
               "\"bytes_read\": %llu, \"new\": %llu, \"changed\": %llu, \"unchanged\": %llu, "
               "\"renamed\": %llu, \"gone\": %llu, \"errors\": %llu, \"skipped\": %llu, "
               "\"seconds\": %.3f, \"read_bytes_per_second\": %.0f, \"engine\": \"%s\", "
               "\"devices\": %llu",
               (long long)m->scan_id, state, (unsigned long long)s->files,
               (unsigned long long)s->bytes, (unsigned long long)s->bytes_read,
               (unsigned long long)s->new_files, (unsigned long long)s->changed,
               (unsigned long long)s->unchanged, (unsigned long long)s->renamed,
               (unsigned long long)s->gone, (unsigned long long)s->errors,
               (unsigned long long)s->skipped, m->elapsed_s, rate, m->engine,
               (unsigned long long)m->devices);
        if (o->fingerprint)
            printf(", \"fingerprinted\": %llu, \"fingerprints_cached\": %llu, "
                   "\"fingerprint_errors\": %llu, \"reread_for_fingerprint\": %llu",
                   (unsigned long long)m->fp_computed, (unsigned long long)m->fp_cached,
                   (unsigned long long)m->fp_failed, (unsigned long long)m->fp_reread);
        fputs("}\n", stdout);
        return;
    }
    if (o->g->quiet)
        return;
    fprintf(stderr,
            "scan %lld %s: %llu files, %llu bytes, %llu bytes read; %llu new, %llu changed, "
            "%llu unchanged, %llu renamed, %llu gone, %llu errors, %llu skipped; %.2f s, "
            "%.1f MB/s\n",
            (long long)m->scan_id, state, (unsigned long long)s->files,
            (unsigned long long)s->bytes, (unsigned long long)s->bytes_read,
            (unsigned long long)s->new_files, (unsigned long long)s->changed,
            (unsigned long long)s->unchanged, (unsigned long long)s->renamed,
            (unsigned long long)s->gone, (unsigned long long)s->errors,
            (unsigned long long)s->skipped, m->elapsed_s, rate / 1e6);
    if (o->fingerprint)
        fprintf(stderr,
                "fingerprints: %llu computed, %llu cached already, %llu failed; %llu unchanged "
                "files read for a missing fingerprint\n",
                (unsigned long long)m->fp_computed, (unsigned long long)m->fp_cached,
                (unsigned long long)m->fp_failed, (unsigned long long)m->fp_reread);
}

static int exit_status(mv_catalog *c, mv_status st, const mv_scan_summary *m)
{
    if (st == MV_ECANCELED) {
        cli_warn("scan interrupted; run it again to continue");
        return CLI_EXIT_SOME_FAILED;
    }
    if (st == MV_ENOENT || st == MV_EACCES || st == MV_ENOTDIR)
        return CLI_EXIT_SOME_FAILED;
    if (st != MV_OK) {
        cli_warn("catalog: %s (%s)", mv_strerror(st), mv_catalog_errmsg(c));
        return CLI_EXIT_SYSTEM;
    }
    return m->stats.errors > 0 ? CLI_EXIT_SOME_FAILED : CLI_EXIT_OK;
}

static int run_scan(struct scan_opts *o, mv_scan *s, int argc, char **argv)
{
    mv_catalog *c = cli_catalog_open(o->g);
    mv_progress *p = NULL;
    mv_scan_summary m;

    if (c == NULL)
        return CLI_EXIT_SYSTEM;
    if (mv_progress_new(&p) != MV_OK) {
        mv_catalog_close(c);
        return CLI_EXIT_SYSTEM;
    }
    mv_scan_set_progress(s, p);
    mv_scan_set_event(s, on_event, o);
    struct cli_signals sig;
    running_scan = s;
    cli_signals_catch(&sig, on_signal);
    struct cli_progress *cp = cli_progress_start(o->g, p);
    mv_status st =
        mv_scan_run(s, c, (const char *const *)argv + optind, (size_t)(argc - optind), &m);
    cli_progress_stop(cp);
    cli_signals_restore(&sig);
    running_scan = NULL;
    print_summary(o, &m, st);
    int rc = exit_status(c, st, &m);
    mv_progress_free(p);
    mv_catalog_close(c);
    return rc;
}

int cli_scan(struct cli_global *g, int argc, char **argv)
{
    struct scan_opts o = { 0, 0, 0, MV_CATALOG_HAS(MV_DIGEST_MD5), g, 0 };
    mv_scan *s = NULL;

    if (mv_scan_new(&s) != MV_OK) {
        cli_warn("out of memory");
        return CLI_EXIT_SYSTEM;
    }
    int rc = parse_scan_opts(argc, argv, &o, s);
    if (rc == PARSE_GO_ON && configure(&o, s) != MV_OK) {
        cli_warn("invalid scan settings (MEDIAVAULT_BATCH_SIZE?)");
        rc = CLI_EXIT_USAGE;
    }
    if (rc == PARSE_GO_ON)
        rc = run_scan(&o, s, argc, argv);
    mv_scan_free(s);
    return rc == HELP_SHOWN ? CLI_EXIT_OK : rc;
}
