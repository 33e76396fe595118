/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream video shard header codec: decode arbitrary bytes; whatever decodes must
 * re-encode to bytes that decode to the same fields. */
#include <string.h>

#include "pf/core/gs_video.h"

#include "fuzz_input.h"
#include "gs_video_header.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pfi_gs_video_hdr h, again;
    if (pfi_gs_video_hdr_decode(data, size, &h) < 0)
        return 0;
    uint8_t buf[PF_GS_VIDEO_SHARD_HEADER_BYTES];
    pfi_gs_video_hdr_encode(&h, buf);
    if (pfi_gs_video_hdr_decode(buf, sizeof(buf), &again) < 0)
        __builtin_trap();
    if (again.seq != h.seq || again.timestamp != h.timestamp || again.ssrc != h.ssrc ||
        again.packet_index != h.packet_index || again.frame_index != h.frame_index ||
        again.flags != h.flags || again.extra_flags != h.extra_flags ||
        again.multi_fec_flags != h.multi_fec_flags || again.block_index != h.block_index ||
        again.last_block != h.last_block || again.data_shards != h.data_shards ||
        again.shard_index != h.shard_index || again.fec_percent != h.fec_percent)
        __builtin_trap();
    return 0;
}
