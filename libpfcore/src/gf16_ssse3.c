/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gf16_kernels.h"

#include <immintrin.h>

/* A 64-byte chunk is two pairs of XMM registers: bytes [c, c+16) hold low halves whose high
 * halves sit at [c+32, c+48), for c = 0 and 16; the loops visit c = 0, 16, 64, 80, ...
 * Each product byte is the XOR of four PSHUFB lookups, one per input nibble. */
struct tabs {
    __m128i lo[4], hi[4];
};

static inline void load_tabs(struct tabs *t, const struct gf16_lut *m)
{
    for (int n = 0; n < 4; n++) {
        t->lo[n] = _mm_load_si128((const __m128i *)m->lo[n]);
        t->hi[n] = _mm_load_si128((const __m128i *)m->hi[n]);
    }
}

static inline void product(const struct tabs *t, __m128i lo, __m128i hi, __m128i *ret_lo,
                           __m128i *ret_hi)
{
    const __m128i mask = _mm_set1_epi8(0x0f);
    __m128i n0 = _mm_and_si128(lo, mask);
    __m128i n1 = _mm_and_si128(_mm_srli_epi64(lo, 4), mask);
    __m128i n2 = _mm_and_si128(hi, mask);
    __m128i n3 = _mm_and_si128(_mm_srli_epi64(hi, 4), mask);
    __m128i pl = _mm_xor_si128(_mm_shuffle_epi8(t->lo[0], n0),
                                  _mm_shuffle_epi8(t->lo[1], n1));
    __m128i ph = _mm_xor_si128(_mm_shuffle_epi8(t->hi[0], n0),
                                  _mm_shuffle_epi8(t->hi[1], n1));
    pl = _mm_xor_si128(pl, _mm_xor_si128(_mm_shuffle_epi8(t->lo[2], n2),
                                               _mm_shuffle_epi8(t->lo[3], n3)));
    ph = _mm_xor_si128(ph, _mm_xor_si128(_mm_shuffle_epi8(t->hi[2], n2),
                                               _mm_shuffle_epi8(t->hi[3], n3)));
    *ret_lo = pl;
    *ret_hi = ph;
}

#define LD(p) _mm_load_si128((const __m128i *)(p))
#define ST(p, v) _mm_store_si128((__m128i *)(p), (v))

static void mul_ssse3(uint8_t *x, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += (c & 16) ? 48 : 16) {
        __m128i pl, ph;
        product(&t, LD(x + c), LD(x + c + 32), &pl, &ph);
        ST(x + c, pl);
        ST(x + c + 32, ph);
    }
}

static void mul_add_ssse3(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += (c & 16) ? 48 : 16) {
        __m128i pl, ph;
        product(&t, LD(y + c), LD(y + c + 32), &pl, &ph);
        ST(x + c, _mm_xor_si128(LD(x + c), pl));
        ST(x + c + 32, _mm_xor_si128(LD(x + c + 32), ph));
    }
}

static void xor_ssse3(uint8_t *x, const uint8_t *y, size_t bytes)
{
    for (size_t c = 0; c < bytes; c += (c & 16) ? 48 : 16) {
        ST(x + c, _mm_xor_si128(LD(x + c), LD(y + c)));
        ST(x + c + 32, _mm_xor_si128(LD(x + c + 32), LD(y + c + 32)));
    }
}

static void fft2_ssse3(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += (c & 16) ? 48 : 16) {
        __m128i bl = LD(b + c), bh = LD(b + c + 32), pl, ph;
        product(&t, bl, bh, &pl, &ph);
        __m128i al = _mm_xor_si128(LD(a + c), pl);
        __m128i ah = _mm_xor_si128(LD(a + c + 32), ph);
        ST(a + c, al);
        ST(a + c + 32, ah);
        ST(b + c, _mm_xor_si128(bl, al));
        ST(b + c + 32, _mm_xor_si128(bh, ah));
    }
}

static void ifft2_ssse3(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    for (size_t c = 0; c < bytes; c += (c & 16) ? 48 : 16) {
        __m128i al = LD(a + c), ah = LD(a + c + 32), pl, ph;
        __m128i bl = _mm_xor_si128(LD(b + c), al);
        __m128i bh = _mm_xor_si128(LD(b + c + 32), ah);
        ST(b + c, bl);
        ST(b + c + 32, bh);
        product(&t, bl, bh, &pl, &ph);
        ST(a + c, _mm_xor_si128(al, pl));
        ST(a + c + 32, _mm_xor_si128(ah, ph));
    }
}

const struct gf16_kernels pfi_gf16_kernels_ssse3 = {
    .mul = mul_ssse3,
    .mul_add = mul_add_ssse3,
    .xor_into = xor_ssse3,
    .fft2 = fft2_ssse3,
    .ifft2 = ifft2_ssse3,
};
