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

static void KFN(mul)(uint8_t *x, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    FOR_EACH_STEP(o, bytes) {
        VEC pl, ph;
        product(&t, VEC_LOAD(x + o), VEC_LOAD(x + o + 32), &pl, &ph);
        VEC_STORE(x + o, pl);
        VEC_STORE(x + o + 32, ph);
    }
}

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

static void KFN(mul_add)(uint8_t *x, const uint8_t *y, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    FOR_EACH_STEP(o, bytes) {
        VEC xl = VEC_LOAD(x + o), xh = VEC_LOAD(x + o + 32);
        mul_add_reg(&t, &xl, &xh, VEC_LOAD(y + o), VEC_LOAD(y + o + 32));
        VEC_STORE(x + o, xl);
        VEC_STORE(x + o + 32, xh);
    }
}

static void KFN(xor_into)(uint8_t *x, const uint8_t *y, size_t bytes)
{
    for (size_t o = 0; o < bytes; o += VEC_BYTES)
        VEC_STORE(x + o, VEC_XOR(VEC_LOAD(x + o), VEC_LOAD(y + o)));
}

static void KFN(fft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    FOR_EACH_STEP(o, bytes) {
        VEC al = VEC_LOAD(a + o), ah = VEC_LOAD(a + o + 32);
        VEC bl = VEC_LOAD(b + o), bh = VEC_LOAD(b + o + 32);
        mul_add_reg(&t, &al, &ah, bl, bh);
        VEC_STORE(a + o, al);
        VEC_STORE(a + o + 32, ah);
        VEC_STORE(b + o, VEC_XOR(bl, al));
        VEC_STORE(b + o + 32, VEC_XOR(bh, ah));
    }
}

static void KFN(ifft2)(uint8_t *a, uint8_t *b, const struct gf16_lut *m, size_t bytes)
{
    struct tabs t;
    load_tabs(&t, m);
    FOR_EACH_STEP(o, bytes) {
        VEC al = VEC_LOAD(a + o), ah = VEC_LOAD(a + o + 32);
        VEC bl = VEC_XOR(VEC_LOAD(b + o), al), bh = VEC_XOR(VEC_LOAD(b + o + 32), ah);
        VEC_STORE(b + o, bl);
        VEC_STORE(b + o + 32, bh);
        mul_add_reg(&t, &al, &ah, bl, bh);
        VEC_STORE(a + o, al);
        VEC_STORE(a + o + 32, ah);
    }
}

/* Two butterfly layers over four shards in one pass (Leopard's DIT4), so each byte is loaded
 * and stored once per two layers. The flags say which multiplications are by a nonzero skew;
 * they are compile-time constants in every instance below. */
ALWAYS_INLINE void fft4_body(uint8_t *const s[4], const struct gf16_lut *const m[3],
                              size_t bytes, const int use01, const int use23, const int use02)
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
        VEC al = VEC_LOAD(s0 + o), ah = VEC_LOAD(s0 + o + 32);
        VEC bl = VEC_LOAD(s1 + o), bh = VEC_LOAD(s1 + o + 32);
        VEC cl = VEC_LOAD(s2 + o), ch = VEC_LOAD(s2 + o + 32);
        VEC dl = VEC_LOAD(s3 + o), dh = VEC_LOAD(s3 + o + 32);
        if (use02) {
            mul_add_reg(&t02, &al, &ah, cl, ch);
            mul_add_reg(&t02, &bl, &bh, dl, dh);
        }
        cl = VEC_XOR(cl, al);
        ch = VEC_XOR(ch, ah);
        dl = VEC_XOR(dl, bl);
        dh = VEC_XOR(dh, bh);
        if (use01)
            mul_add_reg(&t01, &al, &ah, bl, bh);
        bl = VEC_XOR(bl, al);
        bh = VEC_XOR(bh, ah);
        if (use23)
            mul_add_reg(&t23, &cl, &ch, dl, dh);
        dl = VEC_XOR(dl, cl);
        dh = VEC_XOR(dh, ch);
        VEC_STORE(s0 + o, al);
        VEC_STORE(s0 + o + 32, ah);
        VEC_STORE(s1 + o, bl);
        VEC_STORE(s1 + o + 32, bh);
        VEC_STORE(s2 + o, cl);
        VEC_STORE(s2 + o + 32, ch);
        VEC_STORE(s3 + o, dl);
        VEC_STORE(s3 + o + 32, dh);
    }
}

