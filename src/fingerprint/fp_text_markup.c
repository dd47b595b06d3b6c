/*
 * Markup filter of the text fingerprint: removes HTML/XML tags, comments and the
 * contents of <script> and <style>, and decodes character references, passing
 * the remaining text on to the word builder one code point at a time.
 *
 * It is a small state machine rather than a parser because it only has to find
 * the text, never the tree, and because it must take any byte soup without
 * failing. Every tag becomes a word separator ("one<br>two" is two words). A '<'
 * that cannot start a tag and an '&' that does not end a known reference stay
 * literal. Quoted attribute values may contain '>'. Subtitles use the same filter
 * for their inline tags (<i>, <c.yellow>, <v Speaker>) and, in that mode, also
 * drop WebVTT's karaoke timestamps (<00:00:01.500>).
 */
#include <string.h>

#include "fp_text.h"

enum { M_TEXT, M_LT, M_TAG, M_COMMENT, M_RAW, M_ENT };

typedef struct named_ref {
    const char *name;
    uint32_t cp;
} named_ref;

/* The references common in real pages; the rest of HTML's 2,000 stay literal. */
static const named_ref refs[] = {
    { "amp", '&' },       { "lt", '<' },       { "gt", '>' },       { "quot", '"' },
    { "apos", '\'' },     { "nbsp", 0xA0 },    { "copy", 0xA9 },    { "reg", 0xAE },
    { "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "lsquo", 0x2018 },
    { "rsquo", 0x2019 },  { "ldquo", 0x201C }, { "rdquo", 0x201D }, { "eacute", 0xE9 },
    { "egrave", 0xE8 },   { "agrave", 0xE0 },  { "ccedil", 0xE7 },  { "auml", 0xE4 },
    { "ouml", 0xF6 },     { "uuml", 0xFC },    { "Auml", 0xC4 },    { "Ouml", 0xD6 },
    { "Uuml", 0xDC },     { "szlig", 0xDF },   { "ntilde", 0xF1 },  { "Eacute", 0xC9 },
};

static void text(mv__markup *m, uint32_t cp);

static int is_alpha(uint32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static int is_digit(uint32_t cp)
{
    return cp >= '0' && cp <= '9';
}

static int is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f';
}

static void emit(mv__markup *m, uint32_t cp)
{
    mv__words_put(m->next, cp);
}

void mv__markup_init(mv__markup *m, mv__words *next)
{
    memset(m, 0, sizeof(*m));
    m->state = M_TEXT;
    m->next = next;
}

static void name_add(mv__markup *m, uint32_t cp)
{
    if (m->name_len + 1 >= sizeof(m->name))
        return;
    m->name[m->name_len++] = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : (cp < 128 ? cp : '?'));
    m->name[m->name_len] = '\0';
}

static void lt(mv__markup *m, uint32_t cp)
{
    const int opens =
        is_alpha(cp) || cp == '/' || cp == '!' || cp == '?' || (m->digit_tags && is_digit(cp));
    if (!opens) {
        m->state = M_TEXT;
        emit(m, '<');
        text(m, cp);
        return;
    }
    m->state = M_TAG;
    m->closing = cp == '/';
    m->in_name = 1;
    m->quote = 0;
    m->name_len = 0;
    m->name[0] = '\0';
    if (cp != '/')
        name_add(m, cp);
}

/* A tag has ended: it separates words, and <script>/<style> start raw text. */
static void tag_end(mv__markup *m)
{
    m->state = M_TEXT;
    emit(m, ' ');
    if (m->closing || (strcmp(m->name, "script") != 0 && strcmp(m->name, "style") != 0))
        return;
    memcpy(m->raw, m->name, sizeof(m->raw));
    m->raw_match = 0;
    m->state = M_RAW;
}

static void tag(mv__markup *m, uint32_t cp)
{
    if (m->in_name) {
        if (!is_space(cp) && cp != '>' && !(cp == '/' && m->name_len > 0)) {
            name_add(m, cp);
            if (strcmp(m->name, "!--") == 0) {
                m->state = M_COMMENT;
                m->dashes = 0;
            }
            return;
        }
        m->in_name = 0;
    }
    if (m->quote != 0) {
        if (cp == m->quote)
            m->quote = 0;
        return;
    }
    if (cp == '"' || cp == '\'')
        m->quote = cp;
    else if (cp == '>')
        tag_end(m);
}

