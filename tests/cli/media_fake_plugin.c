/*
 * A fake media plugin that the library must refuse, one shared object per
 * FAKE_MODE: 1 answers with a table of another ABI version, 2 with a table
 * smaller than the host needs, 3 with no table at all. media_plugin.sh loads
 * each through $MEDIAVAULT_MEDIA_PLUGIN and expects the reason, never a crash.
 */
#include <stddef.h>
#include <stdint.h>

#include "media/media_plugin.h"

static const struct mv_media_plugin table = {
    .abi = FAKE_MODE == 1 ? MV_MEDIA_PLUGIN_ABI + 1 : MV_MEDIA_PLUGIN_ABI,
    .size = FAKE_MODE == 2 ? offsetof(struct mv_media_plugin, image_decode_mem)
                           : sizeof(struct mv_media_plugin),
    .decoders = "nothing",
};

__attribute__((visibility("default"))) const struct mv_media_plugin *
mv_media_plugin_entry(uint32_t abi_version, const struct mv_media_host *host)
{
    (void)abi_version;
    (void)host;
    return FAKE_MODE == 3 ? NULL : &table;
}
