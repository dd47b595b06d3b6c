/*
 * Audio sniffing for `fingerprint --type auto`: the magic bytes of the audio
 * containers FFmpeg reads, checked before the image and text tests.
 *
 * A bare MPEG audio stream has no magic number, only a frame sync (11 set
 * bits); to keep binary junk out, the header's layer, bitrate and sample-rate
 * fields must hold valid values too. ADTS (raw AAC) has the same sync with
 * layer 0. MP4 files count as audio only with an audio brand (M4A, M4B, M4P,
 * F4A): a video's audio track is fingerprinted with --type audio.
 */
#include <string.h>

#include "mediavault/audio.h"

static int mpeg_sync(const uint8_t *d, size_t n)
{
    if (n < 4 || d[0] != 0xff || (d[1] & 0xe0) != 0xe0)
        return 0;
    if ((d[1] & 0xf6) == 0xf0) /* ADTS: MPEG-4/2 AAC, layer 0 */
        return ((d[2] >> 2) & 0x0f) < 13;
    const int version = (d[1] >> 3) & 3, layer = (d[1] >> 1) & 3;
    const int bitrate = d[2] >> 4, rate = (d[2] >> 2) & 3;
    return version != 1 && layer != 0 && bitrate != 15 && rate != 3;
}

static int mp4_audio(const uint8_t *d, size_t n)
{
    static const char *const brands[] = { "M4A ", "M4B ", "M4P ", "F4A " };

    if (n < 12 || memcmp(d + 4, "ftyp", 4) != 0)
        return 0;
    for (size_t i = 0; i < sizeof(brands) / sizeof(brands[0]); i++)
        if (memcmp(d + 8, brands[i], 4) == 0)
            return 1;
    return 0;
}

int mv_audio_sniff(const uint8_t *data, size_t len)
{
    const uint8_t *d = data;

    if (d == NULL || len < 4)
        return 0;
    if (memcmp(d, "ID3", 3) == 0 || memcmp(d, "OggS", 4) == 0 || memcmp(d, "fLaC", 4) == 0)
        return 1;
    if (len >= 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WAVE", 4) == 0)
        return 1;
    if (len >= 12 && memcmp(d, "FORM", 4) == 0 &&
        (memcmp(d + 8, "AIFF", 4) == 0 || memcmp(d + 8, "AIFC", 4) == 0))
        return 1;
    return mpeg_sync(d, len) || mp4_audio(d, len);
}
