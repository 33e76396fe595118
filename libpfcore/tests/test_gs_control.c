/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream control-message and RTSP sealing against the vectors of
 * gamestream-protocol.md §5.4 and §4.8, plus rejection of damaged input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/gs_control.h"

#include "gs_test_util.h"

static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

typedef struct control_vector {
    uint32_t iv_mode;
    uint32_t origin;
    uint32_t seq;
    uint16_t type;
    const char *payload;
    const char *wire;
} control_vector;

static const control_vector vectors[] = {
    {PF_GS_CONTROL_IV_V2, PF_GS_ORIGIN_CLIENT, 5, 0x0200, "04 00 00 00 00 00 aa bb",
     "0100200005000000 b9a2a37d47f75dccf35473d24dfc5b9e a1fe544c73fb167819e12eaa"},
    {PF_GS_CONTROL_IV_LEGACY, PF_GS_ORIGIN_CLIENT, 5, 0x0200, "04 00 00 00 00 00 aa bb",
     "0100200005000000 715792ea9955bd95cfc5ab2d2ec4cbd3 fe2a748c66dd9cfaf503077e"},
    {PF_GS_CONTROL_IV_V2, PF_GS_ORIGIN_HOST, 7, 0x0109, "80030023",
     "01001c0007000000 a825d6bd20ccfe5ba7fbb60530900ef1 7f27937ed176265a"},
    {PF_GS_CONTROL_IV_LEGACY, PF_GS_ORIGIN_HOST, 0, 0x0109, "80030023",
     "01001c0000000000 a0aac3392f67a3ba15e9e3096999aa42 09177ff66bbdf454"},
};

static void control_vectors_seal_and_open(void **state)
{
    (void)state;
    pf_gs_cipher *c = NULL;
    assert_int_equal(pf_gs_cipher_create(NULL, key, &c), 0);
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const control_vector *v = &vectors[i];
        uint8_t payload[16], wire[64], out[64];
        size_t plen = gs_unhex(v->payload, payload);
        size_t wlen = gs_unhex(v->wire, wire);
        size_t len = 0;
        assert_int_equal(pf_gs_control_seal(c, v->iv_mode, v->origin, v->seq, v->type, payload,
                                            plen, out, sizeof(out), &len),
                         0);
        assert_int_equal(len, wlen);
        assert_memory_equal(out, wire, wlen);

        pf_gs_control_msg m;
        uint8_t plain[64];
        assert_int_equal(pf_gs_control_open(c, v->iv_mode, v->origin, wire, wlen, plain,
                                            sizeof(plain), &m),
                         0);
        assert_int_equal(m.seq, v->seq);
        assert_int_equal(m.type, v->type);
        assert_int_equal(m.payload_len, plen);
        assert_memory_equal(plain, payload, plen);

        /* The wrong direction, a flipped bit or a truncation never opens. */
        if (v->iv_mode == PF_GS_CONTROL_IV_V2) {
            uint32_t other = v->origin == PF_GS_ORIGIN_HOST ? PF_GS_ORIGIN_CLIENT
                                                            : PF_GS_ORIGIN_HOST;
            assert_int_equal(pf_gs_control_open(c, v->iv_mode, other, wire, wlen, plain,
                                                sizeof(plain), &m),
                             PF_ERR_AUTH);
        }
        for (size_t b = 4; b < wlen; b++) {
            /* The legacy IV only takes seq & 0xFF: the upper sequence bytes are not
             * authenticated (a property of the protocol). */
            int unauthenticated = v->iv_mode == PF_GS_CONTROL_IV_LEGACY && b >= 5 && b < 8;
            wire[b] ^= 0x20;
            assert_int_equal(pf_gs_control_open(c, v->iv_mode, v->origin, wire, wlen, plain,
                                                sizeof(plain), &m),
                             unauthenticated ? 0 : PF_ERR_AUTH);
            wire[b] ^= 0x20;
        }
        assert_int_equal(pf_gs_control_open(c, v->iv_mode, v->origin, wire, wlen - 1, plain,
                                            sizeof(plain), &m),
                         PF_ERR_MALFORMED);
        assert_int_equal(pf_gs_control_open(c, v->iv_mode, v->origin, wire, wlen, plain, 3, &m),
                         PF_ERR_BUFFER_TOO_SMALL);
        wire[0] = 0x02;
        assert_int_equal(pf_gs_control_open(c, v->iv_mode, v->origin, wire, wlen, plain,
                                            sizeof(plain), &m),
                         PF_ERR_MALFORMED);
    }
    pf_gs_cipher_destroy(c);
}

