/*
 * The CUDA plugin ABI, shared by the library (the host, gpu_loader.c) and the
 * plugin mediavault-cuda.so (gpu_md5.cu), plus the host's loader interface.
 *
 * The plugin exports exactly one symbol, mv_gpu_plugin_entry(). The host calls
 * it with the ABI version it was built with and gets back a const table that
 * states the plugin's own ABI version and the size of its table (the idea of
 * redis' RedisModule_Init and its API version). The host accepts the table only
 * when the version is equal and the size covers every field it knows; fields
 * may be appended at the end without a new version. Anything else is logged and
 * the host stays on the CPU: a bad plugin never makes a run fail.
 *
 * Only plain C types cross the boundary: no mv_status, no allocator hooks, no
 * CUDA types. Functions return 0 on success and nonzero with a message in err
 * (always NUL-terminated) on failure. The table is valid for the life of the
 * process: the host never unloads the plugin.
 */
#ifndef MV_GPU_PLUGIN_H
#define MV_GPU_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MV_GPU_PLUGIN_ABI   1
#define MV_GPU_PLUGIN_FILE  "mediavault-cuda.so"
#define MV_GPU_PLUGIN_ENTRY "mv_gpu_plugin_entry"

/* What device_query() reports about device 0 (after CUDA_VISIBLE_DEVICES). */
struct mv_gpu_plugin_device {
    char name[256];
    uint64_t total_memory; /* bytes */
    int device_count;
    int cc_major, cc_minor;
    int runtime_version; /* CUDA runtime the plugin was built with, e.g. 13000 */
    int driver_version;  /* CUDA version the driver supports */
};

struct mv_gpu_plugin {
    uint32_t abi;     /* MV_GPU_PLUGIN_ABI of the plugin */
    uint32_t size;    /* sizeof(struct mv_gpu_plugin) in the plugin */
    const char *name; /* "cuda" */
    /*
     * Describes device 0 and checks that the plugin's kernels can run on it.
     * Returns 0, or nonzero with the reason in err (no driver, no device, no
     * kernel image for this compute capability, ...).
     */
    int (*device_query)(struct mv_gpu_plugin_device *out, char *err, size_t errlen);
    /*
     * MD5 of n buffers: buffer i is data[offsets[i] .. offsets[i] + lengths[i]),
     * its digest goes to out[i]. Buffers may overlap and lie at any offset.
     * Thread-safe (calls are serialised inside the plugin); synchronous: the
     * caller's memory is no longer used when it returns.
     */
    int (*md5_buffers)(const uint8_t *data, const uint64_t *offsets, const uint64_t *lengths,
                       size_t n, uint8_t (*out)[16], char *err, size_t errlen);
    /* Releases the plugin's device and pinned memory; a later call sets them up again. */
    void (*shutdown)(void);
};

typedef const struct mv_gpu_plugin *(*mv_gpu_plugin_entry_fn)(uint32_t abi_version);

/*
 * The plugin's only export. Returns its table (whatever abi_version is: the host
 * decides whether it can use it), or NULL when the plugin cannot serve that host.
 */
const struct mv_gpu_plugin *mv_gpu_plugin_entry(uint32_t abi_version);

#ifndef MV_GPU_PLUGIN_BUILD
/*
 * Host side (gpu_loader.c, inside libmediavault).
 *
 * mv__gpu_plugin() finds, loads and checks the plugin once per process: next to
 * libmediavault.so (found with dladdr), then in $MEDIAVAULT_PLUGIN_DIR. Returns
 * the table, or NULL with *reason saying why (not found, dlopen error, wrong ABI
 * or size). *path, when not NULL, receives the file that was loaded or refused
 * ("" when none was found). Strings are static and stay valid.
 */
const struct mv_gpu_plugin *mv__gpu_plugin(const char **reason, const char **path);

/*
 * Loads and checks one plugin file, without the once-per-process cache (tests
 * and diagnostics). A refusal is logged at MV_LOG_WARN.
 */
const struct mv_gpu_plugin *mv__gpu_plugin_open(const char *path, char *reason, size_t len);
#endif

#ifdef __cplusplus
}
#endif

#endif
