/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The protocol framings byte for byte: GameStream pairing (§3.4), encrypted RTSP (§4.8),
 * control stream v2 and legacy IVs (§5.4) and audio (§8.3) from gamestream-protocol.md, and
 * punktfunk/1 datagrams (native-protocol.md §7.3). Sealed with the library, opened back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"

#include "crypto_test_util.h"

/* gamestream-protocol §3.4: key = SHA-256(salt || PIN)[0..15], then one ECB block. */
static void gamestream_pairing_vector(void **state)
{
    (void)state;
    uint8_t msg[20], h[32], want[32], block[16], ct[16], back[16];
    seq_bytes(msg, 16, 0);
    memcpy(msg + 16, "1234", 4);
    assert_int_equal(pf_sha256(NULL, msg, sizeof(msg), h), 0);
    unhex("bad0b4f7cae08eb7c1b5acc763a8ed25242e2c9173e81f3f624b1fa5303cf6ce", want, 32);
    assert_memory_equal(h, want, 32);
    seq_bytes(block, 16, 0x10);
    assert_int_equal(pf_aes128_ecb_encrypt(NULL, h, block, 16, ct), 0);
    unhex("5febcdc985b2baddd65925da162380eb", want, 16);
    assert_memory_equal(ct, want, 16);
    assert_int_equal(pf_aes128_ecb_decrypt(NULL, h, ct, 16, back), 0);
    assert_memory_equal(back, block, 16);
}

/* gamestream-protocol §4.8: BE32 0x80000000|len, BE32 seq, tag, ciphertext;
 * IV = LE32(seq) || 0^6 || origin || 'R'. */
static size_t rtsp_seal(pf_aead *a, uint32_t seq, char origin, const char *msg, uint8_t *frame)
{
    size_t len = strlen(msg);
    uint8_t iv[12] = {0};
    put_le32(iv, seq);
    iv[10] = (uint8_t)origin;
    iv[11] = 'R';
    put_be32(frame, 0x80000000u | (uint32_t)len);
    put_be32(frame + 4, seq);
    assert_int_equal(pf_aead_seal(a, iv, NULL, 0, (const uint8_t *)msg, len, frame + 24,
                                  frame + 8),
                     0);
    return 24 + len;
}

static void rtsp_open_check(pf_aead *a, char origin, const uint8_t *frame, size_t frame_len,
                            const char *want)
{
    uint32_t type_len = (uint32_t)frame[0] << 24 | (uint32_t)frame[1] << 16 |
                        (uint32_t)frame[2] << 8 | frame[3];
    assert_true(type_len & 0x80000000u);
    size_t len = type_len & 0x7fffffffu;
    assert_int_equal(len + 24, frame_len);
    uint8_t iv[12] = {0};
    iv[0] = frame[7];
    iv[1] = frame[6];
    iv[2] = frame[5];
    iv[3] = frame[4];
    iv[10] = (uint8_t)origin;
    iv[11] = 'R';
    uint8_t plain[128];
    assert_int_equal(pf_aead_open(a, iv, NULL, 0, frame + 24, len, frame + 8, plain), 0);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(plain, want, len);
}

static void gamestream_rtsp_vectors(void **state)
{
    (void)state;
    uint8_t key[16], frame[160], want[160];
    seq_bytes(key, 16, 0);
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, &a), 0);

    const char *options = "OPTIONS rtsp://192.168.1.10:48010 RTSP/1.0\r\nCSeq: 1\r\n"
                          "X-GS-ClientVersion: 14\r\nHost: 192.168.1.10\r\n\r\n";
    size_t wn = unhex("80000063 00000001 7b048fb94e84af7d792097ef19988df8 "
                      "9fe452003a42126629e9a38daca4f662b7b6c5ed49a21660"
                      "850d8d3b95878598383099a96655636896ac6da0efbb436ac2aeceac562622b5"
                      "dcf8adf56d99249413ba738cea1318f3"
                      "266c1cfa765403bcd44d456c5f9e9a4482429180cfc98d74854c9f",
                      want, sizeof(want));
    assert_int_equal(strlen(options), 99);
    size_t n = rtsp_seal(a, 1, 'C', options, frame);
    assert_int_equal(n, wn);
    assert_memory_equal(frame, want, n);
    rtsp_open_check(a, 'C', want, wn, options);

    const char *reply = "RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n";
    wn = unhex("8000001c 00000001 f1734c68fca6356daf5717bc54c6f6a2 "
               "600872b43a271f6b4fc685cedf9a7cb84351077c0cc521456e1d06e9",
               want, sizeof(want));
    n = rtsp_seal(a, 1, 'H', reply, frame);
    assert_int_equal(n, wn);
    assert_memory_equal(frame, want, n);
    rtsp_open_check(a, 'H', want, wn, reply);

    /* The direction byte is part of the IV: the client's IV does not open the host's reply. */
    uint8_t plain[64];
    uint8_t iv[12] = {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'C', 'R'};
    assert_int_equal(pf_aead_open(a, iv, NULL, 0, want + 24, wn - 24, want + 8, plain),
                     PF_ERR_AUTH);
    pf_aead_destroy(a);
}

