/*
 * Change detection: which walked files must be read.
 *
 * Records come from the rescan table (scan_known.c): one bulk read per root,
 * so an unchanged file costs a hash lookup and no statement; the catalog is
 * asked per path only for what is not plainly unchanged.
 *
 * A file whose record has the same (device, inode, size, mtime_ns, ctime_ns),
 * no error and every requested digest is unchanged: nothing is written (the
 * walk met it, so it is not marked gone). With `--fingerprint`, an unchanged
 * file the scan would fingerprint whose content has no fingerprint yet (the
 * rescan table says so, scan_known.c) is read again for it, one path per
 * content (plan_refp).
 * Otherwise the record of the same (device, inode) under another path is
 * tried: with the same size and mtime, its digests are kept when its ctime is
 * also the same (a hard link already known) or when its old path no longer
 * holds that inode (a rename, which changes ctime on most file systems). A
 * renamed file's old path is marked gone at once, so it is not also counted as
 * gone at the end. With `--fingerprint`, such a file whose content the scan
 * would fingerprint and the cache has no fingerprint for is read instead, as a
 * new (or changed) file, so that a rename between a plain scan and a
 * fingerprinting one leaves no photo without its fingerprint. Everything else
 * goes to the read list, which is sorted by device, then by where each file's
 * data starts on the device (the physical offset of its first extent,
 * FS_IOC_FIEMAP) when the file system tells it, else by inode, so that reads
 * follow the disk layout; the links of one inode sit together and are read
 * once. FIEMAP is tried on the first file of each device and, when the file
 * system does not support it (tmpfs, NFS, FUSE), never again on that device:
 * inode order then, silently.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/fiemap.h>
#include <linux/fs.h>

#include "scan_priv.h"

struct inode_match {
    const struct mv__scan_entry *e;
    int found, renamed;
    unsigned have;
    uint8_t digest[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN];
    uint8_t *old; /* old path of a rename, NUL-terminated */
    size_t old_len;
};

static int same_key(const mv_catalog_file *r, const struct mv__scan_entry *e)
{
    return r->kind == MV_KIND_FILE && r->error == MV_OK && r->device == e->dev &&
           r->inode == e->ino && r->size == e->size && r->mtime_ns == e->mtime_ns &&
           r->ctime_ns == e->ctime_ns;
}

/* The in-memory twin of same_key() + every digest present: nothing to do but count it. */
static int known_unchanged(const struct mv__scan_ctx *x, const struct mv__scan_known_row *r,
                           const struct mv__scan_entry *e)
{
    return !r->gone && r->kind == MV_KIND_FILE && r->error == MV_OK && r->dev == e->dev &&
           r->ino == e->ino && r->size == e->size && r->mtime_ns == e->mtime_ns &&
           r->ctime_ns == e->ctime_ns && (x->s->algos & ~(unsigned)r->digests) == 0;
}

