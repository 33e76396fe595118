/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public crypto API: argument checks, dispatch to the ops table, PKCS#7 and constant-time
 * comparison. The primitives themselves live behind the table (crypto_default.c). */
#include "pf/core/crypto.h"

#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "pf_assert.h"
#include "crypto_internal.h"

/* NIST SP 800-38D §5.2.1.1: at most 2^39 - 256 bits of plaintext per GCM invocation.
 * ChaCha20-Poly1305 allows more (RFC 8439 §2.8), but one limit keeps the API uniform. */
#define AEAD_MAX_BYTES ((((uint64_t)1) << 36) - 32)

struct pf_aead {
    const pf_crypto_ops *ops;
    void *ctx;
    uint32_t alg;
};

const pf_crypto_ops *pfi_crypto_ops_resolve(const pf_crypto_ops *ops)
{
    if (!ops)
        return pf_crypto_ops_default();
    /* Only tables this library knows the layout of; a newer table gets a clear error rather
     * than calls through fields this release does not have. */
    if (ops->version < 1 || ops->version > PF_CRYPTO_OPS_VERSION)
        return NULL;
    return ops;
}

int pfi_buffers_ok(const void *in, const void *out, size_t len)
{
    if (len == 0)
        return 1;
    if (!in || !out)
        return 0;
    if (in == out)
        return 1;
    uintptr_t a = (uintptr_t)in, b = (uintptr_t)out;
    return a + len <= b || b + len <= a;
}

static int disjoint(const void *p, size_t plen, const void *q, size_t qlen)
{
    if (!p || !q || plen == 0 || qlen == 0)
        return 1;
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)q;
    return a + plen <= b || b + qlen <= a;
}

static size_t aead_key_bytes(uint32_t alg)
{
    switch (alg) {
    case PF_AEAD_AES128_GCM:
        return PF_AES128_KEY_BYTES;
    case PF_AEAD_CHACHA20_POLY1305:
        return PF_CHACHA20_POLY1305_KEY_BYTES;
    default:
        return 0;
    }
}

