/*
 * The SQLite catalog backend: one database file in WAL mode.
 *
 * WAL lets readers (dupes, lookup, the server) work on a snapshot while one
 * writer appends, so a long scan never blocks a query and the reverse. The
 * writer batches rows in explicit transactions (BEGIN IMMEDIATE, so that a
 * second writer waits on the busy timeout instead of failing mid-batch);
 * synchronous=NORMAL keeps every commit atomic and the file consistent after
 * a crash or power loss, at the price of maybe losing the last commits.
 * Statements are prepared once per handle and reset before each use, so no
 * read snapshot stays open between calls. Paths are bound as BLOBs.
 */
#include <errno.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog.h"

#define BUSY_TIMEOUT_MS 60000
#define FILE_COLS                                                                                  \
    "path, kind, device, inode, size, mtime_ns, ctime_ns, md5, sha1, sha256, blake2b, error, "     \
    "note, seen_at, seen_scan, gone_at"

enum stmt_id {
    S_BEGIN,
    S_COMMIT,
    S_ROLLBACK,
    S_GET,
    S_CONTENT_INS,
    S_PUT,
    S_SEEN,
    S_INODE,
    S_MD5,
    S_GONE,
    S_SEEN_BELOW,
    S_SCAN_STALE,
    S_SCAN_BEGIN,
    S_SCAN_END,
    S_SCAN_ERROR,
    S_DUPES,
    S_EACH,
    S_BELOW,
    S_INODES,
    S_GONE_ONE,
    S_FP_GET,
    S_FP_PUT,
    S_BELOW_FP,
    S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_GET] = "SELECT " FILE_COLS " FROM files WHERE path = ?1",
    /* One statement for both cases; the no-op update makes RETURNING see an existing row. */
    [S_CONTENT_INS] = "INSERT INTO contents (md5, size) VALUES (?1, ?2) "
                      "ON CONFLICT (md5, size) DO UPDATE SET size = excluded.size RETURNING id",
    [S_PUT] = "INSERT INTO files (path, kind, device, inode, size, mtime_ns, ctime_ns, md5, sha1, "
              "sha256, blake2b, error, note, seen_at, seen_scan, gone_at, content_id) VALUES "
              "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, NULL, ?16) "
              "ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, device = excluded.device, "
              "inode = excluded.inode, size = excluded.size, mtime_ns = excluded.mtime_ns, "
              "ctime_ns = excluded.ctime_ns, md5 = excluded.md5, sha1 = excluded.sha1, "
              "sha256 = excluded.sha256, blake2b = excluded.blake2b, error = excluded.error, "
              "note = excluded.note, seen_at = excluded.seen_at, seen_scan = excluded.seen_scan, "
              "gone_at = NULL, content_id = excluded.content_id",
    [S_SEEN] = "UPDATE files SET seen_scan = ?2, seen_at = ?3, gone_at = NULL WHERE path = ?1",
    [S_INODE] = "SELECT " FILE_COLS " FROM files WHERE device = ?1 AND inode = ?2 "
                "AND gone_at IS NULL",
    /* Through contents and files_content: files has no index on md5 (migration 3). */
    [S_MD5] = "SELECT " FILE_COLS " FROM files WHERE content_id IN "
              "(SELECT id FROM contents WHERE md5 = ?1) AND md5 = ?1 AND gone_at IS NULL "
              "ORDER BY path",
    [S_GONE] = "UPDATE files SET gone_at = ?4 WHERE gone_at IS NULL AND seen_scan <> ?5 "
               "AND (path = ?1 OR (path >= ?2 AND path < ?3))",
    [S_SEEN_BELOW] = "UPDATE files SET seen_scan = ?5, seen_at = ?4 WHERE gone_at IS NULL "
                     "AND seen_scan <> ?5 AND (path = ?1 OR (path >= ?2 AND path < ?3))",
    [S_SCAN_STALE] = "UPDATE scans SET status = 4 WHERE status = 0",
    [S_SCAN_BEGIN] = "INSERT INTO scans (roots, started_at, status) VALUES (?1, ?2, 0)",
    [S_SCAN_END] = "UPDATE scans SET ended_at = ?2, status = ?3, files = ?4, bytes = ?5, "
                   "bytes_read = ?6, new_files = ?7, changed = ?8, unchanged = ?9, renamed = ?10, "
                   "gone = ?11, errors = ?12, skipped = ?13 WHERE id = ?1",
    [S_SCAN_ERROR] = "INSERT INTO scan_errors (scan_id, path, error, note) VALUES (?1, ?2, ?3, ?4)",
    [S_DUPES] = "SELECT " FILE_COLS " FROM files f JOIN (SELECT size AS s, md5 AS m FROM files "
                "WHERE gone_at IS NULL AND kind = 0 AND error = 0 AND md5 IS NOT NULL "
                "AND size >= ?1 GROUP BY size, md5 HAVING COUNT(*) > 1) g "
                "ON f.size = g.s AND f.md5 = g.m WHERE f.gone_at IS NULL AND f.kind = 0 "
                "AND f.error = 0 ORDER BY f.size DESC, f.md5, f.device, f.inode, f.path",
    [S_EACH] = "SELECT " FILE_COLS " FROM files WHERE gone_at IS NULL ORDER BY path",
    [S_BELOW] = "SELECT " FILE_COLS " FROM files WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
    [S_INODES] = "SELECT device, inode FROM files WHERE gone_at IS NULL AND kind = 0 "
                 "AND error = 0 AND md5 IS NOT NULL",
    [S_GONE_ONE] = "UPDATE files SET gone_at = ?2 WHERE path = ?1 AND gone_at IS NULL "
                   "AND seen_scan <> ?3",
    [S_FP_GET] = "SELECT f.value, f.quality FROM fingerprints f JOIN contents c "
                 "ON c.id = f.content_id WHERE c.md5 = ?1 AND c.size = ?2 AND f.algorithm = ?3 "
                 "AND f.version = ?4",
    [S_FP_PUT] = "INSERT INTO fingerprints (content_id, algorithm, version, value, quality, "
                 "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (content_id, algorithm, "
                 "version) DO UPDATE SET value = excluded.value, quality = excluded.quality, "
                 "created_at = excluded.created_at",
    /* S_BELOW plus fp_missing; the cache probed (primary key prefix) for candidates only. */
    [S_BELOW_FP] =
        "SELECT " FILE_COLS ", CASE WHEN gone_at IS NULL AND kind = 0 AND error = 0 "
        "AND size BETWEEN 1 AND ?4 AND content_id IS NOT NULL THEN NOT EXISTS "
        "(SELECT 1 FROM fingerprints p WHERE p.content_id = files.content_id AND "
        "((p.algorithm = ?5 AND p.version = ?6) OR (p.algorithm = ?7 AND p.version = ?8) "
        "OR (p.algorithm = ?9 AND p.version = ?10))) ELSE 0 END FROM files "
        "WHERE path = ?1 OR (path >= ?2 AND path < ?3)",
};

