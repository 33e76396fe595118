/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The GFNI kernels' bit matrices for many coefficients at once (pfi_gf256_affine of each),
 * 64 per step: a decode expands e x k coefficients for every new erasure pattern, and one
 * table lookup per coefficient, each waiting on the byte just computed, cost more than the
 * rest of the matrix work at (32,7).
 *
 * Byte j of a coefficient's matrix is a GF(2)-linear function of the coefficient, so one
 * GF2P8AFFINEQB with that function's own matrix (rows[j], from pfi_rs8_expand_rows) gives
 * byte j for 64 coefficients; a byte transpose of the eight results (unpacks within 128-bit
 * lanes, then a 4 x 4 transpose of the lanes) lays the matrices out one per qword.
 * Compiled with the AVX-512 and GFNI flags; rs8.c calls it only with the AVX-512 GFNI
 * kernel. */
#include <immintrin.h>

#include "rs8_kernel.h"

/* The 4 x 4 transpose of 128-bit lanes: out[L] holds lane L of in[0], in[1], in[2], in[3],
 * in that order. */
static inline void transpose_lanes(const __m512i in[4], __m512i out[4])
{
    __m512i t0 = _mm512_shuffle_i64x2(in[0], in[1], 0x44);
    __m512i t1 = _mm512_shuffle_i64x2(in[0], in[1], 0xEE);
    __m512i t2 = _mm512_shuffle_i64x2(in[2], in[3], 0x44);
    __m512i t3 = _mm512_shuffle_i64x2(in[2], in[3], 0xEE);
    out[0] = _mm512_shuffle_i64x2(t0, t2, 0x88);
    out[1] = _mm512_shuffle_i64x2(t0, t2, 0xDD);
    out[2] = _mm512_shuffle_i64x2(t1, t3, 0x88);
    out[3] = _mm512_shuffle_i64x2(t1, t3, 0xDD);
}

void pfi_rs8_expand_affine_avx512_gfni(const uint8_t *coef, uint64_t *out, size_t n,
                                       const uint64_t rows[8])
{
    __m512i mat[8];
#pragma GCC unroll 8
    for (int j = 0; j < 8; j++)
        mat[j] = _mm512_set1_epi64((long long)rows[j]);
    for (size_t at = 0; at < n; at += 64) {
        const size_t left = n - at;
        const __mmask64 m = left >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << left) - 1;
        const __m512i c = _mm512_maskz_loadu_epi8(m, coef + at);
        __m512i t[8];
#pragma GCC unroll 8
        for (int j = 0; j < 8; j++)
            t[j] = _mm512_gf2p8affine_epi64_epi8(c, mat[j], 0);
        /* Per 128-bit lane, coefficient x of the lane (0..15): a[p] words (t[2p], t[2p + 1])
         * for x = 0..7, b[p] for x = 8..15; then dwords of t[0..3] and t[4..7]; then qwords,
         * f[g] holding x = 2g and 2g + 1. */
        __m512i a[4], b[4], lo[4], hi[4], f[8];
#pragma GCC unroll 4
        for (int p = 0; p < 4; p++) {
            a[p] = _mm512_unpacklo_epi8(t[2 * p], t[2 * p + 1]);
            b[p] = _mm512_unpackhi_epi8(t[2 * p], t[2 * p + 1]);
        }
        lo[0] = _mm512_unpacklo_epi16(a[0], a[1]); /* x 0..3, bytes 0..3 */
        lo[1] = _mm512_unpackhi_epi16(a[0], a[1]); /* x 4..7 */
        lo[2] = _mm512_unpacklo_epi16(b[0], b[1]); /* x 8..11 */
        lo[3] = _mm512_unpackhi_epi16(b[0], b[1]); /* x 12..15 */
        hi[0] = _mm512_unpacklo_epi16(a[2], a[3]); /* the same, bytes 4..7 */
        hi[1] = _mm512_unpackhi_epi16(a[2], a[3]);
        hi[2] = _mm512_unpacklo_epi16(b[2], b[3]);
        hi[3] = _mm512_unpackhi_epi16(b[2], b[3]);
#pragma GCC unroll 4
        for (int q = 0; q < 4; q++) {
            f[2 * q] = _mm512_unpacklo_epi32(lo[q], hi[q]);
            f[2 * q + 1] = _mm512_unpackhi_epi32(lo[q], hi[q]);
        }
        /* Lane L of f[0..3] is coefficients 16L + 0..7, of f[4..7] 16L + 8..15. */
        __m512i o[8];
        transpose_lanes(f, o);
        transpose_lanes(f + 4, o + 4);
#pragma GCC unroll 4
        for (int l = 0; l < 4; l++) {
#pragma GCC unroll 2
            for (int h = 0; h < 2; h++) {
                const size_t first = 16 * (size_t)l + 8 * (size_t)h;
                if (first >= left)
                    continue;
                const size_t cnt = left - first;
                const __mmask8 qm = cnt >= 8 ? (__mmask8)0xff : (__mmask8)((1u << cnt) - 1);
                _mm512_mask_storeu_epi64(out + at + first, qm, o[4 * h + l]);
            }
        }
    }
}
