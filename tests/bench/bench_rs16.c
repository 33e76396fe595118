/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rs16_encode / rs16_decode: punktfunk/1 GF(2^16) Reed–Solomon. Debian packages no Leopard-RS
 * or reed-solomon-simd, so there is no same-run reference; architecture.md §6 gives the bars
 * (Leopard at k=1000 m=200: about 2.9 GB/s encode, 0.75 GB/s decode; k=32 m=8 decode within
 * 20 µs per block). */
#include "bench_fec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/core/rs16.h"

#define SHARD_BYTES 1408u

struct rs16_ctx {
    pf_rs16 *rs;
    uint32_t k, m;
    const uint8_t **data;
    uint8_t **recovery;
    uint8_t **shards;  /* data copies then recovery, for decode */
    uint8_t *present;
};

static void encode_body(void *p)
{
    struct rs16_ctx *c = p;
    pf_rs16_encode(c->rs, c->data, c->recovery, SHARD_BYTES);
    bench_consume(c->recovery[0], SHARD_BYTES);
}

/* The lost shards stay flagged absent, so every call rebuilds the same m data shards. */
static void decode_body(void *p)
{
    struct rs16_ctx *c = p;
    pf_rs16_decode(c->rs, c->shards, c->present, SHARD_BYTES);
    bench_consume(c->shards[0], SHARD_BYTES);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_shape(const struct bench_opts *opts, const pf_rs16_tables *tables, uint32_t k,
                       uint32_t m)
{
    struct rs16_ctx c = { .k = k, .m = m };
    pf_rs16_settings s;
    pf_rs16_settings_default(PF_RS16_SETTINGS_VERSION, &s);
    s.tables = tables;
    int r = pf_rs16_create(k, m, SHARD_BYTES, &s, &c.rs);
    if (r < 0) {
        fprintf(stderr, "rs16: create k=%u m=%u: %s\n", k, m, pf_strerror(r));
        return 1;
    }
    uint8_t *buf = malloc((size_t)(2 * k + m) * SHARD_BYTES);
    c.data = calloc(k, sizeof(*c.data));
    c.recovery = calloc(m, sizeof(*c.recovery));
    c.shards = calloc(k + m, sizeof(*c.shards));
    c.present = malloc(k + m);
    if (!buf || !c.data || !c.recovery || !c.shards || !c.present) {
        r = 1;
        goto out;
    }
    bench_fill(buf, (size_t)k * SHARD_BYTES, 0x16u * k + m);
    for (uint32_t i = 0; i < k; i++)
        c.data[i] = buf + (size_t)i * SHARD_BYTES;
    for (uint32_t j = 0; j < m; j++)
        c.recovery[j] = buf + (size_t)(k + j) * SHARD_BYTES;
    uint8_t *copy = buf + (size_t)(k + m) * SHARD_BYTES;
    memcpy(copy, buf, (size_t)k * SHARD_BYTES);
    for (uint32_t i = 0; i < k; i++)
        c.shards[i] = copy + (size_t)i * SHARD_BYTES;
    for (uint32_t j = 0; j < m; j++)
        c.shards[k + j] = c.recovery[j];

    double data_mb = (double)k * SHARD_BYTES / 1e6;
    if (bench_selected(opts, "rs16_encode")) {
        double per_s = bench_rate(opts, (struct bench_side){ encode_body, &c });
        bench_report(opts, "rs16_encode", k, m, "shard_bytes", SHARD_BYTES, per_s * data_mb,
                     "MB/s", "none", 0);
    }
    if (bench_selected(opts, "rs16_decode")) {
        pf_rs16_encode(c.rs, c.data, c.recovery, SHARD_BYTES);
        memset(c.present, 1, k + m);
        uint32_t lose = m < k ? m : k;
        for (uint32_t t = 0; t < lose; t++)
            c.present[(uint64_t)t * k / lose] = 0;
        r = pf_rs16_decode(c.rs, c.shards, c.present, SHARD_BYTES);
        if (r != (int)lose || memcmp(copy, buf, (size_t)k * SHARD_BYTES) != 0) {
            fprintf(stderr, "rs16: decode k=%u m=%u did not restore the data (%d)\n", k, m, r);
            r = 1;
            goto out;
        }
        double per_s = bench_rate(opts, (struct bench_side){ decode_body, &c });
        bench_report(opts, "rs16_decode", k, m, "shard_bytes", SHARD_BYTES, per_s * data_mb,
                     "MB/s", "none", 0);
        bench_report(opts, "rs16_decode_block", k, m, "shard_bytes", SHARD_BYTES, 1e6 / per_s,
                     "us/block", "none", 0);
    }
    r = 0;
out:
    pf_rs16_destroy(c.rs);
    free(buf);
    free(c.data);
    free(c.recovery);
    free(c.shards);
    free(c.present);
    return r;
}

int bench_rs16(const struct bench_opts *opts)
{
    static const uint32_t shapes[][2] = { { 32, 8 }, { 1000, 200 }, { 4000, 800 } };
    pf_rs16_tables *tables = NULL;
    double t0 = now_s();
    int r = pf_rs16_tables_create(&tables);
    double build_ms = (now_s() - t0) * 1e3;
    if (r < 0) {
        fprintf(stderr, "rs16: tables: %s\n", pf_strerror(r));
        return 1;
    }
    if (bench_selected(opts, "rs16_tables"))
        bench_report(opts, "rs16_tables", 0, 0, "bytes", 0, build_ms, "ms", "none", 0);
    int failed = 0;
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
        failed |= bench_shape(opts, tables, shapes[i][0], shapes[i][1]);
    pf_rs16_tables_destroy(tables);
    return failed;
}
