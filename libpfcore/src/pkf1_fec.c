/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 block coding over the public rs16 codec; see pkf1_fec.h for why one codec
 * shape serves many block shapes. */
#include "pkf1_fec.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

static uint32_t next_pow2(uint32_t v)
{
    uint32_t p = 1;
    while (p < v)
        p <<= 1;
    return p;
}

int pfi_pkf1_fec_init(pfi_pkf1_fec *f, const pf_rs16_tables *tables, uint32_t simd,
                      size_t max_shard_bytes, uint32_t max_k)
{
    memset(f, 0, sizeof(*f));
    int r = pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, &f->settings);
    if (r < 0)
        return r;
    f->settings.simd = simd;
    if (!tables) {
        r = pf_rs16_tables_create(&f->own_tables);
        if (r < 0)
            return r;
        tables = f->own_tables;
    }
    f->settings.tables = tables;
    f->max_shard_bytes = max_shard_bytes;
    f->max_k = max_k;
    size_t slots = 2 * (size_t)next_pow2(max_k) + 2;
    f->zero = calloc(1, max_shard_bytes);
    f->scratch = malloc(max_shard_bytes);
    f->in = calloc(slots, sizeof(*f->in));
    f->out = calloc(slots, sizeof(*f->out));
    f->present = calloc(slots, 1);
    if (!f->zero || !f->scratch || !f->in || !f->out || !f->present) {
        pfi_pkf1_fec_finish(f);
        return PF_ERR_NOMEM;
    }
    return 0;
}

void pfi_pkf1_fec_finish(pfi_pkf1_fec *f)
{
    for (size_t i = 0; i < PFI_PKF1_FEC_CACHE; i++)
        pf_rs16_destroy(f->cache[i].rs);
    pf_rs16_tables_destroy(f->own_tables);
    free(f->zero);
    free(f->scratch);
    free(f->in);
    free(f->out);
    free(f->present);
    memset(f, 0, sizeof(*f));
}

/* The codec of shape (k, m), built on a miss in place of the least recently used one. */
static int codec(pfi_pkf1_fec *f, uint32_t k, uint32_t m, pf_rs16 **ret)
{
    pfi_pkf1_fec_entry *victim = &f->cache[0];
    f->clock++;
    for (size_t i = 0; i < PFI_PKF1_FEC_CACHE; i++) {
        pfi_pkf1_fec_entry *e = &f->cache[i];
        if (e->rs && e->k == k && e->m == m) {
            e->last_use = f->clock;
            *ret = e->rs;
            return 0;
        }
        if (!e->rs || (victim->rs && e->last_use < victim->last_use))
            victim = e;
    }
    pf_rs16 *rs;
    int r = pf_rs16_create(k, m, f->max_shard_bytes, &f->settings, &rs);
    if (r < 0)
        return r;
    pf_rs16_destroy(victim->rs);
    victim->k = k;
    victim->m = m;
    victim->rs = rs;
    victim->last_use = f->clock;
    *ret = rs;
    return 0;
}

/* The codec shape that computes (k, m) (see pkf1_fec.h): where the crate's rule picks the
 * low-rate engine (next_pow2(k) < next_pow2(m)), (C, roundup(m, C)) with C = next_pow2(k);
 * otherwise (roundup(k, C), C) with C = next_pow2(m). */
static void extended_shape(uint32_t k, uint32_t m, uint32_t *ret_k, uint32_t *ret_m)
{
    uint32_t pk = next_pow2(k), pm = next_pow2(m);
    if (pk < pm) {
        *ret_k = pk;
        *ret_m = (m + pk - 1) / pk * pk;
        return;
    }
    *ret_k = (k + pm - 1) / pm * pm;
    *ret_m = pm;
}

static int extended_codec(pfi_pkf1_fec *f, uint32_t k, uint32_t m, uint32_t *ret_k,
                          uint32_t *ret_m, pf_rs16 **ret)
{
    extended_shape(k, m, ret_k, ret_m);
    return codec(f, *ret_k, *ret_m, ret);
}

int pfi_pkf1_fec_encode(pfi_pkf1_fec *f, uint32_t k, uint32_t m, const uint8_t *const *data,
                        uint8_t *const *recovery, size_t shard_bytes)
{
    if (k == 0 || m == 0 || k > f->max_k || m > f->max_k || shard_bytes > f->max_shard_bytes)
        return PF_ERR_INVALID_ARGUMENT;
    if (k == 1) {
        /* reed-solomon-simd's k = 1 output is m copies of the data shard. */
        for (uint32_t j = 0; j < m; j++)
            memcpy(recovery[j], data[0], shard_bytes);
        return 0;
    }
    uint32_t ck, cm;
    pf_rs16 *rs;
    int r = extended_codec(f, k, m, &ck, &cm, &rs);
    if (r < 0)
        return r;
    for (uint32_t i = 0; i < ck; i++)
        f->in[i] = i < k ? data[i] : f->zero;
    for (uint32_t j = 0; j < cm; j++)
        f->out[j] = j < m ? recovery[j] : f->scratch;
    return pf_rs16_encode(rs, f->in, f->out, shard_bytes);
}

int pfi_pkf1_fec_decode(pfi_pkf1_fec *f, uint32_t k, uint32_t m, uint8_t *const *shards,
                        const uint8_t *present, size_t shard_bytes)
{
    if (k == 0 || m == 0 || k > f->max_k || m > f->max_k || shard_bytes > f->max_shard_bytes)
        return PF_ERR_INVALID_ARGUMENT;
    if (k == 1) {
        if (present[0])
            return 0;
        for (uint32_t j = 0; j < m; j++)
            if (present[1 + j]) {
                memcpy(shards[0], shards[1 + j], shard_bytes);
                return 1;
            }
        return PF_ERR_UNRECOVERABLE;
    }
    uint32_t ck, cm;
    pf_rs16 *rs;
    int r = extended_codec(f, k, m, &ck, &cm, &rs);
    if (r < 0)
        return r;
    /* The pad data shards are known zero (present, never written); the unused outputs were
     * never sent (absent, never written). */
    for (uint32_t i = 0; i < ck; i++) {
        f->out[i] = i < k ? shards[i] : f->zero;
        f->present[i] = i < k ? present[i] : 1;
    }
    for (uint32_t j = 0; j < cm; j++) {
        f->out[ck + j] = j < m ? shards[k + j] : f->scratch;
        f->present[ck + j] = j < m ? present[k + j] : 0;
    }
    return pf_rs16_decode(rs, f->out, f->present, shard_bytes);
}