/* True when path (bytes) no longer names inode (dev, ino). */
static int moved_away(const uint8_t *path, size_t len, uint64_t dev, uint64_t ino)
{
    char *p = mv__malloc(len + 1);
    struct stat st;
    int moved = 1;

    if (p == NULL)
        return 0;
    memcpy(p, path, len);
    p[len] = '\0';
    if (lstat(p, &st) == 0)
        moved = (uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino;
    mv__free(p);
    return moved;
}

static int on_inode(void *opaque, const mv_catalog_file *r)
{
    struct inode_match *m = opaque;
    const struct mv__scan_entry *e = m->e;

    if (r->kind != MV_KIND_FILE || r->error != MV_OK || r->size != e->size ||
        r->mtime_ns != e->mtime_ns || !(r->digests & MV_CATALOG_HAS(MV_DIGEST_MD5)))
        return 0;
    if (r->path_len == e->len && memcmp(r->path, e->path, e->len) == 0)
        return 0;
    if (r->ctime_ns != e->ctime_ns) {
        if (!moved_away(r->path, r->path_len, e->dev, e->ino))
            return 0;
        m->old = mv__malloc(r->path_len);
        if (m->old == NULL)
            return 0;
        memcpy(m->old, r->path, r->path_len);
        m->old_len = r->path_len;
        m->renamed = 1;
    }
    m->found = 1;
    m->have = r->digests;
    memcpy(m->digest, r->digest, sizeof(m->digest));
    return 1;
}

static void report(struct mv__scan_ctx *x, const struct mv__scan_entry *e)
{
    if (x->s->event != NULL)
        x->s->event(x->s->event_opaque, e->path, e->len, e->error, e->note);
}

/* A path with a note or an error: stored as such, never read. */
static mv_status plan_other(struct mv__scan_ctx *x, struct mv__scan_entry *e)
{
    mv_status ret = mv__scan_write_begin(x);

    if (e->error != MV_OK) {
        x->st.errors++;
        if (ret == MV_OK)
            ret = mv_catalog_scan_error(x->c, x->scan_id, e->path, e->len, e->error, e->note);
    } else if (e->kind != MV_KIND_DIR || e->note != NULL) {
        x->st.skipped++;
    }
    report(x, e);
    /* What an unreadable directory held is unknown, not gone. */
    if (ret == MV_OK && e->kind == MV_KIND_DIR && e->error != MV_OK)
        ret = mv_catalog_mark_seen(x->c, e->path, e->len, x->scan_id, x->now);
    if (ret == MV_OK)
        ret = mv__scan_store(x, e);
    return ret;
}

/* Tries to keep the digests of the same inode under another path. */
static mv_status plan_inode(struct mv__scan_ctx *x, struct mv__scan_entry *e, int *kept)
{
    struct inode_match m;
    mv_status ret;

    int maybe;

    memset(&m, 0, sizeof(m));
    m.e = e;
    *kept = 0;
    ret = mv__scan_inode_maybe(x, e->dev, e->ino, &maybe);
    if (ret != MV_OK || !maybe)
        return ret;
    ret = mv_catalog_file_find_inode(x->c, e->dev, e->ino, on_inode, &m);
    if (ret != MV_OK || !m.found) {
        mv__free(m.old);
        return ret;
    }
    e->have = m.have & x->s->algos;
    memcpy(e->digest, m.digest, MV__SCAN_DIGEST_BYTES);
    e->need = x->s->algos & ~e->have;
    ret = mv__scan_write_begin(x);
    if (ret == MV_OK && m.renamed)
        ret = mv_catalog_mark_gone(x->c, m.old, m.old_len, x->scan_id, x->now, NULL);
    mv__free(m.old);
    if (ret != MV_OK || e->need != 0)
        return ret;
    if (e->have & MV_CATALOG_HAS(MV_DIGEST_MD5) && mv__scan_whole_wanted(x->s, e) &&
        !mv__scan_whole_done(x->c, e->digest[MV_DIGEST_MD5], e->size))
        return MV_OK; /* its fingerprint is missing: read as any new or changed file */
    *kept = 1;
    if (m.renamed)
        x->st.renamed++;
    else if (e->reason == MV__SCAN_NEW)
        x->st.new_files++;
    else
        x->st.changed++;
    return mv__scan_store(x, e);
}

/* Appends a copy of e to the read list, its path (and kept digests) copied to the arena. */
static mv_status to_read(struct mv__scan_ctx *x, struct mv__scan_entry *e)
{
    struct mv__scan_entry r = *e;

    r.path = mv__scan_arena_copy(&x->arena, e->path, e->len + 1);
    r.digest = NULL;
    if (r.path != NULL && e->have != 0)
        r.digest = (uint8_t(*)[MV_DIGEST_MAX_LEN])mv__scan_arena_copy(&x->arena, e->digest,
                                                                      MV__SCAN_DIGEST_BYTES);
    if (r.path == NULL || (e->have != 0 && r.digest == NULL))
        return MV_ENOMEM;
    return mv__scan_list_push(&x->read, &r);
}

/*
 * Unchanged, but its content has no fingerprint in the cache (nor the record
 * that it cannot have one): read whole again for it, once per content in this
 * run (another path of the same MD5 and size stays unchanged and unread; if
 * the one read turns out changed, the next scan reads the other). Every
 * digest is computed again from the bytes, the stored ones kept beside them
 * for scan_read.c to compare.
 */
static mv_status plan_refp(struct mv__scan_ctx *x, struct mv__scan_entry *e)
{
    int added = 0;
    const mv_status ret =
        mv__scan_contents_add(&x->refp_seen, e->digest[MV_DIGEST_MD5], e->size, &added);

    if (ret != MV_OK)
        return ret;
    if (!added) {
        x->st.unchanged++;
        return MV_OK;
    }
    x->fp_reread++;
    e->reason = MV__SCAN_REFP;
    e->need = x->s->algos;
    return to_read(x, e);
}

/*
 * The same path with the same key: unchanged, or only missing a new
 * algorithm, or (refp) unchanged with its fingerprint missing.
 */
static mv_status plan_known(struct mv__scan_ctx *x, struct mv__scan_entry *e,
                            const mv_catalog_file *r, int refp)
{
    e->have = r->digests & x->s->algos;
    memcpy(e->digest, r->digest, MV__SCAN_DIGEST_BYTES);
    e->need = x->s->algos & ~e->have;
    if (e->need != 0) {
        e->reason = MV__SCAN_UPGRADE;
        return to_read(x, e);
    }
    if (refp && (e->have & MV_CATALOG_HAS(MV_DIGEST_MD5)))
        return plan_refp(x, e);
    x->st.unchanged++;
    mv_status ret = mv__scan_write_begin(x);
    if (ret == MV_OK)
        ret = mv_catalog_file_seen(x->c, e->path, e->len, x->scan_id, x->now);
    if (ret == MV_OK)
        ret = mv__scan_maybe_commit(x, 0);
    return ret;
}

mv_status mv__scan_plan(struct mv__scan_ctx *x, struct mv__scan_entry *e)
{
    uint8_t digest[MV_CATALOG_ALGOS][MV_DIGEST_MAX_LEN];
    mv_catalog_file r;
    int kept = 0, refp = 0;

    if (e->kind != MV_KIND_FILE || e->error != MV_OK)
        return plan_other(x, e);
    e->digest = digest; /* what plan_known/plan_inode keep; to_read copies it */
    x->st.files++;
    x->st.bytes += e->size;
    mv_status ret = MV_OK;
    if (x->known != NULL) {
        struct mv__scan_known_row *k = mv__scan_known_find(x->known, e->path, e->len);
        if (k != NULL)
            k->matched = 1;
        if (k != NULL && known_unchanged(x, k, e)) {
            refp = k->fp_missing && mv__scan_whole_wanted(x->s, e);
            if (!refp) {
                x->st.unchanged++;
                return MV_OK; /* no statement, no write */
            }
        }
        if (k == NULL)
            ret = MV_ENOENT; /* no need to ask the catalog */
    }
    if (ret == MV_OK)
        ret = mv_catalog_file_get(x->c, e->path, e->len, &r);
    if (ret == MV_OK && same_key(&r, e))
        return plan_known(x, e, &r, refp);
    if (ret != MV_OK && ret != MV_ENOENT)
        return ret;
    e->reason = ret == MV_ENOENT ? MV__SCAN_NEW : MV__SCAN_CHANGED;
    ret = plan_inode(x, e, &kept);
    if (ret != MV_OK || kept)
        return ret;
    if (e->need == 0) {
        e->have = 0;
        e->need = x->s->algos;
    }
    return to_read(x, e);
}

static int by_order(const void *a, const void *b)
{
    const struct mv__scan_entry *x = a, *y = b;

    if (x->dev != y->dev)
        return x->dev < y->dev ? -1 : 1;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    if (x->ino != y->ino)
        return x->ino < y->ino ? -1 : 1;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->path, y->path, n);
    return c != 0 ? c : (x->len > y->len) - (x->len < y->len);
}

