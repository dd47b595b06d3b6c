/*
 * Shared declarations of the mediavault program. The program uses the public
 * library API only (include/mediavault/); everything here is the tool's own.
 */
#ifndef MV_CLI_H
#define MV_CLI_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "mediavault/mediavault.h"

#if defined(__GNUC__)
#define CLI_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define CLI_PRINTF(fmt, args)
#endif

/* Exit statuses: the contract of DESIGN.md. */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_SOME_FAILED = 1,
    CLI_EXIT_USAGE = 2,
    CLI_EXIT_SYSTEM = 3,
};

/* Options given before the command. */
struct cli_global {
    const char *catalog;
    long jobs; /* 0 = number of CPUs */
    mv_digest_backend backend;
    int quiet, verbose;
};

/* Maps a library status to the exit status of a whole run. */
int cli_exit_for(mv_status st);

/* Why the decoder plugin kind cannot be used ("media decoders unavailable: FILE:
 * reason", "JPEG decoder unavailable: ..."), or NULL when it loads: the reason for
 * an MV_ENOTSUP from a decoding call that needed it. Loads that plugin alone. */
const char *cli_media_missing(mv_media_kind kind);

/* A file name for a message, quoted as coreutils quotes it when it needs quoting. */
void cli_print_quoted(FILE *out, const char *name);

/* "mediavault: PATH: reason" on stderr, PATH quoted as needed. */
void cli_error(const char *path, const char *fmt, ...) CLI_PRINTF(2, 3);
/* "mediavault: message" on stderr. */
void cli_warn(const char *fmt, ...) CLI_PRINTF(1, 2);

/* --jobs and --backend values into g; return 0 after complaining when bad. */
int cli_parse_jobs(struct cli_global *g, const char *text);
int cli_parse_backend(struct cli_global *g, const char *text);
/* Whether the MD5 engine asked for can run here; says why not when it cannot. */
int cli_backend_usable(const struct cli_global *g);

/* Parses a positive integer option value; returns 0 and complains when bad. */
int cli_parse_long(const char *opt, const char *text, long min, long max, long *out);

int cli_info(struct cli_global *g, int argc, char **argv);
int cli_hash(struct cli_global *g, int argc, char **argv);
int cli_check(struct cli_global *g, mv_digest_algo algo, int argc, char **argv, int flags);

/* --check flags */
#define CLI_CHECK_QUIET          1
#define CLI_CHECK_STATUS         2
#define CLI_CHECK_WARN           4
#define CLI_CHECK_STRICT         8
#define CLI_CHECK_IGNORE_MISSING 16

/* md5sum's file name escaping: returns 1 when name needs it (then out is written). */
int cli_escape_needed(const char *name);
void cli_print_escaped(FILE *out, const char *name);

/* Expands a directory into the sorted list of regular-looking files below it. */
struct cli_list {
    char **items;
    size_t n, cap;
};
int cli_list_push(struct cli_list *l, char *item);
void cli_list_free(struct cli_list *l);
/* Receives one file found by cli_walk() and takes ownership of path; returns 0
   to stop the walk (out of memory). */
typedef int (*cli_emit_fn)(void *ctx, char *path);
/* Emits the files under dir, sorted by name, depth first, symbolic links inside
   not followed. Errors are reported on stderr and counted in *errors.
   Returns 0 when emit stopped the walk or memory ran out. */
int cli_walk(const char *dir, cli_emit_fn emit, void *ctx, int *errors);

/* A progress line on stderr while work runs, only when stderr is a terminal. */
struct cli_progress;
struct cli_progress *cli_progress_start(const struct cli_global *g, mv_progress *p);
void cli_progress_stop(struct cli_progress *cp);
/* Around any output while a progress line may be shown: hold clears the line
   and keeps it from being redrawn until release (which flushes stdout). */
void cli_progress_hold(void);
void cli_progress_release(void);

/* `dupes --fresh`: exact duplicates without a catalog (argv[0] is "dupes"). */
int cli_dupes_fresh(struct cli_global *g, int argc, char **argv);

/* Catalog commands (cli_scan.c, cli_query.c). */
int cli_scan(struct cli_global *g, int argc, char **argv);
int cli_dupes(struct cli_global *g, int argc, char **argv);
int cli_lookup(struct cli_global *g, int argc, char **argv);
int cli_export(struct cli_global *g, int argc, char **argv);
/* `fingerprint`: PDQ / SimHash of files, cached in the catalog (cli_fingerprint.c). */
int cli_fingerprint(struct cli_global *g, int argc, char **argv);
/* Opens --catalog, else the default catalog; complains and returns NULL on failure. */
mv_catalog *cli_catalog_open(const struct cli_global *g);

/* The heap policy of the commands that decode images (cli_heap.c): blocks of up
 * to 32 MiB reused instead of mapped and faulted in again for each image. */
void cli_heap_for_decoding(void);

/* SIGINT and SIGTERM (cli_signals.c): handler for both, except a signal the
 * process inherited as ignored; cli_signals_restore() puts back the old actions. */
#define CLI_SIGNALS 2
struct cli_signals {
    struct sigaction old[CLI_SIGNALS];
    int set[CLI_SIGNALS];
};
void cli_signals_catch(struct cli_signals *s, void (*handler)(int));
void cli_signals_restore(struct cli_signals *s);

/* Length of the valid UTF-8 sequence (RFC 3629) at s, of left bytes; 0 when invalid. */
size_t cli_utf8_len(const uint8_t *s, size_t left);

/* Catalog paths are bytes: writers for text, md5sum, JSON and CSV (cli_out.c). */
void cli_text_bytes(FILE *out, const char *prefix, const uint8_t *s, size_t len);
void cli_md5sum_line(FILE *out, const char *hex, const uint8_t *s, size_t len);
void cli_json_bytes(FILE *out, const uint8_t *s, size_t len);
/* One {"path", "error"} object of a JSON array, with its separator unless first. */
void cli_json_error(FILE *out, const char *path, const char *reason, int first);
void cli_csv_bytes(FILE *out, const uint8_t *s, size_t len);

#endif
