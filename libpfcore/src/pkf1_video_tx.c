/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 video packetizer (native-protocol.md §7.2–§7.6): cut, protect, number and seal
 * one access unit into caller-owned datagram slots. Parity is computed from the AU in place
 * (only the zero-padded last shard is staged) straight into the parity datagrams; then each
 * datagram gets its header and shard and is sealed at once, while it is still in L1: a 4 MB
 * AU does not fit the caches, so every extra pass over it costs a trip to memory. Nothing is
 * allocated per frame. */
#include "pf/core/pkf1_media.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#include "pkf1_bytes.h"
#include "pkf1_fec.h"
#include "pf_assert.h"

typedef struct parity_memo {
    uint32_t k, m;
} parity_memo;

struct pf_pkf1_video_tx {
    uint32_t shard_payload;
    uint32_t max_shard_payload;
    uint32_t max_data_per_block;
    uint32_t welcome_fec_percent;
    uint32_t fec_percent;
    uint32_t loss_ppm; /* parity sized for this loss too (0: the percentage rule alone) */
    /* The parity of the last two block sizes at the current settings: a frame has full blocks
     * and one tail block, and sizing for loss costs a few binomial tails. k = 0: empty. Held
     * apart, as sizing a frame (a const query) fills it too. */
    parity_memo *memo;
    uint32_t encrypt;
    uint8_t salt[4];
    uint64_t seq;
    uint32_t stream_seq;
    pf_aead *aead;
    pfi_pkf1_fec fec;
    const uint8_t **data_ptrs; /* max_data_per_block entries */
    uint8_t **parity_ptrs;     /* max_data_per_block entries */
    uint8_t *tail;             /* the AU's last shard, zero-padded (max_shard_payload) */
};

int pf_pkf1_video_tx_settings_default(uint32_t version, pf_pkf1_video_tx_settings *ret)
{
    pf_assert_return(ret && version == PF_PKF1_VIDEO_TX_SETTINGS_VERSION,
                     PF_ERR_INVALID_ARGUMENT);
    memset(ret, 0, sizeof(*ret));
    ret->version = version;
    ret->shard_payload = PF_PKF1_MEDIA_SHARD_IPV4;
    ret->max_data_per_block = PF_PKF1_MEDIA_MAX_DATA_PER_BLOCK;
    ret->welcome_fec_percent = 10;
    ret->fec_percent = 10;
    ret->cipher = PF_AEAD_AES128_GCM;
    ret->encrypt = 1;
    return 0;
}

static int shard_ok(uint32_t s)
{
    return s % 2 == 0 && s >= PF_PKF1_MEDIA_MIN_SHARD && s <= PF_PKF1_MEDIA_MAX_SHARD;
}

