/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 video reassembler (native-protocol.md §7.2, §7.6): anti-replay over the wire
 * seq, open, the header rules of the v0.43 reassembler, GF(2^16) repair per block, and the
 * AU handed over when every block is complete.
 *
 * Storage: block b of the current AU owns the region [b·2D, (b+1)·2D) slots of S bytes, data
 * shards first, parity after (pfi_shard_block). A one-block AU is delivered in place; blocks
 * of a larger one are moved together over the spent parity before delivery. */
#include "pf/core/pkf1_media.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#include "pkf1_bytes.h"
#include "pkf1_fec.h"
#include "pf_assert.h"
#include "shard_block.h"

#define REPLAY_WINDOW 8192u /* seq values; covers the ~3000 datagrams of a 4 MB AU */

struct pf_pkf1_video_rx {
    uint32_t shard_payload, max_shard_payload, min_shard, max_data_per_block;
    uint32_t max_frame_bytes, max_blocks, decrypt;
    uint8_t salt[4];
    pf_aead *aead;
    pfi_pkf1_fec fec;
    pf_pkf1_video_rx_callbacks cb;
    pf_pkf1_video_rx_stats stats;

    /* anti-replay */
    int have_seq;
    uint64_t top_seq;
    uint64_t window[REPLAY_WINDOW / 64];

    uint8_t *plain;   /* header + largest shard */
    uint8_t *storage; /* max_blocks × 2D × S bytes for the largest S */
    size_t storage_bytes;
    uint8_t *present; /* max_blocks × 2D flags */
    pfi_shard_block *blocks;
    uint8_t **ptrs;   /* 2D pointers for a decode */

    /* the AU being assembled */
    int active, complete;
    uint32_t next_expected;
    pf_pkf1_media_header au; /* the pinning header (first packet seen) */
    uint32_t total_data, blocks_done, received, recovered;
};

int pf_pkf1_video_rx_settings_default(uint32_t version, pf_pkf1_video_rx_settings *ret)
{
    pf_assert_return(ret && version == PF_PKF1_VIDEO_RX_SETTINGS_VERSION,
                     PF_ERR_INVALID_ARGUMENT);
    memset(ret, 0, sizeof(*ret));
    ret->version = version;
    ret->shard_payload = PF_PKF1_MEDIA_SHARD_IPV4;
    ret->max_data_per_block = PF_PKF1_MEDIA_MAX_DATA_PER_BLOCK;
    ret->max_frame_bytes = 8u << 20;
    ret->cipher = PF_AEAD_AES128_GCM;
    ret->decrypt = 1;
    return 0;
}

int pf_pkf1_video_rx_create(const pf_pkf1_video_rx_settings *settings, pf_pkf1_video_rx **ret_rx)
{
    pf_pkf1_video_rx_settings d;
    pf_assert_return(ret_rx, PF_ERR_INVALID_ARGUMENT);
    if (!settings) {
        pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &d);
        settings = &d;
    }
    const pf_pkf1_video_rx_settings *s = settings;
    uint32_t ceiling = s->max_shard_payload ? s->max_shard_payload : s->shard_payload;
    pf_assert_return(s->version == PF_PKF1_VIDEO_RX_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->shard_payload >= 2 && s->shard_payload % 2 == 0 &&
                         ceiling >= s->shard_payload && ceiling <= PF_PKF1_MEDIA_MAX_SHARD,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->max_data_per_block >= 1 &&
                         s->max_data_per_block <= PF_PKF1_MEDIA_MAX_DATA_PER_BLOCK,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->max_frame_bytes >= 1 && s->max_frame_bytes <= (64u << 20),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->cipher == PF_AEAD_AES128_GCM || s->cipher == PF_AEAD_CHACHA20_POLY1305,
                     PF_ERR_INVALID_ARGUMENT);
    pf_pkf1_video_rx *rx = calloc(1, sizeof(*rx));
    if (!rx)
        return PF_ERR_NOMEM;
    rx->shard_payload = s->shard_payload;
    rx->max_shard_payload = ceiling;
    /* "at least min(512, Welcome shard_payload)" */
    rx->min_shard = s->shard_payload < PF_PKF1_MEDIA_MIN_SHARD ? s->shard_payload
                                                               : PF_PKF1_MEDIA_MIN_SHARD;
    rx->max_data_per_block = s->max_data_per_block;
    rx->max_frame_bytes = s->max_frame_bytes;
    rx->decrypt = s->decrypt != 0;
    rx->next_expected = s->first_frame_index;
    rx->cb = s->callbacks;
    memcpy(rx->salt, s->salt, sizeof(rx->salt));
    size_t d2 = 2 * (size_t)rx->max_data_per_block;
    uint64_t min_shards = ((uint64_t)rx->max_frame_bytes + rx->min_shard - 1) / rx->min_shard;
    rx->max_blocks = (uint32_t)((min_shards + rx->max_data_per_block - 1) /
                                rx->max_data_per_block);
    if (rx->max_blocks == 0)
        rx->max_blocks = 1;
    /* Any S: blocks × 2D × S <= 2 × (frame + D × S) <= 2 × (max_frame + D × ceiling). */
    rx->storage_bytes = 2 * ((size_t)rx->max_frame_bytes + (size_t)rx->max_data_per_block * ceiling);
    int r = 0;
    if (rx->decrypt)
        r = pf_aead_create(s->crypto, s->cipher, s->key,
                           s->cipher == PF_AEAD_AES128_GCM ? PF_AES128_KEY_BYTES
                                                            : PF_CHACHA20_POLY1305_KEY_BYTES,
                           &rx->aead);
    if (r == 0)
        r = pfi_pkf1_fec_init(&rx->fec, s->rs16_tables, s->simd, ceiling,
                              rx->max_data_per_block);
    rx->plain = malloc(PF_PKF1_MEDIA_HEADER_BYTES + ceiling);
    rx->storage = malloc(rx->storage_bytes);
    rx->present = malloc(rx->max_blocks * d2);
    rx->blocks = calloc(rx->max_blocks, sizeof(*rx->blocks));
    rx->ptrs = calloc(d2, sizeof(*rx->ptrs));
    if (r == 0 && (!rx->plain || !rx->storage || !rx->present || !rx->blocks || !rx->ptrs))
        r = PF_ERR_NOMEM;
    if (r < 0) {
        pf_pkf1_video_rx_destroy(rx);
        return r;
    }
    *ret_rx = rx;
    return 0;
}

