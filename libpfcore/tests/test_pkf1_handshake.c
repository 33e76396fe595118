/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 Hello, Welcome, Start and extension block against native-protocol.md §3
 * (the examples of §3.1 and §3.3) and the tolerance and rejection rules of §3/§4.3. */
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
#include "pf/core/pkf1_handshake.h"

#include "gs_test_util.h"

/* Splits a framed hex vector and checks the length prefix. */
static size_t unframe(const char *hex, uint8_t *buf, const uint8_t **payload)
{
    size_t n = gs_unhex(hex, buf), plen, used;
    assert_int_equal(pf_pkf1_frame_split(buf, n, payload, &plen, &used), 0);
    assert_int_equal(used, n);
    return plen;
}

static void test_hello_example(void **state)
{
    (void)state;
    /* §3.1: 1920x1080@60, name "TV", client_caps EXT, max_shard_payload 1408, codecs
     * H.264|HEVC|AV1, ChaCha capable. */
    static const char *vec = "2500 504b4631 02000000 80070000 38040000 3c000000 00 00 00000000 "
                             "02 5456 00 40 02 07 00 40 8005";
    uint8_t buf[64], out[PF_PKF1_HELLO_MAX_BYTES];
    const uint8_t *payload;
    size_t plen = unframe(vec, buf, &payload), len;
    pf_pkf1_hello h;
    pf_pkf1_hello_init(&h);
    h.width = 1920;
    h.height = 1080;
    h.refresh_hz = 60;
    h.name = (const uint8_t *)"TV";
    h.name_len = 2;
    h.client_caps = PF_PKF1_CLIENT_CAP_EXT;
    h.max_shard_payload = 1408;
    h.video_codecs = PF_PKF1_CODEC_H264 | PF_PKF1_CODEC_HEVC | PF_PKF1_CODEC_AV1;
    h.video_caps = PF_PKF1_VIDEO_CAP_CHACHA20;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(len, plen);
    assert_memory_equal(out, payload, len);

    pf_pkf1_hello d;
    assert_int_equal(pf_pkf1_hello_decode(payload, plen, &d), 0);
    assert_int_equal(pf_pkf1_hello_check_version(&d), 0);
    assert_int_equal(d.width, 1920);
    assert_int_equal(d.refresh_hz, 60);
    assert_int_equal(d.name_len, 2);
    assert_memory_equal(d.name, "TV", 2);
    assert_null(d.launch);
    assert_int_equal(d.client_caps, PF_PKF1_CLIENT_CAP_EXT);
    assert_int_equal(d.max_shard_payload, 1408);
    assert_int_equal(d.video_codecs, 7);
    assert_int_equal(d.audio_channels, 2);
    assert_int_equal(d.audio_rate_hz, 48000);
    assert_int_equal(d.audio_bits, 16);
    assert_int_equal(d.has_display_hdr, 0);
    /* Exactly the room it needs. */
    assert_int_equal(pf_pkf1_hello_encode(&h, out, plen - 1, &len), PF_ERR_BUFFER_TOO_SMALL);
}

static void test_hello_forcing_and_hdr(void **state)
{
    (void)state;
    pf_pkf1_hello h, d;
    uint8_t out[PF_PKF1_HELLO_MAX_BYTES];
    size_t len;
    pf_pkf1_hello_init(&h);
    h.width = 1280;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(len, 26); /* the reference always writes through bitrate */
    /* Only video_fit set: every earlier field forced at its default (rate 48000, bits 16). */
    h.video_fit = 1;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(len, 26 + 1 + 1 + 4 + 1 + 2 + 4 + 1 + 1 + 1);
    assert_int_equal(out[26], 0);               /* empty name */
    assert_int_equal(out[29], 2);               /* audio_channels */
    assert_int_equal(out[35] | out[36] << 8 | out[37] << 16, 48000);
    assert_int_equal(out[39], 16);
    /* A 96 kHz/16-bit request stops after the rate. */
    h.video_fit = 0;
    h.audio_rate_hz = 96000;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(len, 26 + 1 + 1 + 4 + 1 + 2 + 4);
    /* HDR body: present by remaining length, with the whole tail after it. */
    h.has_display_hdr = 1;
    for (int i = 0; i < 28; i++)
        h.display_hdr[i] = (uint8_t)(i + 1);
    h.audio_layout = 3;
    h.launch = (const uint8_t *)"steam:570";
    h.launch_len = 9;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(pf_pkf1_hello_decode(out, len, &d), 0);
    assert_int_equal(d.has_display_hdr, 1);
    assert_memory_equal(d.display_hdr, h.display_hdr, 28);
    assert_int_equal(d.audio_rate_hz, 96000);
    assert_int_equal(d.audio_bits, 16);
    assert_int_equal(d.audio_layout, 3);
    assert_int_equal(d.launch_len, 9);
    assert_memory_equal(d.launch, "steam:570", 9);
    /* Without HDR the decoder must not see one. */
    h.has_display_hdr = 0;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(pf_pkf1_hello_decode(out, len, &d), 0);
    assert_int_equal(d.has_display_hdr, 0);
    assert_int_equal(d.audio_layout, 3);
}

