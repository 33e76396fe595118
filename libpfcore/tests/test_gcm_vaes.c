/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The VAES/VPCLMULQDQ AES-128-GCM kernels (256- and 512-bit) against known answers and,
 * byte for byte, against the GnuTLS path of the same built-in ops: every length 0..300 and a
 * spread to 5000, AAD 0..64, in and out of place, buffers at every offset modulo 64, and
 * forgeries. Each kernel's tests are skipped where the CPU cannot run it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"

#include "cpu.h"
#include "crypto_internal.h"
#include "crypto_test_util.h"

#define MAX_LEN 5000u
#define MAX_AAD 64u

/* Seeded, so a failing case can be replayed; the seed is printed with each failure. */
static uint64_t next_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static void fill_rand(uint64_t *s, uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(next_rand(s) >> 32);
}

/* Which kernel a test runs: its table and whether this CPU can run it. */
struct impl {
    uint32_t id;
    int (*runs_here)(void);
};

static const struct impl impl_vaes = {PFI_GCM_IMPL_VAES, pfi_cpu_has_vaes_gcm};
static const struct impl impl_vaes512 = {PFI_GCM_IMPL_VAES512, pfi_cpu_has_vaes512_gcm};

static const pf_crypto_ops *vaes_ops_or_skip(void **state)
{
    const struct impl *im = *state;
    if (!im->runs_here())
        skip();
    return pfi_crypto_ops_gcm_impl(im->id);
}

static void vaes_table_follows_cpu(void **state)
{
    (void)state;
    static const uint8_t key[16] = {1};
    pf_aead *a = NULL;
    int r = pf_aead_create(pfi_crypto_ops_gcm_impl(PFI_GCM_IMPL_VAES), PF_AEAD_AES128_GCM, key,
                           sizeof(key), &a);
    assert_int_equal(r, pfi_cpu_has_vaes_gcm() ? 0 : PF_ERR_UNSUPPORTED);
    pf_aead_destroy(a);
    a = NULL;
    r = pf_aead_create(pfi_crypto_ops_gcm_impl(PFI_GCM_IMPL_VAES512), PF_AEAD_AES128_GCM, key,
                       sizeof(key), &a);
    assert_int_equal(r, pfi_cpu_has_vaes512_gcm() ? 0 : PF_ERR_UNSUPPORTED);
    pf_aead_destroy(a);
    /* The wide kernel needs everything the 256-bit one does. */
    assert_true(!pfi_cpu_has_vaes512_gcm() || pfi_cpu_has_vaes_gcm());
    assert_null(pfi_crypto_ops_gcm_impl(4));
    assert_ptr_equal(pfi_crypto_ops_gcm_impl(PFI_GCM_IMPL_AUTO), pf_crypto_ops_default());
    /* ChaCha20-Poly1305 is untouched by the GCM choice. */
    uint8_t ckey[32] = {2};
    a = NULL;
    assert_int_equal(pf_aead_create(pfi_crypto_ops_gcm_impl(PFI_GCM_IMPL_VAES),
                                    PF_AEAD_CHACHA20_POLY1305, ckey, sizeof(ckey), &a),
                     0);
    pf_aead_destroy(a);
}

struct kat {
    const char *key, *nonce, *aad, *pt, *ct, *tag;
};

/* The GCM specification's test cases 1-4 (SP 800-38D set), as in test_crypto.c, pinned to
 * the VAES table rather than whatever the default picks. */
static const struct kat kats[] = {
    {"00000000000000000000000000000000", "000000000000000000000000", "", "", "",
     "58e2fccefa7e3061367f1d57a4e7455a"},
    {"00000000000000000000000000000000", "000000000000000000000000", "",
     "00000000000000000000000000000000", "0388dace60b6a392f328c2b971b2fe78",
     "ab6e47d42cec13bdf53a67b21257bddf"},
    {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091473f5985",
     "4d5c2af327cd64a62cf35abd2ba6fab4"},
    {"feffe9928665731c6d6a8f9467308308", "cafebabefacedbaddecaf888",
     "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
     "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
     "5bc94fbc3221a5db94fae95ae7121a47"},
};

