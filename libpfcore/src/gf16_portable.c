/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gf16_kernels.h"

#include <string.h>

/* Expands the nibble tables to 16-bit products once per call, so each element costs four
 * lookups in a 128-byte table that stays in L1. */
static void expand(const struct gf16_lut *m, uint16_t t[4][16])
{
    for (int n = 0; n < 4; n++)
        for (int x = 0; x < 16; x++)
            t[n][x] = (uint16_t)(m->lo[n][x] | (m->hi[n][x] << 8));
}

static inline uint16_t product(uint16_t t[4][16], uint8_t lo, uint8_t hi)
{
    return t[0][lo & 15] ^ t[1][lo >> 4] ^ t[2][hi & 15] ^ t[3][hi >> 4];
}

static void mul_portable(uint8_t *x, const struct gf16_lut *m, size_t bytes)
{
    uint16_t t[4][16];
    expand(m, t);
    for (size_t c = 0; c < bytes; c += 64) {
        for (int i = 0; i < 32; i++) {
            uint16_t p = product(t, x[c + i], x[c + 32 + i]);
            x[c + i] = (uint8_t)p;
            x[c + 32 + i] = (uint8_t)(p >> 8);
        }
    }
}

static void mul_to_portable(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes)
{
    memcpy(x, y, bytes);
    mul_portable(x, m, bytes);
}

static void mul_add_portable(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes)
{
    uint16_t t[4][16];
    expand(m, t);
    for (size_t c = 0; c < bytes; c += 64) {
        for (int i = 0; i < 32; i++) {
            uint16_t p = product(t, y[c + i], y[c + 32 + i]);
            x[c + i] ^= (uint8_t)p;
            x[c + 32 + i] ^= (uint8_t)(p >> 8);
        }
    }
}

static void xor_portable(uint8_t *x, const uint8_t *y, size_t bytes)
{
    for (size_t i = 0; i < bytes; i += 8) {
        uint64_t a, b;
        memcpy(&a, x + i, 8);
        memcpy(&b, y + i, 8);
        a ^= b;
        memcpy(x + i, &a, 8);
    }
}

static void fft2_portable(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    mul_add_portable(a, b, m, bytes);
    xor_portable(b, a, bytes);
}

static void ifft2_portable(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    xor_portable(b, a, bytes);
    mul_add_portable(a, b, m, bytes);
}

static void fft2_or_xor(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    if (m)
        mul_add_portable(a, b, m, bytes);
    xor_portable(b, a, bytes);
}

static void ifft2_or_xor(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    xor_portable(b, a, bytes);
    if (m)
        mul_add_portable(a, b, m, bytes);
}

static void fft4_portable(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes)
{
    fft2_or_xor(s[0], s[2], m[2], bytes);
    fft2_or_xor(s[1], s[3], m[2], bytes);
    fft2_or_xor(s[0], s[1], m[0], bytes);
    fft2_or_xor(s[2], s[3], m[1], bytes);
}

static void ifft4_portable(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes)
{
    ifft2_or_xor(s[0], s[1], m[0], bytes);
    ifft2_or_xor(s[2], s[3], m[1], bytes);
    ifft2_or_xor(s[0], s[2], m[2], bytes);
    ifft2_or_xor(s[1], s[3], m[2], bytes);
}

const struct gf16_kernels pfi_gf16_kernels_portable = {
    .mul = mul_portable,
    .mul_to = mul_to_portable,
    .xor_into = xor_portable,
    .fft2 = fft2_portable,
    .ifft2 = ifft2_portable,
    .fft4 = fft4_portable,
    .ifft4 = ifft4_portable,
};