static void comment(mv__markup *m, uint32_t cp)
{
    if (cp == '>' && m->dashes >= 2) {
        m->state = M_TEXT;
        emit(m, ' ');
        return;
    }
    m->dashes = cp == '-' ? m->dashes + 1 : 0;
}

/* Inside <script> or <style>: everything up to "</name" is dropped. */
static void raw(mv__markup *m, uint32_t cp)
{
    const size_t name_len = strlen(m->raw);
    const uint32_t lower = cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    uint32_t want = '<';

    if (m->raw_match == 1)
        want = '/';
    else if (m->raw_match >= 2)
        want = (uint8_t)m->raw[m->raw_match - 2];
    if (lower != want) {
        m->raw_match = cp == '<' ? 1 : 0;
        return;
    }
    if (++m->raw_match < name_len + 2)
        return;
    m->state = M_TAG;
    m->closing = 1;
    m->in_name = 0;
    m->quote = 0;
}

/* Emits '&' and the characters held after it, as they were. */
static void ent_flush(mv__markup *m)
{
    emit(m, '&');
    for (size_t i = 0; i < m->ent_len; i++)
        emit(m, m->ent[i]);
    m->ent_len = 0;
}

/* The value of "#123" or "#x1F" in ent[], or UINT32_MAX when it is not one. */
static uint32_t numeric_ref(const mv__markup *m)
{
    const int hex = m->ent_len > 1 && (m->ent[1] == 'x' || m->ent[1] == 'X');
    size_t i = hex ? 2 : 1;
    uint32_t v = 0;

    if (i >= m->ent_len)
        return UINT32_MAX;
    for (; i < m->ent_len; i++) {
        const uint32_t c = m->ent[i] | 0x20u;
        uint32_t d;
        if (is_digit(m->ent[i]))
            d = m->ent[i] - '0';
        else if (hex && c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else
            return UINT32_MAX;
        v = v * (hex ? 16 : 10) + d;
        if (v > 0x10FFFF)
            v = 0x110000; // stays out of range, cannot overflow
    }
    return v;
}

static uint32_t named_refs(const mv__markup *m)
{
    char name[MV__MARKUP_ENT + 1];

    for (size_t i = 0; i < m->ent_len; i++)
        name[i] = (char)m->ent[i];
    name[m->ent_len] = '\0';
    for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
        if (strcmp(name, refs[i].name) == 0)
            return refs[i].cp;
    }
    return UINT32_MAX;
}

/* ';' ends a reference: emit its character, or the text as it was. */
static void ent_end(mv__markup *m)
{
    m->state = M_TEXT;
    if (m->ent_len > 0 && m->ent[0] == '#') {
        uint32_t v = numeric_ref(m);
        if (v != UINT32_MAX) {
            if (v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
                v = 0xFFFD;
            m->ent_len = 0;
            emit(m, v);
            return;
        }
    } else if (m->ent_len > 0) {
        const uint32_t v = named_refs(m);
        if (v != UINT32_MAX) {
            m->ent_len = 0;
            emit(m, v);
            return;
        }
    }
    ent_flush(m);
    emit(m, ';');
}

static void entity(mv__markup *m, uint32_t cp)
{
    if (cp == ';') {
        ent_end(m);
        return;
    }
    const int fits = is_alpha(cp) || is_digit(cp) || (cp == '#' && m->ent_len == 0);
    if (fits && m->ent_len < MV__MARKUP_ENT) {
        m->ent[m->ent_len++] = cp;
        return;
    }
    ent_flush(m);
    m->state = M_TEXT;
    text(m, cp);
}

static void text(mv__markup *m, uint32_t cp)
{
    if (cp == '<') {
        m->state = M_LT;
    } else if (cp == '&') {
        m->state = M_ENT;
        m->ent_len = 0;
    } else {
        emit(m, cp);
    }
}

void mv__markup_put(mv__markup *m, uint32_t cp)
{
    switch (m->state) {
    case M_TEXT:
        text(m, cp);
        break;
    case M_LT:
        lt(m, cp);
        break;
    case M_TAG:
        tag(m, cp);
        break;
    case M_COMMENT:
        comment(m, cp);
        break;
    case M_RAW:
        raw(m, cp);
        break;
    default:
        entity(m, cp);
        break;
    }
}

void mv__markup_finish(mv__markup *m)
{
    if (m->state == M_LT)
        emit(m, '<');
    else if (m->state == M_ENT)
        ent_flush(m);
    m->state = M_TEXT;
}