struct sq {
    sqlite3 *db;
    sqlite3_stmt *stmt[S_COUNT];
    uint8_t *buf; /* copy of the last file_get() path and note */
    size_t buf_cap;
};

static struct sq *SQ(mv_catalog *c)
{
    return c->impl;
}

static mv_status from_sqlite(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return MV_OK;
    case SQLITE_NOMEM:
        return MV_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return MV_EBUSY;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return MV_ECORRUPT;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
        return MV_EACCES;
    case SQLITE_CANTOPEN:
        return MV_ENOENT;
    case SQLITE_IOERR:
    case SQLITE_FULL:
        return MV_EIO;
    default:
        return MV_ESYSTEM;
    }
}

static mv_status fail(mv_catalog *c, int rc)
{
    struct sq *s = SQ(c);
    const char *msg = s != NULL && s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);

    return mv__catalog_seterr(c, from_sqlite(rc), "sqlite: %s", msg);
}

/* Resets a prepared statement for a new use and returns it. */
static sqlite3_stmt *use(mv_catalog *c, enum stmt_id id)
{
    sqlite3_stmt *st = SQ(c)->stmt[id];

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

/* Runs a statement that returns no rows; resets it afterwards. */
static mv_status run_done(mv_catalog *c, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? MV_OK : fail(c, rc);
}

static mv_status exec(mv_catalog *c, const char *sql)
{
    int rc = sqlite3_exec(SQ(c)->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? MV_OK : fail(c, rc);
}

static void make_parent_dirs(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);

    if (n >= sizeof(dir))
        return;
    memcpy(dir, path, n + 1);
    for (char *p = dir + 1; *p != '\0'; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            return;
        *p = '/';
    }
}

static int user_version(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int v = -1;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* Applies one migration in its own transaction; another process may have done it first. */
static mv_status migrate_one(mv_catalog *c, int version)
{
    char pragma[64];
    mv_status st = exec(c, "BEGIN IMMEDIATE");

    if (st != MV_OK)
        return st;
    if (user_version(SQ(c)->db) >= version)
        return exec(c, "COMMIT");
    mv__fmt(pragma, sizeof(pragma), "PRAGMA user_version = %d", version);
    st = exec(c, mv__catalog_migration(version));
    if (st == MV_OK)
        st = exec(c, pragma);
    if (st == MV_OK)
        return exec(c, "COMMIT");
    (void)sqlite3_exec(SQ(c)->db, "ROLLBACK", NULL, NULL, NULL);
    return st;
}

static mv_status migrate(mv_catalog *c)
{
    const int latest = mv__catalog_schema_latest();
    int v = user_version(SQ(c)->db);

    if (v < 0)
        return fail(c, sqlite3_errcode(SQ(c)->db));
    if (v > latest)
        return mv__catalog_seterr(
            c, MV_ENOTSUP, "catalog schema version %d is newer than this program (%d)", v, latest);
    for (int next = v + 1; next <= latest; next++) {
        mv_status st = migrate_one(c, next);
        if (st != MV_OK)
            return st;
        mv__log(MV_LOG_DEBUG, "catalog: migrated to schema version %d", next);
    }
    c->schema_version = latest;
    return MV_OK;
}

static mv_status prepare_all(mv_catalog *c)
{
    struct sq *s = SQ(c);

    for (int i = 0; i < S_COUNT; i++) {
        int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                                    NULL);
        if (rc != SQLITE_OK)
            return fail(c, rc);
    }
    return MV_OK;
}

static mv_status sq_open(mv_catalog *c, const char *location)
{
    struct sq *s = mv__calloc(1, sizeof(*s));
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;

    if (s == NULL)
        return MV_ENOMEM;
    c->impl = s;
    if (strcmp(location, ":memory:") != 0)
        make_parent_dirs(location);
    int rc = sqlite3_open_v2(location, &s->db, flags, NULL);
    if (rc != SQLITE_OK)
        return mv__catalog_seterr(c, from_sqlite(rc), "%s: %s", location,
                                  s->db != NULL ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
    sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
    mv_status st = exec(c, "PRAGMA journal_mode = WAL");
    if (st == MV_OK)
        st = exec(c, "PRAGMA synchronous = NORMAL");
    /*
     * 8 MiB of page cache instead of 2: the md5-keyed indexes take inserts at
     * random places, and with the default a first scan re-reads and re-writes
     * their pages several times per batch (200,000 small files: ~30% less CPU).
     */
    if (st == MV_OK)
        st = exec(c, "PRAGMA cache_size = -8192");

    if (st == MV_OK)
        st = migrate(c);
    if (st == MV_OK)
        st = prepare_all(c);
    return st;
}

static void sq_close(mv_catalog *c)
{
    struct sq *s = SQ(c);

    for (int i = 0; i < S_COUNT; i++)
        sqlite3_finalize(s->stmt[i]);
    if (s->db != NULL && !sqlite3_get_autocommit(s->db))
        (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    mv__free(s->buf);
    mv__free(s);
    c->impl = NULL;
}

static mv_status sq_begin(mv_catalog *c)
{
    return run_done(c, use(c, S_BEGIN));
}

static mv_status sq_commit(mv_catalog *c)
{
    return run_done(c, use(c, S_COMMIT));
}

static mv_status sq_rollback(mv_catalog *c)
{
    if (sqlite3_get_autocommit(SQ(c)->db))
        return MV_OK;
    return run_done(c, use(c, S_ROLLBACK));
}

static void read_digests(sqlite3_stmt *st, mv_catalog_file *f)
{
    f->digests = 0;
    for (unsigned a = 0; a < MV_CATALOG_ALGOS; a++) {
        const void *b = sqlite3_column_blob(st, 7 + (int)a);
        size_t n = (size_t)sqlite3_column_bytes(st, 7 + (int)a);
        if (b == NULL || n != mv_digest_len((mv_digest_algo)a))
            continue;
        memcpy(f->digest[a], b, n);
        f->digests |= MV_CATALOG_HAS(a);
    }
}

/* Fills f from the current row; path and note point into the statement. */
static void read_row(sqlite3_stmt *st, mv_catalog_file *f)
{
    memset(f, 0, sizeof(*f));
    f->path = sqlite3_column_blob(st, 0);
    f->path_len = (size_t)sqlite3_column_bytes(st, 0);
    f->kind = (mv_catalog_kind)sqlite3_column_int(st, 1);
    f->device = (uint64_t)sqlite3_column_int64(st, 2);
    f->inode = (uint64_t)sqlite3_column_int64(st, 3);
    f->size = (uint64_t)sqlite3_column_int64(st, 4);
    f->mtime_ns = sqlite3_column_int64(st, 5);
    f->ctime_ns = sqlite3_column_int64(st, 6);
    read_digests(st, f);
    f->error = (mv_status)sqlite3_column_int(st, 11);
    f->note = (const char *)sqlite3_column_text(st, 12);
    f->seen_at = sqlite3_column_int64(st, 13);
    f->seen_scan = sqlite3_column_int64(st, 14);
    f->gone_at = sqlite3_column_int64(st, 15);
}

/* Copies the borrowed path and note of f into the handle so the statement can be reset. */
static mv_status keep_row(mv_catalog *c, mv_catalog_file *f)
{
    struct sq *s = SQ(c);
    size_t note_len = f->note != NULL ? strlen(f->note) + 1 : 0;
    size_t need = f->path_len + note_len + 1;

    if (need > s->buf_cap) {
        uint8_t *nb = mv__realloc(s->buf, need);
        if (nb == NULL)
            return MV_ENOMEM;
        s->buf = nb;
        s->buf_cap = need;
    }
    memcpy(s->buf, f->path, f->path_len);
    f->path = s->buf;
    if (f->note != NULL) {
        memcpy(s->buf + f->path_len, f->note, note_len);
        f->note = (const char *)s->buf + f->path_len;
    }
    return MV_OK;
}

static mv_status sq_file_get(mv_catalog *c, const uint8_t *path, size_t len, mv_catalog_file *out)
{
    sqlite3_stmt *st = use(c, S_GET);
    mv_status ret;

    sqlite3_bind_blob(st, 1, path, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        read_row(st, out);
        ret = keep_row(c, out);
    } else {
        ret = rc == SQLITE_DONE ? MV_ENOENT : fail(c, rc);
    }
    sqlite3_reset(st);
    return ret;
}

/* The contents row of (md5, size), created when missing. */
static mv_status content_row(mv_catalog *c, const uint8_t *md5, uint64_t size, int64_t *id)
{
    sqlite3_stmt *st = use(c, S_CONTENT_INS);
    sqlite3_bind_blob(st, 1, md5, MV_MD5_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)size);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? MV_OK : fail(c, rc);
}

/* The contents row of f's (md5, size), created when missing; 0 when f has no MD5. */
static mv_status content_id(mv_catalog *c, const mv_catalog_file *f, int64_t *id)
{
    *id = 0;
    if (!(f->digests & MV_CATALOG_HAS(MV_DIGEST_MD5)))
        return MV_OK;
    return content_row(c, f->digest[MV_DIGEST_MD5], f->size, id);
}

static mv_status sq_fp_get(mv_catalog *c, const mv__catalog_fp_key *k, uint8_t *value, size_t cap,
                           size_t *len, int *quality)
{
    sqlite3_stmt *st = use(c, S_FP_GET);
    sqlite3_bind_blob(st, 1, k->md5, MV_MD5_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)k->size);
    sqlite3_bind_text(st, 3, k->algorithm, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, k->version);
    int rc = sqlite3_step(st);
    mv_status ret = rc == SQLITE_ROW ? MV_OK : rc == SQLITE_DONE ? MV_ENOENT : fail(c, rc);
    if (ret == MV_OK) {
        const size_t n = (size_t)sqlite3_column_bytes(st, 0);
        *len = n;
        *quality = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 1);
        if (n > cap)
            ret = mv__catalog_seterr(c, MV_ETOOBIG, "fingerprint of %zu bytes", n);
        else if (n > 0)
            memcpy(value, sqlite3_column_blob(st, 0), n);
    }
    sqlite3_reset(st);
    return ret;
}

