/*
 * Unicode properties for the text fingerprint: which code points make up words
 * and how they are case folded. Both come from generated range tables
 * (scripts/gen_text_tables.py over the Unicode Character Database) searched by
 * bisection; ASCII, the bulk of most texts, is answered by one 128-entry table
 * that the word builder reads inline.
 *
 * Folding is Unicode simple case folding (status C and S), so every code point
 * folds to exactly one code point: "STRASSE" and "straße" stay different words,
 * which is harmless for a similarity hash and keeps the pipeline one-in-one-out.
 */
#include "fp_text.h"

#include "fp_text_casefold_table.h"
#include "fp_text_wordchar_table.h"

/* Digits and lower-case letters map to themselves, upper-case letters fold. */
#define D(c) [c] = c
#define U(c) [c] = (c) + 32
const uint8_t mv__text_ascii[128] = {
    D('0'), D('1'), D('2'), D('3'), D('4'), D('5'), D('6'), D('7'), D('8'), D('9'), D('a'),
    D('b'), D('c'), D('d'), D('e'), D('f'), D('g'), D('h'), D('i'), D('j'), D('k'), D('l'),
    D('m'), D('n'), D('o'), D('p'), D('q'), D('r'), D('s'), D('t'), D('u'), D('v'), D('w'),
    D('x'), D('y'), D('z'), U('A'), U('B'), U('C'), U('D'), U('E'), U('F'), U('G'), U('H'),
    U('I'), U('J'), U('K'), U('L'), U('M'), U('N'), U('O'), U('P'), U('Q'), U('R'), U('S'),
    U('T'), U('U'), U('V'), U('W'), U('X'), U('Y'), U('Z'),
};
#undef D
#undef U

uint32_t mv__text_fold(uint32_t cp)
{
    size_t lo = 0, hi = FP_CASEFOLD_RUNS;

    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        const fp_casefold_run *r = &fp_casefold_table[mid];
        if (cp < r->lo) {
            hi = mid;
        } else if (cp > r->hi) {
            lo = mid + 1;
        } else {
            if ((cp - r->lo) % r->stride != 0)
                return cp;
            return (uint32_t)((int64_t)cp + r->delta);
        }
    }
    return cp;
}

int mv__text_is_word(uint32_t cp)
{
    size_t lo = 0, hi = FP_WORDCHAR_RANGES;

    if (cp < 128)
        return mv__text_ascii[cp] != 0;
    while (lo < hi) {
        const size_t mid = lo + (hi - lo) / 2;
        if (cp < fp_wordchar_table[mid][0])
            hi = mid;
        else if (cp > fp_wordchar_table[mid][1])
            lo = mid + 1;
        else
            return 1;
    }
    return 0;
}