static void control_limits(void **state)
{
    (void)state;
    pf_gs_cipher *c = NULL;
    assert_int_equal(pf_gs_cipher_create(NULL, key, &c), 0);
    uint8_t out[64], plain[64];
    size_t len = 0;
    assert_int_equal(pf_gs_control_seal(c, 0, PF_GS_ORIGIN_HOST, 1, 2, NULL, 0, out, 27, &len),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pf_gs_control_seal(c, 0, 'X', 1, 2, NULL, 0, out, 64, &len),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_gs_control_seal(c, 9, PF_GS_ORIGIN_HOST, 1, 2, NULL, 0, out, 64, &len),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_gs_control_seal(c, 0, PF_GS_ORIGIN_HOST, 1, 2, NULL, 0, out, 64, &len),
                     0);
    assert_int_equal(len, 28);
    pf_gs_control_msg m;
    assert_int_equal(pf_gs_control_open(c, 0, PF_GS_ORIGIN_HOST, out, len, plain, 64, &m), 0);
    assert_int_equal(m.payload_len, 0);
    assert_int_equal(m.type, 2);
    /* Declared length below the minimum, or past the packet. */
    out[2] = 23;
    assert_int_equal(pf_gs_control_open(c, 0, PF_GS_ORIGIN_HOST, out, len, plain, 64, &m),
                     PF_ERR_MALFORMED);
    out[2] = 200;
    assert_int_equal(pf_gs_control_open(c, 0, PF_GS_ORIGIN_HOST, out, len, plain, 64, &m),
                     PF_ERR_MALFORMED);
    /* A validly sealed message whose payloadLength exceeds its plaintext is refused: seal
     * 8 payload bytes, then shorten the declared length by 4 so that the inner header's 8
     * no longer fits; the tag then fails first, which is just as safe. */
    uint8_t eight[8] = {0};
    assert_int_equal(pf_gs_control_seal(c, 0, PF_GS_ORIGIN_HOST, 3, 2, eight, 8, out, 64, &len),
                     0);
    out[2] = (uint8_t)(out[2] - 4);
    assert_true(pf_gs_control_open(c, 0, PF_GS_ORIGIN_HOST, out, len, plain, 64, &m) < 0);
    uint64_t seed = 5;
    for (int i = 0; i < 5000; i++) {
        uint8_t junk[80];
        size_t jl = (size_t)(gs_rand(&seed) % sizeof(junk));
        gs_fill(junk, jl, gs_rand(&seed));
        if (jl > 2 && i % 2) {
            junk[0] = 1;
            junk[1] = 0;
        }
        assert_true(pf_gs_control_open(c, i % 2, PF_GS_ORIGIN_HOST, junk, jl, plain, 64, &m) < 0);
    }
    pf_gs_cipher_destroy(c);
    pf_gs_cipher_destroy(NULL);
}

static const char options_text[] =
    "OPTIONS rtsp://192.168.1.10:48010 RTSP/1.0\r\nCSeq: 1\r\nX-GS-ClientVersion: 14\r\n"
    "Host: 192.168.1.10\r\n\r\n";
static const char options_wire[] =
    "80000063 00000001 7b048fb94e84af7d792097ef19988df8 "
    "9fe452003a42126629e9a38daca4f662b7b6c5ed49a21660"
    "850d8d3b95878598383099a96655636896ac6da0efbb436ac2aeceac562622b5dcf8adf56d99249413ba738cea1318f3"
    "266c1cfa765403bcd44d456c5f9e9a4482429180cfc98d74854c9f";
static const char reply_text[] = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n";
static const char reply_wire[] = "8000001c 00000001 f1734c68fca6356daf5717bc54c6f6a2 "
                                 "600872b43a271f6b4fc685cedf9a7cb84351077c0cc521456e1d06e9";

static void rtsp_vectors(void **state)
{
    (void)state;
    pf_gs_cipher *c = NULL;
    assert_int_equal(pf_gs_cipher_create(NULL, key, &c), 0);
    struct {
        const char *text;
        const char *wire;
        uint32_t origin;
    } v[2] = {{options_text, options_wire, PF_GS_ORIGIN_CLIENT},
              {reply_text, reply_wire, PF_GS_ORIGIN_HOST}};
    assert_int_equal(strlen(options_text), 99);
    for (int i = 0; i < 2; i++) {
        uint8_t wire[256], out[256], plain[256];
        size_t wlen = gs_unhex(v[i].wire, wire), len = 0, tlen = strlen(v[i].text);
        assert_int_equal(pf_gs_rtsp_seal(c, v[i].origin, 1, (const uint8_t *)v[i].text, tlen,
                                         out, sizeof(out), &len),
                         0);
        assert_int_equal(len, wlen);
        assert_memory_equal(out, wire, wlen);
        size_t total = 0;
        assert_int_equal(pf_gs_rtsp_get_length(wire, 7, &total), PF_ERR_AGAIN);
        assert_int_equal(pf_gs_rtsp_get_length(wire, 8, &total), 0);
        assert_int_equal(total, wlen);
        uint32_t seq = 0;
        size_t plen = 0;
        assert_int_equal(pf_gs_rtsp_open(c, v[i].origin, wire, wlen, plain, sizeof(plain), &seq,
                                         &plen),
                         0);
        assert_int_equal(seq, 1);
        assert_int_equal(plen, tlen);
        assert_memory_equal(plain, v[i].text, tlen);
        assert_int_equal(pf_gs_rtsp_open(c, v[i].origin, wire, wlen - 1, plain, sizeof(plain),
                                         &seq, &plen),
                         PF_ERR_MALFORMED);
        wire[30] ^= 1;
        assert_int_equal(pf_gs_rtsp_open(c, v[i].origin, wire, wlen, plain, sizeof(plain), &seq,
                                         &plen),
                         PF_ERR_AUTH);
        wire[0] &= 0x7f;
        assert_int_equal(pf_gs_rtsp_open(c, v[i].origin, wire, wlen, plain, sizeof(plain), &seq,
                                         &plen),
                         PF_ERR_MALFORMED);
    }
    pf_gs_cipher_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(control_vectors_seal_and_open),
        cmocka_unit_test(control_limits),
        cmocka_unit_test(rtsp_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
