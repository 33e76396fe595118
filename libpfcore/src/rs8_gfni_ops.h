/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GF2P8AFFINEQB multiply for rs8_simd_template.h: c * b is the bit matrix of c applied to
 * b, one instruction per vector. Inputs are used as loaded; the bit matrices come from the
 * job's coef_affine (expanded once per job by rs8.c), so a coefficient costs one broadcast
 * load rather than a byte load and an indexed one. The including file defines VEC,
 * VEC_SET1_64(x) (x in every 64-bit lane), VEC_AFFINE(d, matrix), and, where a three-way XOR
 * exists, VEC_XOR3(acc, a, b) to fold two products into an accumulator at once. */
#ifndef PF_CORE_RS8_GFNI_OPS_H
#define PF_CORE_RS8_GFNI_OPS_H

#include "rs8_kernel.h"

#define COEF_T uint64_t
#define COEF_BASE(job) ((job)->coef_affine)

struct vsplit {
    VEC d;
};

struct vcoef {
    VEC matrix;
};

ALWAYS_INLINE struct vsplit split(VEC d)
{
    struct vsplit s = {d};
    return s;
}

ALWAYS_INLINE struct vcoef load_coef(const struct pfi_rs8_job *job, uint64_t matrix)
{
    (void)job;
    struct vcoef v = {VEC_SET1_64(matrix)};
    return v;
}

ALWAYS_INLINE VEC mul_xor(VEC acc, struct vcoef c, struct vsplit s)
{
    return VEC_XOR(acc, VEC_AFFINE(s.d, c.matrix));
}

#ifdef VEC_XOR3
#define HAVE_MUL2_XOR 1
ALWAYS_INLINE VEC mul2_xor(VEC acc, struct vcoef c0, struct vsplit s0, struct vcoef c1,
                           struct vsplit s1)
{
    return VEC_XOR3(acc, VEC_AFFINE(s0.d, c0.matrix), VEC_AFFINE(s1.d, c1.matrix));
}
#endif

#endif
