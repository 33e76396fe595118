/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 parity sized for the measured loss: pf_pkf1_media_recovery_for_loss() against
 * the reference rule, the binomial target (checked here with an independent log-space sum),
 * its monotonicity and bounds; the host's loss estimate; and the packetizer with loss-sized
 * blocks (m > k) against the reassembler, byte-identical to the rule when the loss is 0. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_clock.h"
#include "pf/core/pkf1_media.h"

#include "gs_test_util.h"

#define D 4096u
#define BOUND (D + (D * 9 + 9) / 10) /* 7783: what a v0.43.1 reassembler accepts */

static const uint32_t losses[] = {1, 100, 1000, 5000, 10000, 50000, 100000, 166667, 200000,
                                  250000, 312500, 400000, 500000};

/* P(more than m of n lost) by summing exp(log C(n, j) + j log p + (n − j) log(1 − p)) from
 * the far end inward: no shared code with the library's ratio walk. */
static double tail_ref(uint32_t n, uint32_t m, double p)
{
    double s = 0;
    for (uint32_t j = n; j > m; j--)
        s += exp(lgamma(n + 1.0) - lgamma(j + 1.0) - lgamma(n - j + 1.0) + j * log(p) +
                 (n - j) * log1p(-p));
    return s;
}

static uint32_t sizes_k(uint32_t i)
{
    /* 1…40 densely, then a geometric walk up to D */
    return i < 40 ? i + 1 : (uint32_t)(40.0 * pow(1.09, i - 39.0)) > D
                                ? D
                                : (uint32_t)(40.0 * pow(1.09, i - 39.0));
}
#define N_SIZES 95u

static void test_equals_rule_without_loss(void **state)
{
    (void)state;
    static const uint32_t pcts[] = {0, 1, 5, 10, 29, 50, 90, 95};
    for (uint32_t k = 1; k <= D; k++)
        for (size_t i = 0; i < sizeof(pcts) / sizeof(pcts[0]); i++) {
            assert_int_equal(pf_pkf1_media_recovery_for_loss(k, pcts[i], 10, D, 0),
                             pf_pkf1_media_recovery_for(k, pcts[i], 10, D));
            assert_int_equal(pf_pkf1_media_recovery_for_loss(k % 64 + 1, pcts[i], 20, 64, 0),
                             pf_pkf1_media_recovery_for(k % 64 + 1, pcts[i], 20, 64));
        }
    /* FEC off stays off whatever the loss */
    for (size_t i = 0; i < sizeof(losses) / sizeof(losses[0]); i++)
        assert_int_equal(pf_pkf1_media_recovery_for_loss(8, 0, 10, D, losses[i]), 0);
}

static void test_meets_target(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < N_SIZES; i++) {
        uint32_t k = sizes_k(i);
        for (size_t l = 0; l < sizeof(losses) / sizeof(losses[0]); l++) {
            double p = losses[l] / 1e6;
            uint32_t rule = pf_pkf1_media_recovery_for(k, 10, 10, D);
            uint32_t m = pf_pkf1_media_recovery_for_loss(k, 10, 10, D, losses[l]);
            uint32_t max_m = BOUND - k < D ? BOUND - k : D;
            assert_true(m >= rule);
            assert_true(m <= max_m);
            if (m == max_m)
                continue; /* the receivers' bound, whatever the tail */
            double t = tail_ref(k + m, m, p);
            if (t >= PF_PKF1_MEDIA_BLOCK_FAILURE)
                fail_msg("k %u at %u ppm: m %u leaves P(block lost) %.3g", k, losses[l], m, t);
            /* the least such m, unless the rule asked for more */
            if (m > rule && m > 0 &&
                tail_ref(k + m - 1, m - 1, p) < PF_PKF1_MEDIA_BLOCK_FAILURE * (1 - 1e-9))
                fail_msg("k %u at %u ppm: m %u is not the least (m − 1 gives %.3g)", k,
                         losses[l], m, tail_ref(k + m - 1, m - 1, p));
        }
    }
    /* Known values (computed apart from both sums): at 20 % a lone shard needs 8 copies, a
     * block of 8 needs 15, of 64 needs 43. */
    assert_int_equal(pf_pkf1_media_recovery_for_loss(1, 10, 10, D, 200000), 8);
    assert_int_equal(pf_pkf1_media_recovery_for_loss(8, 10, 10, D, 200000), 15);
    assert_int_equal(pf_pkf1_media_recovery_for_loss(64, 10, 10, D, 200000), 43);
    assert_int_equal(pf_pkf1_media_recovery_for_loss(64, 10, 10, D, 250000), 53);
}

