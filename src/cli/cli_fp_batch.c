/*
 * The ordered worker batch behind `mediavault fingerprint --jobs N`: N threads
 * fingerprint N inputs at once, and the calling thread prints each result as
 * soon as it and every result before it are done, so the output is the same,
 * in argument order, whatever N.
 *
 * Memory stays bounded whatever the number of inputs: results live in a ring
 * of WINDOW_PER_WORKER x N slots, and a worker takes input i only once input
 * i - slots has been printed and its slot released; a slow file therefore
 * holds the others back by at most the ring, never by the whole list. The
 * inputs are claimed from a counter in order, so a list of files of very
 * different sizes still keeps every worker busy until the ring is full.
 * Printing happens on the calling thread only, so the emit callbacks need no
 * lock, and the work callbacks never print.
 *
 * With one worker (or when no thread can be started) everything runs on the
 * calling thread, one input after the other, with a single slot.
 *
 * Stopping (b->stop, set by the program's SIGINT/SIGTERM handler): a worker
 * checks the flag before it takes an input, so none is started after it; the
 * inputs already running finish, or notice the flag themselves and come back
 * incomplete. The printer goes on printing complete results in order and
 * stops at the first input that is incomplete or was never taken, so what was
 * printed is a prefix of what a full run prints; results past that point are
 * discarded. A worker waiting for room is woken by the printer as it stops.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_fp_batch.h"

/* Slots per worker: one being computed and up to three done, waiting behind a
 * slower file for the printer. More keeps the workers busy longer past a slow
 * file, at the price of more results held (a video's frames are ~50 bytes each). */
#define WINDOW_PER_WORKER 4

enum { SLOT_EMPTY, SLOT_COMPLETE, SLOT_INCOMPLETE };

struct ring {
    const struct cli_batch *b;
    unsigned char *results; /* slots x b->result_size */
    unsigned char *done;    /* per slot, SLOT_*, under lock */
    size_t slots;
    size_t next;    /* the first input no worker took yet, under lock */
    size_t emitted; /* inputs printed and released, under lock */
    int quit;       /* the printer stopped: take nothing more, under lock */
    pthread_mutex_t lock;
    pthread_cond_t filled; /* a slot became done: the printer may go on */
    pthread_cond_t room;   /* a slot was released: a worker may take an input */
};

static void *slot_of(const struct ring *r, size_t index)
{
    return r->results + (index % r->slots) * r->b->result_size;
}

static int stopping(const struct cli_batch *b)
{
    return b->stop != NULL && *b->stop;
}

static void *worker_main(void *arg)
{
    struct ring *r = arg;

    pthread_mutex_lock(&r->lock);
    for (;;) {
        while (!r->quit && !stopping(r->b) && r->next < r->b->n && r->next >= r->emitted + r->slots)
            pthread_cond_wait(&r->room, &r->lock);
        if (r->next >= r->b->n || r->quit || stopping(r->b))
            break;
        const size_t i = r->next++;
        pthread_mutex_unlock(&r->lock);
        const int complete = r->b->work(r->b->ctx, i, slot_of(r, i));
        pthread_mutex_lock(&r->lock);
        r->done[i % r->slots] = complete ? SLOT_COMPLETE : SLOT_INCOMPLETE;
        pthread_cond_signal(&r->filled); /* only the printer waits on it */
    }
    /* The printer may be waiting for an input that will now never be taken. */
    pthread_cond_signal(&r->filled);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Prints every input in order as the workers finish them, until a stop;
 * returns the worst status and sets *printed. */
static int print_in_order(struct ring *r, size_t *printed)
{
    int rc = CLI_EXIT_OK;
    size_t i = 0;

    for (; i < r->b->n; i++) {
        pthread_mutex_lock(&r->lock);
        while (r->done[i % r->slots] == SLOT_EMPTY && !(i >= r->next && stopping(r->b)))
            pthread_cond_wait(&r->filled, &r->lock);
        const int state = r->done[i % r->slots];
        pthread_mutex_unlock(&r->lock);
        if (state != SLOT_COMPLETE)
            break;
        void *res = slot_of(r, i);
        const int one = r->b->emit(r->b->ctx, i, res);
        rc = one > rc ? one : rc;
        memset(res, 0, r->b->result_size);
        pthread_mutex_lock(&r->lock);
        r->done[i % r->slots] = SLOT_EMPTY;
        r->emitted++;
        pthread_cond_broadcast(&r->room);
        pthread_mutex_unlock(&r->lock);
    }
    *printed = i;
    pthread_mutex_lock(&r->lock);
    r->quit = 1;
    pthread_cond_broadcast(&r->room);
    pthread_mutex_unlock(&r->lock);
    return rc;
}

/* After the workers are joined: releases the results taken but not printed. */
static void discard_rest(struct ring *r, size_t from)
{
    for (size_t i = from; i < r->next; i++) {
        void *res = slot_of(r, i);
        if (r->done[i % r->slots] != SLOT_EMPTY && r->b->discard != NULL)
            r->b->discard(r->b->ctx, res);
        r->done[i % r->slots] = SLOT_EMPTY;
    }
}

static int run_serial(const struct cli_batch *b, void *res, size_t *printed)
{
    int rc = CLI_EXIT_OK;
    size_t i = 0;

    for (; i < b->n && !stopping(b); i++) {
        memset(res, 0, b->result_size);
        if (!b->work(b->ctx, i, res)) {
            if (b->discard != NULL)
                b->discard(b->ctx, res);
            break;
        }
        const int one = b->emit(b->ctx, i, res);
        rc = one > rc ? one : rc;
    }
    *printed = i;
    return rc;
}

static int run_threads(struct ring *r, pthread_t *th, size_t workers, size_t *printed)
{
    size_t started = 0;

    while (started < workers && pthread_create(&th[started], NULL, worker_main, r) == 0)
        started++;
    if (started == 0)
        return run_serial(r->b, r->results, printed);
    const int rc = print_in_order(r, printed);
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    discard_rest(r, *printed);
    return rc;
}

int cli_batch_run(const struct cli_batch *b, size_t *printed)
{
    size_t count = 0;

    const size_t workers = b->workers < b->n ? b->workers : b->n;
    struct ring r = { .b = b, .slots = workers > 1 ? WINDOW_PER_WORKER * workers : 1 };
    pthread_t *th = calloc(workers > 1 ? workers : 1, sizeof(*th));

    r.results = calloc(r.slots, b->result_size);
    r.done = calloc(r.slots, 1);
    int rc = CLI_EXIT_SYSTEM;
    if (th == NULL || r.results == NULL || r.done == NULL) {
        cli_warn("out of memory");
    } else if (workers <= 1) {
        rc = run_serial(b, r.results, &count);
    } else {
        pthread_mutex_init(&r.lock, NULL);
        pthread_cond_init(&r.filled, NULL);
        pthread_cond_init(&r.room, NULL);
        rc = run_threads(&r, th, workers, &count);
        pthread_cond_destroy(&r.room);
        pthread_cond_destroy(&r.filled);
        pthread_mutex_destroy(&r.lock);
    }
    free(r.done);
    free(r.results);
    free(th);
    if (printed != NULL)
        *printed = count;
    return rc;
}
