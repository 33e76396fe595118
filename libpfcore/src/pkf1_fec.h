/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_PKF1_FEC_H
#define PF_CORE_PKF1_FEC_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/rs16.h"

/* GF(2^16) block coding for punktfunk/1 media without a codec per frame.
 *
 * A pf_rs16 is built for one (k, m). Frames vary in size, so their k and m do too, and
 * building a codec per frame would allocate on every frame. For m <= k the parity that
 * reed-solomon-simd produces is Leopard's high-rate encoding, which depends on the data only
 * through chunks of C = next_pow2(m) shards: data zero-extended to K = roundup(k, C) and the
 * first m of C outputs give the same bytes. So one codec of shape (K, C) serves every (k, m)
 * with the same C and the same chunk count; pad data pointers point at one zero shard and the
 * C - m unused outputs at one scratch shard. Decoding uses the same extended code, the pad
 * shards present (known zero) and the unused outputs absent. Where next_pow2(k) < next_pow2(m)
 * the crate takes its low-rate engine instead (blocks that the host sizes for heavy loss):
 * one IFFT of the data, zero-extended to C = next_pow2(k) shards, then an FFT per C outputs.
 * Its bytes depend on k only through that zero extension and on m only through the number of
 * C-sized output chunks, so one codec of shape (C, roundup(m, C)) serves every such (k, m),
 * and its decode domain, next_pow2(C + roundup(m, C)), is that of (k, m). (The two engines
 * agree only on single-chunk shapes, so each family keeps its own.) k = 1 is m copies.
 * A small LRU of codecs holds the shapes in use; a steady stream hits it every frame. */
#define PFI_PKF1_FEC_CACHE 16u

typedef struct pfi_pkf1_fec_entry {
    uint32_t k, m;       /* codec shape */
    uint64_t last_use;
    pf_rs16 *rs;
} pfi_pkf1_fec_entry;

typedef struct pfi_pkf1_fec {
    pf_rs16_settings settings;
    pf_rs16_tables *own_tables;
    size_t max_shard_bytes;
    uint32_t max_k;     /* largest k and m accepted */
    uint64_t clock;
    uint8_t *zero;      /* one zero shard */
    uint8_t *scratch;   /* one discarded shard */
    const uint8_t **in; /* 2 * next_pow2(max_k) + 2 pointers */
    uint8_t **out;
    uint8_t *present;
    pfi_pkf1_fec_entry cache[PFI_PKF1_FEC_CACHE];
} pfi_pkf1_fec;

/* @p tables may be NULL (built here, about 30 ms). */
int pfi_pkf1_fec_init(pfi_pkf1_fec *f, const pf_rs16_tables *tables, uint32_t simd,
                      size_t max_shard_bytes, uint32_t max_k);
void pfi_pkf1_fec_finish(pfi_pkf1_fec *f);

/* m recovery shards of k data shards, all @p shard_bytes (even). 1 <= k, m <= max_k. */
int pfi_pkf1_fec_encode(pfi_pkf1_fec *f, uint32_t k, uint32_t m, const uint8_t *const *data,
                        uint8_t *const *recovery, size_t shard_bytes);

/* Rebuilds lost data shards of @p shards (k data then m recovery) in place; returns the
 * number rebuilt, PF_ERR_UNRECOVERABLE, or another PF_ERR_*. */
int pfi_pkf1_fec_decode(pfi_pkf1_fec *f, uint32_t k, uint32_t m, uint8_t *const *shards,
                        const uint8_t *present, size_t shard_bytes);

#endif
