/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test side of the encoder: a moving pattern with a frame counter drawn into the pixels,
 * a libavcodec decoder back to BGRx, PSNR, and Annex B inspection. */
#ifndef PF_ENCODE_TEST_DECODE_HELPER_H
#define PF_ENCODE_TEST_DECODE_HELPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pf/encode.h"

/* Draws frame n: smooth gradients moving with n, plus n as 16 binary 32x32 blocks on the
 * top row. bgrx has stride bytes per row. */
void pattern_draw(uint8_t *bgrx, uint32_t w, uint32_t h, uint32_t stride, uint32_t n);
/* Reads the counter back from decoded pixels; -1 when a block is ambiguous. */
int pattern_counter(const uint8_t *bgrx, uint32_t w, uint32_t stride);

/* Y'CbCr of one R'G'B' triple in [0,1] (ITU-R BT.709-6 §3 / BT.2020-2 §4), quantised per
 * BT.709 §4.6 (limited) or to the full code range, at 8 or 10 bits; unrounded. */
void yuv_reference(const double rgb[3], uint32_t color_space, bool full, int depth,
                   double out[3]);

double psnr_bgrx(const uint8_t *a, const uint8_t *b, uint32_t w, uint32_t h, uint32_t stride);

struct test_decoder;
struct test_decoded {
    uint32_t width, height;
    int pix_fmt;                /* AVPixelFormat of the decoder's output */
    bool has_mastering;         /* HDR10 mastering display side data */
    int primaries, trc, space;  /* AVColorPrimaries, AVColorTransferCharacteristic, AVColorSpace */
    bool full_range;            /* AVCOL_RANGE_JPEG */
    const uint8_t *bgrx;        /* converted, stride width * 4 */
};

struct test_decoder *test_decoder_open(uint32_t codec);
/* Decodes one access unit; returns 1 with *out filled when a picture came out, 0 if none. */
int test_decoder_push(struct test_decoder *d, const uint8_t *data, size_t size,
                      struct test_decoded *out);
void test_decoder_close(struct test_decoder *d);

/* NAL unit types in an Annex B access unit, in order (H.264: 5 bits, HEVC: 6 bits).
 * Returns the count, or -1 if the unit does not start with a start code. */
int annexb_nal_types(const uint8_t *data, size_t size, bool hevc, int *types, int max);

#endif