/* gamestream-protocol §5.2/§5.4: LE16 0x0001, LE16 4+16+n, LE32 seq, tag, ciphertext. */
static size_t control_frame(uint32_t seq, const uint8_t *tag, const uint8_t *ct, size_t n,
                            uint8_t *frame)
{
    frame[0] = 0x01;
    frame[1] = 0x00;
    frame[2] = (uint8_t)(4 + 16 + n);
    frame[3] = (uint8_t)((4 + 16 + n) >> 8);
    put_le32(frame + 4, seq);
    memcpy(frame + 8, tag, 16);
    memcpy(frame + 24, ct, n);
    return 24 + n;
}

static void check_control_v2(pf_aead *a, uint32_t seq, char origin, const char *pt_hex,
                             const char *want_hex)
{
    uint8_t pt[16], ct[16], tag[16], frame[64], want[64], back[16];
    size_t n = unhex(pt_hex, pt, sizeof(pt));
    size_t wn = unhex(want_hex, want, sizeof(want));
    uint8_t iv[12] = {0};
    put_le32(iv, seq);
    iv[10] = (uint8_t)origin;
    iv[11] = 'C';
    assert_int_equal(pf_aead_seal(a, iv, NULL, 0, pt, n, ct, tag), 0);
    assert_int_equal(control_frame(seq, tag, ct, n, frame), wn);
    assert_memory_equal(frame, want, wn);
    assert_int_equal(pf_aead_open(a, iv, NULL, 0, want + 24, n, want + 8, back), 0);
    assert_memory_equal(back, pt, n);
}

static void check_control_legacy(const uint8_t *key, uint32_t seq, const char *pt_hex,
                                 const char *want_hex)
{
    uint8_t pt[16], ct[16], tag[16], frame[64], want[64], back[16];
    size_t n = unhex(pt_hex, pt, sizeof(pt));
    size_t wn = unhex(want_hex, want, sizeof(want));
    uint8_t iv[PF_GCM_LEGACY_IV_BYTES] = {0};
    iv[0] = (uint8_t)seq;
    assert_int_equal(pf_aes128_gcm_seal_iv16(NULL, key, iv, NULL, 0, pt, n, ct, tag), 0);
    assert_int_equal(control_frame(seq, tag, ct, n, frame), wn);
    assert_memory_equal(frame, want, wn);
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, iv, NULL, 0, want + 24, n, want + 8,
                                             back),
                     0);
    assert_memory_equal(back, pt, n);
    /* In place, as a receiver decrypting inside its packet buffer would. */
    memcpy(back, want + 24, n);
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, iv, NULL, 0, back, n, want + 8, back),
                     0);
    assert_memory_equal(back, pt, n);
}

static void gamestream_control_vectors(void **state)
{
    (void)state;
    uint8_t key[16];
    seq_bytes(key, 16, 0);
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, &a), 0);
    check_control_v2(a, 5, 'C', "0002 0800 04 00 00 00 00 00 aa bb",
                     "0100200005000000 b9a2a37d47f75dccf35473d24dfc5b9e "
                     "a1fe544c73fb167819e12eaa");
    check_control_v2(a, 7, 'H', "0901 0400 80030023",
                     "01001c0007000000 a825d6bd20ccfe5ba7fbb60530900ef1 7f27937ed176265a");
    pf_aead_destroy(a);
    check_control_legacy(key, 5, "0002 0800 04 00 00 00 00 00 aa bb",
                         "0100200005000000 715792ea9955bd95cfc5ab2d2ec4cbd3 "
                         "fe2a748c66dd9cfaf503077e");
    check_control_legacy(key, 0, "0901 0400 80030023",
                         "01001c0000000000 a0aac3392f67a3ba15e9e3096999aa42 09177ff66bbdf454");
}

/* gamestream-protocol §8.3: RTP header, then AES-128-CBC/PKCS#7 with
 * IV = BE32(rikeyid + seq) || 0^12. */
