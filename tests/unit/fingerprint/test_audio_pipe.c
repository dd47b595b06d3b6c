/*
 * Unit tests of the two-thread audio decode (media_audio.c with threads >= 2):
 * the samples, fingerprints, durations and statuses must be those of the
 * one-thread loop, whatever the length cut, and a reader that stops early, an
 * error or the time limit must end the decode thread without a hang or a leak.
 * Run under ThreadSanitizer as well. The WAV files are written here sample by
 * sample (a sine under pseudo-random noise); the damaged MP3s are made by the
 * real ffmpeg, when there is one (else those cases skip).
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

#include "media/media_audio.h"
#include "mediavault/mediavault.h"

static char dir[] = "/tmp/mv-test-audio-pipe-XXXXXX";

static void put_le(FILE *f, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        fputc((int)((v >> (8 * i)) & 0xff), f);
}

/* Writes seconds of 16-bit PCM at rate Hz and channels channels to dir/name. */
static const char *write_wav(const char *name, int rate, int channels, double seconds)
{
    static char path[256];
    const uint32_t frames = (uint32_t)(seconds * rate);
    const uint32_t bytes = frames * (uint32_t)channels * 2;
    uint32_t seed = 12345;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("RIFF", f);
    put_le(f, 36 + bytes, 4);
    fputs("WAVEfmt ", f);
    put_le(f, 16, 4);
    put_le(f, 1, 2); /* PCM */
    put_le(f, (uint32_t)channels, 2);
    put_le(f, (uint32_t)rate, 4);
    put_le(f, (uint32_t)(rate * channels * 2), 4);
    put_le(f, (uint32_t)(channels * 2), 2);
    put_le(f, 16, 2);
    fputs("data", f);
    put_le(f, bytes, 4);
    for (uint32_t i = 0; i < frames; i++) {
        for (int c = 0; c < channels; c++) {
            seed = seed * 1664525u + 1013904223u;
            const int tone = (int)(8000 * ((i * (uint32_t)(c + 3) / 17) % 64 < 32 ? 1 : -1));
            const int noise = (int)(seed >> 20) - 2048;
            put_le(f, (uint32_t)(uint16_t)(int16_t)(tone + noise), 2);
        }
    }
    assert_int_equal(fclose(f), 0);
    return path;
}

/* Every sample mv__audio gives from path with one thread equals the one given with two. */
static void same_samples(const char *path, int rate, int channels)
{
    mv__audio *one = NULL, *two = NULL;
    const int16_t *s1 = NULL, *s2 = NULL;
    size_t n1 = 0, n2 = 0, total = 0;

    assert_int_equal(mv__audio_open(path, rate, channels, 0, 1, &one), MV_OK);
    assert_int_equal(mv__audio_open(path, rate, channels, 0, 2, &two), MV_OK);
    for (;;) {
        if (n1 == 0)
            assert_int_equal(mv__audio_read(one, &s1, &n1), MV_OK);
        if (n2 == 0)
            assert_int_equal(mv__audio_read(two, &s2, &n2), MV_OK);
        if (n1 == 0 || n2 == 0)
            break;
        const size_t k = n1 < n2 ? n1 : n2;
        assert_memory_equal(s1, s2, k * (size_t)channels * sizeof(*s1));
        s1 += k * (size_t)channels;
        s2 += k * (size_t)channels;
        n1 -= k;
        n2 -= k;
        total += k;
    }
    assert_int_equal(n1, 0);
    assert_int_equal(n2, 0);
    assert_true(total > 0);
    assert_int_equal(mv__audio_duration_ms(one), mv__audio_duration_ms(two));
    mv__audio_close(one);
    mv__audio_close(two);
}

/* The fingerprint, raw integers, duration and status with threads 1 and 2 are equal. */
static mv_status same_fingerprint(const char *path, double length_s)
{
    mv_audio_options o = { .length_s = length_s };
    char *fp[2] = { NULL, NULL };
    uint32_t *raw[2] = { NULL, NULL };
    size_t len[2] = { 0, 0 };
    double dur[2] = { 0, 0 };
    mv_status st[2];

    for (int i = 0; i < 2; i++) {
        o.threads = i + 1;
        st[i] = mv_audio_chromaprint_file_opts(path, &o, &fp[i], &dur[i], &raw[i], &len[i]);
    }
    assert_int_equal(st[0], st[1]);
    assert_int_equal(len[0], len[1]);
    assert_true(dur[0] == dur[1]);
    if (st[0] == MV_OK) {
        assert_string_equal(fp[0], fp[1]);
        assert_memory_equal(raw[0], raw[1], len[0] * sizeof(**raw));
    }
    for (int i = 0; i < 2; i++) {
        mv_free(fp[i]);
        mv_free(raw[i]);
    }
    return st[0];
}

/* 44.1 kHz stereo through swresample: the same samples and fingerprints, for
 * lengths cut inside a frame, past the end and none. */
static void resampled_same(void **state)
{
    (void)state;
    const char *path = write_wav("stereo.wav", 44100, 2, 30.0);
    same_samples(path, 11025, 1);
    const double lengths[] = { 0, 120, 12.3456, 3.0 };
    for (size_t i = 0; i < sizeof(lengths) / sizeof(*lengths); i++)
        assert_int_equal(same_fingerprint(path, lengths[i]), MV_OK);
    /* too short for a fingerprint: the same error either way */
    assert_int_equal(same_fingerprint(path, 1.01), MV_ECORRUPT);
}

