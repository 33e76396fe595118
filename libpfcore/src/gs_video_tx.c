/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream video packetizer: access unit -> data and parity datagrams (gamestream-protocol.md
 * §6.2–§6.6). */
#include "pf/core/gs_video.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/rs8.h"

#include "pf_assert.h"
#include "gs_bytes.h"
#include "gs_rs8_cache.h"
#include "gs_video_header.h"
#include "gs_video_plan.h"
#include "pf_log.h"

#define TOPIC "gs_video_tx"

struct pf_gs_video_tx {
    pf_gs_video_tx_settings s;
    pf_aead *aead;
    pfi_rs8_cache cache;
    uint16_t seq;
    uint32_t packet_counter;
    uint32_t frame_index;
    uint64_t nonce_counter;
};

int pf_gs_video_tx_settings_default(uint32_t version, pf_gs_video_tx_settings *ret_settings)
{
    pf_assert_return(ret_settings, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(version == PF_GS_VIDEO_TX_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    memset(ret_settings, 0, sizeof(*ret_settings));
    ret_settings->version = version;
    ret_settings->packet_size = 1392;
    ret_settings->fec_percent = 20;
    ret_settings->min_parity = 2;
    ret_settings->first_frame_index = 1;
    ret_settings->max_shapes = 64;
    return 0;
}

int pf_gs_video_tx_create(const pf_gs_video_tx_settings *settings, pf_gs_video_tx **ret_tx)
{
    pf_assert_return(ret_tx, PF_ERR_INVALID_ARGUMENT);
    pf_gs_video_tx_settings s;
    if (settings) {
        pf_assert_return(settings->version == PF_GS_VIDEO_TX_SETTINGS_VERSION,
                         PF_ERR_INVALID_ARGUMENT);
        s = *settings;
    } else {
        pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &s);
    }
    pf_assert_return(s.packet_size >= PF_GS_VIDEO_MIN_PACKET_SIZE &&
                         s.packet_size <= PF_GS_VIDEO_MAX_PACKET_SIZE,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.fec_percent <= 255, PF_ERR_INVALID_ARGUMENT);
    /* A one-shard block with min_parity p announces 100·p percent, which must fit 8 bits. */
    pf_assert_return(s.min_parity <= 2, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.first_frame_index >= 1, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.max_shapes >= 1 && s.max_shapes <= 256, PF_ERR_INVALID_ARGUMENT);

    pf_gs_video_tx *tx = calloc(1, sizeof(*tx));
    if (!tx)
        return PF_ERR_NOMEM;
    tx->s = s;
    tx->frame_index = s.first_frame_index;
    int r = pfi_rs8_cache_init(&tx->cache, s.max_shapes, &tx->s.log);
    if (r < 0)
        goto fail;
    if (s.encrypt) {
        r = pf_aead_create(s.crypto, PF_AEAD_AES128_GCM, s.key, sizeof(s.key), &tx->aead);
        if (r < 0)
            goto fail;
    }
    /* The key lives in the AEAD context only. */
    memset(tx->s.key, 0, sizeof(tx->s.key));
    *ret_tx = tx;
    return 0;
fail:
    pf_gs_video_tx_destroy(tx);
    return r;
}

void pf_gs_video_tx_destroy(pf_gs_video_tx *tx)
{
    if (!tx)
        return;
    pfi_rs8_cache_finish(&tx->cache);
    pf_aead_destroy(tx->aead);
    free(tx);
}

static uint32_t packet_bytes(const pf_gs_video_tx *tx)
{
    return PF_GS_VIDEO_RTP_HEADER_BYTES + tx->s.packet_size +
           (tx->aead ? PF_GS_VIDEO_CRYPTO_PREFIX_BYTES : 0u);
}

int pf_gs_video_tx_set_fec_percent(pf_gs_video_tx *tx, uint32_t fec_percent)
{
    pf_assert_return(tx && fec_percent <= 255, PF_ERR_INVALID_ARGUMENT);
    /* The RS cache is keyed by (k, m), so a new percentage only adds shapes to it. */
    tx->s.fec_percent = fec_percent;
    return 0;
}

uint32_t pf_gs_video_tx_get_fec_percent(const pf_gs_video_tx *tx)
{
    return tx ? tx->s.fec_percent : 0;
}

int pf_gs_video_tx_get_frame_size(const pf_gs_video_tx *tx, size_t au_len,
                                  uint32_t *ret_packet_bytes, uint32_t *ret_max_packets)
{
    pf_assert_return(tx && ret_packet_bytes && ret_max_packets, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(au_len >= 1, PF_ERR_INVALID_ARGUMENT);
    pfi_gs_video_plan plan;
    int r = pfi_gs_video_plan_frame(au_len, tx->s.packet_size - 16u, tx->s.fec_percent,
                                    tx->s.min_parity, &plan);
    if (r < 0)
        return r;
    *ret_packet_bytes = packet_bytes(tx);
    *ret_max_packets = plan.total_packets;
    return 0;
}

/* Copies bytes [from, from + n) of the frame buffer (8-byte header ‖ AU), zero past its end. */
static void copy_frame_bytes(uint8_t *dst, size_t from, size_t n, const uint8_t *fh,
                             const uint8_t *au, size_t au_len)
{
    size_t done = 0;
    while (done < n && from + done < PF_GS_VIDEO_FRAME_HEADER_BYTES) {
        dst[done] = fh[from + done];
        done++;
    }
    if (done < n) {
        size_t at = from + done - PF_GS_VIDEO_FRAME_HEADER_BYTES;
        size_t avail = at < au_len ? au_len - at : 0;
        size_t take = n - done < avail ? n - done : avail;
        memcpy(dst + done, au + at, take);
        done += take;
    }
    memset(dst + done, 0, n - done);
}

static int seal_all(pf_gs_video_tx *tx, uint8_t *out, size_t stride, uint32_t count,
                    uint32_t frame_index, size_t shard_bytes, uint64_t *nonce_counter)
{
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *pkt = out + (size_t)i * stride;
        uint8_t *nonce = pkt;
        /* §6.6: the nonce only has to be unique per key; a datagram counter never repeats. */
        pfi_put_le64(nonce, *nonce_counter);
        nonce[8] = 0;
        nonce[9] = 0;
        nonce[10] = 0;
        nonce[11] = 'V';
        pfi_put_le32(pkt + 12, frame_index);
        int r = pf_aead_seal(tx->aead, nonce, NULL, 0, pkt + PF_GS_VIDEO_CRYPTO_PREFIX_BYTES,
                             shard_bytes, pkt + PF_GS_VIDEO_CRYPTO_PREFIX_BYTES, pkt + 16);
        if (r < 0)
            return r;
        (*nonce_counter)++;
    }
    return 0;
}

int pf_gs_video_tx_packetize(pf_gs_video_tx *tx, const pf_gs_video_frame_info *info,
                             const uint8_t *au, size_t au_len, uint8_t *out, size_t out_cap,
                             size_t stride, pf_gs_video_tx_result *ret_result)
{
    pf_assert_return(tx && info && au && out && ret_result, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(info->version == PF_GS_VIDEO_FRAME_INFO_VERSION, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(au_len >= 1, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(info->frame_type <= 255 && info->extra_flags <= 255,
                     PF_ERR_INVALID_ARGUMENT);

    const uint32_t ch = tx->s.packet_size - 16u;
    pfi_gs_video_plan plan;
    int r = pfi_gs_video_plan_frame(au_len, ch, tx->s.fec_percent, tx->s.min_parity, &plan);
    if (r < 0)
        return r;
    const size_t pbytes = packet_bytes(tx);
    pf_assert_return(stride >= pbytes, PF_ERR_INVALID_ARGUMENT);
    if (out_cap < pbytes || (out_cap - pbytes) / stride < plan.total_packets - 1u)
        return PF_ERR_BUFFER_TOO_SMALL;

    uint8_t fh[PF_GS_VIDEO_FRAME_HEADER_BYTES];
    size_t frame_len = au_len + PF_GS_VIDEO_FRAME_HEADER_BYTES;
    uint32_t last_payload = (uint32_t)(frame_len % ch);
    fh[0] = 0x01;
    pfi_put_le16(fh + 1,
                 (uint16_t)(info->host_latency > 0xffffu ? 0xffffu : info->host_latency));
    fh[3] = (uint8_t)info->frame_type;
    pfi_put_le16(fh + 4, (uint16_t)(last_payload ? last_payload : ch));
    fh[6] = 0;
    fh[7] = 0;

    const size_t off = tx->aead ? PF_GS_VIDEO_CRYPTO_PREFIX_BYTES : 0u;
    const size_t shard_bytes = PF_GS_VIDEO_RTP_HEADER_BYTES + tx->s.packet_size;
    uint16_t seq = tx->seq;
    uint32_t counter = tx->packet_counter;
    uint32_t pkt = 0;
    uint32_t data_index = 0;

    for (uint32_t b = 0; b < plan.blocks; b++) {
        const uint32_t k = plan.data[b];
        const uint32_t m = plan.parity[b];
        pfi_gs_video_hdr h = {
            .timestamp = info->rtp_timestamp,
            .frame_index = tx->frame_index,
            .extra_flags = (uint8_t)info->extra_flags,
            .multi_fec_flags = PFI_GS_MULTI_FEC_FLAGS,
            .block_index = (uint8_t)b,
            .last_block = (uint8_t)(plan.blocks - 1u),
            .data_shards = k,
            .fec_percent = plan.percent[b],
        };
        uint8_t *shards[PF_RS8_MAX_SHARDS];
        for (uint32_t j = 0; j < k + m; j++) {
            uint8_t *shard = out + (size_t)(pkt + j) * stride + off;
            if (j < PF_RS8_MAX_SHARDS)
                shards[j] = shard;
            h.seq = (uint16_t)(seq + j);
            h.packet_index = (counter + j) & 0xffffffu;
            h.shard_index = j;
            if (j < k) {
                h.flags = PF_GS_VIDEO_FLAG_PIC_DATA;
                if (j == 0)
                    h.flags |= PF_GS_VIDEO_FLAG_SOF;
                if (j == k - 1u)
                    h.flags |= PF_GS_VIDEO_FLAG_EOF;
                pfi_gs_video_hdr_encode(&h, shard);
                copy_frame_bytes(shard + PF_GS_VIDEO_SHARD_HEADER_BYTES,
                                 (size_t)(data_index + j) * ch, ch, fh, au, au_len);
            }
        }
        if (m > 0) {
            pf_rs8 *rs = NULL;
            r = pfi_rs8_cache_get(&tx->cache, k, m, PF_RS8_MATRIX_CAUCHY, &rs);
            if (r < 0)
                return r;
            /* §6.3 step 6: parity over the whole shards, headers included, so that the
             * bytes the client decodes through (16–19, 24–26) are consistent. */
            r = pf_rs8_encode(rs, (const uint8_t *const *)shards, shards + k, shard_bytes);
            if (r < 0)
                return r;
            for (uint32_t j = k; j < k + m; j++) {
                h.seq = (uint16_t)(seq + j);
                h.shard_index = j;
                pfi_gs_video_hdr_encode_parity(&h, shards[j]);
            }
        }
        seq = (uint16_t)(seq + k + m);
        counter += k + m;
        pkt += k + m;
        data_index += k;
    }

    uint64_t nonce_counter = tx->nonce_counter;
    if (tx->aead) {
        r = seal_all(tx, out, stride, pkt, tx->frame_index, shard_bytes, &nonce_counter);
        if (r < 0)
            return r;
    }
    if (plan.fec_skipped)
        pfi_log_debug(&tx->s.log, TOPIC, "frame %u: %u shards need more than %u blocks, sent without FEC",
                      tx->frame_index, plan.total_data, PF_GS_VIDEO_MAX_BLOCKS);

    pf_gs_video_tx_result res = {
        .packet_count = pkt,
        .packet_bytes = (uint32_t)pbytes,
        .frame_index = tx->frame_index,
        .block_count = plan.blocks,
        .data_shards = plan.total_data,
        .parity_shards = pkt - plan.total_data,
        .fec_skipped = plan.fec_skipped,
        .first_seq = tx->seq,
    };
    tx->seq = seq;
    tx->packet_counter = counter & 0xffffffu;
    tx->frame_index++;
    tx->nonce_counter = nonce_counter;
    *ret_result = res;
    return 0;
}
