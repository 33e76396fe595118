/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AES-128-GCM with 256-bit VAES and VPCLMULQDQ: two blocks per ymm register, eight blocks
 * of counter mode in flight and GHASH over eight blocks with a single reduction.
 *
 * GHASH runs in the POLYVAL domain (RFC 8452 appendix A): with blocks byte-reversed and
 * the hash key replaced by mulX_POLYVAL(ByteReverse(H)), GCM's bit-reflected field becomes
 * plain carry-less arithmetic modulo x^128 + x^127 + x^126 + x^121 + 1 with a Montgomery
 * factor x^-128, so a 256-bit product is reduced by two 64-bit folds without any shifts.
 * Reduction is linear, so sum(X_i * H^(n-i+1)) over up to eight blocks is accumulated
 * unreduced and reduced once.
 *
 * Constant time: no table indexed by key or data, no branch on them; lengths are public. */
#include "gcm_vaes.h"

#include <immintrin.h>
#include <string.h>

#include "pf/core/error.h"

#define BATCH_BLOCKS 8u
#define BATCH_BYTES (BATCH_BLOCKS * 16u)
/* Most blocks hashed with one reduction: hpow holds H^16..H^1. */
#define HASH_BLOCKS PFI_GCM_VAES_POWERS

/* Every fixed-count loop over rounds or registers is unrolled: left as a loop, GCC keeps the
 * blocks in a stack array and each AES round becomes a load, VAESENC and store, which ran
 * the kernel at a third of its speed. */
#define UNROLLED _Pragma("GCC unroll 16")

/* A byte-reversing shuffle within each 128-bit lane: GCM's big-endian blocks in and out of
 * the POLYVAL domain, and the big-endian counter in and out of a lane's low dword. */
static inline __m128i bswap128(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                            15));
}

static inline __m256i bswap256(__m256i x)
{
    const __m256i m = _mm256_broadcastsi128_si256(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm256_shuffle_epi8(x, m);
}

/* Montgomery reduction of t1:t0 by x^128 modulo the POLYVAL polynomial P. P = 1 modulo
 * x^64, so each fold adds (low qword) * P, which clears that qword, then drops it: the
 * x^121 + x^126 + x^127 part is one multiplication by 0xC2 << 56, the x^128 part the qword
 * swap. */
static inline __m128i reduce(__m128i t0, __m128i t1)
{
    const __m128i poly = _mm_set_epi64x((long long)0xC200000000000000ull, 0);
    __m128i f = _mm_clmulepi64_si128(t0, poly, 0x10);
    t0 = _mm_xor_si128(_mm_shuffle_epi32(t0, 0x4e), f);
    f = _mm_clmulepi64_si128(t0, poly, 0x10);
    t0 = _mm_xor_si128(_mm_shuffle_epi32(t0, 0x4e), f);
    return _mm_xor_si128(t0, t1);
}

/* POLYVAL's dot(a, b) = a * b * x^-128 for single blocks (key setup only). */
static __m128i dot128(__m128i a, __m128i b)
{
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01),
                                _mm_clmulepi64_si128(a, b, 0x10));
    return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                  _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/* Unreduced sum of products, two blocks per lane pair. */
struct acc {
    __m256i lo, mid, hi;
};

static inline void acc_init(struct acc *a)
{
    a->lo = _mm256_setzero_si256();
    a->mid = _mm256_setzero_si256();
    a->hi = _mm256_setzero_si256();
}

static inline void acc_mul(struct acc *a, __m256i x, __m256i h)
{
    a->lo = _mm256_xor_si256(a->lo, _mm256_clmulepi64_epi128(x, h, 0x00));
    a->hi = _mm256_xor_si256(a->hi, _mm256_clmulepi64_epi128(x, h, 0x11));
    a->mid = _mm256_xor_si256(a->mid, _mm256_clmulepi64_epi128(x, h, 0x01));
    a->mid = _mm256_xor_si256(a->mid, _mm256_clmulepi64_epi128(x, h, 0x10));
}

static inline __m128i fold_lanes(__m256i v)
{
    return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}

