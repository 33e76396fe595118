/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "pattern.h"

#include <string.h>

void pattern_draw_bgrx(uint8_t *bgrx, uint32_t w, uint32_t h, uint32_t stride, uint32_t n)
{
    for (uint32_t y = 0; y < h; y++) {
        uint8_t *row = bgrx + (size_t)y * stride;
        for (uint32_t x = 0; x < w; x++) {
            uint8_t *p = row + (size_t)x * 4;
            if (y < PATTERN_BLOCK && x < PATTERN_BLOCK * PATTERN_BITS) {
                /* Studio-range black and white keep the blocks clear of clipping. */
                uint8_t v = (n >> (x / PATTERN_BLOCK)) & 1u ? 235 : 20;
                p[0] = p[1] = p[2] = v;
            } else {
                p[0] = (uint8_t)(x + 3 * n);
                p[1] = (uint8_t)(y + 2 * n);
                p[2] = (uint8_t)((x + y) / 4 + 5 * n);
            }
            p[3] = 255;
        }
    }
}
