/*
 * JPEGs for the tests of the sampled JPEG decode (test_jpeg_rows.c), made in
 * memory by libjpeg's compressor from pictures computed pixel by pixel
 * (jpeg_maker.c). A spec says what to make; its zero fields take the defaults
 * (quality 90, the noisy picture, baseline Huffman coding, no restart markers).
 */
#ifndef MV_TEST_JPEG_MAKER_H
#define MV_TEST_JPEG_MAKER_H

#include <stddef.h>
#include <stdint.h>

enum layout { GREY, YUV420, YUV422, YUV444, YUV440, YUV411, RGB, CMYK };
enum picture { NOISE, GRADIENT, SATURATED, EDGES, FLAT, FLAT_COLOUR };

/* One JPEG to make. */
struct spec {
    int width, height;
    enum layout layout;
    enum picture picture;
    int quality;
    int optimize;
    unsigned restart_mcus;
    int restart_rows;
    int progressive, arith, separate_scans;
    int factors[6];    // h, v of each component, instead of the layout's
    int rgb_ids;       // no JFIF marker, component ids 'R', 'G', 'B'
    int adobe;         // an Adobe marker (transform 1 for YCbCr)
    int extra_markers; // COM and APPn segments before the frame
};

struct blob {
    uint8_t *data;
    size_t size, cap;
};

/* A deterministic 32-bit hash: the tests' source of "random" numbers. */
uint32_t jpeg_maker_mix(uint32_t x);

/* Compresses s into out (zeroed first; its data released with free()); 0 when
 * libjpeg refuses the parameters (arithmetic coding in a build without it). */
int jpeg_maker_compress(const struct spec *s, struct blob *out);

/* jpeg_maker_compress() that must succeed (a cmocka failure otherwise). */
struct blob jpeg_maker_make(const struct spec *s);

/* "4:2:0 1001x777 q90 noise" and the options that differ from the defaults. */
void jpeg_maker_describe(const struct spec *s, char *buf, size_t size);

/* Frees the picture kept for the next spec of the same size and content. */
void jpeg_maker_release(void);

#endif
