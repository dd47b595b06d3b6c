/*
 * The text line of one vPDQ frame (frame number, quality, PDQ hex, timestamp),
 * as the vPDQ reference writes it.
 *
 * It is apart from fp_vpdq.c, which needs FFmpeg and lives in the media plugin
 * (media_plugin.h), so that printing frames never loads the decoders.
 */
#include <inttypes.h>
#include <stdio.h>

#include "mediavault/pdq.h"
#include "mediavault/vpdq.h"

void mv_vpdq_line(const mv_vpdq_frame *frame, char out[MV_VPDQ_LINE_MAX])
{
    char hex[MV_PDQ_HEX_LEN + 1];

    if (out == NULL)
        return;
    if (frame == NULL) {
        out[0] = '\0';
        return;
    }
    mv_pdq_to_hex(&frame->hash, hex);
    snprintf(out, MV_VPDQ_LINE_MAX, "%" PRIu64 ",%d,%s,%.3f", frame->frame_number, frame->quality,
             hex, frame->timestamp);
}
