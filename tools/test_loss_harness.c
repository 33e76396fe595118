/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-loss-harness against arithmetic it does not share: under random loss the residual
 * frame loss of every cell must match the binomial expectation of the block shapes read off
 * the wire (P(frame lost) = 1 − Π over blocks P(at most m of n lost)), within five standard
 * errors plus three frames, so the test cannot flake; burst loss likewise against the exact
 * Gilbert–Elliott chain; the shapes themselves must follow the
 * parity rules (gamestream-protocol.md §6.3, native-protocol.md §7.6); the PNG must decode
 * with a distinct curve per series; the same seed must give the same numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <cairo.h>
#include <json-c/json.h>

#include "tool_test.h"
#include <math.h>

static char dir[64];

/* Runs pf-loss-harness with @p args; returns the exit status and stdout (malloc'd). */
static int run_harness(const char *args, char **ret_out)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s %s", getenv("PF_LOSS_HARNESS"), args);
    return tool_run(cmd, ret_out);
}

static json_object *run_json(const char *args)
{
    char *out = NULL;
    assert_int_equal(run_harness(args, &out), 0);
    json_object *root = json_tokener_parse(out);
    free(out);
    assert_non_null(root);
    return root;
}

#define get tool_json_get

static int64_t get_int(json_object *o, const char *key)
{
    return json_object_get_int64(get(o, key));
}

/* P(at most m of n lost), by the pmf recurrence (no shared code with the tool). */
static double block_ok(uint32_t n, uint32_t m, double p)
{
    if (p <= 0)
        return 1.0;
    double pmf = pow(1 - p, n), sum = 0;
    for (uint32_t j = 0; j <= m && j <= n; j++) {
        sum += pmf;
        pmf *= (double)(n - j) / (double)(j + 1) * p / (1 - p);
    }
    return sum > 1 ? 1 : sum;
}

/* The parity a block of k data shards must carry at @p fec percent. */
static uint32_t want_parity(const char *scheme, uint32_t k, uint32_t fec, uint32_t blocks)
{
    uint32_t m = (k * fec + 99) / 100;
    if (!strcmp(scheme, "gamestream-gf8"))
        return blocks > 4 ? 0 : (m < 2 ? 2 : m); /* §6.3 step 4: minRequiredFecPackets 2 */
    return m < 2 ? 2 : m; /* §7.6: at least two recovery shards; one block below D = 4096 */
}

typedef struct check_totals {
    int cells, informative;
} check_totals;

/* Every random-loss cell against its binomial expectation. */
static check_totals check_binomial(json_object *root)
{
    check_totals t = {0, 0};
    json_object *cells = get(root, "cells");
    for (size_t i = 0; i < json_object_array_length(cells); i++) {
        json_object *c = json_object_array_get_idx(cells, i);
        const char *scheme = json_object_get_string(get(c, "scheme"));
        if (strcmp(json_object_get_string(get(c, "model")), "random") != 0)
            continue;
        double p = json_object_get_double(get(c, "loss"));
        int64_t sent = get_int(c, "frames_sent"), delivered = get_int(c, "frames_delivered");
        uint32_t fec = (uint32_t)get_int(c, "parity_percent");
        assert_int_equal(get_int(c, "frames_corrupt"), 0);
        json_object *blocks = get(c, "blocks");
        size_t nb = json_object_array_length(blocks);
        assert_true(nb >= 1);
        double ok = 1.0;
        for (size_t b = 0; b < nb; b++) {
            json_object *bo = json_object_array_get_idx(blocks, b);
            uint32_t k = (uint32_t)get_int(bo, "data"), m = (uint32_t)get_int(bo, "parity");
            if (m != want_parity(scheme, k, fec, (uint32_t)nb))
                fail_msg("%s block %zu: %u data shards at %u %% carry %u parity", scheme, b, k,
                         fec, m);
            ok *= block_ok(k + m, m, p);
        }
        double q = 1 - ok, expect = (double)sent * q, lost = (double)(sent - delivered);
        double bound = 5 * sqrt((double)sent * q * (1 - q)) + 3;
        if (fabs(lost - expect) > bound)
            fail_msg("%s %lld B %u %% at loss %.2f: %.0f of %lld frames lost, binomial says "
                     "%.1f (bound %.1f)",
                     scheme, (long long)get_int(c, "frame_bytes"), fec, p, lost,
                     (long long)sent, expect, bound);
        t.cells++;
        t.informative += q > 0.02 && q < 0.98;
        if (p == 0)
            assert_int_equal(delivered, sent);
    }
    return t;
}

/* P(frame ok) under the burst channel: a two-state Markov chain (good delivers, bad drops)
 * with P(bad → good) = 1/B and stationary loss p, entered in its stationary distribution.
 * good[j] and bad[j] hold the probability of j losses in the current block with the channel
 * in that state, over the paths on which every earlier block held. */
