/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GF(2^16) shard kernels shared by the SSSE3 and AVX2 builds. The including file defines the
 * vector operations and KERNELS_NAME, then includes this once.
 *
 * Required: VEC, VEC_BYTES (16 or 32), VEC_LOAD(p) (aligned), VEC_LOADU(p), VEC_STORE(p, v),
 * VEC_XOR, VEC_AND, VEC_SRLI4(v) (shift right by 4 within 64-bit lanes), VEC_SHUFFLE(table,
 * index), VEC_TABLE(p) (the 16-byte table at p in every 128-bit lane), VEC_SPLAT(b),
 * KERNELS_NAME.
 *
 * A 64-byte chunk holds 32 elements: low bytes at [0, 32), high bytes at [32, 64). A vector
 * step takes VEC_BYTES low bytes at offset o and the matching high bytes at o + 32, so the
 * loops visit o = 0 (and 16 for SSSE3) of each chunk. Each product byte is the XOR of four
 * PSHUFB lookups, one per nibble of the 16-bit input. */
#ifndef KERNELS_NAME
#error "define the vector operations before including gf16_simd_template.h"
#endif

#include "gf16_kernels.h"

#define ALWAYS_INLINE static inline __attribute__((always_inline))

struct tabs {
    VEC lo[4], hi[4];
};

ALWAYS_INLINE void load_tabs(struct tabs *t, const struct gf16_lut *m)
{
    for (int n = 0; n < 4; n++) {
        t->lo[n] = VEC_TABLE(m->lo[n]);
        t->hi[n] = VEC_TABLE(m->hi[n]);
    }
}

ALWAYS_INLINE void product(const struct tabs *t, VEC lo, VEC hi, VEC *ret_lo, VEC *ret_hi)
{
    const VEC mask = VEC_SPLAT(0x0f);
    VEC n0 = VEC_AND(lo, mask), n1 = VEC_AND(VEC_SRLI4(lo), mask);
    VEC n2 = VEC_AND(hi, mask), n3 = VEC_AND(VEC_SRLI4(hi), mask);
    VEC pl = VEC_XOR(VEC_SHUFFLE(t->lo[0], n0), VEC_SHUFFLE(t->lo[1], n1));
    VEC ph = VEC_XOR(VEC_SHUFFLE(t->hi[0], n0), VEC_SHUFFLE(t->hi[1], n1));
    pl = VEC_XOR(pl, VEC_XOR(VEC_SHUFFLE(t->lo[2], n2), VEC_SHUFFLE(t->lo[3], n3)));
    ph = VEC_XOR(ph, VEC_XOR(VEC_SHUFFLE(t->hi[2], n2), VEC_SHUFFLE(t->hi[3], n3)));
    *ret_lo = pl;
    *ret_hi = ph;
}

ALWAYS_INLINE void mul_add_reg(const struct tabs *t, VEC *xl, VEC *xh, VEC yl, VEC yh)
{
    VEC pl, ph;
    product(t, yl, yh, &pl, &ph);
    *xl = VEC_XOR(*xl, pl);
    *xh = VEC_XOR(*xh, ph);
}

#if VEC_BYTES == 32
#define NEXT_STEP(o) 64
#else
#define NEXT_STEP(o) (((o) & 16) ? 48 : 16)
#endif
#define FOR_EACH_STEP(o, bytes) for (size_t o = 0; o < (bytes); o += NEXT_STEP(o))

#define KFN2(a, b) a##_##b
#define KFN1(a, b) KFN2(a, b)
#define KFN(name) KFN1(name, KERNELS_NAME)

/* x = y * m; x is a work slot (aligned), y may be a caller's shard or x itself. */
static void KFN(mul_to)(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    FOR_EACH_STEP(o, bytes) {
        VEC pl, ph;
        product(&t, VEC_LOADU(y + o), VEC_LOADU(y + o + 32), &pl, &ph);
        VEC_STORE(x + o, pl);
        VEC_STORE(x + o + 32, ph);
    }
}

static void KFN(mul)(uint8_t *x, const struct gf16_lut *m, size_t bytes)
{
    KFN(mul_to)(x, x, m, bytes);
}

static void KFN(xor_into)(uint8_t *x, const uint8_t *y, size_t bytes)
{
    for (size_t o = 0; o < bytes; o += VEC_BYTES)
        VEC_STORE(x + o, VEC_XOR(VEC_LOAD(x + o), VEC_LOAD(y + o)));
}

