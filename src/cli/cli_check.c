/*
 * `mediavault hash --check`: verify a sums file as `md5sum -c` does.
 *
 * Each sums file is parsed whole (GNU lines "HEX  NAME" or "HEX *NAME", with
 * md5sum's leading-backslash escaping, and BSD lines "MD5 (NAME) = HEX"), the
 * listed files are hashed as one batch, and the verdicts are printed in line
 * order: "NAME: OK", "NAME: FAILED", "NAME: FAILED open or read", followed by
 * md5sum's summary warnings on stderr. A line naming "-" is checked against
 * standard input, as md5sum does. The --warn complaints about malformed lines
 * are kept in line order with the verdicts, and stdout is flushed before each
 * message on stderr, so that the two streams interleave exactly as md5sum's do
 * when they go to the same place.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

struct entry {
    char *name;    /* NULL for an improperly formatted line */
    size_t lineno; /* of the improperly formatted line */
    uint8_t want[MV_DIGEST_MAX_LEN];
    int done;
    mv_digest_result r;
};

/* Lines are verified in chunks, so memory stays bounded for any list. */
#define CHUNK_LINES 8192

struct check {
    const struct cli_global *g;
    const char *sums;
    mv_digest_algo algo;
    int flags;
    mv_sums_state format; /* shared by the lines of this list */
    struct entry *e;
    size_t n, cap, next;
    size_t *batch_to_entry;
    size_t files, improper, unreadable, mismatched, verified;
    mv_status fatal; /* the library could not run */
    pthread_mutex_t lock;
};

static mv_status verify_all(const struct cli_global *g, struct check *c);
static void flush_ready(struct check *c);

/* Verifies and reports the lines read so far, then forgets them. */
static int verify_chunk(struct check *c)
{
    if (c->fatal == MV_OK)
        c->fatal = verify_all(c->g, c);
    flush_ready(c);
    for (size_t i = 0; i < c->n; i++)
        free(c->e[i].name);
    free(c->batch_to_entry);
    c->batch_to_entry = NULL;
    c->n = c->next = 0;
    return c->fatal == MV_OK;
}

/* Appends an entry; name NULL records an improperly formatted line. */
static int add_entry(struct check *c, const char *name, const uint8_t *want, size_t lineno)
{
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 64;
        struct entry *e = realloc(c->e, cap * sizeof(*e));
        if (e == NULL)
            return 0;
        c->e = e;
        c->cap = cap;
    }
    struct entry *e = &c->e[c->n];
    memset(e, 0, sizeof(*e));
    e->lineno = lineno;
    if (name != NULL) {
        e->name = strdup(name);
        if (e->name == NULL)
            return 0;
        memcpy(e->want, want, mv_digest_len(c->algo));
        c->files++;
    }
    c->n++;
    return 1;
}

/* How messages name the list: md5sum's words for standard input. */
static const char *list_name(const struct check *c)
{
    return strcmp(c->sums, "-") == 0 ? "standard input" : c->sums;
}

static int parse_line(struct check *c, char *line, size_t len, size_t lineno)
{
    mv_sums_line sl;
    mv_status st = mv_sums_parse_line(c->algo, &c->format, line, len, &sl);

    /* A list read from standard input cannot also name standard input. */
    if (st == MV_OK && sl.kind == MV_SUMS_ENTRY && strcmp(sl.name, "-") == 0 &&
        strcmp(c->sums, "-") == 0)
        st = MV_EPARSE;
    if (st == MV_OK)
        return sl.kind == MV_SUMS_SKIP || add_entry(c, sl.name, sl.digest, lineno);
    c->improper++;
    return !(c->flags & CLI_CHECK_WARN) || add_entry(c, NULL, NULL, lineno);
}

static void print_name(const char *name)
{
    if (strchr(name, '\n') != NULL) {
        putchar('\\');
        cli_print_escaped(stdout, name);
    } else {
        fputs(name, stdout);
    }
}

static void verdict(struct check *c, struct entry *e)
{
    const int quiet = c->flags & CLI_CHECK_QUIET, silent = c->flags & CLI_CHECK_STATUS;
    const char *what = NULL;

    if (e->name == NULL) {
        fflush(stdout);
        cli_error(list_name(c), "%zu: improperly formatted %s checksum line", e->lineno,
                  mv_sums_tag(c->algo));
        return;
    }
    if (e->r.status != MV_OK) {
        if (e->r.status == MV_ENOENT && (c->flags & CLI_CHECK_IGNORE_MISSING))
            return;
        fflush(stdout);
        cli_error(e->name, "%s", mv_strerror(e->r.status));
        c->unreadable++;
        what = "FAILED open or read";
    } else if (memcmp(e->r.digest, e->want, mv_digest_len(c->algo)) != 0) {
        c->mismatched++;
        what = "FAILED";
    } else {
        c->verified++;
        what = quiet ? NULL : "OK";
    }
    if (what == NULL || silent)
        return;
    print_name(e->name);
    printf(": %s\n", what);
}

static void flush_ready(struct check *c)
{
    while (c->next < c->n && c->e[c->next].done)
        verdict(c, &c->e[c->next++]);
}

static void on_checked(void *opaque, size_t index, const mv_digest_result *r)
{
    struct check *c = opaque;
    struct entry *e = &c->e[c->batch_to_entry[index]];

    pthread_mutex_lock(&c->lock);
    e->r = *r;
    e->done = 1;
    flush_ready(c);
    pthread_mutex_unlock(&c->lock);
}