static void test_hello_tolerance(void **state)
{
    (void)state;
    uint8_t b[64];
    pf_pkf1_hello d;
    memcpy(b, "PKF1", 4);
    memset(b + 4, 0, sizeof(b) - 4);
    b[4] = 2;
    /* 20 bytes are enough; 19 are not; wrong magic is not. */
    assert_int_equal(pf_pkf1_hello_decode(b, 20, &d), 0);
    assert_int_equal(d.bitrate_kbps, 0);
    assert_int_equal(pf_pkf1_hello_decode(b, 19, &d), PF_ERR_MALFORMED);
    b[3] = 'c';
    assert_int_equal(pf_pkf1_hello_decode(b, 30, &d), PF_ERR_MALFORMED);
    b[3] = '1';
    /* A non-UTF-8 name decodes as none and the tail still lines up. */
    b[26] = 2;
    b[27] = 0xC0;
    b[28] = 0x80; /* overlong NUL */
    b[29] = 0;    /* launch */
    b[30] = PF_PKF1_VIDEO_CAP_10BIT;
    b[31] = 7; /* unsupported channel count */
    assert_int_equal(pf_pkf1_hello_decode(b, 32, &d), 0);
    assert_null(d.name);
    assert_int_equal(d.video_caps, PF_PKF1_VIDEO_CAP_10BIT);
    assert_int_equal(d.audio_channels, 2);
    /* A name length past the end: no name, no crash, defaults after it. */
    b[26] = 200;
    assert_int_equal(pf_pkf1_hello_decode(b, 40, &d), 0);
    assert_null(d.name);
    assert_int_equal(d.video_caps, 0);
    /* Version gate. */
    b[4] = 3;
    assert_int_equal(pf_pkf1_hello_decode(b, 26, &d), 0);
    assert_int_equal(pf_pkf1_hello_check_version(&d), PF_PKF1_CLOSE_WIRE_VERSION);
    assert_int_equal(PF_PKF1_CLOSE_WIRE_VERSION, 0x67);
}

static void test_hello_truncates_labels(void **state)
{
    (void)state;
    uint8_t name[70], out[PF_PKF1_HELLO_MAX_BYTES];
    memset(name, 'a', sizeof(name));
    /* a 2-byte character straddling the 64-byte limit is dropped whole */
    name[63] = 0xC3;
    name[64] = 0xA9;
    pf_pkf1_hello h, d;
    pf_pkf1_hello_init(&h);
    h.name = name;
    h.name_len = 66;
    size_t len;
    assert_int_equal(pf_pkf1_hello_encode(&h, out, sizeof(out), &len), 0);
    assert_int_equal(out[26], 63);
    assert_int_equal(pf_pkf1_hello_decode(out, len, &d), 0);
    assert_int_equal(d.name_len, 63);
}

static void fill_welcome(pf_pkf1_welcome *w)
{
    pf_pkf1_welcome_init(w);
    w->udp_port = 50123;
    w->width = 1920;
    w->height = 1080;
    w->refresh_hz = 120;
    w->fec_percent = 10;
    w->shard_payload = 1408;
    for (int i = 0; i < 16; i++)
        w->key[i] = (uint8_t)i;
    memcpy(w->salt, "\xa1\xb2\xc3\xd4", 4);
    w->bitrate_kbps = 50000;
    w->host_caps2 = PF_PKF1_HOST_CAP2_REPEAT_MARK | PF_PKF1_HOST_CAP2_EXT;
    w->mgmt_port = 47990;
}

