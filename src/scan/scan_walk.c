/*
 * The tree walk: directories by file descriptor, names as bytes.
 *
 * Each directory is opened relative to its parent's descriptor (openat with
 * O_NOFOLLOW unless links are followed) and each name is examined with
 * fstatat relative to it, so a path that is swapped for a symlink while we
 * walk cannot lead us outside the tree. The opened directory is checked to be
 * the one that was examined. Anything that is not a regular file or a
 * directory becomes a noted entry; a name that vanishes between readdir and
 * fstatat is simply not there; a permission error becomes an entry with its
 * error and the walk goes on. When links are followed, the chain of open
 * directories is kept so that a link back to an ancestor is a noted loop,
 * never an endless walk. Entries go to a callback as they are found (the
 * planner), so the walk holds no list of its own: memory is per directory
 * level, not per file.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "scan_priv.h"

#define MAX_DEPTH 1024

struct walker {
    mv_scan *s;
    mv__scan_entry_fn fn;
    void *opaque;
    dev_t root_dev;
    uint8_t *path; /* the current path, NUL-terminated */
    size_t len, cap;
    struct {
        dev_t dev;
        ino_t ino;
    } chain[MAX_DEPTH];
    size_t depth;
};

void mv__scan_list_free(struct mv__scan_list *l)
{
    mv__free(l->v);
    memset(l, 0, sizeof(*l));
}

mv_status mv__scan_list_push(struct mv__scan_list *l, struct mv__scan_entry *e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        struct mv__scan_entry *v = mv__realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return MV_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = *e;
    return MV_OK;
}

