/*
 * The ordered worker batch of `mediavault fingerprint` (cli_fp_batch.c): one
 * job per input on a fixed number of threads, each result handed back on the
 * calling thread in argument order.
 */
#ifndef MV_CLI_FP_BATCH_H
#define MV_CLI_FP_BATCH_H

#include <stdatomic.h>
#include <stddef.h>

/* Computes input `index` into result (result_size zeroed bytes); runs on a
 * worker. Returns 1 when the result is complete, 0 when it was cut short by
 * the stop flag (it is then discarded, never printed). */
typedef int (*cli_batch_work_fn)(void *ctx, size_t index, void *result);
/* Prints the result of input `index` and releases what it holds; runs on the
 * calling thread, in index order. Returns the exit status that input deserves. */
typedef int (*cli_batch_emit_fn)(void *ctx, size_t index, void *result);
/* Releases what a result holds without printing it (after a stop). */
typedef void (*cli_batch_discard_fn)(void *ctx, void *result);

struct cli_batch {
    size_t n;           /* inputs */
    size_t workers;     /* threads; 1 runs everything on the calling thread */
    size_t result_size; /* bytes of one result */
    cli_batch_work_fn work;
    cli_batch_emit_fn emit;
    cli_batch_discard_fn discard;
    /* NULL, or set (by a signal handler) to stop: no input is taken after it,
     * the running ones finish (or see it themselves and give up), and the
     * complete results before the first that is not are printed, in order. */
    const atomic_int *stop;
    void *ctx;
};

/* Runs every input until *stop; returns the worst exit status emit gave, or
 * CLI_EXIT_SYSTEM when memory for the results cannot be had. *printed, when
 * not NULL, receives the number of inputs printed (n unless stopped). */
int cli_batch_run(const struct cli_batch *b, size_t *printed);

#endif
