/*
 * `mediavault hash`: md5sum-compatible digests of files, directories and stdin.
 *
 * Inputs are expanded as they come (directories with --recursive, sorted),
 * standard input is hashed where it stands, and the files go to the library in
 * chunks of a few thousand, so memory stays bounded. Results arrive in completion order from the
 * workers; they are held until every earlier input is printed, so the output is in argument order
 * while the printing still streams.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

struct hash_opts {
    mv_digest_algo algo;
    int recursive, check, check_flags;
};

struct item {
    char *path; /* NULL for standard input */
    int done;
    mv_digest_result r;
};

struct printer {
    pthread_mutex_t lock;
    struct item *items;
    size_t n, next;
    size_t *batch_to_item;
    mv_digest_algo algo;
    int failed;
};

static void print_item(struct printer *pr, const struct item *it)
{
    char hex[2 * MV_DIGEST_MAX_LEN + 1];
    const char *name = it->path != NULL ? it->path : "-";

    if (it->r.status != MV_OK) {
        fflush(stdout); /* keep the order md5sum gives when both go to one place */
        cli_error(name, "%s", mv_strerror(it->r.status));
        pr->failed = 1;
        return;
    }
    mv_digest_hex(it->r.digest, mv_digest_len(pr->algo), hex);
    cli_progress_hold();
    if (cli_escape_needed(name)) {
        printf("\\%s  ", hex);
        cli_print_escaped(stdout, name);
        putchar('\n');
    } else {
        printf("%s  %s\n", hex, name);
    }
    cli_progress_release();
}

static void flush_ready(struct printer *pr)
{
    while (pr->next < pr->n && pr->items[pr->next].done) {
        print_item(pr, &pr->items[pr->next]);
        pr->next++;
    }
}

static void on_done(void *opaque, size_t index, const mv_digest_result *r)
{
    struct printer *pr = opaque;
    struct item *it = &pr->items[pr->batch_to_item[index]];

    pthread_mutex_lock(&pr->lock);
    it->r = *r;
    it->done = 1;
    flush_ready(pr);
    pthread_mutex_unlock(&pr->lock);
}

static void hash_stdin(struct item *it, mv_digest_algo algo)
{
    it->r.status = mv_digest_fd(algo, STDIN_FILENO, it->r.digest, &it->r.size);
    it->done = 1;
}

static mv_status make_batch(const struct cli_global *g, mv_digest_algo algo, mv_digest_batch **out)
{
    mv_status st = mv_digest_batch_new(out);

    if (st == MV_OK)
        st = mv_digest_batch_set(*out, MV_DIGEST_OPT_ALGO, algo);
    if (st == MV_OK)
        st = mv_digest_batch_set(*out, MV_DIGEST_OPT_JOBS, g->jobs);
    if (st == MV_OK)
        st = mv_digest_batch_set(*out, MV_DIGEST_OPT_BACKEND, g->backend);
    return st;
}

/*
 * Inputs are hashed in chunks of CHUNK_FILES as they are found, so memory stays
 * bounded however many files a tree holds; the batch, the progress counters
 * and the failure flag live across chunks.
 */
#define CHUNK_FILES 8192

struct session {
    mv_digest_algo algo;
    mv_digest_batch *batch;
    mv_progress *progress;
    struct cli_list chunk; /* inputs waiting, owned */
    int failed;
    mv_status fatal; /* the library could not run at all */
};

