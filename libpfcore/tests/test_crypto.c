/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Known answers for every primitive (NIST, RFC, FIPS) and ops-table dispatch. The error
 * contract is in test_crypto_errors.c, the protocol framings built on the primitives in
 * test_crypto_wire.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"

#include "crypto_internal.h"
#include "crypto_test_util.h"

/* ---- AEAD known answers ------------------------------------------------------------------ */

struct aead_vector {
    const char *name, *key, *nonce, *aad, *pt, *ct, *tag;
};

/* NIST GCM spec (McGrew/Viega, the SP 800-38D test cases) 1-4: empty, one zero block, and the
 * 64- and 60-byte messages without and with AAD. */
static const struct aead_vector gcm_vectors[] = {
    {"gcm tc1", "00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"gcm tc2", "00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"gcm tc3", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"gcm tc4", "feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
};

/* RFC 8439 §2.8.2. */
static const struct aead_vector chacha_vector = {
    "rfc8439 2.8.2",
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    "070000004041424344454647",
    "50515253c0c1c2c3c4c5c6c7",
    "4c616469657320616e642047656e746c656d656e206f662074686520636c6173"
    "73206f66202739393a204966204920636f756c64206f6666657220796f75206f"
    "6e6c79206f6e652074697020666f7220746865206675747572652c2073756e73"
    "637265656e20776f756c642062652069742e",
    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
    "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
    "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
    "3ff4def08e4b7a9de576d26586cec64b6116",
    "1ae10b594f09e26a7e902ecbd0600691"};

struct vec_bytes {
    uint8_t key[32], nonce[64], aad[64], pt[128], ct[128], tag[16];
    size_t key_len, nonce_len, aad_len, pt_len, ct_len, tag_len;
};

static void load_vector(const struct aead_vector *v, struct vec_bytes *b)
{
    b->key_len = unhex(v->key, b->key, sizeof(b->key));
    b->nonce_len = unhex(v->nonce, b->nonce, sizeof(b->nonce));
    b->aad_len = unhex(v->aad, b->aad, sizeof(b->aad));
    b->pt_len = unhex(v->pt, b->pt, sizeof(b->pt));
    b->ct_len = unhex(v->ct, b->ct, sizeof(b->ct));
    b->tag_len = unhex(v->tag, b->tag, sizeof(b->tag));
    assert_int_equal(b->pt_len, b->ct_len);
    assert_int_equal(b->tag_len, PF_AEAD_TAG_BYTES);
}

/* Seals out of place and in place, opens both ways, and checks every byte. */
static void check_aead_vector(const pf_crypto_ops *ops, uint32_t alg, const struct aead_vector *v)
{
    struct vec_bytes b;
    load_vector(v, &b);
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(ops, alg, b.key, b.key_len, &a), 0);
    assert_non_null(a);
    const uint8_t *aad = b.aad_len ? b.aad : NULL;

    uint8_t out[128], tag[16], buf[128];
    memset(out, 0xEE, sizeof(out));
    assert_int_equal(pf_aead_seal(a, b.nonce, aad, b.aad_len, b.pt, b.pt_len, out, tag), 0);
    assert_memory_equal(out, b.ct, b.pt_len);
    assert_memory_equal(tag, b.tag, 16);
    assert_int_equal(out[b.pt_len], 0xEE); /* nothing written past len */

    memcpy(buf, b.pt, b.pt_len);
    assert_int_equal(pf_aead_seal(a, b.nonce, aad, b.aad_len, buf, b.pt_len, buf, tag), 0);
    assert_memory_equal(buf, b.ct, b.pt_len);
    assert_memory_equal(tag, b.tag, 16);

    assert_int_equal(pf_aead_open(a, b.nonce, aad, b.aad_len, b.ct, b.ct_len, b.tag, out), 0);
    assert_memory_equal(out, b.pt, b.pt_len);
    assert_int_equal(pf_aead_open(a, b.nonce, aad, b.aad_len, buf, b.ct_len, b.tag, buf), 0);
    assert_memory_equal(buf, b.pt, b.pt_len);
    pf_aead_destroy(a);
}

static void aes_gcm_nist_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(gcm_vectors) / sizeof(gcm_vectors[0]); i++)
        check_aead_vector(NULL, PF_AEAD_AES128_GCM, &gcm_vectors[i]);
}

