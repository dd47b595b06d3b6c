/*
 * Unit tests of the text fingerprint (SimHash over normalised word shingles):
 * normalisation of each format, strict UTF-8, the near/far distance contract on
 * generated texts, streaming equivalence, and two measurements that print their
 * figures (distance by shingle size, throughput on 50 MB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fingerprint/fp_text.h"
#include "mediavault/fingerprint.h"
#include "mediavault/text.h"

/* ---- generated texts ---- */

typedef struct gen {
    uint64_t s;
} gen;

static uint64_t rnd(gen *g)
{
    g->s += 0x9e3779b97f4a7c15ULL;
    return mv__mix64(g->s);
}

enum { VOCAB = 5000, WORD_MAX = 16 };

/* A pseudo-word made of 1-4 syllables, the same for the same index. */
static size_t vocab_word(size_t idx, char *out)
{
    static const char *syl[] = { "ka", "lo",  "mi", "tre", "su",  "ven", "dor", "pa",
                                 "ri", "the", "an", "gu",  "sel", "mo",  "ni",  "qua" };
    gen g = { idx * 7919 + 1 };
    const size_t n = 1 + rnd(&g) % 4;
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *s = syl[rnd(&g) % 16];
        const size_t l = strlen(s);
        memcpy(out + len, s, l);
        len += l;
    }
    return len;
}

/* Skewed toward small indexes, like word frequencies in real text. */
static size_t pick(gen *g)
{
    return (size_t)(rnd(g) % (1 + rnd(g) % VOCAB));
}

typedef struct text {
    size_t words;
    size_t *idx;
    char *buf;
    size_t len;
} text;

static void text_make(text *t, size_t words, uint64_t seed)
{
    gen g = { seed };
    t->words = words;
    t->idx = malloc(words * sizeof(size_t));
    t->buf = malloc(words * (WORD_MAX + 2) + 1);
    assert_non_null(t->idx);
    assert_non_null(t->buf);
    for (size_t i = 0; i < words; i++)
        t->idx[i] = pick(&g);
}

/* Renders the words, with punctuation and line breaks from the seed. */
static void text_render(text *t, uint64_t seed)
{
    gen g = { seed };
    t->len = 0;
    for (size_t i = 0; i < t->words; i++) {
        t->len += vocab_word(t->idx[i], t->buf + t->len);
        const uint64_t r = rnd(&g) % 16;
        t->buf[t->len++] = r == 0 ? ',' : (r == 1 ? '.' : ' ');
        if (r <= 1)
            t->buf[t->len++] = r == 1 ? '\n' : ' ';
    }
    t->buf[t->len] = '\0';
}

static void text_edit(text *t, size_t edits, uint64_t seed)
{
    gen g = { seed };
    for (size_t e = 0; e < edits; e++) {
        const size_t at = rnd(&g) % t->words;
        t->idx[at] = VOCAB + rnd(&g) % VOCAB; // a word not in the vocabulary's range
    }
}

static void text_free(text *t)
{
    free(t->idx);
    free(t->buf);
}

static uint64_t hash_k(const char *s, size_t len, mv_text_format fmt, size_t k, size_t *tokens)
{
    uint64_t h = 0;
    size_t bad = 0;
    assert_int_equal(mv__text_simhash_k((const uint8_t *)s, len, fmt, k, &h, tokens, &bad), MV_OK);
    return h;
}

static uint64_t hash_str(const char *s, mv_text_format fmt, size_t *tokens)
{
    return hash_k(s, strlen(s), fmt, MV_TEXT_SHINGLE_WORDS, tokens);
}

/* Distance between a seeded text and its copy with `edits` words replaced. */
static unsigned edited_distance(uint64_t seed, size_t words, size_t edits, size_t k)
{
    text t;
    text_make(&t, words, seed);
    text_render(&t, seed);
    const uint64_t a = hash_k(t.buf, t.len, MV_TEXT_PLAIN, k, NULL);
    text_edit(&t, edits, seed ^ 0x5555);
    text_render(&t, seed);
    const uint64_t b = hash_k(t.buf, t.len, MV_TEXT_PLAIN, k, NULL);
    text_free(&t);
    return mv_text_distance(a, b);
}

