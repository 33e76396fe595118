/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gf16_kernels.h"

#include <immintrin.h>

/* One 64-byte chunk is exactly two YMM registers: the 32 low bytes and the 32 high bytes.
 * Each product byte is the XOR of four PSHUFB lookups, one per input nibble. */
struct tabs {
    __m256i lo[4], hi[4];
};

static inline void load_tabs(struct tabs *t, const struct gf16_lut *m)
{
    for (int n = 0; n < 4; n++) {
        t->lo[n] = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)m->lo[n]));
        t->hi[n] = _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)m->hi[n]));
    }
}

static inline void product(const struct tabs *t, __m256i lo, __m256i hi, __m256i *ret_lo,
                           __m256i *ret_hi)
{
    const __m256i mask = _mm256_set1_epi8(0x0f);
    __m256i n0 = _mm256_and_si256(lo, mask);
    __m256i n1 = _mm256_and_si256(_mm256_srli_epi64(lo, 4), mask);
    __m256i n2 = _mm256_and_si256(hi, mask);
    __m256i n3 = _mm256_and_si256(_mm256_srli_epi64(hi, 4), mask);
    __m256i pl = _mm256_xor_si256(_mm256_shuffle_epi8(t->lo[0], n0),
                                  _mm256_shuffle_epi8(t->lo[1], n1));
    __m256i ph = _mm256_xor_si256(_mm256_shuffle_epi8(t->hi[0], n0),
                                  _mm256_shuffle_epi8(t->hi[1], n1));
    pl = _mm256_xor_si256(pl, _mm256_xor_si256(_mm256_shuffle_epi8(t->lo[2], n2),
                                               _mm256_shuffle_epi8(t->lo[3], n3)));
    ph = _mm256_xor_si256(ph, _mm256_xor_si256(_mm256_shuffle_epi8(t->hi[2], n2),
                                               _mm256_shuffle_epi8(t->hi[3], n3)));
    *ret_lo = pl;
    *ret_hi = ph;
}

#define LD(p) _mm256_load_si256((const __m256i *)(p))
#define ST(p, v) _mm256_store_si256((__m256i *)(p), (v))

static void mul_avx2(uint8_t *x, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += 64) {
        __m256i pl, ph;
        product(&t, LD(x + c), LD(x + c + 32), &pl, &ph);
        ST(x + c, pl);
        ST(x + c + 32, ph);
    }
}

static void mul_add_avx2(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += 64) {
        __m256i pl, ph;
        product(&t, LD(y + c), LD(y + c + 32), &pl, &ph);
        ST(x + c, _mm256_xor_si256(LD(x + c), pl));
        ST(x + c + 32, _mm256_xor_si256(LD(x + c + 32), ph));
    }
}

static void xor_avx2(uint8_t *x, const uint8_t *y, size_t bytes)
{
    for (size_t c = 0; c < bytes; c += 64) {
        ST(x + c, _mm256_xor_si256(LD(x + c), LD(y + c)));
        ST(x + c + 32, _mm256_xor_si256(LD(x + c + 32), LD(y + c + 32)));
    }
}

static void fft2_avx2(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += 64) {
        __m256i bl = LD(b + c), bh = LD(b + c + 32), pl, ph;
        product(&t, bl, bh, &pl, &ph);
        __m256i al = _mm256_xor_si256(LD(a + c), pl);
        __m256i ah = _mm256_xor_si256(LD(a + c + 32), ph);
        ST(a + c, al);
        ST(a + c + 32, ah);
        ST(b + c, _mm256_xor_si256(bl, al));
        ST(b + c + 32, _mm256_xor_si256(bh, ah));
    }
}

static void ifft2_avx2(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += 64) {
        __m256i al = LD(a + c), ah = LD(a + c + 32), pl, ph;
        __m256i bl = _mm256_xor_si256(LD(b + c), al);
        __m256i bh = _mm256_xor_si256(LD(b + c + 32), ah);
        ST(b + c, bl);
        ST(b + c + 32, bh);
        product(&t, bl, bh, &pl, &ph);
        ST(a + c, _mm256_xor_si256(al, pl));
        ST(a + c + 32, _mm256_xor_si256(ah, ph));
    }
}

const struct gf16_kernels pfi_gf16_kernels_avx2 = {
    .mul = mul_avx2,
    .mul_add = mul_add_avx2,
    .xor_into = xor_avx2,
    .fft2 = fft2_avx2,
    .ifft2 = ifft2_avx2,
};
