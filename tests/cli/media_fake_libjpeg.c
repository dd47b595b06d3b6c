/*
 * A libjpeg.so.62 that lacks jpeg_skip_scanlines(): every other function the
 * JPEG plugin calls is here, under the version the real library gives it
 * (media_fake_libjpeg.map), and aborts when called. Loaded in place of the real
 * one (LD_LIBRARY_PATH), it must make the JPEG plugin refused when it is
 * loaded, with dlopen()'s reason, before any of these is called.
 */
#include <stdlib.h>

void jpeg_CreateDecompress(void);
void jpeg_destroy_decompress(void);
void jpeg_finish_decompress(void);
void jpeg_read_header(void);
void jpeg_read_scanlines(void);
void jpeg_start_decompress(void);
void jpeg_std_error(void);
void jpeg_mem_src(void);

void jpeg_CreateDecompress(void)
{
    abort();
}

void jpeg_destroy_decompress(void)
{
    abort();
}

void jpeg_finish_decompress(void)
{
    abort();
}

void jpeg_read_header(void)
{
    abort();
}

void jpeg_read_scanlines(void)
{
    abort();
}

void jpeg_start_decompress(void)
{
    abort();
}

void jpeg_std_error(void)
{
    abort();
}

void jpeg_mem_src(void)
{
    abort();
}