static inline __m128i acc_reduce(const struct acc *a)
{
    __m128i lo = fold_lanes(a->lo), mid = fold_lanes(a->mid), hi = fold_lanes(a->hi);
    return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                  _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

static inline __m256i load_pow(const struct pfi_gcm_vaes_key *k, size_t i)
{
    return _mm256_loadu_si256((const __m256i *)k->hpow[i]);
}

/* Hashes @nb (1..16) whole blocks at @p into the state @s: block j is multiplied by
 * H^(nb - j), read from hpow[16 - nb + j]. */
static __m128i ghash_blocks(const struct pfi_gcm_vaes_key *k, __m128i s, const uint8_t *p,
                            size_t nb)
{
    const size_t base = HASH_BLOCKS - nb;
    struct acc a;
    acc_init(&a);
    __m256i carry = _mm256_zextsi128_si256(s);
    size_t i = 0;
    for (; i + 2 <= nb; i += 2) {
        __m256i x = bswap256(_mm256_loadu_si256((const __m256i *)(p + 16 * i)));
        acc_mul(&a, _mm256_xor_si256(x, carry), load_pow(k, base + i));
        carry = _mm256_setzero_si256();
    }
    if (i < nb) {
        __m128i x = bswap128(_mm_loadu_si128((const __m128i *)(p + 16 * i)));
        __m128i h = _mm_loadu_si128((const __m128i *)k->hpow[base + i]);
        acc_mul(&a, _mm256_xor_si256(_mm256_zextsi128_si256(x), carry),
                _mm256_zextsi128_si256(h));
    }
    return acc_reduce(&a);
}

/* Whole buffer, any length: full batches in place, the zero-padded rest from a copy. */
static __m128i ghash_bytes(const struct pfi_gcm_vaes_key *k, __m128i s, const uint8_t *p,
                           size_t len)
{
    for (; len >= HASH_BLOCKS * 16; p += HASH_BLOCKS * 16, len -= HASH_BLOCKS * 16)
        s = ghash_blocks(k, s, p, HASH_BLOCKS);
    if (len) {
        uint8_t pad[HASH_BLOCKS * 16] = {0};
        memcpy(pad, p, len);
        s = ghash_blocks(k, s, pad, (len + 15) / 16);
    }
    return s;
}

/* Batches are hashed in pairs, sixteen blocks to a reduction: the first of a pair times
 * H^16..H^9 stays unreduced in @a, the second adds H^8..H^1 and reduces. An odd count
 * starts with a lone batch, so the last batch always closes a reduction. The state @s
 * enters with whichever batch opens the accumulator. */
struct pairing {
    struct acc a;
    int open;
};

static inline void ghash_batch(const struct pfi_gcm_vaes_key *k, __m128i *s,
                               struct pairing *p, int first_of_pair, const __m256i *c)
{
    const size_t base = first_of_pair ? 0 : HASH_BLOCKS - BATCH_BLOCKS;
    __m256i carry = _mm256_setzero_si256();
    if (!p->open) {
        acc_init(&p->a);
        carry = _mm256_zextsi128_si256(*s);
    }
    acc_mul(&p->a, _mm256_xor_si256(bswap256(c[0]), carry), load_pow(k, base));
    UNROLLED
    for (int j = 1; j < 4; j++)
        acc_mul(&p->a, bswap256(c[j]), load_pow(k, base + 2 * (size_t)j));
    p->open = first_of_pair;
    if (!first_of_pair)
        *s = acc_reduce(&p->a);
}

static inline __m128i aes_block(const __m256i *rk, __m128i b)
{
    b = _mm_xor_si128(b, _mm256_castsi256_si128(rk[0]));
    UNROLLED
    for (int r = 1; r < 10; r++)
        b = _mm_aesenc_si128(b, _mm256_castsi256_si128(rk[r]));
    return _mm_aesenclast_si128(b, _mm256_castsi256_si128(rk[10]));
}

/* Counter blocks live byte-reversed so that a lane's counter is its low dword and a plain
 * 32-bit add steps it; 2^36 - 32 bytes at most means it never wraps past 2^32 - 1. */
static inline void keystream4(const __m256i *rk, __m256i ctr, __m256i *ks)
{
    const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    UNROLLED
    for (int j = 0; j < 4; j++) {
        ks[j] = _mm256_xor_si256(bswap256(ctr), rk[0]);
        ctr = _mm256_add_epi32(ctr, two);
    }
    UNROLLED
    for (int r = 1; r < 10; r++) {
        UNROLLED
        for (int j = 0; j < 4; j++)
            ks[j] = _mm256_aesenc_epi128(ks[j], rk[r]);
    }
    UNROLLED
    for (int j = 0; j < 4; j++)
        ks[j] = _mm256_aesenclast_epi128(ks[j], rk[10]);
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
}

/* The whole of GCM-AE / GCM-AD (NIST SP 800-38D §7) but the final tag comparison: returns
 * the tag. @decrypt is a constant at both call sites, so each gets its own loop. */
static inline __attribute__((always_inline)) __m128i
gcm_crypt(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce, const uint8_t *aad,
          size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, int decrypt)
{
    __m256i rk[11];
    UNROLLED
    for (int r = 0; r < 11; r++)
        rk[r] = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)k->rk[r]));

    uint8_t j0b[16];
    memcpy(j0b, nonce, 12);
    j0b[12] = 0, j0b[13] = 0, j0b[14] = 0, j0b[15] = 1;
    const __m128i j0 = _mm_loadu_si128((const __m128i *)j0b);

    /* A short message with one block of AAD (punktfunk/1's sequence number) hashes it
     * together with the message and the length block: one reduction in all. */
    const int fold_aad = aad_len && aad_len <= 16 && len < BATCH_BYTES;
    __m128i s = _mm_setzero_si128();
    if (aad_len && !fold_aad)
        s = ghash_bytes(k, s, aad, aad_len);

    /* Lanes hold counters 2 and 3 (J0 + 1, J0 + 2), the first blocks of the message. */
    __m256i ctr = _mm256_add_epi32(_mm256_broadcastsi128_si256(bswap128(j0)),
                                   _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 1));
    const __m256i eight = _mm256_set_epi32(0, 0, 0, 8, 0, 0, 0, 8);

    /* Sealing hashes each batch's ciphertext one iteration late, beside the next batch's
     * AES rounds, so the two chains overlap instead of GHASH waiting on the last round;
     * opening has its ciphertext up front and hashes it at once. */
    size_t off = 0, left = len / BATCH_BYTES;
    __m256i prev[4];
    int pending = 0;
    struct pairing pair = {.open = 0};
    for (; len - off >= BATCH_BYTES; off += BATCH_BYTES, left--) {
        __m256i ks[4], x[4];
        keystream4(rk, ctr, ks);
        ctr = _mm256_add_epi32(ctr, eight);
        UNROLLED
        for (int j = 0; j < 4; j++)
            x[j] = _mm256_loadu_si256((const __m256i *)(in + off + 32 * j));
        /* left counts this batch; sealing hashes the one before it (left + 1). */
        if (decrypt)
            ghash_batch(k, &s, &pair, left % 2 == 0, x);
        else if (pending)
            ghash_batch(k, &s, &pair, (left + 1) % 2 == 0, prev);
        UNROLLED
        for (int j = 0; j < 4; j++) {
            __m256i y = _mm256_xor_si256(x[j], ks[j]);
            _mm256_storeu_si256((__m256i *)(out + off + 32 * j), y);
            prev[j] = y;
        }
        pending = !decrypt;
    }
    if (pending)
        ghash_batch(k, &s, &pair, 0, prev);

    /* The last 0..127 bytes, zero-padded, then the length block, hashed together (after
     * the AAD block when it is folded in): at most 10 blocks, one reduction. */
    uint8_t hbuf[(BATCH_BLOCKS + 2) * 16] = {0};
    size_t at = 0;
    if (fold_aad) {
        memcpy(hbuf, aad, aad_len);
        at = 16;
    }
    uint8_t *cbuf = hbuf + at;
    size_t r = len - off, nb = (r + 15) / 16;
    if (r) {
        uint8_t pbuf[BATCH_BYTES] = {0};
        __m256i ks[4];
        keystream4(rk, ctr, ks);
        memcpy(decrypt ? cbuf : pbuf, in + off, r);
        const uint8_t *src = decrypt ? cbuf : pbuf;
        uint8_t *dst = decrypt ? pbuf : cbuf;
        for (size_t j = 0; j < (r + 31) / 32; j++) {
            __m256i x = _mm256_loadu_si256((const __m256i *)(src + 32 * j));
            _mm256_storeu_si256((__m256i *)(dst + 32 * j), _mm256_xor_si256(x, ks[j]));
        }
        memcpy(out + off, dst, r);
        if (!decrypt)
            memset(cbuf + r, 0, 16 * nb - r);
        explicit_bzero(pbuf, sizeof(pbuf));
    }
    put_be64(cbuf + 16 * nb, (uint64_t)aad_len * 8);
    put_be64(cbuf + 16 * nb + 8, (uint64_t)len * 8);
    s = ghash_blocks(k, s, hbuf, at / 16 + nb + 1);
    explicit_bzero(hbuf, sizeof(hbuf));
    return _mm_xor_si128(bswap128(s), aes_block(rk, j0));
}