void pf_pkf1_video_rx_destroy(pf_pkf1_video_rx *rx)
{
    if (!rx)
        return;
    pf_aead_destroy(rx->aead);
    if (rx->fec.in)
        pfi_pkf1_fec_finish(&rx->fec);
    free(rx->plain);
    free(rx->storage);
    free(rx->present);
    free(rx->blocks);
    free(rx->ptrs);
    memset(rx, 0, sizeof(*rx));
    free(rx);
}

int pf_pkf1_video_rx_get_stats(const pf_pkf1_video_rx *rx, pf_pkf1_video_rx_stats *ret_stats)
{
    pf_assert_return(rx && ret_stats, PF_ERR_INVALID_ARGUMENT);
    *ret_stats = rx->stats;
    return 0;
}

/* Sliding window over seq: 1 = new (not yet marked), 0 = duplicate or too old. */
static int replay_check(const pf_pkf1_video_rx *rx, uint64_t seq)
{
    if (!rx->have_seq || seq > rx->top_seq)
        return 1;
    uint64_t back = rx->top_seq - seq;
    if (back >= REPLAY_WINDOW)
        return 0;
    return !(rx->window[(seq % REPLAY_WINDOW) / 64] >> (seq % 64) & 1);
}

static void replay_mark(pf_pkf1_video_rx *rx, uint64_t seq)
{
    if (!rx->have_seq) {
        rx->have_seq = 1;
        rx->top_seq = seq;
    } else if (seq > rx->top_seq) {
        uint64_t gap = seq - rx->top_seq;
        if (gap >= REPLAY_WINDOW) {
            memset(rx->window, 0, sizeof(rx->window));
        } else {
            for (uint64_t s = rx->top_seq + 1; s < seq; s++)
                rx->window[(s % REPLAY_WINDOW) / 64] &= ~(1ull << (s % 64));
        }
        rx->top_seq = seq;
    }
    rx->window[(seq % REPLAY_WINDOW) / 64] |= 1ull << (seq % 64);
}

static void report_lost(pf_pkf1_video_rx *rx, uint32_t first, uint32_t count)
{
    if (count == 0)
        return;
    rx->stats.frames_lost += count;
    if (rx->cb.on_frames_lost)
        rx->cb.on_frames_lost(rx->cb.user_data, first, count);
}

/* Starts assembling the AU of @p h (shape already validated). */
static void start_au(pf_pkf1_video_rx *rx, const pf_pkf1_media_header *h, uint32_t total_data)
{
    size_t d2 = 2 * (size_t)rx->max_data_per_block;
    rx->active = 1;
    rx->complete = 0;
    rx->au = *h;
    rx->total_data = total_data;
    rx->blocks_done = 0;
    rx->received = 0;
    rx->recovered = 0;
    for (uint32_t b = 0; b < h->block_count; b++)
        pfi_shard_block_init(&rx->blocks[b], rx->storage + b * d2 * h->shard_bytes,
                             rx->present + b * d2, (uint32_t)d2, h->shard_bytes);
}

