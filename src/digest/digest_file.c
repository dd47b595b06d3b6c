/*
 * Reading files for hashing: opening safely, large reads, change detection.
 *
 * A path is stat()ed before it is opened, so that FIFOs and devices are refused
 * without being opened at all (opening a tape rewinds it, a watchdog arms).
 * The open itself uses O_NONBLOCK, so that a FIFO swapped in between cannot
 * block, and O_NOATIME where the kernel permits it, so that hashing a library
 * does not rewrite every inode. A file is given a digest only when the bytes
 * read match its size and its size, mtime, ctime and identity are still those
 * seen at open: anything else is MV_ECHANGED. Pseudo files (procfs, sysfs),
 * whose sizes are not their contents, are read to their end instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "../core/core.h"
#include "engine.h"

static _Thread_local mv_progress *read_counter;

void mv__file_count_to(mv_progress *p)
{
    read_counter = p;
}

mv_progress *mv__file_counter(void)
{
    return read_counter;
}

static int open_noatime(const char *path)
{
    const int flags = O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC;
    int fd = open(path, flags | O_NOATIME);

    if (fd < 0 && errno == EPERM)
        fd = open(path, flags);
    return fd;
}

static mv_status not_regular(const struct stat *st)
{
    return S_ISDIR(st->st_mode) ? MV_EISDIR : MV_ENOTREG;
}

/* procfs reports size 0 and sysfs one page for contents of any length. */
static int is_pseudo(int fd, const struct stat *st)
{
    const long proc_magic = 0x9fa0, sysfs_magic = 0x62656572;
    struct statfs sf;

    if (st->st_size != 0 && st->st_size != 4096)
        return 0; /* spares the fstatfs() for nearly every real file */
    return fstatfs(fd, &sf) == 0 && (sf.f_type == proc_magic || sf.f_type == sysfs_magic);
}

mv_status mv__file_open(const char *path, mv__file *f)
{
    struct stat pre;

    f->fd = -1;
    f->pseudo = 0;
    if (stat(path, &pre) != 0)
        return mv_status_from_errno(errno);
    if (!S_ISREG(pre.st_mode))
        return not_regular(&pre);
    f->fd = open_noatime(path);
    if (f->fd < 0) /* a socket swapped in fails with ENXIO: it is not a file */
        return errno == ENXIO ? MV_ENOTREG : mv_status_from_errno(errno);
    if (fstat(f->fd, &f->st) != 0) {
        mv_status st = mv_status_from_errno(errno);
        mv__file_close(f);
        return st;
    }
    if (!S_ISREG(f->st.st_mode)) { /* swapped for something else after the stat */
        mv_status st = not_regular(&f->st);
        mv__file_close(f);
        return st;
    }
    f->pseudo = is_pseudo(f->fd, &f->st);
    if (f->st.st_size > (off_t)(1 << 20)) /* small files are read in one call anyway */
        (void)posix_fadvise(f->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return MV_OK;
}

mv_status mv__file_read(mv__file *f, uint8_t *buf, size_t len, size_t *got)
{
    size_t total = 0;

    *got = 0;
    /* Fill the whole buffer: a short read from a regular file means end of file. */
    while (total < len) {
        ssize_t n = read(f->fd, buf + total, len - total);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return mv_status_from_errno(errno);
        if (n == 0)
            break;
        total += (size_t)n;
        mv_progress_add_done(read_counter, 0, (uint64_t)n);
        if (!f->pseudo && f->st.st_size > 0 && (off_t)total >= f->st.st_size)
            break;
    }
    *got = total;
    return MV_OK;
}

int mv__file_at_end(const mv__file *f, uint64_t total)
{
    return !f->pseudo && f->st.st_size > 0 && total >= (uint64_t)f->st.st_size;
}

mv_status mv__file_verify(const mv__file *f, uint64_t total)
{
    struct stat now;

    if (fstat(f->fd, &now) != 0)
        return mv_status_from_errno(errno);
    if (now.st_size != f->st.st_size || now.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
        now.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec ||
        now.st_ctim.tv_sec != f->st.st_ctim.tv_sec ||
        now.st_ctim.tv_nsec != f->st.st_ctim.tv_nsec || now.st_ino != f->st.st_ino ||
        now.st_dev != f->st.st_dev)
        return MV_ECHANGED;
    /* Files that report size 0 (procfs and the like) are read to their end instead. */
    if (!f->pseudo && f->st.st_size > 0 && total != (uint64_t)f->st.st_size)
        return MV_ECHANGED;
    return MV_OK;
}

void mv__file_close(mv__file *f)
{
    if (f->fd >= 0)
        close(f->fd);
    f->fd = -1;
}

static mv_status hash_open_file(mv__file *f, EVP_MD_CTX *ctx, uint8_t *buf, size_t bufsize,
                                uint64_t *total)
{
    for (;;) {
        size_t got;
        mv_status st = mv__file_read(f, buf, bufsize, &got);
        if (st != MV_OK)
            return st;
        if (got == 0)
            return MV_OK;
        *total += got;
        if (!EVP_DigestUpdate(ctx, buf, got))
            return MV_ENOMEM;
        if (mv__file_at_end(f, *total))
            return MV_OK;
    }
}

void mv__digest_opened_scalar(mv__file *f, mv_digest_algo algo, uint8_t *buf, size_t bufsize,
                              mv_digest_result *out)
{
    unsigned int n = 0;

    memset(out, 0, sizeof(*out));
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL || !EVP_DigestInit_ex2(ctx, mv__evp_md(algo), NULL))
        out->status = MV_ENOMEM;
    if (out->status == MV_OK)
        out->status = hash_open_file(f, ctx, buf, bufsize, &out->size);
    if (out->status == MV_OK)
        out->status = mv__file_verify(f, out->size);
    if (out->status == MV_OK && !EVP_DigestFinal_ex(ctx, out->digest, &n))
        out->status = MV_ENOMEM;
    EVP_MD_CTX_free(ctx);
    mv__file_close(f);
}

void mv__digest_file_scalar(const char *path, mv_digest_algo algo, uint8_t *buf, size_t bufsize,
                            mv_digest_result *out)
{
    mv__file f;
    mv_status st = mv__file_open(path, &f);

    if (st != MV_OK) {
        memset(out, 0, sizeof(*out));
        out->status = st;
        return;
    }
    mv__digest_opened_scalar(&f, algo, buf, bufsize, out);
}
