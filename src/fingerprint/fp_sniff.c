/*
 * Content sniffing for `fingerprint --type auto`: what the bytes are, not what
 * the file name says.
 *
 * Images are recognised by the magic numbers of the formats the media layer
 * decodes; HEIF (HEIC, AVIF) by the brands of its ftyp box, whether or not
 * the build decodes it (media_heif.c), so that a build without libheif says
 * so instead of calling a phone photo unknown. Anything else is text when its
 * first kilobytes are valid UTF-8 (RFC 3629: no overlong forms, surrogates or
 * code points above U+10FFFF) with no NUL and almost no other control
 * characters; a multi-byte sequence cut by the end of the window is accepted.
 * Markup (HTML, SRT, WebVTT) is text too: mv_text_detect() tells them apart
 * afterwards.
 */
#include <string.h>

#include "../media/media.h"
#include "mediavault/fingerprint.h"

/* How much of a file the text test looks at, and the control characters it tolerates. */
#define SNIFF_WINDOW      ((size_t)64 * 1024)
#define CONTROL_PER_MILLE 10

static int is_image(const uint8_t *d, size_t n)
{
    static const uint8_t png[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

    if (n >= 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff)
        return 1;
    if (n >= 8 && memcmp(d, png, 8) == 0)
        return 1;
    if (n >= 6 && (memcmp(d, "GIF87a", 6) == 0 || memcmp(d, "GIF89a", 6) == 0))
        return 1;
    if (n >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0)
        return 1;
    if (n >= 26 && d[0] == 'B' && d[1] == 'M')
        return 1;
    if (mv__image_is_heif(d, n))
        return 1;
    return n >= 8 && (memcmp(d, "II*\0", 4) == 0 || memcmp(d, "MM\0*", 4) == 0);
}

/* Bytes of the UTF-8 sequence at d (1..4), 0 when invalid, -1 when cut by the end. */
static int utf8_seq(const uint8_t *d, size_t left)
{
    const uint8_t c = d[0];
    int n;
    uint8_t lo = 0x80, hi = 0xbf;

    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        lo = c == 0xe0 ? 0xa0 : 0x80;
        hi = c == 0xed ? 0x9f : 0xbf;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        lo = c == 0xf0 ? 0x90 : 0x80;
        hi = c == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    for (int i = 1; i < n; i++) {
        if ((size_t)i >= left)
            return -1;
        if (d[i] < (i == 1 ? lo : 0x80) || d[i] > (i == 1 ? hi : 0xbf))
            return 0;
    }
    return n;
}

static int is_control(uint8_t c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v' &&
            c != 0x1b) ||
           c == 0x7f;
}

static int is_text(const uint8_t *d, size_t n)
{
    const size_t window = n < SNIFF_WINDOW ? n : SNIFF_WINDOW;
    size_t controls = 0;

    for (size_t i = 0; i < window;) {
        if (d[i] == 0)
            return 0;
        controls += is_control(d[i]) ? 1 : 0;
        const int k = utf8_seq(d + i, window - i);
        if (k == 0 || (k < 0 && window == n))
            return 0;
        if (k < 0)
            break;
        i += (size_t)k;
    }
    return controls * 1000 <= window * CONTROL_PER_MILLE;
}

mv_fp_type mv_fp_sniff(const uint8_t *data, size_t len)
{
    if (data == NULL || len == 0)
        return MV_FP_AUTO;
    if (is_image(data, len))
        return MV_FP_IMAGE;
    return is_text(data, len) ? MV_FP_TEXT : MV_FP_AUTO;
}

int mv_fp_heif_supported(void)
{
    return mv__image_heif_supported();
}

const char *mv_fp_type_name(mv_fp_type type)
{
    switch (type) {
    case MV_FP_IMAGE:
        return "image";
    case MV_FP_TEXT:
        return "text";
    default:
        return "unknown";
    }
}
