/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 typed control messages: the golden hex of native-protocol.md §5.1 and §6.6,
 * exact-length decoding, unknown types, and a round trip of every type. */
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
#include "pf/core/pkf1_control.h"

#include "gs_test_util.h"

static void expect_encoding(const pf_pkf1_msg *m, const char *hex)
{
    uint8_t want[256], got[256];
    size_t n = gs_unhex(hex, want), len;
    assert_int_equal(pf_pkf1_msg_encode(m, got, sizeof(got), &len), 0);
    assert_int_equal(len, n);
    assert_memory_equal(got, want, n);
    pf_pkf1_msg d;
    assert_int_equal(pf_pkf1_msg_decode(want, n, &d), 0);
    assert_int_equal(d.type, m->type);
}

static void test_golden(void **state)
{
    (void)state;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_LOSS_REPORT);
    m.value32 = 0x01020304;
    expect_encoding(&m, "504b4663 04 04030201");
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_RECONFIGURE);
    m.width = 1920;
    m.height = 1080;
    m.refresh_hz = 120;
    expect_encoding(&m, "504b4663 01 80070000 38040000 78000000");
    /* framed form of §2 */
    uint8_t framed[32], want[32];
    size_t len, n = gs_unhex("1100 504b4663 01 80070000 38040000 78000000", want);
    assert_int_equal(pf_pkf1_msg_encode(&m, framed + 2, sizeof(framed) - 2, &len), 0);
    assert_int_equal(pf_pkf1_frame_header(len, framed), 0);
    assert_memory_equal(framed, want, n);
    pf_pkf1_msg d;
    assert_int_equal(pf_pkf1_msg_decode(want + 2, n - 2, &d), 0);
    assert_int_equal(d.width, 1920);
    assert_int_equal(d.height, 1080);
    assert_int_equal(d.refresh_hz, 120);
}

static void test_pairing_golden(void **state)
{
    (void)state;
    /* §6.6 framed pairing messages. */
    static const char *spake_a = "41d042a6cb55725f7363be59245ab4105fae66eedd4648019988929a05e8f9ed9c";
    static const char *spake_b = "42e78fac049a202b70d5df08d47a2f9fcccfac78b12afb25454dea1bf60eb2801c";
    static const char *host_c = "83d95cc932c4be507c2ca14183d678d66cd334bbf881599032172156e1e8d304";
    static const char *client_c = "b562d7035efe52a160aea19e7dd6e64cad434ddd0734d026125eae2fc0594cea";
    uint8_t a[33], b[33], hc[32], cc[32], want[128], got[128];
    char hex[512];
    gs_unhex(spake_a, a);
    gs_unhex(spake_b, b);
    gs_unhex(host_c, hc);
    gs_unhex(client_c, cc);
    size_t n, len;
    pf_pkf1_msg m, d;

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PAIR_REQUEST);
    m.text = (const uint8_t *)"TV";
    m.text_len = 2;
    m.spake = a;
    m.spake_len = 33;
    snprintf(hex, sizeof(hex), "2b00 504b4663 10 02 5456 2100 %s", spake_a);
    n = gs_unhex(hex, want);
    assert_int_equal(pf_pkf1_msg_encode(&m, got + 2, sizeof(got) - 2, &len), 0);
    assert_int_equal(pf_pkf1_frame_header(len, got), 0);
    assert_int_equal(len + 2, n);
    assert_memory_equal(got, want, n);
    assert_int_equal(pf_pkf1_is_typed(want + 2, n - 2), 1);
    assert_int_equal(pf_pkf1_msg_decode(want + 2, n - 2, &d), 0);
    assert_int_equal(d.text_len, 2);
    assert_int_equal(d.spake_len, 33);
    assert_memory_equal(d.spake, a, 33);
    assert_null(d.blob);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PAIR_CHALLENGE);
    m.spake = b;
    m.spake_len = 33;
    memcpy(m.mac, hc, 32);
    snprintf(hex, sizeof(hex), "4800 504b4663 11 2100 %s %s", spake_b, host_c);
    n = gs_unhex(hex, want);
    assert_int_equal(pf_pkf1_msg_encode(&m, got + 2, sizeof(got) - 2, &len), 0);
    assert_int_equal(pf_pkf1_frame_header(len, got), 0);
    assert_memory_equal(got, want, n);
    assert_int_equal(pf_pkf1_msg_decode(want + 2, n - 2, &d), 0);
    assert_memory_equal(d.mac, hc, 32);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PAIR_PROOF);
    memcpy(m.mac, cc, 32);
    snprintf(hex, sizeof(hex), "2500 504b4663 12 %s", client_c);
    n = gs_unhex(hex, want);
    assert_int_equal(pf_pkf1_msg_encode(&m, got + 2, sizeof(got) - 2, &len), 0);
    assert_int_equal(pf_pkf1_frame_header(len, got), 0);
    assert_memory_equal(got, want, n);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PAIR_RESULT);
    m.flag = 1;
    n = gs_unhex("0600 504b4663 13 01", want);
    assert_int_equal(pf_pkf1_msg_encode(&m, got + 2, sizeof(got) - 2, &len), 0);
    assert_int_equal(pf_pkf1_frame_header(len, got), 0);
    assert_memory_equal(got, want, n);

    /* PairRequest with a browser device key, and a bad trailer. */
    n = gs_unhex("504b4663 10 00 0100 41 0300 aabbcc", want);
    assert_int_equal(pf_pkf1_msg_decode(want, n, &d), 0);
    assert_null(d.text);
    assert_int_equal(d.blob_len, 3);
    assert_int_equal(pf_pkf1_msg_decode(want, n - 1, &d), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_msg_decode(want, n - 4, &d), PF_ERR_MALFORMED);
}

