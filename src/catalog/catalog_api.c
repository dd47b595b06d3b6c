/*
 * The public catalog API: URI to backend, argument checks, dispatch.
 *
 * Backends are listed in one table; a URI with a known scheme goes to that
 * backend and a bare path to the first one (SQLite). Everything a backend
 * would otherwise repeat lives here: NULL checks, the detail message, and the
 * default location rules of DESIGN.md.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

static const struct mv_catalog_backend *const backends[] = {
    &mv__catalog_sqlite,
};

mv_status mv__catalog_seterr(mv_catalog *c, mv_status st, const char *fmt, ...)
{
    va_list ap;

    if (c == NULL)
        return st;
    va_start(ap, fmt);
    vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
    va_end(ap);
    return st;
}

static char *join3(const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *out = mv__malloc(la + lb + lc + 1);

    if (out == NULL)
        return NULL;
    memcpy(out, a, la);
    memcpy(out + la, b, lb);
    memcpy(out + la + lb, c, lc + 1);
    return out;
}

mv_status mv_catalog_default_uri(char **out)
{
    const char *env = getenv("MEDIAVAULT_CATALOG");
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    *out = NULL;
    if (env != NULL && *env != '\0')
        *out = mv__strdup(env);
    else if (xdg != NULL && xdg[0] == '/')
        *out = join3(xdg, "/mediavault/catalog.db", "");
    else if (home != NULL && *home != '\0')
        *out = join3(home, "/.local/share", "/mediavault/catalog.db");
    else
        return MV_ENOENT;
    return *out != NULL ? MV_OK : MV_ENOMEM;
}

static const struct mv_catalog_backend *pick(const char *uri, const char **location)
{
    for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++) {
        size_t n = strlen(backends[i]->scheme);
        if (strncmp(uri, backends[i]->scheme, n) == 0) {
            *location = uri + n;
            return backends[i];
        }
    }
    /* A scheme we do not have ("postgresql://") must not become a file name. */
    if (strstr(uri, "://") != NULL)
        return NULL;
    *location = uri;
    return backends[0];
}

mv_status mv_catalog_open(const char *uri, mv_catalog **out)
{
    const char *location = NULL;
    mv_catalog *c;

    if (out == NULL)
        return MV_EINVAL;
    *out = NULL;
    if (uri == NULL || *uri == '\0')
        return MV_EINVAL;
    c = mv__calloc(1, sizeof(*c));
    if (c == NULL)
        return MV_ENOMEM;
    *out = c;
    c->be = pick(uri, &location);
    if (c->be == NULL)
        return mv__catalog_seterr(c, MV_ENOTSUP, "no catalog backend for this URI scheme");
    return c->be->open(c, location);
}

void mv_catalog_close(mv_catalog *c)
{
    if (c == NULL)
        return;
    if (c->be != NULL && c->impl != NULL)
        c->be->close(c);
    mv__free(c);
}

const char *mv_catalog_errmsg(const mv_catalog *c)
{
    return c != NULL ? c->errmsg : "no catalog";
}

const char *mv_catalog_backend_name(const mv_catalog *c)
{
    return c != NULL && c->be != NULL ? c->be->name : "none";
}

int mv_catalog_schema_version(const mv_catalog *c)
{
    return c != NULL ? c->schema_version : 0;
}

/* Every call below needs an open handle; this is the one place that says so. */
#define CHECK_OPEN(c)                                                                              \
    do {                                                                                           \
        if ((c) == NULL || (c)->impl == NULL)                                                      \
            return MV_EINVAL;                                                                      \
    } while (0)

mv_status mv_catalog_begin(mv_catalog *c)
{
    CHECK_OPEN(c);
    return c->be->begin(c);
}

mv_status mv_catalog_commit(mv_catalog *c)
{
    CHECK_OPEN(c);
    return c->be->commit(c);
}

mv_status mv_catalog_rollback(mv_catalog *c)
{
    CHECK_OPEN(c);
    return c->be->rollback(c);
}

mv_status mv_catalog_file_get(mv_catalog *c, const uint8_t *path, size_t path_len,
                              mv_catalog_file *out)
{
    CHECK_OPEN(c);
    if (path == NULL || path_len == 0 || out == NULL)
        return MV_EINVAL;
    return c->be->file_get(c, path, path_len, out);
}

mv_status mv_catalog_file_put(mv_catalog *c, const mv_catalog_file *f)
{
    CHECK_OPEN(c);
    if (f == NULL || f->path == NULL || f->path_len == 0)
        return MV_EINVAL;
    return c->be->file_put(c, f);
}

mv_status mv_catalog_file_seen(mv_catalog *c, const uint8_t *path, size_t path_len, int64_t scan_id,
                               int64_t seen_at)
{
    CHECK_OPEN(c);
    if (path == NULL || path_len == 0)
        return MV_EINVAL;
    return c->be->file_seen(c, path, path_len, scan_id, seen_at);
}

