/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The error contract of the crypto API: forgeries, bad padding, short buffers, wrong sizes,
 * NULL and overlapping arguments, and ops tables of the wrong version or missing a function.
 * Each gives its documented error and leaves outputs as documented, never a crash. */
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

static void tampering_fails_and_zeroes(void **state)
{
    (void)state;
    const uint32_t algs[] = {PF_AEAD_AES128_GCM, PF_AEAD_CHACHA20_POLY1305};
    uint8_t key[32], nonce[12], aad[8], pt[100], ct[100], tag[16], out[100];
    seq_bytes(key, 32, 3);
    seq_bytes(nonce, 12, 9);
    seq_bytes(aad, 8, 0x50);
    seq_bytes(pt, sizeof(pt), 0x61);
    for (size_t k = 0; k < 2; k++) {
        pf_aead *a = NULL;
        assert_int_equal(pf_aead_create(NULL, algs[k], key, k ? 32 : 16, &a), 0);
        assert_int_equal(pf_aead_seal(a, nonce, aad, 8, pt, sizeof(pt), ct, tag), 0);
        for (int what = 0; what < 4; what++) {
            uint8_t c2[100], t2[16], a2[8], n2[12];
            memcpy(c2, ct, sizeof(c2));
            memcpy(t2, tag, sizeof(t2));
            memcpy(a2, aad, sizeof(a2));
            memcpy(n2, nonce, sizeof(n2));
            switch (what) {
            case 0: t2[15] ^= 0x01; break;
            case 1: c2[42] ^= 0x80; break;
            case 2: a2[0] ^= 0x04; break;
            default: n2[11] ^= 0x01; break;
            }
            memset(out, 0xAA, sizeof(out));
            assert_int_equal(pf_aead_open(a, n2, a2, 8, c2, sizeof(c2), t2, out), PF_ERR_AUTH);
            assert_true(all_zero(out, sizeof(out)));
            /* In place the ciphertext is wiped too: no unauthenticated bytes survive. */
            assert_int_equal(pf_aead_open(a, n2, a2, 8, c2, sizeof(c2), t2, c2), PF_ERR_AUTH);
            assert_true(all_zero(c2, sizeof(c2)));
        }
        /* A truncated message fails too. */
        assert_int_equal(pf_aead_open(a, nonce, aad, 8, ct, sizeof(ct) - 1, tag, out),
                         PF_ERR_AUTH);
        pf_aead_destroy(a);
    }

    /* Legacy-IV GCM checks the tag before decrypting: out keeps its bytes. */
    uint8_t iv[16] = {7};
    assert_int_equal(pf_aes128_gcm_seal_iv16(NULL, key, iv, aad, 8, pt, sizeof(pt), ct, tag), 0);
    tag[0] ^= 1;
    memset(out, 0xAA, sizeof(out));
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, iv, aad, 8, ct, sizeof(ct), tag, out),
                     PF_ERR_AUTH);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xAA);
    tag[0] ^= 1;
    ct[0] ^= 1;
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, iv, aad, 8, ct, sizeof(ct), tag, out),
                     PF_ERR_AUTH);
    ct[0] ^= 1;
    aad[3] ^= 1;
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, iv, aad, 8, ct, sizeof(ct), tag, out),
                     PF_ERR_AUTH);
    aad[3] ^= 1;
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, iv, aad, 8, ct, sizeof(ct), tag, out), 0);
    assert_memory_equal(out, pt, sizeof(pt));
}

/* Encrypts one block whose plaintext is @p last, chained from @p iv, so the padding check
 * sees exactly those bytes. */
static void make_last_block(const uint8_t *key, const uint8_t *iv, const uint8_t *last,
                            uint8_t *ct)
{
    const pf_crypto_ops *ops = pf_crypto_ops_default();
    assert_int_equal(ops->aes128_cbc(ops->user_data, 1, key, iv, last, 16, ct), 0);
}

