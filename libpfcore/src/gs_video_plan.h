/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GS_VIDEO_PLAN_H
#define PF_CORE_GS_VIDEO_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/gs_video.h"

/* How one frame is cut into FEC blocks (gamestream-protocol.md §6.3 steps 2–4). */
typedef struct pfi_gs_video_plan {
    uint32_t blocks;
    uint32_t data[PF_GS_VIDEO_MAX_BLOCKS];
    uint32_t parity[PF_GS_VIDEO_MAX_BLOCKS];
    uint32_t percent[PF_GS_VIDEO_MAX_BLOCKS]; /* fecPercent as announced in fecInfo */
    uint32_t total_data;
    uint32_t total_packets;
    uint32_t fec_skipped;
} pfi_gs_video_plan;

/* @p payload_bytes is CH = P - 16. PF_ERR_LIMIT when the frame exceeds 4 × 1023 shards. */
int pfi_gs_video_plan_frame(size_t au_len, uint32_t payload_bytes, uint32_t fec_percent,
                            uint32_t min_parity, pfi_gs_video_plan *ret_plan);

#endif
