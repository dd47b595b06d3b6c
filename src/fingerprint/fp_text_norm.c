/*
 * Normaliser driver of the text fingerprint: validates and decodes UTF-8 and
 * routes each code point into the stage chain for the format (plain text goes
 * straight to the word builder; HTML through the markup filter; subtitles through
 * the line filter first). It keeps the absolute offset of each sequence's lead
 * byte so that invalid UTF-8 is reported where it starts, even across chunks.
 *
 * Plain text has its own loop in which ASCII bytes go to the inlined word
 * builder without a call; that loop is what sets the throughput.
 */
#include <string.h>

#include "fp_text.h"

void mv__text_norm_init(mv__text_norm *n, mv_text_format fmt, mv__text_token_fn fn, void *ctx)
{
    memset(n, 0, sizeof(*n));
    n->fmt = fmt;
    mv__words_init(&n->words, fn, ctx);
    mv__markup_init(&n->markup, &n->words);
    n->markup.digit_tags = fmt == MV_TEXT_SRT || fmt == MV_TEXT_VTT;
    mv__subtitle_init(&n->subtitle, &n->markup);
}

static void put(mv__text_norm *n, uint32_t cp)
{
    if (n->fmt == MV_TEXT_PLAIN)
        mv__words_put(&n->words, cp);
    else if (n->fmt == MV_TEXT_HTML)
        mv__markup_put(&n->markup, cp);
    else
        mv__subtitle_put(&n->subtitle, cp);
}

/* One byte through the decoder; MV__UTF8_DONE leaves the code point in *cp. */
static int decode(mv__text_norm *n, uint8_t b, size_t i, uint32_t *cp)
{
    if (n->utf8.need == 0)
        n->start = n->offset + i;
    return mv__utf8_step(&n->utf8, b, cp);
}

static size_t feed_plain(mv__text_norm *n, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t cp = data[i];
        if (cp < 0x80 && n->utf8.need == 0) {
            mv__words_put(&n->words, cp);
            continue;
        }
        const int r = decode(n, data[i], i, &cp);
        if (r == MV__UTF8_BAD)
            return i;
        if (r == MV__UTF8_DONE)
            mv__words_put(&n->words, cp);
    }
    return len;
}

static size_t feed_markup(mv__text_norm *n, const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint32_t cp;
        const int r = decode(n, data[i], i, &cp);
        if (r == MV__UTF8_BAD)
            return i;
        if (r == MV__UTF8_DONE)
            put(n, cp);
    }
    return len;
}

mv_status mv__text_norm_feed(mv__text_norm *n, const uint8_t *data, size_t len, size_t *bad_offset)
{
    const size_t done =
        n->fmt == MV_TEXT_PLAIN ? feed_plain(n, data, len) : feed_markup(n, data, len);
    if (done < len) {
        *bad_offset = (size_t)n->start;
        return MV_EPARSE;
    }
    n->offset += len;
    return MV_OK;
}

mv_status mv__text_norm_finish(mv__text_norm *n, size_t *bad_offset)
{
    if (n->utf8.need != 0) {
        *bad_offset = (size_t)n->start;
        return MV_EPARSE;
    }
    if (n->fmt == MV_TEXT_SRT || n->fmt == MV_TEXT_VTT)
        mv__subtitle_finish(&n->subtitle);
    if (n->fmt != MV_TEXT_PLAIN)
        mv__markup_finish(&n->markup);
    mv__words_end(&n->words);
    return MV_OK;
}

/* ---- format detection ---- */

static const size_t detect_window = 4096;

static int is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* End of the line that starts at i (index of its '\n', or n). */
static size_t line_end_at(const uint8_t *d, size_t i, size_t n)
{
    const uint8_t *nl = memchr(d + i, '\n', n - i);
    return nl == NULL ? n : (size_t)(nl - d);
}

static int has_arrow(const uint8_t *d, size_t from, size_t to)
{
    for (size_t i = from; i + 3 <= to; i++) {
        if (d[i] == '-' && d[i + 1] == '-' && d[i + 2] == '>')
            return 1;
    }
    return 0;
}

static int all_digits(const uint8_t *d, size_t from, size_t to)
{
    while (to > from && is_ws(d[to - 1]))
        to--;
    if (to == from)
        return 0;
    for (size_t i = from; i < to; i++) {
        if (d[i] < '0' || d[i] > '9')
            return 0;
    }
    return 1;
}

static int opens_tag(uint8_t c)
{
    const uint8_t lower = c | 0x20;
    return (lower >= 'a' && lower <= 'z') || c == '!' || c == '?';
}

mv_text_format mv_text_detect(const uint8_t *data, size_t len)
{
    const size_t n = len < detect_window ? len : detect_window;
    size_t i = 0;

    if (data == NULL)
        return MV_TEXT_PLAIN;
    if (n >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        i = 3;
    while (i < n && is_ws(data[i]))
        i++;
    if (n - i >= 6 && memcmp(data + i, "WEBVTT", 6) == 0)
        return MV_TEXT_VTT;
    if (i + 1 < n && data[i] == '<' && opens_tag(data[i + 1]))
        return MV_TEXT_HTML;
    if (i == n || data[i] < '0' || data[i] > '9')
        return MV_TEXT_PLAIN;
    const size_t e1 = line_end_at(data, i, n);
    if (has_arrow(data, i, e1))
        return MV_TEXT_SRT; // a timecode line first
    if (e1 < n && all_digits(data, i, e1) && has_arrow(data, e1 + 1, line_end_at(data, e1 + 1, n)))
        return MV_TEXT_SRT; // a cue number, then a timecode line
    return MV_TEXT_PLAIN;
}
