/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_CPU_H
#define PF_CORE_CPU_H

#include <stdint.h>

/* Resolves a requested PF_SIMD_* value to one the CPU can run: AUTO becomes the best,
 * and an unsupported request returns -1 so create() can refuse it clearly. */
int pfi_simd_resolve(uint32_t requested);

/* 1 when AES-128-GCM may run on 256-bit VAES and VPCLMULQDQ (gcm_vaes.c): the CPU has
 * them plus AVX2, AES-NI and PCLMULQDQ, and the OS saves ymm state; else 0. */
int pfi_cpu_has_vaes_gcm(void);

/* 1 when AVX-512 F, DQ, BW and VL (and AVX2) run here and the OS saves opmask and zmm
 * state (XCR0 bits 5-7 besides SSE and AVX); else 0. */
int pfi_cpu_has_avx512(void);

/* 1 when the CPU has GFNI (GF2P8AFFINEQB); the caller checks the vector width it pairs it
 * with separately. */
int pfi_cpu_has_gfni(void);

/* 1 when AES-128-GCM may run on 512-bit VAES and VPCLMULQDQ (gcm_vaes512.c): the above
 * plus what pfi_cpu_has_vaes_gcm() asks for; else 0. */
int pfi_cpu_has_vaes512_gcm(void);

#endif
