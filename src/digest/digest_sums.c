/*
 * The checksum-list parser behind `hash --check`.
 *
 * It reads what GNU coreutils reads, with the same tolerances, so that a list
 * that `md5sum -c` accepts is accepted here line for line:
 * - a line starting with '#' is a comment; an empty line (after removing the
 *   line end, "\n" or "\r\n") is skipped; anything else must parse;
 * - leading white space is skipped, then an optional backslash marks an escaped
 *   name ("\\", "\n", "\r");
 * - BSD lines: TAG, an optional space, "(", the name up to the last ")", then
 *   "=" with optional blanks around it, then exactly the hex digest;
 * - GNU lines: the hex digest, one blank (space or tab), then " NAME" (text)
 *   or "*NAME" (binary); a single blank followed directly by the name is the
 *   reversed BSD form ("md5 -r"), and a list may not mix the two GNU forms.
 * The parser works in place and never allocates.
 */
#include <string.h>

#include "mediavault/sums.h"

static const char *const tags[] = { "MD5", "SHA1", "SHA256", "BLAKE2b" };

const char *mv_sums_tag(mv_digest_algo algo)
{
    return (unsigned)algo < sizeof(tags) / sizeof(tags[0]) ? tags[algo] : NULL;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Exactly nbytes * 2 hex digits, then the end of the string. */
static int parse_hex(const char *s, size_t nbytes, uint8_t *out)
{
    for (size_t i = 0; i < nbytes; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (lo < 0)
            return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return s[2 * nbytes] == '\0';
}

/* Undoes the escaping of the first len bytes of s in place and terminates them. */
static int unescape(char *s, size_t len)
{
    char *w = s;

    for (size_t r = 0; r < len; r++) {
        if (s[r] != '\\') {
            *w++ = s[r];
            continue;
        }
        if (++r == len)
            return 0;
        if (s[r] == '\\')
            *w++ = '\\';
        else if (s[r] == 'n')
            *w++ = '\n';
        else if (s[r] == 'r')
            *w++ = '\r';
        else
            return 0;
    }
    *w = '\0';
    return 1;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* After "TAG[ ](": "NAME) = HEX". */
static char *parse_bsd(mv_digest_algo algo, char *s, int escaped, uint8_t *digest)
{
    char *close = strrchr(s, ')');

    if (close == NULL)
        return NULL;
    char *p = close + 1;
    if (escaped && !unescape(s, (size_t)(close - s)))
        return NULL;
    *close = '\0'; /* unescaping only shortens, so this stays after the name */
    while (is_blank(*p))
        p++;
    if (*p++ != '=')
        return NULL;
    while (is_blank(*p))
        p++;
    return parse_hex(p, mv_digest_len(algo), digest) ? s : NULL;
}

/* "HEX  NAME", "HEX *NAME" or "HEX NAME" (reversed). */
static char *parse_gnu(mv_digest_algo algo, char *s, int escaped, int *reversed, uint8_t *digest)
{
    size_t hl = 2 * mv_digest_len(algo), len = strlen(s);

    if (len < hl + 2 || !is_blank(s[hl]))
        return NULL;
    s[hl] = '\0';
    if (!parse_hex(s, hl / 2, digest))
        return NULL;
    char *name = s + hl + 1;
    if (len - hl - 1 == 1 || (*name != ' ' && *name != '*')) {
        if (*reversed == 0)
            return NULL; /* no mixing of the two forms in one list */
        *reversed = 1;
    } else if (*reversed != 1) {
        *reversed = 0;
        name++;
    }
    if (escaped && !unescape(name, strlen(name)))
        return NULL;
    return name;
}

static char *parse_entry(mv_digest_algo algo, char *s, int *reversed, uint8_t *digest, int *bsd)
{
    const char *tag = tags[algo];
    size_t tl = strlen(tag);
    int escaped = 0;

    while (is_blank(*s)) /* coreutils skips spaces and tabs only */
        s++;
    if (*s == '\\') {
        escaped = 1;
        s++;
    }
    if (strncmp(s, tag, tl) == 0) {
        s += tl;
        if (*s == ' ')
            s++;
        *bsd = 1;
        return *s == '(' ? parse_bsd(algo, s + 1, escaped, digest) : NULL;
    }
    return parse_gnu(algo, s, escaped, reversed, digest);
}

mv_status mv_sums_parse_line(mv_digest_algo algo, mv_sums_state *state, char *line, size_t len,
                             mv_sums_line *out)
{
    mv_sums_state fresh = MV_SUMS_STATE_INIT;

    memset(out, 0, sizeof(*out));
    if (mv_sums_tag(algo) == NULL)
        return MV_EINVAL;
    if (state == NULL)
        state = &fresh;
    if (memchr(line, '\0', len) != NULL)
        return MV_EPARSE;
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    line[len] = '\0';
    if (line[0] == '#' || len == 0) {
        out->kind = MV_SUMS_SKIP;
        return MV_OK;
    }
    int bsd = 0;
    char *name = parse_entry(algo, line, &state->reversed, out->digest, &bsd);
    /* An empty name is malformed, except in a BSD line, which md5sum takes as
       naming the file "" (and then fails to open it). */
    if (name == NULL || (*name == '\0' && !bsd))
        return MV_EPARSE;
    out->kind = MV_SUMS_ENTRY;
    out->name = name;
    return MV_OK;
}
