/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RGB -> YUV 4:2:0 (8-bit) on the CPU in fixed point, for the software path's hot case:
 * 8-bit RGB desktop frames into x264/x265. The shapes it does not cover go to libswscale. */
#ifndef PF_ENCODE_RGB_CONVERT_H
#define PF_ENCODE_RGB_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

struct pfi_rgb_convert {
    int32_t y[3], u[3], v[3]; /* R, G, B weights in 1/65536 (chroma: per 2x2 sum) */
    int32_t y_off;            /* 16 or 0, in 1/65536 with rounding */
    uint8_t r, g, b;          /* byte offsets of R, G, B in a pixel */
};

/* Returns false when the format is not 8-bit 4-byte RGB. */
bool pfi_rgb_convert_init(struct pfi_rgb_convert *c, uint32_t format, uint32_t color_space,
                          uint32_t color_range);

/* Converts width x height (both even) into planar (u != v planes) or NV12 (uv interleaved:
 * pass the same pointer as u and v, v = u + 1 and uv_step 2). */
void pfi_rgb_convert_run(const struct pfi_rgb_convert *c, const uint8_t *src, int src_stride,
                         uint32_t width, uint32_t height, uint8_t *y, int y_stride, uint8_t *u,
                         uint8_t *v, int c_stride, int uv_step);

#endif
