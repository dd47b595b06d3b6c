/*
 * The walker of the duplicate finder and its compact path store.
 *
 * Directories are opened with openat() relative to their parent's descriptor
 * and entries are examined with fstatat(AT_SYMLINK_NOFOLLOW), so a symbolic
 * link inside a tree is never followed and a directory renamed mid-walk cannot
 * redirect it elsewhere. Entries whose d_type already says they are not files
 * or directories (links, FIFOs, sockets, devices) are skipped without a stat.
 * Every directory is remembered by (dev, ino): a tree given twice, or nested in
 * another root, or reachable twice through a bind mount, is walked once.
 *
 * A directory stays open while its subdirectories are walked (one descriptor
 * per level), so a tree deeper than the descriptor limit reports EMFILE below
 * that depth and the walk goes on. Per-path failures go to the error callback;
 * only running out of memory stops the walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/core.h"
#include "dupes_fresh_int.h"

static mv_status grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return MV_OK;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *q = mv__realloc(*p, cap2 * elem);
    if (q == NULL)
        return MV_ENOMEM;
    *p = q;
    *cap = cap2;
    return MV_OK;
}

static mv_status add_name(struct mv__dupes_tree *t, const char *name, uint64_t *off)
{
    size_t len = strlen(name) + 1;
    mv_status st = grow((void **)&t->names, &t->names_cap, t->names_len + len, 1);

    if (st != MV_OK)
        return st;
    memcpy(t->names + t->names_len, name, len);
    *off = t->names_len;
    t->names_len += len;
    return MV_OK;
}

static mv_status add_file(struct mv__dupes_tree *t, uint32_t dir, const char *name,
                          const struct stat *st)
{
    if ((uint64_t)st->st_size < t->min_size) {
        t->stats->skipped++;
        return MV_OK;
    }
    mv_status s = grow((void **)&t->files, &t->files_cap, t->nfiles + 1, sizeof(*t->files));
    if (s != MV_OK)
        return s;
    struct mv__dupes_file *f = &t->files[t->nfiles];
    s = add_name(t, name, &f->name);
    if (s != MV_OK)
        return s;
    f->size = (uint64_t)st->st_size;
    f->dev = (uint64_t)st->st_dev;
    f->ino = (uint64_t)st->st_ino;
    f->dir = dir;
    t->nfiles++;
    t->stats->files++;
    t->stats->bytes += f->size;
    return MV_OK;
}

static mv_status add_dir(struct mv__dupes_tree *t, uint32_t parent, const char *name)
{
    if (t->ndirs >= MV__DUPES_NO_DIR)
        return MV_ENOMEM;
    mv_status s = grow((void **)&t->dirs, &t->dirs_cap, t->ndirs + 1, sizeof(*t->dirs));
    if (s != MV_OK)
        return s;
    s = add_name(t, name, &t->dirs[t->ndirs].name);
    if (s != MV_OK)
        return s;
    t->dirs[t->ndirs].parent = parent;
    t->ndirs++;
    t->stats->dirs++;
    return MV_OK;
}

static size_t seen_slot(const uint64_t *set, size_t cap, uint64_t dev, uint64_t ino)
{
    uint64_t h = (ino ^ (dev * 0x9e3779b97f4a7c15u)) * 0xff51afd7ed558ccdu;
    size_t i = (size_t)(h >> 17) & (cap - 1);

    /* A pair (0, 0) marks a free slot; real directories never have inode 0. */
    while ((set[2 * i] != 0 || set[2 * i + 1] != 0) && (set[2 * i] != dev || set[2 * i + 1] != ino))
        i = (i + 1) & (cap - 1);
    return i;
}

