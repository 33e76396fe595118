/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpu.h"

#include "pf/core/common.h"

/* No cached state: __builtin_cpu_supports reads the compiler runtime's own table, and
 * objects resolve their kernels once at create time, so no global is needed here. */
static int cpu_has(uint32_t simd)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_cpu_init();
    switch (simd) {
    case PF_SIMD_SSSE3:
        return __builtin_cpu_supports("ssse3");
    case PF_SIMD_AVX2:
        return __builtin_cpu_supports("avx2");
    default:
        return 0;
    }
#else
    (void)simd;
    return 0;
#endif
}

int pf_core_simd_supported(uint32_t simd)
{
    if (simd == PF_SIMD_AUTO || simd == PF_SIMD_PORTABLE)
        return 1;
    return cpu_has(simd) ? 1 : 0;
}

uint32_t pf_core_simd_best(void)
{
    if (cpu_has(PF_SIMD_AVX2))
        return PF_SIMD_AVX2;
    if (cpu_has(PF_SIMD_SSSE3))
        return PF_SIMD_SSSE3;
    return PF_SIMD_PORTABLE;
}

int pfi_simd_resolve(uint32_t requested)
{
    if (requested == PF_SIMD_AUTO)
        return (int)pf_core_simd_best();
    if (requested > PF_SIMD_AVX2 || !pf_core_simd_supported(requested))
        return -1;
    return (int)requested;
}
