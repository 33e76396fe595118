/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AVX-512 build of the split-nibble kernel (for CPUs with AVX-512 but no GFNI): 64 bytes
 * per PSHUFB, both products of a coefficient folded into the accumulator by one VPTERNLOGQ,
 * and 32 registers for more rows. Compiled with the AVX-512 flags and selected only where
 * pfi_cpu_has_avx512() holds. */
#include "rs8_avx512_ops.h"

#define VEC_AND _mm512_and_si512
#define VEC_SRLI4(v) _mm512_srli_epi16((v), 4)
#define VEC_SHUFFLE _mm512_shuffle_epi8
#define VEC_TABLE(p) _mm512_broadcast_i32x4(_mm_load_si128((const __m128i *)(const void *)(p)))
#define VEC_SPLAT(b) _mm512_set1_epi8((char)(b))
#define KERNEL_NAME pfi_rs8_kernel_avx512
/* 6 x 2 accumulators, two split inputs (4 registers) and a table pair fit in 32 zmm. */
#define GROUP_ROWS 6
#define BLOCK_VECS 2

#include "rs8_nibble_ops.h"
#include "rs8_simd_template.h"