static unsigned unrelated_distance(uint64_t seed, size_t words, size_t k)
{
    text t, u;
    text_make(&t, words, seed);
    text_render(&t, seed);
    text_make(&u, words, seed + 1000003);
    text_render(&u, seed + 1000003);
    const unsigned d = mv_text_distance(hash_k(t.buf, t.len, MV_TEXT_PLAIN, k, NULL),
                                        hash_k(u.buf, u.len, MV_TEXT_PLAIN, k, NULL));
    text_free(&t);
    text_free(&u);
    return d;
}

/* ---- cases ---- */

enum { SEEDS = 50, DOC_WORDS = 2000 };

static void identical_same_hash(void **state)
{
    (void)state;
    text t;
    size_t tokens = 0;
    text_make(&t, DOC_WORDS, 42);
    text_render(&t, 42);
    const uint64_t a = hash_k(t.buf, t.len, MV_TEXT_PLAIN, 3, &tokens);
    assert_int_equal(tokens, DOC_WORDS);
    assert_true(a != 0);
    assert_true(hash_k(t.buf, t.len, MV_TEXT_PLAIN, 3, NULL) == a);
    uint64_t b = 0;
    assert_int_equal(mv_text_simhash((const uint8_t *)t.buf, t.len, MV_TEXT_AUTO, &b, NULL, NULL),
                     MV_OK);
    assert_true(a == b);
    text_free(&t);
}

static void few_edits_near(void **state)
{
    (void)state;
    unsigned worst = 0, sum = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        const unsigned d = edited_distance(seed, DOC_WORDS, 3, MV_TEXT_SHINGLE_WORDS);
        worst = d > worst ? d : worst;
        sum += d;
    }
    printf("3 edits in %d words, %d texts: mean %.2f bits, max %u\n", DOC_WORDS, SEEDS,
           (double)sum / SEEDS, worst);
    assert_true(worst <= 8);
    assert_true(worst <= MV_TEXT_NEAR_DISTANCE);
}

static void unrelated_far(void **state)
{
    (void)state;
    unsigned best = 64;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        const unsigned d = unrelated_distance(seed, DOC_WORDS, MV_TEXT_SHINGLE_WORDS);
        best = d < best ? d : best;
    }
    printf("unrelated %d-word texts: min distance %u\n", DOC_WORDS, best);
    assert_true(best >= 20);
}

static void case_and_punctuation_same(void **state)
{
    (void)state;
    const uint64_t a = hash_str("the quick brown fox jumps over the lazy dog", MV_TEXT_PLAIN, NULL);
    assert_true(hash_str("The QUICK, brown fox -- jumps over... the lazy dog!!!", MV_TEXT_PLAIN,
                         NULL) == a);
    assert_true(hash_str("  the\tquick\r\n\r\nbrown \"fox\" (jumps) over; the lazy dog. ",
                         MV_TEXT_PLAIN, NULL) == a);
    assert_true(hash_str("the quick brown fox jumps over the lazy cat", MV_TEXT_PLAIN, NULL) != a);
}

static void unicode_folding(void **state)
{
    (void)state;
    size_t n = 0;
    const uint64_t a = hash_str("\xc3\x89"
                                "COLE \xce\xa9"
                                "MEGA \xd0\x9c\xd0\x98\xd0\xa0 x", // ÉCOLE ΩMEGA МИР
                                MV_TEXT_PLAIN, &n);
    assert_int_equal(n, 4);
    assert_true(hash_str("\xc3\xa9"
                         "cole \xcf\x89"
                         "mega \xd0\xbc\xd0\xb8\xd1\x80 X",
                         MV_TEXT_PLAIN, NULL) == a);
    /* U+00A0 and U+2014 separate; a combining acute accent stays inside the word. */
    assert_true(hash_str("a\xc2\xa0"
                         "b\xe2\x80\x94"
                         "c",
                         MV_TEXT_PLAIN, &n) == hash_str("a b c", MV_TEXT_PLAIN, NULL));
    assert_int_equal(n, 3);
    hash_str("cafe\xcc\x81 noir", MV_TEXT_PLAIN, &n);
    assert_int_equal(n, 2);
    assert_int_equal(mv__text_fold(0x1E9E), 0xDF);     // capital sharp s (status S)
    assert_int_equal(mv__text_fold(0x10400), 0x10428); // Deseret
    assert_int_equal(mv__text_fold(0x0101), 0x0101);   // already lower: not in a stride-2 run
    assert_true(mv__text_is_word(0x4E2D));             // CJK ideograph
    assert_false(mv__text_is_word(0x3000));            // ideographic space
}

