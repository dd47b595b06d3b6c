/*
 * The checksum-list parser behind `hash --check`.
 *
 * It accepts what GNU coreutils writes and reads back: GNU lines with text or
 * binary markers and the leading-backslash escape, BSD tagged lines, CRLF line
 * ends, blank lines and # comments. Anything else is MV_EPARSE so that the
 * caller can count improperly formatted lines as md5sum does. The parser works
 * in place and never allocates.
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

static int parse_hex(const char *s, size_t nbytes, uint8_t *out)
{
    for (size_t i = 0; i < nbytes; i++) {
        int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);
        if (lo < 0)
            return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

static int unescape(char *s)
{
    char *w = s;

    for (const char *r = s; *r != '\0'; r++) {
        if (*r != '\\') {
            *w++ = *r;
            continue;
        }
        r++;
        if (*r == '\\')
            *w++ = '\\';
        else if (*r == 'n')
            *w++ = '\n';
        else if (*r == 'r')
            *w++ = '\r';
        else
            return 0;
    }
    *w = '\0';
    return 1;
}

/* "TAG (NAME) = HEX" */
static char *parse_bsd(mv_digest_algo algo, char *line, size_t len, uint8_t *digest)
{
    const char *tag = tags[algo];
    size_t tl = strlen(tag), hl = 2 * mv_digest_len(algo);

    if (len < tl + 2 + 1 + 4 + hl || strncmp(line, tag, tl) != 0 || strncmp(line + tl, " (", 2))
        return NULL;
    char *close = line + len - hl - 4;
    if (strncmp(close, ") = ", 4) != 0 || !parse_hex(close + 4, hl / 2, digest))
        return NULL;
    *close = '\0';
    return line + tl + 2;
}

/* "[\]HEX  NAME" or "[\]HEX *NAME" */
static char *parse_gnu(mv_digest_algo algo, char *line, size_t len, uint8_t *digest)
{
    size_t hl = 2 * mv_digest_len(algo);
    size_t escaped = line[0] == '\\';
    char *p = line + escaped;

    if (len < escaped + hl + 3 || !parse_hex(p, hl / 2, digest) || p[hl] != ' ')
        return NULL;
    if (p[hl + 1] != ' ' && p[hl + 1] != '*')
        return NULL;
    char *name = p + hl + 2;
    if (escaped && !unescape(name))
        return NULL;
    return name;
}

mv_status mv_sums_parse_line(mv_digest_algo algo, char *line, size_t len, mv_sums_line *out)
{
    memset(out, 0, sizeof(*out));
    if (mv_sums_tag(algo) == NULL)
        return MV_EINVAL;
    if (memchr(line, '\0', len) != NULL)
        return MV_EPARSE;
    if (len > 0 && line[len - 1] == '\n')
        len--;
    if (len > 0 && line[len - 1] == '\r')
        len--;
    line[len] = '\0';
    while (*line == ' ' || *line == '\t') {
        line++;
        len--;
    }
    if (*line == '\0' || *line == '#') {
        out->kind = MV_SUMS_SKIP;
        return MV_OK;
    }
    char *name = parse_bsd(algo, line, len, out->digest);
    if (name == NULL)
        name = parse_gnu(algo, line, len, out->digest);
    if (name == NULL || *name == '\0')
        return MV_EPARSE;
    out->kind = MV_SUMS_ENTRY;
    out->name = name;
    return MV_OK;
}