static void gamestream_audio_vector(void **state)
{
    (void)state;
    uint8_t key[16], iv[16] = {0}, opus[20], pkt[64], want[64], back[32];
    seq_bytes(key, 16, 0);
    opus[0] = 0xfc;
    seq_bytes(opus + 1, 19, 0);
    const uint32_t rikeyid = 0x12345678u;
    const uint16_t seq = 0;
    put_be32(iv, rikeyid + seq);
    pkt[0] = 0x80;
    pkt[1] = 97;
    pkt[2] = (uint8_t)(seq >> 8);
    pkt[3] = (uint8_t)seq;
    put_be32(pkt + 4, 0);
    put_be32(pkt + 8, 0);
    size_t n = 0;
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, opus, sizeof(opus), pkt + 12,
                                                 sizeof(pkt) - 12, &n),
                     0);
    assert_int_equal(n, 32);
    size_t wn = unhex("80 61 0000 00000000 00000000 "
                      "d3188793b1de1a435796d345d978b835947cee8bc28a584a11f70795c6f4523c",
                      want, sizeof(want));
    assert_int_equal(12 + n, wn);
    assert_memory_equal(pkt, want, wn);
    size_t m = 0;
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, want + 12, 32, back,
                                                 sizeof(back), &m),
                     0);
    assert_int_equal(m, sizeof(opus));
    assert_memory_equal(back, opus, m);
}

/* native-protocol §7.3: BE64 seq || AEAD(header || shard) || tag; nonce = salt' || BE64(seq)
 * with the direction in the top bit of salt'[0]; AAD = BE64(seq). */
static void check_pkf1(uint32_t alg, size_t key_len, const char *want_hex)
{
    uint8_t key[32], salt[4] = {0xa1, 0xb2, 0xc3, 0xd4}, plain[56], dgram[96], want[96];
    seq_bytes(key, key_len, 0);
    size_t hn = unhex("f6e5d4c3b2a1f017 2a000000 02010000 b80b0000 10000000 0000 0100 0300 "
                      "0200 0000 8005 c9 01 01 05",
                      plain, sizeof(plain));
    assert_int_equal(hn, 40);
    seq_bytes(plain + 40, 16, 0);
    const uint64_t seq = 258;
    const unsigned dir = 0; /* host -> client */
    uint8_t nonce[12], want_nonce[12];
    nonce[0] = (uint8_t)((salt[0] & 0x7fu) | (dir << 7));
    memcpy(nonce + 1, salt + 1, 3);
    put_be64(nonce + 4, seq);
    unhex("21b2c3d40000000000000102", want_nonce, 12);
    assert_memory_equal(nonce, want_nonce, 12);

    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(NULL, alg, key, key_len, &a), 0);
    put_be64(dgram, seq);
    assert_int_equal(pf_aead_seal(a, nonce, dgram, 8, plain, sizeof(plain), dgram + 8,
                                  dgram + 8 + sizeof(plain)),
                     0);
    size_t wn = unhex(want_hex, want, sizeof(want));
    assert_int_equal(wn, 8 + sizeof(plain) + 16);
    assert_memory_equal(dgram, want, wn);

    /* The receiver opens in place inside the datagram. */
    assert_int_equal(pf_aead_open(a, nonce, want, 8, want + 8, sizeof(plain), want + 64,
                                  want + 8),
                     0);
    assert_memory_equal(want + 8, plain, sizeof(plain));
    pf_aead_destroy(a);
}

static void pkf1_datagram_vectors(void **state)
{
    (void)state;
    check_pkf1(PF_AEAD_AES128_GCM, 16,
               "0000000000000102 7cd45e2d977a7f8a39b8ee25c38aa7a22803c7ff904c6221db235a3450"
               "1237edccaa82ff46a32cd65bbca3f90281adf041aff9e23defca2909a69141b87dff8722f95c"
               "6241ca0c7f");
    check_pkf1(PF_AEAD_CHACHA20_POLY1305, 32,
               "0000000000000102 8b8bdf0534625df64d85234005a94b70e83632397c4911e271d596e345"
               "73adadad6d5f202c35315fe2a77689ae6bc512948c50bed3a525e45cc67c1df7d4a3af2999a1"
               "8407772670");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gamestream_pairing_vector),
        cmocka_unit_test(gamestream_rtsp_vectors),
        cmocka_unit_test(gamestream_control_vectors),
        cmocka_unit_test(gamestream_audio_vector),
        cmocka_unit_test(pkf1_datagram_vectors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