static void plural_warning(size_t n, const char *one, const char *many)
{
    if (n > 0)
        cli_warn("WARNING: %zu %s", n, n == 1 ? one : many);
}

static int summarize(struct check *c)
{
    fflush(stdout);
    if (c->files == 0) {
        cli_error(list_name(c), "no properly formatted checksum lines found");
        return CLI_EXIT_SOME_FAILED;
    }
    if (!(c->flags & CLI_CHECK_STATUS)) {
        plural_warning(c->improper, "line is improperly formatted",
                       "lines are improperly formatted");
        plural_warning(c->unreadable, "listed file could not be read",
                       "listed files could not be read");
        plural_warning(c->mismatched, "computed checksum did NOT match",
                       "computed checksums did NOT match");
    }
    if ((c->flags & CLI_CHECK_IGNORE_MISSING) && c->verified == 0 && c->unreadable == 0 &&
        c->mismatched == 0) {
        if (!(c->flags & CLI_CHECK_STATUS))
            cli_error(list_name(c), "no file was verified");
        return CLI_EXIT_SOME_FAILED;
    }
    if (c->unreadable || c->mismatched || ((c->flags & CLI_CHECK_STRICT) && c->improper))
        return CLI_EXIT_SOME_FAILED;
    return CLI_EXIT_OK;
}

static int read_sums(struct check *c, FILE *in)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    int ok = 1;

    ssize_t len;

    while (ok && (len = getline(&line, &cap, in)) >= 0) {
        ok = parse_line(c, line, (size_t)len, ++lineno);
        if (ok && c->n >= CHUNK_LINES)
            ok = verify_chunk(c);
    }
    free(line);
    if (ferror(in)) {
        cli_error(list_name(c), "read error");
        return 0;
    }
    return ok;
}

/* Marks the entries that need no batch as done (standard input is hashed here);
   collects the paths of the others. Returns how many paths there are. */
static size_t collect_paths(struct check *c, const char **paths)
{
    size_t nfiles = 0;

    for (size_t i = 0; i < c->n; i++) {
        struct entry *e = &c->e[i];
        if (e->name == NULL) {
            e->done = 1;
        } else if (strcmp(e->name, "-") == 0) {
            e->r.status = mv_digest_fd(c->algo, STDIN_FILENO, e->r.digest, &e->r.size);
            e->done = 1;
        } else {
            c->batch_to_entry[nfiles] = i;
            paths[nfiles++] = e->name;
        }
    }
    return nfiles;
}

static mv_status verify_all(const struct cli_global *g, struct check *c)
{
    mv_digest_batch *b = NULL;
    const char **paths = calloc(c->n + 1, sizeof(*paths));
    mv_status st = MV_OK;

    c->batch_to_entry = calloc(c->n + 1, sizeof(size_t));
    if (paths == NULL || c->batch_to_entry == NULL)
        st = MV_ENOMEM;
    size_t nfiles = st == MV_OK ? collect_paths(c, paths) : 0;
    flush_ready(c); /* what came before the first file */
    if (st == MV_OK && nfiles > 0)
        st = mv_digest_batch_new(&b);
    if (st != MV_OK || nfiles == 0) {
        free(paths);
        return st;
    }
    st = mv_digest_batch_set(b, MV_DIGEST_OPT_ALGO, c->algo);
    if (st == MV_OK)
        st = mv_digest_batch_set(b, MV_DIGEST_OPT_JOBS, g->jobs);
    if (st == MV_OK)
        st = mv_digest_batch_set(b, MV_DIGEST_OPT_BACKEND, g->backend);
    if (st == MV_OK)
        st = mv_digest_batch_run(b, paths, nfiles, NULL, on_checked, c);
    mv_digest_batch_free(b);
    free(paths);
    return st;
}

static int check_one(const struct cli_global *g, struct check *c)
{
    FILE *in = strcmp(c->sums, "-") == 0 ? stdin : fopen(c->sums, "r");
    int rc;

    if (in == NULL) {
        cli_error(c->sums, "%s", mv_strerror(mv_status_from_errno(errno)));
        return CLI_EXIT_SOME_FAILED;
    }
    c->g = g;
    int ok = read_sums(c, in);
    if (in != stdin)
        fclose(in);
    if (ok)
        verify_chunk(c);
    mv_status st = c->fatal;
    if (!ok && st == MV_OK) {
        rc = CLI_EXIT_SOME_FAILED;
    } else if (st != MV_OK) {
        cli_warn("%s", mv_strerror(st));
        rc = cli_exit_for(st) == CLI_EXIT_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_SYSTEM;
    } else {
        rc = summarize(c);
    }
    for (size_t i = 0; i < c->n; i++)
        free(c->e[i].name);
    free(c->e);
    free(c->batch_to_entry);
    return rc;
}

int cli_check(struct cli_global *g, mv_digest_algo algo, int argc, char **argv, int flags)
{
    int rc = CLI_EXIT_OK;

    for (int i = 0; i < argc || (i == 0 && argc == 0); i++) {
        struct check c = {
            .sums = argc ? argv[i] : "-", .algo = algo, .flags = flags, .format = MV_SUMS_STATE_INIT
        };
        pthread_mutex_init(&c.lock, NULL);
        int one = check_one(g, &c);
        pthread_mutex_destroy(&c.lock);
        fflush(stdout);
        if (one > rc)
            rc = one;
    }
    return rc;
}