static void chacha20_poly1305_rfc8439(void **state)
{
    (void)state;
    check_aead_vector(NULL, PF_AEAD_CHACHA20_POLY1305, &chacha_vector);
}

/* The portable GCM behind the legacy-IV calls, checked against the same NIST answers, and
 * against test case 6 whose 60-byte IV exercises the GHASH-derived counter block. */
static void soft_gcm_nist_vectors(void **state)
{
    (void)state;
    static const struct aead_vector tc6 = {
        "gcm tc6", "feffe9928665731c6d6a8f9467308308",
        "9313225df88406e555909c5aff5269aa6a7a9538534f7da1e4c303d2a318a728"
        "c3c0c95156809539fcf0e2429a6b525416aedbf5a0de6a57a637b39b",
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
        "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "8ce24998625615b603a033aca13fb894be9112a5c3a211a8ba262a3cca7e2ca7"
        "01e4a9a4fba43c90ccdcb281d48c7c6fd62875d2aca417034c34aee5",
        "619cc5aefffe0bfa462af43c1699d050"};
    const pf_crypto_ops *ops = pf_crypto_ops_default();
    const struct aead_vector *all[] = {&gcm_vectors[0], &gcm_vectors[1], &gcm_vectors[2],
                                       &gcm_vectors[3], &tc6};
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        struct vec_bytes b;
        load_vector(all[i], &b);
        uint8_t out[128], tag[16];
        assert_int_equal(pfi_gcm_soft_seal(ops, b.key, b.nonce, b.nonce_len, b.aad, b.aad_len,
                                           b.pt, b.pt_len, out, tag),
                         0);
        assert_memory_equal(out, b.ct, b.ct_len);
        assert_memory_equal(tag, b.tag, 16);
        memset(out, 0, sizeof(out));
        assert_int_equal(pfi_gcm_soft_open(ops, b.key, b.nonce, b.nonce_len, b.aad, b.aad_len,
                                           b.ct, b.ct_len, b.tag, out),
                         0);
        assert_memory_equal(out, b.pt, b.pt_len);
    }
}

/* Buffer layouts the default provider treats differently: tag apart (one-shot into scratch up
 * to a jumbo datagram, scatter call beyond), tag right after the ciphertext (one-shot in the
 * caller's buffer), each in and out of place. All must agree with an independent GCM. */
enum layout { APART, APART_IN_PLACE, TAG_AFTER, TAG_AFTER_IN_PLACE, LAYOUTS };

static void aes_gcm_all_paths_match_reference(void **state)
{
    (void)state;
    static const size_t lens[] = {0, 1, 15, 16, 17, 1400, 1408, 9215, 9216, 9217, 20000};
    const size_t max = 20000 + 16;
    uint8_t key[16], nonce[12], aad[13];
    seq_bytes(key, sizeof(key), 0x40);
    seq_bytes(nonce, sizeof(nonce), 0x90);
    seq_bytes(aad, sizeof(aad), 0x11);
    uint8_t *pt = malloc(max), *ref = malloc(max), *src = malloc(max), *dst = malloc(max);
    assert_true(pt && ref && src && dst);
    for (size_t i = 0; i < max; i++)
        pt[i] = (uint8_t)(i * 7 + 3);
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(NULL, PF_AEAD_AES128_GCM, key, 16, &a), 0);
    for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
        size_t len = lens[k];
        uint8_t ref_tag[16], apart_tag[16];
        assert_int_equal(pfi_gcm_soft_seal(pf_crypto_ops_default(), key, nonce, 12, aad,
                                           sizeof(aad), pt, len, ref, ref_tag),
                         0);
        for (int l = 0; l < LAYOUTS; l++) {
            int in_place = l == APART_IN_PLACE || l == TAG_AFTER_IN_PLACE;
            int after = l == TAG_AFTER || l == TAG_AFTER_IN_PLACE;
            uint8_t *out = in_place ? src : dst;
            uint8_t *tag = after ? out + len : apart_tag;
            memcpy(src, pt, len);
            memset(dst, 0, max);
            assert_int_equal(pf_aead_seal(a, nonce, aad, sizeof(aad), src, len, out, tag), 0);
            assert_memory_equal(out, ref, len);
            assert_memory_equal(tag, ref_tag, 16);

            memcpy(src, ref, len);
            memcpy(after ? src + len : apart_tag, ref_tag, 16);
            tag = after ? src + len : apart_tag;
            assert_int_equal(pf_aead_open(a, nonce, aad, sizeof(aad), src, len, tag, out), 0);
            assert_memory_equal(out, pt, len);
            /* Forgeries fail on every path. */
            memcpy(src, ref, len);
            tag[len % 16] ^= 0x20;
            int r = pf_aead_open(a, nonce, aad, sizeof(aad), src, len, tag, out);
            assert_int_equal(r, PF_ERR_AUTH);
            assert_true(all_zero(out, len));
        }
    }
    pf_aead_destroy(a);
    free(pt);
    free(ref);
    free(src);
    free(dst);
}

