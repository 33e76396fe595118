/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AES-128-GCM with IVs other than 96 bits (GameStream's legacy 16-byte control-stream IV),
 * built from the ops table's AES-ECB so that an app's own provider covers it too. Only the
 * few messages of the legacy mode come through here, so a portable GHASH is enough. */
#include "pf/core/crypto.h"

#include <string.h>

#include <sodium.h>

#include "pf/core/error.h"

#include "pf_assert.h"
#include "crypto_internal.h"

/* Keystream blocks per provider call: amortises its key schedule over 256 bytes. */
#define CTR_BATCH_BLOCKS 16u

/* NIST SP 800-38D §5.2.1.1: the 32-bit counter allows 2^32 - 2 blocks per message. */
#define GCM_MAX_BYTES (((((uint64_t)1) << 32) - 2) * PF_AES_BLOCK_BYTES)

struct gf128 {
    uint64_t hi, lo; /* big-endian halves: bit 0 of GCM is the top bit of hi */
};

static struct gf128 load_be(const uint8_t *b)
{
    struct gf128 x = {0, 0};
    for (int i = 0; i < 8; i++) {
        x.hi = (x.hi << 8) | b[i];
        x.lo = (x.lo << 8) | b[8 + i];
    }
    return x;
}

static void store_be(uint8_t *b, struct gf128 x)
{
    for (int i = 7; i >= 0; i--) {
        b[i] = (uint8_t)x.hi;
        b[8 + i] = (uint8_t)x.lo;
        x.hi >>= 8;
        x.lo >>= 8;
    }
}

/* SP 800-38D §6.3 Algorithm 1, with masks instead of branches so that the time does not
 * depend on the hash key or the data. */
static struct gf128 gf_mul(struct gf128 x, struct gf128 h)
{
    struct gf128 z = {0, 0}, v = h;
    for (int i = 0; i < 128; i++) {
        uint64_t bit = i < 64 ? (x.hi >> (63 - i)) & 1u : (x.lo >> (127 - i)) & 1u;
        uint64_t take = 0u - bit;
        z.hi ^= v.hi & take;
        z.lo ^= v.lo & take;
        uint64_t carry = 0u - (v.lo & 1u);
        v.lo = (v.lo >> 1) | (v.hi << 63);
        v.hi = (v.hi >> 1) ^ (0xe100000000000000ull & carry);
    }
    return z;
}

struct ghash {
    struct gf128 h, y;
};

/* Absorbs @p len bytes, zero-padding a final partial block (GCM pads A and C separately). */
static void ghash_update(struct ghash *g, const uint8_t *p, size_t len)
{
    while (len) {
        uint8_t blk[PF_AES_BLOCK_BYTES] = {0};
        size_t n = len < sizeof(blk) ? len : sizeof(blk);
        memcpy(blk, p, n);
        struct gf128 x = load_be(blk);
        g->y.hi ^= x.hi;
        g->y.lo ^= x.lo;
        g->y = gf_mul(g->y, g->h);
        p += n;
        len -= n;
    }
}

static void ghash_lengths(struct ghash *g, uint64_t a_bytes, uint64_t c_bytes)
{
    g->y.hi ^= a_bytes * 8u;
    g->y.lo ^= c_bytes * 8u;
    g->y = gf_mul(g->y, g->h);
}

static void inc32(uint8_t *block)
{
    for (int i = 15; i >= 12; i--)
        if (++block[i])
            break;
}

struct gcm_state {
    const pf_crypto_ops *ops;
    const uint8_t *key;
    struct ghash g;
    uint8_t j0[PF_AES_BLOCK_BYTES];
};

static int ecb1(const struct gcm_state *s, const uint8_t *in, uint8_t *out)
{
    return s->ops->aes128_ecb(s->ops->user_data, 1, s->key, in, PF_AES_BLOCK_BYTES, out);
}

/* H = E_K(0^128); J0 = IV || 0^31 || 1 for 96-bit IVs, else GHASH_H(IV || pad || len(IV)). */
static int gcm_start(struct gcm_state *s, const pf_crypto_ops *ops, const uint8_t *key,
                     const uint8_t *iv, size_t iv_len)
{
    s->ops = ops;
    s->key = key;
    uint8_t hb[PF_AES_BLOCK_BYTES] = {0};
    int r = ecb1(s, hb, hb);
    if (r < 0)
        return r;
    s->g.h = load_be(hb);
    sodium_memzero(hb, sizeof(hb));
    s->g.y.hi = s->g.y.lo = 0;
    if (iv_len == PF_AEAD_NONCE_BYTES) {
        memcpy(s->j0, iv, iv_len);
        memset(s->j0 + iv_len, 0, 3);
        s->j0[15] = 1;
    } else {
        ghash_update(&s->g, iv, iv_len);
        ghash_lengths(&s->g, 0, iv_len);
        store_be(s->j0, s->g.y);
        s->g.y.hi = s->g.y.lo = 0;
    }
    return 0;
}

/* CTR mode from inc32(J0): out = in XOR keystream; in == out allowed. */
static int gcm_ctr(const struct gcm_state *s, const uint8_t *in, size_t len, uint8_t *out)
{
    uint8_t ctr[PF_AES_BLOCK_BYTES];
    uint8_t ks[CTR_BATCH_BLOCKS * PF_AES_BLOCK_BYTES];
    memcpy(ctr, s->j0, sizeof(ctr));
    int r = 0;
    while (len) {
        size_t blocks = (len + PF_AES_BLOCK_BYTES - 1) / PF_AES_BLOCK_BYTES;
        if (blocks > CTR_BATCH_BLOCKS)
            blocks = CTR_BATCH_BLOCKS;
        for (size_t b = 0; b < blocks; b++) {
            inc32(ctr);
            memcpy(ks + b * PF_AES_BLOCK_BYTES, ctr, PF_AES_BLOCK_BYTES);
        }
        r = s->ops->aes128_ecb(s->ops->user_data, 1, s->key, ks, blocks * PF_AES_BLOCK_BYTES,
                               ks);
        if (r < 0)
            break;
        size_t n = blocks * PF_AES_BLOCK_BYTES;
        if (n > len)
            n = len;
        for (size_t i = 0; i < n; i++)
            out[i] = in[i] ^ ks[i];
        in += n;
        out += n;
        len -= n;
    }
    sodium_memzero(ks, sizeof(ks));
    return r < 0 ? r : 0;
}

/* T = E_K(J0) XOR GHASH_H(A || pad || C || pad || len(A) || len(C)). */
static int gcm_tag(struct gcm_state *s, const uint8_t *aad, size_t aad_len, const uint8_t *c,
                   size_t len, uint8_t *tag)
{
    ghash_update(&s->g, aad, aad_len);
    ghash_update(&s->g, c, len);
    ghash_lengths(&s->g, aad_len, len);
    uint8_t ek[PF_AES_BLOCK_BYTES], sb[PF_AES_BLOCK_BYTES];
    int r = ecb1(s, s->j0, ek);
    if (r < 0)
        return r;
    store_be(sb, s->g.y);
    for (size_t i = 0; i < PF_AES_BLOCK_BYTES; i++)
        tag[i] = ek[i] ^ sb[i];
    sodium_memzero(ek, sizeof(ek));
    return 0;
}

static void gcm_finish(struct gcm_state *s)
{
    sodium_memzero(s, sizeof(*s));
}

int pfi_gcm_soft_seal(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, uint8_t *out, uint8_t *tag)
{
    struct gcm_state s;
    int r = gcm_start(&s, ops, key, iv, iv_len);
    if (r == 0)
        r = gcm_ctr(&s, in, len, out);
    if (r == 0)
        r = gcm_tag(&s, aad, aad_len, out, len, tag);
    if (r < 0 && len)
        memset(out, 0, len);
    gcm_finish(&s);
    return r;
}

int pfi_gcm_soft_open(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                      size_t iv_len, const uint8_t *aad, size_t aad_len, const uint8_t *in,
                      size_t len, const uint8_t *tag, uint8_t *out)
{
    struct gcm_state s;
    uint8_t want[PF_AEAD_TAG_BYTES];
    int r = gcm_start(&s, ops, key, iv, iv_len);
    if (r == 0)
        r = gcm_tag(&s, aad, aad_len, in, len, want);
    if (r == 0 && !pf_memeq_consttime(want, tag, sizeof(want)))
        r = PF_ERR_AUTH;
    if (r == 0) {
        r = gcm_ctr(&s, in, len, out);
        if (r < 0 && len)
            memset(out, 0, len);
    }
    gcm_finish(&s);
    return r;
}

/* Shared checks of the two public calls; on success *ret_ops is the table to use. */
static int iv16_prepare(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                        const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                        const uint8_t *out, const uint8_t *tag, const pf_crypto_ops **ret_ops)
{
    pf_assert_return(key && iv && tag && (aad || aad_len == 0), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return((uint64_t)len <= GCM_MAX_BYTES && pfi_buffers_ok(in, out, len),
                     PF_ERR_INVALID_ARGUMENT);
    const pf_crypto_ops *o = pfi_crypto_ops_resolve(ops);
    pf_assert_return(o, PF_ERR_INVALID_ARGUMENT);
    if (!o->aes128_ecb)
        return PF_ERR_UNSUPPORTED;
    *ret_ops = o;
    return 0;
}

int pf_aes128_gcm_seal_iv16(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                            const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                            uint8_t *out, uint8_t *tag)
{
    const pf_crypto_ops *o = NULL;
    int r = iv16_prepare(ops, key, iv, aad, aad_len, in, len, out, tag, &o);
    if (r < 0)
        return r;
    return pfi_gcm_soft_seal(o, key, iv, PF_GCM_LEGACY_IV_BYTES, aad, aad_len, in, len, out,
                             tag);
}

int pf_aes128_gcm_open_iv16(const pf_crypto_ops *ops, const uint8_t *key, const uint8_t *iv,
                            const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                            const uint8_t *tag, uint8_t *out)
{
    const pf_crypto_ops *o = NULL;
    int r = iv16_prepare(ops, key, iv, aad, aad_len, in, len, out, tag, &o);
    if (r < 0)
        return r;
    return pfi_gcm_soft_open(o, key, iv, PF_GCM_LEGACY_IV_BYTES, aad, aad_len, in, len, tag,
                             out);
}
