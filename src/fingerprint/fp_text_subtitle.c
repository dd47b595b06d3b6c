/*
 * Subtitle filter of the text fingerprint (SubRip .srt and WebVTT .vtt): keeps
 * the dialogue and drops the scaffolding, line by line, before the markup filter
 * removes inline tags.
 *
 * Both formats are blocks separated by blank lines. Dropped: any line holding
 * "-->" (the timing line, with WebVTT's cue settings after it), the line just
 * before a timing line in the same block (the SRT cue number or the WebVTT cue
 * identifier), and whole blocks that open with WEBVTT, NOTE, STYLE or REGION.
 * Since a cue identifier is only known by the line that follows it, the first
 * line of each block is held back until the next line arrives.
 *
 * Lines are held in fixed buffers of MV__SUB_LINE code points. A longer line
 * cannot be scaffolding, so it is streamed through as dialogue: a subtitle file
 * with a 10 MB line costs no more memory than any other.
 */
#include <string.h>

#include "fp_text.h"

static const uint32_t arrow[] = { '-', '-', '>' };

void mv__subtitle_init(mv__subtitle *s, mv__markup *next)
{
    memset(s, 0, sizeof(*s));
    s->next = next;
}

static void emit_line(mv__subtitle *s, const uint32_t *cps, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mv__markup_put(s->next, cps[i]);
    mv__markup_put(s->next, '\n');
}

static void flush_pending(mv__subtitle *s)
{
    if (s->pending_len == 0)
        return;
    emit_line(s, s->pending, s->pending_len);
    s->pending_len = 0;
}

static int is_blank(const uint32_t *cps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (cps[i] != ' ' && cps[i] != '\t' && cps[i] != 0xFEFF && cps[i] != '\f')
            return 0;
    }
    return 1;
}

static int has_arrow(const uint32_t *cps, size_t n)
{
    for (size_t i = 0; i + 3 <= n; i++) {
        if (memcmp(cps + i, arrow, sizeof(arrow)) == 0)
            return 1;
    }
    return 0;
}

/* Whether the line is `word` alone or followed by a space or tab (BOM skipped). */
static int starts_block(const uint32_t *cps, size_t n, const char *word)
{
    const size_t wl = strlen(word);
    size_t i = n > 0 && cps[0] == 0xFEFF ? 1 : 0;

    if (n - i < wl)
        return 0;
    for (size_t j = 0; j < wl; j++) {
        if (cps[i + j] != (uint8_t)word[j])
            return 0;
    }
    return n - i == wl || cps[i + wl] == ' ' || cps[i + wl] == '\t';
}

static int is_header(const uint32_t *cps, size_t n)
{
    return starts_block(cps, n, "WEBVTT") || starts_block(cps, n, "NOTE") ||
           starts_block(cps, n, "STYLE") || starts_block(cps, n, "REGION");
}

/* Decides the fate of the completed line in line[]. */
static void classify(mv__subtitle *s)
{
    if (is_blank(s->line, s->len)) {
        flush_pending(s);
        s->block_line = 0;
        s->skip_block = 0;
        return;
    }
    if (s->skip_block) {
        // dropped with its block
    } else if (s->block_line == 0 && is_header(s->line, s->len)) {
        s->skip_block = 1;
    } else if (has_arrow(s->line, s->len)) {
        s->pending_len = 0; // the cue number or identifier
    } else if (s->block_line == 0) {
        memcpy(s->pending, s->line, s->len * sizeof(s->line[0]));
        s->pending_len = s->len;
    } else {
        flush_pending(s);
        emit_line(s, s->line, s->len);
    }
    s->block_line++;
}

static void line_end(mv__subtitle *s)
{
    if (s->passing) {
        s->passing = 0;
        mv__markup_put(s->next, '\n');
        s->block_line++;
    } else {
        classify(s);
    }
    s->len = 0;
}

/* The line outgrew its buffer: it is dialogue, so stream it from here on. */
static void start_passing(mv__subtitle *s)
{
    flush_pending(s);
    for (size_t i = 0; i < s->len; i++)
        mv__markup_put(s->next, s->line[i]);
    s->len = 0;
    s->passing = 1;
}

void mv__subtitle_put(mv__subtitle *s, uint32_t cp)
{
    if (cp == '\r' || (cp == '\n' && !s->cr)) {
        line_end(s);
        s->cr = cp == '\r';
        return;
    }
    if (cp == '\n') {
        s->cr = 0; // the '\n' of "\r\n"
        return;
    }
    s->cr = 0;
    if (!s->passing && s->len == MV__SUB_LINE)
        start_passing(s);
    if (s->passing)
        mv__markup_put(s->next, cp);
    else
        s->line[s->len++] = cp;
}

void mv__subtitle_finish(mv__subtitle *s)
{
    if (s->len > 0 || s->passing)
        line_end(s);
    flush_pending(s);
}
