/*
 * What the catalog already knows, loaded in bulk: the rescan table.
 *
 * A rescan used to ask the catalog about every walked path (one SELECT by
 * path, then one UPDATE of seen_scan for an unchanged file): two statements
 * and a B-tree write per file, several times the cost of the walk itself. Here
 * the records below a root are read once, in one range query, into an
 * open-addressing hash keyed by path (the paths packed in an arena, no malloc
 * per record). The planner compares each walked file with its record in memory;
 * an unchanged file costs no statement and no write at all. What the walk did
 * not meet is listed at the end of the root, and only those paths are marked
 * gone once the scan is complete.
 *
 * The inodes of the catalog (device, inode of every present file with an MD5)
 * are loaded the same way, once per run and only when a file is not unchanged,
 * so that the per-file link/rename query runs only for an inode that could
 * match, i.e. almost never on a first scan.
 *
 * With `--fingerprint` the same one query also says, per record, whether the
 * content has none of the cache rows the scan leaves (a fingerprint, or the
 * record that it cannot be fingerprinted): the catalog probes its
 * fingerprints index only for records of a size the scan fingerprints, so
 * that an unchanged file catalogued by a plain scan is read for its
 * fingerprint while a rescan of a fingerprinted tree still reads nothing and
 * costs no statement per file. The contents queued so in one run are kept in
 * a set by (MD5, size), so that two paths of one content are read once.
 */
#include <string.h>

#include "scan_priv.h"

#include "../catalog/catalog.h"

#define ARENA_BLOCK (256u << 10)

struct mv__scan_arena_block {
    struct mv__scan_arena_block *next;
    size_t used, cap;
    _Alignas(8) uint8_t data[];
};

uint8_t *mv__scan_arena_copy(struct mv__scan_arena_block **head, const void *p, size_t len)
{
    struct mv__scan_arena_block *b = *head;
    size_t n = len;

    n = (n + 7) & ~(size_t)7; /* digests are copied here too: keep blocks aligned */
    if (b == NULL || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        b = mv__malloc(sizeof(*b) + cap);
        if (b == NULL)
            return NULL;
        b->next = *head;
        b->used = 0;
        b->cap = cap;
        *head = b;
    }
    uint8_t *out = b->data + b->used;
    memcpy(out, p, len);
    b->used += n;
    return out;
}

void mv__scan_arena_free(struct mv__scan_arena_block *b)
{
    while (b != NULL) {
        struct mv__scan_arena_block *next = b->next;
        mv__free(b);
        b = next;
    }
}

/* FNV-1a, 64-bit: paths share long prefixes, so every byte must count. */
static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static uint64_t hash_inode(uint64_t dev, uint64_t ino)
{
    uint64_t h = (dev * 0x9e3779b97f4a7c15ull) ^ ino;

    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    return h ^ (h >> 33);
}

/* ---- records by path ------------------------------------------------------ */

static mv_status rows_grow(struct mv__scan_known *k)
{
    size_t cap = k->cap ? k->cap * 2 : 1024;
    struct mv__scan_known_row *v = mv__realloc(k->rows, cap * sizeof(*v));

    if (v == NULL)
        return MV_ENOMEM;
    k->rows = v;
    k->cap = cap;
    return MV_OK;
}

static void slots_insert(struct mv__scan_known *k, size_t i)
{
    const struct mv__scan_known_row *r = &k->rows[i];
    size_t s = (size_t)hash_bytes(r->path, r->len) & k->mask;

    while (k->slot[s] != 0)
        s = (s + 1) & k->mask;
    k->slot[s] = (uint32_t)(i + 1);
}

/* A table of twice the rows, rounded to a power of two: probes stay short. */
static mv_status slots_build(struct mv__scan_known *k)
{
    size_t n = 16;

    while (n < k->n * 2)
        n *= 2;
    k->slot = mv__calloc(n, sizeof(*k->slot));
    if (k->slot == NULL)
        return MV_ENOMEM;
    k->mask = n - 1;
    for (size_t i = 0; i < k->n; i++)
        slots_insert(k, i);
    return MV_OK;
}

struct load {
    struct mv__scan_known *k;
    mv_status ret;
};

static int on_row_fp(void *opaque, const mv_catalog_file *f, int fp_missing);

static int on_row(void *opaque, const mv_catalog_file *f)
{
    return on_row_fp(opaque, f, 0);
}