static void html_matches_plain(void **state)
{
    (void)state;
    const char *plain = "Caf\xc3\xa9 & bar: the <best> place, 100% \"real\" coffee.";
    const char *html =
        "<!DOCTYPE html><html><head><title>Caf&eacute;</title>"
        "<style>body { color: red; } p > a {}</style>"
        "<script type=\"text/javascript\">if (a < b && c > d) { alert('x'); }</script>"
        "</head><body><!-- a comment with <tags> -- inside -->"
        "<p class=\"x>y\">&amp; bar: the &lt;best&gt;&nbsp;place, 100&#37; &quot;real&quot; "
        "<b>coffee</b>.</p></body></html>";
    size_t n1 = 0, n2 = 0;
    const uint64_t a = hash_str(plain, MV_TEXT_PLAIN, &n1);
    assert_true(hash_str(html, MV_TEXT_HTML, &n2) == a);
    assert_int_equal(n1, n2);
    assert_true(hash_str(html, MV_TEXT_AUTO, NULL) == a);
    /* Numeric references, unknown and unterminated ones. */
    assert_true(hash_str("&#72;&#x49; AT&T &bogus; x &", MV_TEXT_HTML, &n1) ==
                hash_str("HI AT T bogus x", MV_TEXT_PLAIN, NULL));
    assert_int_equal(n1, 5);
    assert_true(hash_str("a &#0; b &#xD800; c &#99999999; d", MV_TEXT_HTML, &n1) ==
                hash_str("a b c d", MV_TEXT_PLAIN, NULL));
    assert_true(hash_str("1 < 2 and <3", MV_TEXT_HTML, NULL) ==
                hash_str("1 2 and 3", MV_TEXT_PLAIN, NULL));
}

static void html_near_plain_generated(void **state)
{
    (void)state;
    text t;
    text_make(&t, DOC_WORDS, 7);
    text_render(&t, 7);
    const uint64_t a = hash_k(t.buf, t.len, MV_TEXT_PLAIN, 3, NULL);
    char *html = malloc(t.len * 2 + 200);
    assert_non_null(html);
    size_t n = 0;
    n += (size_t)snprintf(html, 100, "<html><body><p>");
    for (size_t i = 0; i < t.len; i++) {
        if (t.buf[i] == '\n') {
            memcpy(html + n, "</p><p>", 7);
            n += 7;
        } else {
            html[n++] = t.buf[i];
        }
    }
    n += (size_t)snprintf(html + n, 100, "</p></body></html>");
    assert_true(hash_k(html, n, MV_TEXT_HTML, 3, NULL) == a);
    free(html);
    text_free(&t);
}

static const char srt[] = "1\r\n"
                          "00:00:01,000 --> 00:00:04,000\r\n"
                          "<i>Hello there,</i> General Kenobi!\r\n"
                          "\r\n"
                          "2\r\n"
                          "00:00:05,000 --> 00:00:07,500\r\n"
                          "- You are a bold one.\r\n"
                          "- 42 is the answer\r\n"
                          "\r\n"
                          "3\r\n"
                          "00:01:00,000 --> 00:01:02,000 X1:10 X2:20\r\n"
                          "<font color=\"#ff0000\">Back away.</font>\r\n";

static const char dialogue[] =
    "Hello there, General Kenobi! You are a bold one. 42 is the answer. Back away.";

static void srt_matches_plain(void **state)
{
    (void)state;
    size_t n1 = 0, n2 = 0;
    const uint64_t a = hash_str(dialogue, MV_TEXT_PLAIN, &n1);
    assert_true(hash_str(srt, MV_TEXT_SRT, &n2) == a);
    assert_int_equal(n1, n2);
    assert_true(hash_str(srt, MV_TEXT_AUTO, NULL) == a);
}

