/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AVX-512 kernel with GFNI: GF2P8AFFINEQB multiplies 64 bytes by a coefficient's bit matrix,
 * and inputs go in pairs so that one VPTERNLOGQ adds two products to an accumulator: three
 * vector instructions per two products where a multiply-then-XOR kernel needs four. Compiled
 * with the AVX-512 and GFNI flags; rs8.c selects it only where both are present. */
#include "rs8_avx512_ops.h"

#define VEC_SET1_64(x) _mm512_set1_epi64((long long)(x))
#define VEC_AFFINE(d, matrix) _mm512_gf2p8affine_epi64_epi8((d), (matrix), 0)
#define KERNEL_NAME pfi_rs8_kernel_avx512_gfni
/* 5 rows x 4 vectors: 20 accumulators, eight inputs, two matrices and two products fill
 * the 32 zmm. Measured here (AMD EPYC, Zen 4 class; minimum TSC ticks per call, 1392-byte
 * shards) among 3..10 rows x 1..5 vectors: (32,7) 3692 ticks against 4394 for 8 x 2 and
 * 3900 for 7 x 2, (200,50) 161772 against 181064 and 190085. */
#ifndef GROUP_ROWS
#define GROUP_ROWS 5
#endif
#ifndef BLOCK_VECS
#define BLOCK_VECS 4
#endif

#include "rs8_gfni_ops.h"
#include "rs8_simd_template.h"
