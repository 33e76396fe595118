/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GF(2^16) shard kernels on AVX-512 with GFNI. One zmm register holds a whole 64-byte chunk,
 * 32 low bytes then 32 high bytes, and a product is two GF2P8AFFINEQB with the table's bit
 * matrix blocks: P = [LL * lo | HH * hi] and Q = [HL * lo | LH * hi] (one block per 256-bit
 * half), and the product is P ^ Q with Q's halves swapped. That is two affine operations, a
 * lane swap and an XOR per 32 elements, against eight PSHUFB and their nibble masks for the
 * split-table kernels. Compiled with the AVX-512 and GFNI flags; rs16.c selects it only
 * where both are present. */
#include <immintrin.h>

#include "gf16_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

struct mat {
    __m512i p, q;
};

ALWAYS_INLINE struct mat load_mat(const struct gf16_lut *m)
{
    struct mat t;
    t.p = _mm512_inserti64x4(_mm512_set1_epi64((long long)m->affine[GF16_AFFINE_LL]),
                             _mm256_set1_epi64x((long long)m->affine[GF16_AFFINE_HH]), 1);
    t.q = _mm512_inserti64x4(_mm512_set1_epi64((long long)m->affine[GF16_AFFINE_HL]),
                             _mm256_set1_epi64x((long long)m->affine[GF16_AFFINE_LH]), 1);
    return t;
}

/* The two halves of the product before they are added. */
ALWAYS_INLINE void halves(const struct mat *t, __m512i v, __m512i *p, __m512i *q)
{
    *p = _mm512_gf2p8affine_epi64_epi8(v, t->p, 0);
    __m512i x = _mm512_gf2p8affine_epi64_epi8(v, t->q, 0);
    *q = _mm512_shuffle_i64x2(x, x, 0x4e);
}

ALWAYS_INLINE __m512i product(const struct mat *t, __m512i v)
{
    __m512i p, q;
    halves(t, v, &p, &q);
    return _mm512_xor_si512(p, q);
}

/* acc ^ v * m in one three-way XOR. */
ALWAYS_INLINE __m512i mul_add(const struct mat *t, __m512i acc, __m512i v)
{
    __m512i p, q;
    halves(t, v, &p, &q);
    return _mm512_ternarylogic_epi64(acc, p, q, 0x96);
}

#define LOAD(p) _mm512_load_si512((const void *)(p))
#define STORE(p, v) _mm512_store_si512((void *)(p), (v))

static void mul_to_avx512_gfni(uint8_t *x, const uint8_t *y, const struct gf16_lut *m,
                               size_t bytes)
{
    const struct mat t = load_mat(m);
    for (size_t o = 0; o < bytes; o += 64)
        STORE(x + o, product(&t, _mm512_loadu_si512((const void *)(y + o))));
}

static void mul_avx512_gfni(uint8_t *x, const struct gf16_lut *m, size_t bytes)
{
    mul_to_avx512_gfni(x, x, m, bytes);
}

static void xor_into_avx512_gfni(uint8_t *x, const uint8_t *y, size_t bytes)
{
    for (size_t o = 0; o < bytes; o += 64)
        STORE(x + o, _mm512_xor_si512(LOAD(x + o), LOAD(y + o)));
}

/* Leopard's butterflies: forward a ^= b*m, b ^= a; inverse b ^= a, a ^= b*m. Without @use
 * the factor is zero. */
ALWAYS_INLINE void bfly_fwd(const struct mat *t, const int use, __m512i *a, __m512i *b)
{
    if (use)
        *a = mul_add(t, *a, *b);
    *b = _mm512_xor_si512(*b, *a);
}

ALWAYS_INLINE void bfly_inv(const struct mat *t, const int use, __m512i *a, __m512i *b)
{
    *b = _mm512_xor_si512(*b, *a);
    if (use)
        *a = mul_add(t, *a, *b);
}

ALWAYS_INLINE void radix2_body(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes,
                               const int inverse)
{
    const struct mat t = load_mat(m);
    for (size_t o = 0; o < bytes; o += 64) {
        __m512i x = LOAD(a + o), y = LOAD(b + o);
        if (inverse)
            bfly_inv(&t, 1, &x, &y);
        else
            bfly_fwd(&t, 1, &x, &y);
        STORE(a + o, x);
        STORE(b + o, y);
    }
}

static void fft2_avx512_gfni(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    radix2_body(a, b, m, bytes, 0);
}

static void ifft2_avx512_gfni(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    radix2_body(a, b, m, bytes, 1);
}

/* Two butterfly layers over four shards in one pass (as gf16_simd_template.h): the FFT runs
 * the m02 layer first, the IFFT last; the flags are compile-time constants per instance.
 * The encoder's IFFT may read its first layer's inputs from @src (the caller's data shards,
 * unaligned) instead of the slots, and add its last layer's outputs into @acc instead of
 * storing them: a copy pass and an XOR pass fewer per chunk of data. */