static void vtt_matches_plain(void **state)
{
    (void)state;
    const char *vtt = "\xef\xbb\xbfWEBVTT - some title\n"
                      "Kind: captions\n"
                      "\n"
                      "NOTE this is a comment\n"
                      "spanning two lines\n"
                      "\n"
                      "STYLE\n"
                      "::cue { color: lime }\n"
                      "\n"
                      "intro-cue\n"
                      "00:01.000 --> 00:04.000 position:10% align:start\n"
                      "<v Obi-Wan>Hello there,</v> <c.yellow>General</c> Kenobi!\n"
                      "\n"
                      "00:00:05.000 --> 00:00:07.500\n"
                      "You are a <00:00:06.000>bold one.\n"
                      "42 is the answer\n"
                      "\n"
                      "3\n"
                      "00:01:00.000 --> 00:01:02.000\n"
                      "Back &amp; away.\n";
    size_t n = 0;
    assert_true(hash_str(vtt, MV_TEXT_VTT, &n) ==
                hash_str("Hello there, General Kenobi! You are a bold one. 42 is the answer. "
                         "Back away.",
                         MV_TEXT_PLAIN, NULL));
    assert_int_equal(n, 15);
    assert_int_equal(mv_text_detect((const uint8_t *)vtt, strlen(vtt)), MV_TEXT_VTT);
}

static void subtitle_long_line(void **state)
{
    (void)state;
    /* A dialogue line longer than the line buffer streams through unchanged. */
    const size_t words = 1000;
    char *s = malloc(words * 4 + 100);
    assert_non_null(s);
    size_t n = (size_t)snprintf(s, 100, "1\n00:00:01,000 --> 00:00:02,000\n");
    const size_t start = n;
    for (size_t i = 0; i < words; i++)
        n += (size_t)snprintf(s + n, 8, "w%zu ", i % 100);
    size_t t1 = 0, t2 = 0;
    assert_true(hash_k(s, n, MV_TEXT_SRT, 3, &t1) ==
                hash_k(s + start, n - start, MV_TEXT_PLAIN, 3, &t2));
    assert_int_equal(t1, words);
    assert_int_equal(t2, words);
    free(s);
}

static void expect_bad(const char *s, size_t len, size_t offset)
{
    uint64_t h = 77;
    size_t bad = 999;
    for (int fmt = MV_TEXT_AUTO; fmt <= MV_TEXT_VTT; fmt++) {
        bad = 999;
        assert_int_equal(
            mv_text_simhash((const uint8_t *)s, len, (mv_text_format)fmt, &h, NULL, &bad),
            MV_EPARSE);
        assert_int_equal(bad, offset);
    }
    assert_true(h == 77); // untouched on error
}

static void invalid_utf8_offset(void **state)
{
    (void)state;
    expect_bad("hello w\xc3\xb6rld \xff tail", 15, 13);
    expect_bad("abc\x80", 4, 3);      // stray continuation byte
    expect_bad("abc\xc3(", 5, 3);     // missing continuation
    expect_bad("abc \xe2\x82", 6, 4); // truncated at the end
    expect_bad("\xf0\x9f\x98\x80 ok \xe2\x28\xa1", 11, 8);
    expect_bad("<p>x</p>\xfe", 9, 8);
    expect_bad("x\xf5\x80\x80\x80", 5, 1); // lead byte beyond U+13FFFF
}

static void overlong_and_surrogates_rejected(void **state)
{
    (void)state;
    expect_bad("a\xc0\xaf", 3, 1);           // overlong '/'
    expect_bad("a\xc1\xbf", 3, 1);           // overlong U+007F
    expect_bad("ab\xe0\x80\xaf", 5, 2);      // overlong 3-byte
    expect_bad("ab\xe0\x9f\xbf", 5, 2);      // overlong U+07FF
    expect_bad("ab\xf0\x80\x80\xaf", 6, 2);  // overlong 4-byte
    expect_bad("ab\xf0\x8f\xbf\xbf", 6, 2);  // overlong U+FFFF
    expect_bad("abc\xed\xa0\x80", 6, 3);     // U+D800
    expect_bad("abc\xed\xbf\xbf", 6, 3);     // U+DFFF
    expect_bad("abc\xf4\x90\x80\x80", 7, 3); // U+110000
    uint64_t h;
    const char *ok = "\xed\x9f\xbf \xee\x80\x80 \xf4\x8f\xbf\xbf \xe0\xa0\x80 \xf0\x90\x80\x80";
    assert_int_equal(
        mv_text_simhash((const uint8_t *)ok, strlen(ok), MV_TEXT_PLAIN, &h, NULL, NULL), MV_OK);
}

