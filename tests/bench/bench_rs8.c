/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rs8_encode / rs8_decode: GameStream GF(2^8) Reed–Solomon against Intel ISA-L
 * (ec_init_tables + ec_encode_data) fed the same Cauchy matrix, so both compute identical
 * parity. Decode loses m data shards and pays all of its matrix work every call; its
 * reference is ISA-L's encode rate at the same shape, the kernel-only bar of
 * architecture.md §6. Rates are MB/s of data (k * shard_bytes per call). */
#include "bench_fec.h"

#include <isa-l/erasure_code.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/rs8.h"

#include "gf256.h"

#define SHARD_BYTES 1392u

struct rs8_ctx {
    pf_rs8 *rs;
    uint32_t k, m;
    const uint8_t **data;
    uint8_t **parity;
    uint8_t **isal_parity;
    uint8_t **shards; /* data copies then parity, for decode */
    uint8_t *present;
    uint8_t *isal_tables;
};

static void encode_body(void *p)
{
    struct rs8_ctx *c = p;
    pf_rs8_encode(c->rs, c->data, c->parity, SHARD_BYTES);
    bench_consume(c->parity[0], SHARD_BYTES);
}

static void isal_body(void *p)
{
    struct rs8_ctx *c = p;
    ec_encode_data((int)SHARD_BYTES, (int)c->k, (int)c->m, c->isal_tables,
                   (unsigned char **)(void *)c->data, c->isal_parity);
    bench_consume(c->isal_parity[0], SHARD_BYTES);
}

/* ISA-L's AVX2 entry point, bypassing its dispatcher: on CPUs with AVX-512 ec_encode_data
 * runs 64-byte kernels, and this line shows the same-width comparison next to it. */
static void isal_avx2_body(void *p)
{
    struct rs8_ctx *c = p;
    ec_encode_data_avx2((int)SHARD_BYTES, (int)c->k, (int)c->m, c->isal_tables,
                        (unsigned char **)(void *)c->data, c->isal_parity);
    bench_consume(c->isal_parity[0], SHARD_BYTES);
}

/* The lost shards stay flagged absent, so every call rebuilds the same m data shards. */
static void decode_body(void *p)
{
    struct rs8_ctx *c = p;
    pf_rs8_decode(c->rs, c->shards, c->present, SHARD_BYTES);
    bench_consume(c->shards[0], SHARD_BYTES);
}

static int has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx2");
}

static double mb_per_s(const struct rs8_ctx *c, double calls_per_s)
{
    return calls_per_s * (double)c->k * SHARD_BYTES / 1e6;
}

