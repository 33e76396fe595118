/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AES-128-GCM with 512-bit VAES and VPCLMULQDQ (AVX-512): four blocks per zmm register,
 * sixteen blocks of counter mode per iteration and GHASH over those sixteen blocks with a
 * single reduction (thirty-two of each from 2 KiB on, in gcm_vaes512_wide.S, see
 * WIDE_VECS). The key material and the POLYVAL-domain arithmetic are those of the
 * 256-bit kernel (gcm_vaes.c, which also expands the key); this file adds the wider loop,
 * masked loads and stores for partial blocks (no bounce buffers), and a final hash that
 * takes a short AAD, the message's last blocks and the length block in one reduction.
 *
 * GHASH(X_1..X_N) = sum X_j * H^(N - j + 1) (with the running state added into X_1), so
 * every block is multiplied by its own power of H and the products are summed unreduced;
 * hpow[i] holds H^(16 - i), so a vector of four consecutive blocks whose first takes H^e
 * reads its powers from hpow[16 - e] onwards.
 *
 * Constant time: no table indexed by key or data, no branch on them; lengths and the block
 * counter are public. */
#include "gcm_vaes.h"

#include <immintrin.h>

#include "pf/core/error.h"

#include <stddef.h>

#define VEC_BLOCKS 4u
#define BATCH_VECS 4u
#define BATCH_BLOCKS (VEC_BLOCKS * BATCH_VECS) /* 16: one reduction per batch */
#define BATCH_BYTES (BATCH_BLOCKS * 16u)

_Static_assert(PFI_GCM_VAES_POWERS == BATCH_BLOCKS, "one batch uses every stored power");

/* Fixed-count loops over rounds and registers are unrolled so that blocks stay in
 * registers (see gcm_vaes.c). */
#define UNROLLED _Pragma("GCC unroll 16")

static inline __m512i bswap512(__m512i x)
{
    const __m512i m = _mm512_broadcast_i32x4(
        _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    return _mm512_shuffle_epi8(x, m);
}

static inline __m128i bswap128(__m128i x)
{
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
                                            15));
}

static inline __m128i xor3_128(__m128i a, __m128i b, __m128i c)
{
    return _mm_ternarylogic_epi64(a, b, c, 0x96);
}

static inline __m512i xor3(__m512i a, __m512i b, __m512i c)
{
    return _mm512_ternarylogic_epi64(a, b, c, 0x96);
}

/* Unreduced sum of 256-bit products, one per lane. */
struct acc {
    __m512i lo, mid, hi;
};

static inline void acc_zero(struct acc *a)
{
    a->lo = a->mid = a->hi = _mm512_setzero_si512();
}

static inline void acc_mul(struct acc *a, __m512i x, __m512i h)
{
    a->lo = _mm512_xor_si512(a->lo, _mm512_clmulepi64_epi128(x, h, 0x00));
    a->hi = _mm512_xor_si512(a->hi, _mm512_clmulepi64_epi128(x, h, 0x11));
    a->mid = xor3(a->mid, _mm512_clmulepi64_epi128(x, h, 0x01),
                  _mm512_clmulepi64_epi128(x, h, 0x10));
}

/* Single blocks (a folded AAD block, the length block) join the same sum from xmm. */
static inline void acc_mul128(struct acc *a, __m128i x, __m128i h)
{
    acc_mul(a, _mm512_zextsi128_si512(x), _mm512_zextsi128_si512(h));
}

/* Montgomery reduction modulo the POLYVAL polynomial, as in gcm_vaes.c. */
static inline __m128i reduce(__m128i t0, __m128i t1)
{
    const __m128i poly = _mm_set_epi64x((long long)0xC200000000000000ull, 0);
    __m128i f = _mm_clmulepi64_si128(t0, poly, 0x10);
    t0 = _mm_xor_si128(_mm_shuffle_epi32(t0, 0x4e), f);
    f = _mm_clmulepi64_si128(t0, poly, 0x10);
    return xor3_128(_mm_shuffle_epi32(t0, 0x4e), f, t1);
}

