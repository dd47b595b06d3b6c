/*
 * A fake decoder plugin that the library must refuse, one shared object per
 * FAKE_MODE: 1 answers with a table of another ABI version, 2 with a table
 * smaller than the host needs, 3 with no table at all. Built as the media
 * plugin, or as the JPEG plugin when FAKE_JPEG is 1. media_plugin.sh loads
 * each through $MEDIAVAULT_MEDIA_PLUGIN or $MEDIAVAULT_JPEG_PLUGIN and
 * expects the reason, never a crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "media/media_plugin.h"

#if FAKE_JPEG
#define TABLE    mv_jpeg_plugin
#define FIRST_FN image_jpeg_rows
#define ENTRY    mv_jpeg_plugin_entry
#else
#define TABLE    mv_media_plugin
#define FIRST_FN image_png
#define ENTRY    mv_media_plugin_entry
#endif

static const struct TABLE table = {
    .abi = FAKE_MODE == 1 ? MV_MEDIA_PLUGIN_ABI + 1 : MV_MEDIA_PLUGIN_ABI,
    .size = FAKE_MODE == 2 ? offsetof(struct TABLE, FIRST_FN) : sizeof(struct TABLE),
    .decoders = "nothing",
};

__attribute__((visibility("default"))) const struct TABLE *ENTRY(uint32_t abi_version,
                                                                 const struct mv_media_host *host)
{
    (void)abi_version;
    (void)host;
    return FAKE_MODE == 3 ? NULL : &table;
}