ALWAYS_INLINE void ifft4_body(uint8_t *const s[4], const struct gf16_lut *const m[3],
                              size_t bytes, const int use01, const int use23, const int use02)
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
        VEC al = VEC_LOAD(s0 + o), ah = VEC_LOAD(s0 + o + 32);
        VEC bl = VEC_LOAD(s1 + o), bh = VEC_LOAD(s1 + o + 32);
        VEC cl = VEC_LOAD(s2 + o), ch = VEC_LOAD(s2 + o + 32);
        VEC dl = VEC_LOAD(s3 + o), dh = VEC_LOAD(s3 + o + 32);
        bl = VEC_XOR(bl, al);
        bh = VEC_XOR(bh, ah);
        if (use01)
            mul_add_reg(&t01, &al, &ah, bl, bh);
        dl = VEC_XOR(dl, cl);
        dh = VEC_XOR(dh, ch);
        if (use23)
            mul_add_reg(&t23, &cl, &ch, dl, dh);
        cl = VEC_XOR(cl, al);
        ch = VEC_XOR(ch, ah);
        dl = VEC_XOR(dl, bl);
        dh = VEC_XOR(dh, bh);
        if (use02) {
            mul_add_reg(&t02, &al, &ah, cl, ch);
            mul_add_reg(&t02, &bl, &bh, dl, dh);
        }
        VEC_STORE(s0 + o, al);
        VEC_STORE(s0 + o + 32, ah);
        VEC_STORE(s1 + o, bl);
        VEC_STORE(s1 + o + 32, bh);
        VEC_STORE(s2 + o, cl);
        VEC_STORE(s2 + o + 32, ch);
        VEC_STORE(s3 + o, dl);
        VEC_STORE(s3 + o + 32, dh);
    }
}

/* A NULL table means a zero skew factor: that butterfly is only its XOR. */
#define DISPATCH4(body)                                                                        \
    switch ((m[0] ? 1 : 0) | (m[1] ? 2 : 0) | (m[2] ? 4 : 0)) {                                \
    case 0: body(s, m, bytes, 0, 0, 0); break;                                                 \
    case 1: body(s, m, bytes, 1, 0, 0); break;                                                 \
    case 2: body(s, m, bytes, 0, 1, 0); break;                                                 \
    case 3: body(s, m, bytes, 1, 1, 0); break;                                                 \
    case 4: body(s, m, bytes, 0, 0, 1); break;                                                 \
    case 5: body(s, m, bytes, 1, 0, 1); break;                                                 \
    case 6: body(s, m, bytes, 0, 1, 1); break;                                                 \
    default: body(s, m, bytes, 1, 1, 1); break;                                                \
    }

static void KFN(fft4)(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes)
{
    DISPATCH4(fft4_body)
}

static void KFN(ifft4)(uint8_t *const s[4], const struct gf16_lut *const m[3], size_t bytes)
{
    DISPATCH4(ifft4_body)
}

const struct gf16_kernels KFN(pfi_gf16_kernels) = {
    .mul = KFN(mul),
    .mul_to = KFN(mul_to),
    .mul_add = KFN(mul_add),
    .xor_into = KFN(xor_into),
    .fft2 = KFN(fft2),
    .ifft2 = KFN(ifft2),
    .fft4 = KFN(fft4),
    .ifft4 = KFN(ifft4),
};
