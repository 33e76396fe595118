/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Split-nibble multiply for rs8_simd_template.h: c * b = lo_c[b & 15] ^ hi_c[b >> 4], each
 * half one PSHUFB of the coefficient's 16-byte table (from the bank built at create) indexed
 * by a nibble. The including file defines VEC, VEC_AND, VEC_SRLI4(v) (16-bit lanes right by
 * 4), VEC_SHUFFLE(table, index), VEC_TABLE(p) (the 16 bytes at p in every 128-bit lane) and
 * VEC_SPLAT(b); where a three-way XOR exists, VEC_XOR3(acc, a, b) adds both halves at once. */
#ifndef PF_CORE_RS8_NIBBLE_OPS_H
#define PF_CORE_RS8_NIBBLE_OPS_H

#include "rs8_kernel.h"

struct vsplit {
    VEC lo, hi;
};

struct vcoef {
    VEC lo, hi;
};

ALWAYS_INLINE struct vsplit split(VEC d)
{
    const VEC mask = VEC_SPLAT(0x0f);
    struct vsplit s = {VEC_AND(d, mask), VEC_AND(VEC_SRLI4(d), mask)};
    return s;
}

ALWAYS_INLINE struct vcoef load_coef(const struct pfi_rs8_job *job, uint8_t c)
{
    const uint8_t *t = job->bank + (size_t)c * PFI_RS8_TABLE_BYTES;
    struct vcoef v = {VEC_TABLE(t), VEC_TABLE(t + 16)};
    return v;
}

/* Two dependent XORs into the accumulator rather than XORing the two products first: one
 * temporary less, which is what lets 4 x 2 AVX2 accumulators live in 16 ymm registers. */
ALWAYS_INLINE VEC mul_xor(VEC acc, struct vcoef c, struct vsplit s)
{
#ifdef VEC_XOR3
    return VEC_XOR3(acc, VEC_SHUFFLE(c.lo, s.lo), VEC_SHUFFLE(c.hi, s.hi));
#else
    acc = VEC_XOR(acc, VEC_SHUFFLE(c.lo, s.lo));
    return VEC_XOR(acc, VEC_SHUFFLE(c.hi, s.hi));
#endif
}

#endif
