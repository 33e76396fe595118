/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Dot-product kernel body shared by the SSSE3, AVX2, AVX2+GFNI and AVX-512 builds. The including file
 * defines the vector type and how one coefficient multiplies a vector, then includes this
 * once; keeping one loop nest means the kernels cannot drift apart.
 *
 * Required: VEC, VEC_BYTES, VEC_LOADU(p), VEC_STOREU(p, v), VEC_XOR(a, b), VEC_ZERO(),
 * KERNEL_NAME, and
 *   struct vsplit  an input vector prepared once and used by every row (nibbles, or as is),
 *   struct vcoef   one coefficient in the form the multiply wants (tables, or a bit matrix),
 *   split(VEC d), load_coef(job, c), mul_xor(acc, coef, split) = acc ^ c * d.
 * GROUP_ROWS and BLOCK_VECS may be set first to fit the register file. Optional:
 *   COEF_T and COEF_BASE(job): the coefficient array load_coef reads (default: the field
 *     elements, job->coef; the GFNI kernels read their bit matrices from job->coef_affine);
 *   mul2_xor(acc, c0, d0, c1, d1) = acc ^ c0 * d0 ^ c1 * d1, defined with HAVE_MUL2_XOR, where
 *     a three-way XOR (VPTERNLOGQ) folds two products in one instruction: inputs are then
 *     taken in pairs;
 *   VEC_MASK, VEC_TAIL_MASK(n), VEC_LOADU_MASK(m, p), VEC_STOREU_MASK(p, m, v): masked loads
 *     and stores (AVX-512), so a length that is not a multiple of the vector ends with one
 *     masked vector instead of an overlapping one or the portable kernel.
 *
 * Shape of the work (what ISA-L's gf_Nvect_dot_prod does, plus cache blocking): the outer loop
 * walks column blocks of BLOCK_VECS vectors; for each block every group of GROUP_ROWS output
 * rows reads all inputs once. Each input vector is loaded and prepared once per group and
 * feeds GROUP_ROWS accumulators held in registers, so an output row is stored once per block
 * and never read back. One column block of all inputs (n_in * BLOCK_VECS vectors) stays in
 * L1 while the groups revisit it, and the inputs of the next block are prefetched during the
 * first group, every line of it: one line per input and block left the other lines to the
 * hardware prefetcher, which with k input streams falls behind once the shards come from
 * memory ((32,7) over a working set of 256 MiB: 23 % faster). */
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
#define CACHE_LINE 64

#ifndef COEF_T
#define COEF_T uint8_t
#define COEF_BASE(job) ((job)->coef)
#endif

/* Loads and stores of the block: whole vectors, or under the tail mask @tm where the
 * kernel has masks (the caller passes an all-ones mask for whole vectors). */
#ifdef VEC_MASK
#define LOAD_IN(p) VEC_LOADU_MASK(tm, (p))
#define STORE_OUT(p, v) VEC_STOREU_MASK((p), tm, (v))
#else
typedef int VEC_MASK;
#define LOAD_IN(p) VEC_LOADU(p)
#define STORE_OUT(p, v) VEC_STOREU((p), (v))
#endif

ALWAYS_INLINE void dot_block(const struct pfi_rs8_job *job, uint32_t r0, const int rows,
                             const int vecs, size_t pos, size_t prefetch, VEC_MASK tm)
{
    (void)tm;
    const COEF_T *crow[GROUP_ROWS];
    VEC acc[GROUP_ROWS][BLOCK_VECS];

#pragma GCC unroll 8
    for (int r = 0; r < rows; r++) {
        crow[r] = COEF_BASE(job) + (size_t)(r0 + (uint32_t)r) * job->coef_stride;
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++)
            acc[r][v] = job->init ? LOAD_IN(job->init[r0 + (uint32_t)r] + pos + v * VEC_BYTES)
                                  : VEC_ZERO();
    }
    uint32_t i = 0;
#ifdef HAVE_MUL2_XOR
    for (; i + 2 <= job->n_in; i += 2) {
        const uint8_t *src0 = job->in[i] + pos, *src1 = job->in[i + 1] + pos;
        if (prefetch) {
#pragma GCC unroll 4
            for (int o = 0; o < vecs * VEC_BYTES; o += CACHE_LINE) {
                __builtin_prefetch(src0 + prefetch + o, 0, 3);
                __builtin_prefetch(src1 + prefetch + o, 0, 3);
            }
        }
        struct vsplit d0[BLOCK_VECS], d1[BLOCK_VECS];
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++) {
            d0[v] = split(LOAD_IN(src0 + v * VEC_BYTES));
            d1[v] = split(LOAD_IN(src1 + v * VEC_BYTES));
        }
#pragma GCC unroll 16
        for (int r = 0; r < rows; r++) {
            const struct vcoef c0 = load_coef(job, crow[r][i]);
            const struct vcoef c1 = load_coef(job, crow[r][i + 1]);
#pragma GCC unroll 4
            for (int v = 0; v < vecs; v++)
                acc[r][v] = mul2_xor(acc[r][v], c0, d0[v], c1, d1[v]);
        }
    }
