/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "pf/core/error.h"

#include "rs16_impl.h"
#include "rs16_shard.h"

static uint32_t data_pos(const struct pf_rs16 *rs, uint32_t i)
{
    return rs->high_rate ? rs->chunk + i : i;
}

static uint32_t shard_pos(const struct pf_rs16 *rs, uint32_t i)
{
    if (i < rs->k)
        return data_pos(rs, i);
    return rs->high_rate ? i - rs->k : rs->chunk + (i - rs->k);
}

/* Logs of the erasure locator at every position of the domain. */
static void locate(struct pf_rs16 *rs, const uint8_t *present)
{
    uint32_t n = rs->domain;
    uint16_t *loc = rs->locator;
    memset(loc, 0, n * sizeof(uint16_t));
    for (uint32_t i = 0; i < rs->k + rs->m; i++)
        if (!present[i])
            loc[shard_pos(rs, i)] = 1;
    /* Positions never sent count as erased: the high-rate gap, the low-rate tail. */
    uint32_t from = rs->high_rate ? rs->m : rs->end, to = rs->high_rate ? rs->chunk : n;
    for (uint32_t p = from; p < to; p++)
        loc[p] = 1;
    pfi_gf16_locator(rs->walsh, n, loc);

    /* Only the lost data positions are read back, so the FFT skips blocks without one. */
    uint32_t *need = rs->need;
    memset(need, 0, (n + 1) * sizeof(uint32_t));
    for (uint32_t i = 0; i < rs->k; i++)
        if (!present[i])
            need[data_pos(rs, i) + 1] = 1;
    for (uint32_t p = 0; p < n; p++)
        need[p + 1] += need[p];
}

/* Erasure decoding as Leopard: scale every received symbol by the erasure locator at its
 * position, IFFT, formal derivative, FFT, and divide the lost data positions by the
 * locator. */
static void decode_columns(struct pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                           size_t shard_bytes, size_t off, size_t len)
{
    const struct pf_rs16_tables *t = rs->tables;
    const struct gf16_kernels *kn = rs->kernels;
    uint32_t k = rs->k, m = rs->m, n = rs->domain, end = rs->end;
    for (uint32_t i = 0; i < k + m; i++) {
        uint32_t p = shard_pos(rs, i);
        uint8_t *w = pfi_rs16_slot(rs, p);
        if (present[i])
            pfi_rs16_slice_load_mul(kn, w, shards[i], shard_bytes, off, len,
                                    &t->lut[rs->locator[p]]);
        else
            memset(w + off, 0, len);
    }
    /* The slots between the two shard groups and past the codeword hold zeros. */
    for (uint32_t p = rs->high_rate ? m : k; p < rs->chunk; p++)
        memset(pfi_rs16_slot(rs, p) + off, 0, len);
    for (uint32_t p = end; p < n; p++)
        memset(pfi_rs16_slot(rs, p) + off, 0, len);

    struct gf16_run all = pfi_rs16_run(rs, 0, off, len);
    pfi_gf16_ifft(&all, n, end, 0);
    pfi_gf16_formal_derivative(&all, n);
    pfi_gf16_fft(&all, n, end, 0, rs->need);

    for (uint32_t i = 0; i < k; i++) {
        if (present[i])
            continue;
        uint32_t p = data_pos(rs, i);
        uint8_t *w = pfi_rs16_slot(rs, p);
        kn->mul(w + off, &t->lut[GF16_MODULUS - rs->locator[p]], len);
        pfi_rs16_slice_store(shards[i], w, shard_bytes, off, len);
    }
}

int pfi_rs16_decode(struct pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                    size_t shard_bytes)
{
    uint32_t have = 0, lost = 0;
    for (uint32_t i = 0; i < rs->k + rs->m; i++) {
        if (present[i])
            have++;
        else if (i < rs->k)
            lost++;
    }
    if (lost == 0)
        return 0;
    if (have < rs->k)
        return PF_ERR_UNRECOVERABLE;

    if (rs->small) {
        int r = pfi_rs16_small_decode(rs, shards, present, shard_bytes);
        if (r >= 0)
            return r;
    }
    locate(rs, present);
    decode_columns(rs, shards, present, shard_bytes, 0, (shard_bytes + 63) & ~(size_t)63);
    return (int)lost;
}
