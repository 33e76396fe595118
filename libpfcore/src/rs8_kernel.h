/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_RS8_KERNEL_H
#define PF_CORE_RS8_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* Bytes of one split-nibble table (low half, then high half); see pfi_gf256_nibble_table. */
#define PFI_RS8_TABLE_BYTES 32u

/* One matrix-times-shards product: out[r] = init[r] ^ XOR_i coef[r * coef_stride + i] * in[i],
 * over the byte range [off, off + len) of every shard.
 *
 * The multiply tables come from a bank holding all 256 field elements (8 KiB, built at
 * create), so a coefficient is only an index: any sub-matrix a decode needs is usable without
 * building tables, and the whole bank stays in L1 however large k * m is. */
struct pfi_rs8_job {
    const uint8_t *bank;         /* 256 tables of PFI_RS8_TABLE_BYTES, 32-byte aligned */
    const uint8_t *coef;         /* n_out rows of n_in coefficients */
    const uint64_t *coef_affine; /* the same as bit matrices (pfi_gf256_affine of each) */
    size_t coef_stride;          /* distance between coefficient rows, in both arrays */
    const uint8_t *const *in;    /* n_in shards */
    uint8_t *const *out;         /* n_out shards; must not alias any input or init */
    const uint8_t *const *init;  /* NULL, or n_out shards XORed into the result */
    uint32_t n_in;
    uint32_t n_out;
};

/* Every kernel writes the same bytes and touches nothing outside [off, off + len). SIMD
 * kernels finish a length that is not a multiple of their vector with one overlapping vector
 * that recomputes a few bytes already written; that is only correct because out never aliases
 * in or init, which is why the job forbids it. Buffers need no alignment. */
typedef void (*pfi_rs8_kernel_fn)(const struct pfi_rs8_job *job, size_t off, size_t len);

void pfi_rs8_kernel_portable(const struct pfi_rs8_job *job, size_t off, size_t len);
#if defined(__x86_64__)
void pfi_rs8_kernel_ssse3(const struct pfi_rs8_job *job, size_t off, size_t len);
void pfi_rs8_kernel_avx2(const struct pfi_rs8_job *job, size_t off, size_t len);
void pfi_rs8_kernel_avx2_gfni(const struct pfi_rs8_job *job, size_t off, size_t len);
void pfi_rs8_kernel_avx512(const struct pfi_rs8_job *job, size_t off, size_t len);
void pfi_rs8_kernel_avx512_gfni(const struct pfi_rs8_job *job, size_t off, size_t len);
#endif

/* out[i] = pfi_gf256_affine(coef[i]) for i < n, with @rows from pfi_rs8_expand_rows: only
 * where the AVX-512 GFNI kernel runs (rs8_expand_avx512_gfni.c). */
#if defined(__x86_64__)
void pfi_rs8_expand_affine_avx512_gfni(const uint8_t *coef, uint64_t *out, size_t n,
                                       const uint64_t rows[8]);
#endif
/* rows[j] = the bit matrix taking a coefficient c to byte j of pfi_gf256_affine(c). */
void pfi_rs8_expand_rows(uint64_t rows[8]);

/* The kernel pf_rs8_create() picked for PF_SIMD_AVX2 or PF_SIMD_AVX512 uses GFNI when the
 * CPU has it; the tests swap in each kernel in turn so every one meets the vectors on a
 * machine that has them. */
struct pf_rs8;
void pfi_rs8_set_kernel(struct pf_rs8 *rs, pfi_rs8_kernel_fn kernel);
int pfi_rs8_cpu_has_gfni(void);

#endif