static void empty_text(void **state)
{
    (void)state;
    uint64_t h = 1;
    size_t n = 1;
    assert_int_equal(mv_text_simhash(NULL, 0, MV_TEXT_AUTO, &h, &n, NULL), MV_OK);
    assert_true(h == 0);
    assert_int_equal(n, 0);
    h = 1;
    assert_true(hash_str(" ,.;!? \n\t -- ", MV_TEXT_PLAIN, &n) == 0);
    assert_int_equal(n, 0);
    assert_true(hash_str("<p> </p><script>words here</script>", MV_TEXT_HTML, &n) == 0);
    assert_int_equal(n, 0);
    assert_true(hash_str("WEBVTT\n\n00:01.000 --> 00:02.000\n\n", MV_TEXT_VTT, &n) == 0);
    assert_int_equal(n, 0);
}

static void short_texts(void **state)
{
    (void)state;
    size_t n = 0;
    const uint64_t one = hash_str("hello", MV_TEXT_PLAIN, &n);
    assert_int_equal(n, 1);
    assert_true(one != 0);
    const uint64_t two = hash_str("hello world", MV_TEXT_PLAIN, &n);
    assert_int_equal(n, 2);
    assert_true(two != one);
    assert_true(hash_str("HELLO, World!", MV_TEXT_PLAIN, NULL) == two);
    assert_true(hash_str("hello world again", MV_TEXT_PLAIN, &n) != two);
    assert_int_equal(n, 3);
}

static void long_line_10mb(void **state)
{
    (void)state;
    const size_t len = 10u << 20;
    char *s = malloc(len);
    assert_non_null(s);
    for (size_t i = 0; i < len; i++)
        s[i] = (char)('a' + i % 26);
    size_t n = 0;
    const uint64_t a = hash_k(s, len, MV_TEXT_PLAIN, 3, &n);
    assert_int_equal(n, 1);
    assert_true(a != 0);
    assert_true(hash_k(s, len, MV_TEXT_HTML, 3, &n) == a);
    assert_true(hash_k(s, len, MV_TEXT_SRT, 3, &n) == a);
    /* The same line made of words. */
    for (size_t i = 7; i < len; i += 8)
        s[i] = ' ';
    hash_k(s, len, MV_TEXT_VTT, 3, &n);
    assert_int_equal(n, len / 8);
    free(s);
}

/* Feeding any split of the input gives the one-shot result, errors included. */
static mv_status chunked(const char *s, size_t len, mv_text_format fmt, size_t step, uint64_t *h,
                         size_t *bad)
{
    mv__simhash acc;
    mv__text_norm norm;
    mv__simhash_init(&acc, MV_TEXT_SHINGLE_WORDS);
    mv__text_norm_init(&norm, fmt, mv__simhash_word, &acc);
    for (size_t i = 0; i < len; i += step) {
        const size_t n = len - i < step ? len - i : step;
        const mv_status st = mv__text_norm_feed(&norm, (const uint8_t *)s + i, n, bad);
        if (st != MV_OK)
            return st;
    }
    const mv_status st = mv__text_norm_finish(&norm, bad);
    *h = mv__simhash_final(&acc);
    return st;
}

static void streaming_matches_one_shot(void **state)
{
    (void)state;
    const char *html = "<p>Gr\xc3\xbc\xc3\x9f"
                       "e &amp; \xf0\x9f\x98\x80 caf&eacute;</p>"
                       "<script>x</script> done";
    const struct {
        const char *s;
        mv_text_format fmt;
    } in[] = { { html, MV_TEXT_HTML }, { srt, MV_TEXT_SRT }, { dialogue, MV_TEXT_PLAIN } };
    for (size_t c = 0; c < sizeof(in) / sizeof(in[0]); c++) {
        const uint64_t want = hash_str(in[c].s, in[c].fmt, NULL);
        for (size_t step = 1; step <= 7; step++) {
            uint64_t h = 0;
            size_t bad = 0;
            assert_int_equal(chunked(in[c].s, strlen(in[c].s), in[c].fmt, step, &h, &bad), MV_OK);
            assert_true(h == want);
        }
    }
    const char *broken = "ok \xe2\x82\xac then \xe2\x82 x";
    for (size_t step = 1; step <= 5; step++) {
        uint64_t h;
        size_t bad = 0;
        assert_int_equal(chunked(broken, strlen(broken), MV_TEXT_PLAIN, step, &h, &bad), MV_EPARSE);
        assert_int_equal(bad, 12);
    }
}

