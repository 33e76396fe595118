/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream audio packetizer: Opus packet -> RTP data packet, and after every fourth the two
 * FEC packets (gamestream-protocol.md §8.3–§8.4). */
#include "pf/core/gs_audio.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/rs8.h"

#include "pf_assert.h"
#include "gs_audio_wire.h"
#include "gs_bytes.h"
#include "pf_log.h"

#define TOPIC "gs_audio_tx"

struct pf_gs_audio_tx {
    pf_gs_audio_tx_settings s;
    pf_rs8 *rs;
    uint16_t seq;
    uint32_t timestamp;
    uint32_t block_timestamp;
    uint32_t lens[PF_GS_AUDIO_BLOCK_DATA];
    uint8_t payloads[PF_GS_AUDIO_BLOCK_DATA][PF_GS_AUDIO_MAX_PAYLOAD];
};

int pf_gs_audio_tx_settings_default(uint32_t version, pf_gs_audio_tx_settings *ret_settings)
{
    pf_assert_return(ret_settings, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(version == PF_GS_AUDIO_TX_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    memset(ret_settings, 0, sizeof(*ret_settings));
    ret_settings->version = version;
    ret_settings->packet_duration_ms = 5;
    ret_settings->fec = 1;
    return 0;
}

int pf_gs_audio_tx_create(const pf_gs_audio_tx_settings *settings, pf_gs_audio_tx **ret_tx)
{
    pf_assert_return(ret_tx, PF_ERR_INVALID_ARGUMENT);
    pf_gs_audio_tx_settings s;
    if (settings) {
        pf_assert_return(settings->version == PF_GS_AUDIO_TX_SETTINGS_VERSION,
                         PF_ERR_INVALID_ARGUMENT);
        s = *settings;
    } else {
        pf_gs_audio_tx_settings_default(PF_GS_AUDIO_TX_SETTINGS_VERSION, &s);
    }
    pf_assert_return(s.packet_duration_ms >= 1 && s.packet_duration_ms <= 100,
                     PF_ERR_INVALID_ARGUMENT);
    pf_gs_audio_tx *tx = calloc(1, sizeof(*tx));
    if (!tx)
        return PF_ERR_NOMEM;
    tx->s = s;
    if (s.fec) {
        pf_rs8_settings rs_settings;
        int r = pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &rs_settings);
        if (r >= 0) {
            rs_settings.log = s.log;
            r = pf_rs8_create(PF_GS_AUDIO_BLOCK_DATA, PF_GS_AUDIO_BLOCK_FEC,
                              PF_RS8_MATRIX_GAMESTREAM_AUDIO, &rs_settings, &tx->rs);
        }
        if (r < 0) {
            pf_gs_audio_tx_destroy(tx);
            return r;
        }
    }
    *ret_tx = tx;
    return 0;
}

void pf_gs_audio_tx_destroy(pf_gs_audio_tx *tx)
{
    if (!tx)
        return;
    pf_rs8_destroy(tx->rs);
    memset(tx->s.key, 0, sizeof(tx->s.key));
    free(tx);
}

/* Returns 1 when the FEC pair was written, 0 when the block went without. */
static int write_fec(pf_gs_audio_tx *tx, uint16_t base, uint8_t *out, size_t stride,
                     uint32_t *ret_len)
{
    uint32_t len = tx->lens[0];
    for (uint32_t i = 1; i < PF_GS_AUDIO_BLOCK_DATA; i++) {
        /* The client's FEC needs equal shards; with VBR Opus it turns FEC off (§8.2). */
        if (tx->lens[i] != len)
            return 0;
    }
    const uint8_t *data[PF_GS_AUDIO_BLOCK_DATA];
    uint8_t *parity[PF_GS_AUDIO_BLOCK_FEC];
    for (uint32_t i = 0; i < PF_GS_AUDIO_BLOCK_DATA; i++)
        data[i] = tx->payloads[i];
    for (uint32_t j = 0; j < PF_GS_AUDIO_BLOCK_FEC; j++) {
        uint8_t *pkt = out + (size_t)j * stride;
        pfi_gs_audio_fec_header hdr = {
            .seq = (uint16_t)(base + PF_GS_AUDIO_BLOCK_DATA + j),
            .shard_index = (uint8_t)j,
            .base_seq = base,
            .base_timestamp = tx->block_timestamp,
        };
        pfi_gs_audio_fec_header_encode(&hdr, pkt);
        parity[j] = pkt + PF_GS_AUDIO_RTP_HEADER_BYTES + PF_GS_AUDIO_FEC_HEADER_BYTES;
    }
    if (pf_rs8_encode(tx->rs, data, parity, len) < 0)
        return 0;
    *ret_len = PF_GS_AUDIO_RTP_HEADER_BYTES + PF_GS_AUDIO_FEC_HEADER_BYTES + len;
    return 1;
}

int pf_gs_audio_tx_packetize(pf_gs_audio_tx *tx, const uint8_t *opus, size_t len, uint8_t *out,
                             size_t out_cap, size_t stride, pf_gs_audio_tx_result *ret_result)
{
    pf_assert_return(tx && opus && out && ret_result && len >= 1, PF_ERR_INVALID_ARGUMENT);
    size_t payload_len = tx->s.encrypt ? (len / 16u + 1u) * 16u : len;
    if (payload_len > PF_GS_AUDIO_MAX_PAYLOAD)
        return PF_ERR_LIMIT;
    const size_t data_bytes = PF_GS_AUDIO_RTP_HEADER_BYTES + payload_len;
    const size_t fec_bytes = data_bytes + PF_GS_AUDIO_FEC_HEADER_BYTES;
    const uint16_t seq = tx->seq;
    const uint32_t slot = seq % PF_GS_AUDIO_BLOCK_DATA;
    const int closes_block = tx->rs && slot == PF_GS_AUDIO_BLOCK_DATA - 1u;
    if (closes_block) {
        pf_assert_return(stride >= fec_bytes, PF_ERR_INVALID_ARGUMENT);
        if (out_cap / stride < 2u || out_cap - 2u * stride < fec_bytes)
            return PF_ERR_BUFFER_TOO_SMALL;
    } else if (out_cap < data_bytes) {
        return PF_ERR_BUFFER_TOO_SMALL;
    }

    pfi_gs_audio_rtp_encode(out, PF_GS_AUDIO_PT_DATA, seq, tx->timestamp);
    uint8_t *payload = out + PF_GS_AUDIO_RTP_HEADER_BYTES;
    if (tx->s.encrypt) {
        uint8_t iv[PF_AES_BLOCK_BYTES];
        pfi_gs_audio_iv(tx->s.rikeyid, seq, iv);
        size_t clen = 0;
        int r = pf_aes128_cbc_encrypt_pkcs7(tx->s.crypto, tx->s.key, iv, opus, len, payload,
                                            payload_len, &clen);
        if (r < 0)
            return r;
        if (clen != payload_len)
            return PF_ERR_CRYPTO;
    } else {
        memcpy(payload, opus, len);
    }

    pf_gs_audio_tx_result res = {
        .packet_count = 1,
        .packet_bytes = {(uint32_t)data_bytes, 0, 0},
        .seq = seq,
        .timestamp = tx->timestamp,
    };
    if (tx->rs) {
        if (slot == 0)
            tx->block_timestamp = tx->timestamp;
        memcpy(tx->payloads[slot], payload, payload_len);
        tx->lens[slot] = (uint32_t)payload_len;
        if (closes_block) {
            uint32_t flen = 0;
            if (write_fec(tx, (uint16_t)(seq - slot), out + stride, stride, &flen)) {
                res.packet_count = 3;
                res.packet_bytes[1] = flen;
                res.packet_bytes[2] = flen;
            } else {
                res.fec_skipped = 1;
                pfi_log_debug(&tx->s.log, TOPIC, "block %u: unequal payloads, no FEC",
                              (unsigned)(uint16_t)(seq - slot));
            }
        }
    }
    tx->seq = (uint16_t)(seq + 1u);
    tx->timestamp += tx->s.packet_duration_ms;
    *ret_result = res;
    return 0;
}
