/*
 * A small fixed-size thread pool.
 *
 * Tasks are (function, argument) pairs kept in a growable ring. Workers sleep on
 * a condition variable; mv__pool_wait() sleeps until the queue is empty and no
 * task is running. The pool is deliberately simple: the heavy lifting in the
 * library is done by long-running tasks (one per worker) that pull their own
 * work, so the queue is never hot.
 */
#include <pthread.h>
#include <unistd.h>

#include "core.h"

struct task {
    mv__task_fn fn;
    void *arg;
};

struct mv__pool {
    pthread_mutex_t lock;
    pthread_cond_t work; /* a task was queued or the pool is stopping */
    pthread_cond_t idle; /* the queue drained and nothing runs */
    struct task *ring;
    size_t cap, head, count, running;
    int stopping;
    size_t nthreads;
    pthread_t *threads;
};

static void *worker_main(void *p)
{
    mv__pool *pool = p;

    pthread_mutex_lock(&pool->lock);
    for (;;) {
        while (pool->count == 0 && !pool->stopping)
            pthread_cond_wait(&pool->work, &pool->lock);
        if (pool->count == 0)
            break;
        struct task t = pool->ring[pool->head];
        pool->head = (pool->head + 1) % pool->cap;
        pool->count--;
        pool->running++;
        pthread_mutex_unlock(&pool->lock);
        t.fn(t.arg);
        pthread_mutex_lock(&pool->lock);
        pool->running--;
        if (pool->count == 0 && pool->running == 0)
            pthread_cond_broadcast(&pool->idle);
    }
    pthread_mutex_unlock(&pool->lock);
    return NULL;
}

static void stop_threads(mv__pool *pool, size_t started)
{
    pthread_mutex_lock(&pool->lock);
    pool->stopping = 1;
    pthread_cond_broadcast(&pool->work);
    pthread_mutex_unlock(&pool->lock);
    for (size_t i = 0; i < started; i++)
        pthread_join(pool->threads[i], NULL);
}

static void destroy(mv__pool *pool)
{
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->work);
    pthread_cond_destroy(&pool->idle);
    mv__free(pool->ring);
    mv__free(pool->threads);
    mv__free(pool);
}

mv_status mv__pool_new(size_t threads, mv__pool **out)
{
    *out = NULL;
    if (threads == 0)
        return MV_EINVAL;
    mv__pool *pool = mv__calloc(1, sizeof(*pool));
    if (pool == NULL)
        return MV_ENOMEM;
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->work, NULL);
    pthread_cond_init(&pool->idle, NULL);
    pool->cap = 16;
    pool->ring = mv__calloc(pool->cap, sizeof(*pool->ring));
    pool->threads = mv__calloc(threads, sizeof(*pool->threads));
    if (pool->ring == NULL || pool->threads == NULL) {
        destroy(pool);
        return MV_ENOMEM;
    }
    for (size_t i = 0; i < threads; i++) {
        if (pthread_create(&pool->threads[i], NULL, worker_main, pool) != 0) {
            stop_threads(pool, i);
            destroy(pool);
            return MV_ESYSTEM;
        }
    }
    pool->nthreads = threads;
    *out = pool;
    return MV_OK;
}

static mv_status grow(mv__pool *pool)
{
    size_t cap = pool->cap * 2;
    struct task *ring = mv__calloc(cap, sizeof(*ring));
    if (ring == NULL)
        return MV_ENOMEM;
    for (size_t i = 0; i < pool->count; i++)
        ring[i] = pool->ring[(pool->head + i) % pool->cap];
    mv__free(pool->ring);
    pool->ring = ring;
    pool->cap = cap;
    pool->head = 0;
    return MV_OK;
}

mv_status mv__pool_submit(mv__pool *pool, mv__task_fn fn, void *arg)
{
    mv_status st = MV_OK;

    pthread_mutex_lock(&pool->lock);
    if (pool->count == pool->cap)
        st = grow(pool);
    if (st == MV_OK) {
        pool->ring[(pool->head + pool->count) % pool->cap] = (struct task){ fn, arg };
        pool->count++;
        pthread_cond_signal(&pool->work);
    }
    pthread_mutex_unlock(&pool->lock);
    return st;
}

void mv__pool_wait(mv__pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->count != 0 || pool->running != 0)
        pthread_cond_wait(&pool->idle, &pool->lock);
    pthread_mutex_unlock(&pool->lock);
}

size_t mv__pool_size(const mv__pool *pool)
{
    return pool->nthreads;
}

void mv__pool_free(mv__pool *pool)
{
    if (pool == NULL)
        return;
    stop_threads(pool, pool->nthreads);
    destroy(pool);
}

size_t mv__cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}
