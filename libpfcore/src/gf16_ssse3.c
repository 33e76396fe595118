/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <tmmintrin.h>

/* Two vector steps per 64-byte chunk: low bytes [0, 16) with high bytes [32, 48), then
 * [16, 32) with [48, 64). */
#define VEC __m128i
#define VEC_BYTES 16
#define VEC_LOAD(p) _mm_load_si128((const __m128i *)(const void *)(p))
#define VEC_LOADU(p) _mm_loadu_si128((const __m128i *)(const void *)(p))
#define VEC_STORE(p, v) _mm_store_si128((__m128i *)(void *)(p), (v))
#define VEC_XOR _mm_xor_si128
#define VEC_AND _mm_and_si128
#define VEC_SRLI4(v) _mm_srli_epi64((v), 4)
#define VEC_SHUFFLE _mm_shuffle_epi8
#define VEC_TABLE(p) _mm_load_si128((const __m128i *)(const void *)(p))
#define VEC_SPLAT(b) _mm_set1_epi8((char)(b))
#define KERNELS_NAME ssse3

#include "gf16_simd_template.h"