static void vaes_known_answers(void **state)
{
    const pf_crypto_ops *ops = vaes_ops_or_skip(state);
    for (size_t i = 0; i < sizeof(kats) / sizeof(kats[0]); i++) {
        uint8_t key[16], nonce[12], aad[64], pt[64], ct[64], tag[16], out[64], got[16];
        assert_int_equal(unhex(kats[i].key, key, sizeof(key)), 16);
        assert_int_equal(unhex(kats[i].nonce, nonce, sizeof(nonce)), 12);
        size_t aad_len = unhex(kats[i].aad, aad, sizeof(aad));
        size_t len = unhex(kats[i].pt, pt, sizeof(pt));
        assert_int_equal(unhex(kats[i].ct, ct, sizeof(ct)), len);
        assert_int_equal(unhex(kats[i].tag, tag, sizeof(tag)), 16);
        pf_aead *a = NULL;
        assert_int_equal(pf_aead_create(ops, PF_AEAD_AES128_GCM, key, 16, &a), 0);
        assert_int_equal(pf_aead_seal(a, nonce, aad, aad_len, pt, len, out, got), 0);
        assert_memory_equal(out, ct, len);
        assert_memory_equal(got, tag, 16);
        assert_int_equal(pf_aead_open(a, nonce, aad, aad_len, ct, len, tag, out), 0);
        assert_memory_equal(out, pt, len);
        pf_aead_destroy(a);
    }
}

struct bufs {
    uint8_t *pt, *ref, *buf, *out;
};

/* Each buffer moved to its own offset 0..63 from a 64-byte boundary: the kernels' loads
 * and stores (full and masked) must not care. */
static struct bufs shifted(const struct bufs *b, uint64_t *rng)
{
    struct bufs s = *b;
    s.pt += next_rand(rng) % 64;
    s.ref += next_rand(rng) % 64;
    s.buf += next_rand(rng) % 64;
    s.out += next_rand(rng) % 64;
    return s;
}

/* The kernel under test and the GnuTLS reference, both under @key. */
static void create_pair(const pf_crypto_ops *ops, const uint8_t key[16], pf_aead **ret_vaes,
                        pf_aead **ret_gnutls)
{
    assert_int_equal(pf_aead_create(ops, PF_AEAD_AES128_GCM, key, 16, ret_vaes), 0);
    assert_int_equal(pf_aead_create(pfi_crypto_ops_gcm_impl(PFI_GCM_IMPL_GNUTLS),
                                    PF_AEAD_AES128_GCM, key, 16, ret_gnutls),
                     0);
}

/* Four 64-byte aligned buffers of @len bytes and room for check_case's shifts. */
static struct bufs bufs_alloc(size_t len)
{
    /* aligned_alloc wants a size that is a multiple of the alignment. */
    const size_t cap = (len + 128 + 63) & ~(size_t)63;
    struct bufs b = {aligned_alloc(64, cap), aligned_alloc(64, cap), aligned_alloc(64, cap),
                     aligned_alloc(64, cap)};
    assert_true(b.pt && b.ref && b.buf && b.out);
    return b;
}

static void bufs_free(struct bufs *b)
{
    free(b->pt);
    free(b->ref);
    free(b->buf);
    free(b->out);
}

/* One case: GnuTLS seals the reference; VAES must match it out of place and in place, open
 * it both ways, and refuse a flipped bit in the tag, the ciphertext or the AAD with
 * PF_ERR_AUTH and a zeroed output. */
static void check_case(pf_aead *vaes, pf_aead *gnutls, uint64_t *rng, size_t len,
                       size_t aad_len, const struct bufs *aligned)
{
    const struct bufs sb = shifted(aligned, rng);
    const struct bufs *b = &sb;
    uint8_t nonce[12], aad[MAX_AAD + 1], ref_tag[16], tag[16];
    fill_rand(rng, nonce, sizeof(nonce));
    fill_rand(rng, aad, aad_len);
    fill_rand(rng, b->pt, len);
    const uint8_t *ad = aad_len ? aad : NULL;

    assert_int_equal(pf_aead_seal(gnutls, nonce, ad, aad_len, b->pt, len, b->ref, ref_tag), 0);

    memset(b->out, 0xA5, len + 1);
    assert_int_equal(pf_aead_seal(vaes, nonce, ad, aad_len, b->pt, len, b->out, tag), 0);
    assert_memory_equal(b->out, b->ref, len);
    assert_memory_equal(tag, ref_tag, 16);
    assert_int_equal(b->out[len], 0xA5);

    memcpy(b->buf, b->pt, len);
    assert_int_equal(pf_aead_seal(vaes, nonce, ad, aad_len, b->buf, len, b->buf, tag), 0);
    assert_memory_equal(b->buf, b->ref, len);
    assert_memory_equal(tag, ref_tag, 16);

    memset(b->out, 0xA5, len + 1);
    assert_int_equal(pf_aead_open(vaes, nonce, ad, aad_len, b->ref, len, ref_tag, b->out), 0);
    assert_memory_equal(b->out, b->pt, len);
    assert_int_equal(b->out[len], 0xA5);
    assert_int_equal(pf_aead_open(vaes, nonce, ad, aad_len, b->buf, len, ref_tag, b->buf), 0);
    assert_memory_equal(b->buf, b->pt, len);

    /* Forgeries: which bit is flipped comes from the generator. */
    size_t bit = (size_t)(next_rand(rng) % 128);
    memcpy(tag, ref_tag, 16);
    tag[bit / 8] ^= (uint8_t)(1u << bit % 8);
    memset(b->out, 0xA5, len);
    assert_int_equal(pf_aead_open(vaes, nonce, ad, aad_len, b->ref, len, tag, b->out),
                     PF_ERR_AUTH);
    assert_true(all_zero(b->out, len));
    if (len) {
        memcpy(b->buf, b->ref, len);
        size_t at = (size_t)(next_rand(rng) % len);
        b->buf[at] ^= (uint8_t)(1u << next_rand(rng) % 8);
        assert_int_equal(pf_aead_open(vaes, nonce, ad, aad_len, b->buf, len, ref_tag, b->buf),
                         PF_ERR_AUTH);
        assert_true(all_zero(b->buf, len));
    }
    if (aad_len) {
        aad[next_rand(rng) % aad_len] ^= 0x80;
        memset(b->out, 0xA5, len);
        assert_int_equal(pf_aead_open(vaes, nonce, aad, aad_len, b->ref, len, ref_tag, b->out),
                         PF_ERR_AUTH);
        assert_true(all_zero(b->out, len));
    }
}

