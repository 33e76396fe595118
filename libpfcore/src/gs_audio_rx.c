/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream audio reassembler: data and FEC packets -> Opus packets in sequence order
 * (gamestream-protocol.md §8.3–§8.4). A ring of max_pending_blocks 4+2 blocks is held; the
 * oldest block is given up when a packet beyond the ring arrives. */
#include "pf/core/gs_audio.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/rs8.h"

#include "pf_assert.h"
#include "gs_audio_wire.h"
#include "gs_bytes.h"
#include "pf_log.h"

#define TOPIC "gs_audio_rx"
#define SHARDS (PF_GS_AUDIO_BLOCK_DATA + PF_GS_AUDIO_BLOCK_FEC)

typedef struct audio_block {
    uint8_t used;
    uint8_t ts_known; /* base timestamp learnt from an FEC header */
    uint16_t base;
    uint32_t base_timestamp;
    uint8_t have[SHARDS];
    uint16_t lens[SHARDS];
    uint32_t timestamps[PF_GS_AUDIO_BLOCK_DATA];
    uint8_t recovered[PF_GS_AUDIO_BLOCK_DATA];
    uint8_t *payloads; /* SHARDS × PF_GS_AUDIO_MAX_PAYLOAD */
} audio_block;

struct pf_gs_audio_rx {
    pf_gs_audio_rx_settings s;
    pf_rs8 *rs;
    audio_block *blocks;
    uint8_t *arena;
    int started;
    int auth_failed; /* a delivery during this feed had bad padding */
    uint16_t next_seq;
    pf_gs_audio_rx_stats stats;
    uint8_t scratch[PF_GS_AUDIO_MAX_PAYLOAD];
};