int pf_pkf1_video_tx_create(const pf_pkf1_video_tx_settings *settings, pf_pkf1_video_tx **ret_tx)
{
    pf_pkf1_video_tx_settings d;
    pf_assert_return(ret_tx, PF_ERR_INVALID_ARGUMENT);
    if (!settings) {
        pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &d);
        settings = &d;
    }
    const pf_pkf1_video_tx_settings *s = settings;
    uint32_t max_s = s->max_shard_payload ? s->max_shard_payload : s->shard_payload;
    pf_assert_return(s->version == PF_PKF1_VIDEO_TX_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(shard_ok(s->shard_payload) && shard_ok(max_s) && max_s >= s->shard_payload,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->max_data_per_block >= 1 &&
                         s->max_data_per_block <= PF_PKF1_MEDIA_MAX_DATA_PER_BLOCK,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->fec_percent <= PF_PKF1_MEDIA_MAX_FEC_PERCENT &&
                         s->welcome_fec_percent <= PF_PKF1_MEDIA_MAX_FEC_PERCENT,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(s->cipher == PF_AEAD_AES128_GCM || s->cipher == PF_AEAD_CHACHA20_POLY1305,
                     PF_ERR_INVALID_ARGUMENT);
    pf_pkf1_video_tx *tx = calloc(1, sizeof(*tx));
    if (!tx)
        return PF_ERR_NOMEM;
    tx->shard_payload = s->shard_payload;
    tx->max_shard_payload = max_s;
    tx->max_data_per_block = s->max_data_per_block;
    tx->welcome_fec_percent = s->welcome_fec_percent;
    tx->fec_percent = s->fec_percent;
    tx->encrypt = s->encrypt != 0;
    tx->seq = s->first_seq;
    memcpy(tx->salt, s->salt, sizeof(tx->salt));
    int r = 0;
    if (tx->encrypt)
        r = pf_aead_create(s->crypto, s->cipher, s->key,
                           s->cipher == PF_AEAD_AES128_GCM ? PF_AES128_KEY_BYTES
                                                            : PF_CHACHA20_POLY1305_KEY_BYTES,
                           &tx->aead);
    if (r == 0)
        r = pfi_pkf1_fec_init(&tx->fec, s->rs16_tables, s->simd, max_s, tx->max_data_per_block);
    tx->data_ptrs = calloc(tx->max_data_per_block, sizeof(*tx->data_ptrs));
    tx->parity_ptrs = calloc(tx->max_data_per_block, sizeof(*tx->parity_ptrs));
    tx->tail = malloc(max_s);
    tx->memo = calloc(2, sizeof(*tx->memo));
    if (r == 0 && (!tx->data_ptrs || !tx->parity_ptrs || !tx->tail || !tx->memo))
        r = PF_ERR_NOMEM;
    if (r < 0) {
        pf_pkf1_video_tx_destroy(tx);
        return r;
    }
    *ret_tx = tx;
    return 0;
}

void pf_pkf1_video_tx_destroy(pf_pkf1_video_tx *tx)
{
    if (!tx)
        return;
    pf_aead_destroy(tx->aead);
    if (tx->fec.in)
        pfi_pkf1_fec_finish(&tx->fec);
    free(tx->data_ptrs);
    free(tx->parity_ptrs);
    free(tx->tail);
    free(tx->memo);
    memset(tx, 0, sizeof(*tx));
    free(tx);
}

int pf_pkf1_video_tx_set_fec_percent(pf_pkf1_video_tx *tx, uint32_t fec_percent)
{
    pf_assert_return(tx && fec_percent <= PF_PKF1_MEDIA_MAX_FEC_PERCENT,
                     PF_ERR_INVALID_ARGUMENT);
    if (tx->fec_percent != fec_percent)
        memset(tx->memo, 0, 2 * sizeof(*tx->memo));
    tx->fec_percent = fec_percent;
    return 0;
}

int pf_pkf1_video_tx_set_loss_ppm(pf_pkf1_video_tx *tx, uint32_t loss_ppm)
{
    pf_assert_return(tx && loss_ppm <= 1000000u, PF_ERR_INVALID_ARGUMENT);
    if (tx->loss_ppm != loss_ppm)
        memset(tx->memo, 0, 2 * sizeof(*tx->memo));
    tx->loss_ppm = loss_ppm;
    return 0;
}

/* m of a block of k data shards: §7.6's rule, raised where the loss needs more
 * (pkf1_fec_sizing.c says why a v0.43.1 client accepts it). */
static uint32_t block_parity(const pf_pkf1_video_tx *tx, uint32_t k)
{
    parity_memo *memo = tx->memo;
    for (int i = 0; i < 2; i++)
        if (memo[i].k == k)
            return memo[i].m;
    uint32_t m = pf_pkf1_media_recovery_for_loss(k, tx->fec_percent, tx->welcome_fec_percent,
                                                 tx->max_data_per_block, tx->loss_ppm);
    memo[1] = memo[0];
    memo[0] = (parity_memo){.k = k, .m = m};
    return m;
}

int pf_pkf1_video_tx_set_shard_payload(pf_pkf1_video_tx *tx, uint32_t shard_payload)
{
    pf_assert_return(tx && shard_ok(shard_payload) && shard_payload <= tx->max_shard_payload,
                     PF_ERR_INVALID_ARGUMENT);
    tx->shard_payload = shard_payload;
    return 0;
}

uint64_t pf_pkf1_video_tx_get_next_seq(const pf_pkf1_video_tx *tx)
{
    return tx ? tx->seq : 0;
}

/* The AU's shape: data shards, blocks and parity total. */
typedef struct plan {
    uint32_t total_data;
    uint32_t blocks;
    uint32_t parity;
} plan;

static int make_plan(const pf_pkf1_video_tx *tx, size_t au_len, plan *p)
{
    if (au_len > UINT32_MAX)
        return PF_ERR_LIMIT;
    uint64_t s = tx->shard_payload, d = tx->max_data_per_block;
    uint64_t total = au_len ? (au_len + s - 1) / s : 1;
    uint64_t blocks = (total + d - 1) / d;
    if (blocks > 65535)
        return PF_ERR_LIMIT;
    uint64_t parity = 0;
    for (uint64_t b = 0; b < blocks; b++) {
        uint32_t k = (uint32_t)(b + 1 < blocks ? d : total - b * d);
        parity += block_parity(tx, k);
    }
    if (total + parity > UINT32_MAX)
        return PF_ERR_LIMIT;
    p->total_data = (uint32_t)total;
    p->blocks = (uint32_t)blocks;
    p->parity = (uint32_t)parity;
    return 0;
}

static uint32_t packet_bytes(const pf_pkf1_video_tx *tx)
{
    return tx->shard_payload + PF_PKF1_MEDIA_HEADER_BYTES +
           (tx->encrypt ? PF_PKF1_MEDIA_SEQ_BYTES + PF_AEAD_TAG_BYTES : 0);
}

int pf_pkf1_video_tx_get_frame_size(const pf_pkf1_video_tx *tx, size_t au_len,
                                    uint32_t *ret_packet_bytes, uint32_t *ret_packets)
{
    pf_assert_return(tx && ret_packet_bytes && ret_packets, PF_ERR_INVALID_ARGUMENT);
    plan p;
    int r = make_plan(tx, au_len, &p);
    if (r < 0)
        return r;
    *ret_packet_bytes = packet_bytes(tx);
    *ret_packets = p.total_data + p.parity;
    return 0;
}

int pf_pkf1_video_tx_packetize(pf_pkf1_video_tx *tx, const pf_pkf1_video_frame_info *info,
                               const uint8_t *au, size_t au_len, uint8_t *out, size_t out_cap,
                               size_t stride, pf_pkf1_video_tx_result *ret_result)
{
    pf_assert_return(tx && info && (au || au_len == 0) && out && ret_result,
                     PF_ERR_INVALID_ARGUMENT);
    plan p;
    int r = make_plan(tx, au_len, &p);
    if (r < 0)
        return r;
    const size_t pkt = packet_bytes(tx), s = tx->shard_payload, d = tx->max_data_per_block;
    const size_t hdr_at = tx->encrypt ? PF_PKF1_MEDIA_SEQ_BYTES : 0;
    const size_t shard_at = hdr_at + PF_PKF1_MEDIA_HEADER_BYTES;
    const uint32_t n = p.total_data + p.parity;
    pf_assert_return(stride >= pkt, PF_ERR_INVALID_ARGUMENT);
    if (out_cap < pkt || (out_cap - pkt) / stride < (size_t)n - 1)
        return PF_ERR_BUFFER_TOO_SMALL;

    /* 1. the AU's shards: full ones in place, the last one staged zero-padded (an empty AU
     * is one zero shard) */
    const size_t full = au_len / s;
    if (full < p.total_data) {
        size_t rem = au_len - full * s;
        if (rem)
            memcpy(tx->tail, au + full * s, rem);
        memset(tx->tail + rem, 0, s - rem);
    }
#define SHARD(i) ((size_t)(i) < full ? au + (size_t)(i) * s : tx->tail)

    /* 2. parity of each block, straight into its datagrams (after all the data) */
    uint32_t parity_at = p.total_data;
    for (uint32_t b = 0; b < p.blocks; b++) {
        uint32_t first = (uint32_t)(b * d);
        uint32_t k = b + 1 < p.blocks ? (uint32_t)d : p.total_data - first;
        uint32_t m = block_parity(tx, k);
        if (m == 0)
            continue;
        for (uint32_t i = 0; i < k; i++)
            tx->data_ptrs[i] = SHARD(first + i);
        for (uint32_t j = 0; j < m; j++)
            tx->parity_ptrs[j] = out + (size_t)(parity_at + j) * stride + shard_at;
        r = pfi_pkf1_fec_encode(&tx->fec, k, m, tx->data_ptrs, tx->parity_ptrs, s);
        if (r < 0)
            return r;
        parity_at += m;
    }

    /* 3. header, data shard and seal per datagram, in wire order */
    pf_pkf1_media_header h = {
        .pts_ns = info->pts_ns,
        .frame_index = info->frame_index,
        .frame_bytes = (uint32_t)au_len,
        .user_flags = info->user_flags,
        .block_count = (uint16_t)p.blocks,
        .shard_bytes = (uint16_t)s,
        .magic = PF_PKF1_MEDIA_MAGIC,
        .version = PF_PKF1_MEDIA_VERSION,
        .fec_scheme = PF_PKF1_FEC_GF16,
    };
    uint32_t pkt_index = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t b = 0; b < p.blocks; b++) {
            uint32_t first = (uint32_t)(b * d);
            uint32_t k = b + 1 < p.blocks ? (uint32_t)d : p.total_data - first;
            uint32_t m = block_parity(tx, k);
            h.block_index = (uint16_t)b;
            h.data_shards = (uint16_t)k;
            h.recovery_shards = (uint16_t)m;
            uint32_t from = pass == 0 ? 0 : k, to = pass == 0 ? k : k + m;
            for (uint32_t idx = from; idx < to; idx++, pkt_index++) {
                uint8_t *dg = out + (size_t)pkt_index * stride;
                uint64_t seq = tx->seq + pkt_index;
                h.stream_seq = tx->stream_seq + pkt_index;
                h.shard_index = (uint16_t)idx;
                h.flags = PF_PKF1_MEDIA_FLAG_PIC;
                if (pkt_index == 0)
                    h.flags |= PF_PKF1_MEDIA_FLAG_SOF;
                if (pkt_index == n - 1)
                    h.flags |= PF_PKF1_MEDIA_FLAG_EOF;
                if (info->probe)
                    h.flags |= PF_PKF1_MEDIA_FLAG_PROBE;
                pf_pkf1_media_header_encode(&h, dg + hdr_at);
                if (pass == 0)
                    memcpy(dg + shard_at, SHARD(first + idx), s);
                if (!tx->encrypt)
                    continue;
                uint8_t nonce[PF_AEAD_NONCE_BYTES];
                pfi_put_be64(dg, seq);
                pf_pkf1_media_nonce(tx->salt, PF_PKF1_MEDIA_DIR_HOST, seq, nonce);
                r = pf_aead_seal(tx->aead, nonce, dg, PF_PKF1_MEDIA_SEQ_BYTES, dg + hdr_at,
                                 PF_PKF1_MEDIA_HEADER_BYTES + s, dg + hdr_at,
                                 dg + shard_at + s);
                if (r < 0)
                    return r;
            }
        }
    }

#undef SHARD
    ret_result->packet_count = n;
    ret_result->packet_bytes = (uint32_t)pkt;
    ret_result->data_shards = p.total_data;
    ret_result->parity_shards = p.parity;
    ret_result->block_count = p.blocks;
    ret_result->reserved = 0;
    ret_result->first_seq = tx->seq;
    tx->seq += n;
    tx->stream_seq += n;
    return 0;
}
