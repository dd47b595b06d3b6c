/*
 * File names in error messages, quoted as coreutils quotes them.
 *
 * md5sum names files in its messages with gnulib's shell-escape quoting (plus
 * ':'), so that a name with spaces or control characters is unambiguous and
 * can be pasted into a shell. Names that need nothing print as they are; a
 * name whose only trouble is an apostrophe goes in double quotes; anything else
 * goes in single quotes, with control bytes and invalid UTF-8 as $'\ooo'.
 * Valid UTF-8 beyond ASCII counts as printable (a UTF-8 locale).
 */
#include <string.h>

#include "cli.h"

/* Length of the valid UTF-8 sequence at p (1..4), or 0 when it is invalid. */
static size_t utf8_len(const unsigned char *p)
{
    return cli_utf8_len(p, strnlen((const char *)p, 4));
}

static int is_control(const unsigned char *p)
{
    return *p < 0x20 || *p == 0x7f || utf8_len(p) == 0;
}

static int forces_quotes(const char *s, size_t i)
{
    if (strchr(" !\"$&()*;<=>?[\\^`|:\t", s[i]) != NULL)
        return 1;
    if ((s[0] == '{' || s[0] == '}') && s[1] == '\0')
        return 1; /* a lone brace is shell syntax */
    return i == 0 && (s[0] == '#' || s[0] == '~');
}

static void print_control(FILE *out, unsigned char c)
{
    static const char named[] = "\a\b\f\n\r\t\v", letters[] = "abfnrtv";
    const char *k = c != 0 ? strchr(named, c) : NULL;

    if (k != NULL)
        fprintf(out, "\\%c", letters[k - named]);
    else
        fprintf(out, "\\%03o", c);
}

/* Bytes to step over at name[i]: a whole UTF-8 character, or one byte. */
static size_t step(const unsigned char *u, size_t i)
{
    size_t n = utf8_len(u + i);
    return n ? n : 1;
}

void cli_print_quoted(FILE *out, const char *name)
{
    const unsigned char *u = (const unsigned char *)name;
    int quote = *name == '\0', apostrophe = 0, control = 0, dq_special = 0;

    for (size_t i = 0; name[i] != '\0'; i += step(u, i)) {
        quote |= forces_quotes(name, i);
        apostrophe |= name[i] == '\'';
        control |= is_control(u + i);
        dq_special |= strchr("$`\"\\!", name[i]) != NULL;
    }
    if (!quote && !apostrophe && !control) {
        fputs(name, out);
        return;
    }
    if (apostrophe && !control && !dq_special) {
        fprintf(out, "\"%s\"", name);
        return;
    }
    /* Single quotes, with runs of control bytes in $'...' segments between them,
       as gnulib does: 'a'$'\n\n''b'. */
    int in_escape = 0;
    fputc('\'', out);
    for (size_t i = 0; name[i] != '\0'; i += step(u, i)) {
        int ctl = is_control(u + i);
        if (ctl != in_escape)
            fputs(ctl ? "'$'" : "''", out);
        in_escape = ctl;
        if (ctl)
            print_control(out, u[i]);
        else if (name[i] == '\'')
            fputs("'\\''", out);
        else
            fwrite(name + i, 1, step(u, i), out);
    }
    fputc('\'', out);
}