static void test_monotone(void **state)
{
    (void)state;
    for (uint32_t i = 0; i < N_SIZES; i++) {
        uint32_t k = sizes_k(i), last = 0;
        for (uint32_t ppm = 0; ppm <= 1000000; ppm += 7919) {
            uint32_t m = pf_pkf1_media_recovery_for_loss(k, 5, 10, D, ppm);
            if (m < last)
                fail_msg("k %u: m falls from %u to %u at %u ppm", k, last, m, ppm);
            last = m;
        }
    }
    for (size_t l = 0; l < sizeof(losses) / sizeof(losses[0]); l++) {
        uint32_t last = 0;
        for (uint32_t k = 1; k <= D; k += k < 200 ? 1 : 37) {
            uint32_t m = pf_pkf1_media_recovery_for_loss(k, 5, 10, D, losses[l]);
            /* k + m never falls: a bigger block never needs fewer shards in all */
            if (k + m < last)
                fail_msg("%u ppm: k + m falls to %u at k %u", losses[l], k + m, k);
            last = k + m;
        }
    }
}

static void test_bounds(void **state)
{
    (void)state;
    /* full blocks take what the receiver accepts, never more */
    assert_int_equal(pf_pkf1_media_recovery_for_loss(D, 50, 10, D, 500000), BOUND - D);
    assert_int_equal(pf_pkf1_media_recovery_for_loss(D, 50, 10, D, 1000000), BOUND - D);
    assert_int_equal(pf_pkf1_media_recovery_for_loss(D, 50, 10, D, 4000000), BOUND - D);
    /* small D: m <= D as well */
    assert_int_equal(pf_pkf1_media_recovery_for_loss(1, 10, 10, 4, 1000000), 4);
    assert_int_equal(pf_pkf1_media_recovery_for_loss(4, 10, 10, 4, 1000000), 4);
    for (uint32_t k = 1; k <= D; k += 13) {
        uint32_t m = pf_pkf1_media_recovery_for_loss(k, 90, 90, D, 999999);
        assert_true(k + m <= BOUND && m <= D);
    }
    /* a k beyond D is left to the rule */
    assert_int_equal(pf_pkf1_media_recovery_for_loss(D + 1, 10, 10, D, 200000),
                     pf_pkf1_media_recovery_for(D + 1, 10, 10, D));
    assert_int_equal(pf_pkf1_media_recovery_for_loss(0, 10, 10, D, 200000),
                     pf_pkf1_media_recovery_for(0, 10, 10, D));
    /* at 20 % a full block needs about a third more shards, well inside the bound */
    uint32_t full = pf_pkf1_media_recovery_for_loss(D, 29, 10, D, 200000);
    assert_true(full > D / 4 && full < BOUND - D);
}

