/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SPAKE2 over edwards25519 as the spake2 0.4 crate computes it (native-protocol.md §6.3);
 * the known-answer tests pin it byte for byte. Group arithmetic is libsodium's. */
#include "pf/core/pkf1_pair.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pf/core/error.h"

#include "pf_assert.h"

/* The blinding elements M and N: python-spake2's "arbitrary elements" for Ed25519, which the
 * crate hard-codes as compressed points. */
static const uint8_t point_m[32] = {
    0x15, 0xcf, 0xd1, 0x8e, 0x38, 0x59, 0x52, 0x98, 0x2b, 0x6a, 0x8f, 0x8c, 0x78, 0x54, 0x96, 0x3b,
    0x58, 0xe3, 0x43, 0x88, 0xc8, 0xe6, 0xda, 0xe8, 0x91, 0xdb, 0x75, 0x64, 0x81, 0xa0, 0x23, 0x12};
static const uint8_t point_n[32] = {
    0xf0, 0x4f, 0x2e, 0x7e, 0xb7, 0x34, 0xb2, 0xa8, 0xf8, 0xb4, 0x72, 0xea, 0xf9, 0xc3, 0xc6, 0x32,
    0x57, 0x6a, 0xc6, 0x4a, 0xea, 0x65, 0x0b, 0x49, 0x6a, 0x8a, 0x20, 0xff, 0x00, 0xe5, 0x83, 0xc3};

struct pf_pkf1_spake2 {
    uint32_t side;
    int finished;
    uint8_t scalar[32];  /* x (side A) or y (side B) */
    uint8_t pw[32];      /* password scalar */
    uint8_t msg[33];     /* side letter ‖ our element */
    uint8_t hash_pw[32]; /* SHA256(password) */
    uint8_t hash_a[32];  /* SHA256(idA) */
    uint8_t hash_b[32];  /* SHA256(idB) */
};

/* pw = HKDF-SHA256(salt empty, password, "SPAKE2 pw", 48) as a big-endian integer mod ℓ.
 * The crate reverses the bytes and does a wide little-endian reduction: same value. */
static int password_scalar(const pf_crypto_ops *ops, const uint8_t *password, size_t len,
                           uint8_t *out)
{
    static const uint8_t info[] = "SPAKE2 pw";
    uint8_t okm[48], wide[64] = {0};
    int r = pf_hkdf_sha256(ops, NULL, 0, password, len, info, sizeof(info) - 1, okm,
                           sizeof(okm));
    if (r < 0)
        return r;
    for (size_t i = 0; i < sizeof(okm); i++)
        wide[i] = okm[sizeof(okm) - 1 - i];
    crypto_core_ed25519_scalar_reduce(out, wide);
    sodium_memzero(okm, sizeof(okm));
    sodium_memzero(wide, sizeof(wide));
    return 0;
}