static double burst_frame_ok(json_object *blocks, double p, double burst)
{
    double r = 1.0 / burst, q = p * r / (1 - p), in_good = 1 - p, in_bad = p;
    for (size_t b = 0; b < json_object_array_length(blocks); b++) {
        json_object *bo = json_object_array_get_idx(blocks, b);
        int k = (int)get_int(bo, "data"), m = (int)get_int(bo, "parity");
        double *good = calloc((size_t)m + 2, sizeof(double));
        double *bad = calloc((size_t)m + 2, sizeof(double));
        good[0] = in_good;
        bad[0] = in_bad;
        for (int i = 0; i < k + m; i++)
            for (int j = m; j >= 0; j--) {
                /* a drop moves j → j + 1 (j = m + 1 is a failed block and is not kept) */
                double g = good[j], d = bad[j];
                good[j] = g * (1 - q) + d * r;
                bad[j + 1] += g * q + d * (1 - r);
                bad[j] = 0;
                if (j == 0)
                    break;
            }
        in_good = in_bad = 0;
        for (int j = 0; j <= m; j++)
            in_good += good[j], in_bad += bad[j];
        free(good);
        free(bad);
    }
    return in_good + in_bad;
}

static void test_help_and_errors(void **state)
{
    char *out = NULL;
    assert_int_equal(run_harness("--help", &out), 0);
    assert_non_null(strstr(out, "Usage: pf-loss-harness"));
    assert_non_null(strstr(out, "--png"));
    free(out);
    const char *bad[] = {"--parity 0", "--schemes gs16", "--loss-max 100", "--frames x",
                         "--burst-len 0.5", "--models bursty", "--sizes 4q", "extra"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char args[96];
        snprintf(args, sizeof(args), "%s 2>/dev/null", bad[i]);
        assert_int_equal(run_harness(args, NULL), 2);
    }
}

/* Single-block frames of 1, 3 and 24 data shards at 10, 20 and 50 % parity, 0 to 40 %
 * loss, both schemes: 2 × 3 × 3 × 9 cells of 1500 frames. */