mv_status mv_catalog_file_find_inode(mv_catalog *c, uint64_t device, uint64_t inode,
                                     mv_catalog_file_fn fn, void *opaque)
{
    CHECK_OPEN(c);
    if (fn == NULL)
        return MV_EINVAL;
    return c->be->find_inode(c, device, inode, fn, opaque);
}

mv_status mv_catalog_file_find_md5(mv_catalog *c, const uint8_t md5[MV_MD5_LEN],
                                   mv_catalog_file_fn fn, void *opaque)
{
    CHECK_OPEN(c);
    if (md5 == NULL || fn == NULL)
        return MV_EINVAL;
    return c->be->find_md5(c, md5, fn, opaque);
}

mv_status mv_catalog_mark_gone(mv_catalog *c, const uint8_t *root, size_t root_len, int64_t scan_id,
                               int64_t now, uint64_t *count)
{
    uint64_t dummy;

    CHECK_OPEN(c);
    if (root == NULL || root_len == 0)
        return MV_EINVAL;
    return c->be->mark_gone(c, root, root_len, scan_id, now, count != NULL ? count : &dummy);
}

mv_status mv_catalog_mark_seen(mv_catalog *c, const uint8_t *root, size_t root_len, int64_t scan_id,
                               int64_t now)
{
    CHECK_OPEN(c);
    if (root == NULL || root_len == 0)
        return MV_EINVAL;
    return c->be->mark_seen(c, root, root_len, scan_id, now);
}

mv_status mv_catalog_scan_begin(mv_catalog *c, const char *roots, int64_t now, int64_t *scan_id)
{
    CHECK_OPEN(c);
    if (scan_id == NULL)
        return MV_EINVAL;
    return c->be->scan_begin(c, roots != NULL ? roots : "", now, scan_id);
}

mv_status mv_catalog_scan_end(mv_catalog *c, int64_t scan_id, int64_t now,
                              mv_catalog_scan_state state, const mv_catalog_scan_stats *stats)
{
    CHECK_OPEN(c);
    if (stats == NULL)
        return MV_EINVAL;
    return c->be->scan_end(c, scan_id, now, state, stats);
}

mv_status mv_catalog_scan_error(mv_catalog *c, int64_t scan_id, const uint8_t *path,
                                size_t path_len, mv_status error, const char *note)
{
    CHECK_OPEN(c);
    if (path == NULL)
        return MV_EINVAL;
    return c->be->scan_error(c, scan_id, path, path_len, error, note);
}

mv_status mv_catalog_each_dupe(mv_catalog *c, uint64_t min_size, mv_catalog_file_fn fn,
                               void *opaque)
{
    CHECK_OPEN(c);
    if (fn == NULL)
        return MV_EINVAL;
    return c->be->each_dupe(c, min_size, fn, opaque);
}

mv_status mv_catalog_each_file(mv_catalog *c, mv_catalog_file_fn fn, void *opaque)
{
    CHECK_OPEN(c);
    if (fn == NULL)
        return MV_EINVAL;
    return c->be->each_file(c, fn, opaque);
}

mv_status mv__catalog_each_below(mv_catalog *c, const uint8_t *root, size_t len,
                                 mv_catalog_file_fn fn, void *opaque)
{
    CHECK_OPEN(c);
    if (root == NULL || len == 0 || fn == NULL)
        return MV_EINVAL;
    return c->be->each_below(c, root, len, fn, opaque);
}

mv_status mv__catalog_each_below_fp(mv_catalog *c, const uint8_t *root, size_t len,
                                    uint64_t max_size, const mv__catalog_fp_algo *algos, size_t n,
                                    mv__catalog_below_fp_fn fn, void *opaque)
{
    CHECK_OPEN(c);
    if (root == NULL || len == 0 || fn == NULL || algos == NULL || n == 0 ||
        n > MV__CATALOG_FP_ALGOS || max_size > INT64_MAX)
        return MV_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (algos[i].algorithm == NULL || *algos[i].algorithm == '\0' || algos[i].version < 0)
            return MV_EINVAL;
    }
    return c->be->each_below_fp(c, root, len, max_size, algos, n, fn, opaque);
}

mv_status mv__catalog_each_inode(mv_catalog *c, mv__catalog_inode_fn fn, void *opaque)
{
    CHECK_OPEN(c);
    if (fn == NULL)
        return MV_EINVAL;
    return c->be->each_inode(c, fn, opaque);
}

mv_status mv__catalog_gone_one(mv_catalog *c, const uint8_t *path, size_t len, int64_t scan_id,
                               int64_t now, uint64_t *count)
{
    CHECK_OPEN(c);
    if (path == NULL || len == 0 || count == NULL)
        return MV_EINVAL;
    return c->be->gone_one(c, path, len, scan_id, now, count);
}
