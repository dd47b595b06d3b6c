/*
 * Word builder of the text fingerprint: turns the normalised code point stream
 * into one 64-bit hash per word, without ever storing a word, so that a word (or
 * a 10 MB line with no separator) costs no memory at all.
 *
 * A word is a maximal run of letters, combining marks and digits after case
 * folding; any other code point ends it. Combining marks count as word characters
 * because many scripts (Devanagari, Thai, decomposed Latin accents) write parts of
 * a word with them, and splitting there would shred those texts into syllables.
 *
 * The word hash is FNV-1a taken one step per folded code point (for ASCII that is
 * exactly FNV-1a over the bytes), finished with the splitmix64 mixer because
 * FNV's low bits are weak and every bit of the result votes in the SimHash.
 */
#include "fp_text.h"

void mv__words_init(mv__words *w, mv__text_token_fn fn, void *ctx)
{
    w->h = MV__FNV_OFFSET;
    w->len = 0;
    w->count = 0;
    w->fn = fn;
    w->ctx = ctx;
}

void mv__words_end(mv__words *w)
{
    if (w->len == 0)
        return;
    w->fn(w->ctx, mv__mix64(w->h));
    w->count++;
    w->h = MV__FNV_OFFSET;
    w->len = 0;
}

void mv__words_put_slow(mv__words *w, uint32_t cp)
{
    if (!mv__text_is_word(cp)) {
        mv__words_end(w);
        return;
    }
    w->h = (w->h ^ mv__text_fold(cp)) * MV__FNV_PRIME;
    w->len++;
}