static void bad_pkcs7_padding_is_rejected(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], block[16], ct[16], out[32];
    seq_bytes(key, 16, 5);
    seq_bytes(iv, 16, 6);
    size_t n = 1234;
    const struct {
        uint8_t fill, last;
        int pos, val; /* one byte overridden, pos < 0 for none */
    } cases[] = {
        {0x00, 0x00, -1, 0}, /* pad 0 */
        {0x11, 0x11, -1, 0}, /* pad 17 */
        {0xff, 0xff, -1, 0}, /* pad 255 */
        {0x04, 0x04, 12, 5}, /* first pad byte wrong */
        {0x10, 0x10, 0, 0},  /* full-block pad with one wrong byte */
        {0x02, 0x02, 14, 3}, /* second-to-last wrong */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(block, cases[i].fill, 16);
        block[15] = cases[i].last;
        if (cases[i].pos >= 0)
            block[cases[i].pos] = (uint8_t)cases[i].val;
        make_last_block(key, iv, block, ct);
        memset(out, 0xAA, sizeof(out));
        assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 16, out, sizeof(out), &n),
                         PF_ERR_AUTH);
        assert_int_equal(n, 1234);
        for (size_t j = 0; j < sizeof(out); j++)
            assert_int_equal(out[j], 0xAA);
    }
    /* Valid edge cases decode: one byte of padding, and a block that is all padding. */
    memset(block, 0x10, 16);
    make_last_block(key, iv, block, ct);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 16, NULL, 0, &n), 0);
    assert_int_equal(n, 0);
    memset(block, 0x33, 16);
    block[15] = 0x01;
    make_last_block(key, iv, block, ct);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 16, out, 15, &n), 0);
    assert_int_equal(n, 15);
    assert_memory_equal(out, block, 15);

    /* Lengths that cannot be CBC. */
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 0, out, 32, &n),
                     PF_ERR_MALFORMED);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 15, out, 32, &n),
                     PF_ERR_MALFORMED);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, out, 17, out + 17, 8, &n),
                     PF_ERR_MALFORMED);
}

static void short_buffers_are_reported(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], pt[40], ct[48], out[48];
    seq_bytes(key, 16, 0);
    seq_bytes(iv, 16, 0);
    seq_bytes(pt, sizeof(pt), 0);
    size_t n = 777;
    memset(out, 0xAA, sizeof(out));
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, pt, 40, out, 47, &n),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 777);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xAA);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, pt, 32, out, 32, &n),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, pt, 40, ct, 48, &n), 0);
    assert_int_equal(n, 48);
    n = 777;
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 48, out, 39, &n),
                     PF_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 777);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xAA);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, 48, out, 40, &n), 0);
    assert_int_equal(n, 40);
    assert_memory_equal(out, pt, 40);
}

static void wrong_key_sizes_and_algorithms(void **state)
{
    (void)state;
    uint8_t key[33] = {0};
    pf_aead *a = (pf_aead *)(uintptr_t)0x1;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 32, &a),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 15, &a),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 0, &a),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_CHACHA20_POLY1305, key, 16, &a),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_CHACHA20_POLY1305, key, 33, &a),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, 2, key, 16, &a), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_aead_create(NULL, 0xffffffffu, key, 32, &a), PF_ERR_UNSUPPORTED);
    /* ret_aead is untouched on every failure. */
    assert_ptr_equal(a, (pf_aead *)(uintptr_t)0x1);
    /* The providers refuse wrong sizes themselves as well. */
    const pf_crypto_ops *ops = pf_crypto_ops_default();
    void *ctx = NULL;
    assert_int_equal(ops->aead_create(NULL, PF_AEAD_AES128_GCM, key, 32, &ctx),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(ops->aead_create(NULL, PF_AEAD_CHACHA20_POLY1305, key, 16, &ctx),
                     PF_ERR_INVALID_ARGUMENT);
    assert_null(ctx);
}

