/*
 * The mediavault program: global options, then a git-style subcommand.
 *
 * Global options come before the command and set what every command shares
 * (catalog, jobs, digest backend, verbosity); MEDIAVAULT_JOBS and
 * MEDIAVAULT_BACKEND give their defaults.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *out)
{
    fputs("Usage: mediavault [--catalog PATH] [--jobs N] [--backend auto|scalar|simd|cuda]\n"
          "                  [--quiet] [--verbose] COMMAND [ARGS]\n\n"
          "Commands:\n"
          "  info     version, CPU features, digest engines, GPU\n"
          "  hash     md5sum-compatible digests of files; --check verifies a sums file\n"
          "  scan     catalog the files under ROOTs (incremental, resumable)\n"
          "  dupes    duplicate files from the catalog (--fresh: without it)\n"
          "  lookup   where an MD5 or a FILE's content is in the catalog\n"
          "  export   the catalog as md5sum lines, JSON or CSV\n"
          "  fingerprint  PDQ of images, SimHash of texts, Chromaprint of audio, vPDQ of video\n\n"
          "Run 'mediavault COMMAND --help' for the options of a command.\n"
          "Exit status: 0 success, 1 some inputs failed, 2 usage error, 3 system error.\n",
          out);
}

static void on_log(void *opaque, mv_log_level level, const char *message)
{
    (void)opaque;
    (void)level;
    fprintf(stderr, "mediavault: %s\n", message);
}

static int env_defaults(struct cli_global *g)
{
    const char *jobs = getenv("MEDIAVAULT_JOBS"), *backend = getenv("MEDIAVAULT_BACKEND");

    if (jobs != NULL && *jobs != '\0' &&
        !cli_parse_long("MEDIAVAULT_JOBS", jobs, 1, 4096, &g->jobs))
        return 0;
    if (backend != NULL && *backend != '\0' &&
        mv_digest_backend_parse(backend, &g->backend) != MV_OK) {
        cli_warn("invalid MEDIAVAULT_BACKEND '%s' (auto, scalar, simd, cuda)", backend);
        return 0;
    }
    return 1;
}

static int parse_global(struct cli_global *g, int argc, char **argv)
{
    enum { OPT_CATALOG = 256, OPT_BACKEND, OPT_VERSION };
    static const struct option longs[] = {
        { "catalog", required_argument, NULL, OPT_CATALOG },
        { "jobs", required_argument, NULL, 'j' },
        { "backend", required_argument, NULL, OPT_BACKEND },
        { "quiet", no_argument, NULL, 'q' },
        { "verbose", no_argument, NULL, 'v' },
        { "version", no_argument, NULL, OPT_VERSION },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int c;

    while ((c = getopt_long(argc, argv, "+j:qvh", longs, NULL)) != -1) {
        switch (c) {
        case OPT_CATALOG:
            g->catalog = optarg;
            break;
        case 'j':
            if (!cli_parse_jobs(g, optarg))
                return CLI_EXIT_USAGE;
            break;
        case OPT_BACKEND:
            if (!cli_parse_backend(g, optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'q':
            g->quiet = 1;
            break;
        case 'v':
            g->verbose = 1;
            break;
        case OPT_VERSION:
            printf("mediavault %s\n", mv_version_string());
            return CLI_EXIT_OK;
        case 'h':
            usage(stdout);
            return CLI_EXIT_OK;
        default:
            usage(stderr);
            return CLI_EXIT_USAGE;
        }
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct cli_global g = { 0 };
    static char prog[] = "mediavault"; /* getopt names argv[0] in its messages */

    argv[0] = prog;
    if (!env_defaults(&g))
        return CLI_EXIT_USAGE;
    int rc = parse_global(&g, argc, argv);
    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    mv_log_set_handler(on_log, NULL, g.verbose ? MV_LOG_DEBUG : MV_LOG_WARN);
    const char *cmd = argv[optind];
    argc -= optind;
    argv += optind;
    optind = 0; /* restart getopt for the command's own options */
    if (strcmp(cmd, "info") == 0)
        return cli_info(&g, argc, argv);
    if (strcmp(cmd, "hash") == 0)
        return cli_hash(&g, argc, argv);
    if (strcmp(cmd, "dupes") == 0) /* cli_dupes() hands --fresh to cli_dupes_fresh() */
        return cli_dupes(&g, argc, argv);
    if (strcmp(cmd, "scan") == 0)
        return cli_scan(&g, argc, argv);
    if (strcmp(cmd, "lookup") == 0)
        return cli_lookup(&g, argc, argv);
    if (strcmp(cmd, "export") == 0)
        return cli_export(&g, argc, argv);
    if (strcmp(cmd, "fingerprint") == 0)
        return cli_fingerprint(&g, argc, argv);
    cli_warn("unknown command '%s'", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
