/*
 * Opening files ahead of the workers and starting their reads: the prefetcher.
 *
 * A lane scheduler reads its lanes one after the other with blocking read()s
 * (a scalar worker reads its one file), so on a cold page cache each worker
 * has about one request at the disk at a time, and every new file first waits
 * for its inode and then for its first block. More lanes or more workers would
 * mean more read buffers; here one thread runs ahead of the workers instead: it
 * opens the next files in the order the workers will take them (the stat, open
 * and fstat that wait for metadata) and asks the kernel to read them
 * (POSIX_FADV_WILLNEED), so that their data is on its way to the page cache
 * while the lanes hash. The data goes to the page cache, not to buffers of
 * ours, so the process does not grow; a window of PREFETCH_FILES open files and
 * PREFETCH_BYTES of requested data bounds how far ahead it runs.
 *
 * A worker taking file i gets the file the prefetcher opened for it (waiting if
 * the open is under way), or opens it itself when the prefetcher is behind; the
 * prefetcher then skips ahead, so that no file is opened twice. Each file is
 * opened exactly once, by whichever thread comes first, and an open that fails
 * is handed over like a success, so that its status reaches the worker.
 */
#include <assert.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>

#include "../core/core.h"
#include "engine.h"

/* Open files ahead of the workers: a power of two, and a slot per file. */
#define PREFETCH_FILES MV__PREFETCH_FILES
/* Bytes asked of the disk for files not yet taken by a worker. */
#define PREFETCH_BYTES ((uint64_t)64 << 20)

enum slot_state { SLOT_EMPTY, SLOT_OPENING, SLOT_READY };

struct slot {
    enum slot_state state;
    size_t index;
    mv_status status;
    int opened;     /* 0: left to the worker (the prefetcher ran out of descriptors) */
    uint64_t bytes; /* counted in the window while the file waits */
    mv__file f;
};

struct mv__prefetch {
    const char *const *paths;
    size_t n;
    size_t max_files; /* open files held at most, <= PREFETCH_FILES */
    size_t pos;       /* next index the prefetcher claims */
    size_t held;      /* slots not EMPTY */
    uint64_t ahead;   /* bytes requested for files no worker took yet */
    int stopping;
    pthread_mutex_t lock;
    pthread_cond_t cond; /* slot state changes, window space, stop */
    pthread_t thread;
    struct slot slot[PREFETCH_FILES];
};

static int window_full(const struct mv__prefetch *p)
{
    return p->ahead >= PREFETCH_BYTES || p->held >= p->max_files ||
           p->slot[p->pos % PREFETCH_FILES].state != SLOT_EMPTY;
}

/* Opens one file and asks for its data: all of it when the window has room,
   else what fits (the lane's reads and the kernel's readahead do the rest).
   Returns the bytes asked for. */
static uint64_t open_and_request(struct mv__prefetch *p, struct slot *s, uint64_t room)
{
    s->status = mv__file_open(p->paths[s->index], &s->f);
    s->opened = s->status != MV_EMFILE;
    if (s->status != MV_OK || s->f.pseudo)
        return 0;
    uint64_t size = (uint64_t)s->f.st.st_size;
    uint64_t want = size < room ? size : room;
    if (want > 0)
        (void)posix_fadvise(s->f.fd, 0, (off_t)want, POSIX_FADV_WILLNEED);
    return want;
}

static void *prefetch_main(void *arg)
{
    struct mv__prefetch *p = arg;
    int out_of_fds = 0;

    pthread_mutex_lock(&p->lock);
    while (!out_of_fds) {
        while (!p->stopping && p->pos < p->n && window_full(p))
            pthread_cond_wait(&p->cond, &p->lock);
        if (p->stopping || p->pos >= p->n)
            break;
        struct slot *s = &p->slot[p->pos % PREFETCH_FILES];
        s->state = SLOT_OPENING;
        s->index = p->pos++;
        p->held++;
        uint64_t room = PREFETCH_BYTES - p->ahead;
        pthread_mutex_unlock(&p->lock);
        uint64_t bytes = open_and_request(p, s, room);
        pthread_mutex_lock(&p->lock);
        s->bytes = bytes;
        p->ahead += bytes;
        s->state = SLOT_READY;
        out_of_fds = !s->opened; /* the lanes need descriptors more than we do */
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

mv_status mv__prefetch_start(const char *const *paths, size_t n, size_t max_files,
                             mv__prefetch **out)
{
    struct mv__prefetch *p;

    *out = NULL;
    if (max_files == 0)
        return MV_OK;
    p = mv__calloc(1, sizeof(*p));
    if (p == NULL)
        return MV_ENOMEM;
    p->paths = paths;
    p->n = n;
    p->max_files = max_files < PREFETCH_FILES ? max_files : PREFETCH_FILES;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->cond, NULL);
    if (pthread_create(&p->thread, NULL, prefetch_main, p) != 0) {
        pthread_mutex_destroy(&p->lock);
        pthread_cond_destroy(&p->cond);
        mv__free(p);
        return MV_ESYSTEM;
    }
    *out = p;
    return MV_OK;
}

/* Takes the slot's file under the lock; the window gets its room back.
   Returns 0 when the file was left for the caller to open. */
static int take_slot(struct mv__prefetch *p, struct slot *s, mv__file *f, mv_status *st)
{
    while (s->state == SLOT_OPENING)
        pthread_cond_wait(&p->cond, &p->lock);
    assert(s->state == SLOT_READY);
    *f = s->f;
    *st = s->status;
    p->ahead -= s->bytes;
    p->held--;
    s->state = SLOT_EMPTY;
    pthread_cond_broadcast(&p->cond);
    return s->opened;
}

mv_status mv__prefetch_open(mv__prefetch *p, size_t index, mv__file *f)
{
    const char *path = p->paths[index];
    mv_status st = MV_OK;
    int taken = 0;

    pthread_mutex_lock(&p->lock);
    struct slot *s = &p->slot[index % PREFETCH_FILES];
    if (index < p->pos && s->state != SLOT_EMPTY && s->index == index) {
        taken = take_slot(p, s, f, &st);
    } else if (index >= p->pos) {
        /* The prefetcher is behind: it skips to the files after this one (those
           before it are held by other workers, which open them themselves). */
        p->pos = index + 1;
        pthread_cond_broadcast(&p->cond);
    }
    pthread_mutex_unlock(&p->lock);
    return taken ? st : mv__file_open(path, f);
}

void mv__prefetch_stop(mv__prefetch *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->thread, NULL);
    /* Files opened for workers that never came (a canceled run). */
    for (size_t i = 0; i < PREFETCH_FILES; i++) {
        if (p->slot[i].state == SLOT_READY && p->slot[i].opened && p->slot[i].status == MV_OK)
            mv__file_close(&p->slot[i].f);
    }
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->cond);
    mv__free(p);
}
