/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cpu.h"

#include "pf/core/common.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

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
    case PF_SIMD_AVX512:
        return pfi_cpu_has_avx512();
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
    if (cpu_has(PF_SIMD_AVX512))
        return PF_SIMD_AVX512;
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
    if (requested > PF_SIMD_AVX512 || !pf_core_simd_supported(requested))
        return -1;
    return (int)requested;
}

int pfi_cpu_has_vaes_gcm(void)
{
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    /* Leaf 1 ECX: PCLMULQDQ (1), AES (25), OSXSAVE (27), AVX (28). */
    const unsigned int leaf1 = 1u << 1 | 1u << 25 | 1u << 27 | 1u << 28;
    if ((c & leaf1) != leaf1)
        return 0;
    /* The kernel must save ymm state across context switches: XCR0 bits 1 (SSE) and 2
     * (AVX) both set, or every 256-bit instruction faults. */
    unsigned int xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    if ((xlo & 6u) != 6u)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    /* Leaf 7 EBX: AVX2 (5); ECX: VAES (9), VPCLMULQDQ (10). */
    return (b & 1u << 5) && (c & 1u << 9) && (c & 1u << 10);
#else
    return 0;
#endif
}

int pfi_cpu_has_avx512(void)
{
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & 1u << 27))
        return 0;
    /* XCR0: SSE (1), AVX (2), opmask (5), upper halves of zmm0-15 (6) and zmm16-31 (7).
     * A kernel that leaves any of them unsaved would corrupt or fault. */
    unsigned int xlo, xhi;
    __asm__ volatile("xgetbv" : "=a"(xlo), "=d"(xhi) : "c"(0));
    (void)xhi;
    if ((xlo & 0xe6u) != 0xe6u)
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    /* Leaf 7 EBX: AVX2 (5), AVX512F (16), AVX512DQ (17), AVX512BW (30), AVX512VL (31). */
    const unsigned int ebx = 1u << 5 | 1u << 16 | 1u << 17 | 1u << 30 | 1u << 31;
    return (b & ebx) == ebx;
#else
    return 0;
#endif
}

int pfi_cpu_has_gfni(void)
{
#if defined(__x86_64__)
    unsigned int a, b, c, d;
    /* Leaf 7 ECX bit 8. */
    return __get_cpuid_count(7, 0, &a, &b, &c, &d) && (c & 1u << 8);
#else
    return 0;
#endif
}

int pfi_cpu_has_vaes512_gcm(void)
{
#if defined(__x86_64__)
    return pfi_cpu_has_avx512() && pfi_cpu_has_vaes_gcm();
#else
    return 0;
#endif
}