static void deliver(pf_pkf1_video_rx *rx)
{
    size_t s = rx->au.shard_bytes, d = rx->max_data_per_block;
    /* Close the parity gaps between blocks: block b's data moves from b·2D to b·D slots,
     * over space no later block's data occupies. */
    for (uint32_t b = 1; b < rx->au.block_count; b++)
        memmove(rx->storage + b * d * s, rx->storage + b * 2 * d * s,
                (size_t)rx->blocks[b].k * s);
    rx->complete = 1;
    rx->next_expected = rx->au.frame_index + 1;
    rx->stats.frames_delivered++;
    if (rx->cb.on_frame) {
        pf_pkf1_video_frame f = {
            .data = rx->storage,
            .len = rx->au.frame_bytes,
            .pts_ns = rx->au.pts_ns,
            .frame_index = rx->au.frame_index,
            .user_flags = rx->au.user_flags,
            .received_shards = rx->received,
            .recovered_shards = rx->recovered,
        };
        rx->cb.on_frame(rx->cb.user_data, &f);
    }
}

/* Shape rules of §7.6 for one packet; fills the AU's data-shard count. */
static int check_shape(const pf_pkf1_video_rx *rx, const pf_pkf1_media_header *h,
                       size_t shard_len, uint32_t *ret_total)
{
    uint32_t s = h->shard_bytes, d = rx->max_data_per_block;
    if (s % 2 || s < rx->min_shard || s > rx->max_shard_payload || shard_len != s)
        return PF_ERR_MALFORMED;
    if (h->block_count == 0) /* streamed AU: this client never sets VIDEO_CAP_STREAMED_AU */
        return PF_ERR_MALFORMED;
    /* Hosts send GF(2^16) only (Welcome fec_scheme 1); GF(2^8) blocks are not decoded here,
     * and repairing them with the wrong field would deliver garbage. */
    if (h->fec_scheme != PF_PKF1_FEC_GF16)
        return PF_ERR_UNSUPPORTED;
    uint32_t k = h->data_shards, m = h->recovery_shards;
    uint64_t ceil90 = ((uint64_t)d * 9 + 9) / 10, bound = d + ceil90;
    if (bound > 65535)
        bound = 65535;
    if (k < 1 || k > d || (uint64_t)k + m > bound || h->shard_index >= k + m)
        return PF_ERR_MALFORMED;
    if (h->frame_bytes > rx->max_frame_bytes)
        return PF_ERR_LIMIT;
    uint64_t total = h->frame_bytes ? ((uint64_t)h->frame_bytes + s - 1) / s : 1;
    uint64_t blocks = (total + d - 1) / d;
    if (h->block_count != blocks || h->block_index >= blocks ||
        k != ((uint64_t)h->block_index + 1 < blocks ? d : total - (uint64_t)h->block_index * d))
        return PF_ERR_MALFORMED;
    if (blocks > rx->max_blocks || blocks * 2 * d * s > rx->storage_bytes || m > d)
        return PF_ERR_LIMIT;
    *ret_total = (uint32_t)total;
    return 0;
}

/* A shard of a block already complete. A data shard FEC rebuilt before it came is
 * reordering, not loss (§9.1 "late"); it is marked so a duplicate does not count twice. */
static void count_late(pf_pkf1_video_rx *rx, const pf_pkf1_media_header *h)
{
    rx->stats.packets_stale++;
    if (h->block_index >= rx->au.block_count)
        return;
    pfi_shard_block *b = &rx->blocks[h->block_index];
    if (b->done && h->shard_index < b->k && !b->present[h->shard_index]) {
        b->present[h->shard_index] = 1;
        rx->stats.shards_late++;
    }
}