static void test_loss_estimate(void **state)
{
    (void)state;
    assert_int_equal(pf_pkf1_fec_loss_estimate(0, 0), 0);
    /* a §9.1 report of 1/6 is a loss of 1/5; a quarter more is 1/4 */
    assert_int_equal(pf_pkf1_fec_loss_estimate(0, 166667), 250000);
    /* decay: an eighth a window, then nothing */
    assert_int_equal(pf_pkf1_fec_loss_estimate(400000, 0), 350000);
    assert_int_equal(pf_pkf1_fec_loss_estimate(400000, 100000), 350000);
    assert_int_equal(pf_pkf1_fec_loss_estimate(1143, 0), 1001);
    assert_int_equal(pf_pkf1_fec_loss_estimate(1142, 0), 1000);
    assert_int_equal(pf_pkf1_fec_loss_estimate(1141, 0), 0);
    uint32_t e = 312500, windows = 0;
    while (e) {
        e = pf_pkf1_fec_loss_estimate(e, 0);
        windows++;
    }
    assert_true(windows > 30 && windows < 60); /* 23–45 s of clean 750 ms windows */
    /* ceiling */
    assert_int_equal(pf_pkf1_fec_loss_estimate(0, 1000000), PF_PKF1_FEC_MAX_LOSS_PPM);
    assert_int_equal(pf_pkf1_fec_loss_estimate(0xFFFFFFFFu, 0xFFFFFFFFu),
                     PF_PKF1_FEC_MAX_LOSS_PPM);
    /* monotone in both arguments, never below the fresh reading */
    for (uint32_t prev = 0; prev <= 600000; prev += 50000)
        for (uint32_t r = 0; r <= 1000000; r += 25000) {
            uint32_t a = pf_pkf1_fec_loss_estimate(prev, r);
            assert_true(a >= pf_pkf1_fec_loss_estimate(prev, r ? r - 25000 : 0));
            assert_true(a >= pf_pkf1_fec_loss_estimate(prev ? prev - 50000 : 0, r));
            assert_true(a >= (r < 500000 ? (uint64_t)r * 1000000 / (1000000 - r) : 500000) ||
                        a == PF_PKF1_FEC_MAX_LOSS_PPM);
        }
}

/* ------------------------------------------------------------------------------------------ */
/* The packetizer with loss-sized parity                                                       */

typedef struct sink {
    const uint8_t *expect;
    size_t expect_len;
    uint32_t frames, lost, recovered;
    int mismatch;
} sink;

static void on_frame(void *user, const pf_pkf1_video_frame *f)
{
    sink *s = user;
    s->frames++;
    s->recovered += f->recovered_shards;
    if (f->len != s->expect_len || (f->len && memcmp(f->data, s->expect, f->len) != 0))
        s->mismatch = 1;
}

static void on_lost(void *user, uint32_t first, uint32_t count)
{
    (void)first;
    ((sink *)user)->lost += count;
}

static pf_pkf1_video_tx *make_tx(const pf_rs16_tables *tables)
{
    pf_pkf1_video_tx_settings ts;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.rs16_tables = tables;
    for (int i = 0; i < 16; i++)
        ts.key[i] = (uint8_t)(i * 5 + 1);
    memcpy(ts.salt, "\x0a\x0b\x0c\x0d", 4);
    pf_pkf1_video_tx *tx;
    assert_int_equal(pf_pkf1_video_tx_create(&ts, &tx), 0);
    return tx;
}

static void test_packetizer_byte_compatible(void **state)
{
    pf_rs16_tables *tables = *state;
    pf_pkf1_video_tx *a = make_tx(tables), *b = make_tx(tables);
    static const size_t lens[] = {0, 1, 5000, 90000, 4096 * 1408 + 7};
    uint32_t pkt, n_rule, n_loss;
    /* b is sized for loss and back to 0; a never was */
    assert_int_equal(pf_pkf1_video_tx_get_frame_size(a, 5000, &pkt, &n_rule), 0);
    assert_int_equal(pf_pkf1_video_tx_set_loss_ppm(b, 200000), 0);
    assert_int_equal(pf_pkf1_video_tx_get_frame_size(b, 5000, &pkt, &n_loss), 0);
    assert_int_equal(n_rule, 4 + 2);
    assert_int_equal(n_loss, 4 + pf_pkf1_media_recovery_for_loss(4, 10, 10, D, 200000));
    assert_int_equal(n_loss, 4 + 12);
    assert_int_equal(pf_pkf1_video_tx_set_loss_ppm(b, 1000001), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_pkf1_video_tx_set_loss_ppm(NULL, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_pkf1_video_tx_set_loss_ppm(b, 0), 0);
    size_t cap = (size_t)9000 * 1472;
    uint8_t *au = malloc(lens[4]), *oa = malloc(cap), *ob = malloc(cap);
    gs_fill(au, lens[4], 3);
    for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
        pf_pkf1_video_frame_info info = {.pts_ns = 77, .frame_index = (uint32_t)t};
        pf_pkf1_video_tx_result ra, rb;
        assert_int_equal(pf_pkf1_video_tx_packetize(a, &info, au, lens[t], oa, cap, 1472, &ra),
                         0);
        assert_int_equal(pf_pkf1_video_tx_packetize(b, &info, au, lens[t], ob, cap, 1472, &rb),
                         0);
        assert_int_equal(ra.packet_count, rb.packet_count);
        assert_memory_equal(oa, ob, (size_t)ra.packet_count * 1472);
    }
    free(au);
    free(oa);
    free(ob);
    pf_pkf1_video_tx_destroy(a);
    pf_pkf1_video_tx_destroy(b);
}

