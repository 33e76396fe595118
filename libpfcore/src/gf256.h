/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GF256_H
#define PF_CORE_GF256_H

#include <stdint.h>

/* GF(2^8) over x^8 + x^4 + x^3 + x^2 + 1 (0x11D) with generator 2: the field of GameStream's
 * FEC (nanors), ISA-L and zfec. The tables are constant data, so they are no global state. */

extern const uint8_t pfi_gf256_exp[510]; /* exp[i] = 2^i, doubled so log sums need no mod */
extern const uint8_t pfi_gf256_log[256]; /* log[0] is unused */

static inline uint8_t pfi_gf256_mul(uint8_t a, uint8_t b)
{
    if (a == 0 || b == 0)
        return 0;
    return pfi_gf256_exp[pfi_gf256_log[a] + pfi_gf256_log[b]];
}

/* Multiplicative inverse; inv(0) is defined as 0 to keep callers branch-free, and no caller
 * relies on it (the code's matrices never contain 0 denominators). */
static inline uint8_t pfi_gf256_inv(uint8_t a)
{
    if (a == 0)
        return 0;
    return pfi_gf256_exp[255 - pfi_gf256_log[a]];
}

static inline uint8_t pfi_gf256_div(uint8_t a, uint8_t b)
{
    if (a == 0 || b == 0)
        return 0;
    return pfi_gf256_exp[pfi_gf256_log[a] + 255 - pfi_gf256_log[b]];
}

/* Split-nibble product table of @c: out[0..15] = c * x, out[16..31] = c * (x << 4), so that
 * c * b = out[b & 15] ^ out[16 + (b >> 4)], one PSHUFB per half. */
void pfi_gf256_nibble_table(uint8_t c, uint8_t out[32]);

/* Multiplication by @c as the 8 x 8 bit matrix GF2P8AFFINEQB takes: byte 7 - i of the result
 * holds the input bits that feed output bit i, i.e. bit j is bit i of c * 2^j. */
uint64_t pfi_gf256_affine(uint8_t c);

#endif
