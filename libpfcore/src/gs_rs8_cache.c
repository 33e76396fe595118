/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_rs8_cache.h"

#include <stdlib.h>

#include "pf/core/error.h"

#include "pf_log.h"

int pfi_rs8_cache_init(pfi_rs8_cache *cache, uint32_t capacity, const pf_log_hook *log)
{
    cache->entries = calloc(capacity, sizeof(*cache->entries));
    if (!cache->entries)
        return PF_ERR_NOMEM;
    cache->capacity = capacity;
    cache->clock = 0;
    cache->log = log;
    return 0;
}

void pfi_rs8_cache_finish(pfi_rs8_cache *cache)
{
    if (!cache->entries)
        return;
    for (uint32_t i = 0; i < cache->capacity; i++)
        pf_rs8_destroy(cache->entries[i].rs);
    free(cache->entries);
    cache->entries = NULL;
}

int pfi_rs8_cache_get(pfi_rs8_cache *cache, uint32_t k, uint32_t m, uint32_t matrix,
                      pf_rs8 **ret_rs)
{
    pfi_rs8_cache_entry *victim = &cache->entries[0];
    cache->clock++;
    for (uint32_t i = 0; i < cache->capacity; i++) {
        pfi_rs8_cache_entry *e = &cache->entries[i];
        if (e->rs && e->k == k && e->m == m && e->matrix == matrix) {
            e->last_use = cache->clock;
            *ret_rs = e->rs;
            return 0;
        }
        if (!e->rs || (victim->rs && e->last_use < victim->last_use))
            victim = e;
    }
    pf_rs8_settings settings;
    int r = pf_rs8_settings_default(PF_RS8_SETTINGS_VERSION, &settings);
    if (r < 0)
        return r;
    if (cache->log)
        settings.log = *cache->log;
    pf_rs8 *rs = NULL;
    r = pf_rs8_create(k, m, matrix, &settings, &rs);
    if (r < 0)
        return r;
    pfi_log_debug(cache->log, "gs_rs8_cache", "built RS codec k=%u m=%u%s", k, m,
                  victim->rs ? " (evicted the least recently used)" : "");
    pf_rs8_destroy(victim->rs);
    victim->rs = rs;
    victim->k = k;
    victim->m = m;
    victim->matrix = matrix;
    victim->last_use = cache->clock;
    *ret_rs = rs;
    return 0;
}