/* Hashes one chunk in order; standard input is read where it stands. */
static mv_status run_chunk(struct session *s, struct cli_list *in)
{
    struct printer pr = { .n = in->n, .algo = s->algo };
    const char **paths = calloc(in->n + 1, sizeof(*paths));
    size_t nfiles = 0;
    mv_status st = MV_OK;

    pr.items = calloc(in->n + 1, sizeof(*pr.items));
    pr.batch_to_item = calloc(in->n + 1, sizeof(size_t));
    if (paths == NULL || pr.items == NULL || pr.batch_to_item == NULL)
        st = MV_ENOMEM;
    pthread_mutex_init(&pr.lock, NULL);
    for (size_t i = 0; st == MV_OK && i < in->n; i++) {
        if (strcmp(in->items[i], "-") == 0) {
            hash_stdin(&pr.items[i], s->algo);
            continue;
        }
        pr.items[i].path = in->items[i];
        pr.batch_to_item[nfiles] = i;
        paths[nfiles++] = in->items[i];
    }
    if (st == MV_OK) {
        mv_progress_add_found(s->progress, nfiles, 0);
        flush_ready(&pr); /* standard input that came first */
        if (nfiles != 0)
            st = mv_digest_batch_run(s->batch, paths, nfiles, NULL, on_done, &pr);
        flush_ready(&pr);
    }
    s->failed |= pr.failed;
    pthread_mutex_destroy(&pr.lock);
    free(pr.items);
    free(pr.batch_to_item);
    free(paths);
    return st;
}

static int session_flush(struct session *s)
{
    if (s->fatal == MV_OK && s->chunk.n != 0)
        s->fatal = run_chunk(s, &s->chunk);
    cli_list_free(&s->chunk);
    return s->fatal == MV_OK;
}

/* cli_emit_fn: queues one input, hashing the chunk when it is full. */
static int session_add(void *ctx, char *path)
{
    struct session *s = ctx;

    if (!cli_list_push(&s->chunk, path)) {
        free(path);
        s->fatal = MV_ENOMEM;
        return 0;
    }
    return s->chunk.n < CHUNK_FILES || session_flush(s);
}

static int add_input(struct session *s, const char *arg, int recursive, int *errors)
{
    struct stat st;

    if (recursive && strcmp(arg, "-") != 0 && stat(arg, &st) == 0 && S_ISDIR(st.st_mode))
        return cli_walk(arg, session_add, s, errors);
    char *copy = strdup(arg);
    if (copy == NULL) {
        s->fatal = MV_ENOMEM;
        return 0;
    }
    return session_add(s, copy);
}

/* Hashes every input in argument order; returns the exit status. */
static int run_inputs(const struct cli_global *g, const struct hash_opts *o, int argc, char **argv)
{
    struct session s = { .algo = o->algo };
    int errors = 0;

    s.fatal = make_batch(g, o->algo, &s.batch);
    if (s.fatal == MV_OK)
        s.fatal = mv_progress_new(&s.progress);
    if (s.fatal == MV_OK) {
        mv_digest_batch_set_progress(s.batch, s.progress);
        struct cli_progress *cp = cli_progress_start(g, s.progress);
        for (int i = optind; i < argc || (i == optind && argc == optind); i++) {
            if (!add_input(&s, i < argc ? argv[i] : "-", o->recursive, &errors))
                break;
        }
        session_flush(&s);
        cli_progress_stop(cp);
    }
    cli_list_free(&s.chunk);
    mv_progress_free(s.progress);
    mv_digest_batch_free(s.batch);
    if (s.fatal != MV_OK) {
        cli_warn("%s", mv_strerror(s.fatal));
        return cli_exit_for(s.fatal) == CLI_EXIT_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_SYSTEM;
    }
    return s.failed || errors ? CLI_EXIT_SOME_FAILED : CLI_EXIT_OK;
}

static void hash_usage(FILE *out)
{
    fputs("Usage: mediavault hash [OPTION]... [FILE|DIR|-]...\n"
          "Print or check digests, exactly as md5sum, sha1sum, sha256sum and b2sum do.\n"
          "With no FILE, or when FILE is -, read standard input.\n\n"
          "  -a, --algo ALGO     md5 (default), sha1, sha256 or blake2b\n"
          "  -r, --recursive     hash the files under each DIR, sorted by name\n"
          "  -j, --jobs N        worker threads (default: the number of CPUs)\n"
          "      --backend B     MD5 engine: auto, scalar, simd or cuda\n"
          "  -c, --check         read digests from the FILEs and check them\n\n"
          "Options for --check:\n"
          "      --ignore-missing  don't fail or report status for missing files\n"
          "      --quiet         don't print OK for each successfully verified file\n"
          "      --status        don't output anything, the exit status shows success\n"
          "      --strict        exit non-zero for improperly formatted lines\n"
          "  -w, --warn          warn about improperly formatted lines\n\n"
          "FIFOs, sockets and devices are refused without being opened for reading;\n"
          "a file that changes while it is read is reported, never given a digest.\n"
          "Exit status: 0 all done, 1 some input failed, 2 usage error, 3 system error.\n",
          out);
}