static inline __m128i fold_lanes(__m512i v)
{
    __m256i h = _mm256_xor_si256(_mm512_castsi512_si256(v), _mm512_extracti64x4_epi64(v, 1));
    return _mm_xor_si128(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1));
}

static inline __m128i acc_reduce(const struct acc *a)
{
    __m128i lo = fold_lanes(a->lo), mid = fold_lanes(a->mid), hi = fold_lanes(a->hi);
    return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                  _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/* x * h reduced, for a single block: 128-bit products only, no lanes to fold (on the
 * closing path of every long message, where the latency counts). */
static inline __m128i mul_reduce128(__m128i x, __m128i h)
{
    __m128i lo = _mm_clmulepi64_si128(x, h, 0x00), hi = _mm_clmulepi64_si128(x, h, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(x, h, 0x01),
                                _mm_clmulepi64_si128(x, h, 0x10));
    return reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)),
                  _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

static inline __m128i load_pow128(const struct pfi_gcm_vaes_key *k, unsigned e)
{
    return _mm_loadu_si128((const __m128i *)k->hpow[PFI_GCM_VAES_POWERS - e]);
}

/* Powers for @n (0..4) consecutive blocks, the first taking H^e; lanes past @n read zero. */
static inline __m512i load_pows(const struct pfi_gcm_vaes_key *k, unsigned e, unsigned n)
{
    const __mmask8 m = (__mmask8)((1u << (2 * n)) - 1);
    return _mm512_maskz_loadu_epi64(m, k->hpow[PFI_GCM_VAES_POWERS - e]);
}

/* Byte mask for the first @n (0..64) bytes of a vector. */
static inline __mmask64 byte_mask(size_t n)
{
    return n >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << n) - 1;
}

/* Powers for the main loop, H^16..H^1 four to a vector, and for Karatsuba each power's
 * two halves XORed (in both qwords), so that a block's middle term costs one carry-less
 * multiplication instead of two: 12 per batch and 2 for its reduction. Both are read where
 * they are used from the key's wide-loop layout (gcm_vaes.h: H^16..H^1 are its last four
 * power vectors), not held in registers: the wide loop is a call, and every vector
 * register live across it would be stored to the stack and loaded back on every long
 * message. (Tried here: 32 blocks per batch, eight AES chains and H^32..H^1, ran 5-15 %
 * slower from spills.) */
struct batch_key {
    const __m512i *h, *hk;
};

static inline void batch_key_load(const struct pfi_gcm_vaes_key *k, struct batch_key *bk)
{
    bk->h = (const __m512i *)(const void *)k->wide_pow[28];
    bk->hk = (const __m512i *)(const void *)k->wide_pow[60];
}

/* One vector of a batch, already byte-reversed, hashed into the unreduced sums: Karatsuba
 * per block (lo, hi, and (a0 ^ a1)(b0 ^ b1), whose excess lo ^ hi is removed once, after
 * the sums). */
static inline void hash_vec(struct acc *a, __m512i x, __m512i h, __m512i hk)
{
    __m512i xk = _mm512_xor_si512(x, _mm512_shuffle_epi32(x, 0x4e));
    a->lo = _mm512_xor_si512(a->lo, _mm512_clmulepi64_epi128(x, h, 0x00));
    a->hi = _mm512_xor_si512(a->hi, _mm512_clmulepi64_epi128(x, h, 0x11));
    a->mid = _mm512_xor_si512(a->mid, _mm512_clmulepi64_epi128(xk, hk, 0x00));
}

/* Vector @j of a batch (bytes as in memory) in hashing order; the state enters with the
 * first block, after the byte reversal so that it stays off the shuffle unit. */
static inline __m512i hash_input(__m512i c, __m128i s, unsigned j)
{
    __m512i x = bswap512(c);
    return j == 0 ? _mm512_xor_si512(x, _mm512_zextsi128_si512(s)) : x;
}

