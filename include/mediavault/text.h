/**
 * Text fingerprint: a 64-bit SimHash over normalised word shingles.
 *
 * Normalisation: the input must be valid UTF-8; markup is removed according to the
 * format (HTML tags, script/style contents and entities; subtitle cue numbers,
 * timecode lines, WEBVTT header blocks and inline tags); every code point is case
 * folded (Unicode simple folding, CaseFolding.txt status C and S); words are maximal
 * runs of letters, combining marks and digits (General Category L*, M*, N*);
 * everything else separates words. Shingles of MV_TEXT_SHINGLE_WORDS consecutive
 * words are hashed and vote on each of the 64 bits. See docs/internals/simhash.md.
 *
 * Since 0.1.
 */
#ifndef MEDIAVAULT_TEXT_H
#define MEDIAVAULT_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/api.h"
#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Words per shingle. Texts with fewer words vote with the words themselves. */
#define MV_TEXT_SHINGLE_WORDS 3

/**
 * Recommended "same text" threshold: two hashes whose Hamming distance is at most
 * this are near-identical texts (a handful of edited words in a page or more).
 * Unrelated texts sit around 32 bits apart.
 */
#define MV_TEXT_NEAR_DISTANCE 10

/** How the input is marked up. */
typedef enum mv_text_format {
    MV_TEXT_AUTO = 0, /**< guess from the first bytes (mv_text_detect) */
    MV_TEXT_PLAIN,    /**< plain text */
    MV_TEXT_HTML,     /**< HTML or XML: tags, comments, script/style and entities */
    MV_TEXT_SRT,      /**< SubRip subtitles */
    MV_TEXT_VTT       /**< WebVTT subtitles */
} mv_text_format;

/**
 * Computes the SimHash of a text.
 * Params: data/len the text (data may be NULL when len is 0); fmt its format;
 *         hash receives the fingerprint; tokens (optional) the number of words;
 *         bad_offset (optional) receives the byte offset of the first byte of the
 *         ill-formed sequence when the input is not valid UTF-8.
 * Returns: MV_OK. An empty text (no words) gives hash 0 and tokens 0.
 * Errors: MV_EINVAL for a NULL hash, NULL data with len > 0 or an unknown format;
 *         MV_EPARSE for invalid UTF-8 (overlong forms, surrogates, code points above
 *         U+10FFFF, stray or missing continuation bytes), with *bad_offset set.
 * Ownership: borrows data for the duration of the call; allocates nothing.
 */
MV_API mv_status mv_text_simhash(const uint8_t *data, size_t len, mv_text_format fmt,
                                 uint64_t *hash, size_t *tokens, size_t *bad_offset);

/**
 * Guesses the format of a text from its first kilobytes: WEBVTT header -> VTT,
 * a cue number or timecode line first -> SRT, an HTML document start -> HTML,
 * anything else -> PLAIN.
 * Returns: never MV_TEXT_AUTO.
 */
MV_API mv_text_format mv_text_detect(const uint8_t *data, size_t len);

/** Hamming distance between two text fingerprints (0 to 64). */
MV_API unsigned mv_text_distance(uint64_t a, uint64_t b);

#ifdef __cplusplus
}
#endif

#endif