void pfi_gcm_vaes_seal(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                       const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                       uint8_t *out, uint8_t *tag)
{
    __m128i t = gcm_crypt(k, nonce, aad, aad_len, in, len, out, 0);
    _mm_storeu_si128((__m128i *)tag, t);
}

int pfi_gcm_vaes_open(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                      const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                      const uint8_t *tag, uint8_t *out)
{
    __m128i t = gcm_crypt(k, nonce, aad, aad_len, in, len, out, 1);
    __m128i d = _mm_xor_si128(t, _mm_loadu_si128((const __m128i *)tag));
    return _mm_testz_si128(d, d) ? 0 : PF_ERR_AUTH;
}

/* AES-128 key expansion (FIPS 197 §5.2): AESKEYGENASSIST supplies SubWord(RotWord(w3)) ^
 * Rcon in its top dword; the shifted XORs chain w0..w3 of the previous round key. */
static inline __m128i expand_step(__m128i key, __m128i assist)
{
    assist = _mm_shuffle_epi32(assist, 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

#define EXPAND(i, rcon) rk[i] = expand_step(rk[(i) - 1], _mm_aeskeygenassist_si128(rk[(i) - 1], rcon))

void pfi_gcm_vaes_init(struct pfi_gcm_vaes_key *k, const uint8_t *key)
{
    __m128i rk[11];
    rk[0] = _mm_loadu_si128((const __m128i *)key);
    EXPAND(1, 0x01);
    EXPAND(2, 0x02);
    EXPAND(3, 0x04);
    EXPAND(4, 0x08);
    EXPAND(5, 0x10);
    EXPAND(6, 0x20);
    EXPAND(7, 0x40);
    EXPAND(8, 0x80);
    EXPAND(9, 0x1b);
    EXPAND(10, 0x36);
    __m256i rk2[11];
    for (int r = 0; r < 11; r++) {
        _mm_storeu_si128((__m128i *)k->rk[r], rk[r]);
        rk2[r] = _mm256_broadcastsi128_si256(rk[r]);
    }

    /* H = E_K(0^128); the POLYVAL key is ByteReverse(H) times x, reduced by P (whose low
     * terms are x^127 + x^126 + x^121 + 1), with the carry turned into a mask. */
    uint8_t hb[16];
    _mm_storeu_si128((__m128i *)hb, bswap128(aes_block(rk2, _mm_setzero_si128())));
    uint64_t lo, hi;
    memcpy(&lo, hb, 8);
    memcpy(&hi, hb + 8, 8);
    uint64_t mask = 0 - (hi >> 63);
    hi = (hi << 1 | lo >> 63) ^ (mask & 0xC200000000000000ull);
    lo = (lo << 1) ^ (mask & 1);
    const __m128i h1 = _mm_set_epi64x((long long)hi, (long long)lo);

    __m128i p = h1;
    for (int i = PFI_GCM_VAES_POWERS - 1; i >= 0; i--) {
        _mm_storeu_si128((__m128i *)k->hpow[i], p);
        p = dot128(p, h1);
    }
    for (int i = PFI_GCM_VAES_POWERS - 1; i >= 0; i--) {
        _mm_storeu_si128((__m128i *)k->hpow_hi[i], p);
        p = dot128(p, h1);
    }
    for (int r = 0; r < 11; r++)
        for (int l = 0; l < 4; l++)
            memcpy(k->wide_rk[r] + 16 * l, k->rk[r], 16);
    /* H^128..H^33 for the wide loop's first three iterations of each four, then H^32..H^1. */
    for (int i = 95; i >= 0; i--) {
        _mm_storeu_si128((__m128i *)&k->wide_pow[i / 4][16 * (i % 4)], p);
        p = dot128(p, h1);
    }
    for (int j = 24; j < 32; j++) {
        const uint8_t *h = j < 28 ? k->hpow_hi[4 * (j - 24)] : k->hpow[4 * (j - 28)];
        memcpy(k->wide_pow[j], h, 64);
    }
    for (int j = 0; j < 32; j++)
        for (int q = 0; q < 8; q++)
            for (int b = 0; b < 8; b++)
                k->wide_pow[32 + j][8 * q + b] =
                    k->wide_pow[j][8 * q + b] ^ k->wide_pow[j][8 * (q ^ 1) + b];
    explicit_bzero(hb, sizeof(hb));
}
