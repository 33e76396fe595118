/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 side planes (native-protocol.md §8) and the clock-sync and feedback
 * arithmetic of §4.5, §9.1 and §9.3. */
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
#include "pf/core/pkf1_datagram.h"

#include "gs_test_util.h"

static void test_input(void **state)
{
    (void)state;
    /* MouseMoveAbs x 100, y -2, view 1920x1080 */
    pf_pkf1_input in = {PF_PKF1_INPUT_MOUSE_MOVE_ABS, 0, 100, -2, (1920u << 16) | 1080u}, d;
    uint8_t out[18], want[18];
    gs_unhex("c8 03 00000000 64000000 feffffff 38048007", want);
    assert_int_equal(pf_pkf1_input_encode(&in, out), 0);
    assert_memory_equal(out, want, 18);
    assert_int_equal(pf_pkf1_input_decode(out, 18, &d), 0);
    assert_memory_equal(&d, &in, sizeof(in));
    assert_int_equal(pf_pkf1_input_decode(out, 17, &d), PF_ERR_MALFORMED);
    out[0] = 0xC9;
    assert_int_equal(pf_pkf1_input_decode(out, 18, &d), PF_ERR_MALFORMED);
    out[0] = 0xC8;
    out[1] = 17;
    assert_int_equal(pf_pkf1_input_decode(out, 18, &d), PF_ERR_NOT_FOUND);
    assert_int_equal(pf_pkf1_input_required_grant(PF_PKF1_INPUT_KEY_DOWN),
                     PF_PKF1_GRANT_KEYBOARD);
    assert_int_equal(pf_pkf1_input_required_grant(PF_PKF1_INPUT_TEXT), PF_PKF1_GRANT_KEYBOARD);
    assert_int_equal(pf_pkf1_input_required_grant(PF_PKF1_INPUT_SCROLL), PF_PKF1_GRANT_POINTER);
    assert_int_equal(pf_pkf1_input_required_grant(PF_PKF1_INPUT_GAMEPAD_STATE),
                     PF_PKF1_GRANT_GAMEPAD);
    assert_int_equal(pf_pkf1_input_required_grant(99), 0);
}

static void test_audio(void **state)
{
    (void)state;
    uint8_t out[64], want[64];
    size_t len;
    pf_pkf1_audio a = {.tag = PF_PKF1_DG_AUDIO, .seq = 7, .pts_ns = 0x0102030405060708ull,
                       .payload = (const uint8_t *)"\xf8\xff\xfe", .payload_len = 3}, d;
    assert_int_equal(pf_pkf1_audio_encode(&a, out, sizeof(out), &len), 0);
    size_t n = gs_unhex("c9 07000000 0807060504030201 f8fffe", want);
    assert_int_equal(len, n);
    assert_memory_equal(out, want, n);
    assert_int_equal(pf_pkf1_audio_decode(out, len, &d), 0);
    assert_int_equal(d.seq, 7);
    assert_int_equal(d.payload_len, 3);
    assert_int_equal(pf_pkf1_audio_decode(out, 12, &d), PF_ERR_MALFORMED);
    /* RED: primary, then the previous packet */
    a.tag = PF_PKF1_DG_AUDIO_RED;
    a.previous = (const uint8_t *)"\x01\x02";
    a.previous_len = 2;
    assert_int_equal(pf_pkf1_audio_encode(&a, out, sizeof(out), &len), 0);
    assert_int_equal(len, 13 + 2 + 3 + 2);
    assert_int_equal(pf_pkf1_audio_decode(out, len, &d), 0);
    assert_int_equal(d.payload_len, 3);
    assert_int_equal(d.previous_len, 2);
    assert_memory_equal(d.previous, "\x01\x02", 2);
    out[13] = 9; /* primary overruns */
    assert_int_equal(pf_pkf1_audio_decode(out, len, &d), PF_ERR_MALFORMED);
    a.tag = 0xC8;
    assert_int_equal(pf_pkf1_audio_encode(&a, out, sizeof(out), &len), PF_ERR_INVALID_ARGUMENT);
    a.tag = PF_PKF1_DG_MIC;
    assert_int_equal(pf_pkf1_audio_encode(&a, out, 14, &len), PF_ERR_BUFFER_TOO_SMALL);
}