/* Every fixed-size type: the documented sizes, and any other length refused. */
static void test_exact_lengths(void **state)
{
    (void)state;
    static const struct {
        uint8_t type;
        uint8_t sizes[2];
    } sizes[] = {
        {0x01, {17}}, {0x02, {18}}, {0x03, {5}}, {0x04, {9}}, {0x05, {9}}, {0x06, {9, 10}},
        {0x07, {13}}, {0x08, {7}}, {0x09, {7}}, {0x0A, {9}}, {0x0B, {13}}, {0x0C, {9}},
        {0x0D, {6}}, {0x0E, {7}}, {0x0F, {15}}, {0x12, {37}}, {0x13, {6}}, {0x14, {37}},
        {0x20, {13}}, {0x22, {23}}, {0x30, {13}}, {0x31, {29}},
        {0x32, {25, 27}}, {0x40, {7}}, {0x41, {8}}, {0x44, {14}}, {0x51, {6}}, {0x58, {13}},
        {0x59, {6}}, {0x5B, {7}}, {0x5C, {23}},
    };
    uint8_t buf[64];
    memset(buf, 0, sizeof(buf));
    memcpy(buf, "PKFc", 4);
    buf[5] = 0xC8;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        buf[4] = sizes[i].type;
        for (size_t len = 4; len < 40; len++) {
            pf_pkf1_msg d;
            int ok = len == sizes[i].sizes[0] || len == sizes[i].sizes[1];
            int r = pf_pkf1_msg_decode(buf, len, &d);
            if (r != (ok ? 0 : PF_ERR_MALFORMED))
                fail_msg("type 0x%02x length %zu: %d", sizes[i].type, len, r);
            if (ok) {
                /* and the encoder writes the same length back */
                uint8_t out[64];
                size_t out_len;
                assert_int_equal(pf_pkf1_msg_encode(&d, out, sizeof(out), &out_len), 0);
                assert_int_equal(out_len, len);
                assert_memory_equal(out, buf, len);
            }
        }
    }
}

/* ProbeResult as the reference reads it: any length from 21, the wire counters from 29. */
static void test_probe_result_lengths(void **state)
{
    (void)state;
    uint8_t buf[40] = {'P', 'K', 'F', 'c', 0x21};
    for (int i = 5; i < 40; i++)
        buf[i] = (uint8_t)i;
    pf_pkf1_msg d;
    assert_int_equal(pf_pkf1_msg_decode(buf, 20, &d), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_msg_decode(buf, 21, &d), 0);
    assert_int_equal(d.has_ext, 0);
    assert_int_equal(pf_pkf1_msg_decode(buf, 28, &d), 0);
    assert_int_equal(d.has_ext, 0);
    assert_int_equal(d.value32c, 0);
    assert_int_equal(pf_pkf1_msg_decode(buf, 29, &d), 0);
    assert_int_equal(d.has_ext, 1);
    assert_int_equal(d.value32d, 0x1c1b1a19);
    assert_int_equal(pf_pkf1_msg_decode(buf, 40, &d), 0);
    assert_int_equal(d.has_ext, 1);
}

static void test_unknown_and_garbage(void **state)
{
    (void)state;
    uint8_t buf[16] = {'P', 'K', 'F', 'c', 0x7E, 1, 2, 3};
    pf_pkf1_msg d;
    assert_int_equal(pf_pkf1_msg_decode(buf, 8, &d), PF_ERR_NOT_FOUND);
    assert_int_equal(d.type, 0x7E);
    buf[3] = '1';
    assert_int_equal(pf_pkf1_msg_decode(buf, 8, &d), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_is_typed(buf, 8), 0);
    assert_int_equal(pf_pkf1_msg_decode(buf, 4, &d), PF_ERR_MALFORMED);
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, 0x7E);
    size_t len;
    assert_int_equal(pf_pkf1_msg_encode(&m, buf, sizeof(buf), &len), PF_ERR_UNSUPPORTED);
}

