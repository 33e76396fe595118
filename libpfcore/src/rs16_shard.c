/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rs16_shard.h"

#include <string.h>

/* Bytes of [off, off + len) before the tail chunk, and whether the slice holds that chunk. */
static size_t body_end(size_t shard_bytes, size_t off, size_t len, int *ret_tail)
{
    size_t full = shard_bytes & ~(size_t)63;
    *ret_tail = full != shard_bytes && off + len > full;
    return off + len < full ? off + len : full;
}

static void tail_load(uint8_t *chunk, const uint8_t *tail, size_t t)
{
    memset(chunk, 0, 64);
    memcpy(chunk, tail, t / 2);
    memcpy(chunk + 32, tail + t / 2, t / 2);
}

void pfi_rs16_slice_load(uint8_t *slot, const uint8_t *shard, size_t shard_bytes, size_t off,
                         size_t len)
{
    int tail;
    size_t end = body_end(shard_bytes, off, len, &tail);
    if (end > off)
        memcpy(slot + off, shard + off, end - off);
    if (tail) {
        size_t full = shard_bytes & ~(size_t)63;
        tail_load(slot + full, shard + full, shard_bytes - full);
    }
}

void pfi_rs16_slice_load_mul(const struct gf16_kernels *k, uint8_t *slot, const uint8_t *shard,
                             size_t shard_bytes, size_t off, size_t len,
                             const struct gf16_lut *m)
{
    int tail;
    size_t end = body_end(shard_bytes, off, len, &tail);
    if (end > off)
        k->mul_to(slot + off, shard + off, m, end - off);
    if (tail) {
        size_t full = shard_bytes & ~(size_t)63;
        tail_load(slot + full, shard + full, shard_bytes - full);
        k->mul(slot + full, m, 64);
    }
}

void pfi_rs16_slice_store(uint8_t *shard, const uint8_t *slot, size_t shard_bytes, size_t off,
                          size_t len)
{
    int tail;
    size_t end = body_end(shard_bytes, off, len, &tail);
    if (end > off)
        memcpy(shard + off, slot + off, end - off);
    if (tail) {
        size_t full = shard_bytes & ~(size_t)63, t = shard_bytes - full;
        memcpy(shard + full, slot + full, t / 2);
        memcpy(shard + full + t / 2, slot + full + 32, t / 2);
    }
}

void pfi_rs16_tail_load(uint8_t *chunk, const uint8_t *shard, size_t shard_bytes)
{
    size_t full = shard_bytes & ~(size_t)63;
    tail_load(chunk, shard + full, shard_bytes - full);
}

void pfi_rs16_tail_store(uint8_t *shard, const uint8_t *chunk, size_t shard_bytes)
{
    size_t full = shard_bytes & ~(size_t)63, t = shard_bytes - full;
    memcpy(shard + full, chunk, t / 2);
    memcpy(shard + full + t / 2, chunk + 32, t / 2);
}
