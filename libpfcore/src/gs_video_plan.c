/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_video_plan.h"

#include "pf/core/error.h"
#include "pf/core/rs8.h"

#include "gs_video_header.h"

int pfi_gs_video_plan_frame(size_t au_len, uint32_t payload_bytes, uint32_t fec_percent,
                            uint32_t min_parity, pfi_gs_video_plan *ret_plan)
{
    const uint64_t max_shards = (uint64_t)PF_GS_VIDEO_MAX_BLOCKS * PF_GS_VIDEO_MAX_BLOCK_DATA;
    if (payload_bytes == 0 || au_len > max_shards * payload_bytes)
        return PF_ERR_LIMIT;
    uint64_t frame_len = (uint64_t)au_len + PF_GS_VIDEO_FRAME_HEADER_BYTES;
    uint64_t n = (frame_len + payload_bytes - 1u) / payload_bytes;
    if (n > max_shards)
        return PF_ERR_LIMIT;

    pfi_gs_video_plan p = {0};
    uint32_t fec = fec_percent;
    /* Largest block whose data plus parity stays within the RS limit of 255 shards. */
    uint64_t per_block = (PF_RS8_MAX_SHARDS * 100u) / (100u + fec);
    uint64_t blocks = (n + per_block - 1u) / per_block;
    if (blocks > PF_GS_VIDEO_MAX_BLOCKS) {
        /* Sunshine's rule: a frame that needs more than four blocks goes without parity
         * rather than not at all; the client then loses it on any drop. */
        p.fec_skipped = fec != 0;
        fec = 0;
        blocks = PF_GS_VIDEO_MAX_BLOCKS;
    }
    /* Equal shares, the first blocks one shard larger: every block stays within per_block
     * (or 1023 without parity) and none is empty. */
    uint64_t base = n / blocks, rem = n % blocks;
    if (base + (rem ? 1u : 0u) > PF_GS_VIDEO_MAX_BLOCK_DATA)
        return PF_ERR_LIMIT;
    p.blocks = (uint32_t)blocks;
    p.total_data = (uint32_t)n;
    p.total_packets = 0;
    for (uint32_t b = 0; b < p.blocks; b++) {
        uint32_t k = (uint32_t)(base + (b < rem ? 1u : 0u));
        uint32_t m = pfi_gs_video_parity_for(k, fec);
        uint32_t pct = fec;
        if (fec != 0 && m < min_parity) {
            /* §6.3 step 4: announce a percentage that reproduces min_parity through the
             * client's formula; only blocks of at most 100 shards get here. */
            m = min_parity;
            pct = 100u * m / k;
        }
        if (m > 0 && k + m > PF_RS8_MAX_SHARDS)
            return PF_ERR_LIMIT;
        p.data[b] = k;
        p.parity[b] = m;
        p.percent[b] = pct;
        p.total_packets += k + m;
    }
    *ret_plan = p;
    return 0;
}