static void detect_formats(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        mv_text_format want;
    } cases[] = {
        { "WEBVTT\n\n", MV_TEXT_VTT },
        { "\xef\xbb\xbf\nWEBVTT", MV_TEXT_VTT },
        { "1\n00:00:01,000 --> 00:00:02,000\nhi\n", MV_TEXT_SRT },
        { "\r\n12\r\n00:00:01,000 --> 00:00:02,000\r\n", MV_TEXT_SRT },
        { "  <!DOCTYPE html><p>x", MV_TEXT_HTML },
        { "<html>", MV_TEXT_HTML },
        { "<?xml version=\"1.0\"?>", MV_TEXT_HTML },
        { "1 < 2", MV_TEXT_PLAIN },
        { "<3 you", MV_TEXT_PLAIN },
        { "12\nnot a timecode", MV_TEXT_PLAIN },
        { "", MV_TEXT_PLAIN },
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        assert_int_equal(mv_text_detect((const uint8_t *)cases[i].s, strlen(cases[i].s)),
                         cases[i].want);
    assert_int_equal(mv_text_detect(NULL, 0), MV_TEXT_PLAIN);
}

static void args_checked(void **state)
{
    (void)state;
    uint64_t h;
    assert_int_equal(mv_text_simhash((const uint8_t *)"x", 1, MV_TEXT_PLAIN, NULL, NULL, NULL),
                     MV_EINVAL);
    assert_int_equal(mv_text_simhash(NULL, 1, MV_TEXT_PLAIN, &h, NULL, NULL), MV_EINVAL);
    assert_int_equal(mv_text_simhash((const uint8_t *)"x", 1, (mv_text_format)99, &h, NULL, NULL),
                     MV_EINVAL);
    assert_int_equal(mv__text_simhash_k((const uint8_t *)"x", 1, MV_TEXT_PLAIN, 0, &h, NULL, NULL),
                     MV_EINVAL);
    assert_int_equal(mv_text_distance(0, ~0ULL), 64);
    assert_int_equal(mv_text_distance(0xF0, 0x0F), 8);
}

