/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf/core/rs16.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "pf_assert.h"
#include "cpu.h"
#include "pf_log.h"
#include "rs16_impl.h"

#define TOPIC "rs16"

static uint32_t next_pow2(uint32_t x)
{
    uint32_t p = 1;
    while (p < x)
        p <<= 1;
    return p;
}

int pf_rs16_settings_default(uint32_t version, pf_rs16_settings *ret_settings)
{
    pf_assert_return(ret_settings, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(version == PF_RS16_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    memset(ret_settings, 0, sizeof(*ret_settings));
    ret_settings->version = version;
    ret_settings->simd = PF_SIMD_AUTO;
    return 0;
}

int pf_rs16_tables_create(pf_rs16_tables **ret_tables)
{
    pf_assert_return(ret_tables, PF_ERR_INVALID_ARGUMENT);
    struct pf_rs16_tables *t = calloc(1, sizeof(*t));
    if (!t)
        return PF_ERR_NOMEM;
    if (pfi_gf16_tables_init(t) < 0) {
        free(t);
        return PF_ERR_NOMEM;
    }
    *ret_tables = t;
    return 0;
}

void pf_rs16_tables_destroy(pf_rs16_tables *tables)
{
    if (!tables)
        return;
    pfi_gf16_tables_finish(tables);
    free(tables);
}

static const struct gf16_kernels *kernels_for(int simd)
{
#if defined(__x86_64__)
    /* AVX-512 without GFNI keeps the AVX2 kernels: the split-table method gains nothing
     * from wider registers on the CPUs measured, GFNI's bit matrices do. */
    if (simd == (int)PF_SIMD_AVX512 && pfi_cpu_has_gfni())
        return &pfi_gf16_kernels_avx512_gfni;
    if (simd == (int)PF_SIMD_AVX2 || simd == (int)PF_SIMD_AVX512)
        return &pfi_gf16_kernels_avx2;
    if (simd == (int)PF_SIMD_SSSE3)
        return &pfi_gf16_kernels_ssse3;
#endif
    (void)simd;
    return &pfi_gf16_kernels_portable;
}

/* The reed-solomon-simd 3.1 default rate selection, including its shape limits. */
static int choose_rate(uint32_t k, uint32_t m, bool *ret_high)
{
    uint32_t pk = next_pow2(k), pm = next_pow2(m);
    uint32_t smaller = pk < pm ? pk : pm;
    uint32_t larger = k > m ? k : m;
    if (k > PF_RS16_MAX_TOTAL || m > PF_RS16_MAX_TOTAL || smaller + larger > PF_RS16_MAX_TOTAL)
        return PF_ERR_UNSUPPORTED;
    *ret_high = pk > pm || (pk == pm && k <= m);
    return 0;
}

int pf_rs16_create(uint32_t k, uint32_t m, size_t max_shard_bytes,
                   const pf_rs16_settings *settings, pf_rs16 **ret_rs)
{
    pf_assert_return(ret_rs, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(k > 0 && m > 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(max_shard_bytes > 0 && max_shard_bytes % 2 == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(max_shard_bytes <= SIZE_MAX / 2 - 64, PF_ERR_INVALID_ARGUMENT);

    pf_rs16_settings defaults;
    if (!settings) {
        pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, &defaults);
        settings = &defaults;
    }
    pf_assert_return(settings->version == PF_RS16_SETTINGS_VERSION, PF_ERR_UNSUPPORTED);
    int simd = pfi_simd_resolve(settings->simd);
    if (simd < 0)
        return PF_ERR_UNSUPPORTED;
    bool high;
    int r = choose_rate(k, m, &high);
    if (r < 0)
        return r;

    pf_rs16 *rs = calloc(1, sizeof(*rs));
    if (!rs)
        return PF_ERR_NOMEM;
    rs->k = k;
    rs->m = m;
    rs->high_rate = high;
    rs->chunk = next_pow2(high ? m : k);
    rs->end = rs->chunk + (high ? k : m);
    rs->domain = next_pow2(rs->end);
    rs->simd = (uint32_t)simd;
    rs->max_shard_bytes = max_shard_bytes;
    rs->stride = (max_shard_bytes + 63) & ~(size_t)63;
    rs->log = settings->log;
    rs->kernels = kernels_for(simd);

    if (settings->tables) {
        rs->tables = settings->tables;
    } else {
        r = pf_rs16_tables_create(&rs->own_tables);
        if (r < 0)
            goto fail;
        rs->tables = rs->own_tables;
    }
    r = PF_ERR_NOMEM;
    if (rs->stride > SIZE_MAX / rs->domain)
        goto fail;
    rs->work = aligned_alloc(64, rs->stride * rs->domain);
    rs->walsh = malloc(rs->domain * sizeof(uint16_t));
    rs->locator = malloc(rs->domain * sizeof(uint16_t));
    rs->need = malloc((rs->domain + 1) * sizeof(uint32_t));
    rs->src = malloc(rs->chunk * sizeof(*rs->src));
    if (!rs->work || !rs->walsh || !rs->locator || !rs->need || !rs->src)
        goto fail;
    pfi_gf16_locator_prepare(rs->tables, rs->domain, rs->walsh);
    if (pfi_rs16_small_fits(k, m, rs->kernels) && pfi_rs16_small_create(rs) < 0)
        goto fail;

    pfi_log_debug(&rs->log, TOPIC,
                  "k=%u m=%u %s rate, chunk %u, domain %u, %zu work bytes, %s decode", k, m,
                  high ? "high" : "low", rs->chunk, rs->domain, rs->stride * rs->domain,
                  rs->small ? "direct" : "FFT");
    *ret_rs = rs;
    return 0;

fail:
    pf_rs16_destroy(rs);
    return r;
}

void pf_rs16_destroy(pf_rs16 *rs)
{
    if (!rs)
        return;
    free(rs->work);
    free(rs->walsh);
    free(rs->locator);
    free(rs->need);
    free(rs->src);
    pfi_rs16_small_destroy(rs->small);
    pf_rs16_tables_destroy(rs->own_tables);
    free(rs);
}

uint32_t pf_rs16_get_simd(const pf_rs16 *rs)
{
    return rs ? rs->simd : 0;
}

static bool shard_bytes_ok(const pf_rs16 *rs, size_t shard_bytes)
{
    return shard_bytes > 0 && shard_bytes % 2 == 0 && shard_bytes <= rs->max_shard_bytes;
}

int pf_rs16_encode(pf_rs16 *rs, const uint8_t *const *data, uint8_t *const *recovery,
                   size_t shard_bytes)
{
    pf_assert_return(rs && data && recovery, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(shard_bytes_ok(rs, shard_bytes), PF_ERR_INVALID_ARGUMENT);
    for (uint32_t i = 0; i < rs->k; i++)
        pf_assert_return(data[i], PF_ERR_INVALID_ARGUMENT);
    for (uint32_t j = 0; j < rs->m; j++)
        pf_assert_return(recovery[j], PF_ERR_INVALID_ARGUMENT);

    pfi_rs16_encode(rs, data, recovery, shard_bytes);
    return 0;
}

int pf_rs16_decode(pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                   size_t shard_bytes)
{
    pf_assert_return(rs && shards && present, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(shard_bytes_ok(rs, shard_bytes), PF_ERR_INVALID_ARGUMENT);
    for (uint32_t i = 0; i < rs->k + rs->m; i++)
        pf_assert_return(shards[i], PF_ERR_INVALID_ARGUMENT);
    return pfi_rs16_decode(rs, shards, present, shard_bytes);
}
