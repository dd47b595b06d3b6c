/*
 * md5sum's file name escaping, byte for byte.
 *
 * A name containing a backslash, a newline or a carriage return is printed
 * with those three escaped ("\\", "\n", "\r") and the whole output line starts
 * with a backslash, which the sums parser undoes. Other bytes, invalid UTF-8 included,
 * are printed as they are.
 */
#include <string.h>

#include "cli.h"

int cli_escape_needed(const char *name)
{
    return strpbrk(name, "\\\n\r") != NULL;
}

void cli_print_escaped(FILE *out, const char *name)
{
    for (const char *p = name; *p != '\0'; p++) {
        switch (*p) {
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\r':
            fputs("\\r", out);
            break;
        default:
            fputc(*p, out);
        }
    }
}
