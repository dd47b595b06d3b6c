/*
 * The progress line on stderr.
 *
 * A thread wakes four times a second and redraws one line with the library's
 * counters, only when stderr is a terminal and --quiet is off; the line is
 * cleared when the work ends so that results and errors print cleanly.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

struct cli_progress {
    mv_progress *p;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stop;
    int drawn; /* a line is on the screen */
};

/* The line being shown, so that output from anywhere can clear it first. */
static struct cli_progress *_Atomic active;

static void draw(struct cli_progress *cp)
{
    mv_progress_stats s;
    char line[160];

    mv_progress_snapshot(cp->p, &s);
    mv_progress_format(&s, line, sizeof(line));
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    cp->drawn = 1;
}

void cli_progress_hold(void)
{
    struct cli_progress *cp = atomic_load(&active);

    if (cp == NULL)
        return;
    pthread_mutex_lock(&cp->lock);
    if (cp->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        cp->drawn = 0;
    }
}

void cli_progress_release(void)
{
    struct cli_progress *cp = atomic_load(&active);

    if (cp != NULL) {
        fflush(stdout);
        pthread_mutex_unlock(&cp->lock);
    }
}

static void *progress_main(void *arg)
{
    struct cli_progress *cp = arg;
    struct timespec until;

    pthread_mutex_lock(&cp->lock);
    while (!cp->stop) {
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&cp->wake, &cp->lock, &until);
        if (!cp->stop)
            draw(cp);
    }
    pthread_mutex_unlock(&cp->lock);
    fputs("\r\033[K", stderr);
    fflush(stderr);
    return NULL;
}

struct cli_progress *cli_progress_start(const struct cli_global *g, mv_progress *p)
{
    if (g->quiet || p == NULL || !isatty(STDERR_FILENO))
        return NULL;
    struct cli_progress *cp = calloc(1, sizeof(*cp));
    if (cp == NULL)
        return NULL;
    cp->p = p;
    pthread_mutex_init(&cp->lock, NULL);
    pthread_cond_init(&cp->wake, NULL);
    if (pthread_create(&cp->thread, NULL, progress_main, cp) != 0) {
        free(cp);
        return NULL;
    }
    atomic_store(&active, cp);
    return cp;
}

void cli_progress_stop(struct cli_progress *cp)
{
    if (cp == NULL)
        return;
    atomic_store(&active, NULL);
    pthread_mutex_lock(&cp->lock);
    cp->stop = 1;
    pthread_cond_signal(&cp->wake);
    pthread_mutex_unlock(&cp->lock);
    pthread_join(cp->thread, NULL);
    pthread_mutex_destroy(&cp->lock);
    pthread_cond_destroy(&cp->wake);
    free(cp);
}
