/*
 * One large file, read and hashed at the same time.
 *
 * A single stream cannot use the multi-buffer engines, so its speed is the
 * speed of one core hashing plus the time to copy the data out of the page
 * cache (or wait for the disk). Here a reader thread fills one buffer while the
 * calling thread hashes the other, so reading costs nothing as long as it is
 * faster than hashing. Used when a batch holds one file and a second core is
 * free.
 */
#include <pthread.h>
#include <string.h>

#include "../core/core.h"
#include "engine.h"

#define PIPE_BUFS 2

struct slot {
    uint8_t *data;
    size_t len;
    int full;
};

struct pipe {
    mv__file f;
    size_t bufsize;
    struct slot slot[PIPE_BUFS];
    mv_status read_status;
    int done;     /* the reader saw the end of the file or an error */
    int stopping; /* the hasher gave up: the reader must stop */
    uint64_t total;
    mv_progress *counter; /* the caller's, for the reader thread's reads */
    pthread_mutex_t lock;
    pthread_cond_t cond;
};

/* Reader: fills the slots in turn until the end of the file. */
static void *reader_main(void *arg)
{
    struct pipe *p = arg;

    mv__file_count_to(p->counter);
    for (size_t i = 0;; i = (i + 1) % PIPE_BUFS) {
        struct slot *s = &p->slot[i];
        pthread_mutex_lock(&p->lock);
        while (s->full && !p->stopping)
            pthread_cond_wait(&p->cond, &p->lock);
        int stop = p->stopping;
        pthread_mutex_unlock(&p->lock);
        if (stop)
            return NULL;
        size_t got = 0;
        mv_status st = mv__file_read(&p->f, s->data, p->bufsize, &got);
        pthread_mutex_lock(&p->lock);
        p->total += got;
        s->len = got;
        s->full = got > 0;
        p->read_status = st;
        p->done = st != MV_OK || got == 0 || mv__file_at_end(&p->f, p->total);
        pthread_cond_broadcast(&p->cond);
        int finished = p->done;
        pthread_mutex_unlock(&p->lock);
        if (finished)
            return NULL;
    }
}

/* Hasher: consumes the slots in the same order. Returns the read status. */
static mv_status hash_slots(struct pipe *p, EVP_MD_CTX *ctx)
{
    for (size_t i = 0;; i = (i + 1) % PIPE_BUFS) {
        struct slot *s = &p->slot[i];
        pthread_mutex_lock(&p->lock);
        while (!s->full && !p->done)
            pthread_cond_wait(&p->cond, &p->lock);
        int have = s->full;
        mv_status st = p->read_status;
        pthread_mutex_unlock(&p->lock);
        if (!have)
            return st;
        if (!EVP_DigestUpdate(ctx, s->data, s->len))
            return MV_ENOMEM;
        pthread_mutex_lock(&p->lock);
        s->full = 0;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
    }
}

static mv_status run_pipe(struct pipe *p, EVP_MD_CTX *ctx)
{
    pthread_t reader;

    if (pthread_create(&reader, NULL, reader_main, p) != 0)
        return MV_ESYSTEM;
    mv_status st = hash_slots(p, ctx);
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(reader, NULL);
    return st;
}

void mv__digest_file_overlapped(const char *path, mv_digest_algo algo, size_t bufsize,
                                mv_digest_result *out)
{
    struct pipe p;
    unsigned int n = 0;

    memset(out, 0, sizeof(*out));
    memset(&p, 0, sizeof(p));
    p.bufsize = bufsize;
    p.counter = mv__file_counter();
    out->status = mv__file_open(path, &p.f);
    if (out->status != MV_OK)
        return;
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.cond, NULL);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    for (size_t i = 0; i < PIPE_BUFS; i++)
        p.slot[i].data = mv__malloc(bufsize);
    if (ctx == NULL || p.slot[0].data == NULL || p.slot[1].data == NULL ||
        !EVP_DigestInit_ex2(ctx, mv__evp_md(algo), NULL))
        out->status = MV_ENOMEM;
    if (out->status == MV_OK)
        out->status = run_pipe(&p, ctx);
    out->size = p.total;
    if (out->status == MV_OK)
        out->status = mv__file_verify(&p.f, p.total);
    if (out->status == MV_OK && !EVP_DigestFinal_ex(ctx, out->digest, &n))
        out->status = MV_ENOMEM;
    for (size_t i = 0; i < PIPE_BUFS; i++)
        mv__free(p.slot[i].data);
    EVP_MD_CTX_free(ctx);
    pthread_mutex_destroy(&p.lock);
    pthread_cond_destroy(&p.cond);
    mv__file_close(&p.f);
}