static inline __m128i karatsuba_reduce(const struct acc *a)
{
    const struct acc t = {a->lo, xor3(a->mid, a->lo, a->hi), a->hi};
    return acc_reduce(&t);
}

/* Hashes one batch of sixteen blocks (byte order as in memory) into @s. */
static inline __m128i ghash_batch(const struct batch_key *bk, __m128i s, const __m512i *c)
{
    struct acc a;
    acc_zero(&a);
    UNROLLED
    for (unsigned j = 0; j < BATCH_VECS; j++)
        hash_vec(&a, hash_input(c[j], s, j), bk->h[j], bk->hk[j]);
    return karatsuba_reduce(&a);
}

/* Hashes @len bytes at @p, zero-padded to whole blocks, sixteen blocks per reduction. */
static __m128i ghash_bytes(const struct pfi_gcm_vaes_key *k, const struct batch_key *bk,
                           __m128i s, const uint8_t *p, size_t len)
{
    for (; len >= BATCH_BYTES; p += BATCH_BYTES, len -= BATCH_BYTES) {
        __m512i c[BATCH_VECS];
        UNROLLED
        for (unsigned j = 0; j < BATCH_VECS; j++)
            c[j] = _mm512_loadu_si512(p + 64 * j);
        s = ghash_batch(bk, s, c);
    }
    if (len && len <= 16) {
        const __m128i x = bswap128(_mm_maskz_loadu_epi8((__mmask16)((1u << len) - 1), p));
        s = mul_reduce128(_mm_xor_si128(x, s), load_pow128(k, 1));
    } else if (len) {
        unsigned nb = (unsigned)((len + 15) / 16);
        struct acc a;
        acc_zero(&a);
        for (unsigned j = 0; 4 * j < nb; j++) {
            size_t at = 64 * (size_t)j;
            __m512i x = bswap512(_mm512_maskz_loadu_epi8(byte_mask(len - at), p + at));
            if (j == 0)
                x = _mm512_xor_si512(x, _mm512_zextsi128_si512(s));
            unsigned left = nb - 4 * j;
            acc_mul(&a, x, load_pows(k, nb - 4 * j, left < 4 ? left : 4));
        }
        s = acc_reduce(&a);
    }
    return s;
}

static inline __m128i aes_block(const __m512i *rk, __m128i b)
{
    b = _mm_xor_si128(b, _mm512_castsi512_si128(rk[0]));
    UNROLLED
    for (int r = 1; r < 10; r++)
        b = _mm_aesenc_si128(b, _mm512_castsi512_si128(rk[r]));
    return _mm_aesenclast_si128(b, _mm512_castsi512_si128(rk[10]));
}

/* @nv (1..4, a constant after inlining) vectors of keystream from counter vector @ctr;
 * counters live byte-reversed so a lane's counter is its low dword (see gcm_vaes.c). */
static inline __attribute__((always_inline)) void keystream(const __m512i *rk, __m512i ctr,
                                                            __m512i *ks, unsigned nv)
{
    const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4));
    UNROLLED
    for (unsigned j = 0; j < nv; j++) {
        ks[j] = _mm512_xor_si512(bswap512(ctr), rk[0]);
        ctr = _mm512_add_epi32(ctr, four);
    }
    UNROLLED
    for (int r = 1; r < 10; r++) {
        UNROLLED
        for (unsigned j = 0; j < nv; j++)
            ks[j] = _mm512_aesenc_epi128(ks[j], rk[r]);
    }
    UNROLLED
    for (unsigned j = 0; j < nv; j++)
        ks[j] = _mm512_aesenclast_epi128(ks[j], rk[10]);
}

