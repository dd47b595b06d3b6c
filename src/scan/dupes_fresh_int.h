/*
 * Private parts of the catalog-free duplicate finder, shared by its three
 * files: dupes_walk.c (the tree and its compact path store), dupes_fresh.c
 * (the size -> sample -> full digest pipeline) and dupes_result.c (the groups
 * handed to the caller).
 *
 * Paths are stored as a tree: every directory and file keeps the offset of its
 * own name in one arena of NUL-terminated names and the index of its parent
 * directory, so a million files under a few deep directories cost their names
 * once, not their full paths. A full path is rebuilt only for the files that
 * are actually opened.
 */
#ifndef MV_DUPES_FRESH_INT_H
#define MV_DUPES_FRESH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/dupes.h"

#define MV__DUPES_NO_DIR UINT32_MAX

struct mv__dupes_file {
    uint64_t size, dev, ino;
    uint64_t name; /* offset in the name arena */
    uint32_t dir;  /* parent directory, MV__DUPES_NO_DIR for a root given as a file */
};

struct mv__dupes_dir {
    uint64_t name;
    uint32_t parent; /* MV__DUPES_NO_DIR for a root */
};

struct mv__dupes_tree {
    char *names;
    size_t names_len, names_cap;
    struct mv__dupes_dir *dirs;
    size_t ndirs, dirs_cap;
    struct mv__dupes_file *files;
    size_t nfiles, files_cap;
    uint64_t *seen; /* (dev, ino) pairs of the directories walked, open addressing */
    size_t seen_n, seen_cap;

    uint64_t min_size;
    int one_fs;
    mv_dupes_error_fn on_error;
    void *on_error_opaque;
    mv_dupes_stats *stats;
};

/* Walks one root into the tree. Per-path failures are reported and skipped;
   only MV_ENOMEM comes back. */
mv_status mv__dupes_walk(struct mv__dupes_tree *t, const char *root);

void mv__dupes_tree_free(struct mv__dupes_tree *t);

/* Length of the full path of a file, without the NUL. */
size_t mv__dupes_path_len(const struct mv__dupes_tree *t, const struct mv__dupes_file *f);

/* Writes the full path of a file into buf, which has path_len + 1 bytes. */
void mv__dupes_path_write(const struct mv__dupes_tree *t, const struct mv__dupes_file *f,
                          char *buf);

/* Reports a failed path to the callback and counts it. */
void mv__dupes_report(struct mv__dupes_tree *t, const char *path, mv_status st);

/* A candidate: one inode whose size is shared with another inode. Its names
   (hard links) are the tree files [first, first + nlinks), sorted by size and
   inode before the candidates are made. */
struct mv__dupes_cand {
    uint64_t size, dev, ino;
    size_t first, nlinks;    /* the inode's paths: tree files [first, first + nlinks) */
    uint8_t key[MV_MD5_LEN]; /* the sample digest, then the full one */
    mv_status st;
    int state;
};

/* Builds the result from runs of equal (size, key) in cands (sorted so). */
mv_status mv__dupes_result_build(const struct mv__dupes_tree *t, const struct mv__dupes_cand *c,
                                 size_t n, const mv_dupes_stats *stats, mv_dupes_result **out);

#endif
