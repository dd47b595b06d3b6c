/*
 * Fuzz target: the sampled decode of media_jpeg.c (mv__image_jpeg_rows() with
 * PDQ's 512-row sample and, for small inputs, a 64-row one too, so that images
 * small enough to be fuzzed quickly are sampled as well) against the full
 * decode of the same bytes (mv__image_jpeg()).
 *
 * Besides what the sanitizers catch, the two must agree: the sampled decode
 * fails where the full decode fails and succeeds where it succeeds, and then
 * its result is the full decode's whole image (no taller than the sample) or
 * its rows i * H / rows and, when wider, columns j * W / rows. Both get the same
 * small pixel budget, so that a header claiming a huge image costs little.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"

#define MAX_PIXELS  ((size_t)1 << 20)
#define SMALL_INPUT ((size_t)64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Source row or column i of n kept in a sample of `rows`. */
static size_t picked(size_t i, size_t n, size_t rows)
{
    return n > rows ? i * n / rows : i;
}

/* 1 when img is what the sampled decode must make of full. */
static int same_as_full(const mv__image *img, const mv__image *full, size_t rows)
{
    const size_t ch = (size_t)full->channels, w = full->width, h = full->height;
    const size_t height = h > rows ? rows : h, width = h > rows && w > rows ? rows : w;
    if (img->pixels == NULL || img->channels != full->channels || img->width != width ||
        img->height != height || img->full_height != h ||
        img->stride < img->width * (size_t)img->channels)
        return 0;
    for (size_t i = 0; i < height; i++) {
        const uint8_t *src = full->pixels + picked(i, h, rows) * full->stride;
        const uint8_t *got = img->pixels + i * img->stride;
        for (size_t j = 0; j < width; j++)
            if (memcmp(got + j * ch, src + (width < w ? picked(j, w, rows) : j) * ch, ch) != 0)
                return 0;
    }
    return 1;
}

static void check(const uint8_t *data, size_t size, size_t rows)
{
    mv__image img = { 0 }, full = { 0 };
    const mv_status st = mv__image_jpeg_rows(data, size, MAX_PIXELS, rows, &img);
    const mv_status ref = mv__image_jpeg(data, size, MAX_PIXELS, &full);
    if ((st == MV_OK) != (ref == MV_OK))
        abort(); // one decode fails where the other succeeds
    if (st == MV_OK && !same_as_full(&img, &full, rows))
        abort();
    mv__image_free(&full);
    mv__image_free(&img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size, 512);
    if (size <= SMALL_INPUT)
        check(data, size, 64);
    return 0;
}