/* Leopard's butterflies on one register pair each of a and b (low and high bytes):
 * forward a ^= b*m, b ^= a; inverse b ^= a, a ^= b*m. Without @use the factor is zero. */
ALWAYS_INLINE void bfly_fwd(const struct tabs *t, const int use, VEC *a, VEC *b)
{
    if (use)
        mul_add_reg(t, &a[0], &a[1], b[0], b[1]);
    b[0] = VEC_XOR(b[0], a[0]);
    b[1] = VEC_XOR(b[1], a[1]);
}

ALWAYS_INLINE void bfly_inv(const struct tabs *t, const int use, VEC *a, VEC *b)
{
    b[0] = VEC_XOR(b[0], a[0]);
    b[1] = VEC_XOR(b[1], a[1]);
    if (use)
        mul_add_reg(t, &a[0], &a[1], b[0], b[1]);
}

ALWAYS_INLINE void load_pair(VEC *v, const uint8_t *p)
{
    v[0] = VEC_LOAD(p);
    v[1] = VEC_LOAD(p + 32);
}

ALWAYS_INLINE void store_pair(uint8_t *p, const VEC *v)
{
    VEC_STORE(p, v[0]);
    VEC_STORE(p + 32, v[1]);
}

ALWAYS_INLINE void radix2_body(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes,
                               const int inverse)
{
    struct tabs t;
    load_tabs(&t, m);
    FOR_EACH_STEP(o, bytes) {
        VEC x[2], y[2];
        load_pair(x, a + o);
        load_pair(y, b + o);
        if (inverse)
            bfly_inv(&t, 1, x, y);
        else
            bfly_fwd(&t, 1, x, y);
        store_pair(a + o, x);
        store_pair(b + o, y);
    }
}

static void KFN(fft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    radix2_body(a, b, m, bytes, 0);
}

static void KFN(ifft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    radix2_body(a, b, m, bytes, 1);
}

/* Two butterfly layers over four shards in one pass (Leopard's DIT4), so each byte is loaded
 * and stored once per two layers: the FFT runs the m02 layer first, the IFFT last. The flags
 * say which multiplications are by a nonzero skew; they are compile-time constants in every
 * instance below. */
ALWAYS_INLINE void radix4_body(uint8_t *const s[4], const struct gf16_lut *const m[3],
                               size_t bytes, const int use01, const int use23, const int use02,
                               const int inverse)
{
    /* Locals: stores through uint8_t pointers may alias the caller's arrays, and copies keep
     * the pointers in registers. */
    uint8_t *s0 = s[0], *s1 = s[1], *s2 = s[2], *s3 = s[3];
    struct tabs t01, t23, t02;
    if (use01)
        load_tabs(&t01, m[0]);
    if (use23)
        load_tabs(&t23, m[1]);
    if (use02)
        load_tabs(&t02, m[2]);
    FOR_EACH_STEP(o, bytes) {
        VEC a[2], b[2], c[2], d[2];
        load_pair(a, s0 + o);
        load_pair(b, s1 + o);
        load_pair(c, s2 + o);
        load_pair(d, s3 + o);
        if (inverse) {
            bfly_inv(&t01, use01, a, b);
            bfly_inv(&t23, use23, c, d);
            bfly_inv(&t02, use02, a, c);
            bfly_inv(&t02, use02, b, d);
        } else {
            bfly_fwd(&t02, use02, a, c);
            bfly_fwd(&t02, use02, b, d);
            bfly_fwd(&t01, use01, a, b);
            bfly_fwd(&t23, use23, c, d);
        }
        store_pair(s0 + o, a);
        store_pair(s1 + o, b);
        store_pair(s2 + o, c);
        store_pair(s3 + o, d);
    }
}

#include "gf16_dispatch4.h"

static void KFN(fft4)(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 0)
}

static void KFN(ifft4)(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes)
{
    GF16_DISPATCH4(radix4_body, 1)
}

const struct gf16_kernels KFN(pfi_gf16_kernels) = {
    .mul = KFN(mul),
    .mul_to = KFN(mul_to),
    .xor_into = KFN(xor_into),
    .fft2 = KFN(fft2),
    .ifft2 = KFN(ifft2),
    .fft4 = KFN(fft4),
    .ifft4 = KFN(ifft4),
};
