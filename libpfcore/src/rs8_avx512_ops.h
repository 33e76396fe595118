/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The 512-bit vector operations both AVX-512 GF(2^8) kernels share (rs8_avx512.c,
 * rs8_avx512_gfni.c): zmm loads and stores, and byte masks for a shard's last partial
 * vector. */
#ifndef PF_CORE_RS8_AVX512_OPS_H
#define PF_CORE_RS8_AVX512_OPS_H

#include <immintrin.h>

#define VEC __m512i
#define VEC_BYTES 64
#define VEC_LOADU(p) _mm512_loadu_si512((const void *)(p))
#define VEC_STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))
#define VEC_XOR _mm512_xor_si512
#define VEC_ZERO() _mm512_setzero_si512()
#define VEC_MASK __mmask64
#define VEC_TAIL_MASK(n) ((n) >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n)) - 1)
#define VEC_LOADU_MASK(m, p) _mm512_maskz_loadu_epi8((m), (const void *)(p))
#define VEC_STOREU_MASK(p, m, v) _mm512_mask_storeu_epi8((void *)(p), (m), (v))
/* acc ^ a ^ b in one instruction. */
#define VEC_XOR3(acc, a, b) _mm512_ternarylogic_epi64((acc), (a), (b), 0x96)

#endif