static mv_status seen_grow(struct mv__dupes_tree *t)
{
    size_t cap = t->seen_cap ? t->seen_cap * 2 : 256;
    uint64_t *set = mv__calloc(cap, 2 * sizeof(uint64_t));

    if (set == NULL)
        return MV_ENOMEM;
    for (size_t i = 0; i < t->seen_cap; i++) {
        if (t->seen[2 * i] == 0 && t->seen[2 * i + 1] == 0)
            continue;
        size_t j = seen_slot(set, cap, t->seen[2 * i], t->seen[2 * i + 1]);
        set[2 * j] = t->seen[2 * i];
        set[2 * j + 1] = t->seen[2 * i + 1];
    }
    mv__free(t->seen);
    t->seen = set;
    t->seen_cap = cap;
    return MV_OK;
}

/* Marks a directory as walked; *fresh says whether it was new. */
static mv_status seen_add(struct mv__dupes_tree *t, const struct stat *st, int *fresh)
{
    uint64_t dev = (uint64_t)st->st_dev, ino = (uint64_t)st->st_ino;

    if (2 * (t->seen_n + 1) > t->seen_cap && seen_grow(t) != MV_OK)
        return MV_ENOMEM;
    size_t i = seen_slot(t->seen, t->seen_cap, dev, ino);
    *fresh = t->seen[2 * i] != dev || t->seen[2 * i + 1] != ino;
    if (*fresh) {
        t->seen[2 * i] = dev;
        t->seen[2 * i + 1] = ino;
        t->seen_n++;
    }
    return MV_OK;
}

void mv__dupes_report(struct mv__dupes_tree *t, const char *path, mv_status st)
{
    t->stats->errors++;
    if (t->on_error != NULL)
        t->on_error(t->on_error_opaque, path, st);
}

static size_t dir_path_len(const struct mv__dupes_tree *t, uint32_t dir)
{
    size_t len = 0;

    for (; dir != MV__DUPES_NO_DIR; dir = t->dirs[dir].parent) {
        const char *name = t->names + t->dirs[dir].name;
        size_t n = strlen(name);
        /* Names never contain '/'; only a root such as "/" or "a/" ends with one. */
        int slash = n == 0 || name[n - 1] != '/';
        len += n + slash;
    }
    return len;
}

/* Writes the path of dir followed by '/' (when needed) so that it ends at buf + end. */
static void dir_path_write(const struct mv__dupes_tree *t, uint32_t dir, char *buf, size_t end)
{
    for (; dir != MV__DUPES_NO_DIR; dir = t->dirs[dir].parent) {
        const char *name = t->names + t->dirs[dir].name;
        size_t n = strlen(name);
        if (n == 0 || name[n - 1] != '/')
            buf[--end] = '/';
        end -= n;
        memcpy(buf + end, name, n);
    }
}

size_t mv__dupes_path_len(const struct mv__dupes_tree *t, const struct mv__dupes_file *f)
{
    return dir_path_len(t, f->dir) + strlen(t->names + f->name);
}

void mv__dupes_path_write(const struct mv__dupes_tree *t, const struct mv__dupes_file *f, char *buf)
{
    size_t dlen = dir_path_len(t, f->dir);
    const char *name = t->names + f->name;
    size_t n = strlen(name);

    memcpy(buf + dlen, name, n + 1);
    dir_path_write(t, f->dir, buf, dlen);
}

/* Reports name inside directory dir (a path not in the store). */
static mv_status report_in(struct mv__dupes_tree *t, uint32_t dir, const char *name, int err)
{
    struct mv__dupes_file f = { 0 };
    mv_status st = add_name(t, name, &f.name);

    if (st != MV_OK)
        return st;
    f.dir = dir;
    char *path = mv__malloc(mv__dupes_path_len(t, &f) + 1);
    if (path == NULL)
        return MV_ENOMEM;
    mv__dupes_path_write(t, &f, path);
    mv__dupes_report(t, path, mv_status_from_errno(err));
    mv__free(path);
    t->names_len = f.name; /* the name was only borrowed */
    return MV_OK;
}

/* Reports directory dir itself. */
static mv_status report_dir(struct mv__dupes_tree *t, uint32_t dir, int err)
{
    size_t len = dir_path_len(t, dir);
    char *path = mv__malloc(len + 1);

    if (path == NULL)
        return MV_ENOMEM;
    dir_path_write(t, dir, path, len);
    if (len > 1 && path[len - 1] == '/')
        len--;
    path[len] = '\0';
    mv__dupes_report(t, path, mv_status_from_errno(err));
    mv__free(path);
    return MV_OK;
}

