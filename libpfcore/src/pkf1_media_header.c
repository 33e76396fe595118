/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 media header (native-protocol.md §7.4), nonce (§7.3) and the parity rule of
 * §7.6 step 3. */
#include "pf/core/pkf1_media.h"

#include "pf/core/error.h"

#include "pkf1_bytes.h"
#include "pf_assert.h"

int pf_pkf1_media_header_encode(const pf_pkf1_media_header *h, uint8_t *out)
{
    pf_assert_return(h && out, PF_ERR_INVALID_ARGUMENT);
    pfi_put_le64(out, h->pts_ns);
    pfi_put_le32(out + 8, h->frame_index);
    pfi_put_le32(out + 12, h->stream_seq);
    pfi_put_le32(out + 16, h->frame_bytes);
    pfi_put_le32(out + 20, h->user_flags);
    pfi_put_le16(out + 24, h->block_index);
    pfi_put_le16(out + 26, h->block_count);
    pfi_put_le16(out + 28, h->data_shards);
    pfi_put_le16(out + 30, h->recovery_shards);
    pfi_put_le16(out + 32, h->shard_index);
    pfi_put_le16(out + 34, h->shard_bytes);
    out[36] = h->magic;
    out[37] = h->version;
    out[38] = h->fec_scheme;
    out[39] = h->flags;
    return 0;
}

int pf_pkf1_media_header_decode(const uint8_t *b, size_t len, pf_pkf1_media_header *ret)
{
    pf_assert_return((b || len == 0) && ret, PF_ERR_INVALID_ARGUMENT);
    if (len < PF_PKF1_MEDIA_HEADER_BYTES || b[36] != PF_PKF1_MEDIA_MAGIC)
        return PF_ERR_MALFORMED;
    ret->pts_ns = pfi_get_le64(b);
    ret->frame_index = pfi_get_le32(b + 8);
    ret->stream_seq = pfi_get_le32(b + 12);
    ret->frame_bytes = pfi_get_le32(b + 16);
    ret->user_flags = pfi_get_le32(b + 20);
    ret->block_index = pfi_get_le16(b + 24);
    ret->block_count = pfi_get_le16(b + 26);
    ret->data_shards = pfi_get_le16(b + 28);
    ret->recovery_shards = pfi_get_le16(b + 30);
    ret->shard_index = pfi_get_le16(b + 32);
    ret->shard_bytes = pfi_get_le16(b + 34);
    ret->magic = b[36];
    ret->version = b[37];
    ret->fec_scheme = b[38];
    ret->flags = b[39];
    return 0;
}

int pf_pkf1_media_nonce(const uint8_t *salt, uint32_t dir, uint64_t seq, uint8_t *out)
{
    pf_assert_return(salt && out && dir <= 1, PF_ERR_INVALID_ARGUMENT);
    out[0] = (uint8_t)((salt[0] & 0x7F) | (dir << 7));
    out[1] = salt[1];
    out[2] = salt[2];
    out[3] = salt[3];
    pfi_put_be64(out + 4, seq);
    return 0;
}

static uint32_t rule(uint32_t k, uint32_t p)
{
    if (p == 0)
        return 0;
    uint64_t m = ((uint64_t)k * p + 99) / 100;
    return m < PF_PKF1_MEDIA_MIN_RECOVERY ? PF_PKF1_MEDIA_MIN_RECOVERY : (uint32_t)m;
}

uint32_t pf_pkf1_media_recovery_for(uint32_t k, uint32_t fec_percent, uint32_t welcome_percent,
                                    uint32_t max_data_per_block)
{
    if (fec_percent > PF_PKF1_MEDIA_MAX_FEC_PERCENT)
        fec_percent = PF_PKF1_MEDIA_MAX_FEC_PERCENT;
    if (welcome_percent > PF_PKF1_MEDIA_MAX_FEC_PERCENT)
        welcome_percent = PF_PKF1_MEDIA_MAX_FEC_PERCENT;
    /* A full block never carries more parity than the Welcome percentage gave it; smaller
     * blocks get the whole current percentage (§7.6 step 3). GF(2^16) caps a block at 65535. */
    uint64_t max_total = (uint64_t)max_data_per_block + rule(max_data_per_block, welcome_percent);
    if (max_total > 65535)
        max_total = 65535;
    uint32_t m = rule(k, fec_percent);
    if ((uint64_t)k + m > max_total)
        m = k >= max_total ? 0 : (uint32_t)(max_total - k);
    return m;
}
