/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dot-product kernel body shared by the SSSE3, AVX2 and AVX2+GFNI builds. The including file
 * defines the vector type and how one coefficient multiplies a vector, then includes this
 * once; keeping one loop nest means the kernels cannot drift apart.
 *
 * Required: VEC, VEC_BYTES, VEC_LOADU(p), VEC_STOREU(p, v), VEC_XOR(a, b), VEC_ZERO(),
 * KERNEL_NAME, and
 *   struct vsplit  an input vector prepared once and used by every row (nibbles, or as is),
 *   struct vcoef   one coefficient in the form the multiply wants (tables, or a bit matrix),
 *   split(VEC d), load_coef(job, c), mul_xor(acc, coef, split) = acc ^ c * d.
 * GROUP_ROWS and BLOCK_VECS may be set first to fit the register file.
 *
 * Shape of the work (what ISA-L's gf_Nvect_dot_prod does, plus cache blocking): the outer loop
 * walks column blocks of BLOCK_VECS vectors; for each block every group of GROUP_ROWS output
 * rows reads all inputs once. Each input vector is loaded and prepared once per group and
 * feeds GROUP_ROWS accumulators held in registers, so an output row is stored once per block
 * and never read back. One column block of all inputs (n_in * BLOCK_VECS vectors) stays in
 * L1 while the groups revisit it, and the inputs of the next block are prefetched during the
 * first group. */
#ifndef KERNEL_NAME
#error "define the vector operations before including rs8_simd_template.h"
#endif

#include "rs8_kernel.h"

#ifndef GROUP_ROWS
#define GROUP_ROWS 4
#endif
#ifndef BLOCK_VECS
#define BLOCK_VECS 2
#endif

ALWAYS_INLINE void dot_block(const struct pfi_rs8_job *job, uint32_t r0, const int rows,
                             const int vecs, size_t pos, size_t prefetch)
{
    const uint8_t *crow[GROUP_ROWS];
    VEC acc[GROUP_ROWS][BLOCK_VECS];

#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        crow[r] = job->coef + (size_t)(r0 + (uint32_t)r) * job->coef_stride;
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++)
            acc[r][v] = job->init ? VEC_LOADU(job->init[r0 + (uint32_t)r] + pos + v * VEC_BYTES)
                                  : VEC_ZERO();
    }
    for (uint32_t i = 0; i < job->n_in; i++) {
        const uint8_t *src = job->in[i] + pos;
        if (prefetch)
            __builtin_prefetch(src + prefetch, 0, 3);
        struct vsplit d[BLOCK_VECS];
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++)
            d[v] = split(VEC_LOADU(src + v * VEC_BYTES));
#pragma GCC unroll 8
        for (int r = 0; r < rows; r++) {
            const struct vcoef c = load_coef(job, crow[r][i]);
#pragma GCC unroll 4
            for (int v = 0; v < vecs; v++)
                acc[r][v] = mul_xor(acc[r][v], c, d[v]);
        }
    }
#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++)
            VEC_STOREU(job->out[r0 + (uint32_t)r] + pos + v * VEC_BYTES, acc[r][v]);
    }
}

/* Runs every output row over one column block: full groups first, then the 1..GROUP_ROWS-1
 * rows left as groups of 4, 2 and 1. rows is a compile-time constant in each call, so the
 * accumulators of every specialised body stay in registers. */
ALWAYS_INLINE void dot_rows(const struct pfi_rs8_job *job, size_t pos, const int vecs,
                            size_t prefetch)
{
    uint32_t r0 = 0;
    for (; r0 + GROUP_ROWS <= job->n_out; r0 += GROUP_ROWS) {
        dot_block(job, r0, GROUP_ROWS, vecs, pos, prefetch);
        prefetch = 0;
    }
#if GROUP_ROWS > 4
    if (job->n_out - r0 >= 4) {
        dot_block(job, r0, 4, vecs, pos, prefetch);
        r0 += 4;
        prefetch = 0;
    }
#endif
    if (job->n_out - r0 >= 2) {
        dot_block(job, r0, 2, vecs, pos, prefetch);
        r0 += 2;
        prefetch = 0;
    }
    if (job->n_out - r0 >= 1)
        dot_block(job, r0, 1, vecs, pos, prefetch);
}

void KERNEL_NAME(const struct pfi_rs8_job *job, size_t off, size_t len)
{
    if (len < VEC_BYTES) {
        pfi_rs8_kernel_portable(job, off, len);
        return;
    }
    const size_t step = BLOCK_VECS * VEC_BYTES;
    const size_t end = off + len;
    size_t pos = off;
    for (; pos + step <= end; pos += step)
        dot_rows(job, pos, BLOCK_VECS, pos + 2 * step <= end ? step : 0);
    for (; pos + VEC_BYTES <= end; pos += VEC_BYTES)
        dot_rows(job, pos, 1, 0);
    if (pos < end)
        dot_rows(job, end - VEC_BYTES, 1, 0);
}
