/*
 * Strict UTF-8 decoding for the text fingerprint, one byte at a time so that a
 * sequence may be split across the chunks of a stream. The accepted forms are
 * exactly those of Unicode's table 3-7 ("well-formed UTF-8 byte sequences"): the
 * allowed range of the second byte after E0, ED, F0 and F4 rules out overlong
 * forms, UTF-16 surrogates and code points above U+10FFFF as soon as that byte
 * arrives, and C0, C1 and F5..FF never start a sequence.
 *
 * The caller handles ASCII itself and keeps the offset of each lead byte, which is
 * what an error reports.
 */
#include "fp_text.h"

/* Sets up the state after a lead byte; MV__UTF8_BAD when b cannot start a sequence. */
static int lead(mv__utf8 *d, uint8_t b)
{
    d->lo = 0x80;
    d->hi = 0xBF;
    if (b >= 0xC2 && b <= 0xDF) {
        d->need = 1;
        d->cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
        d->need = 2;
        d->cp = b & 0x0Fu;
        if (b == 0xE0)
            d->lo = 0xA0; // overlong below U+0800
        else if (b == 0xED)
            d->hi = 0x9F; // surrogates U+D800..DFFF
    } else if (b >= 0xF0 && b <= 0xF4) {
        d->need = 3;
        d->cp = b & 0x07u;
        if (b == 0xF0)
            d->lo = 0x90; // overlong below U+10000
        else if (b == 0xF4)
            d->hi = 0x8F; // above U+10FFFF
    } else {
        return MV__UTF8_BAD;
    }
    return MV__UTF8_MORE;
}

int mv__utf8_step(mv__utf8 *d, uint8_t b, uint32_t *cp)
{
    if (d->need == 0) {
        if (b < 0x80) {
            *cp = b;
            return MV__UTF8_DONE;
        }
        return lead(d, b);
    }
    if (b < d->lo || b > d->hi) {
        d->need = 0;
        return MV__UTF8_BAD;
    }
    d->lo = 0x80;
    d->hi = 0xBF;
    d->cp = (d->cp << 6) | (b & 0x3Fu);
    if (--d->need != 0)
        return MV__UTF8_MORE;
    *cp = d->cp;
    return MV__UTF8_DONE;
}