/* ---- Block modes, hash, KDF -------------------------------------------------------------- */

static const char sp800_38a_key[] = "2b7e151628aed2a6abf7158809cf4f3c";
static const char sp800_38a_pt[] = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51"
                                   "30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";

static void aes128_ecb_sp800_38a(void **state)
{
    (void)state;
    uint8_t key[16], pt[64], ct[64], out[64];
    unhex(sp800_38a_key, key, sizeof(key));
    unhex(sp800_38a_pt, pt, sizeof(pt));
    unhex("3ad77bb40d7a3660a89ecaf32466ef97 f5d3d58503b9699de785895a96fdbaaf"
          "43b1cd7f598ece23881b00e3ed030688 7b0c785e27e8ad3f8223207104725dd4",
          ct, sizeof(ct));
    assert_int_equal(pf_aes128_ecb_encrypt(NULL, key, pt, 64, out), 0);
    assert_memory_equal(out, ct, 64);
    assert_int_equal(pf_aes128_ecb_decrypt(NULL, key, out, 64, out), 0);
    assert_memory_equal(out, pt, 64);
    assert_int_equal(pf_aes128_ecb_encrypt(NULL, key, NULL, 0, NULL), 0);
}

static void aes128_cbc_sp800_38a(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], pt[64], ct[64], out[80], back[80];
    unhex(sp800_38a_key, key, sizeof(key));
    unhex(sp800_38a_pt, pt, sizeof(pt));
    seq_bytes(iv, 16, 0);
    unhex("7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2"
          "73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
          ct, sizeof(ct));
    /* The raw provider call (no padding) gives SP 800-38A's answer exactly. */
    const pf_crypto_ops *ops = pf_crypto_ops_default();
    assert_int_equal(ops->aes128_cbc(ops->user_data, 1, key, iv, pt, 64, out), 0);
    assert_memory_equal(out, ct, 64);
    assert_int_equal(ops->aes128_cbc(ops->user_data, 0, key, iv, out, 64, out), 0);
    assert_memory_equal(out, pt, 64);

    /* PKCS#7 on an aligned message: the same four blocks plus a full block of 0x10. */
    size_t n = 0;
    assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, pt, 64, out, sizeof(out), &n), 0);
    assert_int_equal(n, 80);
    assert_memory_equal(out, ct, 64);
    uint8_t pad[16];
    assert_int_equal(ops->aes128_cbc(ops->user_data, 0, key, ct + 48, out + 64, 16, pad), 0);
    for (int i = 0; i < 16; i++)
        assert_int_equal(pad[i], 0x10);
    size_t m = 0;
    assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, out, n, back, sizeof(back), &m),
                     0);
    assert_int_equal(m, 64);
    assert_memory_equal(back, pt, 64);
}

static void aes128_cbc_pkcs7_round_trips(void **state)
{
    (void)state;
    uint8_t key[16], iv[16], pt[64], ct[80], buf[80], back[80];
    seq_bytes(key, 16, 1);
    seq_bytes(iv, 16, 0x77);
    seq_bytes(pt, sizeof(pt), 0x30);
    for (size_t len = 0; len <= 48; len++) {
        size_t n = 0, m = 0, want = (len / 16 + 1) * 16;
        assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, pt, len, ct, want, &n), 0);
        assert_int_equal(n, want);
        memcpy(buf, pt, len);
        assert_int_equal(pf_aes128_cbc_encrypt_pkcs7(NULL, key, iv, buf, len, buf, want, &n), 0);
        assert_memory_equal(buf, ct, n);
        /* The output buffer needs room for the plaintext only. */
        assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, ct, n, back, len, &m), 0);
        assert_int_equal(m, len);
        assert_memory_equal(back, pt, len);
        assert_int_equal(pf_aes128_cbc_decrypt_pkcs7(NULL, key, iv, buf, n, buf, n, &m), 0);
        assert_int_equal(m, len);
        assert_memory_equal(buf, pt, len);
    }
}

