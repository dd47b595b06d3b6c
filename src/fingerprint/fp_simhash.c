/*
 * SimHash of a text (Charikar's similarity hash): every shingle of k consecutive
 * words hashes to 64 bits, each bit of the shingle hash votes, and bit b of the
 * fingerprint is set when more than half of the shingles had bit b set. Texts
 * that share most of their shingles therefore agree on most bits, and the
 * Hamming distance between two fingerprints estimates how different they are.
 *
 * A shingle hash chains the splitmix64 mixer over its word hashes, oldest first
 * (h = mix(h ^ w) from a fixed seed), so the same words in another order give an
 * unrelated shingle. k = MV_TEXT_SHINGLE_WORDS (3) was chosen by measurement; see
 * docs/internals/simhash.md. A text with fewer than k words votes with its words.
 * A text without words hashes to 0 with 0 tokens.
 *
 * The accumulator keeps only the last k word hashes and 64 counters, so it never
 * allocates and its cost does not depend on the size of the text.
 */
#include <string.h>

#include "fp_text.h"

static const uint64_t shingle_seed = 0x9e3779b97f4a7c15ULL;

void mv__simhash_init(mv__simhash *s, size_t k)
{
    memset(s, 0, sizeof(*s));
    s->k = k;
}

/* Spreads the 8 bits of a byte over the 8 bytes of a word (bit i -> byte i). */
#define SPREAD(b)                                                                                  \
    (((b)&1ULL) | ((b) >> 1 & 1ULL) << 8 | ((b) >> 2 & 1ULL) << 16 | ((b) >> 3 & 1ULL) << 24 |     \
     ((b) >> 4 & 1ULL) << 32 | ((b) >> 5 & 1ULL) << 40 | ((b) >> 6 & 1ULL) << 48 |                 \
     ((b) >> 7 & 1ULL) << 56),
#define SPREAD4(b)  SPREAD(b) SPREAD((b) + 1) SPREAD((b) + 2) SPREAD((b) + 3)
#define SPREAD16(b) SPREAD4(b) SPREAD4((b) + 4) SPREAD4((b) + 8) SPREAD4((b) + 12)
#define SPREAD64(b) SPREAD16(b) SPREAD16((b) + 16) SPREAD16((b) + 32) SPREAD16((b) + 48)
static const uint64_t spread[256] = { SPREAD64(0) SPREAD64(64) SPREAD64(128) SPREAD64(192) };

/* Byte counters hold up to 255 votes; then they are added to the wide ones. */
static const unsigned lane_max = 255;

static void flush_lanes(mv__simhash *s)
{
    for (unsigned j = 0; j < 8; j++) {
        for (unsigned i = 0; i < 8; i++)
            s->ones[8 * j + i] += (s->lanes[j] >> (8 * i)) & 0xFFu;
        s->lanes[j] = 0;
    }
    s->pending = 0;
}

/* Counts the set bits of a shingle hash: eight table adds instead of 64. */
static void vote(mv__simhash *s, uint64_t h)
{
    for (unsigned j = 0; j < 8; j++)
        s->lanes[j] += spread[(h >> (8 * j)) & 0xFFu];
    s->votes++;
    if (++s->pending == lane_max)
        flush_lanes(s);
}

void mv__simhash_word(void *ctx, uint64_t word_hash)
{
    mv__simhash *s = ctx;
    const size_t k = s->k;

    memmove(s->ring, s->ring + 1, (k - 1) * sizeof(s->ring[0]));
    s->ring[k - 1] = word_hash;
    s->words++;
    if (s->words < k)
        return;
    uint64_t h = shingle_seed;
    for (size_t i = 0; i < k; i++)
        h = mv__mix64(h ^ s->ring[i]);
    vote(s, h);
}

uint64_t mv__simhash_final(mv__simhash *s)
{
    uint64_t hash = 0;

    if (s->words < s->k) { // fewer than k words: each word votes
        for (size_t i = s->k - (size_t)s->words; i < s->k; i++)
            vote(s, mv__mix64(shingle_seed ^ s->ring[i]));
    }
    flush_lanes(s);
    for (unsigned b = 0; b < 64; b++) {
        if (s->ones[b] * 2 > s->votes)
            hash |= 1ULL << b;
    }
    return hash;
}

mv_status mv__text_simhash_k(const uint8_t *data, size_t len, mv_text_format fmt, size_t k,
                             uint64_t *hash, size_t *tokens, size_t *bad_offset)
{
    mv__simhash acc;
    mv__text_norm norm;
    size_t bad = 0;

    if (hash == NULL || (data == NULL && len > 0) || k == 0 || k > MV__SIMHASH_MAX_K ||
        (unsigned)fmt > (unsigned)MV_TEXT_VTT)
        return MV_EINVAL;
    if (fmt == MV_TEXT_AUTO)
        fmt = mv_text_detect(data, len);
    mv__simhash_init(&acc, k);
    mv__text_norm_init(&norm, fmt, mv__simhash_word, &acc);
    mv_status st = len > 0 ? mv__text_norm_feed(&norm, data, len, &bad) : MV_OK;
    if (st == MV_OK)
        st = mv__text_norm_finish(&norm, &bad);
    if (st != MV_OK) {
        if (bad_offset != NULL)
            *bad_offset = bad;
        return st;
    }
    *hash = mv__simhash_final(&acc);
    if (tokens != NULL)
        *tokens = norm.words.count;
    return MV_OK;
}

mv_status mv_text_simhash(const uint8_t *data, size_t len, mv_text_format fmt, uint64_t *hash,
                          size_t *tokens, size_t *bad_offset)
{
    return mv__text_simhash_k(data, len, fmt, MV_TEXT_SHINGLE_WORDS, hash, tokens, bad_offset);
}

unsigned mv_text_distance(uint64_t a, uint64_t b)
{
    return (unsigned)__builtin_popcountll(a ^ b);
}
