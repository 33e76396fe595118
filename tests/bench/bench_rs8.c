/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rs8_encode / rs8_decode: GameStream GF(2^8) Reed–Solomon against Intel ISA-L as Debian
 * ships it (ec_init_tables + ec_encode_data) fed the same Cauchy matrix, so both compute
 * identical parity. Decode loses m data shards and pays all of its matrix work every call;
 * it is compared twice: with ISA-L's encode kernel at the same shape with tables built once
 * (the kernel-only bar of architecture.md §6), and with a whole ISA-L decode as its own
 * examples do it (invert the k x k survivor matrix, build tables, run the kernel) every
 * call. Rates are MB/s of data (k * shard_bytes per call). */
#include "bench_fec.h"

#include <isa-l.h>
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
    /* A whole ISA-L decode: the encode matrix [I; P], survivors, and per-call scratch. */
    uint8_t *isal_full, *isal_sub, *isal_inv, *isal_dec, *isal_dec_tables;
    const uint8_t **isal_surv;
    uint8_t **isal_out;
    uint32_t *lost_idx;
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

/* ISA-L's decode: the k surviving rows of [I; P] (intact data, then parity) inverted, the
 * rows of the lost shards turned into tables, and the kernel run; nothing reused. */
static void isal_decode_body(void *p)
{
    struct rs8_ctx *c = p;
    const uint32_t k = c->k, e = c->m < c->k ? c->m : c->k;
    uint32_t r = 0;
    for (uint32_t i = 0; i < k + c->m && r < k; i++) {
        if (i < k && !c->present[i])
            continue;
        memcpy(c->isal_sub + (size_t)r * k, c->isal_full + (size_t)i * k, k);
        c->isal_surv[r++] = c->shards[i];
    }
    if (gf_invert_matrix(c->isal_sub, c->isal_inv, (int)k) != 0)
        return;
    for (uint32_t t = 0; t < e; t++)
        memcpy(c->isal_dec + (size_t)t * k, c->isal_inv + (size_t)c->lost_idx[t] * k, k);
    ec_init_tables((int)k, (int)e, c->isal_dec, c->isal_dec_tables);
    ec_encode_data((int)SHARD_BYTES, (int)k, (int)e, c->isal_dec_tables,
                   (unsigned char **)(void *)c->isal_surv, c->isal_out);
    bench_consume(c->isal_out[0], SHARD_BYTES);
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
    c.isal_full = malloc((size_t)(k + m) * k);
    c.isal_sub = malloc((size_t)k * k);
    c.isal_inv = malloc((size_t)k * k);
    c.isal_dec = malloc((size_t)k * m);
    c.isal_dec_tables = malloc((size_t)k * m * 32);
    c.isal_surv = calloc(k, sizeof(*c.isal_surv));
    c.isal_out = calloc(m, sizeof(*c.isal_out));
    c.lost_idx = calloc(m, sizeof(*c.lost_idx));
    if (!buf || !matrix || !c.isal_tables || !c.data || !c.parity || !c.isal_parity ||
        !c.shards || !c.present || !c.isal_full || !c.isal_sub || !c.isal_inv || !c.isal_dec ||
        !c.isal_dec_tables || !c.isal_surv || !c.isal_out || !c.lost_idx) {
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
    memset(c.isal_full, 0, (size_t)k * k);
    for (uint32_t i = 0; i < k; i++)
        c.isal_full[(size_t)i * k + i] = 1;
    memcpy(c.isal_full + (size_t)k * k, matrix, (size_t)k * m);

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
        c.lost_idx[t] = idx;
        memset(c.shards[idx], 0, SHARD_BYTES);
    }
    if (pf_rs8_decode(c.rs, c.shards, c.present, SHARD_BYTES) != (int)lost ||
        memcmp(copy, buf, (size_t)k * SHARD_BYTES) != 0) {
        fprintf(stderr, "rs8: decode failed at k=%u m=%u\n", k, m);
        r = 1;
        goto out;
    }

    /* ISA-L's decode writes into its parity scratch; it must rebuild the same shards. */
    for (uint32_t t = 0; t < lost; t++)
        c.isal_out[t] = c.isal_parity[t];
    isal_decode_body(&c);
    for (uint32_t t = 0; t < lost; t++) {
        if (memcmp(c.isal_out[t], c.data[c.lost_idx[t]], SHARD_BYTES) != 0) {
            fprintf(stderr, "rs8: ISA-L decode differs at k=%u m=%u\n", k, m);
            r = 1;
            goto out;
        }
    }

    double ours, ref;
    struct bench_side enc = {encode_body, &c}, isal = {isal_body, &c}, dec = {decode_body, &c};
    struct bench_side isal_avx2 = {isal_avx2_body, &c}, isal_dec = {isal_decode_body, &c};
    if (bench_selected(opts, "rs8_encode")) {
        bench_compare(opts, enc, isal, &ours, &ref);
        bench_report(opts, "rs8_encode", k, m, "shard_bytes", SHARD_BYTES, mb_per_s(&c, ours),
                     "MB/s", "isal-2.30", mb_per_s(&c, ref));
        if (has_avx512()) {
            bench_compare(opts, enc, isal_avx2, &ours, &ref);
            bench_report(opts, "rs8_encode", k, m, "shard_bytes", SHARD_BYTES,
                         mb_per_s(&c, ours), "MB/s", "isal-2.30-avx2", mb_per_s(&c, ref));
        }
    }
    if (bench_selected(opts, "rs8_decode")) {
        bench_compare(opts, dec, isal, &ours, &ref);
        bench_report(opts, "rs8_decode", k, m, "shard_bytes", SHARD_BYTES, mb_per_s(&c, ours),
                     "MB/s", "isal-2.30-enc-kernel", mb_per_s(&c, ref));
        bench_compare(opts, dec, isal_dec, &ours, &ref);
        bench_report(opts, "rs8_decode", k, m, "shard_bytes", SHARD_BYTES, mb_per_s(&c, ours),
                     "MB/s", "isal-2.30-decode", mb_per_s(&c, ref));
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
    free(c.isal_full);
    free(c.isal_sub);
    free(c.isal_inv);
    free(c.isal_dec);
    free(c.isal_dec_tables);
    free(c.isal_surv);
    free(c.isal_out);
    free(c.lost_idx);
    pf_rs8_destroy(c.rs);
    return r;
}

/* What the rs8 references are, for bench_print_env. */
#define ISAL_STR2(x) #x
#define ISAL_STR(x) ISAL_STR2(x)
const char bench_rs8_legend[] =
    "isal-2.30: ISA-L " ISAL_STR(ISAL_MAJOR_VERSION) "." ISAL_STR(ISAL_MINOR_VERSION) "." ISAL_STR(
        ISAL_PATCH_VERSION) " as Debian ships it (libisal2; no GFNI kernels, its dispatcher takes "
    "AVX-512 where present), ec_encode_data with tables built once\n"
    "isal-2.30-avx2: the same through its AVX2 entry point\n"
    "isal-2.30-enc-kernel: rs8_decode's kernel-only bar: ISA-L's encode kernel at the same "
    "shape, tables built once (no matrix work)\n"
    "isal-2.30-decode: a whole ISA-L decode every call: gf_invert_matrix on the k x k survivor "
    "matrix, ec_init_tables, ec_encode_data\n";

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