#endif
    for (; i < job->n_in; i++) {
        const uint8_t *src = job->in[i] + pos;
        if (prefetch) {
#pragma GCC unroll 4
            for (int o = 0; o < vecs * VEC_BYTES; o += CACHE_LINE)
                __builtin_prefetch(src + prefetch + o, 0, 3);
        }
        struct vsplit d[BLOCK_VECS];
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++)
            d[v] = split(LOAD_IN(src + v * VEC_BYTES));
#pragma GCC unroll 16
        for (int r = 0; r < rows; r++) {
            const struct vcoef c = load_coef(job, crow[r][i]);
#pragma GCC unroll 4
            for (int v = 0; v < vecs; v++)
                acc[r][v] = mul_xor(acc[r][v], c, d[v]);
        }
    }
#pragma GCC unroll 16
    for (int r = 0; r < rows; r++) {
#pragma GCC unroll 4
        for (int v = 0; v < vecs; v++)
            STORE_OUT(job->out[r0 + (uint32_t)r] + pos + v * VEC_BYTES, acc[r][v]);
    }
}

/* Runs every output row over one column block: full groups first, then the rest as one
 * group of its own size. rows is a compile-time constant in each dot_block, so the
 * accumulators of every specialised body stay in registers, and no input is read more
 * than once per group. */
ALWAYS_INLINE void dot_rows(const struct pfi_rs8_job *job, size_t pos, const int vecs,
                            size_t prefetch, VEC_MASK tm)
{
    uint32_t r0 = 0;
    for (; r0 + GROUP_ROWS <= job->n_out; r0 += GROUP_ROWS) {
        dot_block(job, r0, GROUP_ROWS, vecs, pos, prefetch, tm);
        prefetch = 0;
    }
    /* One case per remainder below GROUP_ROWS (at most 9 rows). */
#define REST_CASE(n)                                                                          \
    case n:                                                                                   \
        if ((n) < GROUP_ROWS)                                                                 \
            dot_block(job, r0, (n) < GROUP_ROWS ? (n) : 1, vecs, pos, prefetch, tm);          \
        break;
    _Static_assert(GROUP_ROWS <= 9, "REST_CASE covers remainders up to 8 rows");
    switch (job->n_out - r0) {
        REST_CASE(1)
        REST_CASE(2)
        REST_CASE(3)
        REST_CASE(4)
        REST_CASE(5)
        REST_CASE(6)
        REST_CASE(7)
        REST_CASE(8)
#undef REST_CASE
    default:
        break;
    }
}

void KERNEL_NAME(const struct pfi_rs8_job *job, size_t off, size_t len)
{
#ifdef VEC_TAIL_MASK
    const VEC_MASK full = VEC_TAIL_MASK(VEC_BYTES);
#else
    const VEC_MASK full = 0;
    if (len < VEC_BYTES) {
        pfi_rs8_kernel_portable(job, off, len);
        return;
    }
#endif
    const size_t step = BLOCK_VECS * VEC_BYTES;
    const size_t end = off + len;
    size_t pos = off;
    for (; pos + step <= end; pos += step)
        dot_rows(job, pos, BLOCK_VECS, pos + 2 * step <= end ? step : 0, full);
    for (; pos + VEC_BYTES <= end; pos += VEC_BYTES)
        dot_rows(job, pos, 1, 0, full);
#ifdef VEC_TAIL_MASK
    if (pos < end)
        dot_rows(job, pos, 1, 0, VEC_TAIL_MASK(end - pos));
#else
    if (pos < end)
        dot_rows(job, end - VEC_BYTES, 1, 0, full);
#endif
}