/* Already 11025 Hz mono int16: no swresample, the reader borrows the decoded frame. */
static void native_format_same(void **state)
{
    (void)state;
    const char *path = write_wav("mono.wav", 11025, 1, 20.0);
    same_samples(path, 11025, 1);
    assert_int_equal(same_fingerprint(path, 0), MV_OK);
    assert_int_equal(same_fingerprint(path, 5.5), MV_OK);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A reader that stops after one read of a long file, with the decode thread
 * blocked on a full queue: closing stops and joins it at once (no leak). */
static void early_stop(void **state)
{
    (void)state;
    const char *path = write_wav("long.wav", 8000, 1, 600.0);
    const int16_t *s = NULL;
    size_t n = 0;

    for (int round = 0; round < 20; round++) {
        mv__audio *a = NULL;
        assert_int_equal(mv__audio_open(path, 11025, 1, 0, 2, &a), MV_OK);
        if (round % 2)
            assert_int_equal(mv__audio_read(a, &s, &n), MV_OK);
        if (round % 4 == 1)
            usleep(2000); /* let the decoder fill the queue and wait */
        mv__audio_close(a);
    }
    const double t0 = now_s();
    assert_int_equal(same_fingerprint(path, 3.0), MV_OK);
    assert_true(now_s() - t0 < 30.0); /* three seconds of 600 decoded, not the file */
}

/* The time limit passing while the decode thread works: MV_ETIMEDOUT, no result. */
static void timeout_in_decode(void **state)
{
    (void)state;
    const char *path = write_wav("hour.wav", 8000, 1, 1200.0);
    const mv_audio_options o = { .length_s = 0, .timeout_s = 0.02, .threads = 2 };
    char *fp = NULL;
    double dur = -1;

    const double t0 = now_s();
    assert_int_equal(mv_audio_chromaprint_file_opts(path, &o, &fp, &dur, NULL, NULL), MV_ETIMEDOUT);
    assert_null(fp);
    assert_true(dur == 0.0);
    assert_true(now_s() - t0 < 10.0);
}

static int have_ffmpeg(void)
{
    return system("ffmpeg -version >/dev/null 2>&1") == 0;
}

/* Copies src to dst with len bytes at offset replaced by junk (or cut there). */
static void damage(const char *src, const char *dst, long offset, long len, int cut)
{
    FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
    uint32_t seed = (uint32_t)offset;
    long pos = 0;
    int c;

    assert_non_null(in);
    assert_non_null(out);
    while ((c = fgetc(in)) != EOF) {
        if (pos >= offset && cut)
            break;
        if (pos >= offset && pos < offset + len) {
            seed = seed * 1103515245u + 12345u;
            c = (int)(seed >> 24);
        }
        fputc(c, out);
        pos++;
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* MP3s damaged at the start, in the middle and cut short: whatever the outcome
 * (a fingerprint, or an error from the decode thread), it is the same. */
static void damaged_mp3_same(void **state)
{
    char src[300], dst[300], cmd[700];

    (void)state;
    if (!have_ffmpeg())
        skip();
    snprintf(src, sizeof(src), "%s/clean.mp3", dir);
    snprintf(cmd, sizeof(cmd),
             "ffmpeg -nostdin -v error -y -f lavfi -i 'sine=f=440:d=20:sample_rate=44100' "
             "-f lavfi -i 'anoisesrc=d=20:c=pink:a=0.2:seed=7:r=44100' "
             "-filter_complex amix=inputs=2 -ac 2 -c:a libmp3lame -b:a 128k '%s'",
             src);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(same_fingerprint(src, 0), MV_OK);
    const long spots[][3] = { { 0, 4096, 0 },       { 200, 64, 0 },   { 50000, 2000, 0 },
                              { 150000, 40000, 0 }, { 100000, 0, 1 }, { 300, 0, 1 } };
    for (size_t i = 0; i < sizeof(spots) / sizeof(*spots); i++) {
        snprintf(dst, sizeof(dst), "%s/damaged%zu.mp3", dir, i);
        damage(src, dst, spots[i][0], spots[i][1], (int)spots[i][2]);
        const mv_status st = same_fingerprint(dst, 0);
        assert_true(st == MV_OK || st == MV_ECORRUPT || st == MV_ENOTSUP);
        assert_int_equal(same_fingerprint(dst, 5.0), same_fingerprint(dst, 5.0));
    }
}

/* threads 0, 1 and negative all mean the calling thread only. */
static void thread_counts(void **state)
{
    (void)state;
    const char *path = write_wav("short.wav", 22050, 2, 4.0);
    mv_audio_options o = { .length_s = 0 };
    char *fp[4] = { NULL };
    const int counts[] = { 0, 1, -3, 8 };

    for (int i = 0; i < 4; i++) {
        o.threads = counts[i];
        assert_int_equal(mv_audio_chromaprint_file_opts(path, &o, &fp[i], NULL, NULL, NULL), MV_OK);
        assert_string_equal(fp[i], fp[0]);
    }
    for (int i = 0; i < 4; i++)
        mv_free(fp[i]);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(dir) != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test(resampled_same),   cmocka_unit_test(native_format_same),
        cmocka_unit_test(early_stop),       cmocka_unit_test(timeout_in_decode),
        cmocka_unit_test(damaged_mp3_same), cmocka_unit_test(thread_counts),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, setup, teardown);
}