static int not_file_or_dir(unsigned char type)
{
    return type != DT_REG && type != DT_DIR && type != DT_UNKNOWN;
}

/* Examines one entry; a new subdirectory is appended to t->dirs. */
static mv_status visit_entry(struct mv__dupes_tree *t, int dfd, uint32_t self, uint64_t root_dev,
                             const struct dirent *e)
{
    struct stat st;
    int fresh;

    if (not_file_or_dir(e->d_type)) {
        t->stats->skipped++;
        return MV_OK;
    }
    if (fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return report_in(t, self, e->d_name, errno);
    if (S_ISREG(st.st_mode))
        return add_file(t, self, e->d_name, &st);
    if (!S_ISDIR(st.st_mode) || (t->one_fs && (uint64_t)st.st_dev != root_dev)) {
        t->stats->skipped++;
        return MV_OK;
    }
    if (seen_add(t, &st, &fresh) != MV_OK)
        return MV_ENOMEM;
    return fresh ? add_dir(t, self, e->d_name) : MV_OK;
}

static mv_status walk_dir(struct mv__dupes_tree *t, int dfd, uint32_t self, uint64_t root_dev);

static mv_status walk_subdirs(struct mv__dupes_tree *t, int dfd, uint32_t first, uint32_t end,
                              uint64_t root_dev)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;

    for (uint32_t i = first; i < end; i++) {
        const char *name = t->names + t->dirs[i].name;
        int fd = openat(dfd, name, flags);
        mv_status st = fd < 0 ? report_dir(t, i, errno) : walk_dir(t, fd, i, root_dev);
        if (st != MV_OK)
            return st;
    }
    return MV_OK;
}

static mv_status walk_dir(struct mv__dupes_tree *t, int dfd, uint32_t self, uint64_t root_dev)
{
    DIR *d = fdopendir(dfd);
    mv_status st = MV_OK;
    const struct dirent *e;

    if (d == NULL) {
        int err = errno;
        close(dfd);
        return report_dir(t, self, err);
    }
    uint32_t first = (uint32_t)t->ndirs;
    for (errno = 0; st == MV_OK && (e = readdir(d)) != NULL; errno = 0) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            st = visit_entry(t, dirfd(d), self, root_dev, e);
    }
    if (st == MV_OK && errno != 0)
        st = report_dir(t, self, errno);
    if (st == MV_OK)
        st = walk_subdirs(t, dirfd(d), first, (uint32_t)t->ndirs, root_dev);
    closedir(d);
    return st;
}

mv_status mv__dupes_walk(struct mv__dupes_tree *t, const char *root)
{
    struct stat st;
    int fresh;

    if (stat(root, &st) != 0) {
        mv__dupes_report(t, root, mv_status_from_errno(errno));
        return MV_OK;
    }
    if (S_ISREG(st.st_mode))
        return add_file(t, MV__DUPES_NO_DIR, root, &st);
    if (!S_ISDIR(st.st_mode)) {
        mv__dupes_report(t, root, MV_ENOTREG);
        return MV_OK;
    }
    if (seen_add(t, &st, &fresh) != MV_OK)
        return MV_ENOMEM;
    if (!fresh)
        return MV_OK;
    mv_status s = add_dir(t, MV__DUPES_NO_DIR, root);
    if (s != MV_OK)
        return s;
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return report_dir(t, (uint32_t)t->ndirs - 1, errno);
    return walk_dir(t, fd, (uint32_t)t->ndirs - 1, (uint64_t)st.st_dev);
}

void mv__dupes_tree_free(struct mv__dupes_tree *t)
{
    mv__free(t->names);
    mv__free(t->dirs);
    mv__free(t->files);
    mv__free(t->seen);
    memset(t, 0, sizeof(*t));
}
