/*
 * The ordered worker batch of `mediavault fingerprint` (cli_fp_batch.c): one
 * job per input on a fixed number of threads, each result handed back on the
 * calling thread in argument order.
 */
#ifndef MV_CLI_FP_BATCH_H
#define MV_CLI_FP_BATCH_H

#include <stddef.h>

/* Computes input `index` into result (result_size zeroed bytes); runs on a worker. */
typedef void (*cli_batch_work_fn)(void *ctx, size_t index, void *result);
/* Prints the result of input `index` and releases what it holds; runs on the
 * calling thread, in index order. Returns the exit status that input deserves. */
typedef int (*cli_batch_emit_fn)(void *ctx, size_t index, void *result);

struct cli_batch {
    size_t n;           /* inputs */
    size_t workers;     /* threads; 1 runs everything on the calling thread */
    size_t result_size; /* bytes of one result */
    cli_batch_work_fn work;
    cli_batch_emit_fn emit;
    void *ctx;
};

/* Runs every input; returns the worst exit status emit gave, or
 * CLI_EXIT_SYSTEM when memory for the results cannot be had. */
int cli_batch_run(const struct cli_batch *b);

#endif