static void sha256_fips180_2(void **state)
{
    (void)state;
    uint8_t out[32], want[32];
    assert_int_equal(pf_sha256(NULL, (const uint8_t *)"abc", 3, out), 0);
    unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want, 32);
    assert_memory_equal(out, want, 32);
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    assert_int_equal(strlen(m448) * 8, 448);
    assert_int_equal(pf_sha256(NULL, (const uint8_t *)m448, strlen(m448), out), 0);
    unhex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", want, 32);
    assert_memory_equal(out, want, 32);
    assert_int_equal(pf_sha256(NULL, NULL, 0, out), 0);
    unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want, 32);
    assert_memory_equal(out, want, 32);
}

static void hkdf_rfc5869(void **state)
{
    (void)state;
    uint8_t ikm[80], salt[80], info[80], out[82], want[82];
    size_t n;

    /* Case 1: basic. */
    memset(ikm, 0x0b, 22);
    seq_bytes(salt, 13, 0x00);
    seq_bytes(info, 10, 0xf0);
    n = unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
              "34007208d5b887185865",
              want, sizeof(want));
    assert_int_equal(pf_hkdf_sha256(NULL, salt, 13, ikm, 22, info, 10, out, n), 0);
    assert_memory_equal(out, want, n);

    /* Case 2: 80-byte inputs, 82-byte output (three HMAC blocks). */
    seq_bytes(ikm, 80, 0x00);
    seq_bytes(salt, 80, 0x60);
    seq_bytes(info, 80, 0xb0);
    n = unhex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
              "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
              "cc30c58179ec3e87c14c01d5c1f3434f1d87",
              want, sizeof(want));
    assert_int_equal(n, 82);
    assert_int_equal(pf_hkdf_sha256(NULL, salt, 80, ikm, 80, info, 80, out, n), 0);
    assert_memory_equal(out, want, n);

    /* Case 3: no salt, no info. */
    memset(ikm, 0x0b, 22);
    n = unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
              "9d201395faa4b61a96c8",
              want, sizeof(want));
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, ikm, 22, NULL, 0, out, n), 0);
    assert_memory_equal(out, want, n);

    /* A prefix of a longer output is the shorter output (expand is a stream). */
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, ikm, 22, NULL, 0, out, 5), 0);
    assert_memory_equal(out, want, 5);
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, ikm, 22, NULL, 0, out, 0),
                     PF_ERR_INVALID_ARGUMENT);
    uint8_t big[1];
    assert_int_equal(pf_hkdf_sha256(NULL, NULL, 0, ikm, 22, NULL, 0, big, 255 * 32 + 1),
                     PF_ERR_INVALID_ARGUMENT);
}

/* ---- Custom provider --------------------------------------------------------------------- */

struct counting {
    const pf_crypto_ops *inner;
    int create, destroy, seal, open, ecb, sha;
    int forge_open; /* open writes garbage and fails, like a provider that decrypts first */
};

static int cnt_create(void *ud, uint32_t alg, const uint8_t *key, size_t key_len, void **ret)
{
    struct counting *c = ud;
    c->create++;
    return c->inner->aead_create(c->inner->user_data, alg, key, key_len, ret);
}

static void cnt_destroy(void *ud, void *ctx)
{
    struct counting *c = ud;
    c->destroy++;
    c->inner->aead_destroy(c->inner->user_data, ctx);
}

static int cnt_seal(void *ud, void *ctx, const uint8_t *nonce, const uint8_t *aad,
                    size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    struct counting *c = ud;
    c->seal++;
    return c->inner->aead_seal(c->inner->user_data, ctx, nonce, aad, aad_len, in, len, out, tag);
}

static int cnt_open(void *ud, void *ctx, const uint8_t *nonce, const uint8_t *aad,
                    size_t aad_len, const uint8_t *in, size_t len, const uint8_t *tag,
                    uint8_t *out)
{
    struct counting *c = ud;
    c->open++;
    if (c->forge_open) {
        memset(out, 0x5A, len);
        return PF_ERR_AUTH;
    }
    return c->inner->aead_open(c->inner->user_data, ctx, nonce, aad, aad_len, in, len, tag, out);
}

static int cnt_ecb(void *ud, int encrypt, const uint8_t *key, const uint8_t *in, size_t len,
                   uint8_t *out)
{
    struct counting *c = ud;
    c->ecb++;
    return c->inner->aes128_ecb(c->inner->user_data, encrypt, key, in, len, out);
}

