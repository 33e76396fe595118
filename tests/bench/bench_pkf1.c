/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-pkf1: the punktfunk/1 media plane on one core, beside the GameStream plane of the
 * same run. Send: packetize + GF(2^16) FEC at 20 % + AES-128-GCM seal of 1 MB and 4 MB AUs
 * (pkf1) against the GameStream packetizer (GF(2^8), 255-shard blocks, 20 %, sealed) on the
 * same AU. Loop: the same send followed by reassembly of the AU's datagrams on the same core,
 * with 10 % of the data shards lost (and repaired) on the pkf1 side and none on the
 * GameStream side, whose FEC gives up on AUs over 4 blocks. Rates are video payload in
 * Gbit/s. latency_720p120: p50/p99 of packetize → reassembled for AUs of a 50 Mbit/s 720p120
 * stream (52 kB), one AU after the other on one core, no network, both planes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/core/gs_video.h"
#include "pf/core/pkf1_media.h"

#include "bench.h"

static const char usage[] = "usage: pf-bench-pkf1 [--json] [--quick] [--only NAME]\n"
                            "  tx_1MB, tx_4MB: packetize + FEC 20 % + seal\n"
                            "  loop_1MB, loop_4MB: the send, then open + reassemble (+ repair on pkf1)\n"
                            "  latency_720p120: p50/p99 packetized -> reassembled, 52 kB AUs\n";

struct side {
    size_t au_len;
    uint8_t *au;
    uint8_t *out;
    size_t out_cap, stride;
    uint32_t packets;
    uint8_t *drop; /* receive benches: datagrams not fed */
    uint32_t frame_index;
    int failed;
    /* pkf1 */
    pf_pkf1_video_tx *tx;
    pf_pkf1_video_rx *rx;
    /* gamestream */
    pf_gs_video_tx *gtx;
    pf_gs_video_rx *grx;
    uint64_t delivered;
};

static const uint8_t key[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

static void pkf1_send(void *ctx)
{
    struct side *s = ctx;
    pf_pkf1_video_frame_info info = {.pts_ns = 1, .frame_index = s->frame_index++};
    pf_pkf1_video_tx_result r;
    if (pf_pkf1_video_tx_packetize(s->tx, &info, s->au, s->au_len, s->out, s->out_cap,
                                   s->stride, &r) < 0)
        s->failed = 1;
    s->packets = r.packet_count;
}

static void gs_send(void *ctx)
{
    struct side *s = ctx;
    pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION, .frame_type = 1};
    pf_gs_video_tx_result r;
    if (pf_gs_video_tx_packetize(s->gtx, &info, s->au, s->au_len, s->out, s->out_cap,
                                 s->stride, &r) < 0)
        s->failed = 1;
    s->packets = r.packet_count;
}

static void on_pkf1_frame(void *user, const pf_pkf1_video_frame *f)
{
    struct side *s = user;
    s->delivered += f->len;
}

static void on_gs_frame(void *user, const pf_gs_video_frame *f)
{
    struct side *s = user;
    s->delivered += f->len;
}

/* Shards that arrive after their block is complete are refused as PF_ERR_REPLAY: normal. */
static int rx_failed(int r)
{
    return r < 0 && r != PF_ERR_REPLAY;
}

static void pkf1_receive(void *ctx)
{
    struct side *s = ctx;
    for (uint32_t i = 0; i < s->packets; i++)
        if (!s->drop[i] && rx_failed(pf_pkf1_video_rx_feed(s->rx, s->out + (size_t)i * s->stride,
                                                           s->stride)))
            s->failed = 1;
}

static void gs_receive(void *ctx)
{
    struct side *s = ctx;
    for (uint32_t i = 0; i < s->packets; i++)
        if (rx_failed(pf_gs_video_rx_feed(s->grx, s->out + (size_t)i * s->stride, s->stride)))
            s->failed = 1;
}