/* One batch of the main loop: keystream for the sixteen counter blocks @cb (byte order as
 * in memory) into @ks while the sixteen blocks at @c (ciphertext) are hashed into @s when
 * @hash. The GHASH steps are written between the AES rounds on purpose: AES and carry-less
 * multiplication share execution units, and with every round queued first the scheduler
 * cannot see the multiplications behind them, so the two chains would run one after the
 * other instead of side by side. */
static inline __attribute__((always_inline)) __m128i
batch(const __m512i *rk, const __m512i *cb, const __m512i *x, __m512i *ks,
      const struct batch_key *bk, __m128i s, const __m512i *c, int hash)
{
    const unsigned nv = BATCH_VECS;
    UNROLLED
    for (unsigned j = 0; j < nv; j++)
        ks[j] = _mm512_xor_si512(cb[j], rk[0]);
    struct acc a;
    acc_zero(&a);
    UNROLLED
    for (unsigned r = 1; r < 10; r++) {
        UNROLLED
        for (unsigned j = 0; j < nv; j++)
            ks[j] = _mm512_aesenc_epi128(ks[j], rk[r]);
        /* Vector r - 1 is hashed after round r. */
        if (hash && r <= nv) {
            const unsigned j = r - 1;
            hash_vec(&a, hash_input(c[j], s, j), bk->h[j], bk->hk[j]);
        }
        if (hash && r == nv + 1)
            s = karatsuba_reduce(&a);
    }
    /* The last round adds the input with its key: the output comes out of the round. */
    UNROLLED
    for (unsigned j = 0; j < nv; j++)
        ks[j] = _mm512_aesenclast_epi128(ks[j], _mm512_xor_si512(rk[10], x[j]));
    return s;
}

/* A batch's sixteen counter blocks in memory order, from the byte-reversed lanes @ctr of its
 * first vector. */
static inline void counter_blocks(__m512i ctr, __m512i *cb)
{
    const __m512i four = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, 4));
    UNROLLED
    for (unsigned j = 0; j < BATCH_VECS; j++) {
        cb[j] = bswap512(ctr);
        ctr = _mm512_add_epi32(ctr, four);
    }
}

/* The loop state of the whole batches: the next batch's counter blocks in memory order
 * @cb, its first vector's byte-reversed counters @ctr and its first counter @n, and the
 * previous batch's ciphertext @prev (sealing hashes it one batch late).
 *
 * The counter blocks advance in memory order: adding 16 to the last byte of every block
 * is one vector addition (no byte reversal) whenever that byte cannot wrap in any of the
 * sixteen, that is in fourteen batches out of sixteen; the other two rebuild them from
 * the byte-reversed counters. The counter is public, so the branch leaks nothing. */
struct loop {
    __m512i cb[BATCH_VECS], prev[BATCH_VECS], ctr;
    uint32_t n;
};

/* One whole batch at @off: @hash is a constant at every call, so that no branch splits
 * the hashing from the rounds it is interleaved with. */
static inline __attribute__((always_inline)) __m128i
step(const __m512i *rk, struct loop *l, const struct batch_key *bk, __m128i s,
     const uint8_t *in, uint8_t *out, int decrypt, int hash)
{
    const unsigned nv = BATCH_VECS;
    const __m512i step_le = _mm512_broadcast_i32x4(_mm_set_epi32(0, 0, 0, BATCH_BLOCKS));
    const __m512i step_be = _mm512_broadcast_i32x4(_mm_set_epi32(BATCH_BLOCKS << 24, 0, 0, 0));
    __m512i ks[BATCH_VECS], x[BATCH_VECS], c[BATCH_VECS];
    UNROLLED
    for (unsigned j = 0; j < nv; j++) {
        x[j] = _mm512_loadu_si512(in + 64 * j);
        c[j] = decrypt ? x[j] : l->prev[j];
    }
    s = batch(rk, l->cb, x, ks, bk, s, c, hash);
    l->ctr = _mm512_add_epi32(l->ctr, step_le);
    if ((l->n & 0xffu) <= 0xffu - 2 * BATCH_BLOCKS + 1) {
        UNROLLED
        for (unsigned j = 0; j < nv; j++)
            l->cb[j] = _mm512_add_epi32(l->cb[j], step_be);
    } else {
        counter_blocks(l->ctr, l->cb);
    }
    l->n += BATCH_BLOCKS;
    UNROLLED
    for (unsigned j = 0; j < nv; j++) {
        l->prev[j] = ks[j];
        _mm512_storeu_si512(out + 64 * j, ks[j]);
    }
    return s;
}