static void test_small_planes(void **state)
{
    (void)state;
    uint8_t out[64];
    size_t len;
    pf_pkf1_rumble r = {.pad = 1, .low = 0x1234, .high = 0xFFFF}, rd;
    assert_int_equal(pf_pkf1_rumble_encode(&r, out, sizeof(out), &len), 0);
    assert_int_equal(len, 7);
    r.has_ttl = 1;
    r.seq = 9;
    r.ttl_ms = 250;
    assert_int_equal(pf_pkf1_rumble_encode(&r, out, sizeof(out), &len), 0);
    assert_int_equal(len, 10);
    r.has_triggers = 1;
    r.left_trigger = 3;
    r.right_trigger = 4;
    assert_int_equal(pf_pkf1_rumble_encode(&r, out, sizeof(out), &len), 0);
    assert_int_equal(len, 14);
    assert_int_equal(pf_pkf1_rumble_decode(out, 14, &rd), 0);
    assert_memory_equal(&rd, &r, sizeof(r));
    assert_int_equal(pf_pkf1_rumble_decode(out, 10, &rd), 0);
    assert_int_equal(rd.has_triggers, 0);
    assert_int_equal(rd.ttl_ms, 250);
    assert_int_equal(pf_pkf1_rumble_decode(out, 11, &rd), PF_ERR_MALFORMED);

    pf_pkf1_hdr_meta m = {{{13250, 34500}, {7500, 3000}, {34000, 16000}}, {15635, 16450},
                          10000000, 50, 1000, 400}, md;
    assert_int_equal(pf_pkf1_hdr_body_encode(&m, out), 0);
    assert_int_equal(out[0] | out[1] << 8, 13250);
    assert_int_equal(pf_pkf1_hdr_body_decode(out, 28, &md), 0);
    assert_memory_equal(&md, &m, sizeof(m));
    assert_int_equal(pf_pkf1_hdr_body_decode(out, 27, &md), PF_ERR_MALFORMED);

    pf_pkf1_host_timing t = {.pts_ns = 5, .host_us = 6}, td;
    assert_int_equal(pf_pkf1_host_timing_encode(&t, out, sizeof(out), &len), 0);
    assert_int_equal(len, 13);
    t.has_phase = 1;
    t.has_stages = 1;
    t.queue_us = 1;
    t.encode_us = 2;
    t.pace_us = 3;
    t.phase = -4;
    assert_int_equal(pf_pkf1_host_timing_encode(&t, out, sizeof(out), &len), 0);
    assert_int_equal(len, 29);
    assert_int_equal(pf_pkf1_host_timing_decode(out, 29, &td), 0);
    assert_memory_equal(&td, &t, sizeof(t));
    assert_int_equal(pf_pkf1_host_timing_decode(out, 25, &td), 0);
    assert_int_equal(td.has_phase, 0);
    assert_int_equal(pf_pkf1_host_timing_decode(out, 26, &td), PF_ERR_MALFORMED);

    pf_pkf1_cursor c = {77, PF_PKF1_CURSOR_VISIBLE, -10, 2000}, cd;
    assert_int_equal(pf_pkf1_cursor_encode(&c, out), 0);
    assert_int_equal(out[0], 0xD0);
    assert_int_equal(pf_pkf1_cursor_decode(out, 14, &cd), 0);
    assert_memory_equal(&cd, &c, sizeof(c));
    assert_int_equal(pf_pkf1_cursor_decode(out, 15, &cd), PF_ERR_MALFORMED);

    pf_pkf1_pad_audio p = {.pad = 2, .kind = 1, .seq = 3, .pts_ns = 4,
                           .payload = (const uint8_t *)"op", .payload_len = 2}, pd;
    assert_int_equal(pf_pkf1_pad_audio_encode(&p, out, sizeof(out), &len), 0);
    assert_int_equal(len, 17);
    assert_int_equal(pf_pkf1_pad_audio_decode(out, len, &pd), 0);
    assert_int_equal(pd.kind, 1);
    assert_memory_equal(pd.payload, "op", 2);
    assert_int_equal(pf_pkf1_pad_audio_decode(out, 14, &pd), PF_ERR_MALFORMED);
}