static int cnt_sha(void *ud, const uint8_t *data, size_t len, uint8_t *out)
{
    struct counting *c = ud;
    c->sha++;
    return c->inner->sha256(c->inner->user_data, data, len, out);
}

static void custom_ops_are_used(void **state)
{
    (void)state;
    struct counting cnt = {.inner = pf_crypto_ops_default()};
    pf_crypto_ops ops = *pf_crypto_ops_default();
    ops.user_data = &cnt;
    ops.aead_create = cnt_create;
    ops.aead_destroy = cnt_destroy;
    ops.aead_seal = cnt_seal;
    ops.aead_open = cnt_open;
    ops.aes128_ecb = cnt_ecb;
    ops.sha256 = cnt_sha;

    struct vec_bytes b;
    load_vector(&gcm_vectors[3], &b);
    check_aead_vector(&ops, PF_AEAD_AES128_GCM, &gcm_vectors[3]);
    assert_int_equal(cnt.create, 1);
    assert_int_equal(cnt.destroy, 1);
    assert_int_equal(cnt.seal, 2);
    assert_int_equal(cnt.open, 2);
    check_aead_vector(&ops, PF_AEAD_CHACHA20_POLY1305, &chacha_vector);
    assert_int_equal(cnt.create, 2);
    assert_int_equal(cnt.seal, 4);

    /* Whatever a failing provider wrote is wiped by the wrapper. */
    pf_aead *a = NULL;
    assert_int_equal(pf_aead_create(&ops, PF_AEAD_AES128_GCM, b.key, 16, &a), 0);
    cnt.forge_open = 1;
    uint8_t out[64];
    assert_int_equal(pf_aead_open(a, b.nonce, b.aad, b.aad_len, b.ct, b.ct_len, b.tag, out),
                     PF_ERR_AUTH);
    assert_true(all_zero(out, b.ct_len));
    pf_aead_destroy(a);
    assert_int_equal(cnt.destroy, 3);

    /* The legacy-IV GCM and the hash go through the table too. */
    uint8_t key[16] = {0}, iv[16] = {0}, tag[16], h[32];
    assert_int_equal(pf_aes128_gcm_seal_iv16(&ops, key, iv, NULL, 0, b.pt, 40, out, tag), 0);
    assert_true(cnt.ecb >= 3); /* hash key, J0 keystream, tag mask */
    assert_int_equal(pf_sha256(&ops, (const uint8_t *)"abc", 3, h), 0);
    assert_int_equal(cnt.sha, 1);
}

static void random_bytes_look_random(void **state)
{
    (void)state;
    uint8_t a[32] = {0}, b[32] = {0};
    assert_int_equal(pf_random_bytes(NULL, a, sizeof(a)), 0);
    assert_int_equal(pf_random_bytes(NULL, b, sizeof(b)), 0);
    assert_false(all_zero(a, sizeof(a)));
    assert_memory_not_equal(a, b, sizeof(a));
}

static void memeq_consttime_compares(void **state)
{
    (void)state;
    uint8_t a[40], b[40];
    seq_bytes(a, sizeof(a), 1);
    memcpy(b, a, sizeof(b));
    assert_int_equal(pf_memeq_consttime(a, b, sizeof(a)), 1);
    for (size_t i = 0; i < sizeof(a); i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1u << bit);
            assert_int_equal(pf_memeq_consttime(a, b, sizeof(a)), 0);
            b[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_int_equal(pf_memeq_consttime(NULL, NULL, 0), 1);
    assert_int_equal(pf_memeq_consttime(a, NULL, 1), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(aes_gcm_nist_vectors),
        cmocka_unit_test(chacha20_poly1305_rfc8439),
        cmocka_unit_test(soft_gcm_nist_vectors),
        cmocka_unit_test(aes_gcm_all_paths_match_reference),
        cmocka_unit_test(aes128_ecb_sp800_38a),
        cmocka_unit_test(aes128_cbc_sp800_38a),
        cmocka_unit_test(aes128_cbc_pkcs7_round_trips),
        cmocka_unit_test(sha256_fips180_2),
        cmocka_unit_test(hkdf_rfc5869),
        cmocka_unit_test(custom_ops_are_used),
        cmocka_unit_test(random_bytes_look_random),
        cmocka_unit_test(memeq_consttime_compares),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
