/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_CPU_H
#define PF_CORE_CPU_H

#include <stdint.h>

/* Resolves a requested PF_SIMD_* value to one the CPU can run: AUTO becomes the best,
 * and an unsupported request returns -1 so create() can refuse it clearly. */
int pfi_simd_resolve(uint32_t requested);

#endif