/* parse_hash_opts() results besides an exit status: go on, or help was printed. */
#define PARSE_GO_ON -1
#define HELP_SHOWN  -2

/* --quiet, --status and --warn override each other: the last one wins, as in md5sum. */
#define CHECK_VERBOSITY (CLI_CHECK_QUIET | CLI_CHECK_STATUS | CLI_CHECK_WARN)

static int parse_hash_opts(struct cli_global *g, int argc, char **argv, struct hash_opts *o)
{
    enum { OPT_BACKEND = 256, OPT_QUIET, OPT_STATUS, OPT_STRICT, OPT_IGNORE_MISSING };
    static const struct option longs[] = {
        { "algo", required_argument, NULL, 'a' },
        { "recursive", no_argument, NULL, 'r' },
        { "jobs", required_argument, NULL, 'j' },
        { "backend", required_argument, NULL, OPT_BACKEND },
        { "check", no_argument, NULL, 'c' },
        { "quiet", no_argument, NULL, OPT_QUIET },
        { "status", no_argument, NULL, OPT_STATUS },
        { "strict", no_argument, NULL, OPT_STRICT },
        { "warn", no_argument, NULL, 'w' },
        { "ignore-missing", no_argument, NULL, OPT_IGNORE_MISSING },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    static char prog[] = "mediavault"; /* getopt's messages name argv[0], here "hash" */
    int c;

    argv[0] = prog;
    while ((c = getopt_long(argc, argv, "a:rj:cwh", longs, NULL)) != -1) {
        switch (c) {
        case 'a':
            if (mv_digest_algo_parse(optarg, &o->algo) != MV_OK) {
                cli_warn("unknown algorithm '%s' (md5, sha1, sha256, blake2b)", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'r':
            o->recursive = 1;
            break;
        case 'j':
            if (!cli_parse_jobs(g, optarg))
                return CLI_EXIT_USAGE;
            break;
        case OPT_BACKEND:
            if (!cli_parse_backend(g, optarg))
                return CLI_EXIT_USAGE;
            break;
        case 'c':
            o->check = 1;
            break;
        case OPT_QUIET:
            o->check_flags = (o->check_flags & ~CHECK_VERBOSITY) | CLI_CHECK_QUIET;
            break;
        case OPT_STATUS:
            o->check_flags = (o->check_flags & ~CHECK_VERBOSITY) | CLI_CHECK_STATUS;
            break;
        case OPT_STRICT:
            o->check_flags |= CLI_CHECK_STRICT;
            break;
        case 'w':
            o->check_flags = (o->check_flags & ~CHECK_VERBOSITY) | CLI_CHECK_WARN;
            break;
        case OPT_IGNORE_MISSING:
            o->check_flags |= CLI_CHECK_IGNORE_MISSING;
            break;
        case 'h':
            hash_usage(stdout);
            return HELP_SHOWN;
        default:
            fputs("Try 'mediavault hash --help' for more information.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (o->check_flags && !o->check) {
        cli_warn("--quiet, --status, --strict, --warn and --ignore-missing need --check");
        return CLI_EXIT_USAGE;
    }
    return PARSE_GO_ON;
}

int cli_hash(struct cli_global *g, int argc, char **argv)
{
    struct hash_opts o = { MV_DIGEST_MD5, 0, 0, 0 };
    int rc = parse_hash_opts(g, argc, argv, &o);

    if (rc == HELP_SHOWN)
        return CLI_EXIT_OK;
    if (rc >= 0)
        return rc;
    if (o.algo == MV_DIGEST_MD5 && !cli_backend_usable(g))
        return CLI_EXIT_USAGE;
    if (o.check)
        return cli_check(g, o.algo, argc - optind, argv + optind, o.check_flags);
    fflush(stdout);
    return run_inputs(g, &o, argc, argv);
}
