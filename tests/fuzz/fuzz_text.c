/*
 * Fuzz target: the text normaliser behind the text fingerprint (UTF-8 decoder,
 * subtitle line filter, markup filter, word builder). The first byte picks the
 * format and a split point; the rest is the text. The one-shot hash must equal
 * the hash of the same bytes fed in two chunks, errors and their offsets included,
 * and an error offset must lie inside the input.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fingerprint/fp_text.h"
#include "mediavault/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static mv_status two_chunks(const uint8_t *text, size_t len, mv_text_format fmt, size_t split,
                            uint64_t *hash, size_t *tokens, size_t *bad)
{
    mv__simhash acc;
    mv__text_norm norm;

    mv__simhash_init(&acc, MV_TEXT_SHINGLE_WORDS);
    mv__text_norm_init(&norm, fmt, mv__simhash_word, &acc);
    mv_status st = mv__text_norm_feed(&norm, text, split, bad);
    if (st == MV_OK)
        st = mv__text_norm_feed(&norm, text + split, len - split, bad);
    if (st == MV_OK)
        st = mv__text_norm_finish(&norm, bad);
    *hash = mv__simhash_final(&acc);
    *tokens = norm.words.count;
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    const uint8_t *text = data + 1;
    const size_t len = size - 1;
    mv_text_format fmt = (mv_text_format)(data[0] % 5);
    const size_t split = len == 0 ? 0 : (data[0] / 5u) % (len + 1);
    uint64_t h1 = 0, h2 = 0;
    size_t t1 = 0, t2 = 0, b1 = 0, b2 = 0;

    const mv_status s1 = mv_text_simhash(text, len, fmt, &h1, &t1, &b1);
    if (fmt == MV_TEXT_AUTO)
        fmt = mv_text_detect(text, len);
    if (fmt == MV_TEXT_AUTO)
        abort();
    const mv_status s2 = two_chunks(text, len, fmt, split, &h2, &t2, &b2);
    if (s1 != s2)
        abort();
    if (s1 == MV_OK && (h1 != h2 || t1 != t2 || (t1 == 0 && h1 != 0)))
        abort();
    if (s1 != MV_OK && (s1 != MV_EPARSE || b1 != b2 || b1 >= len))
        abort();
    return 0;
}