/* Replaces both contexts of a pair with new ones under a fresh random key. */
static void rekey_pair(const pf_crypto_ops *ops, uint64_t *rng, pf_aead **vaes,
                       pf_aead **gnutls)
{
    uint8_t key[16];
    fill_rand(rng, key, sizeof(key));
    pf_aead_destroy(*vaes);
    pf_aead_destroy(*gnutls);
    *vaes = *gnutls = NULL;
    create_pair(ops, key, vaes, gnutls);
}

static void vaes_matches_gnutls(void **state)
{
    const pf_crypto_ops *ops = vaes_ops_or_skip(state);
    struct bufs b = bufs_alloc(MAX_LEN);
    uint64_t rng = 0x9e3779b97f4a7c15ull;
    pf_aead *vaes = NULL, *gnutls = NULL;
    size_t len = 0;
    while (len <= MAX_LEN) {
        /* A fresh random key every few lengths, so the H powers vary too. */
        if (len % 7 == 0 || !vaes)
            rekey_pair(ops, &rng, &vaes, &gnutls);
        size_t aad_len = len <= MAX_AAD ? len : (size_t)(next_rand(&rng) % (MAX_AAD + 1));
        check_case(vaes, gnutls, &rng, len, aad_len, &b);
        /* punktfunk/1 (8-byte AAD) and GameStream (none) at every length too. */
        check_case(vaes, gnutls, &rng, len, 8, &b);
        check_case(vaes, gnutls, &rng, len, 0, &b);
        len += len < 300 ? 1 : 1 + (size_t)(next_rand(&rng) % 61);
    }
    /* Batch boundaries of both kernels (128 and 256 bytes) exactly, and the largest size. */
    static const size_t edges[] = {239, 240, 241, 255,  256,  257,  511,  512,  513,     1279,
                                   1280, 1281, 1392, 1400, 1408, 4095, 4096, 4097, MAX_LEN};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        for (size_t aad_len = 0; aad_len <= MAX_AAD; aad_len += 16)
            check_case(vaes, gnutls, &rng, edges[i], aad_len, &b);
    pf_aead_destroy(vaes);
    pf_aead_destroy(gnutls);
    bufs_free(&b);
}

/* Messages long enough that the low byte of the block counter wraps many times (every
 * 4 KiB): the 512-bit kernel advances its counter blocks without byte reversal except
 * where that byte could wrap within a batch. */
static void vaes_long_messages(void **state)
{
    const pf_crypto_ops *ops = vaes_ops_or_skip(state);
    static const size_t lens[] = {16384, 16385, 16639, 20000, 65536 + 240};
    struct bufs b = bufs_alloc(65536 + 256);
    uint64_t rng = 0x2545f4914f6cdd1dull;
    uint8_t key[16];
    fill_rand(&rng, key, sizeof(key));
    pf_aead *vaes = NULL, *gnutls = NULL;
    create_pair(ops, key, &vaes, &gnutls);
    for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
        check_case(vaes, gnutls, &rng, lens[i], 8, &b);
        check_case(vaes, gnutls, &rng, lens[i], 0, &b);
    }
    pf_aead_destroy(vaes);
    pf_aead_destroy(gnutls);
    bufs_free(&b);
}

