/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* AVX2 build of the split-nibble kernel; this file is compiled with -mavx2 only and runs only
 * after pfi_simd_resolve() has seen AVX2 on the CPU. */
#include <immintrin.h>

#define VEC __m256i
#define VEC_BYTES 32
#define VEC_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VEC_STOREU(p, v) _mm256_storeu_si256((__m256i *)(void *)(p), (v))
#define VEC_XOR _mm256_xor_si256
#define VEC_AND _mm256_and_si256
#define VEC_SRLI4(v) _mm256_srli_epi16((v), 4)
#define VEC_SHUFFLE _mm256_shuffle_epi8
#define VEC_TABLE(p) _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(p)))
#define VEC_SPLAT(b) _mm256_set1_epi8((char)(b))
#define VEC_ZERO() _mm256_setzero_si256()
#define KERNEL_NAME pfi_rs8_kernel_avx2

#include "rs8_nibble_ops.h"
#include "rs8_simd_template.h"
