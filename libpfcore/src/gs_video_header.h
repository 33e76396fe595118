/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GS_VIDEO_HEADER_H
#define PF_CORE_GS_VIDEO_HEADER_H

#include <stddef.h>
#include <stdint.h>

/* The 32 bytes in front of every GameStream video shard (gamestream-protocol.md §6.2), kept
 * apart from block logic so that the punktfunk/1 header can sit beside it. */
typedef struct pfi_gs_video_hdr {
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    uint32_t packet_index; /* 24-bit streamPacketIndex (not shifted) */
    uint32_t frame_index;
    uint8_t flags;
    uint8_t extra_flags;
    uint8_t multi_fec_flags;
    uint8_t block_index;
    uint8_t last_block;
    uint32_t data_shards;
    uint32_t shard_index;
    uint32_t fec_percent;
} pfi_gs_video_hdr;

#define PFI_GS_RTP_BYTE0 0x90u
#define PFI_GS_MULTI_FEC_FLAGS 0x10u

/* Writes all 32 bytes. */
void pfi_gs_video_hdr_encode(const pfi_gs_video_hdr *hdr, uint8_t *out);

/* Writes only the bytes a parity shard gets after RS (§6.3 step 7): 0, 2–7, 20–23, 27, 28–31. */
void pfi_gs_video_hdr_encode_parity(const pfi_gs_video_hdr *hdr, uint8_t *out);

/* Parses and range-checks the 32 bytes; PF_ERR_MALFORMED when the RTP version or X bit is
 * wrong, a field is out of range or the parity count the client derives exceeds the RS limit. */
int pfi_gs_video_hdr_decode(const uint8_t *in, size_t len, pfi_gs_video_hdr *ret_hdr);

/* Parity shards of a block as the client derives them from fecInfo (§6.2). */
uint32_t pfi_gs_video_parity_for(uint32_t data_shards, uint32_t fec_percent);

#endif
