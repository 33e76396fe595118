/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_PATTERN_COUNTER_H
#define PF_TEST_PATTERN_COUNTER_H

#include <stddef.h>
#include <stdint.h>

/* The host's test pattern: 16 blocks of 32x32 along the top row, white (235) = bit set.
 * Read straight from the luma plane at each block's centre: no colour conversion. Returns the
 * frame counter, or -1 when a block is neither black nor white (a damaged picture). */
static inline int pattern_luma_counter(const uint8_t *luma, size_t stride)
{
    int v = 0;
    for (int b = 0; b < 16; b++) {
        uint32_t sum = 0;
        for (int y = 12; y < 20; y++)
            for (int x = b * 32 + 12; x < b * 32 + 20; x++)
                sum += luma[(size_t)y * stride + (size_t)x];
        uint32_t avg = sum / 64;
        if (avg > 150)
            v |= 1 << b;
        else if (avg > 80)
            return -1;
    }
    return v;
}

#endif