static void test_packetizer_survives_loss(void **state)
{
    pf_rs16_tables *tables = *state;
    pf_pkf1_video_tx *tx = make_tx(tables);
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    for (int i = 0; i < 16; i++)
        rs.key[i] = (uint8_t)(i * 5 + 1);
    memcpy(rs.salt, "\x0a\x0b\x0c\x0d", 4);
    rs.rs16_tables = tables;
    sink sk = {0};
    rs.callbacks = (pf_pkf1_video_rx_callbacks){on_frame, on_lost, &sk};
    pf_pkf1_video_rx *rx;
    assert_int_equal(pf_pkf1_video_rx_create(&rs, &rx), 0);
    assert_int_equal(pf_pkf1_video_tx_set_loss_ppm(tx, 250000), 0);
    size_t cap = (size_t)8000 * 1472;
    uint8_t *au = malloc(200000), *out = malloc(cap), *drop = malloc(8000);
    uint64_t rng = 7;
    /* Small and mid-size AUs, each losing exactly as many shards per block as its parity
     * covers (all its data shards when m >= k), the worst case FEC still repairs. */
    static const size_t lens[] = {1, 700, 1408, 3000, 11264, 30000, 90000, 200000};
    for (size_t t = 0; t < sizeof(lens) / sizeof(lens[0]); t++) {
        gs_fill(au, lens[t], t + 11);
        sk.expect = au;
        sk.expect_len = lens[t];
        pf_pkf1_video_frame_info info = {.frame_index = (uint32_t)t};
        pf_pkf1_video_tx_result r;
        assert_int_equal(pf_pkf1_video_tx_packetize(tx, &info, au, lens[t], out, cap, 1472, &r),
                         0);
        uint32_t k = r.data_shards, m = r.parity_shards;
        assert_int_equal(r.block_count, 1);
        assert_int_equal(m, pf_pkf1_media_recovery_for_loss(k, 10, 10, D, 250000));
        memset(drop, 0, r.packet_count);
        for (uint32_t lost = 0; lost < m;) {
            uint32_t at = (uint32_t)(gs_rand(&rng) % r.packet_count);
            if (!drop[at]) {
                drop[at] = 1;
                lost++;
            }
        }
        uint32_t before = sk.frames;
        for (uint32_t i = 0; i < r.packet_count; i++)
            if (!drop[i])
                pf_pkf1_video_rx_feed(rx, out + (size_t)i * 1472, 1472);
        if (sk.frames != before + 1 || sk.mismatch)
            fail_msg("AU of %zu bytes (k %u, m %u, %u lost) not delivered intact", lens[t], k, m,
                     m);
    }
    assert_int_equal(sk.lost, 0);
    assert_true(sk.recovered > 0);
    free(au);
    free(out);
    free(drop);
    pf_pkf1_video_rx_destroy(rx);
    pf_pkf1_video_tx_destroy(tx);
}

static int setup(void **state)
{
    pf_rs16_tables *t;
    if (pf_rs16_tables_create(&t) < 0)
        return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    pf_rs16_tables_destroy(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equals_rule_without_loss),
        cmocka_unit_test(test_meets_target),
        cmocka_unit_test(test_monotone),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_loss_estimate),
        cmocka_unit_test(test_packetizer_byte_compatible),
        cmocka_unit_test(test_packetizer_survives_loss),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
