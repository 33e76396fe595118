/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "shard_block.h"

#include <string.h>

#include "pf/core/error.h"

void pfi_shard_block_init(pfi_shard_block *b, uint8_t *slots, uint8_t *present,
                          uint32_t capacity, size_t shard_bytes)
{
    memset(b, 0, sizeof(*b));
    b->slots = slots;
    b->present = present;
    b->capacity = capacity;
    b->shard_bytes = shard_bytes;
}

void pfi_shard_block_reset(pfi_shard_block *b)
{
    b->started = 0;
    b->done = 0;
    b->have = 0;
    b->k = 0;
    b->m = 0;
}

int pfi_shard_block_start(pfi_shard_block *b, uint32_t k, uint32_t m)
{
    if (k == 0)
        return PF_ERR_MALFORMED;
    if ((uint64_t)k + m > b->capacity)
        return PF_ERR_LIMIT;
    b->k = k;
    b->m = m;
    b->have = 0;
    b->done = 0;
    b->started = 1;
    /* Flags are cleared per block, not per object: a block touches only its own shape. */
    memset(b->present, 0, (size_t)k + m);
    return 0;
}

int pfi_shard_block_add(pfi_shard_block *b, uint32_t index, const uint8_t *data, size_t len)
{
    if (!b->started || index >= b->k + b->m)
        return PF_ERR_MALFORMED;
    if (b->done || b->present[index])
        return PF_ERR_REPLAY;
    if (len > b->shard_bytes)
        len = b->shard_bytes;
    uint8_t *dst = pfi_shard_block_slot(b, index);
    memcpy(dst, data, len);
    /* RS decodes every shard at full length: a short shard counts as zero-padded. */
    memset(dst + len, 0, b->shard_bytes - len);
    b->present[index] = 1;
    b->have++;
    return b->have == b->k ? 1 : 0;
}

uint32_t pfi_shard_block_missing_data(const pfi_shard_block *b)
{
    uint32_t missing = 0;
    for (uint32_t i = 0; i < b->k; i++)
        missing += !b->present[i];
    return missing;
}
