/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pf/core/rs16.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "assert.h"
#include "cpu.h"
#include "gf16.h"
#include "gf16_fft.h"
#include "gf16_kernels.h"
#include "log.h"

#define TOPIC "rs16"

/* Positions of the codeword inside the work buffer (native-protocol.md §7.7):
 *  high rate: recovery j at j, data i at C + i, C = next_pow2(m); [m, C) is never sent
 *             (erased) and [C + k, N) is known zero.
 *  low rate:  data i at i, recovery j at C + j, C = next_pow2(k); [k, C) is known zero and
 *             [C + m, N) is never sent (erased).
 * N = next_pow2(C + k) or next_pow2(C + m) is the decode domain; the encoder uses the first
 * 2C (high) or roundup(m, C) (low) shards of the same buffer. */
struct pf_rs16 {
    uint32_t k, m;
    bool high_rate;
    uint32_t chunk; /* C */
    uint32_t end;   /* C + k (high) or C + m (low): the codeword's last position + 1 */
    uint32_t domain; /* N */
    uint32_t simd;
    size_t max_shard_bytes;
    size_t stride;
    pf_log_hook log;
    const struct pf_rs16_tables *tables;
    struct pf_rs16_tables *own_tables;
    const struct gf16_kernels *kernels;
    uint8_t *work;       /* domain shards of stride bytes, 64-byte aligned */
    uint16_t *walsh;     /* domain entries: pfi_gf16_locator_prepare() */
    uint16_t *locator;   /* domain entries, decode scratch */
};

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
    if (simd == (int)PF_SIMD_AVX2)
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
    if (!rs->work || !rs->walsh || !rs->locator)
        goto fail;
    pfi_gf16_locator_prepare(rs->tables, rs->domain, rs->walsh);

    pfi_log_debug(&rs->log, TOPIC, "k=%u m=%u %s rate, chunk %u, domain %u, %zu work bytes",
                  k, m, high ? "high" : "low", rs->chunk, rs->domain,
                  rs->stride * rs->domain);
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
    pf_rs16_tables_destroy(rs->own_tables);
    free(rs);
}

uint32_t pf_rs16_get_simd(const pf_rs16 *rs)
{
    return rs ? rs->simd : 0;
}

static inline uint8_t *work_shard(const pf_rs16 *rs, uint32_t pos)
{
    return rs->work + (size_t)pos * rs->stride;
}

/* Copies a shard into a work slot; a tail of t = bytes mod 64 bytes goes into a zeroed
 * chunk as low halves [0, t/2) and high halves [32, 32 + t/2) (the crate's layout). */
static void load_shard(uint8_t *dst, const uint8_t *src, size_t bytes)
{
    size_t full = bytes & ~(size_t)63, t = bytes - full;
    memcpy(dst, src, full);
    if (t) {
        memset(dst + full, 0, 64);
        memcpy(dst + full, src + full, t / 2);
        memcpy(dst + full + 32, src + full + t / 2, t / 2);
    }
}

static void store_shard(uint8_t *dst, const uint8_t *src, size_t bytes)
{
    size_t full = bytes & ~(size_t)63, t = bytes - full;
    memcpy(dst, src, full);
    if (t) {
        memcpy(dst + full, src + full, t / 2);
        memcpy(dst + full + t / 2, src + full + 32, t / 2);
    }
}

static struct gf16_run run_at(const pf_rs16 *rs, uint32_t pos, size_t bytes)
{
    struct gf16_run run = {
        .t = rs->tables,
        .k = rs->kernels,
        .base = work_shard(rs, pos),
        .stride = rs->stride,
        .bytes = bytes,
    };
    return run;
}

/* Loads data shards [first, first + count) into C slots from @pos and zero-fills the rest. */
static void load_chunk(pf_rs16 *rs, uint32_t pos, const uint8_t *const *data, uint32_t first,
                       uint32_t count, size_t shard_bytes, size_t bytes)
{
    for (uint32_t i = 0; i < count; i++)
        load_shard(work_shard(rs, pos + i), data[first + i], shard_bytes);
    for (uint32_t i = count; i < rs->chunk; i++)
        memset(work_shard(rs, pos + i), 0, bytes);
}

/* Leopard's encoder: IFFT every C-sized chunk of the data at its own skew offset, XOR the
 * results, and FFT the sum; the first m outputs are the recovery shards. */
static void encode_high(pf_rs16 *rs, const uint8_t *const *data, size_t shard_bytes,
                        size_t bytes)
{
    uint32_t c = rs->chunk, k = rs->k;
    struct gf16_run acc = run_at(rs, 0, bytes), tmp = run_at(rs, c, bytes);
    uint32_t first = k < c ? k : c;
    load_chunk(rs, 0, data, 0, first, shard_bytes, bytes);
    pfi_gf16_ifft(&acc, c, first, c);
    for (uint32_t start = c; start < k; start += c) {
        uint32_t count = k - start < c ? k - start : c;
        load_chunk(rs, c, data, start, count, shard_bytes, bytes);
        pfi_gf16_ifft(&tmp, c, count, start + c);
        for (uint32_t i = 0; i < c; i++)
            rs->kernels->xor_into(work_shard(rs, i), work_shard(rs, c + i), bytes);
    }
    pfi_gf16_fft(&acc, c, rs->m, 0);
}