static mv_status sq_fp_put(mv_catalog *c, const mv__catalog_fp_key *k, const uint8_t *value,
                           size_t len, int quality, int64_t now)
{
    int64_t cid = 0;
    mv_status ret = content_row(c, k->md5, k->size, &cid);

    if (ret != MV_OK)
        return ret;
    sqlite3_stmt *st = use(c, S_FP_PUT);
    sqlite3_bind_int64(st, 1, cid);
    sqlite3_bind_text(st, 2, k->algorithm, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, k->version);
    sqlite3_bind_blob(st, 4, value, (int)len, SQLITE_STATIC);
    if (quality >= 0)
        sqlite3_bind_int(st, 5, quality);
    sqlite3_bind_int64(st, 6, now);
    return run_done(c, st);
}

static void bind_file(sqlite3_stmt *st, const mv_catalog_file *f)
{
    sqlite3_bind_blob(st, 1, f->path, (int)f->path_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)f->kind);
    sqlite3_bind_int64(st, 3, (int64_t)f->device);
    sqlite3_bind_int64(st, 4, (int64_t)f->inode);
    sqlite3_bind_int64(st, 5, (int64_t)f->size);
    sqlite3_bind_int64(st, 6, f->mtime_ns);
    sqlite3_bind_int64(st, 7, f->ctime_ns);
    for (unsigned a = 0; a < MV_CATALOG_ALGOS; a++) {
        if (f->digests & MV_CATALOG_HAS(a))
            sqlite3_bind_blob(st, 8 + (int)a, f->digest[a], (int)mv_digest_len((mv_digest_algo)a),
                              SQLITE_STATIC);
    }
    sqlite3_bind_int(st, 12, (int)f->error);
    if (f->note != NULL)
        sqlite3_bind_text(st, 13, f->note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, f->seen_at);
    sqlite3_bind_int64(st, 15, f->seen_scan);
}