static void test_welcome_lengths_and_roundtrip(void **state)
{
    (void)state;
    pf_pkf1_welcome w, d;
    uint8_t out[512];
    size_t len;
    pf_pkf1_welcome_init(&w);
    assert_int_equal(pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(len, 68);
    fill_welcome(&w);
    /* What a v0.43.1 host sends: host_caps2 set, layout default -> 88 bytes. */
    assert_int_equal(pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(len, 88);
    assert_int_equal(out[68], 0);                   /* cipher forced */
    assert_int_equal(out[69] | out[70] << 8, 47990); /* mgmt */
    assert_int_equal(out[71], 0xFF);                /* grants all */
    assert_int_equal(out[87], 0x05);                /* host_caps2 */
    assert_int_equal(pf_pkf1_welcome_decode(out, len, &d), 0);
    assert_memory_equal(&d, &w, sizeof(w));
    w.audio_layout = 2;
    assert_int_equal(pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(len, 89);
    /* ChaCha: the key follows the cipher byte, everything shifts by 32. */
    w.cipher = PF_PKF1_CIPHER_CHACHA20_POLY1305;
    for (int i = 0; i < 32; i++)
        w.key_chacha[i] = (uint8_t)(0x40 + i);
    assert_int_equal(pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(len, 121);
    assert_int_equal(pf_pkf1_welcome_decode(out, len, &d), 0);
    assert_memory_equal(&d, &w, sizeof(w));
    /* Short ChaCha key and unknown ciphers fail closed. */
    assert_int_equal(pf_pkf1_welcome_decode(out, 100, &d), PF_ERR_MALFORMED);
    out[68] = 2;
    assert_int_equal(pf_pkf1_welcome_decode(out, len, &d), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_welcome_decode(out, 52, &d), PF_ERR_MALFORMED);
    /* Short Welcome from an old host: defaults. */
    w.cipher = 0;
    assert_int_equal(pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(pf_pkf1_welcome_decode(out, 53, &d), 0);
    assert_int_equal(d.codec, PF_PKF1_CODEC_HEVC);
    assert_int_equal(d.grants, PF_PKF1_GRANT_ALL);
    assert_int_equal(d.bit_depth, 8);
    assert_int_equal(d.audio_rate_hz, 48000);
}

static void test_welcome_ext(void **state)
{
    (void)state;
    pf_pkf1_welcome w, d;
    uint8_t out[512];
    size_t len, count;
    fill_welcome(&w);
    pf_pkf1_ext_entry e[2] = {{PF_PKF1_EXT_TAG_CLIENT, 4, 0, (const uint8_t *)"host"},
                              {99, 0, 0, NULL}};
    assert_int_equal(pf_pkf1_welcome_encode(&w, 1, e, 2, out, sizeof(out), &len), 0);
    assert_int_equal(len, 89 + 2 + 8 + 4);
    assert_int_equal(pf_pkf1_welcome_decode(out, len, &d), 0);
    pf_pkf1_ext_entry got[PF_PKF1_EXT_MAX_ENTRIES];
    assert_int_equal(pf_pkf1_welcome_decode_ext(out, len, got, 64, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(got[0].tag, PF_PKF1_EXT_TAG_CLIENT);
    assert_memory_equal(got[0].value, "host", 4);
    assert_int_equal(pf_pkf1_ext_find(got, count, 99), 1);
    assert_int_equal(pf_pkf1_ext_find(got, count, 3), -1);
    /* No block on a plain Welcome. */
    assert_int_equal(pf_pkf1_welcome_encode(&w, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(pf_pkf1_welcome_decode_ext(out, len, got, 64, &count), 0);
    assert_int_equal(count, 0);
}

static void test_start_example(void **state)
{
    (void)state;
    uint8_t buf[64], out[64];
    const uint8_t *payload;
    size_t plen = unframe("0600 504b4631 50c3", buf, &payload), len, count;
    uint16_t port;
    assert_int_equal(pf_pkf1_start_decode(payload, plen, 1, &port, NULL, 0, &count), 0);
    assert_int_equal(port, 50000);
    assert_int_equal(count, 0);
    assert_int_equal(pf_pkf1_start_encode(50000, 0, NULL, 0, out, sizeof(out), &len), 0);
    assert_int_equal(len, plen);
    assert_memory_equal(out, payload, len);

    /* §3.4 example with label "test" and ABR bit 0. The document prints ext_len 0f00, but
     * the entries it lists are 13 bytes and its own frame length (0x15 = 21) counts 13, so
     * the block length is 0d00. */
    plen = unframe("1500 504b4631 50c3 0d00 0200 0400 74657374 0300 0100 01", buf, &payload);
    pf_pkf1_ext_entry e[PF_PKF1_EXT_MAX_ENTRIES];
    assert_int_equal(pf_pkf1_start_decode(payload, plen, 1, &port, e, 64, &count), 0);
    assert_int_equal(count, 2);
    assert_int_equal(e[0].tag, PF_PKF1_EXT_TAG_CLIENT);
    assert_int_equal(e[0].len, 4);
    assert_memory_equal(e[0].value, "test", 4);
    assert_int_equal(e[1].tag, PF_PKF1_EXT_TAG_ABR);
    assert_int_equal(e[1].value[0], PF_PKF1_EXT_ABR_ACK_REASON);
    assert_int_equal(pf_pkf1_start_encode(50000, 1, e, 2, out, sizeof(out), &len), 0);
    assert_int_equal(len, plen);
    assert_memory_equal(out, payload, len);
    /* A host without EXT ignores the bytes. */
    assert_int_equal(pf_pkf1_start_decode(payload, plen, 0, &port, NULL, 0, NULL), 0);
    assert_int_equal(pf_pkf1_start_decode(payload, 5, 0, &port, NULL, 0, NULL),
                     PF_ERR_MALFORMED);
}

static void test_ext_rejections(void **state)
{
    (void)state;
    pf_pkf1_ext_entry e[PF_PKF1_EXT_MAX_ENTRIES + 1];
    size_t count, len;
    uint8_t b[PF_PKF1_EXT_MAX_BYTES + 16];
    /* repeated tag */
    size_t n = gs_unhex("0a00 0200 0100 61 0200 0100 62", b);
    assert_int_equal(pf_pkf1_ext_decode(b, n, e, 64, &count), PF_ERR_MALFORMED);
    /* truncated entry header, overrun value, ext_len past the buffer */
    n = gs_unhex("0300 0200 01", b);
    assert_int_equal(pf_pkf1_ext_decode(b, n, e, 64, &count), PF_ERR_MALFORMED);
    n = gs_unhex("0500 0200 0200 61", b);
    assert_int_equal(pf_pkf1_ext_decode(b, n, e, 64, &count), PF_ERR_MALFORMED);
    n = gs_unhex("0900 0200 0100 61", b);
    assert_int_equal(pf_pkf1_ext_decode(b, n, e, 64, &count), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_ext_decode(b, 1, e, 64, &count), PF_ERR_MALFORMED);
    /* over-size block: 4095 body bytes make 4097 with ext_len */
    memset(b, 0, sizeof(b));
    b[0] = 0xFF;
    b[1] = 0x0F;
    assert_int_equal(pf_pkf1_ext_decode(b, 4097, e, 64, &count), PF_ERR_MALFORMED);
    /* 65 zero-length entries with distinct tags */
    uint8_t *p = b + 2;
    for (int i = 0; i < 65; i++, p += 4) {
        p[0] = (uint8_t)(10 + i);
        p[1] = 0;
        p[2] = 0;
        p[3] = 0;
    }
    b[0] = (uint8_t)(65 * 4);
    b[1] = (uint8_t)((65 * 4) >> 8);
    assert_int_equal(pf_pkf1_ext_decode(b, 2 + 65 * 4, e, 65, &count), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_ext_decode(b, 2 + 64 * 4, e, 65, &count), PF_ERR_MALFORMED);
    b[0] = (uint8_t)(64 * 4);
    b[1] = (uint8_t)((64 * 4) >> 8);
    assert_int_equal(pf_pkf1_ext_decode(b, 2 + 64 * 4, e, 64, &count), 0);
    assert_int_equal(count, 64);
    assert_int_equal(pf_pkf1_ext_decode(b, 2 + 64 * 4, e, 10, &count), PF_ERR_LIMIT);
    /* the encoder refuses what the decoder would */
    pf_pkf1_ext_entry dup[2] = {{5, 0, 0, NULL}, {5, 0, 0, NULL}};
    assert_int_equal(pf_pkf1_ext_encode(dup, 2, b, sizeof(b), &len), PF_ERR_INVALID_ARGUMENT);
    static uint8_t value[4096];
    pf_pkf1_ext_entry big = {7, 4091, 0, value};
    assert_int_equal(pf_pkf1_ext_encode(&big, 1, b, sizeof(b), &len), PF_ERR_INVALID_ARGUMENT);
    big.len = 4090;
    assert_int_equal(pf_pkf1_ext_encode(&big, 1, b, sizeof(b), &len), 0);
    assert_int_equal(len, 4096);
}

static void test_framing_and_codec(void **state)
{
    (void)state;
    uint8_t b[8] = {3, 0, 'a', 'b'};
    const uint8_t *p;
    size_t plen, used;
    assert_int_equal(pf_pkf1_frame_split(b, 4, &p, &plen, &used), PF_ERR_AGAIN);
    assert_int_equal(pf_pkf1_frame_split(b, 1, &p, &plen, &used), PF_ERR_AGAIN);
    b[4] = 'c';
    assert_int_equal(pf_pkf1_frame_split(b, 6, &p, &plen, &used), 0);
    assert_int_equal(plen, 3);
    assert_int_equal(used, 5);
    assert_int_equal(pf_pkf1_frame_header(65536, b), PF_ERR_LIMIT);
    assert_int_equal(pf_pkf1_frame_header(65535, b), 0);
    assert_int_equal(b[0] | b[1] << 8, 65535);

    const uint32_t all = PF_PKF1_CODEC_H264 | PF_PKF1_CODEC_HEVC | PF_PKF1_CODEC_AV1;
    assert_int_equal(pf_pkf1_resolve_codec(0, 0, all), PF_PKF1_CODEC_HEVC);
    assert_int_equal(pf_pkf1_resolve_codec(0, 0, PF_PKF1_CODEC_H264), 0);
    assert_int_equal(pf_pkf1_resolve_codec(all, 0, all), PF_PKF1_CODEC_HEVC);
    assert_int_equal(pf_pkf1_resolve_codec(5, 0, all), PF_PKF1_CODEC_AV1);
    assert_int_equal(pf_pkf1_resolve_codec(all, PF_PKF1_CODEC_H264, all), PF_PKF1_CODEC_H264);
    assert_int_equal(pf_pkf1_resolve_codec(all, 3, all), PF_PKF1_CODEC_HEVC);
    assert_int_equal(pf_pkf1_resolve_codec(0xF, 0, 0xF), PF_PKF1_CODEC_HEVC);
    assert_int_equal(pf_pkf1_resolve_codec(8, 0, 0xF), 0);
    assert_int_equal(pf_pkf1_resolve_codec(8, 8, 0xF), PF_PKF1_CODEC_PYROWAVE);
    assert_int_equal(pf_pkf1_grants_normalize(63), 0xFF);
    assert_int_equal(pf_pkf1_grants_normalize(127), 0xFF);
    assert_int_equal(pf_pkf1_grants_normalize(0x101), 1);
    assert_string_equal(pf_pkf1_close_code_name(0x67), "wire version mismatch");
    assert_null(pf_pkf1_close_code_name(0x6C));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_example),
        cmocka_unit_test(test_hello_forcing_and_hdr),
        cmocka_unit_test(test_hello_tolerance),
        cmocka_unit_test(test_hello_truncates_labels),
        cmocka_unit_test(test_welcome_lengths_and_roundtrip),
        cmocka_unit_test(test_welcome_ext),
        cmocka_unit_test(test_start_example),
        cmocka_unit_test(test_ext_rejections),
        cmocka_unit_test(test_framing_and_codec),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
