/**
 * Parsing checksum lists as md5sum, sha256sum and b2sum write them.
 *
 * GNU lines are "HEX  NAME" (text mode) or "HEX *NAME" (binary mode); a line
 * starting with a backslash has its name escaped ("\\", "\n", "\r"). BSD lines
 * are "TAG (NAME) = HEX" with TAG MD5, SHA1, SHA256 or BLAKE2b. Hex digits may
 * be upper or lower case.
 */
#ifndef MEDIAVAULT_SUMS_H
#define MEDIAVAULT_SUMS_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/digest.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mv_sums_kind {
    MV_SUMS_ENTRY = 0, /* a checksum line: name and digest are set */
    MV_SUMS_SKIP = 1,  /* an empty line or a # comment */
} mv_sums_kind;

typedef struct mv_sums_line {
    mv_sums_kind kind;
    char *name;                        /* inside the line buffer, unescaped */
    uint8_t digest[MV_DIGEST_MAX_LEN]; /* mv_digest_len(algo) bytes */
} mv_sums_line;

/**
 * Parses one line (a trailing "\n" or "\r\n" is ignored) for one algorithm.
 * Params: line holds len bytes followed by a NUL (len + 1 bytes, as getline()
 *         gives); it is modified in place (the name is unescaped and
 *         NUL-terminated). A NUL byte inside the line makes it malformed.
 * Returns: MV_OK (see out->kind), MV_EPARSE for an improperly formatted line,
 *          MV_EINVAL for an unknown algorithm.
 * Ownership: out->name points into line and lives as long as it does.
 */
MV_API mv_status mv_sums_parse_line(mv_digest_algo algo, char *line, size_t len, mv_sums_line *out);

/** The BSD tag of an algorithm: "MD5", "SHA1", "SHA256", "BLAKE2b"; NULL if unknown. */
MV_API const char *mv_sums_tag(mv_digest_algo algo);

#ifdef __cplusplus
}
#endif

#endif