/* Prints mean/max distance for edits and the unrelated minimum, for k = 1..5. */
static void shingle_size_table(void **state)
{
    (void)state;
    printf("k  edits  mean   max | unrelated min  mean\n");
    for (size_t k = 1; k <= 5; k++) {
        for (size_t edits = 1; edits <= 10; edits = edits == 1 ? 3 : edits + 7) {
            unsigned worst = 0, sum = 0, umin = 64, usum = 0;
            for (uint64_t seed = 1; seed <= SEEDS; seed++) {
                const unsigned d = edited_distance(seed, DOC_WORDS, edits, k);
                const unsigned u = unrelated_distance(seed, DOC_WORDS, k);
                worst = d > worst ? d : worst;
                umin = u < umin ? u : umin;
                sum += d;
                usum += u;
            }
            printf("%zu  %5zu  %5.2f  %3u | %13u  %5.2f\n", k, edits, (double)sum / SEEDS, worst,
                   umin, (double)usum / SEEDS);
        }
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void throughput_50mb(void **state)
{
    (void)state;
    const size_t target = 50u << 20;
    text t;
    text_make(&t, target / 7, 99);
    text_render(&t, 99);
    /* Make it a little international: every 64th word gets an accented letter. */
    for (size_t i = 64; i + 1 < t.len; i += 64) {
        if (t.buf[i] >= 'a' && t.buf[i] <= 'z' && t.buf[i + 1] >= 'a' && t.buf[i + 1] <= 'z') {
            t.buf[i] = (char)0xC3;
            t.buf[i + 1] = (char)0xA9;
        }
    }
    static const mv_text_format fmts[] = { MV_TEXT_PLAIN, MV_TEXT_HTML };
    for (size_t f = 0; f < 2; f++) {
        double best = 1e9;
        uint64_t h = 0;
        for (int rep = 0; rep < 3; rep++) {
            const double t0 = now();
            h ^= hash_k(t.buf, t.len, fmts[f], 3, NULL);
            const double dt = now() - t0;
            best = dt < best ? dt : best;
        }
        const double mbs = (double)t.len / (1 << 20) / best;
        printf("%s: %.1f MiB in %.3f s: %.1f MiB/s (one core) [%016llx]\n",
               f == 0 ? "plain" : "html", (double)t.len / (1 << 20), best, mbs,
               (unsigned long long)h);
        const char *min = getenv("MV_TEXT_MIN_MBPS");
        if (min != NULL)
            assert_true(mbs >= strtod(min, NULL));
    }
    text_free(&t);
}

/*
 * mv_fp_mem() gives what mv_fp_file() gives for a file of the same bytes, and a
 * result stored with mv_fp_store() (from an mv_fp without a catalog, as the
 * scanner does) is found by mv_fp_cached() and by mv_fp_file() as a cache hit.
 */
static void fp_mem_cache_split(void **state)
{
    static const char words[] = "Several words of text, fingerprinted from memory and from a "
                                "file, which must agree on every value they report.\n";
    char dir[] = "/tmp/mv-fpmem.XXXXXX", path[64], db[64];
    mv_fp *work = NULL, *cache = NULL;
    mv_catalog *cat = NULL;
    mv_fp_result a, b, c;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/t.txt", dir);
    snprintf(db, sizeof(db), "%s/c.db", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(words, 1, sizeof(words) - 1, f), sizeof(words) - 1);
    fclose(f);
    assert_int_equal(mv_fp_new(&work), MV_OK);
    assert_int_equal(mv_fp_new(&cache), MV_OK);
    assert_int_equal(mv_catalog_open(db, &cat), MV_OK);
    mv_fp_set_catalog(cache, cat);

    assert_int_equal(mv_fp_mem(work, (const uint8_t *)words, sizeof(words) - 1, &a), MV_OK);
    assert_int_equal(mv_fp_file(work, path, &b), MV_OK);
    assert_int_equal(a.type, MV_FP_TEXT);
    assert_true(a.simhash == b.simhash && a.tokens == b.tokens && a.size == b.size);
    assert_memory_equal(a.md5, b.md5, MV_MD5_LEN);
    assert_int_equal(mv_fp_mem(work, NULL, 0, &c), MV_ECORRUPT);
    assert_int_equal(mv_fp_mem(work, NULL, 1, &c), MV_EINVAL);

    assert_int_equal(mv_fp_cached(cache, MV_FP_TEXT, a.md5, a.size, &c), MV_ENOENT);
    assert_int_equal(mv_fp_cached(cache, MV_FP_AUTO, a.md5, a.size, &c), MV_EINVAL);
    assert_int_equal(mv_fp_store(cache, &a), MV_OK);
    assert_int_equal(mv_fp_cached(cache, MV_FP_IMAGE, a.md5, a.size, &c), MV_ENOENT);
    assert_int_equal(mv_fp_cached(cache, MV_FP_TEXT, a.md5, a.size, &c), MV_OK);
    assert_true(c.cached && c.simhash == a.simhash && c.tokens == a.tokens);
    assert_int_equal(mv_fp_file(cache, path, &c), MV_OK);
    assert_true(c.cached && c.simhash == a.simhash && c.tokens == a.tokens);

    mv_fp_free(work);
    mv_fp_free(cache);
    mv_catalog_close(cat);
    remove(path);
    remove(db);
    snprintf(path, sizeof(path), "%s/c.db-wal", dir);
    remove(path);
    snprintf(path, sizeof(path), "%s/c.db-shm", dir);
    remove(path);
    rmdir(dir);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(identical_same_hash),
        cmocka_unit_test(few_edits_near),
        cmocka_unit_test(unrelated_far),
        cmocka_unit_test(case_and_punctuation_same),
        cmocka_unit_test(unicode_folding),
        cmocka_unit_test(html_matches_plain),
        cmocka_unit_test(html_near_plain_generated),
        cmocka_unit_test(srt_matches_plain),
        cmocka_unit_test(vtt_matches_plain),
        cmocka_unit_test(subtitle_long_line),
        cmocka_unit_test(invalid_utf8_offset),
        cmocka_unit_test(overlong_and_surrogates_rejected),
        cmocka_unit_test(empty_text),
        cmocka_unit_test(short_texts),
        cmocka_unit_test(long_line_10mb),
        cmocka_unit_test(streaming_matches_one_shot),
        cmocka_unit_test(detect_formats),
        cmocka_unit_test(args_checked),
        cmocka_unit_test(shingle_size_table),
        cmocka_unit_test(throughput_50mb),
        cmocka_unit_test(fp_mem_cache_split),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
