/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AVX2 kernel with GFNI: GF2P8AFFINEQB multiplies 32 bytes by a coefficient's bit matrix in
 * one instruction, against two PSHUFB, two masks and a shift for the split-nibble method, so
 * the same register budget carries more rows. Built with the AVX2 sources; the GFNI target is
 * enabled for this file only, and rs8.c selects it only when the CPU reports GFNI. */
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("gfni,avx2"))), apply_to = function)
#else
#pragma GCC target("gfni")
#endif

#include <immintrin.h>

#include "rs8_kernel.h"

#define VEC __m256i
#define VEC_BYTES 32
#define VEC_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VEC_STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define VEC_XOR _mm256_xor_si256
#define VEC_ZERO() _mm256_setzero_si256()
#define VEC_SET1_64(x) _mm256_set1_epi64x((long long)(x))
#define VEC_AFFINE(d, matrix) _mm256_gf2p8affine_epi64_epi8((d), (matrix), 0)
#define KERNEL_NAME pfi_rs8_kernel_avx2_gfni
/* One instruction per product leaves registers for a fifth row: 5 x 2 accumulators, two
 * input vectors and a matrix fit in 16 ymm (measured best of 3..8 rows x 1..4 vectors). */
#define GROUP_ROWS 5
#define BLOCK_VECS 2

#include "rs8_gfni_ops.h"
#include "rs8_simd_template.h"

#if defined(__clang__)
#pragma clang attribute pop
#endif