static mv_status sq_file_put(mv_catalog *c, const mv_catalog_file *f)
{
    int64_t cid;
    mv_status ret = content_id(c, f, &cid);

    if (ret != MV_OK)
        return ret;
    sqlite3_stmt *st = use(c, S_PUT);
    bind_file(st, f);
    if (cid != 0)
        sqlite3_bind_int64(st, 16, cid);
    return run_done(c, st);
}

static mv_status sq_file_seen(mv_catalog *c, const uint8_t *path, size_t len, int64_t scan_id,
                              int64_t seen_at)
{
    sqlite3_stmt *st = use(c, S_SEEN);

    sqlite3_bind_blob(st, 1, path, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, scan_id);
    sqlite3_bind_int64(st, 3, seen_at);
    return run_done(c, st);
}

/* Steps a bound query, calling fn per row; fn returning non-zero stops early. */
static mv_status each_row(mv_catalog *c, sqlite3_stmt *st, mv_catalog_file_fn fn, void *opaque)
{
    mv_catalog_file f;
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_row(st, &f);
        if (fn(opaque, &f) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? MV_OK : fail(c, rc);
}

static mv_status sq_find_inode(mv_catalog *c, uint64_t dev, uint64_t ino, mv_catalog_file_fn fn,
                               void *opaque)
{
    sqlite3_stmt *st = use(c, S_INODE);

    sqlite3_bind_int64(st, 1, (int64_t)dev);
    sqlite3_bind_int64(st, 2, (int64_t)ino);
    return each_row(c, st, fn, opaque);
}

static mv_status sq_find_md5(mv_catalog *c, const uint8_t *md5, mv_catalog_file_fn fn, void *opaque)
{
    sqlite3_stmt *st = use(c, S_MD5);

    sqlite3_bind_blob(st, 1, md5, MV_MD5_LEN, SQLITE_STATIC);
    return each_row(c, st, fn, opaque);
}

/*
 * Prepares a statement over the paths at or below root: binds (root, lo, hi)
 * with lo = "root/" and hi = "root0" ('0' follows '/'), so that one index range
 * covers the subtree. *range holds lo and hi and is freed by the caller after
 * the statement ran; NULL when memory ran out.
 */
static sqlite3_stmt *bind_below(mv_catalog *c, enum stmt_id id, const uint8_t *root, size_t len,
                                uint8_t **range)
{
    size_t base = root[len - 1] == '/' ? len - 1 : len;
    uint8_t *lo = mv__malloc(2 * (base + 1));

    *range = lo;
    if (lo == NULL)
        return NULL;
    uint8_t *hi = lo + base + 1;
    memcpy(lo, root, base);
    memcpy(hi, root, base);
    lo[base] = '/';
    hi[base] = '0';
    sqlite3_stmt *st = use(c, id);
    sqlite3_bind_blob(st, 1, root, (int)len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, lo, (int)base + 1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, hi, (int)base + 1, SQLITE_STATIC);
    return st;
}

/* Runs S_GONE or S_SEEN_BELOW, whose parameters are (root, lo, hi, now, scan). */
static mv_status below_root(mv_catalog *c, enum stmt_id id, const uint8_t *root, size_t len,
                            int64_t scan_id, int64_t now, uint64_t *count)
{
    uint8_t *range;
    sqlite3_stmt *st = bind_below(c, id, root, len, &range);
    mv_status ret = MV_ENOMEM;

    *count = 0;
    if (st != NULL) {
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_int64(st, 5, scan_id);
        ret = run_done(c, st);
        *count = ret == MV_OK ? (uint64_t)sqlite3_changes(SQ(c)->db) : 0;
    }
    mv__free(range);
    return ret;
}

static mv_status sq_mark_gone(mv_catalog *c, const uint8_t *root, size_t len, int64_t scan_id,
                              int64_t now, uint64_t *count)
{
    return below_root(c, S_GONE, root, len, scan_id, now, count);
}

static mv_status sq_mark_seen(mv_catalog *c, const uint8_t *root, size_t len, int64_t scan_id,
                              int64_t now)
{
    uint64_t count;

    return below_root(c, S_SEEN_BELOW, root, len, scan_id, now, &count);
}

static mv_status sq_scan_begin(mv_catalog *c, const char *roots, int64_t now, int64_t *id)
{
    mv_status ret = run_done(c, use(c, S_SCAN_STALE));

    if (ret != MV_OK)
        return ret;
    sqlite3_stmt *st = use(c, S_SCAN_BEGIN);
    sqlite3_bind_text(st, 1, roots, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    ret = run_done(c, st);
    *id = ret == MV_OK ? sqlite3_last_insert_rowid(SQ(c)->db) : 0;
    return ret;
}

static mv_status sq_scan_end(mv_catalog *c, int64_t id, int64_t now, mv_catalog_scan_state state,
                             const mv_catalog_scan_stats *s)
{
    sqlite3_stmt *st = use(c, S_SCAN_END);
    const uint64_t v[] = { s->files,     s->bytes,   s->bytes_read, s->new_files, s->changed,
                           s->unchanged, s->renamed, s->gone,       s->errors,    s->skipped };

    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int(st, 3, (int)state);
    for (int i = 0; i < (int)(sizeof(v) / sizeof(v[0])); i++)
        sqlite3_bind_int64(st, 4 + i, (int64_t)v[i]);
    return run_done(c, st);
}

static mv_status sq_scan_error(mv_catalog *c, int64_t id, const uint8_t *path, size_t len,
                               mv_status error, const char *note)
{
    sqlite3_stmt *st = use(c, S_SCAN_ERROR);

    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob(st, 2, path, (int)len, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)error);
    if (note != NULL)
        sqlite3_bind_text(st, 4, note, -1, SQLITE_STATIC);
    return run_done(c, st);
}

static mv_status sq_each_dupe(mv_catalog *c, uint64_t min_size, mv_catalog_file_fn fn, void *opaque)
{
    sqlite3_stmt *st = use(c, S_DUPES);

    sqlite3_bind_int64(st, 1, (int64_t)min_size);
    return each_row(c, st, fn, opaque);
}

static mv_status sq_each_file(mv_catalog *c, mv_catalog_file_fn fn, void *opaque)
{
    return each_row(c, use(c, S_EACH), fn, opaque);
}

static mv_status sq_each_below(mv_catalog *c, const uint8_t *root, size_t len,
                               mv_catalog_file_fn fn, void *opaque)
{
    uint8_t *range;
    sqlite3_stmt *st = bind_below(c, S_BELOW, root, len, &range);
    mv_status ret = st != NULL ? each_row(c, st, fn, opaque) : MV_ENOMEM;

    mv__free(range);
    return ret;
}

static mv_status sq_each_below_fp(mv_catalog *c, const uint8_t *root, size_t len, uint64_t max_size,
                                  const mv__catalog_fp_algo *algos, size_t n,
                                  mv__catalog_below_fp_fn fn, void *opaque)
{
    uint8_t *range;
    sqlite3_stmt *st = bind_below(c, S_BELOW_FP, root, len, &range);
    mv_catalog_file f;
    int rc = SQLITE_NOMEM;

    if (st != NULL) {
        sqlite3_bind_int64(st, 4, (int64_t)max_size);
        for (size_t i = 0; i < MV__CATALOG_FP_ALGOS; i++) { /* the unused pairs repeat the first */
            const mv__catalog_fp_algo *a = &algos[i < n ? i : 0];
            sqlite3_bind_text(st, 5 + 2 * (int)i, a->algorithm, -1, SQLITE_STATIC);
            sqlite3_bind_int(st, 6 + 2 * (int)i, a->version);
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            read_row(st, &f);
            if (fn(opaque, &f, sqlite3_column_int(st, 16)) != 0) {
                rc = SQLITE_DONE;
                break;
            }
        }
        sqlite3_reset(st);
    }
    mv__free(range);
    return rc == SQLITE_DONE ? MV_OK : st == NULL ? MV_ENOMEM : fail(c, rc);
}

static mv_status sq_gone_one(mv_catalog *c, const uint8_t *path, size_t len, int64_t scan_id,
                             int64_t now, uint64_t *count)
{
    sqlite3_stmt *st = use(c, S_GONE_ONE);

    sqlite3_bind_blob(st, 1, path, (int)len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now);
    sqlite3_bind_int64(st, 3, scan_id);
    mv_status ret = run_done(c, st);
    *count = ret == MV_OK ? (uint64_t)sqlite3_changes(SQ(c)->db) : 0;
    return ret;
}

static mv_status sq_each_inode(mv_catalog *c, mv__catalog_inode_fn fn, void *opaque)
{
    sqlite3_stmt *st = use(c, S_INODES);
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (fn(opaque, (uint64_t)sqlite3_column_int64(st, 0),
               (uint64_t)sqlite3_column_int64(st, 1)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? MV_OK : fail(c, rc);
}

const struct mv_catalog_backend mv__catalog_sqlite = {
    .name = "sqlite",
    .scheme = "sqlite:",
    .open = sq_open,
    .close = sq_close,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .file_get = sq_file_get,
    .file_put = sq_file_put,
    .file_seen = sq_file_seen,
    .find_inode = sq_find_inode,
    .find_md5 = sq_find_md5,
    .mark_gone = sq_mark_gone,
    .mark_seen = sq_mark_seen,
    .scan_begin = sq_scan_begin,
    .scan_end = sq_scan_end,
    .scan_error = sq_scan_error,
    .each_dupe = sq_each_dupe,
    .each_file = sq_each_file,
    .each_below = sq_each_below,
    .each_inode = sq_each_inode,
    .gone_one = sq_gone_one,
    .each_below_fp = sq_each_below_fp,
    .fp_get = sq_fp_get,
    .fp_put = sq_fp_put,
};