/* The 512-bit kernel's long-message loop (32 blocks per iteration, from 2 KiB on, in
 * assembly): every length over a span of 600 bytes from where it starts, so that every
 * tail follows it, with random AAD (hashed before the loop when longer than a block) and a
 * fresh key every few lengths; then whole iterations up to 32 KiB, so that the counter's
 * low byte wraps at each place an iteration can meet it. */
static void vaes_wide_loop_lengths(void **state)
{
    const pf_crypto_ops *ops = vaes_ops_or_skip(state);
    struct bufs b = bufs_alloc(32768 + 512);
    uint64_t rng = 0x853c49e6748fea9bull;
    pf_aead *vaes = NULL, *gnutls = NULL;
    for (size_t len = 2048 - 16; len <= 2048 + 600; len++) {
        if (len % 50 == 0 || !vaes)
            rekey_pair(ops, &rng, &vaes, &gnutls);
        check_case(vaes, gnutls, &rng, len, (size_t)(next_rand(&rng) % (MAX_AAD + 1)), &b);
    }
    for (size_t len = 2560; len <= 32768; len += 512) {
        check_case(vaes, gnutls, &rng, len, 8, &b);
        check_case(vaes, gnutls, &rng, len + 1 + (size_t)(next_rand(&rng) % 511), 0, &b);
        check_case(vaes, gnutls, &rng, len - 512, 17 + (size_t)(next_rand(&rng) % 48), &b);
    }
    /* The loop reduces once per four iterations (128 blocks), grouping them from the last:
     * iteration counts of every residue modulo four, each length around a multiple of 32
     * blocks, with and without AAD hashed before the loop. */
    static const int around[] = {-17, -16, -15, -1, 0, 1, 15, 16, 17};
    for (size_t iters = 4; iters <= 13; iters++)
        for (size_t i = 0; i < sizeof(around) / sizeof(around[0]); i++)
            check_case(vaes, gnutls, &rng, (size_t)((long)(512 * iters) + around[i]),
                       (size_t)(next_rand(&rng) % (MAX_AAD + 1)), &b);
    pf_aead_destroy(vaes);
    pf_aead_destroy(gnutls);
    bufs_free(&b);
}

/* AAD lengths across batch boundaries (128 and 256 bytes), beyond what check_case uses. */
static void vaes_long_aad(void **state)
{
    const pf_crypto_ops *ops = vaes_ops_or_skip(state);
    static const size_t aad_lens[] = {1,   15,  16,  17,  127, 128, 129,
                                      255, 256, 257, 511, 512, 513, 1000};
    uint8_t key[16], nonce[12], aad[1000], pt[300], ct_v[300], ct_g[300], tag_v[16], tag_g[16];
    uint64_t rng = 42;
    fill_rand(&rng, key, sizeof(key));
    fill_rand(&rng, nonce, sizeof(nonce));
    fill_rand(&rng, aad, sizeof(aad));
    fill_rand(&rng, pt, sizeof(pt));
    pf_aead *vaes = NULL, *gnutls = NULL;
    create_pair(ops, key, &vaes, &gnutls);
    for (size_t i = 0; i < sizeof(aad_lens) / sizeof(aad_lens[0]); i++) {
        for (size_t len = 0; len <= sizeof(pt); len += 25) {
            assert_int_equal(pf_aead_seal(vaes, nonce, aad, aad_lens[i], pt, len, ct_v, tag_v),
                             0);
            assert_int_equal(
                pf_aead_seal(gnutls, nonce, aad, aad_lens[i], pt, len, ct_g, tag_g), 0);
            assert_memory_equal(ct_v, ct_g, len);
            assert_memory_equal(tag_v, tag_g, 16);
        }
    }
    pf_aead_destroy(vaes);
    pf_aead_destroy(gnutls);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vaes_table_follows_cpu),
        cmocka_unit_test_prestate(vaes_known_answers, (void *)&impl_vaes),
        cmocka_unit_test_prestate(vaes_matches_gnutls, (void *)&impl_vaes),
        cmocka_unit_test_prestate(vaes_long_aad, (void *)&impl_vaes),
        cmocka_unit_test_prestate(vaes_long_messages, (void *)&impl_vaes),
        cmocka_unit_test_prestate(vaes_known_answers, (void *)&impl_vaes512),
        cmocka_unit_test_prestate(vaes_matches_gnutls, (void *)&impl_vaes512),
        cmocka_unit_test_prestate(vaes_long_aad, (void *)&impl_vaes512),
        cmocka_unit_test_prestate(vaes_long_messages, (void *)&impl_vaes512),
        cmocka_unit_test_prestate(vaes_wide_loop_lengths, (void *)&impl_vaes512),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
