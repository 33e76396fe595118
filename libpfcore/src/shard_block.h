/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_SHARD_BLOCK_H
#define PF_CORE_SHARD_BLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Bookkeeping of one FEC block being received: which of its k + m shards are held, where
 * they live, and when k of them make it decodable. It knows nothing of wire headers or of
 * the code, so GameStream's GF(2^8) blocks (k + m <= 255) and punktfunk/1's GF(2^16) blocks
 * (thousands of shards) share it; the caller runs the decoder over the slots. */
typedef struct pfi_shard_block {
    uint8_t *slots;    /* capacity × shard_bytes; borrowed from the owner */
    uint8_t *present;  /* capacity flags; borrowed */
    size_t shard_bytes;
    uint32_t capacity;
    uint32_t k;
    uint32_t m;
    uint32_t have;
    uint8_t started;
    uint8_t done;
} pfi_shard_block;

void pfi_shard_block_init(pfi_shard_block *b, uint8_t *slots, uint8_t *present,
                          uint32_t capacity, size_t shard_bytes);

/* Forgets the block's shards (the storage stays). */
void pfi_shard_block_reset(pfi_shard_block *b);

/* Fixes the shape on the first shard; PF_ERR_LIMIT when k + m exceeds the capacity,
 * PF_ERR_MALFORMED for k = 0. */
int pfi_shard_block_start(pfi_shard_block *b, uint32_t k, uint32_t m);

static inline uint8_t *pfi_shard_block_slot(const pfi_shard_block *b, uint32_t index)
{
    return b->slots + (size_t)index * b->shard_bytes;
}

/* Stores shard @p index (zero-padded to shard_bytes; longer input is cut). Returns 1 when
 * this shard brought the block to k shards, 0 otherwise, PF_ERR_REPLAY for a shard already
 * held or a block already finished, PF_ERR_MALFORMED for an index outside k + m. */
int pfi_shard_block_add(pfi_shard_block *b, uint32_t index, const uint8_t *data, size_t len);

/* Data shards (index < k) not held. */
uint32_t pfi_shard_block_missing_data(const pfi_shard_block *b);

#endif
