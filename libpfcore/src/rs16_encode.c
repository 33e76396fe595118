/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "rs16_impl.h"
#include "rs16_shard.h"

/* Loads data shards [first, first + count) into C slots from @pos and zero-fills the rest. */
static void load_chunk(struct pf_rs16 *rs, uint32_t pos, const uint8_t *const *data,
                       uint32_t first, uint32_t count, size_t shard_bytes, size_t off,
                       size_t len)
{
    for (uint32_t i = 0; i < count; i++)
        pfi_rs16_slice_load(pfi_rs16_slot(rs, pos + i), data[first + i], shard_bytes, off, len);
    for (uint32_t i = count; i < rs->chunk; i++)
        memset(pfi_rs16_slot(rs, pos + i) + off, 0, len);
}

/* Whether the encoder can IFFT straight from the caller's shards and add each chunk's
 * result into the sum in its last layer (kernels with ifft4_in / ifft4_acc, whole 64-byte
 * chunks only, and a chunk size that is a power of 4 so the last layer is radix-4). */
static int fused_ok(const struct pf_rs16 *rs, size_t shard_bytes)
{
    const uint32_t c = rs->chunk;
    return rs->kernels->ifft4_in && rs->kernels->ifft4_acc && shard_bytes % 64 == 0 &&
           c >= 16 && (c & 0x55555555u) && !(c & (c - 1));
}

/* The fused form of encode_high: per chunk, the first IFFT layer reads the data shards and
 * the last adds into the sum, so neither the copy into the slots nor the XOR pass runs, and
 * the FFT's last layer writes the recovery shards themselves (whole 64-byte chunks, so a
 * shard has the slot layout): returns how many it wrote. Positions past the data of a short
 * chunk read zeroed slots. */
static uint32_t encode_high_fused(struct pf_rs16 *rs, const uint8_t *const *data,
                                  uint8_t *const *recovery, size_t bytes)
{
    const uint32_t c = rs->chunk, k = rs->k;
    const uint8_t **src = rs->src;
    struct gf16_run acc = pfi_rs16_run(rs, 0, 0, bytes), tmp = pfi_rs16_run(rs, c, 0, bytes);
    for (uint32_t start = 0; start < k; start += c) {
        const uint32_t count = k - start < c ? k - start : c, pos = start ? c : 0;
        for (uint32_t i = 0; i < c; i++) {
            if (i < count) {
                src[i] = data[start + i];
            } else {
                memset(pfi_rs16_slot(rs, pos + i), 0, bytes);
                src[i] = pfi_rs16_slot(rs, pos + i);
            }
        }
        if (start)
            pfi_gf16_ifft_fused(&tmp, c, count, start + c, src, &acc);
        else
            pfi_gf16_ifft_fused(&acc, c, count, c, src, NULL);
    }
    return pfi_gf16_fft_out(&acc, c, rs->m, 0, recovery);
}

/* Leopard's encoder: IFFT every C-sized chunk of the data at its own skew offset, XOR the
 * results, and FFT the sum; the first m outputs are the recovery shards. */
static void encode_high(struct pf_rs16 *rs, const uint8_t *const *data, size_t shard_bytes,
                        size_t off, size_t len)
{
    uint32_t c = rs->chunk, k = rs->k;
    struct gf16_run acc = pfi_rs16_run(rs, 0, off, len), tmp = pfi_rs16_run(rs, c, off, len);
    uint32_t first = k < c ? k : c;
    load_chunk(rs, 0, data, 0, first, shard_bytes, off, len);
    pfi_gf16_ifft(&acc, c, first, c);
    for (uint32_t start = c; start < k; start += c) {
        uint32_t count = k - start < c ? k - start : c;
        load_chunk(rs, c, data, start, count, shard_bytes, off, len);
        pfi_gf16_ifft(&tmp, c, count, start + c);
        for (uint32_t i = 0; i < c; i++)
            rs->kernels->xor_into(pfi_rs16_slot(rs, i) + off, pfi_rs16_slot(rs, c + i) + off,
                                  len);
    }
    pfi_gf16_fft(&acc, c, rs->m, 0, NULL);
}

/* The crate's low-rate encoder: one IFFT of the data, then an FFT per C-sized chunk of
 * recovery positions, each at its own skew offset. */
static void encode_low(struct pf_rs16 *rs, const uint8_t *const *data, size_t shard_bytes,
                       size_t off, size_t len)
{
    uint32_t c = rs->chunk, m = rs->m;
    struct gf16_run first = pfi_rs16_run(rs, 0, off, len);
    load_chunk(rs, 0, data, 0, rs->k, shard_bytes, off, len);
    pfi_gf16_ifft(&first, c, rs->k, 0);
    for (uint32_t start = c; start < m; start += c)
        for (uint32_t i = 0; i < c; i++)
            memcpy(pfi_rs16_slot(rs, start + i) + off, pfi_rs16_slot(rs, i) + off, len);
    for (uint32_t start = 0; start < m; start += c) {
        struct gf16_run chunk = pfi_rs16_run(rs, start, off, len);
        pfi_gf16_fft(&chunk, c, m - start < c ? m - start : c, start + c, NULL);
    }
}

void pfi_rs16_encode(struct pf_rs16 *rs, const uint8_t *const *data, uint8_t *const *recovery,
                     size_t shard_bytes)
{
    size_t bytes = (shard_bytes + 63) & ~(size_t)63;
    uint32_t written = 0;
    if (rs->high_rate && fused_ok(rs, shard_bytes))
        written = encode_high_fused(rs, data, recovery, bytes);
    else if (rs->high_rate)
        encode_high(rs, data, shard_bytes, 0, bytes);
    else
        encode_low(rs, data, shard_bytes, 0, bytes);
    for (uint32_t j = written; j < rs->m; j++)
        pfi_rs16_slice_store(recovery[j], pfi_rs16_slot(rs, j), shard_bytes, 0, bytes);
}
