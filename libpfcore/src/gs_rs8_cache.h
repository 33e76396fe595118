/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GS_RS8_CACHE_H
#define PF_CORE_GS_RS8_CACHE_H

#include <stdint.h>

#include "pf/core/common.h"
#include "pf/core/rs8.h"

/* A small bounded cache of Reed–Solomon codecs keyed by (k, m, matrix): frames of similar
 * size reuse the same shapes, so after warm-up no codec is built on the frame path. The
 * least recently used entry is replaced when the cache is full. */
typedef struct pfi_rs8_cache_entry {
    pf_rs8 *rs;
    uint32_t k;
    uint32_t m;
    uint32_t matrix;
    uint64_t last_use;
} pfi_rs8_cache_entry;

typedef struct pfi_rs8_cache {
    pfi_rs8_cache_entry *entries;
    uint32_t capacity;
    uint64_t clock;
    const pf_log_hook *log;
} pfi_rs8_cache;

int pfi_rs8_cache_init(pfi_rs8_cache *cache, uint32_t capacity, const pf_log_hook *log);
void pfi_rs8_cache_finish(pfi_rs8_cache *cache);

/* Returns a codec for the shape, building it on a miss (PF_ERR_NOMEM, PF_ERR_*). */
int pfi_rs8_cache_get(pfi_rs8_cache *cache, uint32_t k, uint32_t m, uint32_t matrix,
                      pf_rs8 **ret_rs);

#endif