void mv__scan_entry_stat(struct mv__scan_entry *e, const void *stp)
{
    const struct stat *st = stp;

    e->dev = (uint64_t)st->st_dev;
    e->ino = (uint64_t)st->st_ino;
    e->size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
    e->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    e->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

static mv_catalog_kind kind_of(mode_t m, const char **note)
{
    *note = NULL;
    if (S_ISREG(m))
        return MV_KIND_FILE;
    if (S_ISDIR(m))
        return MV_KIND_DIR;
    if (S_ISLNK(m)) {
        *note = "symlink not followed";
        return MV_KIND_SYMLINK;
    }
    if (S_ISFIFO(m)) {
        *note = "fifo skipped";
        return MV_KIND_FIFO;
    }
    if (S_ISSOCK(m)) {
        *note = "socket skipped";
        return MV_KIND_SOCKET;
    }
    *note = S_ISCHR(m) || S_ISBLK(m) ? "device skipped" : "special file skipped";
    return S_ISCHR(m) || S_ISBLK(m) ? MV_KIND_DEVICE : MV_KIND_OTHER;
}

/* Hands the current path to the callback as an entry (the path borrowed for the call). */
static mv_status emit(struct walker *w, const struct stat *st, mv_catalog_kind kind,
                      mv_status error, const char *note)
{
    struct mv__scan_entry e;

    memset(&e, 0, sizeof(e));
    e.path = w->path;
    e.len = w->len;
    if (st != NULL)
        mv__scan_entry_stat(&e, st);
    e.kind = (uint8_t)kind;
    e.error = error;
    e.note = note;
    return w->fn(w->opaque, &e);
}

/* Sets the current path to its first `base` bytes plus "/" name. */
static mv_status path_push(struct walker *w, size_t base, const char *name)
{
    size_t n = strlen(name), need = base + 1 + n + 1;

    if (need > w->cap) {
        size_t cap = need * 2;
        uint8_t *p = mv__realloc(w->path, cap);
        if (p == NULL)
            return MV_ENOMEM;
        w->path = p;
        w->cap = cap;
    }
    w->len = base;
    if (base == 0 || w->path[base - 1] != '/')
        w->path[w->len++] = '/';
    memcpy(w->path + w->len, name, n + 1);
    w->len += n;
    return MV_OK;
}

static int excluded(const mv_scan *s, const char *name, const uint8_t *path)
{
    for (size_t i = 0; i < s->n_excludes; i++) {
        const char *g = s->excludes[i];
        const char *subject = strchr(g, '/') != NULL ? (const char *)path : name;
        if (fnmatch(g, subject, 0) == 0)
            return 1;
    }
    return 0;
}

static int in_chain(const struct walker *w, const struct stat *st)
{
    for (size_t i = 0; i < w->depth; i++) {
        if (w->chain[i].dev == st->st_dev && w->chain[i].ino == st->st_ino)
            return 1;
    }
    return 0;
}

static mv_status walk_fd(struct walker *w, int dfd);

/* Opens the directory `name` below dfd and walks it; errors become entries. */
static mv_status enter_dir(struct walker *w, int dfd, const char *name, const struct stat *st)
{
    const int flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (w->s->follow ? 0 : O_NOFOLLOW);
    struct stat now;

    if (w->s->one_fs && st->st_dev != w->root_dev)
        return emit(w, st, MV_KIND_DIR, MV_OK, "other file system skipped");
    if (in_chain(w, st))
        return emit(w, st, MV_KIND_DIR, MV_ELOOP, "directory loop skipped");
    if (w->depth >= MAX_DEPTH)
        return emit(w, st, MV_KIND_DIR, MV_ENAMETOOLONG, "too deep");
    int fd = openat(dfd, name, flags);
    if (fd < 0 && errno == ENOENT)
        return MV_OK; /* vanished */
    if (fd < 0)
        return emit(w, st, MV_KIND_DIR, mv_status_from_errno(errno), NULL);
    if (fstat(fd, &now) != 0 || now.st_dev != st->st_dev || now.st_ino != st->st_ino) {
        close(fd);
        return MV_OK; /* replaced while we looked: the next scan sees the new one */
    }
    w->chain[w->depth].dev = st->st_dev;
    w->chain[w->depth].ino = st->st_ino;
    w->depth++;
    mv_status ret = walk_fd(w, fd); /* takes fd */
    w->depth--;
    return ret;
}

static mv_status visit(struct walker *w, int dfd, const char *name)
{
    struct stat st;
    const char *note;

    if (excluded(w->s, name, w->path))
        return MV_OK;
    if (fstatat(dfd, name, &st, w->s->follow ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT)
            return MV_OK;
        if (errno == ELOOP)
            return emit(w, NULL, MV_KIND_SYMLINK, MV_OK, "symlink loop skipped");
        return emit(w, NULL, MV_KIND_OTHER, mv_status_from_errno(errno), NULL);
    }
    mv_catalog_kind kind = kind_of(st.st_mode, &note);
    if (kind == MV_KIND_DIR)
        return enter_dir(w, dfd, name, &st);
    if (kind == MV_KIND_FILE && w->s->one_fs && st.st_dev != w->root_dev)
        return MV_OK;
    return emit(w, &st, kind, MV_OK, note);
}

/* Walks the directory open on dfd (closed here), depth first, names in readdir order. */
static mv_status walk_fd(struct walker *w, int dfd)
{
    DIR *d = fdopendir(dfd);
    size_t base = w->len;
    mv_status ret = MV_OK;
    struct dirent *de;

    if (d == NULL) {
        close(dfd);
        return emit(w, NULL, MV_KIND_DIR, mv_status_from_errno(errno), NULL);
    }
    while (ret == MV_OK) {
        if (atomic_load(&w->s->cancel))
            ret = MV_ECANCELED;
        errno = 0;
        de = ret == MV_OK ? readdir(d) : NULL;
        if (de == NULL)
            break;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        ret = path_push(w, base, de->d_name);
        if (ret == MV_OK)
            ret = visit(w, dirfd(d), de->d_name);
    }
    int err = errno;
    w->len = base;
    w->path[base] = '\0';
    if (ret == MV_OK && de == NULL && err != 0)
        ret = emit(w, NULL, MV_KIND_DIR, mv_status_from_errno(err), "directory read failed");
    closedir(d);
    return ret;
}

static mv_status walk_root(struct walker *w, const char *root)
{
    struct stat st;
    const char *note;

    if (stat(root, &st) != 0)
        return mv_status_from_errno(errno);
    w->root_dev = st.st_dev;
    mv_catalog_kind kind = kind_of(st.st_mode, &note);
    if (kind != MV_KIND_DIR)
        return emit(w, &st, kind, MV_OK, note);
    int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return mv_status_from_errno(errno);
    w->chain[0].dev = st.st_dev;
    w->chain[0].ino = st.st_ino;
    w->depth = 1;
    return walk_fd(w, fd);
}

mv_status mv__scan_walk(mv_scan *s, const char *root, mv__scan_entry_fn fn, void *opaque)
{
    struct walker *w = mv__calloc(1, sizeof(*w));
    size_t n = strlen(root);

    if (w == NULL)
        return MV_ENOMEM;
    w->s = s;
    w->fn = fn;
    w->opaque = opaque;
    w->cap = n + 256;
    w->path = mv__malloc(w->cap);
    mv_status ret = MV_ENOMEM;
    if (w->path != NULL) {
        memcpy(w->path, root, n + 1);
        w->len = n;
        ret = walk_root(w, root);
    }
    mv__free(w->path);
    mv__free(w);
    return ret;
}
