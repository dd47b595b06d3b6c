/*
 * Private interface of fp_file.c for the scanner, which reads a media file
 * whole once and has already hashed the buffer it fingerprints.
 */
#ifndef MV_FP_FILE_H
#define MV_FP_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "mediavault/digest.h"
#include "mediavault/fingerprint.h"

/* mv_fp_mem() for a buffer whose MD5 the caller computed from these very
 * bytes: md5 is taken as is instead of being computed again. */
mv_status mv__fp_mem_md5(mv_fp *fp, const uint8_t *data, size_t size, const uint8_t md5[MV_MD5_LEN],
                         mv_fp_result *out);

#endif