static int setup_pkf1(struct side *s, size_t au_len, pf_rs16_tables *tables)
{
    memset(s, 0, sizeof(*s));
    s->au_len = au_len;
    s->au = malloc(au_len);
    bench_fill(s->au, au_len, 7);
    pf_pkf1_video_tx_settings ts;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.fec_percent = 20;
    ts.welcome_fec_percent = 20;
    ts.rs16_tables = tables;
    memcpy(ts.key, key, sizeof(key));
    if (pf_pkf1_video_tx_create(&ts, &s->tx) < 0)
        return -1;
    uint32_t pkt, n;
    pf_pkf1_video_tx_get_frame_size(s->tx, au_len, &pkt, &n);
    s->stride = pkt;
    s->out_cap = (size_t)n * pkt;
    s->out = malloc(s->out_cap);
    s->drop = calloc(n, 1);
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    memcpy(rs.key, key, sizeof(key));
    rs.rs16_tables = tables;
    rs.callbacks.on_frame = on_pkf1_frame;
    rs.callbacks.user_data = s;
    if (!s->au || !s->out || !s->drop || pf_pkf1_video_rx_create(&rs, &s->rx) < 0)
        return -1;
    return 0;
}

static int setup_gs(struct side *s, size_t au_len)
{
    memset(s, 0, sizeof(*s));
    s->au_len = au_len;
    s->au = malloc(au_len);
    bench_fill(s->au, au_len, 7);
    pf_gs_video_tx_settings ts;
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.fec_percent = 20;
    ts.max_shapes = 256;
    ts.encrypt = 1;
    memcpy(ts.key, key, 16);
    if (pf_gs_video_tx_create(&ts, &s->gtx) < 0)
        return -1;
    uint32_t pkt, n;
    if (pf_gs_video_tx_get_frame_size(s->gtx, au_len, &pkt, &n) < 0)
        return -1;
    s->stride = pkt;
    s->out_cap = (size_t)n * pkt;
    s->out = malloc(s->out_cap);
    pf_gs_video_rx_settings rs;
    pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &rs);
    rs.decrypt = 1;
    memcpy(rs.key, key, 16);
    rs.max_shapes = 256;
    rs.callbacks.on_frame = on_gs_frame;
    rs.callbacks.user_data = s;
    if (!s->au || !s->out || pf_gs_video_rx_create(&rs, &s->grx) < 0)
        return -1;
    return 0;
}

static void teardown(struct side *s)
{
    pf_pkf1_video_tx_destroy(s->tx);
    pf_pkf1_video_rx_destroy(s->rx);
    pf_gs_video_tx_destroy(s->gtx);
    pf_gs_video_rx_destroy(s->grx);
    free(s->au);
    free(s->out);
    free(s->drop);
}

/* A receive round needs a fresh AU (new seq and frame index), so the loop benches time send
 * and receive together on one core: packetize + FEC + seal, then open + reassemble (+ repair). */
struct rx_round {
    struct side *s;
    void (*send)(void *);
    void (*receive)(void *);
};

static void rx_round(void *ctx)
{
    struct rx_round *r = ctx;
    r->send(r->s);
    r->receive(r->s);
}

