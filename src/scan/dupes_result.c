/*
 * The groups handed to the caller by the duplicate finder.
 *
 * The result owns copies of the paths of its groups only, so the walk's whole
 * tree is released when the run returns: four allocations sized exactly (the
 * groups, the entries, the path pointers and one arena of strings). Order is
 * part of the contract, so that output is the same on every run and every file
 * system: paths sorted within an inode (byte order), inodes by their first
 * path, groups by reclaimable bytes (largest first), then size, then first
 * path.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "dupes_fresh_int.h"

struct rentry {
    const char **paths;
    size_t npaths;
    uint64_t dev, ino;
};

struct rgroup {
    uint64_t size;
    uint8_t md5[MV_MD5_LEN];
    struct rentry *entries;
    size_t nentries, npaths;
};

struct mv_dupes_result {
    struct rgroup *groups;
    size_t ngroups;
    struct rentry *entries;
    const char **paths;
    char *arena;
    mv_dupes_stats stats;
};

static int same_key(const struct mv__dupes_cand *a, const struct mv__dupes_cand *b)
{
    return a->size == b->size && memcmp(a->key, b->key, MV_MD5_LEN) == 0;
}

static size_t run_end(const struct mv__dupes_cand *c, size_t n, size_t i)
{
    size_t end = i + 1;

    while (end < n && same_key(&c[i], &c[end]))
        end++;
    return end;
}

struct sizes {
    size_t groups, entries, paths, bytes;
};

static void count(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c, size_t n,
                  struct sizes *z)
{
    memset(z, 0, sizeof(*z));
    for (size_t i = 0, end; i < n; i = end) {
        end = run_end(c, n, i);
        if (end - i < 2)
            continue;
        z->groups++;
        z->entries += end - i;
        for (size_t k = i; k < end; k++) {
            z->paths += c[k].nlinks;
            for (size_t l = 0; l < c[k].nlinks; l++)
                z->bytes += mv__dupes_path_len(t, &t->files[c[k].first + l]) + 1;
        }
    }
}

static int by_path(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_first_path(const void *pa, const void *pb)
{
    const struct rentry *a = pa, *b = pb;

    return strcmp(a->paths[0], b->paths[0]);
}

static int by_reclaimable(const void *pa, const void *pb)
{
    const struct rgroup *a = pa, *b = pb;
    uint64_t ra = (a->nentries - 1) * a->size, rb = (b->nentries - 1) * b->size;

    if (ra != rb)
        return ra > rb ? -1 : 1;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return strcmp(a->entries[0].paths[0], b->entries[0].paths[0]);
}

/* Sorts the paths of an entry and drops a path named twice (a root given twice). */
static size_t fill_entry(struct rentry *e)
{
    size_t k = 1;

    qsort(e->paths, e->npaths, sizeof(*e->paths), by_path);
    for (size_t i = 1; i < e->npaths; i++) {
        if (strcmp(e->paths[i], e->paths[k - 1]) != 0)
            e->paths[k++] = e->paths[i];
    }
    e->npaths = k;
    return k;
}

struct cursor {
    struct rentry *e;
    const char **p;
    char *a;
};

static void fill_group(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c, size_t n,
                       struct rgroup *g, struct cursor *cur)
{
    g->size = c[0].size;
    memcpy(g->md5, c[0].key, MV_MD5_LEN);
    g->entries = cur->e;
    g->nentries = n;
    g->npaths = 0;
    for (size_t k = 0; k < n; k++) {
        struct rentry *e = cur->e++;
        e->paths = cur->p;
        e->npaths = c[k].nlinks;
        e->dev = c[k].dev;
        e->ino = c[k].ino;
        for (size_t l = 0; l < c[k].nlinks; l++) {
            const struct mv__dupes_file *f = &t->files[c[k].first + l];
            mv__dupes_path_write(t, f, cur->a);
            *cur->p++ = cur->a;
            cur->a += mv__dupes_path_len(t, f) + 1;
        }
        g->npaths += fill_entry(e);
    }
    qsort(g->entries, g->nentries, sizeof(*g->entries), by_first_path);
}

static void fill(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c, size_t n,
                 mv_dupes_result *r)
{
    struct cursor cur = { r->entries, r->paths, r->arena };
    struct rgroup *g = r->groups;

    for (size_t i = 0, end; i < n; i = end) {
        end = run_end(c, n, i);
        if (end - i < 2)
            continue;
        fill_group(t, c + i, end - i, g, &cur);
        r->stats.groups++;
        r->stats.entries += g->nentries;
        r->stats.paths += g->npaths;
        r->stats.reclaimable += (g->nentries - 1) * g->size;
        g++;
    }
    if (r->ngroups > 0)
        qsort(r->groups, r->ngroups, sizeof(*r->groups), by_reclaimable);
}

mv_status mv__dupes_result_build(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c,
                                 size_t n, const mv_dupes_stats *stats, mv_dupes_result **out)
{
    struct sizes z;
    mv_dupes_result *r = mv__calloc(1, sizeof(*r));

    if (r == NULL)
        return MV_ENOMEM;
    count(t, c, n, &z);
    r->ngroups = z.groups;
    r->groups = mv__malloc(z.groups * sizeof(*r->groups) + 1);
    r->entries = mv__malloc(z.entries * sizeof(*r->entries) + 1);
    r->paths = mv__malloc(z.paths * sizeof(*r->paths) + 1);
    r->arena = mv__malloc(z.bytes + 1);
    if (r->groups == NULL || r->entries == NULL || r->paths == NULL || r->arena == NULL) {
        mv_dupes_result_free(r);
        return MV_ENOMEM;
    }
    r->stats = *stats;
    r->stats.groups = r->stats.entries = r->stats.paths = r->stats.reclaimable = 0;
    fill(t, c, n, r);
    *out = r;
    return MV_OK;
}

size_t mv_dupes_result_count(const mv_dupes_result *r)
{
    return r != NULL ? r->ngroups : 0;
}

mv_status mv_dupes_result_group(const mv_dupes_result *r, size_t i, mv_dupes_group *out)
{
    if (r == NULL || out == NULL || i >= r->ngroups)
        return MV_EINVAL;
    const struct rgroup *g = &r->groups[i];
    out->size = g->size;
    memcpy(out->md5, g->md5, MV_MD5_LEN);
    out->entries = g->nentries;
    out->paths = g->npaths;
    out->reclaimable = (g->nentries - 1) * g->size;
    return MV_OK;
}

mv_status mv_dupes_result_entry(const mv_dupes_result *r, size_t i, size_t j, mv_dupes_entry *out)
{
    if (r == NULL || out == NULL || i >= r->ngroups || j >= r->groups[i].nentries)
        return MV_EINVAL;
    const struct rentry *e = &r->groups[i].entries[j];
    out->paths = e->paths;
    out->npaths = e->npaths;
    out->dev = e->dev;
    out->ino = e->ino;
    return MV_OK;
}

void mv_dupes_result_stats(const mv_dupes_result *r, mv_dupes_stats *out)
{
    if (r != NULL)
        *out = r->stats;
    else
        memset(out, 0, sizeof(*out));
}

void mv_dupes_result_free(mv_dupes_result *r)
{
    if (r == NULL)
        return;
    mv__free(r->groups);
    mv__free(r->entries);
    mv__free(r->paths);
    mv__free(r->arena);
    mv__free(r);
}