/* The crate's low-rate encoder: one IFFT of the data, then an FFT per C-sized chunk of
 * recovery positions, each at its own skew offset. */
static void encode_low(pf_rs16 *rs, const uint8_t *const *data, size_t shard_bytes,
                       size_t bytes)
{
    uint32_t c = rs->chunk, m = rs->m;
    struct gf16_run first = run_at(rs, 0, bytes);
    load_chunk(rs, 0, data, 0, rs->k, shard_bytes, bytes);
    pfi_gf16_ifft(&first, c, rs->k, 0);
    for (uint32_t start = c; start < m; start += c)
        for (uint32_t i = 0; i < c; i++)
            memcpy(work_shard(rs, start + i), work_shard(rs, i), bytes);
    for (uint32_t start = 0; start < m; start += c) {
        struct gf16_run chunk = run_at(rs, start, bytes);
        pfi_gf16_fft(&chunk, c, m - start < c ? m - start : c, start + c);
    }
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

    size_t bytes = (shard_bytes + 63) & ~(size_t)63;
    if (rs->high_rate)
        encode_high(rs, data, shard_bytes, bytes);
    else
        encode_low(rs, data, shard_bytes, bytes);
    for (uint32_t j = 0; j < rs->m; j++)
        store_shard(recovery[j], work_shard(rs, j), shard_bytes);
    return 0;
}

/* Position of data shard i / recovery shard j in the work buffer. */
static uint32_t data_pos(const pf_rs16 *rs, uint32_t i)
{
    return rs->high_rate ? rs->chunk + i : i;
}

static uint32_t recovery_pos(const pf_rs16 *rs, uint32_t j)
{
    return rs->high_rate ? j : rs->chunk + j;
}

/* Erasure decoding as Leopard: scale every received symbol by the erasure locator at its
 * position, IFFT, formal derivative, FFT, and divide the erased positions by the locator. */
int pf_rs16_decode(pf_rs16 *rs, uint8_t *const *shards, const uint8_t *present,
                   size_t shard_bytes)
{
    pf_assert_return(rs && shards && present, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(shard_bytes_ok(rs, shard_bytes), PF_ERR_INVALID_ARGUMENT);
    uint32_t k = rs->k, m = rs->m, have = 0, lost = 0;
    for (uint32_t i = 0; i < k + m; i++) {
        pf_assert_return(shards[i], PF_ERR_INVALID_ARGUMENT);
        if (present[i])
            have++;
        else if (i < k)
            lost++;
    }
    if (lost == 0)
        return 0;
    if (have < k)
        return PF_ERR_UNRECOVERABLE;

    size_t bytes = (shard_bytes + 63) & ~(size_t)63;
    uint32_t c = rs->chunk, n = rs->domain, end = rs->end;
    uint16_t *loc = rs->locator;
    const struct pf_rs16_tables *t = rs->tables;

    memset(loc, 0, n * sizeof(uint16_t));
    for (uint32_t i = 0; i < k; i++)
        if (!present[i])
            loc[data_pos(rs, i)] = 1;
    for (uint32_t j = 0; j < m; j++)
        if (!present[k + j])
            loc[recovery_pos(rs, j)] = 1;
    if (rs->high_rate) {
        for (uint32_t p = m; p < c; p++)
            loc[p] = 1;
    } else {
        for (uint32_t p = end; p < n; p++)
            loc[p] = 1;
    }
    pfi_gf16_locator(rs->walsh, n, loc);

    for (uint32_t i = 0; i < k + m; i++) {
        uint32_t p = i < k ? data_pos(rs, i) : recovery_pos(rs, i - k);
        uint8_t *w = work_shard(rs, p);
        if (present[i]) {
            load_shard(w, shards[i], shard_bytes);
            rs->kernels->mul(w, &t->lut[loc[p]], bytes);
        } else {
            memset(w, 0, bytes);
        }
    }
    /* The slots between the two shard groups and past the codeword hold zeros. */
    uint32_t gap = rs->high_rate ? m : k;
    for (uint32_t p = gap; p < c; p++)
        memset(work_shard(rs, p), 0, bytes);
    for (uint32_t p = end; p < n; p++)
        memset(work_shard(rs, p), 0, bytes);

    struct gf16_run all = run_at(rs, 0, bytes);
    pfi_gf16_ifft(&all, n, end, 0);
    pfi_gf16_formal_derivative(&all, n);
    pfi_gf16_fft(&all, n, end, 0);

    for (uint32_t i = 0; i < k; i++) {
        if (present[i])
            continue;
        uint32_t p = data_pos(rs, i);
        uint8_t *w = work_shard(rs, p);
        rs->kernels->mul(w, &t->lut[GF16_MODULUS - loc[p]], bytes);
        store_shard(shards[i], w, shard_bytes);
    }
    return (int)lost;
}
