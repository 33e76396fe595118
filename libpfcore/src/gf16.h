/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_CORE_GF16_H
#define PF_CORE_GF16_H

#include <stddef.h>
#include <stdint.h>

/* GF(2^16) as Leopard-RS defines it (native-protocol.md §7.7): polynomial 0x1002D, elements
 * written in the Cantor basis so that the additive FFT's subspaces are index ranges. Logs live
 * in Z/65535 where 65535 also stands for 0, so log 65535 means "multiply by one". */
#define GF16_ORDER 65536u
#define GF16_MODULUS 65535u

/* One multiply table per log: for nibble position n (0..3) of the input element, lo[n] and
 * hi[n] give the low and high product bytes of every nibble value, which is the PSHUFB shape
 * the SIMD kernels want and a cache-friendly one for the portable kernel. Multiplication by
 * a constant is GF(2)-linear, so it is also a 16 x 16 bit matrix: affine[] holds its four
 * 8 x 8 blocks as GF2P8AFFINEQB operands (row i of a block in byte 7 - i), in the order
 * low-from-low, high-from-high, high-from-low, low-from-high (GF16_AFFINE_*). */
enum { GF16_AFFINE_LL, GF16_AFFINE_HH, GF16_AFFINE_HL, GF16_AFFINE_LH };

struct gf16_lut {
    uint8_t lo[4][16];
    uint8_t hi[4][16];
    uint64_t affine[4];
};

struct pf_rs16_tables {
    uint16_t *exp;  /* 65536 entries; exp[65535] = exp[0] */
    uint16_t *log;  /* 65536 entries; log[0] is 65535 (no logarithm) */
    uint16_t *skew; /* 65535 entries: logs of Leopard's FFT skew factors */
    struct gf16_lut *lut; /* 65536 tables, 64-byte aligned, indexed by log */
};

static inline uint16_t gf16_add_mod(uint16_t a, uint16_t b)
{
    uint32_t s = (uint32_t)a + b;
    return (uint16_t)(s + (s >> 16));
}

static inline uint16_t gf16_sub_mod(uint16_t a, uint16_t b)
{
    uint32_t d = (uint32_t)a - b;
    return (uint16_t)(d + (d >> 16));
}

/* Product of element x and the element whose log is log_m. */
static inline uint16_t gf16_mul_log(const struct pf_rs16_tables *t, uint16_t x, uint16_t log_m)
{
    return x ? t->exp[gf16_add_mod(t->log[x], log_m)] : 0;
}

int pfi_gf16_tables_init(struct pf_rs16_tables *t);
void pfi_gf16_tables_finish(struct pf_rs16_tables *t);

#endif