int pf_gs_audio_rx_settings_default(uint32_t version, pf_gs_audio_rx_settings *ret_settings)
{
    pf_assert_return(ret_settings, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(version == PF_GS_AUDIO_RX_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    memset(ret_settings, 0, sizeof(*ret_settings));
    ret_settings->version = version;
    ret_settings->packet_duration_ms = 5;
    ret_settings->max_pending_blocks = 3;
    return 0;
}

int pf_gs_audio_rx_create(const pf_gs_audio_rx_settings *settings, pf_gs_audio_rx **ret_rx)
{
    pf_assert_return(ret_rx, PF_ERR_INVALID_ARGUMENT);
    pf_gs_audio_rx_settings s;
    if (settings) {
        pf_assert_return(settings->version == PF_GS_AUDIO_RX_SETTINGS_VERSION,
                         PF_ERR_INVALID_ARGUMENT);
        s = *settings;
    } else {
        pf_gs_audio_rx_settings_default(PF_GS_AUDIO_RX_SETTINGS_VERSION, &s);
    }
    pf_assert_return(s.packet_duration_ms >= 1 && s.packet_duration_ms <= 100,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s.max_pending_blocks >= 1 && s.max_pending_blocks <= 16,
                     PF_ERR_INVALID_ARGUMENT);
    pf_gs_audio_rx *rx = calloc(1, sizeof(*rx));
    if (!rx)
        return PF_ERR_NOMEM;
    rx->s = s;
    int r = PF_ERR_NOMEM;
    rx->blocks = calloc(s.max_pending_blocks, sizeof(*rx->blocks));
    rx->arena = malloc((size_t)s.max_pending_blocks * SHARDS * PF_GS_AUDIO_MAX_PAYLOAD);
    if (!rx->blocks || !rx->arena)
        goto fail;
    for (uint32_t i = 0; i < s.max_pending_blocks; i++)
        rx->blocks[i].payloads = rx->arena + (size_t)i * SHARDS * PF_GS_AUDIO_MAX_PAYLOAD;
    pf_rs8_settings rs_settings;
    r = pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &rs_settings);
    if (r < 0)
        goto fail;
    rs_settings.log = s.log;
    r = pf_rs8_create(PF_GS_AUDIO_BLOCK_DATA, PF_GS_AUDIO_BLOCK_FEC,
                      PF_RS8_MATRIX_GAMESTREAM_AUDIO, &rs_settings, &rx->rs);
    if (r < 0)
        goto fail;
    *ret_rx = rx;
    return 0;
fail:
    pf_gs_audio_rx_destroy(rx);
    return r;
}

void pf_gs_audio_rx_destroy(pf_gs_audio_rx *rx)
{
    if (!rx)
        return;
    pf_rs8_destroy(rx->rs);
    free(rx->blocks);
    free(rx->arena);
    memset(rx->s.key, 0, sizeof(rx->s.key));
    free(rx);
}

int pf_gs_audio_rx_get_stats(const pf_gs_audio_rx *rx, pf_gs_audio_rx_stats *ret_stats)
{
    pf_assert_return(rx && ret_stats, PF_ERR_INVALID_ARGUMENT);
    *ret_stats = rx->stats;
    return 0;
}

static uint16_t block_base(uint16_t seq)
{
    return (uint16_t)(seq & ~(uint16_t)(PF_GS_AUDIO_BLOCK_DATA - 1u));
}

/* The ring is searched rather than indexed: 16384 block numbers do not divide evenly by
 * every ring size, and a search over at most 16 entries is cheap. */
static audio_block *find_block(pf_gs_audio_rx *rx, uint16_t base)
{
    for (uint32_t i = 0; i < rx->s.max_pending_blocks; i++) {
        audio_block *b = &rx->blocks[i];
        if (b->used && b->base == base)
            return b;
    }
    return NULL;
}

static audio_block *free_block(pf_gs_audio_rx *rx)
{
    for (uint32_t i = 0; i < rx->s.max_pending_blocks; i++) {
        if (!rx->blocks[i].used)
            return &rx->blocks[i];
    }
    return NULL;
}

static uint8_t *shard(audio_block *b, uint32_t i)
{
    return b->payloads + (size_t)i * PF_GS_AUDIO_MAX_PAYLOAD;
}

static void report_lost(pf_gs_audio_rx *rx, uint16_t first, uint32_t count)
{
    if (count == 0)
        return;
    rx->stats.packets_lost += count;
    if (rx->s.callbacks.on_lost)
        rx->s.callbacks.on_lost(rx->s.callbacks.user_data, first, count);
}

static void deliver(pf_gs_audio_rx *rx, audio_block *b, uint32_t i)
{
    uint16_t seq = (uint16_t)(b->base + i);
    const uint8_t *data = shard(b, i);
    size_t len = b->lens[i];
    if (rx->s.decrypt) {
        uint8_t iv[PF_AES_BLOCK_BYTES];
        pfi_gs_audio_iv(rx->s.rikeyid, seq, iv);
        size_t plen = 0;
        int r = pf_aes128_cbc_decrypt_pkcs7(rx->s.crypto, rx->s.key, iv, data, len,
                                            rx->scratch, sizeof(rx->scratch), &plen);
        if (r < 0) {
            rx->stats.decrypt_failed++;
            rx->auth_failed = 1;
            report_lost(rx, seq, 1);
            return;
        }
        data = rx->scratch;
        len = plen;
    }
    pf_gs_audio_packet p = {
        .data = data,
        .len = len,
        .seq = seq,
        .recovered = b->recovered[i],
        .timestamp = b->timestamps[i],
    };
    rx->stats.packets_delivered++;
    if (rx->s.callbacks.on_packet)
        rx->s.callbacks.on_packet(rx->s.callbacks.user_data, &p);
}

static void try_recover(pf_gs_audio_rx *rx, audio_block *b)
{
    uint32_t have = 0, missing_data = 0, len = 0;
    for (uint32_t i = 0; i < SHARDS; i++) {
        if (!b->have[i])
            continue;
        /* Shards of unequal length cannot form a codeword (VBR audio): no FEC. */
        if (have && b->lens[i] != len)
            return;
        len = b->lens[i];
        have++;
    }
    for (uint32_t i = 0; i < PF_GS_AUDIO_BLOCK_DATA; i++)
        missing_data += !b->have[i];
    if (have < PF_GS_AUDIO_BLOCK_DATA || missing_data == 0 || !b->ts_known)
        return;
    uint8_t *ptrs[SHARDS];
    for (uint32_t i = 0; i < SHARDS; i++)
        ptrs[i] = shard(b, i);
    if (pf_rs8_decode(rx->rs, ptrs, b->have, len) < 0)
        return;
    for (uint32_t i = 0; i < PF_GS_AUDIO_BLOCK_DATA; i++) {
        if (b->have[i])
            continue;
        /* §8.4: the client regenerates the header from the FEC header. */
        b->have[i] = 1;
        b->lens[i] = (uint16_t)len;
        b->recovered[i] = 1;
        b->timestamps[i] = b->base_timestamp + i * rx->s.packet_duration_ms;
        rx->stats.packets_recovered++;
    }
}

/* Delivers from next_seq for as long as packets are present. */
static void drain(pf_gs_audio_rx *rx)
{
    for (;;) {
        uint16_t base = block_base(rx->next_seq);
        audio_block *b = find_block(rx, base);
        if (!b)
            return;
        uint32_t i = (uint16_t)(rx->next_seq - base);
        if (!b->have[i])
            return;
        deliver(rx, b, i);
        rx->next_seq++;
        if (i == PF_GS_AUDIO_BLOCK_DATA - 1u)
            b->used = 0;
    }
}

/* Gives up everything before @p start (a block base after next_seq): held packets are
 * delivered, the rest reported lost. Bounded by the ring size plus one report per gap. */
static void slide_to(pf_gs_audio_rx *rx, uint16_t start)
{
    while (rx->next_seq != start) {
        uint16_t base = block_base(rx->next_seq);
        audio_block *b = find_block(rx, base);
        if (b) {
            for (uint32_t i = (uint16_t)(rx->next_seq - base); i < PF_GS_AUDIO_BLOCK_DATA; i++) {
                if (b->have[i])
                    deliver(rx, b, i);
                else
                    report_lost(rx, (uint16_t)(base + i), 1);
            }
            b->used = 0;
            rx->next_seq = (uint16_t)(base + PF_GS_AUDIO_BLOCK_DATA);
            continue;
        }
        /* Nothing held here: everything up to the next held block (or start) is lost. */
        uint16_t dist = (uint16_t)(start - rx->next_seq);
        uint16_t next = start;
        for (uint32_t i = 0; i < rx->s.max_pending_blocks; i++) {
            const audio_block *o = &rx->blocks[i];
            uint16_t d = (uint16_t)(o->base - rx->next_seq);
            if (o->used && d < dist) {
                dist = d;
                next = o->base;
            }
        }
        report_lost(rx, rx->next_seq, dist);
        rx->next_seq = next;
    }
}

/* Makes room for the block at @p base; PF_ERR_REPLAY when it is already behind us. */
static int open_block(pf_gs_audio_rx *rx, uint16_t base, audio_block **ret_block)
{
    const uint32_t window = rx->s.max_pending_blocks * PF_GS_AUDIO_BLOCK_DATA;
    uint16_t cur = block_base(rx->next_seq);
    uint16_t ahead = (uint16_t)(base - cur);
    if (ahead >= 0x8000u)
        return PF_ERR_REPLAY;
    if (ahead >= window)
        slide_to(rx, (uint16_t)(base - (window - PF_GS_AUDIO_BLOCK_DATA)));
    audio_block *b = find_block(rx, base);
    if (!b) {
        /* Every held block lies within the window, so after the slide one is free. */
        b = free_block(rx);
        if (!b)
            return PF_ERR_STATE;
        memset(b->have, 0, sizeof(b->have));
        memset(b->recovered, 0, sizeof(b->recovered));
        b->used = 1;
        b->ts_known = 0;
        b->base = base;
    }
    *ret_block = b;
    return 0;
}

static int feed(pf_gs_audio_rx *rx, const uint8_t *pkt, size_t len)
{
    pfi_gs_audio_rtp rtp;
    int r = pfi_gs_audio_rtp_decode(pkt, len, &rtp);
    if (r < 0)
        return r;
    uint32_t index;
    uint16_t base;
    pfi_gs_audio_fec_header fec;
    size_t hdr = PF_GS_AUDIO_RTP_HEADER_BYTES;
    if (rtp.payload_type == PF_GS_AUDIO_PT_DATA) {
        base = block_base(rtp.seq);
        index = (uint16_t)(rtp.seq - base);
    } else if (rtp.payload_type == PF_GS_AUDIO_PT_FEC) {
        r = pfi_gs_audio_fec_header_decode(pkt, len, &fec);
        if (r < 0)
            return r;
        base = fec.base_seq;
        index = PF_GS_AUDIO_BLOCK_DATA + fec.shard_index;
        hdr += PF_GS_AUDIO_FEC_HEADER_BYTES;
    } else {
        return PF_ERR_MALFORMED;
    }
    size_t plen = len - hdr;
    if (plen == 0 || plen > PF_GS_AUDIO_MAX_PAYLOAD ||
        (rx->s.decrypt && plen % PF_AES_BLOCK_BYTES != 0))
        return PF_ERR_MALFORMED;

    if (!rx->started) {
        /* Start at the block boundary: packets before the first one received may still be
         * rebuilt from the block's FEC pair, or are reported lost when the window moves. */
        rx->started = 1;
        rx->next_seq = base;
    }
    if (index < PF_GS_AUDIO_BLOCK_DATA && (uint16_t)(rtp.seq - rx->next_seq) >= 0x8000u)
        return PF_ERR_REPLAY;
    audio_block *b;
    r = open_block(rx, base, &b);
    if (r < 0)
        return r;
    if (b->have[index])
        return PF_ERR_REPLAY;
    memcpy(shard(b, index), pkt + hdr, plen);
    b->lens[index] = (uint16_t)plen;
    b->have[index] = 1;
    if (index < PF_GS_AUDIO_BLOCK_DATA) {
        b->timestamps[index] = rtp.timestamp;
    } else {
        b->base_timestamp = fec.base_timestamp;
        b->ts_known = 1;
    }
    try_recover(rx, b);
    drain(rx);
    return 0;
}

int pf_gs_audio_rx_feed(pf_gs_audio_rx *rx, const uint8_t *pkt, size_t len)
{
    pf_assert_return(rx && (pkt || len == 0), PF_ERR_INVALID_ARGUMENT);
    rx->auth_failed = 0;
    int r = feed(rx, pkt, len);
    if (r == PF_ERR_MALFORMED)
        rx->stats.packets_malformed++;
    else if (r == PF_ERR_REPLAY)
        rx->stats.packets_stale++;
    else if (r == 0 && rx->auth_failed)
        r = PF_ERR_AUTH;
    return r;
}