int pf_aead_create(const pf_crypto_ops *ops, uint32_t alg, const uint8_t *key, size_t key_len,
                   pf_aead **ret_aead)
{
    pf_assert_return(key && ret_aead, PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    size_t want = aead_key_bytes(alg);
    if (want == 0)
        return PF_ERR_UNSUPPORTED;
    pf_assert_return(key_len == want, PF_ERR_INVALID_ARGUMENT);
    if (!o->aead_create || !o->aead_seal || !o->aead_open)
        return PF_ERR_UNSUPPORTED;

    pf_aead *a = calloc(1, sizeof(*a));
    if (!a)
        return PF_ERR_NOMEM;
    void *ctx = NULL;
    int r = o->aead_create(o->user_data, alg, key, key_len, &ctx);
    if (r < 0) {
        free(a);
        return r;
    }
    a->ops = o;
    a->ctx = ctx;
    a->alg = alg;
    *ret_aead = a;
    return 0;
}

void pf_aead_destroy(pf_aead *aead)
{
    if (!aead)
        return;
    if (aead->ops->aead_destroy)
        aead->ops->aead_destroy(aead->ops->user_data, aead->ctx);
    free(aead);
}

static int aead_args_ok(const pf_aead *aead, const uint8_t *nonce, const uint8_t *aad,
                        size_t aad_len, const uint8_t *in, size_t len, const uint8_t *out,
                        const uint8_t *tag)
{
    return aead && nonce && tag && (aad || aad_len == 0) && (uint64_t)len <= AEAD_MAX_BYTES &&
           pfi_buffers_ok(in, out, len) && disjoint(tag, PF_AEAD_TAG_BYTES, out, len);
}

int pf_aead_seal(pf_aead *aead, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                 const uint8_t *in, size_t len, uint8_t *out, uint8_t *tag)
{
    pf_assert_return(aead_args_ok(aead, nonce, aad, aad_len, in, len, out, tag),
                     PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = aead->ops;
    int r = o->aead_seal(o->user_data, aead->ctx, nonce, aad, aad_len, in, len, out, tag);
    return r < 0 ? r : 0;
}

int pf_aead_open(pf_aead *aead, const uint8_t *nonce, const uint8_t *aad, size_t aad_len,
                 const uint8_t *in, size_t len, const uint8_t *tag, uint8_t *out)
{
    pf_assert_return(aead_args_ok(aead, nonce, aad, aad_len, in, len, out, tag),
                     PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = aead->ops;
    int r = o->aead_open(o->user_data, aead->ctx, nonce, aad, aad_len, in, len, tag, out);
    if (r < 0) {
        /* Whatever the provider left there is unauthenticated: a caller that ignores the
         * error must not act on it. */
        if (len)
            memset(out, 0, len);
        return r;
    }
    return 0;
}

static int aes_args_ok(const uint8_t *key, const uint8_t *in, size_t len, const uint8_t *out)
{
    return key && pfi_buffers_ok(in, out, len);
}

/* PKCS#7 padding check in constant time: the result must not tell an attacker (by timing)
 * which byte was wrong. Returns the pad length 1..16, or 0 when invalid. */
static size_t pkcs7_pad_len(const uint8_t last[PF_AES_BLOCK_BYTES])
{
    uint32_t pad = last[PF_AES_BLOCK_BYTES - 1];
    uint32_t bad = ((pad - 1u) >> 8) | ((16u - pad) >> 8); /* pad == 0 or pad > 16 */
    for (uint32_t i = 0; i < PF_AES_BLOCK_BYTES; i++) {
        /* in_pad is all-ones for the last pad bytes, 0 otherwise. */
        uint32_t in_pad = 0u - (((PF_AES_BLOCK_BYTES - 1u - i) - pad) >> 31);
        bad |= in_pad & (last[i] ^ pad);
    }
    bad = 0u - ((bad | (0u - bad)) >> 31); /* any bit set -> all ones */
    return (size_t)(pad & ~bad);
}

int pf_aes128_cbc_encrypt_pkcs7(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                                const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                                size_t *ret_len)
{
    pf_assert_return(key && iv && out && ret_len && (in || len == 0), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(len < SIZE_MAX - PF_AES_BLOCK_BYTES, PF_ERR_INVALID_ARGUMENT);
    size_t total = (len / PF_AES_BLOCK_BYTES + 1) * PF_AES_BLOCK_BYTES;
    pf_assert_return(in == out || disjoint(in, len, out, out_cap), PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (!o->aes128_cbc)
        return PF_ERR_UNSUPPORTED;
    if (out_cap < total)
        return PF_ERR_BUFFER_TOO_SMALL;

    /* Pad in the output buffer so the provider runs once over the whole message. */
    if (len && out != in)
        memcpy(out, in, len);
    memset(out + len, (int)(total - len), total - len);
    int r = o->aes128_cbc(o->user_data, 1, key, iv, out, total, out);
    if (r < 0) {
        memset(out, 0, total);
        return r;
    }
    *ret_len = total;
    return 0;
}

int pf_aes128_cbc_decrypt_pkcs7(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                                const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                                size_t *ret_len)
{
    pf_assert_return(key && iv && in && ret_len, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(out || out_cap == 0, PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (len == 0 || len % PF_AES_BLOCK_BYTES)
        return PF_ERR_MALFORMED;
    pf_assert_return(in == out || disjoint(in, len, out, out_cap), PF_ERR_INVALID_ARGUMENT);
    if (!o->aes128_cbc)
        return PF_ERR_UNSUPPORTED;

    /* The last block first: its chaining value is the previous ciphertext block (or the IV),
     * so it decrypts alone, and padding and size are known before out is touched. */
    size_t head = len - PF_AES_BLOCK_BYTES;
    const uint8_t *chain = head ? in + head - PF_AES_BLOCK_BYTES : iv;
    uint8_t last[PF_AES_BLOCK_BYTES];
    int r = o->aes128_cbc(o->user_data, 0, key, chain, in + head, PF_AES_BLOCK_BYTES, last);
    if (r < 0)
        return r;
    size_t pad = pkcs7_pad_len(last);
    if (pad == 0) {
        memset(last, 0, sizeof(last));
        return PF_ERR_AUTH;
    }
    size_t plain = len - pad;
    if (out_cap < plain) {
        memset(last, 0, sizeof(last));
        return PF_ERR_BUFFER_TOO_SMALL;
    }
    if (head) {
        r = o->aes128_cbc(o->user_data, 0, key, iv, in, head, out);
        if (r < 0) {
            memset(out, 0, head);
            memset(last, 0, sizeof(last));
            return r;
        }
    }
    if (plain > head)
        memcpy(out + head, last, plain - head);
    memset(last, 0, sizeof(last));
    *ret_len = plain;
    return 0;
}

static int ecb(const pf_crypto_ops *ops, int encrypt, const uint8_t *key, const uint8_t *in,
               size_t len, uint8_t *out)
{
    pf_assert_return(aes_args_ok(key, in, len, out), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(len % PF_AES_BLOCK_BYTES == 0, PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (!o->aes128_ecb)
        return PF_ERR_UNSUPPORTED;
    if (len == 0)
        return 0;
    int r = o->aes128_ecb(o->user_data, encrypt, key, in, len, out);
    return r < 0 ? r : 0;
}

int pf_aes128_ecb_encrypt(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *in,
                          size_t len, uint8_t *out)
{
    return ecb(ops, 1, key, in, len, out);
}

int pf_aes128_ecb_decrypt(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *in,
                          size_t len, uint8_t *out)
{
    return ecb(ops, 0, key, in, len, out);
}

int pf_sha256(const pf_crypto_ops *ops, const uint8_t *data, size_t len, uint8_t *out)
{
    pf_assert_return(out && (data || len == 0), PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (!o->sha256)
        return PF_ERR_UNSUPPORTED;
    int r = o->sha256(o->user_data, data, len, out);
    return r < 0 ? r : 0;
}

int pf_hkdf_sha256(const pf_crypto_ops *ops, const uint8_t *salt, size_t salt_len,
                   const uint8_t *ikm, size_t ikm_len, const uint8_t *info, size_t info_len,
                   uint8_t *out, size_t out_len)
{
    pf_assert_return(out && out_len > 0 && out_len <= 255u * PF_SHA256_BYTES,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return((salt || salt_len == 0) && (ikm || ikm_len == 0) &&
                         (info || info_len == 0),
                     PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (!o->hkdf_sha256)
        return PF_ERR_UNSUPPORTED;
    int r = o->hkdf_sha256(o->user_data, salt, salt_len, ikm, ikm_len, info, info_len, out,
                           out_len);
    return r < 0 ? r : 0;
}

int pf_random_bytes(const pf_crypto_ops *ops, uint8_t *out, size_t len)
{
    pf_assert_return(out || len == 0, PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (!o->random)
        return PF_ERR_UNSUPPORTED;
    if (len == 0)
        return 0;
    int r = o->random(o->user_data, out, len);
    return r < 0 ? r : 0;
}

int pf_memeq_consttime(const void *a, const void *b, size_t len)
{
    if (len == 0)
        return 1;
    if (!a || !b)
        return 0;
    /* volatile keeps the compiler from turning the loop into an early-exit memcmp. */
    const volatile uint8_t *x = a, *y = b;
    uint32_t diff = 0;
    for (size_t i = 0; i < len; i++)
        diff |= (uint32_t)(x[i] ^ y[i]);
    return (int)(1u & ((diff - 1u) >> 8));
}