static void roundtrip(const pf_pkf1_msg *m, pf_pkf1_msg *d)
{
    static uint8_t buf[PF_PKF1_MSG_MAX_BYTES];
    size_t len;
    assert_int_equal(pf_pkf1_msg_encode(m, buf, sizeof(buf), &len), 0);
    assert_int_equal(pf_pkf1_msg_decode(buf, len, d), 0);
    assert_int_equal(d->type, m->type);
}

static void test_variable_types(void **state)
{
    (void)state;
    pf_pkf1_msg m, d;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CLOCK_ECHO);
    m.t1 = 0x0102030405060708ull;
    m.t2 = 0x1112131415161718ull;
    m.t3 = 0xF1F2F3F4F5F6F7F8ull;
    roundtrip(&m, &d);
    assert_true(d.t1 == m.t1 && d.t2 == m.t2 && d.t3 == m.t3);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_BITRATE_CHANGED);
    m.value32 = 25000;
    m.code8 = 1;
    roundtrip(&m, &d);
    assert_int_equal(d.has_ext, 0);
    assert_int_equal(d.code8, 0); /* the 9-byte form has no reason */
    m.has_ext = 1;
    roundtrip(&m, &d);
    assert_int_equal(d.code8, 1);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_REFUSED);
    m.value32 = 0x60;
    m.text = (const uint8_t *)"not armed";
    m.text_len = 9;
    roundtrip(&m, &d);
    assert_int_equal(d.value32, 0x60);
    assert_memory_equal(d.text, "not armed", 9);

    static const uint8_t kinds[] = {10, 't', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n',
                                    5, 0, 0, 0, 0, 0, 0, 0,
                                    9, 'i', 'm', 'a', 'g', 'e', '/', 'p', 'n', 'g',
                                    0, 1, 0, 0, 0, 0, 0, 0};
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CLIP_OFFER);
    m.value32 = 7;
    m.code8 = 2;
    m.blob = kinds;
    m.blob_len = sizeof(kinds);
    roundtrip(&m, &d);
    const uint8_t *mime;
    size_t mime_len;
    uint64_t hint;
    assert_int_equal(pf_pkf1_clip_offer_kind(&d, 1, &mime, &mime_len, &hint), 0);
    assert_int_equal(mime_len, 9);
    assert_memory_equal(mime, "image/png", 9);
    assert_int_equal(hint, 256);
    assert_int_equal(pf_pkf1_clip_offer_kind(&d, 2, &mime, &mime_len, &hint),
                     PF_ERR_NOT_FOUND);
    m.code8 = 3; /* count does not match the kinds */
    uint8_t buf[128];
    size_t len;
    assert_int_equal(pf_pkf1_msg_encode(&m, buf, sizeof(buf), &len), PF_ERR_INVALID_ARGUMENT);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CLIP_FETCH);
    m.value32 = 7;
    m.value32b = 0xFFFFFFFF;
    m.text = (const uint8_t *)"text/plain";
    m.text_len = 10;
    roundtrip(&m, &d);
    assert_int_equal(d.value32b, 0xFFFFFFFF);

    static uint8_t rgba[120 * 120 * 4];
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CURSOR_SHAPE);
    m.value32 = 3;
    m.width = 120;
    m.height = 120;
    m.value16 = 4;
    m.value16b = 5;
    m.blob = rgba;
    m.blob_len = sizeof(rgba);
    roundtrip(&m, &d);
    assert_int_equal(d.width, 120);
    assert_int_equal(d.value16b, 5);
    m.width = 121;
    assert_int_equal(pf_pkf1_msg_encode(&m, buf, sizeof(buf), &len), PF_ERR_INVALID_ARGUMENT);

    pf_pkf1_msg_init(&m, PF_PKF1_MSG_LAUNCH_OUTCOME);
    m.code8 = 4;
    m.text = (const uint8_t *)"failed";
    m.text_len = 6;
    roundtrip(&m, &d);
    assert_int_equal(d.code8, 4);
    uint8_t lo[] = {'P', 'K', 'F', 'c', 0x5A, 9, 0};
    assert_int_equal(pf_pkf1_msg_decode(lo, sizeof(lo), &d), 0);
    assert_int_equal(d.code8, 0); /* unknown kind reads as 0 */
    lo[6] = 1;
    assert_int_equal(pf_pkf1_msg_decode(lo, sizeof(lo), &d), PF_ERR_MALFORMED);

    assert_int_equal(pf_pkf1_rfi_wants_keyframe(10, 266), 0);
    assert_int_equal(pf_pkf1_rfi_wants_keyframe(10, 267), 1);
    assert_int_equal(pf_pkf1_rfi_wants_keyframe(0xFFFFFFF0u, 5), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_pairing_golden),
        cmocka_unit_test(test_exact_lengths),
        cmocka_unit_test(test_probe_result_lengths),
        cmocka_unit_test(test_unknown_and_garbage),
        cmocka_unit_test(test_variable_types),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
