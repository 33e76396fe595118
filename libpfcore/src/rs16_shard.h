/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_RS16_SHARD_H
#define PF_CORE_RS16_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "gf16_kernels.h"

/* Caller shards <-> work slots (native-protocol.md §7.7 byte layout). A work slot holds
 * roundup(shard_bytes, 64) bytes; the final t = shard_bytes mod 64 bytes of a shard sit in
 * the slot's last chunk as low halves [0, t/2) and high halves [32, 32 + t/2), the rest of
 * that chunk zero. The copies work on a column slice [off, off + len) of the slot (64-byte
 * aligned), so a codec can run a whole transform on a cache-sized slice at a time. */

/* slot[off, off + len) = the shard's bytes there. */
void pfi_rs16_slice_load(uint8_t *slot, const uint8_t *shard, size_t shard_bytes, size_t off,
                         size_t len);

/* slot[off, off + len) = the shard's bytes there times the element with table @m. */
void pfi_rs16_slice_load_mul(const struct gf16_kernels *k, uint8_t *slot, const uint8_t *shard,
                             size_t shard_bytes, size_t off, size_t len,
                             const struct gf16_lut *m);

/* The shard's bytes in [off, off + len) of the slot layout = slot[off, off + len). */
void pfi_rs16_slice_store(uint8_t *shard, const uint8_t *slot, size_t shard_bytes, size_t off,
                          size_t len);

/* The last shard_bytes mod 64 bytes of a shard as one 64-byte chunk of the slot layout, and
 * back; only for a shard whose size is not a multiple of 64. */
void pfi_rs16_tail_load(uint8_t *chunk, const uint8_t *shard, size_t shard_bytes);
void pfi_rs16_tail_store(uint8_t *shard, const uint8_t *chunk, size_t shard_bytes);

#endif
