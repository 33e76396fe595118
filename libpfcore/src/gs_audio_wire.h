/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GS_AUDIO_WIRE_H
#define PF_CORE_GS_AUDIO_WIRE_H

#include <stddef.h>
#include <stdint.h>

/* Header codec of the GameStream audio plane (gamestream-protocol.md §8.3–§8.4). */
typedef struct pfi_gs_audio_rtp {
    uint8_t payload_type;
    uint16_t seq;
    uint32_t timestamp;
} pfi_gs_audio_rtp;

typedef struct pfi_gs_audio_fec_header {
    uint16_t seq; /* RTP sequence of the FEC packet; the client ignores it */
    uint8_t shard_index;
    uint16_t base_seq;
    uint32_t base_timestamp;
} pfi_gs_audio_fec_header;

void pfi_gs_audio_rtp_encode(uint8_t *out, uint8_t payload_type, uint16_t seq,
                             uint32_t timestamp);
/* RTP plus AUDIO_FEC_HEADER, 24 bytes. */
void pfi_gs_audio_fec_header_encode(const pfi_gs_audio_fec_header *hdr, uint8_t *out);

/* PF_ERR_MALFORMED unless RTP version 2 and at least the 12 header bytes. */
int pfi_gs_audio_rtp_decode(const uint8_t *in, size_t len, pfi_gs_audio_rtp *ret_rtp);
/* PF_ERR_MALFORMED unless shard 0/1, payload type 97 and a block-aligned base. */
int pfi_gs_audio_fec_header_decode(const uint8_t *in, size_t len,
                                   pfi_gs_audio_fec_header *ret_hdr);

/* IV = BE32(rikeyid + seq) ‖ 00×12 (§8.3). */
void pfi_gs_audio_iv(uint32_t rikeyid, uint16_t seq, uint8_t *iv);

#endif