enum { EXTENT_FOUND = 1, EXTENT_NONE = 0, EXTENT_UNSUPPORTED = -1 };

/* The physical offset of the first extent of path's data (0 for a file without extents). */
static int first_extent(const char *path, uint64_t *physical)
{
    struct {
        struct fiemap map;
        struct fiemap_extent extent[1];
    } m;
    const int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);

    if (fd < 0)
        return EXTENT_NONE;
    memset(&m, 0, sizeof(m));
    m.map.fm_length = FIEMAP_MAX_OFFSET;
    m.map.fm_extent_count = 1;
    const int rc = ioctl(fd, FS_IOC_FIEMAP, &m.map);
    const int err = errno;
    close(fd);
    if (rc != 0)
        return err == ENOTTY || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL
                   ? EXTENT_UNSUPPORTED
                   : EXTENT_NONE;
    *physical = m.map.fm_mapped_extents > 0 ? m.extent[0].fe_physical : 0;
    return EXTENT_FOUND;
}

#define DEVICES_TRACKED 64

/*
 * Sets each entry's order: the physical offset of its data, or its inode on a
 * device whose file system does not map extents (known from its first file;
 * past DEVICES_TRACKED devices, inode order).
 */
static void set_order(struct mv__scan_list *l)
{
    struct {
        uint64_t dev;
        int mapped;
    } seen[DEVICES_TRACKED];
    size_t n_seen = 0;

    for (size_t i = 0; i < l->n; i++) {
        struct mv__scan_entry *e = &l->v[i];
        uint64_t physical = 0;
        size_t d = 0;
        while (d < n_seen && seen[d].dev != e->dev)
            d++;
        e->order = e->ino;
        if (d == DEVICES_TRACKED || (d < n_seen && !seen[d].mapped))
            continue;
        const int r = first_extent((const char *)e->path, &physical);
        if (d == n_seen) {
            seen[n_seen].dev = e->dev;
            seen[n_seen++].mapped = r != EXTENT_UNSUPPORTED;
        }
        if (r == EXTENT_FOUND)
            e->order = physical;
    }
}

void mv__scan_plan_sort(struct mv__scan_list *l)
{
    if (l->n <= 1)
        return;
    set_order(l);
    qsort(l->v, l->n, sizeof(l->v[0]), by_order);
}
