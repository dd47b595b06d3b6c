/*
 * PDQ hashes as text and as bits: the reference's hex form and Hamming distance.
 *
 * The hex form is the reference CLI's: the sixteen 16-bit words from the last
 * (words[15], DCT row 15) to the first, four lowercase digits each. Parsing takes
 * either case and exactly 64 digits, because a PDQ hex arrives from files and
 * network requests and must never be read past its length.
 */
#include <string.h>

#include "mediavault/pdq.h"

static const char hex_digits[] = "0123456789abcdef";

void mv_pdq_to_hex(const mv_pdq_hash *hash, char out[MV_PDQ_HEX_LEN + 1])
{
    char *p = out;
    for (int w = MV_PDQ_WORDS - 1; w >= 0; w--)
        for (int shift = 12; shift >= 0; shift -= 4)
            *p++ = hex_digits[(hash->words[w] >> shift) & 0xf];
    *p = '\0';
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

mv_status mv_pdq_from_hex(const char *hex, size_t len, mv_pdq_hash *hash)
{
    mv_pdq_hash h;

    if (hex == NULL || hash == NULL)
        return MV_EINVAL;
    if (len != MV_PDQ_HEX_LEN)
        return MV_EPARSE;
    for (int w = 0; w < MV_PDQ_WORDS; w++) {
        unsigned v = 0;
        for (int k = 0; k < 4; k++) {
            const int d = hex_value(hex[(MV_PDQ_WORDS - 1 - w) * 4 + k]);
            if (d < 0)
                return MV_EPARSE;
            v = v << 4 | (unsigned)d;
        }
        h.words[w] = (uint16_t)v;
    }
    *hash = h;
    return MV_OK;
}

int mv_pdq_distance(const mv_pdq_hash *a, const mv_pdq_hash *b)
{
    int d = 0;
    for (int w = 0; w < MV_PDQ_WORDS; w++)
        d += __builtin_popcount((unsigned)(a->words[w] ^ b->words[w]));
    return d;
}
