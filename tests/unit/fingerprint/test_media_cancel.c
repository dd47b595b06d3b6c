/*
 * Unit tests of mv_media_cancel(): while it is set, an audio fingerprint of a
 * real file (a WAV written here: 30 s of two tones, enough for Chromaprint)
 * fails at once with MV_ETIMEDOUT and no partial output, as does a vPDQ of a
 * file; once cleared, the same call succeeds. A thread that sets it while
 * another decodes a long file ends that decode early. The static library
 * links the decoders, so these run without the plugin.
 */
#include <math.h>
#include <pthread.h>
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

#include "mediavault/mediavault.h"

#define RATE 11025

static char dir[64];
static char wav[128];

static void put_le(FILE *f, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        fputc((int)((v >> (8 * i)) & 0xff), f);
}

/* A mono 16-bit WAV of seconds of two moving tones. */
static void write_wav(const char *path, unsigned seconds)
{
    FILE *f = fopen(path, "wb");
    const uint32_t n = RATE * seconds;

    assert_non_null(f);
    fwrite("RIFF", 1, 4, f);
    put_le(f, 36 + 2 * n, 4);
    fwrite("WAVEfmt ", 1, 8, f);
    put_le(f, 16, 4);
    put_le(f, 1, 2); /* PCM */
    put_le(f, 1, 2); /* mono */
    put_le(f, RATE, 4);
    put_le(f, RATE * 2, 4);
    put_le(f, 2, 2);
    put_le(f, 16, 2);
    fwrite("data", 1, 4, f);
    put_le(f, 2 * n, 4);
    for (uint32_t i = 0; i < n; i++) {
        const double t = (double)i / RATE;
        const double s = 0.5 * sin(2 * M_PI * 440 * t) * sin(3 * t) +
                         0.3 * sin(2 * M_PI * 1250 * t * (1 + 0.1 * sin(t)));
        put_le(f, (uint32_t)(uint16_t)(int16_t)(s * 20000), 2);
    }
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/mv-cancel-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(wav, sizeof(wav), "%s/tones.wav", dir);
    write_wav(wav, 30);
    return 0;
}

static int teardown(void **state)
{
    char cmd[96];

    (void)state;
    mv_media_cancel(0);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void audio_canceled_then_not(void **state)
{
    const mv_audio_options opts = { .length_s = 0 };
    char *fp = (char *)1;
    double duration = -1;

    (void)state;
    mv_media_cancel(1);
    assert_int_equal(mv_audio_chromaprint_file_opts(wav, &opts, &fp, &duration, NULL, NULL),
                     MV_ETIMEDOUT);
    assert_null(fp);
    mv_media_cancel(0);
    assert_int_equal(mv_audio_chromaprint_file_opts(wav, &opts, &fp, &duration, NULL, NULL), MV_OK);
    assert_non_null(fp);
    assert_true(strlen(fp) > 10);
    assert_true(duration > 29.0 && duration < 31.0);
    mv_free(fp);
}

static void video_canceled(void **state)
{
    mv_vpdq_frame *frames = (mv_vpdq_frame *)1;
    size_t count = 7;

    (void)state;
    mv_media_cancel(1);
    /* The WAV is no video, but the cancel ends the call at FFmpeg's first
     * interrupt check, while the file is being opened. */
    assert_int_equal(mv_vpdq_file_frames(wav, NULL, &frames, &count, NULL), MV_ETIMEDOUT);
    assert_null(frames);
    mv_media_cancel(0);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct decode {
    const char *path;
    mv_status st;
    double seconds;
};

static void *decode_long(void *arg)
{
    struct decode *d = arg;
    const mv_audio_options opts = { .length_s = 0 };
    char *fp = NULL;
    const double t0 = now_s();

    d->st = mv_audio_chromaprint_file_opts(d->path, &opts, &fp, NULL, NULL, NULL);
    d->seconds = now_s() - t0;
    mv_free(fp);
    return NULL;
}

/* A decode in flight on another thread ends early once the flag is set. */
static void in_flight_stops(void **state)
{
    char path[160];
    pthread_t th;
    struct decode d = { path, MV_OK, 0 };

    (void)state;
    snprintf(path, sizeof(path), "%s/long.wav", dir);
    write_wav(path, 1800); /* half an hour: seconds to decode, more under sanitizers */
    assert_int_equal(pthread_create(&th, NULL, decode_long, &d), 0);
    usleep(100000);
    mv_media_cancel(1);
    const double set_at = now_s();
    assert_int_equal(pthread_join(th, NULL), 0);
    mv_media_cancel(0);
    assert_int_equal(d.st, MV_ETIMEDOUT);
    assert_true(now_s() - set_at < 2.0);
    /* The same file, uncanceled, takes longer than the canceled run did. */
    struct decode full = { path, MV_OK, 0 };
    decode_long(&full);
    assert_int_equal(full.st, MV_OK);
    assert_true(full.seconds > d.seconds);
}

int main(int argc, char **argv)
{
    static const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(audio_canceled_then_not, setup, teardown),
        cmocka_unit_test_setup_teardown(video_canceled, setup, teardown),
        cmocka_unit_test_setup_teardown(in_flight_stops, setup, teardown),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