static int on_row_fp(void *opaque, const mv_catalog_file *f, int fp_missing)
{
    struct load *l = opaque;
    struct mv__scan_known *k = l->k;

    if (k->n == UINT32_MAX - 1)
        l->ret = MV_ETOOBIG; /* slots hold a 32-bit row index */
    else if (k->n == k->cap)
        l->ret = rows_grow(k);
    if (l->ret != MV_OK)
        return 1;
    struct mv__scan_known_row *r = &k->rows[k->n];
    memset(r, 0, sizeof(*r));
    r->path = mv__scan_arena_copy(&k->arena, f->path, f->path_len);
    if (r->path == NULL) {
        l->ret = MV_ENOMEM;
        return 1;
    }
    r->len = f->path_len;
    r->kind = (uint8_t)f->kind;
    r->digests = (uint8_t)f->digests;
    r->gone = f->gone_at != 0;
    r->error = f->error;
    r->dev = f->device;
    r->ino = f->inode;
    r->size = f->size;
    r->mtime_ns = f->mtime_ns;
    r->ctime_ns = f->ctime_ns;
    r->fp_missing = fp_missing != 0;
    k->n++;
    return 0;
}

mv_status mv__scan_known_load(struct mv__scan_known *k, const mv_scan *s, mv_catalog *c,
                              const char *root)
{
    struct load l = { k, MV_OK };
    const uint8_t *r = (const uint8_t *)root;
    size_t n_done;
    mv_status ret;

    memset(k, 0, sizeof(*k));
    if (s->fingerprint) {
        const struct mv__catalog_fp_algo *done = mv__scan_whole_fp_done(&n_done);
        ret = mv__catalog_each_below_fp(c, r, strlen(root), MV_SCAN_FP_MAX_BYTES, done, n_done,
                                        on_row_fp, &l);
    } else {
        ret = mv__catalog_each_below(c, r, strlen(root), on_row, &l);
    }
    if (ret == MV_OK)
        ret = l.ret;
    if (ret == MV_OK)
        ret = slots_build(k);
    return ret;
}

struct mv__scan_known_row *mv__scan_known_find(struct mv__scan_known *k, const uint8_t *path,
                                               size_t len)
{
    if (k == NULL || k->n == 0)
        return NULL;
    for (size_t s = (size_t)hash_bytes(path, len) & k->mask; k->slot[s] != 0;
         s = (s + 1) & k->mask) {
        struct mv__scan_known_row *r = &k->rows[k->slot[s] - 1];
        if (r->len == len && memcmp(r->path, path, len) == 0)
            return r;
    }
    return NULL;
}

void mv__scan_known_free(struct mv__scan_known *k)
{
    mv__scan_arena_free(k->arena);
    mv__free(k->rows);
    mv__free(k->slot);
    memset(k, 0, sizeof(*k));
}

/* ---- paths to mark gone ---------------------------------------------------- */

mv_status mv__scan_gone_collect(struct mv__scan_gone *g, const struct mv__scan_known *k,
                                size_t root)
{
    for (size_t i = 0; i < k->n; i++) {
        const struct mv__scan_known_row *r = &k->rows[i];
        if (r->matched || r->gone)
            continue;
        if (g->n == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 64;
            struct mv__scan_gone_path *v = mv__realloc(g->v, cap * sizeof(*v));
            if (v == NULL)
                return MV_ENOMEM;
            g->v = v;
            g->cap = cap;
        }
        g->v[g->n].path = mv__scan_arena_copy(&g->arena, r->path, r->len);
        if (g->v[g->n].path == NULL)
            return MV_ENOMEM;
        g->v[g->n].len = r->len;
        g->v[g->n].root = root;
        g->n++;
    }
    return MV_OK;
}

void mv__scan_gone_free(struct mv__scan_gone *g)
{
    mv__scan_arena_free(g->arena);
    mv__free(g->v);
    memset(g, 0, sizeof(*g));
}

/* ---- inodes that a link or rename could match -------------------------------- */

static int on_inode(void *opaque, uint64_t dev, uint64_t ino)
{
    struct mv__scan_inodes *s = opaque;

    if (s->n >= s->cap)
        return 0; /* counted in the first pass; the second pass fills */
    uint64_t *key = s->keys;
    size_t i = (size_t)hash_inode(dev, ino) & s->mask;
    while (key[2 * i] != 0 || key[2 * i + 1] != 0) {
        if (key[2 * i] == dev + 1 && key[2 * i + 1] == ino)
            return 0;
        i = (i + 1) & s->mask;
    }
    key[2 * i] = dev + 1; /* dev + 1 so that an all-zero slot is empty */
    key[2 * i + 1] = ino;
    s->n++;
    return 0;
}

