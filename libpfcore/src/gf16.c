/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gf16.h"

#include <stdlib.h>
#include <string.h>

#define GF16_BITS 16u
#define GF16_POLY 0x1002Du

/* Leopard's Cantor basis (native-protocol.md §7.7): element i is the XOR of the basis vectors
 * selected by the bits of i, which makes every aligned index range an additive subspace. */
static const uint16_t cantor_basis[GF16_BITS] = {
    0x0001, 0xACCA, 0x3C0E, 0x163E, 0xC582, 0xED2E, 0x914C, 0x4012,
    0x6C98, 0x10D8, 0x6A72, 0xB900, 0xFDB8, 0xFB34, 0xFF38, 0x991E,
};

static void build_exp_log(uint16_t *exp, uint16_t *log)
{
    /* First the discrete log in the polynomial basis (generator x), kept in exp[] for now. */
    uint32_t state = 1;
    for (uint32_t i = 0; i < GF16_MODULUS; i++) {
        exp[state] = (uint16_t)i;
        state <<= 1;
        if (state >= GF16_ORDER)
            state ^= GF16_POLY;
    }
    exp[0] = GF16_MODULUS;

    /* log[] first maps a Cantor-basis index to its polynomial-basis value ... */
    log[0] = 0;
    for (uint32_t i = 0; i < GF16_BITS; i++) {
        uint32_t width = 1u << i;
        for (uint32_t j = 0; j < width; j++)
            log[j + width] = log[j] ^ cantor_basis[i];
    }
    /* ... then becomes the log of that value, and exp[] its inverse over Cantor indices. */
    for (uint32_t i = 0; i < GF16_ORDER; i++)
        log[i] = exp[log[i]];
    for (uint32_t i = 0; i < GF16_ORDER; i++)
        exp[log[i]] = (uint16_t)i;
    exp[GF16_MODULUS] = exp[0];
}

/* Skew factors of the additive FFT (Lin–Chung–Han basis), as Leopard's FFTInitialize. */
static void build_skew(const struct pf_rs16_tables *t, uint16_t *skew)
{
    uint16_t temp[GF16_BITS - 1];
    for (uint32_t i = 1; i < GF16_BITS; i++)
        temp[i - 1] = (uint16_t)(1u << i);

    for (uint32_t m = 0; m < GF16_BITS - 1; m++) {
        uint32_t step = 1u << (m + 1);
        skew[(1u << m) - 1] = 0;
        for (uint32_t i = m; i < GF16_BITS - 1; i++) {
            uint32_t s = 1u << (i + 1);
            for (uint32_t j = (1u << m) - 1; j < s; j += step)
                skew[j + s] = skew[j] ^ temp[i];
        }
        temp[m] = (uint16_t)(GF16_MODULUS -
                             t->log[gf16_mul_log(t, temp[m], t->log[temp[m] ^ 1u])]);
        for (uint32_t i = m + 1; i < GF16_BITS - 1; i++) {
            uint16_t sum = gf16_add_mod(t->log[temp[i] ^ 1u], temp[m]);
            temp[i] = gf16_mul_log(t, temp[i], sum);
        }
    }
    for (uint32_t i = 0; i < GF16_MODULUS; i++)
        skew[i] = t->log[skew[i]];
}

/* One 8 x 8 block of the bit matrix: input bits from @in (8 products of single-bit elements),
 * output bits @shift..@shift + 7 of those products. Byte j of x is product j's output byte,
 * so the block is x's bit transpose (three swap steps) with its rows in reverse byte order,
 * GF2P8AFFINEQB's row i being byte 7 - i. */
static uint64_t affine_block(const uint16_t *in, unsigned shift)
{
    uint64_t x = 0, t;
    for (unsigned j = 0; j < 8; j++)
        x |= (uint64_t)((in[j] >> shift) & 0xffu) << (8 * j);
    t = (x ^ (x >> 7)) & 0x00AA00AA00AA00AAull;
    x ^= t ^ (t << 7);
    t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCCull;
    x ^= t ^ (t << 14);
    t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0ull;
    x ^= t ^ (t << 28);
    return __builtin_bswap64(x);
}

/* Multiplication by a constant is GF(2)-linear, so each nibble table is XORs of the products
 * of the 16 single-bit elements: 16 table multiplications per log instead of 64. The select
 * masks keep the inner loop branch-free so the compiler vectorises it. The same 16 products
 * are the columns of the bit matrix. */
static void build_luts(const struct pf_rs16_tables *t, struct gf16_lut *lut)
{
    uint16_t sel[4][16];
    for (uint32_t b = 0; b < 4; b++)
        for (uint32_t x = 0; x < 16; x++)
            sel[b][x] = (x >> b) & 1u ? 0xFFFFu : 0;

    for (uint32_t log_m = 0; log_m < GF16_ORDER; log_m++) {
        uint16_t bit[GF16_BITS];
        for (uint32_t b = 0; b < GF16_BITS; b++)
            bit[b] = gf16_mul_log(t, (uint16_t)(1u << b), (uint16_t)log_m);
        struct gf16_lut *l = &lut[log_m];
        for (uint32_t n = 0; n < 4; n++) {
            const uint16_t *nb = &bit[4 * n];
            for (uint32_t x = 0; x < 16; x++) {
                uint16_t p = (uint16_t)((nb[0] & sel[0][x]) ^ (nb[1] & sel[1][x]) ^
                                        (nb[2] & sel[2][x]) ^ (nb[3] & sel[3][x]));
                l->lo[n][x] = (uint8_t)p;
                l->hi[n][x] = (uint8_t)(p >> 8);
            }
        }
        l->affine[GF16_AFFINE_LL] = affine_block(bit, 0);
        l->affine[GF16_AFFINE_HH] = affine_block(bit + 8, 8);
        l->affine[GF16_AFFINE_HL] = affine_block(bit, 8);
        l->affine[GF16_AFFINE_LH] = affine_block(bit + 8, 0);
    }
}

int pfi_gf16_tables_init(struct pf_rs16_tables *t)
{
    memset(t, 0, sizeof(*t));
    t->exp = malloc(GF16_ORDER * sizeof(uint16_t));
    t->log = malloc(GF16_ORDER * sizeof(uint16_t));
    t->skew = malloc(GF16_ORDER * sizeof(uint16_t));
    t->lut = aligned_alloc(64, GF16_ORDER * sizeof(struct gf16_lut));
    if (!t->exp || !t->log || !t->skew || !t->lut) {
        pfi_gf16_tables_finish(t);
        return -1;
    }
    build_exp_log(t->exp, t->log);
    build_skew(t, t->skew);
    t->skew[GF16_MODULUS] = 0;
    build_luts(t, t->lut);
    return 0;
}

void pfi_gf16_tables_finish(struct pf_rs16_tables *t)
{
    free(t->exp);
    free(t->log);
    free(t->skew);
    free(t->lut);
    memset(t, 0, sizeof(*t));
}
