/*
 * CUDA device detection through the driver API, loaded with dlopen().
 *
 * The prototypes below are the documented driver API entry points, declared
 * here so that no CUDA header or library is needed at build time. A missing
 * library, a driver error or zero visible devices each give a reason string
 * instead of a failure. The probe also says whether the CUDA plugin was loaded
 * (gpu_loader.c), since a device is of no use to MediaVault without it.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "../core/core.h"
#include "gpu_plugin.h"
#include "mediavault/gpu.h"

typedef int (*cu_init_fn)(unsigned);
typedef int (*cu_count_fn)(int *);
typedef int (*cu_get_fn)(int *, int);
typedef int (*cu_name_fn)(char *, int, int);
typedef int (*cu_mem_fn)(size_t *, int);
typedef int (*cu_attr_fn)(int *, int, int);
typedef int (*cu_version_fn)(int *);
typedef int (*cu_errstr_fn)(int, const char **);

enum { CC_MAJOR_ATTR = 75, CC_MINOR_ATTR = 76 };

struct cuda_api {
    cu_init_fn init;
    cu_count_fn count;
    cu_get_fn get;
    cu_name_fn name;
    cu_mem_fn mem;
    cu_attr_fn attr;
    cu_version_fn version;
    cu_errstr_fn errstr;
};

static int load_api(void *lib, struct cuda_api *api)
{
    /* dlsym returns void *; POSIX guarantees the conversion to a function pointer. */
    *(void **)&api->init = dlsym(lib, "cuInit");
    *(void **)&api->count = dlsym(lib, "cuDeviceGetCount");
    *(void **)&api->get = dlsym(lib, "cuDeviceGet");
    *(void **)&api->name = dlsym(lib, "cuDeviceGetName");
    *(void **)&api->mem = dlsym(lib, "cuDeviceTotalMem_v2");
    *(void **)&api->attr = dlsym(lib, "cuDeviceGetAttribute");
    *(void **)&api->version = dlsym(lib, "cuDriverGetVersion");
    *(void **)&api->errstr = dlsym(lib, "cuGetErrorString");
    return api->init && api->count && api->get && api->name && api->mem && api->attr;
}

static void driver_error(const struct cuda_api *api, const char *what, int rc, mv_gpu_info *out)
{
    const char *msg = NULL;

    if (api->errstr == NULL || api->errstr(rc, &msg) != 0 || msg == NULL)
        msg = "unknown driver error";
    mv__fmt(out->reason, sizeof(out->reason), "%s failed: %s (%d)", what, msg, rc);
}

static void query_device(const struct cuda_api *api, mv_gpu_info *out)
{
    int dev = 0, rc;
    size_t mem = 0;

    rc = api->get(&dev, 0);
    if (rc == 0)
        rc = api->name(out->name, (int)sizeof(out->name), dev);
    if (rc == 0)
        rc = api->mem(&mem, dev);
    if (rc == 0)
        rc = api->attr(&out->cc_major, CC_MAJOR_ATTR, dev);
    if (rc == 0)
        rc = api->attr(&out->cc_minor, CC_MINOR_ATTR, dev);
    if (rc != 0) {
        driver_error(api, "device query", rc, out);
        return;
    }
    out->total_memory = mem;
    out->available = 1;
}

static void probe_driver(const struct cuda_api *api, mv_gpu_info *out)
{
    int rc = api->init(0);

    if (rc != 0) {
        driver_error(api, "cuInit", rc, out);
        return;
    }
    if (api->version != NULL)
        api->version(&out->driver_version);
    rc = api->count(&out->device_count);
    if (rc != 0) {
        driver_error(api, "cuDeviceGetCount", rc, out);
        return;
    }
    if (out->device_count == 0) {
        const char *vis = getenv("CUDA_VISIBLE_DEVICES");
        if (vis != NULL)
            mv__fmt(out->reason, sizeof(out->reason), "no device visible (CUDA_VISIBLE_DEVICES=%s)",
                    vis);
        else
            mv__fmt(out->reason, sizeof(out->reason), "no CUDA device");
        return;
    }
    query_device(api, out);
}

static void probe_plugin(mv_gpu_info *out)
{
    const char *reason, *path;

    out->plugin_loaded = mv__gpu_plugin(&reason, &path) != NULL;
    mv__fmt(out->plugin, sizeof(out->plugin), "%s", out->plugin_loaded ? path : reason);
}

mv_status mv_gpu_probe(mv_gpu_info *out)
{
    struct cuda_api api;

    memset(out, 0, sizeof(*out));
    probe_plugin(out);
    void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        mv__fmt(out->reason, sizeof(out->reason), "libcuda.so.1 not found (no NVIDIA driver)");
        return MV_OK;
    }
    if (!load_api(lib, &api))
        mv__fmt(out->reason, sizeof(out->reason), "libcuda.so.1 lacks the driver API");
    else
        probe_driver(&api, out);
    /* The driver is kept loaded: unloading a CUDA driver is not reliably safe. */
    return MV_OK;
}
