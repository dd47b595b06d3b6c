/*
 * Fuzz target: the sampled JPEG decoder (mv__jpeg_sample, media_jpeg_sample.c)
 * on any bytes, with PDQ's 512-row sample and, for small inputs, a 64-row one
 * too, so that images small enough to be fuzzed quickly are sampled as well.
 *
 * Besides what the sanitizers catch, a success is checked against the contract:
 * the sample has the shape asked for and, when libjpeg's full decode is cheap
 * (an image of at most FULL_PIXELS), the pixels equal that decode's at the
 * sampled rows and columns; a success where libjpeg fails is a bug too.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "media/media.h"

#define MAX_PIXELS  ((size_t)4096 * 4096)
#define FULL_PIXELS ((size_t)1 << 20)
#define SMALL_INPUT ((size_t)64 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int shape_ok(const mv__image *img, size_t rows)
{
    return img->pixels != NULL && img->height == rows && img->full_height > rows &&
           img->width >= 1 && img->width <= rows && (img->channels == 1 || img->channels == 3) &&
           img->stride >= img->width * (size_t)img->channels;
}

/* 1 when img holds row i * H / rows and column j * W / rows (W > rows) of full. */
static int same_as_full(const mv__image *img, const mv__image *full, size_t rows)
{
    const size_t ch = (size_t)full->channels, w = full->width;
    const size_t width = w > rows ? rows : w;
    if (img->channels != full->channels || img->width != width || img->full_height != full->height)
        return 0;
    for (size_t i = 0; i < rows; i++) {
        const uint8_t *src = full->pixels + i * full->height / rows * full->stride;
        const uint8_t *got = img->pixels + i * img->stride;
        for (size_t j = 0; j < width; j++)
            if (memcmp(got + j * ch, src + (w > rows ? j * w / rows : j) * ch, ch) != 0)
                return 0;
    }
    return 1;
}

static void check(const uint8_t *data, size_t size, size_t rows)
{
    mv__image img = { 0 }, full = { 0 };
    if (mv__jpeg_sample(data, size, MAX_PIXELS, rows, &img) != MV_OK) {
        mv__image_free(&img);
        return;
    }
    if (!shape_ok(&img, rows))
        abort();
    const mv_status st = mv__image_jpeg(data, size, FULL_PIXELS, &full);
    if (st != MV_OK && st != MV_ETOOBIG)
        abort(); // the sample succeeded where libjpeg fails
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
