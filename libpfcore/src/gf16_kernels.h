/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GF16_KERNELS_H
#define PF_CORE_GF16_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#include "gf16.h"

/* Shard-wide GF(2^16) operations on the 64-byte chunk layout (32 low bytes, then 32 high
 * bytes of 32 elements). @bytes is a positive multiple of 64; buffers are 64-byte aligned.
 * The butterflies are Leopard's: FFT a ^= b*m, b ^= a; IFFT b ^= a, a ^= b*m. fft2/ifft2
 * callers skip the multiplication themselves when the skew log is 65535 (a factor of zero). */
/* A matrix times shards: out[r] = init[r] ^ XOR_i coef[r * n_in + i] * in[i] over the first
 * @bytes (a multiple of 64) of each buffer, in the 64-byte chunk layout; no buffer needs
 * alignment, and out must not alias in or init. A NULL coefficient is zero. @scratch holds
 * GF16_DOT_SCRATCH bytes per coefficient, 64-byte aligned, for the kernel's own form of
 * them. */
struct gf16_dot {
    const uint8_t *const *in;
    uint8_t *const *out;
    const uint8_t *const *init; /* NULL, or n_out buffers */
    const struct gf16_lut *const *coef;
    uint32_t n_in, n_out;
    void *scratch;
};

#define GF16_DOT_SCRATCH 128u

struct gf16_kernels {
    void (*mul)(uint8_t *x, const struct gf16_lut *m, size_t bytes);
    /* x = y * m where only y may be unaligned (a caller's shard). */
    void (*mul_to)(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes);
    void (*xor_into)(uint8_t *x, const uint8_t *y, size_t bytes);
    void (*fft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes);
    void (*ifft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes);
    /* Two layers over s[0..3] = shards i, i + d, i + 2d, i + 3d; m = {m01, m23, m02} where m01
     * joins s0-s1, m23 s2-s3 and m02 both s0-s2 and s1-s3. The FFT does the m02 layer first,
     * the IFFT last. A NULL table is a zero skew factor (XOR only). */
    void (*fft4)(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes);
    void (*ifft4)(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes);
    /* NULL where the kernels have none; then small codes decode through the FFT too. */
    void (*dot)(const struct gf16_dot *job, size_t bytes);
    /* ifft4 reading its inputs from @src (any alignment) rather than s, and ifft4 adding its
     * outputs into @acc rather than storing them to s: the encoder's first and last IFFT
     * layers. NULL where the kernels have none. */
    void (*ifft4_in)(uint8_t *const s[4], const uint8_t *const src[4],
                     const struct gf16_lut *const m[3], size_t bytes);
    void (*ifft4_acc)(uint8_t *const s[4], uint8_t *const acc[4],
                      const struct gf16_lut *const m[3], size_t bytes);
    /* fft4 storing its outputs to @dst (any alignment) rather than to s: the encoder's last
     * FFT layer writes the recovery shards in place. NULL where the kernels have none. */
    void (*fft4_out)(uint8_t *const s[4], uint8_t *const dst[4],
                     const struct gf16_lut *const m[3], size_t bytes);
};

extern const struct gf16_kernels pfi_gf16_kernels_portable;
#if defined(__x86_64__)
extern const struct gf16_kernels pfi_gf16_kernels_ssse3;
extern const struct gf16_kernels pfi_gf16_kernels_avx2;
extern const struct gf16_kernels pfi_gf16_kernels_avx512_gfni;
#endif

#endif
