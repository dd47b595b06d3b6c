/*
 * Test driver for mv_vpdq_file(): prints the reference's lines
 * (`frame_number,quality,pdq_hex,timestamp`) for one video, so that the shell
 * tests can diff them against the reference's own output. Uses the public API only.
 *
 * usage: vpdq_print [-r SECONDS] [-s SIZE] [-j THREADS] [-c STOP_AFTER] [-t TIMEOUT]
 *                   [-p MAX_PIXELS] [-a] VIDEO
 *   -a: collect with mv_vpdq_file_frames() instead of the callback.
 *   -c N: the callback stops the run after N frames (expects MV_ECANCELED).
 *   -t S: opts.timeout_s (expects MV_ETIMEDOUT when the video takes longer).
 *   -p N: opts.max_pixels.
 * Exit: 0 on success, 1 on an error (printed as `error: NAME`), 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mediavault/mediavault.h"

struct state {
    unsigned long stop_after, seen;
};

static int print_frame(const mv_vpdq_frame *frame, void *arg)
{
    struct state *s = arg;
    char line[MV_VPDQ_LINE_MAX];

    mv_vpdq_line(frame, line);
    puts(line);
    return s->stop_after != 0 && ++s->seen >= s->stop_after;
}

static int parse_args(int argc, char **argv, mv_vpdq_options *o, struct state *s, int *array)
{
    int c;

    while ((c = getopt(argc, argv, "r:s:j:c:t:p:a")) != -1) {
        switch (c) {
        case 'r':
            o->every_s = strtod(optarg, NULL);
            break;
        case 's':
            o->size = strtoul(optarg, NULL, 10);
            break;
        case 'j':
            o->threads = strtoul(optarg, NULL, 10);
            break;
        case 'c':
            s->stop_after = strtoul(optarg, NULL, 10);
            break;
        case 't':
            o->timeout_s = strtod(optarg, NULL);
            break;
        case 'p':
            o->max_pixels = strtoul(optarg, NULL, 10);
            break;
        case 'a':
            *array = 1;
            break;
        default:
            return -1;
        }
    }
    return optind == argc - 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    mv_vpdq_options o = { .every_s = 1.0 };
    struct state s = { 0, 0 };
    mv_vpdq_info info;
    int array = 0;
    mv_status st;

    if (parse_args(argc, argv, &o, &s, &array) != 0) {
        fputs("usage: vpdq_print [-r S] [-s N] [-j T] [-c N] [-t S] [-p N] [-a] VIDEO\n", stderr);
        return 2;
    }
    if (array) {
        mv_vpdq_frame *frames = NULL;
        size_t n = 0;
        st = mv_vpdq_file_frames(argv[optind], &o, &frames, &n, &info);
        for (size_t i = 0; st == MV_OK && i < n; i++)
            print_frame(&frames[i], &s);
        mv_free(frames);
    } else {
        st = mv_vpdq_file(argv[optind], &o, print_frame, &s, &info);
    }
    fprintf(stderr, "decoded=%llu hashed=%llu truncated=%d size=%zux%zu fps=%.3f duration=%.3f\n",
            (unsigned long long)info.frames_decoded, (unsigned long long)info.frames_hashed,
            info.truncated, info.width, info.height, info.frame_rate, info.duration);
    if (st != MV_OK) {
        printf("error: %s\n", mv_status_name(st));
        return 1;
    }
    return 0;
}
