/*
 * Status messages and errno translation.
 *
 * The tables are generated from MV_STATUS_MAP in error.h, so a new status is
 * one line there. mv_status_from_errno() is the single place where errno values
 * become statuses; everything else in the library calls it.
 */
#include <errno.h>

#include "mediavault/error.h"

const char *mv_strerror(mv_status status)
{
    switch (status) {
#define MV__STATUS_MSG(name, value, msg)                                                           \
    case MV_##name:                                                                                \
        return msg;
        MV_STATUS_MAP(MV__STATUS_MSG)
#undef MV__STATUS_MSG
    }
    return "unknown error";
}

const char *mv_status_name(mv_status status)
{
    switch (status) {
#define MV__STATUS_NAME(name, value, msg)                                                          \
    case MV_##name:                                                                                \
        return #name;
        MV_STATUS_MAP(MV__STATUS_NAME)
#undef MV__STATUS_NAME
    }
    return "UNKNOWN";
}

mv_status mv_status_from_errno(int err)
{
    switch (err) {
    case 0:
        return MV_OK;
    case ENOMEM:
        return MV_ENOMEM;
    case EINVAL:
        return MV_EINVAL;
    case ENOENT:
        return MV_ENOENT;
    case EACCES:
    case EPERM:
        return MV_EACCES;
    case EIO:
        return MV_EIO;
    case EISDIR:
        return MV_EISDIR;
    case ELOOP:
        return MV_ELOOP;
    case ENOTDIR:
        return MV_ENOTDIR;
    case ENAMETOOLONG:
        return MV_ENAMETOOLONG;
    case EBUSY:
        return MV_EBUSY;
    case ENODEV:
    case ENXIO:
        return MV_ENODEV;
    case EFBIG:
    case EOVERFLOW:
        return MV_ETOOBIG;
    case ENOTSUP:
        return MV_ENOTSUP;
    case ECANCELED:
        return MV_ECANCELED;
    case EMFILE:
    case ENFILE:
        return MV_EMFILE;
    default:
        return MV_ESYSTEM;
    }
}