static int bench_shape(const struct bench_opts *opts, uint32_t k, uint32_t m)
{
    struct rs8_ctx c = {.k = k, .m = m};
    int r = pf_rs8_create(k, m, PF_RS8_MATRIX_CAUCHY, NULL, &c.rs);
    if (r < 0) {
        fprintf(stderr, "rs8: create k=%u m=%u: %s\n", k, m, pf_strerror(r));
        return 1;
    }
    uint8_t *buf = malloc((size_t)(2 * k + 2 * m) * SHARD_BYTES);
    uint8_t *matrix = malloc((size_t)k * m);
    c.isal_tables = malloc((size_t)k * m * 32);
    c.data = calloc(k, sizeof(*c.data));
    c.parity = calloc(m, sizeof(*c.parity));
    c.isal_parity = calloc(m, sizeof(*c.isal_parity));
    c.shards = calloc(k + m, sizeof(*c.shards));
    c.present = malloc(k + m);
    if (!buf || !matrix || !c.isal_tables || !c.data || !c.parity || !c.isal_parity ||
        !c.shards || !c.present) {
        fprintf(stderr, "rs8: out of memory\n");
        r = 1;
        goto out;
    }
    bench_fill(buf, (size_t)k * SHARD_BYTES, 0x8u * k + m);
    for (uint32_t i = 0; i < k; i++)
        c.data[i] = buf + (size_t)i * SHARD_BYTES;
    for (uint32_t j = 0; j < m; j++) {
        c.parity[j] = buf + (size_t)(k + j) * SHARD_BYTES;
        c.isal_parity[j] = buf + (size_t)(k + m + j) * SHARD_BYTES;
    }
    uint8_t *copy = buf + (size_t)(k + 2 * m) * SHARD_BYTES;
    memcpy(copy, buf, (size_t)k * SHARD_BYTES);
    for (uint32_t i = 0; i < k; i++)
        c.shards[i] = copy + (size_t)i * SHARD_BYTES;
    for (uint32_t j = 0; j < m; j++)
        c.shards[k + j] = c.parity[j];

    /* GameStream's matrix (gamestream-protocol.md §7.2), handed to ISA-L as is. */
    for (uint32_t j = 0; j < m; j++)
        for (uint32_t i = 0; i < k; i++)
            matrix[(size_t)j * k + i] = pfi_gf256_inv((uint8_t)((m + i) ^ j));
    ec_init_tables((int)k, (int)m, matrix, c.isal_tables);

    encode_body(&c);
    isal_body(&c);
    for (uint32_t j = 0; j < m; j++) {
        if (memcmp(c.parity[j], c.isal_parity[j], SHARD_BYTES) != 0) {
            fprintf(stderr, "rs8: parity %u differs from ISA-L at k=%u m=%u\n", j, k, m);
            r = 1;
            goto out;
        }
    }

    /* Lose m data shards spread over the block: the worst case, e = m. */
    memset(c.present, 1, k + m);
    uint32_t lost = m < k ? m : k;
    for (uint32_t t = 0; t < lost; t++) {
        uint32_t idx = (uint32_t)((uint64_t)t * k / lost);
        c.present[idx] = 0;
        memset(c.shards[idx], 0, SHARD_BYTES);
    }
    if (pf_rs8_decode(c.rs, c.shards, c.present, SHARD_BYTES) != (int)lost ||
        memcmp(copy, buf, (size_t)k * SHARD_BYTES) != 0) {
        fprintf(stderr, "rs8: decode failed at k=%u m=%u\n", k, m);
        r = 1;
        goto out;
    }

    double ours, ref;
    struct bench_side enc = {encode_body, &c}, isal = {isal_body, &c}, dec = {decode_body, &c};
    struct bench_side isal_avx2 = {isal_avx2_body, &c};
    if (bench_selected(opts, "rs8_encode")) {
        bench_compare(opts, enc, isal, &ours, &ref);
        bench_report(opts, "rs8_encode", k, m, "shard_bytes", SHARD_BYTES, mb_per_s(&c, ours),
                     "MB/s", "isal", mb_per_s(&c, ref));
        if (has_avx512()) {
            bench_compare(opts, enc, isal_avx2, &ours, &ref);
            bench_report(opts, "rs8_encode", k, m, "shard_bytes", SHARD_BYTES,
                         mb_per_s(&c, ours), "MB/s", "isal_avx2", mb_per_s(&c, ref));
        }
    }
    if (bench_selected(opts, "rs8_decode")) {
        bench_compare(opts, dec, isal, &ours, &ref);
        bench_report(opts, "rs8_decode", k, m, "shard_bytes", SHARD_BYTES, mb_per_s(&c, ours),
                     "MB/s", "isal", mb_per_s(&c, ref));
    }
    r = 0;
out:
    free(buf);
    free(matrix);
    free(c.isal_tables);
    free(c.data);
    free(c.parity);
    free(c.isal_parity);
    free(c.shards);
    free(c.present);
    pf_rs8_destroy(c.rs);
    return r;
}

int bench_rs8(const struct bench_opts *opts)
{
    static const uint32_t shapes[][2] = {{32, 7}, {200, 50}};
    int failed = 0;
    if (!bench_selected(opts, "rs8_encode") && !bench_selected(opts, "rs8_decode"))
        return 0;
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++)
        failed |= bench_shape(opts, shapes[s][0], shapes[s][1]);
    return failed;
}
