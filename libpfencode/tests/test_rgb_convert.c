/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The software path's fixed-point RGB -> YUV 4:2:0 against the exact equations. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode_helper.h"
#include "pf/common/frame.h"
#include "rgb_convert.h"

static double compare(uint32_t fmt, uint32_t space, uint32_t range, bool nv12, uint32_t w,
                      uint32_t h)
{
    struct pfi_rgb_convert c;
    assert_true(pfi_rgb_convert_init(&c, fmt, space, range));
    int stride = (int)w * 4 + 32;
    uint8_t *src = malloc((size_t)stride * h);
    uint64_t seed = fmt * 31 + range * 7 + nv12;
    for (size_t i = 0; i < (size_t)stride * h; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = (uint8_t)(seed >> 56);
    }
    /* Saturated corners must clamp, not wrap. */
    memset(src, 255, 8);
    memset(src + stride, 0, 8);
    uint8_t *y = malloc((size_t)w * h), *u = malloc((size_t)w * h / 2);
    uint8_t *v = nv12 ? u + 1 : u + (size_t)w * h / 4;
    int cstride = nv12 ? (int)w : (int)w / 2;
    pfi_rgb_convert_run(&c, src, stride, w, h, y, (int)w, u, v, cstride, nv12 ? 2 : 1);
    bool rgbx = fmt == PF_FRAME_FORMAT_RGBX || fmt == PF_FRAME_FORMAT_RGBA;
    double worst = 0;
    for (uint32_t py = 0; py < h; py += 2) {
        for (uint32_t px = 0; px < w; px += 2) {
            double avg[3] = {0, 0, 0}, ref[3];
            for (uint32_t d = 0; d < 4; d++) {
                const uint8_t *p = src + (size_t)(py + d / 2) * stride + (px + d % 2) * 4;
                double rgb[3] = {p[rgbx ? 0 : 2] / 255.0, p[1] / 255.0, p[rgbx ? 2 : 0] / 255.0};
                yuv_reference(rgb, space, range == PF_COLOR_RANGE_FULL, 8, ref);
                double got = y[(size_t)(py + d / 2) * w + px + d % 2];
                worst = fmax(worst, fabs(got - fmin(255, fmax(0, ref[0]))));
                for (int k = 0; k < 3; k++)
                    avg[k] += rgb[k] / 4;
            }
            yuv_reference(avg, space, range == PF_COLOR_RANGE_FULL, 8, ref);
            size_t ci = (size_t)(py / 2) * (size_t)cstride + (px / 2) * (nv12 ? 2 : 1);
            worst = fmax(worst, fabs(u[ci] - fmin(255, fmax(0, ref[1]))));
            worst = fmax(worst, fabs(v[ci] - fmin(255, fmax(0, ref[2]))));
        }
    }
    free(src);
    free(y);
    free(u);
    return worst;
}

static void matches_the_equations(void **state)
{
    static const uint32_t fmts[] = {PF_FRAME_FORMAT_BGRX, PF_FRAME_FORMAT_RGBX,
                                    PF_FRAME_FORMAT_BGRA, PF_FRAME_FORMAT_RGBA};
    for (size_t f = 0; f < 4; f++)
        for (uint32_t space = 0; space <= PF_COLOR_SPACE_BT601; space++)
            for (uint32_t range = 0; range < 2; range++)
                for (int nv12 = 0; nv12 < 2; nv12++)
                    assert_true(compare(fmts[f], space, range, nv12, 66, 20) <= 1.0);
    assert_true(compare(PF_FRAME_FORMAT_BGRX, 0, 0, true, 1280, 720) <= 1.0);
}

static void other_formats_are_left_to_swscale(void **state)
{
    struct pfi_rgb_convert c;
    assert_false(pfi_rgb_convert_init(&c, PF_FRAME_FORMAT_XR30, 0, 0));
    assert_false(pfi_rgb_convert_init(&c, PF_FRAME_FORMAT_NV12, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_the_equations),
        cmocka_unit_test(other_formats_are_left_to_swscale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
