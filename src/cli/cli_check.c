/*
 * `mediavault hash --check`: verify a sums file as `md5sum -c` does.
 *
 * Each sums file is parsed whole (GNU lines "HEX  NAME" or "HEX *NAME", with
 * md5sum's leading-backslash escaping, and BSD lines "MD5 (NAME) = HEX"), the
 * listed files are hashed as one batch, and the verdicts are printed in line
 * order: "NAME: OK", "NAME: FAILED", "NAME: FAILED open or read", followed by
 * md5sum's summary warnings on stderr.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct entry {
    char *name;
    uint8_t want[MV_DIGEST_MAX_LEN];
    int done;
    mv_digest_result r;
};

struct check {
    const char *sums;
    mv_digest_algo algo;
    int flags;
    struct entry *e;
    size_t n, cap, next;
    size_t improper, unreadable, mismatched, verified;
    pthread_mutex_t lock;
};

static const char *bsd_tag(mv_digest_algo algo)
{
    static const char *const tags[] = { "MD5", "SHA1", "SHA256", "BLAKE2b" };
    return tags[algo];
}

static int parse_hex(const char *s, size_t len, uint8_t *out)
{
    for (size_t i = 0; i < len; i++) {
        int hi = isxdigit((unsigned char)s[2 * i]), lo = isxdigit((unsigned char)s[2 * i + 1]);
        if (!hi || !lo)
            return 0;
        char byte[3] = { s[2 * i], s[2 * i + 1], '\0' };
        out[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
    return 1;
}

/* "TAG (NAME) = HEX"; returns the name (inside line) or NULL. */
static char *parse_bsd(struct check *c, char *line, uint8_t *want)
{
    const char *tag = bsd_tag(c->algo);
    size_t tl = strlen(tag), hl = 2 * mv_digest_len(c->algo);

    if (strncmp(line, tag, tl) != 0 || strncmp(line + tl, " (", 2) != 0)
        return NULL;
    char *name = line + tl + 2;
    size_t len = strlen(name);
    if (len < hl + 4)
        return NULL;
    char *close = name + len - hl - 4; /* ") = " then the hex */
    if (strncmp(close, ") = ", 4) != 0 || !parse_hex(close + 4, hl / 2, want))
        return NULL;
    *close = '\0';
    return name;
}

/* "[\]HEX  NAME" or "[\]HEX *NAME"; returns the name (inside line) or NULL. */
static char *parse_gnu(struct check *c, char *line, uint8_t *want)
{
    size_t hl = 2 * mv_digest_len(c->algo);
    int escaped = line[0] == '\\';
    char *p = line + escaped;

    if (strlen(p) < hl + 3 || !parse_hex(p, hl / 2, want) || p[hl] != ' ')
        return NULL;
    if (p[hl + 1] != ' ' && p[hl + 1] != '*')
        return NULL;
    char *name = p + hl + 2;
    if (escaped && !cli_unescape(name))
        return NULL;
    return name;
}

static int add_entry(struct check *c, const char *name, const uint8_t *want)
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
    e->name = strdup(name);
    if (e->name == NULL)
        return 0;
    memcpy(e->want, want, mv_digest_len(c->algo));
    c->n++;
    return 1;
}

static int parse_line(struct check *c, char *line, size_t lineno)
{
    uint8_t want[MV_DIGEST_MAX_LEN];
    size_t len = strlen(line);

    if (len > 0 && line[len - 1] == '\n')
        line[--len] = '\0';
    if (len > 0 && line[len - 1] == '\r')
        line[--len] = '\0';
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line == '\0' || *line == '#')
        return 1;
    char *name = parse_bsd(c, line, want);
    if (name == NULL)
        name = parse_gnu(c, line, want);
    if (name != NULL && *name != '\0')
        return add_entry(c, name, want);
    c->improper++;
    if (c->flags & CLI_CHECK_WARN)
        cli_error(c->sums, "%zu: improperly formatted %s checksum line", lineno,
                  bsd_tag(c->algo));
    return 1;
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

    if (e->r.status != MV_OK) {
        if (e->r.status == MV_ENOENT && (c->flags & CLI_CHECK_IGNORE_MISSING))
            return;
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

static void on_checked(void *opaque, size_t index, const mv_digest_result *r)
{
    struct check *c = opaque;

    pthread_mutex_lock(&c->lock);
    c->e[index].r = *r;
    c->e[index].done = 1;
    while (c->next < c->n && c->e[c->next].done)
        verdict(c, &c->e[c->next++]);
    pthread_mutex_unlock(&c->lock);
}

static void plural_warning(size_t n, const char *one, const char *many)
{
    if (n > 0)
        cli_warn("WARNING: %zu %s", n, n == 1 ? one : many);
}

static int summarize(struct check *c)
{
    if (c->n == 0) {
        cli_error(c->sums, "no properly formatted checksum lines found");
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
        cli_error(c->sums, "no file was verified");
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

    while (ok && getline(&line, &cap, in) >= 0) {
        if (memchr(line, '\0', strlen(line) + 1) != line + strlen(line))
            continue;
        ok = parse_line(c, line, ++lineno);
    }
    free(line);
    if (ferror(in)) {
        cli_error(c->sums, "read error");
        return 0;
    }
    return ok;
}

static mv_status verify_all(const struct cli_global *g, struct check *c)
{
    mv_digest_batch *b;
    const char **paths = calloc(c->n + 1, sizeof(*paths));
    mv_status st = paths == NULL ? MV_ENOMEM : mv_digest_batch_new(&b);

    if (st != MV_OK) {
        free(paths);
        return st;
    }
    for (size_t i = 0; i < c->n; i++)
        paths[i] = c->e[i].name;
    st = mv_digest_batch_set(b, MV_DIGEST_OPT_ALGO, c->algo);
    if (st == MV_OK)
        st = mv_digest_batch_set(b, MV_DIGEST_OPT_JOBS, g->jobs);
    if (st == MV_OK)
        st = mv_digest_batch_set(b, MV_DIGEST_OPT_BACKEND, g->backend);
    if (st == MV_OK)
        st = mv_digest_batch_run(b, paths, c->n, NULL, on_checked, c);
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
    int ok = read_sums(c, in);
    if (in != stdin)
        fclose(in);
    if (!ok)
        return CLI_EXIT_SOME_FAILED;
    mv_status st = c->n ? verify_all(g, c) : MV_OK;
    if (st != MV_OK) {
        cli_warn("%s", mv_strerror(st));
        rc = cli_exit_for(st) == CLI_EXIT_USAGE ? CLI_EXIT_USAGE : CLI_EXIT_SYSTEM;
    } else {
        rc = summarize(c);
    }
    for (size_t i = 0; i < c->n; i++)
        free(c->e[i].name);
    free(c->e);
    return rc;
}

int cli_check(struct cli_global *g, mv_digest_algo algo, int argc, char **argv, int flags)
{
    int rc = CLI_EXIT_OK;

    for (int i = 0; i < argc || (i == 0 && argc == 0); i++) {
        struct check c = { .sums = argc ? argv[i] : "-", .algo = algo, .flags = flags };
        pthread_mutex_init(&c.lock, NULL);
        int one = check_one(g, &c);
        pthread_mutex_destroy(&c.lock);
        fflush(stdout);
        if (one > rc)
            rc = one;
    }
    return rc;
}
