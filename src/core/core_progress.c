/*
 * Progress counters.
 *
 * Plain atomics updated by the workers with relaxed ordering: the numbers are
 * for people, so a snapshot may mix counters from slightly different moments.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "core.h"
#include "mediavault/progress.h"

struct mv_progress {
    _Atomic uint64_t files_found, bytes_found, files_done, bytes_done;
    struct timespec start;
};

mv_status mv_progress_new(mv_progress **out)
{
    mv_progress *p = mv__calloc(1, sizeof(*p));
    *out = p;
    if (p == NULL)
        return MV_ENOMEM;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    return MV_OK;
}

void mv_progress_free(mv_progress *p)
{
    mv__free(p);
}

void mv_progress_add_found(mv_progress *p, uint64_t files, uint64_t bytes)
{
    if (p == NULL)
        return;
    atomic_fetch_add_explicit(&p->files_found, files, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->bytes_found, bytes, memory_order_relaxed);
}

void mv_progress_add_done(mv_progress *p, uint64_t files, uint64_t bytes)
{
    if (p == NULL)
        return;
    atomic_fetch_add_explicit(&p->files_done, files, memory_order_relaxed);
    atomic_fetch_add_explicit(&p->bytes_done, bytes, memory_order_relaxed);
}

void mv_progress_snapshot(const mv_progress *p, mv_progress_stats *out)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    out->files_found = atomic_load_explicit(&p->files_found, memory_order_relaxed);
    out->bytes_found = atomic_load_explicit(&p->bytes_found, memory_order_relaxed);
    out->files_done = atomic_load_explicit(&p->files_done, memory_order_relaxed);
    out->bytes_done = atomic_load_explicit(&p->bytes_done, memory_order_relaxed);
    out->elapsed_s =
        (double)(now.tv_sec - p->start.tv_sec) + (double)(now.tv_nsec - p->start.tv_nsec) / 1e9;
}

static void human_bytes(double v, char *buf, size_t size)
{
    static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
    size_t u = 0;

    while (v >= 1000.0 && u + 1 < sizeof(units) / sizeof(units[0])) {
        v /= 1000.0;
        u++;
    }
    mv__fmt(buf, size, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
}

void mv_progress_format(const mv_progress_stats *s, char *buf, size_t size)
{
    char done[32], found[32], rate[32], eta[32] = "--:--";
    double bps = s->elapsed_s > 0 ? (double)s->bytes_done / s->elapsed_s : 0.0;

    human_bytes((double)s->bytes_done, done, sizeof(done));
    human_bytes((double)s->bytes_found, found, sizeof(found));
    human_bytes(bps, rate, sizeof(rate));
    if (s->bytes_found < s->bytes_done) { /* sizes not known ahead: no total, no ETA */
        mv__fmt(buf, size, "%s  %llu / %llu files  %s/s", done, (unsigned long long)s->files_done,
                (unsigned long long)s->files_found, rate);
        return;
    }
    if (bps > 0 && s->bytes_found >= s->bytes_done) {
        unsigned long left = (unsigned long)((double)(s->bytes_found - s->bytes_done) / bps);
        mv__fmt(eta, sizeof(eta), "%lu:%02lu:%02lu", left / 3600, left / 60 % 60, left % 60);
    }
    mv__fmt(buf, size, "%s / %s  %llu / %llu files  %s/s  ETA %s", done, found,
            (unsigned long long)s->files_done, (unsigned long long)s->files_found, rate, eta);
}