static int run(const struct bench_opts *opts, const char *name, size_t au_len,
               pf_rs16_tables *tables)
{
    char tx_name[32], rx_name[32];
    snprintf(tx_name, sizeof(tx_name), "tx_%s", name);
    snprintf(rx_name, sizeof(rx_name), "loop_%s", name);
    int want_tx = bench_selected(opts, tx_name), want_rx = bench_selected(opts, rx_name);
    if (!want_tx && !want_rx)
        return 0;
    static struct side p, g;
    if (setup_pkf1(&p, au_len, tables) < 0 || setup_gs(&g, au_len) < 0) {
        fprintf(stderr, "%s: setup failed\n", name);
        return 1;
    }
    double bits = (double)au_len * 8 / 1e9, ours, ref;
    struct bench_side a = {pkf1_send, &p}, b = {gs_send, &g};
    bench_compare(opts, a, b, &ours, &ref);
    if (want_tx)
        bench_report(opts, tx_name, 0, 0, "bytes", au_len, ours * bits, "Gbit/s",
                     "gamestream", ref * bits);
    if (want_rx) {
        /* every tenth data shard lost on the pkf1 side: 10 % repaired by the 20 % parity */
        for (uint32_t i = 0; i < p.packets; i++)
            p.drop[i] = getenv("PF_BENCH_NODROP") ? 0 : i % 10 == 3 && i < p.packets * 5 / 6;
        struct rx_round pr = {&p, pkf1_send, pkf1_receive}, gr = {&g, gs_send, gs_receive};
        struct bench_side c = {rx_round, &pr}, d = {rx_round, &gr};
        bench_compare(opts, c, d, &ours, &ref);
        bench_report(opts, rx_name, 0, 0, "bytes", au_len, ours * bits, "Gbit/s",
                     "gamestream", ref * bits);
        if (p.delivered == 0 || g.delivered == 0) {
            fprintf(stderr, "%s: no AU was reassembled\n", name);
            p.failed = 1;
        }
    }
    int failed = p.failed || g.failed;
    teardown(&p);
    teardown(&g);
    if (failed)
        fprintf(stderr, "%s: a call failed while timing\n", name);
    return failed;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Per-AU time of the loop body, sorted; p50 and p99 in microseconds. */
static void latency(void (*body)(void *), void *ctx, uint32_t rounds, uint64_t *t, double *p50,
                    double *p99)
{
    for (uint32_t i = 0; i < rounds; i++) {
        uint64_t t0 = now_ns();
        body(ctx);
        t[i] = now_ns() - t0;
    }
    qsort(t, rounds, sizeof(*t), cmp_u64);
    *p50 = (double)t[rounds / 2] / 1e3;
    *p99 = (double)t[(size_t)rounds * 99 / 100] / 1e3;
}

static int run_latency(const struct bench_opts *opts, pf_rs16_tables *tables)
{
    static const char name[] = "latency_720p120";
    if (!bench_selected(opts, name))
        return 0;
    const size_t au_len = 50000000 / 8 / 120;
    const uint32_t rounds = opts->quick ? 50 : 5000;
    static struct side p, g;
    uint64_t *t = malloc(rounds * sizeof(*t));
    if (!t || setup_pkf1(&p, au_len, tables) < 0 || setup_gs(&g, au_len) < 0) {
        fprintf(stderr, "%s: setup failed\n", name);
        free(t);
        return 1;
    }
    struct rx_round pr = {&p, pkf1_send, pkf1_receive}, gr = {&g, gs_send, gs_receive};
    double p50, p99, g50, g99;
    latency(rx_round, &pr, rounds, t, &p50, &p99);
    latency(rx_round, &gr, rounds, t, &g50, &g99);
    if (opts->json)
        printf("{\"bench\":\"%s\",\"bytes\":%zu,\"p50_us\":%.1f,\"p99_us\":%.1f,"
               "\"ref\":\"gamestream\",\"ref_p50_us\":%.1f,\"ref_p99_us\":%.1f}\n",
               name, au_len, p50, p99, g50, g99);
    else
        printf("%-16s bytes=%zu ours p50 %.1f us p99 %.1f us   gamestream p50 %.1f us "
               "p99 %.1f us\n", name, au_len, p50, p99, g50, g99);
    int failed = p.failed || g.failed || p.delivered == 0 || g.delivered == 0;
    teardown(&p);
    teardown(&g);
    free(t);
    if (failed)
        fprintf(stderr, "%s: a call failed or nothing was reassembled\n", name);
    return failed;
}

int main(int argc, char **argv)
{
    struct bench_opts opts;
    int r = bench_parse_args(argc, argv, &opts, usage);
    if (r != 0)
        return r > 0 ? 0 : 2;
    pf_rs16_tables *tables;
    if (pf_rs16_tables_create(&tables) < 0)
        return 1;
    int failed = run(&opts, "1MB", 1000000, tables);
    failed |= run(&opts, "4MB", 4000000, tables);
    failed |= run_latency(&opts, tables);
    pf_rs16_tables_destroy(tables);
    return failed ? 1 : 0;
}