int pf_pkf1_spake2_create(const pf_crypto_ops *ops, uint32_t side, const uint8_t *password,
                          size_t password_len, const uint8_t *id_a, size_t id_a_len,
                          const uint8_t *id_b, size_t id_b_len, const uint8_t *random,
                          pf_pkf1_spake2 **ret)
{
    pf_assert_return(ret, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(side == PF_PKF1_SPAKE2_SIDE_A || side == PF_PKF1_SPAKE2_SIDE_B,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(password || password_len == 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return((id_a || id_a_len == 0) && (id_b || id_b_len == 0),
                     PF_ERR_INVALID_ARGUMENT);
    if (sodium_init() < 0)
        return PF_ERR_CRYPTO;
    pf_pkf1_spake2 *s = calloc(1, sizeof(*s));
    if (!s)
        return PF_ERR_NOMEM;
    s->side = side;
    uint8_t wide[PF_PKF1_SPAKE2_RANDOM_BYTES];
    int r = 0;
    if (random)
        memcpy(wide, random, sizeof(wide));
    else
        r = pf_random_bytes(ops, wide, sizeof(wide));
    if (r == 0)
        r = password_scalar(ops, password, password_len, s->pw);
    if (r < 0)
        goto fail;
    crypto_core_ed25519_scalar_reduce(s->scalar, wide);
    sodium_memzero(wide, sizeof(wide));
    /* element = scalar·B + pw·(M or N) */
    uint8_t sb[32], blind[32];
    if (crypto_scalarmult_ed25519_base_noclamp(sb, s->scalar) != 0 ||
        crypto_scalarmult_ed25519_noclamp(blind, s->pw,
                                          side == PF_PKF1_SPAKE2_SIDE_A ? point_m : point_n) != 0 ||
        crypto_core_ed25519_add(s->msg + 1, sb, blind) != 0) {
        r = PF_ERR_CRYPTO;
        goto fail;
    }
    s->msg[0] = (uint8_t)side;
    crypto_hash_sha256(s->hash_pw, password, password_len);
    crypto_hash_sha256(s->hash_a, id_a, id_a_len);
    crypto_hash_sha256(s->hash_b, id_b, id_b_len);
    *ret = s;
    return 0;
fail:
    sodium_memzero(wide, sizeof(wide));
    pf_pkf1_spake2_destroy(s);
    return r;
}

void pf_pkf1_spake2_destroy(pf_pkf1_spake2 *s)
{
    if (!s)
        return;
    sodium_memzero(s, sizeof(*s));
    free(s);
}

int pf_pkf1_spake2_message(const pf_pkf1_spake2 *s, uint8_t *out)
{
    pf_assert_return(s && out, PF_ERR_INVALID_ARGUMENT);
    memcpy(out, s->msg, sizeof(s->msg));
    return 0;
}

int pf_pkf1_spake2_finish(pf_pkf1_spake2 *s, const uint8_t *peer, size_t peer_len,
                          uint8_t *ret_key)
{
    pf_assert_return(s && ret_key && (peer || peer_len == 0), PF_ERR_INVALID_ARGUMENT);
    if (s->finished)
        return PF_ERR_STATE;
    uint32_t other = s->side == PF_PKF1_SPAKE2_SIDE_A ? PF_PKF1_SPAKE2_SIDE_B
                                                       : PF_PKF1_SPAKE2_SIDE_A;
    if (peer_len != PF_PKF1_SPAKE2_MSG_BYTES || peer[0] != other)
        return PF_ERR_MALFORMED;
    s->finished = 1;
    /* K = scalar·(peer − pw·(N or M)). libsodium refuses a point outside the prime-order
     * subgroup or a K at the identity; an honest peer never produces either (its element
     * is a sum of subgroup points), so only a forged message fails here, which the
     * reference would fail one step later at the confirmation MAC. */
    uint8_t blind[32], unblinded[32], k[32];
    const uint8_t *peer_blind = other == PF_PKF1_SPAKE2_SIDE_A ? point_m : point_n;
    if (!crypto_core_ed25519_is_valid_point(peer + 1) ||
        crypto_scalarmult_ed25519_noclamp(blind, s->pw, peer_blind) != 0 ||
        crypto_core_ed25519_sub(unblinded, peer + 1, blind) != 0 ||
        crypto_scalarmult_ed25519_noclamp(k, s->scalar, unblinded) != 0)
        return PF_ERR_MALFORMED;
    /* transcript: H(pw) ‖ H(idA) ‖ H(idB) ‖ X ‖ Y ‖ K, A's element first on both sides */
    const uint8_t *x = s->side == PF_PKF1_SPAKE2_SIDE_A ? s->msg + 1 : peer + 1;
    const uint8_t *y = s->side == PF_PKF1_SPAKE2_SIDE_A ? peer + 1 : s->msg + 1;
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, s->hash_pw, 32);
    crypto_hash_sha256_update(&h, s->hash_a, 32);
    crypto_hash_sha256_update(&h, s->hash_b, 32);
    crypto_hash_sha256_update(&h, x, 32);
    crypto_hash_sha256_update(&h, y, 32);
    crypto_hash_sha256_update(&h, k, 32);
    crypto_hash_sha256_final(&h, ret_key);
    sodium_memzero(k, sizeof(k));
    sodium_memzero(unblinded, sizeof(unblinded));
    sodium_memzero(&h, sizeof(h));
    return 0;
}

int pf_pkf1_pair_confirm(int host, const uint8_t *key, const uint8_t *client_fp,
                         const uint8_t *host_fp, uint8_t *out)
{
    pf_assert_return(key && client_fp && host_fp && out, PF_ERR_INVALID_ARGUMENT);
    static const char host_label[] = "punktfunk-pair-host";
    static const char client_label[] = "punktfunk-pair-client";
    const char *label = host ? host_label : client_label;
    size_t label_len = host ? sizeof(host_label) - 1 : sizeof(client_label) - 1;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, PF_PKF1_SPAKE2_KEY_BYTES);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)label, label_len);
    crypto_auth_hmacsha256_update(&st, client_fp, PF_PKF1_FINGERPRINT_BYTES);
    crypto_auth_hmacsha256_update(&st, host_fp, PF_PKF1_FINGERPRINT_BYTES);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
    return 0;
}