static void test_random_loss_is_binomial(void **state)
{
    char args[512];
    snprintf(args, sizeof(args),
             "--models random --sizes 1000,4k,32k --parity 10,20,50 --loss-max 40 "
             "--loss-step 5 --frames 1500 --seed 7 --json --png %s/random.png",
             dir);
    json_object *root = run_json(args);
    check_totals t = check_binomial(root);
    assert_int_equal(t.cells, 2 * 3 * 3 * 9);
    /* Enough cells on the slope of the curves that an off-by-one in the parity a block can
     * absorb moves some of them by many standard errors. */
    assert_true(t.informative >= 30);

    /* The PNG: decodes, has the reported size of panels, and every panel shows several
     * series at different heights (the curves separate as loss grows). */
    json_object *chart = get(root, "chart");
    cairo_surface_t *s = cairo_image_surface_create_from_png(
        json_object_get_string(get(chart, "path")));
    assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(s);
    const uint8_t *px = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    int width = cairo_image_surface_get_width(s), height = cairo_image_surface_get_height(s);
    json_object *panels = get(chart, "panels"), *series = get(chart, "series");
    assert_int_equal(json_object_array_length(panels), 2);
    assert_int_equal(json_object_array_length(series), 9);
    for (size_t p = 0; p < 2; p++) {
        json_object *r = json_object_array_get_idx(panels, p);
        int x0 = (int)get_int(r, "x"), y0 = (int)get_int(r, "y");
        int w = (int)get_int(r, "w"), h = (int)get_int(r, "h");
        assert_true(x0 >= 0 && y0 >= 0 && x0 + w < width && y0 + h < height);
        int seen = 0;
        double ymin = 1e9, ymax = -1e9;
        for (size_t k = 0; k < 9; k++) {
            uint32_t rgb = (uint32_t)strtoul(
                json_object_get_string(get(json_object_array_get_idx(series, k), "color")) + 1,
                NULL, 16);
            long count = 0;
            double ysum = 0;
            for (int y = y0; y <= y0 + h; y++)
                for (int x = x0; x <= x0 + w; x++) {
                    uint32_t v;
                    memcpy(&v, px + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
                    if ((v & 0xFFFFFF) == rgb)
                        count++, ysum += y;
                }
            if (count >= 20) {
                seen++;
                ymin = fmin(ymin, ysum / count);
                ymax = fmax(ymax, ysum / count);
            }
        }
        assert_true(seen >= 3);
        assert_true(ymax - ymin > 10);
    }
    cairo_surface_destroy(s);
    json_object_put(root);
}

/* GameStream frames of 224 data shards at 20 % need two blocks (§6.3 step 3: at most 212
 * data shards per block): the expectation is the product over both. */
static void test_multi_block_frames(void **state)
{
    json_object *root = run_json("--schemes gs8 --models random --sizes 300k --parity 20 "
                                 "--loss-max 20 --loss-step 2 --frames 400 --seed 3 --json");
    json_object *c = json_object_array_get_idx(get(root, "cells"), 0);
    assert_int_equal(json_object_array_length(get(c, "blocks")), 2);
    check_totals t = check_binomial(root);
    assert_int_equal(t.cells, 11);
    assert_true(t.informative >= 2);
    json_object_put(root);
}

/* Burst loss against the exact chain: frames are correlated through the channel state, so
 * the variance of the lost-frame count grows by at most 1 + 2λ/(1 − λ^n) (λ = 1 − 1/B − q the
 * chain's second eigenvalue, n datagrams per frame); the bound uses that factor. */
static void test_burst_matches_markov_chain(void **state)
{
    json_object *root = run_json("--models burst --burst-len 4 --sizes 1000,4k,32k "
                                 "--parity 10,50 --loss-max 40 --loss-step 10 --frames 2000 "
                                 "--seed 5 --json");
    json_object *cells = get(root, "cells");
    int informative = 0;
    for (size_t i = 0; i < json_object_array_length(cells); i++) {
        json_object *c = json_object_array_get_idx(cells, i);
        double p = json_object_get_double(get(c, "loss"));
        json_object *blocks = get(c, "blocks");
        double q = 1 - burst_frame_ok(blocks, p, 4.0);
        double sent = (double)get_int(c, "frames_sent");
        double lost = sent - (double)get_int(c, "frames_delivered");
        double lambda = fabs(1 - 0.25 - p * 0.25 / (1 - p)), n = 0;
        for (size_t b = 0; b < json_object_array_length(blocks); b++) {
            json_object *bo = json_object_array_get_idx(blocks, b);
            n += (double)(get_int(bo, "data") + get_int(bo, "parity"));
        }
        double inflate = 1 + 2 * lambda / (1 - pow(lambda, n));
        double bound = 5 * sqrt(inflate * sent * q * (1 - q)) + 3;
        if (fabs(lost - sent * q) > bound)
            fail_msg("%s %lld B %lld %% at burst loss %.2f: %.0f of %.0f frames lost, the "
                     "chain says %.1f (bound %.1f)",
                     json_object_get_string(get(c, "scheme")),
                     (long long)get_int(c, "frame_bytes"), (long long)get_int(c, "parity_percent"),
                     p, lost, sent, sent * q, bound);
        assert_true(fabs(json_object_get_double(get(c, "expected_loss")) - q) < 1e-9);
        informative += q > 0.02 && q < 0.98;
    }
    assert_true(informative >= 15);
    json_object_put(root);
}

/* Burst loss: the channel reaches the stated loss rate, FEC repairs frames, and the run is
 * deterministic per seed. */
static void test_burst_and_determinism(void **state)
{
    const char *args = "--models burst --burst-len 4 --sizes 32k --parity 20 --loss-max 30 "
                       "--loss-step 10 --frames 1500 --seed 11 --json";
    json_object *a = run_json(args), *b = run_json(args);
    json_object *ca = get(a, "cells"), *cb = get(b, "cells");
    assert_string_equal(json_object_to_json_string(ca), json_object_to_json_string(cb));
    int repaired = 0;
    for (size_t i = 0; i < json_object_array_length(ca); i++) {
        json_object *c = json_object_array_get_idx(ca, i);
        double p = json_object_get_double(get(c, "loss"));
        double n = (double)get_int(c, "datagrams_sent"), d = (double)get_int(c, "datagrams_dropped");
        /* Gilbert–Elliott drops are correlated: the variance of the count grows by about
         * (1 + ρ)/(1 − ρ) ≤ 2B over Bernoulli's. */
        double se = sqrt(n * p * (1 - p) * 2 * 4);
        assert_true(fabs(d - n * p) <= 5 * se + 3);
        assert_int_equal(get_int(c, "frames_corrupt"), 0);
        repaired += get_int(c, "frames_hit_delivered") > 0;
    }
    assert_true(repaired >= 2);
    json_object *other = run_json("--models burst --burst-len 4 --sizes 32k --parity 20 "
                                  "--loss-max 30 --loss-step 10 --frames 1500 --seed 12 --json");
    assert_string_not_equal(json_object_to_json_string(ca),
                            json_object_to_json_string(get(other, "cells")));
    json_object_put(a);
    json_object_put(b);
    json_object_put(other);
}

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pf-loss-harness-XXXXXX");
    return getenv("PF_LOSS_HARNESS") && mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return tool_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_errors),
        cmocka_unit_test(test_random_loss_is_binomial),
        cmocka_unit_test(test_multi_block_frames),
        cmocka_unit_test(test_burst_matches_markov_chain),
        cmocka_unit_test(test_burst_and_determinism),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
