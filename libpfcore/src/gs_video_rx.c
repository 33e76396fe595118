/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream video reassembler: what the client does with datagrams (gamestream-protocol.md
 * §6.4–§6.6). One frame is held at a time; each of its up to four blocks has its own slot
 * region so that blocks may interleave, and a block is decoded as soon as it holds k shards. */
#include "pf/core/gs_video.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/rs8.h"

#include "pf_assert.h"
#include "gs_bytes.h"
#include "gs_rs8_cache.h"
#include "gs_video_header.h"
#include "pf_log.h"
#include "shard_block.h"

#define TOPIC "gs_video_rx"

/* GameStream's view of a block: the generic shard bookkeeping plus the fields every shard
 * of the block must agree on (§6.4). */
typedef struct block_state {
    pfi_shard_block shards;
    uint32_t percent;
    uint16_t seq_base;
} block_state;

struct pf_gs_video_rx {
    pf_gs_video_rx_settings s;
    pf_aead *aead;
    pfi_rs8_cache cache;
    size_t shard_bytes;
    uint32_t payload_bytes;
    uint8_t *arena;   /* 4 regions of max_block_shards slots of shard_bytes */
    uint8_t *present; /* one flag per slot, regions like the arena */
    uint8_t *scratch; /* one decrypted datagram */
    block_state blocks[PF_GS_VIDEO_MAX_BLOCKS];
    int in_frame;
    uint32_t frame_index;
    uint32_t last_block;
    uint32_t blocks_done;
    uint32_t timestamp;
    uint32_t recovered;
    uint32_t next_frame; /* oldest frame index neither delivered nor reported lost */
    pf_gs_video_rx_stats stats;
};

int pf_gs_video_rx_settings_default(uint32_t version, pf_gs_video_rx_settings *ret_settings)
{
    pf_assert_return(ret_settings, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(version == PF_GS_VIDEO_RX_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    memset(ret_settings, 0, sizeof(*ret_settings));
    ret_settings->version = version;
    ret_settings->packet_size = 1392;
    ret_settings->first_frame_index = 1;
    ret_settings->max_block_shards = PF_GS_VIDEO_MAX_BLOCK_DATA;
    ret_settings->max_shapes = 16;
    return 0;
}

int pf_gs_video_rx_create(const pf_gs_video_rx_settings *settings, pf_gs_video_rx **ret_rx)
{
    pf_assert_return(ret_rx, PF_ERR_INVALID_ARGUMENT);
    pf_gs_video_rx_settings s;
    if (settings) {
        pf_assert_return(settings->version == PF_GS_VIDEO_RX_SETTINGS_VERSION,
                         PF_ERR_INVALID_ARGUMENT);
        s = *settings;
    } else {
        pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &s);
    }
    pf_assert_return(s.packet_size >= PF_GS_VIDEO_MIN_PACKET_SIZE &&
                         s.packet_size <= PF_GS_VIDEO_MAX_PACKET_SIZE,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.first_frame_index >= 1, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.max_block_shards >= 4 && s.max_block_shards <= PF_GS_VIDEO_MAX_BLOCK_DATA,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.max_shapes >= 1 && s.max_shapes <= 256, PF_ERR_INVALID_ARGUMENT);

    pf_gs_video_rx *rx = calloc(1, sizeof(*rx));
    if (!rx)
        return PF_ERR_NOMEM;
    rx->s = s;
    rx->shard_bytes = PF_GS_VIDEO_RTP_HEADER_BYTES + s.packet_size;
    rx->payload_bytes = s.packet_size - 16u;
    rx->next_frame = s.first_frame_index;
    size_t slots = (size_t)PF_GS_VIDEO_MAX_BLOCKS * s.max_block_shards;
    int r = PF_ERR_NOMEM;
    rx->arena = malloc(slots * rx->shard_bytes);
    rx->present = calloc(slots, 1);
    rx->scratch = malloc(rx->shard_bytes);
    if (!rx->arena || !rx->present || !rx->scratch)
        goto fail;
    for (uint32_t b = 0; b < PF_GS_VIDEO_MAX_BLOCKS; b++)
        pfi_shard_block_init(&rx->blocks[b].shards,
                             rx->arena + (size_t)b * s.max_block_shards * rx->shard_bytes,
                             rx->present + (size_t)b * s.max_block_shards, s.max_block_shards,
                             rx->shard_bytes);
    r = pfi_rs8_cache_init(&rx->cache, s.max_shapes, &rx->s.log);
    if (r < 0)
        goto fail;
    if (s.decrypt) {
        r = pf_aead_create(s.crypto, PF_AEAD_AES128_GCM, s.key, sizeof(s.key), &rx->aead);
        if (r < 0)
            goto fail;
    }
    memset(rx->s.key, 0, sizeof(rx->s.key));
    *ret_rx = rx;
    return 0;
fail:
    pf_gs_video_rx_destroy(rx);
    return r;
}

void pf_gs_video_rx_destroy(pf_gs_video_rx *rx)
{
    if (!rx)
        return;
    pfi_rs8_cache_finish(&rx->cache);
    pf_aead_destroy(rx->aead);
    free(rx->arena);
    free(rx->present);
    free(rx->scratch);
    free(rx);
}

int pf_gs_video_rx_get_stats(const pf_gs_video_rx *rx, pf_gs_video_rx_stats *ret_stats)
{
    pf_assert_return(rx && ret_stats, PF_ERR_INVALID_ARGUMENT);
    *ret_stats = rx->stats;
    return 0;
}

/* Frame indices wrap after 2^32; "older" is decided on the signed distance like RTP. */
static int frame_before(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) < 0;
}

