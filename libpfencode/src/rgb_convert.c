/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "rgb_convert.h"

#include "color.h"

#include <math.h>

#include "pf/common/frame.h"

/* The loops below are written so that GCC vectorises them; -O2 only does the cheapest
 * vectorisation, and this file is the software path's largest cost after the encoder. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

static int32_t fx(double v)
{
    return (int32_t)lround(v * 65536.0);
}

bool pfi_rgb_convert_init(struct pfi_rgb_convert *c, uint32_t format, uint32_t color_space,
                          uint32_t color_range)
{
    switch (format) {
    case PF_FRAME_FORMAT_BGRX:
    case PF_FRAME_FORMAT_BGRA:
        c->r = 2, c->g = 1, c->b = 0;
        break;
    case PF_FRAME_FORMAT_RGBX:
    case PF_FRAME_FORMAT_RGBA:
        c->r = 0, c->g = 1, c->b = 2;
        break;
    default:
        return false;
    }
    /* Y'CbCr per ITU-R BT.601-7 / BT.709-6 / BT.2020-2, quantised as BT.709 §4.6 (limited)
     * or to the full 0..255 code range. */
    double kr, kb;
    pfi_color_luma_weights(color_space, &kr, &kb);
    double kg = 1.0 - kr - kb;
    bool full = color_range == PF_COLOR_RANGE_FULL;
    double ys = (full ? 255.0 : 219.0) / 255.0, cs = (full ? 255.0 : 224.0) / 255.0;
    c->y[0] = fx(kr * ys), c->y[1] = fx(kg * ys), c->y[2] = fx(kb * ys);
    /* Chroma weights apply to the sum of a 2x2 block, hence the quarter. */
    double cb = cs / (2.0 * (1.0 - kb)) / 4.0, cr = cs / (2.0 * (1.0 - kr)) / 4.0;
    c->u[0] = fx(-kr * cb), c->u[1] = fx(-kg * cb), c->u[2] = fx((1.0 - kb) * cb);
    c->v[0] = fx((1.0 - kr) * cr), c->v[1] = fx(-kg * cr), c->v[2] = fx(-kb * cr);
    c->y_off = ((full ? 0 : 16) << 16) + (1 << 15);
    return true;
}

static inline uint8_t clamp8(int32_t v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Inlined with constant byte offsets and chroma step, so each variant vectorises. */
static inline __attribute__((always_inline)) void
convert(const struct pfi_rgb_convert *c, const uint8_t *src, int src_stride, uint32_t width,
        uint32_t height, uint8_t *y, int y_stride, uint8_t *u, uint8_t *v, int c_stride,
        const unsigned ri, const unsigned gi, const unsigned bi, const int uv_step)
{
    const int32_t yr = c->y[0], yg = c->y[1], yb = c->y[2], yo = c->y_off;
    const int32_t ur = c->u[0], ug = c->u[1], ub = c->u[2];
    const int32_t vr = c->v[0], vg = c->v[1], vb = c->v[2];
    const int32_t co = (128 << 16) + (1 << 15);
    for (uint32_t row = 0; row < height; row += 2) {
        const uint8_t *s0 = src + (size_t)row * (size_t)src_stride;
        const uint8_t *s1 = s0 + src_stride;
        uint8_t *y0 = y + (size_t)row * (size_t)y_stride;
        uint8_t *y1 = y0 + y_stride;
        uint8_t *pu = u + (size_t)(row / 2) * (size_t)c_stride;
        uint8_t *pv = v + (size_t)(row / 2) * (size_t)c_stride;
        /* size_t indices keep the addresses affine, which the vectoriser needs. */
        for (size_t x = 0; x < width; x++) {
            y0[x] = clamp8((yr * s0[4 * x + ri] + yg * s0[4 * x + gi] + yb * s0[4 * x + bi] +
                            yo) >> 16);
            y1[x] = clamp8((yr * s1[4 * x + ri] + yg * s1[4 * x + gi] + yb * s1[4 * x + bi] +
                            yo) >> 16);
        }
        for (size_t x = 0; x < width / 2; x++) {
            int32_t r = s0[8 * x + ri] + s0[8 * x + ri + 4] + s1[8 * x + ri] + s1[8 * x + ri + 4];
            int32_t g = s0[8 * x + gi] + s0[8 * x + gi + 4] + s1[8 * x + gi] + s1[8 * x + gi + 4];
            int32_t b = s0[8 * x + bi] + s0[8 * x + bi + 4] + s1[8 * x + bi] + s1[8 * x + bi + 4];
            pu[x * uv_step] = clamp8((ur * r + ug * g + ub * b + co) >> 16);
            pv[x * uv_step] = clamp8((vr * r + vg * g + vb * b + co) >> 16);
        }
    }
}

/* An AVX2 clone picked at load time (ifunc) doubles the rate on CPUs that have it. */
#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target_clones("avx2", "default")))
#endif
void pfi_rgb_convert_run(const struct pfi_rgb_convert *c, const uint8_t *src, int src_stride,
                         uint32_t width, uint32_t height, uint8_t *y, int y_stride, uint8_t *u,
                         uint8_t *v, int c_stride, int uv_step)
{
    bool bgr = c->b == 0;
    if (uv_step == 2) {
        if (bgr)
            convert(c, src, src_stride, width, height, y, y_stride, u, v, c_stride, 2, 1, 0, 2);
        else
            convert(c, src, src_stride, width, height, y, y_stride, u, v, c_stride, 0, 1, 2, 2);
    } else {
        if (bgr)
            convert(c, src, src_stride, width, height, y, y_stride, u, v, c_stride, 2, 1, 0, 1);
        else
            convert(c, src, src_stride, width, height, y, y_stride, u, v, c_stride, 0, 1, 2, 1);
    }
}