ALWAYS_INLINE void radix4_body(uint8_t *const s[4], const struct gf16_lut *const m[3],
                               size_t bytes, const int use01, const int use23, const int use02,
                               const int inverse, const uint8_t *const *src,
                               uint8_t *const *acc, uint8_t *const *dst)
{
    uint8_t *s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
    struct mat t01 = {0}, t23 = {0}, t02 = {0};
    if (use01)
        t01 = load_mat(m[0]);
    if (use23)
        t23 = load_mat(m[1]);
    if (use02)
        t02 = load_mat(m[2]);
    for (size_t o = 0; o < bytes; o += 64) {
        __m512i a, b, c, d;
        if (src) {
            a = _mm512_loadu_si512((const void *)(src[0] + o));
            b = _mm512_loadu_si512((const void *)(src[1] + o));
            c = _mm512_loadu_si512((const void *)(src[2] + o));
            d = _mm512_loadu_si512((const void *)(src[3] + o));
        } else {
            a = LOAD(s0 + o), b = LOAD(s1 + o), c = LOAD(s2 + o), d = LOAD(s3 + o);
        }
        if (inverse) {
            bfly_inv(&t01, use01, &a, &b);
            bfly_inv(&t23, use23, &c, &d);
            bfly_inv(&t02, use02, &a, &c);
            bfly_inv(&t02, use02, &b, &d);
        } else {
            bfly_fwd(&t02, use02, &a, &c);
            bfly_fwd(&t02, use02, &b, &d);
            bfly_fwd(&t01, use01, &a, &b);
            bfly_fwd(&t23, use23, &c, &d);
        }
        if (dst) {
            _mm512_storeu_si512((void *)(dst[0] + o), a);
            _mm512_storeu_si512((void *)(dst[1] + o), b);
            _mm512_storeu_si512((void *)(dst[2] + o), c);
            _mm512_storeu_si512((void *)(dst[3] + o), d);
        } else if (acc) {
            STORE(acc[0] + o, _mm512_xor_si512(LOAD(acc[0] + o), a));
            STORE(acc[1] + o, _mm512_xor_si512(LOAD(acc[1] + o), b));
            STORE(acc[2] + o, _mm512_xor_si512(LOAD(acc[2] + o), c));
            STORE(acc[3] + o, _mm512_xor_si512(LOAD(acc[3] + o), d));
        } else {
            STORE(s0 + o, a);
            STORE(s1 + o, b);
            STORE(s2 + o, c);
            STORE(s3 + o, d);
        }
    }
}

#include "gf16_dispatch4.h"

static void fft4_avx512_gfni(uint8_t *const s[4], const struct gf16_lut *const m[3],
                             size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 0, NULL, NULL, NULL)
}

static void fft4_out_avx512_gfni(uint8_t *const s[4], uint8_t *const dst[4],
                                 const struct gf16_lut *const m[3], size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 0, NULL, NULL, dst)
}

static void ifft4_avx512_gfni(uint8_t *const s[4], const struct gf16_lut *const m[3],
                              size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 1, NULL, NULL, NULL)
}

static void ifft4_in_avx512_gfni(uint8_t *const s[4], const uint8_t *const src[4],
                                 const struct gf16_lut *const m[3], size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 1, src, NULL, NULL)
}

static void ifft4_acc_avx512_gfni(uint8_t *const s[4], uint8_t *const acc[4],
                                  const struct gf16_lut *const m[3], size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 1, NULL, acc, NULL)
}

/* Rows per pass over the inputs: eight accumulators per chunk, two chunks at a time. */
#define DOT_ROWS 8

/* One pass of @rows rows from @r0 over @nc (1 or 2) chunks at @o: each input chunk is loaded
 * once, and each coefficient's two matrices once for both chunks. */
ALWAYS_INLINE void dot_pass(const struct gf16_dot *job, const struct mat *mats, uint32_t r0,
                            uint32_t rows, size_t o, const int nc)
{
    __m512i acc[DOT_ROWS][2];
    for (uint32_t r = 0; r < rows; r++)
        for (int c = 0; c < nc; c++)
            acc[r][c] = job->init ? _mm512_loadu_si512(job->init[r0 + r] + o + 64 * c)
                                  : _mm512_setzero_si512();
    for (uint32_t i = 0; i < job->n_in; i++) {
        __m512i v[2];
        for (int c = 0; c < nc; c++)
            v[c] = _mm512_loadu_si512(job->in[i] + o + 64 * c);
        for (uint32_t r = 0; r < rows; r++) {
            const struct mat *t = &mats[(size_t)(r0 + r) * job->n_in + i];
            if (!job->coef[(size_t)(r0 + r) * job->n_in + i])
                continue;
            for (int c = 0; c < nc; c++)
                acc[r][c] = mul_add(t, acc[r][c], v[c]);
        }
    }
    for (uint32_t r = 0; r < rows; r++)
        for (int c = 0; c < nc; c++)
            _mm512_storeu_si512(job->out[r0 + r] + o + 64 * c, acc[r][c]);
}

static void dot_avx512_gfni(const struct gf16_dot *job, size_t bytes)
{
    struct mat *mats = job->scratch;
    const size_t n = (size_t)job->n_in * job->n_out;
    for (size_t c = 0; c < n; c++)
        if (job->coef[c])
            mats[c] = load_mat(job->coef[c]);
    for (uint32_t r0 = 0; r0 < job->n_out; r0 += DOT_ROWS) {
        const uint32_t rows = job->n_out - r0 < DOT_ROWS ? job->n_out - r0 : DOT_ROWS;
        size_t o = 0;
        for (; o + 128 <= bytes; o += 128)
            dot_pass(job, mats, r0, rows, o, 2);
        if (o < bytes)
            dot_pass(job, mats, r0, rows, o, 1);
    }
}

_Static_assert(sizeof(struct mat) == GF16_DOT_SCRATCH, "scratch per coefficient");

const struct gf16_kernels pfi_gf16_kernels_avx512_gfni = {
    .dot = dot_avx512_gfni,
    .ifft4_in = ifft4_in_avx512_gfni,
    .ifft4_acc = ifft4_acc_avx512_gfni,
    .fft4_out = fft4_out_avx512_gfni,
    .mul = mul_avx512_gfni,
    .mul_to = mul_to_avx512_gfni,
    .xor_into = xor_into_avx512_gfni,
    .fft2 = fft2_avx512_gfni,
    .ifft2 = ifft2_avx512_gfni,
    .fft4 = fft4_avx512_gfni,
    .ifft4 = ifft4_avx512_gfni,
};