static uint8_t *slot(pf_gs_video_rx *rx, uint32_t block, uint32_t index)
{
    return pfi_shard_block_slot(&rx->blocks[block].shards, index);
}

static void report_lost(pf_gs_video_rx *rx, uint32_t first, uint32_t count)
{
    if (count == 0)
        return;
    rx->stats.frames_lost += count;
    if (rx->s.callbacks.on_frames_lost)
        rx->s.callbacks.on_frames_lost(rx->s.callbacks.user_data, first, count);
}

static void end_frame(pf_gs_video_rx *rx)
{
    rx->in_frame = 0;
    rx->next_frame = rx->frame_index + 1u;
}

static void drop_frame(pf_gs_video_rx *rx, const char *why)
{
    pfi_log_debug(&rx->s.log, TOPIC, "frame %u lost: %s", rx->frame_index, why);
    report_lost(rx, rx->frame_index, 1);
    end_frame(rx);
}

static void start_frame(pf_gs_video_rx *rx, const pfi_gs_video_hdr *h)
{
    /* Everything between the last finished frame and this one, including an unfinished
     * frame in progress, can no longer complete. */
    report_lost(rx, rx->next_frame, h->frame_index - rx->next_frame);
    rx->next_frame = h->frame_index;
    rx->in_frame = 1;
    rx->frame_index = h->frame_index;
    rx->last_block = h->last_block;
    rx->timestamp = h->timestamp;
    rx->blocks_done = 0;
    rx->recovered = 0;
    for (uint32_t b = 0; b < PF_GS_VIDEO_MAX_BLOCKS; b++)
        pfi_shard_block_reset(&rx->blocks[b].shards);
}

/* The client's sanity rules for a block's data shards (§6.5): SOF on the first, EOF on the
 * last, PIC_DATA only in between, consecutive packet indices. */
static int block_is_sane(pf_gs_video_rx *rx, uint32_t b)
{
    const pfi_shard_block *bs = &rx->blocks[b].shards;
    uint32_t first_index = pfi_get_le32(slot(rx, b, 0) + 16) >> 8;
    for (uint32_t i = 0; i < bs->k; i++) {
        const uint8_t *shard = slot(rx, b, i);
        uint8_t want = PF_GS_VIDEO_FLAG_PIC_DATA;
        if (i == 0)
            want |= PF_GS_VIDEO_FLAG_SOF;
        if (i == bs->k - 1u)
            want |= PF_GS_VIDEO_FLAG_EOF;
        if (shard[24] != want)
            return 0;
        uint32_t index = pfi_get_le32(shard + 16) >> 8;
        if (index != ((first_index + i) & 0xffffffu))
            return 0;
    }
    return 1;
}

static int finish_block(pf_gs_video_rx *rx, uint32_t b)
{
    pfi_shard_block *bs = &rx->blocks[b].shards;
    uint32_t missing = pfi_shard_block_missing_data(bs);
    if (missing) {
        pf_rs8 *rs = NULL;
        int r = pfi_rs8_cache_get(&rx->cache, bs->k, bs->m, PF_RS8_MATRIX_CAUCHY, &rs);
        if (r < 0)
            return r;
        uint8_t *shards[PF_RS8_MAX_SHARDS];
        for (uint32_t i = 0; i < bs->k + bs->m; i++)
            shards[i] = slot(rx, b, i);
        r = pf_rs8_decode(rs, shards, bs->present, rx->shard_bytes);
        if (r < 0)
            return r;
        rx->recovered += missing;
        rx->stats.shards_recovered += missing;
    }
    bs->done = 1;
    if (!block_is_sane(rx, b)) {
        drop_frame(rx, "block fails the flag/index sanity rules");
        return 0;
    }
    rx->blocks_done++;
    return 0;
}