/* Runs every whole batch while at least one is left, advancing *@off and *@ctr: sealing
 * hashes each batch's ciphertext one batch late, beside the next batch's AES rounds, from
 * the registers it was stored from (reading it back from @out instead measured 40 % slower
 * at 16 KiB when @out is not 64-byte aligned: every load then splits across cache lines);
 * opening has its ciphertext up front and hashes it at once. */
static inline __attribute__((always_inline)) __m128i
batches(const __m512i *rk, __m512i *ctr, const struct batch_key *bk, __m128i s,
        const uint8_t *in, uint8_t *out, size_t len, size_t *off, int decrypt)
{
    const size_t bytes = BATCH_BYTES;
    if (len - *off < bytes)
        return s;
    struct loop l;
    l.ctr = *ctr;
    /* The first block's counter: J0 + 1. */
    l.n = (uint32_t)_mm_cvtsi128_si32(_mm512_castsi512_si128(*ctr));
    counter_blocks(*ctr, l.cb);
    if (!decrypt) {
        s = step(rk, &l, bk, s, in + *off, out + *off, 0, 0);
        *off += bytes;
    }
    while (len - *off >= bytes) {
        s = step(rk, &l, bk, s, in + *off, out + *off, decrypt, 1);
        *off += bytes;
    }
    if (!decrypt)
        s = ghash_batch(bk, s, l.prev);
    *ctr = l.ctr;
    return s;
}

/* Long messages run 32 blocks per iteration: eight AES chains instead of four. Four
 * chains of ten dependent rounds (four cycles each on AMD Zen 4) keep the AES units busy
 * only with no slack at all, so every carry-less multiplication that takes one of their
 * cycles delays a chain; eight leave room for the hashing beside them. The 32 blocks
 * hashed per iteration take H^32..H^1 (hpow_hi, then hpow) and one reduction. That loop
 * is gcm_vaes512_wide.S; this file sets it up and finishes it. */
#define WIDE_VECS 8u
#define WIDE_BLOCKS (VEC_BLOCKS * WIDE_VECS) /* 32 */
#define WIDE_BYTES (WIDE_BLOCKS * 16u)      /* 512 */
_Static_assert(offsetof(struct pfi_gcm_wide_state, s) == 64 &&
                   offsetof(struct pfi_gcm_wide_state, n) == 80,
               "the layout gcm_vaes512_wide.S reads");
_Static_assert(offsetof(struct pfi_gcm_vaes_key, wide_rk) % 64 == 0 &&
                   offsetof(struct pfi_gcm_vaes_key, wide_pow) ==
                       offsetof(struct pfi_gcm_vaes_key, wide_rk) + 11 * 64,
               "the key layout gcm_vaes512_wide.S reads");
/* Below this many bytes the four-chain loop alone runs (1400-byte packets among them). */
#define WIDE_MIN_BYTES 2048u

/* The wide loop over as many whole iterations as fit, where the message is long enough;
 * advances *@off and *@ctr and leaves the rest to batches(). The loop's round keys and
 * powers are read from the key as laid out at init (gcm_vaes.h), and sealing's first
 * iteration and last hash run inside it, so that only the counters and the state cross
 * over. */
