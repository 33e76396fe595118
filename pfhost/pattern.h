/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_PATTERN_H
#define PFHOST_PATTERN_H

#include <stdint.h>

/* The test-pattern picture of `pfhost serve --source testpattern`: moving gradients and the
 * frame counter as 16 binary 32x32 blocks along the top row (white = 1), big enough to
 * survive lossy coding, so a client can check order and gaps from decoded pixels. */
#define PATTERN_BLOCK 32u
#define PATTERN_BITS 16u

void pattern_draw_bgrx(uint8_t *bgrx, uint32_t w, uint32_t h, uint32_t stride, uint32_t n);

/* Its sound: on channel c (client order FL FR C LFE BL BR SL SR) a sine of
 * PATTERN_TONE_HZ(c) at -12 dBFS, so a client can tell every channel and its place apart. */
#define PATTERN_TONE_HZ(c) (300.0 + 200.0 * (double)(c))
#define PATTERN_TONE_AMPLITUDE 8192.0

#endif