static void deliver_frame(pf_gs_video_rx *rx)
{
    /* Payloads are compacted towards the arena start: a destination never passes its
     * source, because each slot is larger than its payload and regions are in order. */
    const uint32_t ch = rx->payload_bytes;
    size_t len = 0;
    for (uint32_t b = 0; b <= rx->last_block; b++) {
        for (uint32_t i = 0; i < rx->blocks[b].shards.k; i++) {
            memmove(rx->arena + len, slot(rx, b, i) + PF_GS_VIDEO_SHARD_HEADER_BYTES, ch);
            len += ch;
        }
    }
    const uint8_t *fh = rx->arena;
    uint32_t last_payload = pfi_get_le16(fh + 4);
    if (fh[0] != 0x01 || last_payload == 0 || last_payload > ch) {
        drop_frame(rx, "bad frame header");
        return;
    }
    len = len - ch + last_payload;
    if (len < PF_GS_VIDEO_FRAME_HEADER_BYTES) {
        drop_frame(rx, "frame shorter than its header");
        return;
    }
    pf_gs_video_frame frame = {
        .data = rx->arena + PF_GS_VIDEO_FRAME_HEADER_BYTES,
        .len = len - PF_GS_VIDEO_FRAME_HEADER_BYTES,
        .frame_index = rx->frame_index,
        .frame_type = fh[3],
        .host_latency = pfi_get_le16(fh + 1),
        .rtp_timestamp = rx->timestamp,
        .recovered_shards = rx->recovered,
    };
    end_frame(rx);
    rx->stats.frames_delivered++;
    if (rx->s.callbacks.on_frame)
        rx->s.callbacks.on_frame(rx->s.callbacks.user_data, &frame);
}

static int feed_plain(pf_gs_video_rx *rx, const uint8_t *pkt, size_t len)
{
    if (len > rx->shard_bytes)
        len = rx->shard_bytes; /* the client truncates likewise (§6.2) */
    pfi_gs_video_hdr h;
    int r = pfi_gs_video_hdr_decode(pkt, len, &h);
    if (r < 0)
        return r;
    if (h.frame_index == 0)
        return PF_ERR_MALFORMED;
    if (frame_before(h.frame_index, rx->next_frame))
        return PF_ERR_REPLAY;
    if (!rx->in_frame || h.frame_index != rx->frame_index)
        start_frame(rx, &h);
    if (h.last_block != rx->last_block)
        return PF_ERR_MALFORMED;

    block_state *bs = &rx->blocks[h.block_index];
    uint32_t parity = pfi_gs_video_parity_for(h.data_shards, h.fec_percent);
    uint16_t seq_base = (uint16_t)(h.seq - h.shard_index);
    if (!bs->shards.started) {
        r = pfi_shard_block_start(&bs->shards, h.data_shards, parity);
        if (r < 0) {
            drop_frame(rx, "block larger than max_block_shards");
            return r;
        }
        bs->percent = h.fec_percent;
        bs->seq_base = seq_base;
    } else if (bs->shards.k != h.data_shards || bs->percent != h.fec_percent ||
               bs->seq_base != seq_base) {
        /* §6.4: fecInfo and the sequence numbering must agree across a block. */
        return PF_ERR_MALFORMED;
    }
    r = pfi_shard_block_add(&bs->shards, h.shard_index, pkt, len);
    if (r < 0)
        return r;
    rx->stats.packets_accepted++;
    if (r == 1) {
        r = finish_block(rx, h.block_index);
        if (r < 0)
            return r;
        if (rx->in_frame && rx->blocks_done == rx->last_block + 1u)
            deliver_frame(rx);
    }
    return 0;
}

static int feed(pf_gs_video_rx *rx, const uint8_t *pkt, size_t len)
{
    if (!rx->aead)
        return feed_plain(rx, pkt, len);
    const size_t prefix = PF_GS_VIDEO_CRYPTO_PREFIX_BYTES;
    if (len < prefix + PF_GS_VIDEO_SHARD_HEADER_BYTES || len - prefix > rx->shard_bytes)
        return PF_ERR_MALFORMED;
    /* §6.6: the clear frameIndex lets stale datagrams go without a decryption. */
    uint32_t frame_index = pfi_get_le32(pkt + 12);
    if (frame_index != 0 && frame_before(frame_index, rx->next_frame))
        return PF_ERR_REPLAY;
    size_t clen = len - prefix;
    int r = pf_aead_open(rx->aead, pkt, NULL, 0, pkt + prefix, clen, pkt + 16, rx->scratch);
    if (r < 0)
        return r;
    return feed_plain(rx, rx->scratch, clen);
}

int pf_gs_video_rx_feed(pf_gs_video_rx *rx, const uint8_t *pkt, size_t len)
{
    pf_assert_return(rx && (pkt || len == 0), PF_ERR_INVALID_ARGUMENT);
    int r = feed(rx, pkt, len);
    switch (r) {
    case PF_ERR_MALFORMED:
        rx->stats.packets_malformed++;
        break;
    case PF_ERR_AUTH:
        rx->stats.packets_auth_failed++;
        break;
    case PF_ERR_REPLAY:
        rx->stats.packets_stale++;
        break;
    default:
        break;
    }
    return r;
}
