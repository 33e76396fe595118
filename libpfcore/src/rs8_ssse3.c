/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SSSE3 build of the split-nibble kernel; compiled with -mssse3 and selected only when the
 * CPU reports SSSE3. */
#include <tmmintrin.h>

#define VEC __m128i
#define VEC_BYTES 16
#define VEC_LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define VEC_STOREU(p, v) _mm_storeu_si128((__m128i *)(void *)(p), (v))
#define VEC_XOR _mm_xor_si128
#define VEC_AND _mm_and_si128
#define VEC_SRLI4(v) _mm_srli_epi16((v), 4)
#define VEC_SHUFFLE _mm_shuffle_epi8
#define VEC_TABLE(p) _mm_load_si128((const __m128i *)(const void *)(p))
#define VEC_SPLAT(b) _mm_set1_epi8((char)(b))
#define VEC_ZERO() _mm_setzero_si128()
#define KERNEL_NAME pfi_rs8_kernel_ssse3

#include "rs8_nibble_ops.h"
#include "rs8_simd_template.h"
