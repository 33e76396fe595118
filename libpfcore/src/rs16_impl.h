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
};

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
