/*
 * mv_media_load() and mv_media_load_kind() of the static library, which links the decoders directly
 * instead of loading the decoder plugins (media_plugin_loader.c does that for
 * the shared library): they are always there.
 */
#include <stddef.h>

#include "mediavault/media.h"

mv_status mv_media_load(const char **detail)
{
    if (detail != NULL)
        *detail = "linked in: images, audio, video";
    return MV_OK;
}

mv_status mv_media_load_kind(mv_media_kind kind, const char **detail)
{
    const char *d = kind == MV_MEDIA_KIND_JPEG    ? "linked in: images (JPEG)"
                    : kind == MV_MEDIA_KIND_MEDIA ? "linked in: images, audio, video"
                                                  : "unknown decoder plugin kind";

    if (detail != NULL)
        *detail = d;
    return kind == MV_MEDIA_KIND_JPEG || kind == MV_MEDIA_KIND_MEDIA ? MV_OK : MV_EINVAL;
}