static inline __attribute__((always_inline)) __m128i
wide_batches(const struct pfi_gcm_vaes_key *k, __m512i *ctr, __m128i s, const uint8_t *in,
             uint8_t *out, size_t len, size_t *off, int decrypt)
{
    if (len - *off < WIDE_MIN_BYTES)
        return s;
    const size_t iters = (len - *off) / WIDE_BYTES;
    struct pfi_gcm_wide_state st;
    _mm512_storeu_si512(st.ctr, *ctr);
    _mm_storeu_si128((__m128i *)st.s, s);
    /* The first block's counter: J0 + 1. */
    st.n = (uint32_t)_mm_cvtsi128_si32(_mm512_castsi512_si128(*ctr));
    if (decrypt)
        pfi_gcm_vaes512_wide_open(k->wide_rk, k->wide_pow, in + *off, out + *off, iters, &st);
    else
        pfi_gcm_vaes512_wide_seal(k->wide_rk, k->wide_pow, in + *off, out + *off, iters, &st);
    *off += iters * WIDE_BYTES;
    *ctr = _mm512_loadu_si512(st.ctr);
    return _mm_loadu_si128((const __m128i *)st.s);
}

/* The last 1..255 bytes: keystream for as many vectors as they need, masked loads and
 * stores, and the blocks to hash (ciphertext, zero-padded) left in @c. */
static inline __attribute__((always_inline)) void
crypt_tail(const __m512i *rk, __m512i ctr, const uint8_t *in, uint8_t *out, size_t r,
           __m512i *c, int decrypt)
{
    __m512i ks[BATCH_VECS];
    UNROLLED
    for (unsigned j = 0; j < BATCH_VECS; j++)
        ks[j] = _mm512_setzero_si512();
    const unsigned nv = (unsigned)((r + 63) / 64);
    switch (nv) {
    case 1:
        keystream(rk, ctr, ks, 1);
        break;
    case 2:
        keystream(rk, ctr, ks, 2);
        break;
    case 3:
        keystream(rk, ctr, ks, 3);
        break;
    default:
        keystream(rk, ctr, ks, 4);
        break;
    }
    /* Unrolled over every vector with empty masks past the end, so that nothing here goes
     * through memory but the message. */
    UNROLLED
    for (unsigned j = 0; j < BATCH_VECS; j++) {
        size_t at = 64 * (size_t)j;
        __mmask64 m = r > at ? byte_mask(r - at) : 0;
        __m512i x = _mm512_maskz_loadu_epi8(m, in + at);
        __m512i y = _mm512_maskz_mov_epi8(m, _mm512_xor_si512(x, ks[j]));
        _mm512_mask_storeu_epi8(out + at, m, y);
        c[j] = decrypt ? x : y;
    }
}

/* The closing hash: the running state @s (or a folded AAD block @a when nothing was hashed
 * before; then @nb <= 14), @nb (0..16) tail blocks in @c, and the length block @lb. With
 * sixteen powers stored, one reduction covers up to sixteen blocks; seventeen take two. */
static inline __attribute__((always_inline)) __m128i
ghash_final(const struct pfi_gcm_vaes_key *k, __m128i s, __m128i a, int has_a,
                           const __m512i *c, unsigned nb, __m128i lb)
{
    const unsigned total = (unsigned)has_a + nb + 1;
    if (total == 1) /* only the length block: the state rides on it */
        return mul_reduce128(_mm_xor_si128(lb, _mm_xor_si128(s, a)), load_pow128(k, 1));
    const int split = total > BATCH_BLOCKS;
    /* Exponent of the first block of the reduction that holds the tail. */
    const unsigned e = split ? (unsigned)has_a + nb : total;
    struct acc acc;
    acc_zero(&acc);
    __m128i first = _mm_xor_si128(s, a);
    unsigned et = e; /* exponent of the first tail block */
    if (has_a) {
        acc_mul128(&acc, first, load_pow128(k, e));
        first = _mm_setzero_si128();
        et = e - 1;
    }
    for (unsigned j = 0; 4 * j < nb; j++) {
        __m512i x = bswap512(c[j]);
        if (j == 0)
            x = _mm512_xor_si512(x, _mm512_zextsi128_si512(first));
        unsigned left = nb - 4 * j;
        acc_mul(&acc, x, load_pows(k, et - 4 * j, left < 4 ? left : 4));
    }
    if (split) {
        s = acc_reduce(&acc);
        acc_zero(&acc);
        lb = _mm_xor_si128(lb, s);
    }
    acc_mul128(&acc, lb, load_pow128(k, 1));
    return acc_reduce(&acc);
}

