/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GF16_KERNELS_H
#define PF_CORE_GF16_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "gf16.h"

/* Shard-wide GF(2^16) operations on the 64-byte chunk layout (32 low bytes, then 32 high
 * bytes of 32 elements). @bytes is a positive multiple of 64; buffers are 64-byte aligned.
 * The butterflies are Leopard's: FFT a ^= b*m, b ^= a; IFFT b ^= a, a ^= b*m. Callers skip
 * the multiplication themselves when the skew log is 65535 (a factor of zero). */
struct gf16_kernels {
    void (*mul)(uint8_t *x, const struct gf16_lut *m, size_t bytes);
    void (*mul_add)(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes);
    void (*xor_into)(uint8_t *x, const uint8_t *y, size_t bytes);
    void (*fft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes);
    void (*ifft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes);
};

extern const struct gf16_kernels pfi_gf16_kernels_portable;
#if defined(__x86_64__)
extern const struct gf16_kernels pfi_gf16_kernels_ssse3;
extern const struct gf16_kernels pfi_gf16_kernels_avx2;
#endif

#endif