static int count_inode(void *opaque, uint64_t dev, uint64_t ino)
{
    (void)dev;
    (void)ino;
    ((struct mv__scan_inodes *)opaque)->cap++;
    return 0;
}

static mv_status inodes_load(struct mv__scan_inodes *s, mv_catalog *c)
{
    size_t n = 16;

    s->loaded = 1;
    s->cap = 0;
    mv_status ret = mv__catalog_each_inode(c, count_inode, s);
    if (ret != MV_OK || s->cap == 0)
        return ret;
    while (n < s->cap * 2)
        n *= 2;
    s->keys = mv__calloc(n * 2, sizeof(*s->keys));
    if (s->keys == NULL)
        return MV_ENOMEM;
    s->mask = n - 1;
    s->n = 0;
    return mv__catalog_each_inode(c, on_inode, s);
}

mv_status mv__scan_inode_maybe(struct mv__scan_ctx *x, uint64_t dev, uint64_t ino, int *maybe)
{
    struct mv__scan_inodes *s = &x->inodes;

    *maybe = 1;
    if (!s->loaded) {
        mv_status ret = inodes_load(s, x->c);
        if (ret != MV_OK)
            return ret;
    }
    if (s->keys == NULL) {
        *maybe = 0;
        return MV_OK;
    }
    for (size_t i = (size_t)hash_inode(dev, ino) & s->mask;
         s->keys[2 * i] != 0 || s->keys[2 * i + 1] != 0; i = (i + 1) & s->mask) {
        if (s->keys[2 * i] == dev + 1 && s->keys[2 * i + 1] == ino)
            return MV_OK;
    }
    *maybe = 0;
    return MV_OK;
}

void mv__scan_inodes_free(struct mv__scan_inodes *s)
{
    mv__free(s->keys);
    memset(s, 0, sizeof(*s));
}

/* ---- contents queued for a fingerprint ---------------------------------------- */

/* The slot of (md5, size), or the empty slot where it goes. */
static size_t contents_slot(const struct mv__scan_contents *s, const uint8_t *md5, uint64_t size)
{
    uint64_t h;
    size_t i;

    memcpy(&h, md5, sizeof(h)); /* an MD5 is uniform already */
    for (i = (size_t)(h ^ size) & s->mask; s->v[i].size != 0; i = (i + 1) & s->mask) {
        if (s->v[i].size == size && memcmp(s->v[i].md5, md5, MV_MD5_LEN) == 0)
            break;
    }
    return i;
}

/* Doubles the table (or makes the first one), keeping what it holds. */
static mv_status contents_grow(struct mv__scan_contents *s)
{
    struct mv__scan_contents g;
    const size_t cap = s->v != NULL ? 2 * (s->mask + 1) : 64;

    g.v = mv__calloc(cap, sizeof(*g.v));
    if (g.v == NULL)
        return MV_ENOMEM;
    g.mask = cap - 1;
    g.n = s->n;
    for (size_t i = 0; s->v != NULL && i <= s->mask; i++) {
        if (s->v[i].size != 0)
            g.v[contents_slot(&g, s->v[i].md5, s->v[i].size)] = s->v[i];
    }
    mv__free(s->v);
    *s = g;
    return MV_OK;
}

mv_status mv__scan_contents_add(struct mv__scan_contents *s, const uint8_t md5[MV_MD5_LEN],
                                uint64_t size, int *added)
{
    *added = 0;
    if (size == 0)
        return MV_EINVAL;
    if (s->v == NULL || 2 * (s->n + 1) > s->mask + 1) {
        const mv_status ret = contents_grow(s);
        if (ret != MV_OK)
            return ret;
    }
    const size_t i = contents_slot(s, md5, size);
    if (s->v[i].size != 0)
        return MV_OK;
    memcpy(s->v[i].md5, md5, MV_MD5_LEN);
    s->v[i].size = size;
    s->n++;
    *added = 1;
    return MV_OK;
}

void mv__scan_contents_free(struct mv__scan_contents *s)
{
    mv__free(s->v);
    memset(s, 0, sizeof(*s));
}
