/**
 * Status codes shared by every MediaVault function.
 *
 * One X-macro list generates the enum, mv_strerror() and mv_status_name().
 * MV_OK is 0 and every error is negative. Values are pinned forever: a code that
 * is retired stays in the list as a placeholder so that numbers never move.
 */
#ifndef MEDIAVAULT_ERROR_H
#define MEDIAVAULT_ERROR_H

#include "mediavault/api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X(NAME, value, message) */
#define MV_STATUS_MAP(X)                                                                           \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, -1, "out of memory")                                                                 \
    X(EINVAL, -2, "invalid argument")                                                              \
    X(ENOENT, -3, "No such file or directory")                                                     \
    X(EACCES, -4, "Permission denied")                                                             \
    X(EIO, -5, "Input/output error")                                                               \
    X(EISDIR, -6, "Is a directory")                                                                \
    X(ENOTREG, -7, "not a regular file")                                                           \
    X(ECHANGED, -8, "file changed while it was read")                                              \
    X(ELOOP, -9, "Too many levels of symbolic links")                                              \
    X(ENOTSUP, -10, "operation not supported")                                                     \
    X(ETOOBIG, -11, "data too large")                                                              \
    X(ECORRUPT, -12, "corrupt data")                                                               \
    X(EBUSY, -13, "resource busy")                                                                 \
    X(ECANCELED, -14, "operation canceled")                                                        \
    X(ENOTDIR, -15, "Not a directory")                                                             \
    X(ENAMETOOLONG, -16, "File name too long")                                                     \
    X(ESYSTEM, -17, "system error")                                                                \
    X(ENODEV, -18, "no such device")                                                               \
    X(EPARSE, -19, "malformed input")                                                              \
    X(EUNSTABLE, -20, "file kept changing while it was read")                                      \
    X(EMFILE, -21, "Too many open files")                                                          \
    X(ETIMEDOUT, -22, "timed out")

/** Status of a MediaVault call: MV_OK or a negative error code. */
typedef enum mv_status {
#define MV__STATUS_ENUM(name, value, msg) MV_##name = (value),
    MV_STATUS_MAP(MV__STATUS_ENUM)
#undef MV__STATUS_ENUM
} mv_status;

/**
 * A human-readable message for a status.
 * Returns: a static string; "unknown error" for a value not in the table.
 * Ownership: static, valid for the life of the process.
 */
MV_API const char *mv_strerror(mv_status status);

/**
 * The symbolic name of a status without the prefix, e.g. "ENOENT".
 * Returns: a static string; "UNKNOWN" for a value not in the table.
 * Ownership: static, valid for the life of the process.
 */
MV_API const char *mv_status_name(mv_status status);

/**
 * Translates an errno value into a status. The only place where errno is mapped.
 * Returns: the matching status, MV_ESYSTEM for values without one, MV_OK for 0.
 */
MV_API mv_status mv_status_from_errno(int err);

#ifdef __cplusplus
}
#endif

#endif
