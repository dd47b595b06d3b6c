/*
 * Writing catalog paths (bytes, not text) in the program's three output forms.
 *
 * text  Raw bytes, except that a path holding a backslash, a newline or a
 *       carriage return, or starting with '#' or '=', is written md5sum's way
 *       (leading backslash, then \\, \n, \r), so that every line stays one
 *       unambiguous path; the same convention as `dupes --fresh`.
 * json  Valid UTF-8 as is (JSON escapes for '"', '\' and control bytes); each
 *       byte that is not valid UTF-8 becomes \udcXX, the lone surrogate of
 *       Python's surrogateescape (PEP 383): json.loads() then os.fsencode()
 *       gives the exact bytes back.
 * csv   RFC 4180 quoting of fields holding ',', '"', CR or LF; other bytes raw.
 */
#include <string.h>

#include "cli.h"

static int cont(const uint8_t *s, size_t left, size_t i)
{
    return i < left && (s[i] & 0xC0) == 0x80;
}

size_t cli_utf8_len(const uint8_t *s, size_t left)
{
    uint8_t c = s[0];

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return cont(s, left, 1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        uint8_t lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return left > 1 && s[1] >= lo && s[1] <= hi && cont(s, left, 2) ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        uint8_t lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return left > 1 && s[1] >= lo && s[1] <= hi && cont(s, left, 2) && cont(s, left, 3) ? 4 : 0;
    }
    return 0;
}

static void json_char(FILE *out, uint8_t c)
{
    if (c == '"' || c == '\\') {
        fputc('\\', out);
        fputc(c, out);
    } else if (c == '\n') {
        fputs("\\n", out);
    } else if (c == '\r') {
        fputs("\\r", out);
    } else if (c == '\t') {
        fputs("\\t", out);
    } else if (c < 0x20 || c == 0x7f) {
        fprintf(out, "\\u%04x", c);
    } else {
        fputc(c, out);
    }
}

void cli_json_bytes(FILE *out, const uint8_t *s, size_t len)
{
    fputc('"', out);
    for (size_t i = 0; i < len;) {
        size_t n = cli_utf8_len(s + i, len - i);
        if (n == 1)
            json_char(out, s[i]);
        else if (n == 0)
            fprintf(out, "\\udc%02x", s[i]);
        else
            fwrite(s + i, 1, n, out);
        i += n ? n : 1;
    }
    fputc('"', out);
}

static int text_needs_escape(const uint8_t *s, size_t len)
{
    if (len > 0 && (s[0] == '#' || s[0] == '='))
        return 1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' || s[i] == '\n' || s[i] == '\r')
            return 1;
    }
    return 0;
}

static void md5sum_escape(FILE *out, const uint8_t *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\')
            fputs("\\\\", out);
        else if (s[i] == '\n')
            fputs("\\n", out);
        else if (s[i] == '\r')
            fputs("\\r", out);
        else
            fputc(s[i], out);
    }
}

void cli_text_bytes(FILE *out, const char *prefix, const uint8_t *s, size_t len)
{
    fputs(prefix, out);
    if (text_needs_escape(s, len)) {
        fputc('\\', out);
        md5sum_escape(out, s, len);
    } else {
        fwrite(s, 1, len, out);
    }
    fputc('\n', out);
}

void cli_md5sum_line(FILE *out, const char *hex, const uint8_t *s, size_t len)
{
    int esc = 0;

    for (size_t i = 0; i < len && !esc; i++)
        esc = s[i] == '\\' || s[i] == '\n' || s[i] == '\r';
    if (esc)
        fputc('\\', out);
    fputs(hex, out);
    fputs("  ", out);
    if (esc)
        md5sum_escape(out, s, len);
    else
        fwrite(s, 1, len, out);
    fputc('\n', out);
}

void cli_csv_bytes(FILE *out, const uint8_t *s, size_t len)
{
    int quote = 0;

    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fwrite(s, 1, len, out);
        return;
    }
    fputc('"', out);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            fputc('"', out);
        fputc(s[i], out);
    }
    fputc('"', out);
}

void cli_json_error(FILE *out, const char *path, const char *reason, int first)
{
    fputs(first ? "  {\"path\": " : ",\n  {\"path\": ", out);
    cli_json_bytes(out, (const uint8_t *)path, strlen(path));
    fputs(", \"error\": ", out);
    cli_json_bytes(out, (const uint8_t *)reason, strlen(reason));
    fputc('}', out);
}
