/**
 * MediaVault version: compile-time macros and run-time queries.
 *
 * CMake reads MV_VERSION_MAJOR/MINOR/PATCH from this file, so they stay plain
 * integer defines on lines of their own.
 */
#ifndef MEDIAVAULT_VERSION_H
#define MEDIAVAULT_VERSION_H

#include "mediavault/api.h"

#define MV_VERSION_MAJOR 0
#define MV_VERSION_MINOR 7
#define MV_VERSION_PATCH 0

/** 0xMMmmpp, comparable with MV_VERSION_AT_LEAST(). */
#define MV_VERSION_NUMBER ((MV_VERSION_MAJOR << 16) | (MV_VERSION_MINOR << 8) | MV_VERSION_PATCH)

/** True when the headers are at least version major.minor.patch. */
#define MV_VERSION_AT_LEAST(major, minor, patch)                                                   \
    (MV_VERSION_NUMBER >= (((major) << 16) | ((minor) << 8) | (patch)))

#ifdef __cplusplus
extern "C" {
#endif

/**
 * The version of the library that is running, as MV_VERSION_NUMBER.
 * Since 0.1.
 */
MV_API unsigned mv_version(void);

/**
 * The version of the running library as "MAJOR.MINOR.PATCH".
 * Ownership: a static string, valid for the life of the process.
 * Since 0.1.
 */
MV_API const char *mv_version_string(void);

#ifdef __cplusplus
}
#endif

#endif
