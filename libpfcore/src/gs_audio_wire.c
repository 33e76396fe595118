/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_audio_wire.h"

#include <string.h>

#include "pf/core/error.h"
#include "pf/core/gs_audio.h"

#include "gs_bytes.h"

void pfi_gs_audio_rtp_encode(uint8_t *out, uint8_t payload_type, uint16_t seq,
                             uint32_t timestamp)
{
    out[0] = 0x80;
    out[1] = payload_type;
    pfi_put_be16(out + 2, seq);
    pfi_put_be32(out + 4, timestamp);
    pfi_put_be32(out + 8, 0);
}

void pfi_gs_audio_fec_header_encode(const pfi_gs_audio_fec_header *hdr, uint8_t *out)
{
    /* The FEC packet's own RTP timestamp is 0; the block's lives in the FEC header. */
    pfi_gs_audio_rtp_encode(out, PF_GS_AUDIO_PT_FEC, hdr->seq, 0);
    uint8_t *f = out + PF_GS_AUDIO_RTP_HEADER_BYTES;
    f[0] = hdr->shard_index;
    f[1] = PF_GS_AUDIO_PT_DATA;
    pfi_put_be16(f + 2, hdr->base_seq);
    pfi_put_be32(f + 4, hdr->base_timestamp);
    pfi_put_be32(f + 8, 0);
}

int pfi_gs_audio_rtp_decode(const uint8_t *in, size_t len, pfi_gs_audio_rtp *ret_rtp)
{
    if (len < PF_GS_AUDIO_RTP_HEADER_BYTES || (in[0] & 0xc0u) != 0x80u)
        return PF_ERR_MALFORMED;
    ret_rtp->payload_type = in[1] & 0x7fu;
    ret_rtp->seq = pfi_get_be16(in + 2);
    ret_rtp->timestamp = pfi_get_be32(in + 4);
    return 0;
}

int pfi_gs_audio_fec_header_decode(const uint8_t *in, size_t len,
                                   pfi_gs_audio_fec_header *ret_hdr)
{
    if (len < PF_GS_AUDIO_RTP_HEADER_BYTES + PF_GS_AUDIO_FEC_HEADER_BYTES)
        return PF_ERR_MALFORMED;
    const uint8_t *f = in + PF_GS_AUDIO_RTP_HEADER_BYTES;
    pfi_gs_audio_fec_header h = {
        .seq = pfi_get_be16(in + 2),
        .shard_index = f[0],
        .base_seq = pfi_get_be16(f + 2),
        .base_timestamp = pfi_get_be32(f + 4),
    };
    if (h.shard_index >= PF_GS_AUDIO_BLOCK_FEC || f[1] != PF_GS_AUDIO_PT_DATA ||
        h.base_seq % PF_GS_AUDIO_BLOCK_DATA != 0)
        return PF_ERR_MALFORMED;
    *ret_hdr = h;
    return 0;
}

void pfi_gs_audio_iv(uint32_t rikeyid, uint16_t seq, uint8_t *iv)
{
    memset(iv, 0, 16);
    pfi_put_be32(iv, rikeyid + seq);
}
