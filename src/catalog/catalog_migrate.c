/*
 * Schema migrations, numbered from 1, applied in order when a catalog opens.
 *
 * Each entry takes the schema from version N - 1 to N and is never edited once
 * released: a change is a new entry at the end. The SQL is written to run on
 * SQLite and PostgreSQL alike (BLOB is bytea there; INTEGER ids become
 * identity columns in that backend's own preamble). Paths are BLOBs because
 * file names are bytes. Files are never erased by a scan: a path that
 * disappears gets gone_at, so history and resumed scans stay consistent.
 */
#include <stddef.h>

#include "catalog.h"

static const char *const migrations[] = {
    /* 1: files, contents, fingerprints, scans, per-scan errors. */
    "CREATE TABLE contents ("
    " id INTEGER PRIMARY KEY,"
    " md5 BLOB NOT NULL,"
    " size INTEGER NOT NULL,"
    " media_type TEXT,"
    " UNIQUE (md5, size));"
    "CREATE TABLE files ("
    " id INTEGER PRIMARY KEY,"
    " path BLOB NOT NULL UNIQUE,"
    " kind INTEGER NOT NULL DEFAULT 0,"
    " device INTEGER NOT NULL DEFAULT 0,"
    " inode INTEGER NOT NULL DEFAULT 0,"
    " size INTEGER NOT NULL DEFAULT 0,"
    " mtime_ns INTEGER NOT NULL DEFAULT 0,"
    " ctime_ns INTEGER NOT NULL DEFAULT 0,"
    " md5 BLOB, sha1 BLOB, sha256 BLOB, blake2b BLOB,"
    " content_id INTEGER REFERENCES contents (id),"
    " error INTEGER NOT NULL DEFAULT 0,"
    " note TEXT,"
    " seen_at INTEGER NOT NULL DEFAULT 0,"
    " seen_scan INTEGER NOT NULL DEFAULT 0,"
    " gone_at INTEGER);"
    "CREATE INDEX files_inode ON files (device, inode);"
    "CREATE INDEX files_md5 ON files (md5);"
    "CREATE INDEX files_content ON files (content_id);"
    "CREATE TABLE fingerprints ("
    " content_id INTEGER NOT NULL REFERENCES contents (id),"
    " algorithm TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " value BLOB NOT NULL,"
    " quality INTEGER,"
    " created_at INTEGER NOT NULL,"
    " PRIMARY KEY (content_id, algorithm, version));"
    "CREATE TABLE scans ("
    " id INTEGER PRIMARY KEY,"
    " roots TEXT,"
    " started_at INTEGER NOT NULL,"
    " ended_at INTEGER,"
    " status INTEGER NOT NULL DEFAULT 0,"
    " files INTEGER, bytes INTEGER, bytes_read INTEGER,"
    " new_files INTEGER, changed INTEGER, unchanged INTEGER, renamed INTEGER,"
    " gone INTEGER, errors INTEGER, skipped INTEGER);"
    "CREATE TABLE scan_errors ("
    " scan_id INTEGER NOT NULL REFERENCES scans (id),"
    " path BLOB NOT NULL,"
    " error INTEGER NOT NULL,"
    " note TEXT);",
    /* 2: dupes groups by (size, md5) among present files. */
    "CREATE INDEX files_size_md5 ON files (size, md5) WHERE gone_at IS NULL;",
    /*
     * 3: files_md5 goes: its keys are random, so each new file cost an insert
     * at a random page; lookup by MD5 goes through contents (md5, size) and
     * files (content_id) instead. The dupes index holds only what dupes
     * groups (present, plain files without error, with an MD5), so the
     * grouping reads the index alone, never the table.
     */
    "DROP INDEX IF EXISTS files_md5;"
    "DROP INDEX IF EXISTS files_size_md5;"
    "CREATE INDEX files_dupes ON files (size, md5) WHERE gone_at IS NULL AND kind = 0 "
    "AND error = 0 AND md5 IS NOT NULL;",
};

int mv__catalog_schema_latest(void)
{
    return (int)(sizeof(migrations) / sizeof(migrations[0]));
}

const char *mv__catalog_migration(int version)
{
    if (version < 1 || version > mv__catalog_schema_latest())
        return NULL;
    return migrations[version - 1];
}

const char *mv__catalog_digest_column(unsigned algo)
{
    static const char *const columns[MV_CATALOG_ALGOS] = { "md5", "sha1", "sha256", "blake2b" };

    return algo < MV_CATALOG_ALGOS ? columns[algo] : NULL;
}
