/*
 * Run-time version queries, so that a program can tell which library it loaded.
 */
#include "mediavault/version.h"

#define MV__STR2(x) #x
#define MV__STR(x)  MV__STR2(x)

unsigned mv_version(void)
{
    return MV_VERSION_NUMBER;
}

const char *mv_version_string(void)
{
    return MV__STR(MV_VERSION_MAJOR) "." MV__STR(MV_VERSION_MINOR) "." MV__STR(MV_VERSION_PATCH);
}
