/**
 * GPU detection. MediaVault never needs CUDA to build or to run: the driver
 * library is opened with dlopen() at run time, and CUDA_VISIBLE_DEVICES is
 * honoured because the driver applies it.
 */
#ifndef MEDIAVAULT_GPU_H
#define MEDIAVAULT_GPU_H

#include "mediavault/api.h"

#include <stddef.h>
#include <stdint.h>

#include "mediavault/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mv_gpu_info {
    int available;          /* 1 when a CUDA device can be used */
    int device_count;       /* visible devices */
    char name[256];         /* device 0 */
    uint64_t total_memory;  /* bytes, device 0 */
    int cc_major, cc_minor; /* compute capability, device 0 */
    int driver_version;     /* e.g. 12040 for 12.4 */
    char reason[256];       /* why not available */
    int plugin_loaded;      /* 1 when mediavault-cuda.so was found and accepted */
    char plugin[1024];      /* the plugin's path when loaded, else why it was not */
} mv_gpu_info;

/**
 * Looks for a CUDA device (once per call; cheap after the first) and reports
 * whether the CUDA plugin was loaded (once per process).
 * Returns: MV_OK always; out->available says whether one was found, and
 *          out->reason says why not; out->plugin_loaded and out->plugin say
 *          where the plugin was loaded from, or why it was not.
 */
MV_API mv_status mv_gpu_probe(mv_gpu_info *out);

#ifdef __cplusplus
}
#endif

#endif
