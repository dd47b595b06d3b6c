/*
 * Private interface of the text fingerprint. The normaliser is a push pipeline of
 * small stages, each fed one code point at a time, so that a text of any size is
 * processed in one pass with a few kilobytes of state and no copy:
 *
 *   bytes -> UTF-8 decoder -> [subtitle line filter] -> [markup filter] -> words
 *         -> token callback (one 64-bit hash per word) -> SimHash accumulator
 *
 * The stages call each other directly rather than through pointers so that the
 * plain-text path (decoder straight into the word builder) stays a tight loop.
 */
#ifndef MV_FP_TEXT_H
#define MV_FP_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"
#include "mediavault/text.h"

/* ---- Unicode properties (fp_text_unicode.c) ---- */

/* For ASCII: 0 for a separator, else the folded character itself. */
extern const uint8_t mv__text_ascii[128];

/* Simple case folding of any code point (identity when there is no mapping). */
uint32_t mv__text_fold(uint32_t cp);

/* Whether a code point is a letter, combining mark or digit. */
int mv__text_is_word(uint32_t cp);

/* ---- Hashing (fp_simhash.c) ---- */

#define MV__FNV_OFFSET 0xcbf29ce484222325ULL
#define MV__FNV_PRIME  0x100000001b3ULL

/* The splitmix64 finaliser (Stafford's Mix13): a bijective 64-bit mixer. */
static inline uint64_t mv__mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---- UTF-8 decoder (fp_text_utf8.c) ---- */

typedef struct mv__utf8 {
    uint32_t cp;  /* code point being assembled */
    uint8_t need; /* continuation bytes still expected */
    uint8_t lo;   /* allowed range of the next continuation byte */
    uint8_t hi;
} mv__utf8;

enum { MV__UTF8_MORE = 0, MV__UTF8_DONE = 1, MV__UTF8_BAD = -1 };

/* Takes one non-initial or non-ASCII byte; MV__UTF8_DONE leaves the code point in *cp. */
int mv__utf8_step(mv__utf8 *d, uint8_t b, uint32_t *cp);

/* ---- Word builder (fp_text_words.c) ---- */

typedef void (*mv__text_token_fn)(void *ctx, uint64_t word_hash);

typedef struct mv__words {
    uint64_t h;   /* FNV-1a state of the current word */
    size_t len;   /* code points in the current word */
    size_t count; /* words emitted */
    mv__text_token_fn fn;
    void *ctx;
} mv__words;

void mv__words_init(mv__words *w, mv__text_token_fn fn, void *ctx);
void mv__words_end(mv__words *w);
void mv__words_put_slow(mv__words *w, uint32_t cp);

static inline void mv__words_put(mv__words *w, uint32_t cp)
{
    if (cp >= 128) {
        mv__words_put_slow(w, cp);
        return;
    }
    const uint8_t c = mv__text_ascii[cp];
    if (c != 0) {
        w->h = (w->h ^ c) * MV__FNV_PRIME;
        w->len++;
    } else if (w->len != 0) {
        mv__words_end(w);
    }
}

/* ---- Markup filter: HTML tags, comments, raw text, entities (fp_text_markup.c) ---- */

#define MV__MARKUP_NAME 16
#define MV__MARKUP_ENT  12

typedef struct mv__markup {
    int state;
    int closing;                  /* the tag being read is an end tag */
    int in_name;                  /* still reading the tag name */
    int digit_tags;               /* '<' + digit opens a tag (WebVTT timestamps) */
    int dashes;                   /* consecutive '-' seen inside a comment */
    size_t name_len;              /* tag name being read, lower-case ASCII */
    char name[MV__MARKUP_NAME];   /* tag name, NUL-terminated */
    char raw[MV__MARKUP_NAME];    /* inside <script>/<style>: its name */
    size_t raw_match;             /* characters of "</raw" matched so far */
    uint32_t quote;               /* quote character of an attribute value */
    size_t ent_len;               /* characters after '&' held back */
    uint32_t ent[MV__MARKUP_ENT]; /* those characters */
    mv__words *next;
} mv__markup;

void mv__markup_init(mv__markup *m, mv__words *next);
void mv__markup_put(mv__markup *m, uint32_t cp);
void mv__markup_finish(mv__markup *m);

/* ---- Subtitle line filter: SRT and WebVTT (fp_text_subtitle.c) ---- */

#define MV__SUB_LINE 512

typedef struct mv__subtitle {
    size_t len;                     /* code points in line[] */
    size_t pending_len;             /* first line of the block, held back */
    size_t block_line;              /* line number inside the current block */
    int passing;                    /* line too long to hold: streaming it as text */
    int skip_block;                 /* inside a WEBVTT/NOTE/STYLE/REGION block */
    int cr;                         /* previous code point was '\r' */
    uint32_t line[MV__SUB_LINE];    /* current line */
    uint32_t pending[MV__SUB_LINE]; /* held first line of the block */
    mv__markup *next;
} mv__subtitle;

void mv__subtitle_init(mv__subtitle *s, mv__markup *next);
void mv__subtitle_put(mv__subtitle *s, uint32_t cp);
void mv__subtitle_finish(mv__subtitle *s);

/* ---- Normaliser driver (fp_text_norm.c) ---- */

typedef struct mv__text_norm {
    mv_text_format fmt;
    uint64_t offset; /* bytes consumed by earlier feeds */
    uint64_t start;  /* offset of the lead byte of the sequence being decoded */
    mv__utf8 utf8;
    mv__words words;
    mv__markup markup;
    mv__subtitle subtitle;
} mv__text_norm;

/* fmt must not be MV_TEXT_AUTO (resolve it with mv_text_detect first). */
void mv__text_norm_init(mv__text_norm *n, mv_text_format fmt, mv__text_token_fn fn, void *ctx);

/* Feeds the next chunk. On MV_EPARSE, *bad_offset is the absolute offset. */
mv_status mv__text_norm_feed(mv__text_norm *n, const uint8_t *data, size_t len, size_t *bad_offset);

/* Ends the text: a truncated UTF-8 sequence is MV_EPARSE; flushes the last word. */
mv_status mv__text_norm_finish(mv__text_norm *n, size_t *bad_offset);

/* ---- SimHash accumulator (fp_simhash.c) ---- */

#define MV__SIMHASH_MAX_K 8

typedef struct mv__simhash {
    size_t k;                         /* words per shingle */
    uint64_t words;                   /* words seen */
    uint64_t votes;                   /* shingles that voted */
    uint64_t ring[MV__SIMHASH_MAX_K]; /* the last k word hashes, oldest first */
    uint64_t lanes[8];                /* byte counters: bit 8j+i counts in byte i of lanes[j] */
    unsigned pending;                 /* votes in lanes[] not yet added to ones[] */
    uint64_t ones[64];                /* per bit: votes with the bit set */
} mv__simhash;

void mv__simhash_init(mv__simhash *s, size_t k);
void mv__simhash_word(void *s, uint64_t word_hash); /* an mv__text_token_fn */
uint64_t mv__simhash_final(mv__simhash *s);

/* The whole computation with a chosen shingle size (tests measure k with it). */
mv_status mv__text_simhash_k(const uint8_t *data, size_t len, mv_text_format fmt, size_t k,
                             uint64_t *hash, size_t *tokens, size_t *bad_offset);

#endif