static void null_and_overlapping_arguments(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, nonce[12] = {0}, buf[64] = {0}, tag[16] = {0}, out[64];
    size_t n = 0;
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, NULL, 16, &a),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, &a), 0);

    assert_int_equal(pf_aead_seal(NULL, nonce, NULL, 0, buf, 16, out, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, NULL, NULL, 0, buf, 16, out, tag), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 4, buf, 16, out, tag), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, NULL, 16, out, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, buf, 16, NULL, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, buf, 16, out, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    /* Partial overlap of in and out, and a tag inside out. */
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, buf, 32, buf + 1, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, buf + 8, 32, buf, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, buf, 32, out, out + 16),
                     PF_ERR_INVALID_ARGUMENT);
    memset(out, 0xAA, sizeof(out));
    assert_int_equal(pf_aead_open(a, nonce, NULL, 0, buf, 32, tag, buf + 4),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_open(a, NULL, NULL, 0, buf, 32, tag, out), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aead_open(a, nonce, NULL, 0, buf, 32, NULL, out),
                     PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < sizeof(out); i++)
        assert_int_equal(out[i], 0xAA); /* argument errors leave out alone */
    /* Zero-length messages need no buffers. */
    assert_int_equal(pf_aead_seal(a, nonce, NULL, 0, NULL, 0, NULL, tag), 0);
    assert_int_equal(pf_aead_open(a, nonce, NULL, 0, NULL, 0, tag, NULL), 0);
    pf_aead_destroy(a);
    pf_aead_destroy(NULL);

    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, NULL, nonce, buf, 16, out, 64, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, NULL, buf, 16, out, 64, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, key, NULL, 16, out, 64, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, key, buf, 16, NULL, 64, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, key, buf, 16, out, 64, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, key, buf, 16, buf + 8, 40, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, key, NULL, 16, out, 64, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, key, buf, 16, NULL, 64, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, key, buf, 32, buf + 16, 32, &n),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_ecb_encrypt(NULL, NULL, buf, 16, out), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_ecb_encrypt(NULL, key, NULL, 16, out), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_ecb_decrypt(NULL, key, buf, 16, NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_ecb_encrypt(NULL, key, buf, 15, out), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_ecb_decrypt(NULL, key, buf, 32, buf + 8), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_sha256(NULL, NULL, 3, out), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_sha256(NULL, buf, 3, NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 5, buf, 5, NULL, 0, out, 32),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, NULL, 5, NULL, 0, out, 32),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, buf, 5, NULL, 5, out, 32),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, buf, 5, NULL, 0, NULL, 32),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_random_bytes(NULL, NULL, 4), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_random_bytes(NULL, NULL, 0), 0);
    assert_int_equal(pf_aes128_gcm_seal_iv16(NULL, NULL, buf, NULL, 0, buf, 4, out, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_gcm_seal_iv16(NULL, key, NULL, NULL, 0, buf, 4, out, tag),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_gcm_seal_iv16(NULL, key, buf, NULL, 0, buf, 4, out, NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, buf, NULL, 2, buf, 4, tag, out),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_aes128_gcm_open_iv16(NULL, key, buf, NULL, 0, buf, 8, tag, buf + 4),
                     PF_ERR_INVALID_ARGUMENT);
}

static void ops_version_is_checked(void **state)
{
    (void)state;
    uint8_t key[16] = {0}, out[32], iv[16] = {0}, tag[16];
    size_t n;
    pf_crypto_ops bad = *pf_crypto_ops_default();
    const uint32_t versions[] = {0, PF_CRYPTO_OPS_VERSION + 1, 0xffffffffu};
    for (size_t i = 0; i < 3; i++) {
        bad.version = versions[i];
        pf_aead *a = NULL;
        assert_int_equal(pf_aead_create(&bad, PF_AEAD_AES128_GCM, key, 16, &a),
                         PF_ERR_INVALID_ARGUMENT);
        assert_null(a);
        assert_int_equal(pf_sha256(&bad, key, 16, out), PF_ERR_INVALID_ARGUMENT);
        assert_int_equal(pf_aes128_ecb_encrypt(&bad, key, key, 16, out),
                         PF_ERR_INVALID_ARGUMENT);
        assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(&bad, key, iv, key, 16, out, 32, &n),
                         PF_ERR_INVALID_ARGUMENT);
        assert_int_equal(pf_hkdf_sha256(&bad, NULL, 0, key, 16, NULL, 0, out, 32),
                         PF_ERR_INVALID_ARGUMENT);
        assert_int_equal(pf_random_bytes(&bad, out, 8), PF_ERR_INVALID_ARGUMENT);
        assert_int_equal(pf_aes128_gcm_seal_iv16(&bad, key, iv, NULL, 0, key, 16, out, tag),
                         PF_ERR_INVALID_ARGUMENT);
    }
    /* A table without a primitive says so instead of crashing. */
    pf_crypto_ops partial = *pf_crypto_ops_default();
    partial.sha256 = NULL;
    partial.aes128_ecb = NULL;
    partial.aead_create = NULL;
    partial.random = NULL;
    partial.hkdf_sha256 = NULL;
    partial.aes128_cbc = NULL;
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(&partial, PF_AEAD_AES128_GCM, key, 16, &a),
                     PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_sha256(&partial, key, 16, out), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_aes128_ecb_decrypt(&partial, key, key, 16, out), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_aes128_gcm_open_iv16(&partial, key, iv, NULL, 0, key, 16, tag, out),
                     PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(&partial, key, iv, key, 16, out, 32, &n),
                     PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_hkdf_sha256(&partial, NULL, 0, key, 16, NULL, 0, out, 32),
                     PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_random_bytes(&partial, out, 8), PF_ERR_UNSUPPORTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tampering_fails_and_zeroes),
        cmocka_unit_test(bad_pkcs7_padding_is_rejected),
        cmocka_unit_test(short_buffers_are_reported),
        cmocka_unit_test(wrong_key_sizes_and_algorithms),
        cmocka_unit_test(null_and_overlapping_arguments),
        cmocka_unit_test(ops_version_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