/* The whole of GCM-AE / GCM-AD (NIST SP 800-38D §7) but the final tag comparison: returns
 * the tag. @decrypt is a constant at both call sites, so each gets its own loop. */
static inline __attribute__((always_inline)) __m128i
gcm_crypt(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce, const uint8_t *aad,
          size_t aad_len, const uint8_t *in, size_t len, uint8_t *out, int decrypt)
{
    /* Round keys read broadcast from the key where they are used, like the powers (see
     * struct batch_key). */
    const __m512i *rk = (const __m512i *)(const void *)k->wide_rk;
    struct batch_key bk;
    batch_key_load(k, &bk);

    /* J0: the nonce, then the 32-bit counter 1 (big-endian). */
    const __m128i j0 = _mm_insert_epi32(_mm_maskz_loadu_epi8((__mmask16)0x0fff, nonce),
                                        0x01000000, 3);
    /* E(J0) has no dependency on the message; started first, it hides under the rest. */
    const __m128i ej0 = aes_block(rk, j0);

    /* A short message with up to one block of AAD hashes it with its last blocks and the
     * length block, one reduction in all (at most 1 + 14 + 1 blocks); otherwise the AAD is
     * hashed up front. */
    const int fold_aad = aad_len <= 16 && len <= BATCH_BYTES - 32;
    __m128i s = _mm_setzero_si128(), a = _mm_setzero_si128();
    if (fold_aad && aad_len)
        a = bswap128(_mm_maskz_loadu_epi8((__mmask16)((1u << aad_len) - 1), aad));
    else if (aad_len)
        s = ghash_bytes(k, &bk, s, aad, aad_len);

    /* Lanes hold counters 2..5 (J0 + 1 ...), the first blocks of the message. */
    __m512i ctr = _mm512_add_epi32(_mm512_broadcast_i32x4(bswap128(j0)),
                                   _mm512_set_epi32(0, 0, 0, 4, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0,
                                                    0, 1));

    size_t off = 0;
    s = wide_batches(k, &ctr, s, in, out, len, &off, decrypt);
    s = batches(rk, &ctr, &bk, s, in, out, len, &off, decrypt);

    size_t r = len - off;
    __m512i c[BATCH_VECS];
    if (r)
        crypt_tail(rk, ctr, in + off, out + off, r, c, decrypt);
    const __m128i lb = _mm_set_epi64x((long long)((uint64_t)aad_len * 8),
                                      (long long)((uint64_t)len * 8));
    s = ghash_final(k, s, a, fold_aad && aad_len, c, (unsigned)((r + 15) / 16), lb);
    return _mm_xor_si128(bswap128(s), ej0);
}

void pfi_gcm_vaes512_seal(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                          const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                          uint8_t *out, uint8_t *tag)
{
    __m128i t = gcm_crypt(k, nonce, aad, aad_len, in, len, out, 0);
    _mm_storeu_si128((__m128i *)tag, t);
}

int pfi_gcm_vaes512_open(const struct pfi_gcm_vaes_key *k, const uint8_t *nonce,
                         const uint8_t *aad, size_t aad_len, const uint8_t *in, size_t len,
                         const uint8_t *tag, uint8_t *out)
{
    __m128i t = gcm_crypt(k, nonce, aad, aad_len, in, len, out, 1);
    __m128i d = _mm_xor_si128(t, _mm_loadu_si128((const __m128i *)tag));
    return _mm_testz_si128(d, d) ? 0 : PF_ERR_AUTH;
}
