/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_video_header.h"

#include "pf/core/error.h"
#include "pf/core/gs_video.h"
#include "pf/core/rs8.h"

#include "gs_bytes.h"

uint32_t pfi_gs_video_parity_for(uint32_t data_shards, uint32_t fec_percent)
{
    return (data_shards * fec_percent + 99u) / 100u;
}

static uint32_t fec_info(const pfi_gs_video_hdr *hdr)
{
    return (hdr->data_shards << 22) | ((hdr->shard_index & 0x3ffu) << 12) |
           ((hdr->fec_percent & 0xffu) << 4);
}

static uint8_t multi_fec_blocks(const pfi_gs_video_hdr *hdr)
{
    return (uint8_t)(((hdr->block_index & 3u) << 4) | ((hdr->last_block & 3u) << 6));
}

void pfi_gs_video_hdr_encode(const pfi_gs_video_hdr *hdr, uint8_t *out)
{
    out[0] = PFI_GS_RTP_BYTE0;
    out[1] = 0;
    pfi_put_be16(out + 2, hdr->seq);
    pfi_put_be32(out + 4, hdr->timestamp);
    pfi_put_be32(out + 8, hdr->ssrc);
    pfi_put_le32(out + 12, 0);
    pfi_put_le32(out + 16, (hdr->packet_index & 0xffffffu) << 8);
    pfi_put_le32(out + 20, hdr->frame_index);
    out[24] = hdr->flags;
    out[25] = hdr->extra_flags;
    out[26] = hdr->multi_fec_flags;
    out[27] = multi_fec_blocks(hdr);
    pfi_put_le32(out + 28, fec_info(hdr));
}

void pfi_gs_video_hdr_encode_parity(const pfi_gs_video_hdr *hdr, uint8_t *out)
{
    /* Bytes 16–19 and 24–26 stay as RS produced them: the client decodes through them
     * (§6.5), so they must be the parity of what the data shards carry. */
    out[0] = PFI_GS_RTP_BYTE0;
    pfi_put_be16(out + 2, hdr->seq);
    pfi_put_be32(out + 4, hdr->timestamp);
    pfi_put_le32(out + 20, hdr->frame_index);
    out[27] = multi_fec_blocks(hdr);
    pfi_put_le32(out + 28, fec_info(hdr));
}

int pfi_gs_video_hdr_decode(const uint8_t *in, size_t len, pfi_gs_video_hdr *ret_hdr)
{
    if (len < PF_GS_VIDEO_SHARD_HEADER_BYTES)
        return PF_ERR_MALFORMED;
    /* RTP version 2 with the extension bit: the client skips 4 bytes only when X is set. */
    if ((in[0] & 0xc0u) != 0x80u || !(in[0] & 0x10u))
        return PF_ERR_MALFORMED;
    pfi_gs_video_hdr h;
    h.seq = pfi_get_be16(in + 2);
    h.timestamp = pfi_get_be32(in + 4);
    h.ssrc = pfi_get_be32(in + 8);
    h.packet_index = pfi_get_le32(in + 16) >> 8;
    h.frame_index = pfi_get_le32(in + 20);
    h.flags = in[24];
    h.extra_flags = in[25];
    h.multi_fec_flags = in[26];
    h.block_index = (uint8_t)((in[27] >> 4) & 3u);
    h.last_block = (uint8_t)((in[27] >> 6) & 3u);
    uint32_t fi = pfi_get_le32(in + 28);
    h.data_shards = fi >> 22;
    h.shard_index = (fi >> 12) & 0x3ffu;
    h.fec_percent = (fi >> 4) & 0xffu;

    if (h.block_index > h.last_block || h.data_shards == 0)
        return PF_ERR_MALFORMED;
    uint32_t parity = pfi_gs_video_parity_for(h.data_shards, h.fec_percent);
    if (parity > 0 && h.data_shards + parity > PF_RS8_MAX_SHARDS)
        return PF_ERR_MALFORMED;
    if (h.shard_index >= h.data_shards + parity)
        return PF_ERR_MALFORMED;
    *ret_hdr = h;
    return 0;
}