static int add_shard(pf_pkf1_video_rx *rx, const pf_pkf1_media_header *h, const uint8_t *shard)
{
    pfi_shard_block *b = &rx->blocks[h->block_index];
    if (!b->started) {
        int r = pfi_shard_block_start(b, h->data_shards, h->recovery_shards);
        if (r < 0)
            return r;
    } else if (b->k != h->data_shards || b->m != h->recovery_shards) {
        return PF_ERR_MALFORMED;
    }
    int r = pfi_shard_block_add(b, h->shard_index, shard, h->shard_bytes);
    if (r == PF_ERR_REPLAY) {
        count_late(rx, h);
        return r;
    }
    if (r < 0)
        return r;
    rx->received++;
    rx->stats.shards_received++;
    if (r == 1) {
        uint32_t missing = pfi_shard_block_missing_data(b);
        if (missing) {
            for (uint32_t i = 0; i < b->k + b->m; i++)
                rx->ptrs[i] = pfi_shard_block_slot(b, i);
            int n = pfi_pkf1_fec_decode(&rx->fec, b->k, b->m, rx->ptrs, b->present,
                                        h->shard_bytes);
            if (n < 0)
                return n;
            rx->recovered += (uint32_t)n;
            rx->stats.shards_recovered += (uint32_t)n;
        }
        b->done = 1;
        if (++rx->blocks_done == rx->au.block_count)
            deliver(rx);
    }
    return 0;
}

int pf_pkf1_video_rx_feed(pf_pkf1_video_rx *rx, const uint8_t *pkt, size_t len)
{
    pf_assert_return(rx && (pkt || len == 0), PF_ERR_INVALID_ARGUMENT);
    const size_t overhead = rx->decrypt ? PF_PKF1_MEDIA_OVERHEAD : PF_PKF1_MEDIA_HEADER_BYTES;
    if (len < overhead || len - overhead > rx->max_shard_payload) {
        rx->stats.packets_malformed++;
        return PF_ERR_MALFORMED;
    }
    size_t plain_len = len - (overhead - PF_PKF1_MEDIA_HEADER_BYTES);
    uint64_t seq = 0;
    if (rx->decrypt) {
        seq = pfi_get_be64(pkt);
        if (!replay_check(rx, seq)) {
            rx->stats.packets_replayed++;
            return PF_ERR_REPLAY;
        }
        uint8_t nonce[PF_AEAD_NONCE_BYTES];
        pf_pkf1_media_nonce(rx->salt, PF_PKF1_MEDIA_DIR_HOST, seq, nonce);
        int r = pf_aead_open(rx->aead, nonce, pkt, PF_PKF1_MEDIA_SEQ_BYTES,
                             pkt + PF_PKF1_MEDIA_SEQ_BYTES, plain_len,
                             pkt + PF_PKF1_MEDIA_SEQ_BYTES + plain_len, rx->plain);
        if (r < 0) {
            rx->stats.packets_auth_failed++;
            return r == PF_ERR_AUTH ? PF_ERR_AUTH : r;
        }
        replay_mark(rx, seq);
    } else {
        memcpy(rx->plain, pkt, plain_len);
    }
    rx->stats.packets_received++;

    pf_pkf1_media_header h;
    if (pf_pkf1_media_header_decode(rx->plain, plain_len, &h) < 0) {
        rx->stats.packets_malformed++;
        return PF_ERR_MALFORMED;
    }
    if (h.flags & PF_PKF1_MEDIA_FLAG_PROBE) { /* speed-test filler: never decoded */
        rx->stats.packets_probe++;
        return 0;
    }
    uint32_t total;
    int r = check_shape(rx, &h, plain_len - PF_PKF1_MEDIA_HEADER_BYTES, &total);
    if (r < 0) {
        rx->stats.packets_malformed++;
        return r;
    }
    int32_t age = rx->active ? (int32_t)(h.frame_index - rx->au.frame_index) : 1;
    if (age < 0) {
        rx->stats.packets_stale++;
        return PF_ERR_REPLAY;
    }
    if (age == 0 && rx->complete) {
        if (h.frame_bytes == rx->au.frame_bytes && h.block_count == rx->au.block_count &&
            h.shard_bytes == rx->au.shard_bytes)
            count_late(rx, &h);
        else
            rx->stats.packets_stale++;
        return PF_ERR_REPLAY;
    }
    if (age > 0) {
        /* A newer AU: what was in flight (and any index skipped) will never complete. */
        uint32_t from = rx->active && !rx->complete ? rx->au.frame_index : rx->next_expected;
        if ((int32_t)(h.frame_index - from) > 0)
            report_lost(rx, from, h.frame_index - from);
        start_au(rx, &h, total);
    } else if (h.frame_bytes != rx->au.frame_bytes || h.block_count != rx->au.block_count ||
               h.shard_bytes != rx->au.shard_bytes) {
        rx->stats.packets_malformed++;
        return PF_ERR_MALFORMED;
    }
    r = add_shard(rx, &h, rx->plain + PF_PKF1_MEDIA_HEADER_BYTES);
    if (r == PF_ERR_MALFORMED)
        rx->stats.packets_malformed++;
    return r;
}
