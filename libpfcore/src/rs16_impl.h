/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_RS16_IMPL_H
#define PF_CORE_RS16_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf/core/rs16.h"

#include "gf16.h"
#include "gf16_fft.h"
#include "gf16_kernels.h"

/* Positions of the codeword inside the work buffer (native-protocol.md §7.7):
 *  high rate: recovery j at j, data i at C + i, C = next_pow2(m); [m, C) is never sent
 *             (erased) and [C + k, N) is known zero.
 *  low rate:  data i at i, recovery j at C + j, C = next_pow2(k); [k, C) is known zero and
 *             [C + m, N) is never sent (erased).
 * N = next_pow2(end), end = C + k or C + m, is the decode domain; the encoder uses the first
 * 2C (high) or roundup(m, C) (low) slots of the same buffer.
 *
 * Every operation is independent per 64-byte column, so the transforms take a column range
 * [off, off + len) of the slots. Running the whole pipeline on cache-sized column slices was
 * measured slower than whole slots on the development machine (large L2, and the kernels are
 * bound by vector ALU throughput, not memory), so the codec uses one range per call. */
struct pf_rs16 {
    uint32_t k, m;
    bool high_rate;
    uint32_t chunk;  /* C */
    uint32_t end;    /* last codeword position + 1 */
    uint32_t domain; /* N */
    uint32_t simd;
    size_t max_shard_bytes;
    size_t stride;       /* bytes per work slot: roundup(max_shard_bytes, 64) */
    pf_log_hook log;
    const struct pf_rs16_tables *tables;
    struct pf_rs16_tables *own_tables;
    const struct gf16_kernels *kernels;
    uint8_t *work;     /* domain slots, 64-byte aligned */
    uint16_t *walsh;   /* domain entries: pfi_gf16_locator_prepare() */
    uint16_t *locator; /* domain entries, decode scratch */
    uint32_t *need;    /* domain + 1 entries, decode scratch */
    struct rs16_small *small; /* rs16_small.c, for small codes where the kernels allow */
    const uint8_t **src; /* chunk entries: the fused encoder's first-layer inputs */
};

/* Small codes (rs16_small.c): decoded by a direct solve instead of the FFT where the kernels
 * have a matrix product and k, m are at most these. Measured here (AVX-512 GFNI kernels,
 * 1408-byte shards, m data shards lost): (32,8) 6.4 us against 10.3 us by FFT, (50,10) 12.9
 * us; at m = 16 and more the solve's e^3 scalar inversion and e * k products lose, (64,32)
 * 95 us against 44 us for the AVX2 FFT. */
#define PFI_RS16_SMALL_MAX_K 64u
#define PFI_RS16_SMALL_MAX_M 10u
struct rs16_small;
bool pfi_rs16_small_fits(uint32_t k, uint32_t m, const struct gf16_kernels *kernels);
/* At the end of create (it encodes unit shards): 0, or -1 out of memory (rs->small may then
 * hold a partial object for pfi_rs16_small_destroy). */
int pfi_rs16_small_create(struct pf_rs16 *rs);
void pfi_rs16_small_destroy(struct rs16_small *small);
/* As pfi_rs16_decode once it has checked there is something to rebuild and enough to
 * rebuild it from: the count of rebuilt data shards, or -1 (the FFT path must run). */
int pfi_rs16_small_decode(struct pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                          size_t shard_bytes);

static inline uint8_t *pfi_rs16_slot(const struct pf_rs16 *rs, uint32_t pos)
{
    return rs->work + (size_t)pos * rs->stride;
}

/* A transform run over slots [pos, ...) restricted to the column slice [off, off + len). */
static inline struct gf16_run pfi_rs16_run(const struct pf_rs16 *rs, uint32_t pos, size_t off,
                                           size_t len)
{
    struct gf16_run run = {
        .t = rs->tables,
        .k = rs->kernels,
        .base = pfi_rs16_slot(rs, pos) + off,
        .stride = rs->stride,
        .bytes = len,
    };
    return run;
}

/* Arguments are validated by the caller. */
void pfi_rs16_encode(struct pf_rs16 *rs, const uint8_t *const *data, uint8_t *const *recovery,
                     size_t shard_bytes);
int pfi_rs16_decode(struct pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                    size_t shard_bytes);

#endif
