/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <immintrin.h>

/* One vector step covers a whole 64-byte chunk: 32 low bytes and 32 high bytes. */
#define VEC __m256i
#define VEC_BYTES 32
#define VEC_LOAD(p) _mm256_load_si256((const __m256i *)(const void *)(p))
#define VEC_LOADU(p) _mm256_loadu_si256((const __m256i *)(const void *)(p))
#define VEC_STORE(p, v) _mm256_store_si256((__m256i *)(void *)(p), (v))
#define VEC_XOR _mm256_xor_si256
#define VEC_AND _mm256_and_si256
#define VEC_SRLI4(v) _mm256_srli_epi64((v), 4)
#define VEC_SHUFFLE _mm256_shuffle_epi8
#define VEC_TABLE(p)                                                                           \
    _mm256_broadcastsi128_si256(_mm_load_si128((const __m128i *)(const void *)(p)))
#define VEC_SPLAT(b) _mm256_set1_epi8((char)(b))
#define KERNELS_NAME avx2

#include "gf16_simd_template.h"
