/**
 * Parsing checksum lists as md5sum, sha256sum and b2sum write them.
 *
 * GNU lines are "HEX  NAME" (text mode), "HEX *NAME" (binary mode) or
 * "HEX NAME" (reversed BSD); a line starting with a backslash has its name
 * escaped ("\\\\", "\\n", "\\r"). BSD lines are "TAG (NAME) = HEX" with TAG MD5, SHA1,
 * SHA256 or BLAKE2b. Hex digits may be upper or lower case. The tolerances are
 * those of GNU coreutils 9.
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

/** What a list has shown so far: coreutils refuses lists that mix the two GNU forms. */
typedef struct mv_sums_state {
    int reversed; /* -1 not yet known, 0 "HEX  NAME" seen, 1 "HEX NAME" seen */
} mv_sums_state;

#define MV_SUMS_STATE_INIT                                                                         \
    {                                                                                              \
        -1                                                                                         \
    }

/**
 * Parses one line (a trailing "\n" or "\r\n" is ignored) for one algorithm.
 * Params: state is shared by the lines of one list (MV_SUMS_STATE_INIT); NULL
 *         parses the line on its own.
 *         line holds len bytes followed by a NUL (len + 1 bytes, as getline()
 *         gives); it is modified in place (the name is unescaped and
 *         NUL-terminated). A NUL byte inside the line makes it malformed.
 * Returns: MV_OK (see out->kind), MV_EPARSE for an improperly formatted line,
 *          MV_EINVAL for an unknown algorithm.
 * Ownership: out->name points into line and lives as long as it does.
 */
MV_API mv_status mv_sums_parse_line(mv_digest_algo algo, mv_sums_state *state, char *line,
                                    size_t len, mv_sums_line *out);

/** The BSD tag of an algorithm: "MD5", "SHA1", "SHA256", "BLAKE2b"; NULL if unknown. */
MV_API const char *mv_sums_tag(mv_digest_algo algo);

#ifdef __cplusplus
}
#endif

#endif
