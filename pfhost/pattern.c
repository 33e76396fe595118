/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pattern.h"

#include <string.h>

void pattern_draw_bgrx(uint8_t *bgrx, uint32_t w, uint32_t h, uint32_t stride, uint32_t n)
{
    /* A diagonal gradient that moves with n: row y is row 0 shifted, so only one row is
     * computed per frame and the rest are copies (cheap enough for 4K on the CPU). */
    uint8_t *row0 = bgrx;
    for (uint32_t x = 0; x < w; x++) {
        uint8_t *p = row0 + (size_t)x * 4;
        p[0] = (uint8_t)(x + 3 * n);
        p[1] = (uint8_t)(x / 2 + 2 * n);
        p[2] = (uint8_t)(x / 4 + 5 * n);
        p[3] = 255;
    }
    for (uint32_t y = 1; y < h; y++) {
        uint8_t *row = bgrx + (size_t)y * stride;
        uint32_t shift = (y / 2) % w;
        memcpy(row, row0 + (size_t)shift * 4, (size_t)(w - shift) * 4);
        memcpy(row + (size_t)(w - shift) * 4, row0, (size_t)shift * 4);
    }
    uint32_t bw = w < PATTERN_BLOCK * PATTERN_BITS ? w / PATTERN_BITS : PATTERN_BLOCK;
    for (uint32_t y = 0; y < PATTERN_BLOCK && y < h; y++) {
        uint8_t *row = bgrx + (size_t)y * stride;
        for (uint32_t b = 0; b < PATTERN_BITS; b++) {
            /* Studio-range black and white keep the blocks clear of clipping. */
            uint8_t v = (n >> b) & 1u ? 235 : 20;
            for (uint32_t x = b * bw; x < (b + 1) * bw; x++) {
                uint8_t *p = row + (size_t)x * 4;
                p[0] = p[1] = p[2] = v;
            }
        }
    }
}
