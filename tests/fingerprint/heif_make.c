/*
 * Test program: writes a HEIC file (x265 through libheif's encoder API) from a
 * binary PPM, with an orientation that libheif stores as irot/imir properties
 * of the image item. heif-enc cannot set them, and the fingerprint tests need
 * HEIC files whose container turns the image, to check that decoding applies
 * those turns (media_heif.c explains why).
 *
 * Usage: heif_make IN.ppm OUT.heic ORIENTATION(1..8) [QUALITY]
 * Exit 0 on success, 77 when this libheif has no HEVC encoder, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libheif/heif.h>

/* Reads a P6 PPM with maxval 255 into *pix (malloc'ed, width * height * 3). */
static int read_ppm(const char *path, int *w, int *h, unsigned char **pix)
{
    int maxval = 0;
    FILE *f = fopen(path, "rb");

    if (f == NULL)
        return 0;
    if (fscanf(f, "P6 %d %d %d", w, h, &maxval) != 3 || maxval != 255 || *w <= 0 || *h <= 0 ||
        fgetc(f) == EOF) {
        fclose(f);
        return 0;
    }
    const size_t n = (size_t)*w * (size_t)*h * 3;
    *pix = malloc(n);
    const int ok = *pix != NULL && fread(*pix, 1, n, f) == n;
    fclose(f);
    return ok;
}

static int fail(const char *what, struct heif_error e)
{
    fprintf(stderr, "heif_make: %s: %s\n", what, e.message);
    return 1;
}

static int encode(const unsigned char *pix, int w, int h, int orientation, int quality,
                  const char *out)
{
    struct heif_context *ctx = heif_context_alloc();
    struct heif_encoder *enc = NULL;
    struct heif_image *img = NULL;
    struct heif_error e = heif_context_get_encoder_for_format(ctx, heif_compression_HEVC, &enc);
    if (e.code != heif_error_Ok) {
        fprintf(stderr, "heif_make: no HEVC encoder: %s\n", e.message);
        heif_context_free(ctx);
        return 77;
    }
    heif_encoder_set_lossy_quality(enc, quality);
    e = heif_image_create(w, h, heif_colorspace_RGB, heif_chroma_interleaved_RGB, &img);
    if (e.code == heif_error_Ok)
        e = heif_image_add_plane(img, heif_channel_interleaved, w, h, 8);
    if (e.code == heif_error_Ok) {
        int stride = 0;
        unsigned char *dst = heif_image_get_plane(img, heif_channel_interleaved, &stride);
        for (int y = 0; y < h; y++)
            memcpy(dst + (size_t)y * (size_t)stride, pix + (size_t)y * (size_t)w * 3,
                   (size_t)w * 3);
        struct heif_encoding_options *opts = heif_encoding_options_alloc();
        opts->image_orientation = (enum heif_orientation)orientation;
        e = heif_context_encode_image(ctx, img, enc, opts, NULL);
        heif_encoding_options_free(opts);
    }
    if (e.code == heif_error_Ok)
        e = heif_context_write_to_file(ctx, out);
    heif_image_release(img);
    heif_encoder_release(enc);
    heif_context_free(ctx);
    return e.code == heif_error_Ok ? 0 : fail(out, e);
}

int main(int argc, char **argv)
{
    int w = 0, h = 0;
    unsigned char *pix = NULL;

    if (argc < 4 || argc > 5) {
        fputs("usage: heif_make IN.ppm OUT.heic ORIENTATION(1..8) [QUALITY]\n", stderr);
        return 1;
    }
    const int orientation = (int)strtol(argv[3], NULL, 10);
    const int quality = argc == 5 ? (int)strtol(argv[4], NULL, 10) : 90;
    if (orientation < 1 || orientation > 8 || !read_ppm(argv[1], &w, &h, &pix)) {
        fprintf(stderr, "heif_make: bad orientation or unreadable PPM %s\n", argv[1]);
        free(pix);
        return 1;
    }
    const int rc = encode(pix, w, h, orientation, quality, argv[2]);
    free(pix);
    return rc;
}