static void test_clock(void **state)
{
    (void)state;
    int64_t off, rtt;
    /* host 1 s ahead, 2 ms each way, 100 us in the host */
    uint64_t t1 = 1000000000000ull, t2 = t1 + 1000000000ull + 2000000ull;
    uint64_t t3 = t2 + 100000ull, t4 = t1 + 4100000ull;
    assert_int_equal(pf_pkf1_clock_sample(t1, t2, t3, t4, &off, &rtt), 0);
    assert_int_equal(off, 1000000000);
    assert_int_equal(rtt, 4000000);
    /* client ahead: negative offset across the wrap of the difference */
    assert_int_equal(pf_pkf1_clock_sample(5000, 1000, 1000, 5010, &off, &rtt), 0);
    assert_int_equal(off, -4005);
    assert_int_equal(rtt, 10);

    pf_pkf1_clock_sync s;
    pf_pkf1_clock_sync_init(&s);
    int accepted = 0;
    for (int i = 0; i < 8; i++) {
        /* RTTs 3..10 ms, the 3 ms sample has offset 500 */
        uint64_t r = (uint64_t)(3 + i) * 1000000, b = 1000000000ull * (uint64_t)(i + 1);
        accepted += pf_pkf1_clock_sync_add(&s, b, b + 500 + r / 2, b + 500 + r / 2,
                                           b + r);
    }
    assert_int_equal(accepted, 1);
    assert_int_equal(s.valid, 1);
    assert_int_equal(s.offset_ns, 500);
    assert_int_equal(s.best_rtt_ns, 3000000);
    /* a batch at 20 ms is rejected three times, then taken */
    for (int batch = 0; batch < 4; batch++) {
        int got = 0;
        for (int i = 0; i < 8; i++) {
            uint64_t b = 100000000000ull + (uint64_t)batch * 1000000000 + (uint64_t)i * 1000;
            got += pf_pkf1_clock_sync_add(&s, b, b + 700 + 10000000, b + 700 + 10000000,
                                          b + 20000000);
        }
        assert_int_equal(got, batch == 3 ? 1 : 0);
    }
    assert_int_equal(s.offset_ns, 700);
    /* a batch within 1.5 × best (now 3 ms → 4.5 ms; floor 2 ms) is accepted at once */
    int got = 0;
    for (int i = 0; i < 8; i++)
        got += pf_pkf1_clock_sync_add(&s, 10, 10 + 2000000 + 900, 10 + 2000000 + 900,
                                      10 + 4000000);
    assert_int_equal(got, 1);
    assert_int_equal(s.offset_ns, 900);
    /* an early end of a batch with samples */
    assert_int_equal(pf_pkf1_clock_sync_add(&s, 10, 11, 11, 12), 0);
    assert_int_equal(pf_pkf1_clock_sync_end_batch(&s), 1);
    assert_int_equal(pf_pkf1_clock_sync_end_batch(&s), 0);
}

static void test_feedback(void **state)
{
    (void)state;
    assert_int_equal(pf_pkf1_loss_ppm(0, 0, 0), 0);
    assert_int_equal(pf_pkf1_loss_ppm(990, 10, 0), 10000);
    assert_int_equal(pf_pkf1_loss_ppm(990, 10, 10), 0);
    assert_int_equal(pf_pkf1_loss_ppm(990, 10, 20), 0);
    assert_int_equal(pf_pkf1_loss_ppm(0, 5, 0), 1000000);
    assert_true(pf_pkf1_loss_ppm(UINT64_MAX, UINT64_MAX, 0) <= 1000000);
    assert_int_equal(pf_pkf1_fec_for_loss(0), 5);
    assert_int_equal(pf_pkf1_fec_for_loss(10000), 5);   /* ceil(1.4) + 1 = 3 -> 5 */
    assert_int_equal(pf_pkf1_fec_for_loss(50000), 8);   /* 7 + 1 */
    assert_int_equal(pf_pkf1_fec_for_loss(200000), 29); /* 28 + 1 */
    assert_int_equal(pf_pkf1_fec_for_loss(1000000), 50);
    assert_int_equal(pf_pkf1_encoder_budget_kbps(100000, 500, 1408, 10), 86521);
    assert_int_equal(pf_pkf1_encoder_budget_kbps(100, 500, 1408, 10), 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input),
        cmocka_unit_test(test_audio),
        cmocka_unit_test(test_small_planes),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_feedback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
