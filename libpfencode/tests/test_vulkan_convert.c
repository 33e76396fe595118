/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The RGB -> YUV compute shader against a reference conversion written out here from the
 * BT.709 / BT.2020 equations, on whatever Vulkan device exists (lavapipe without a GPU). */
#include <math.h>
#include "vk_driver_pin.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decode_helper.h"
#include "e2e.h"
#include "pf/common/frame.h"
#include "pf/core/error.h"
#include "vk_convert.h"

static struct pfi_vk *vk;

static int setup(void **state)
{
    pf_log_hook log = {0};
    return pfi_vk_create(-1, true, &log, &vk) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    pfi_vk_destroy(vk);
    return 0;
}

static void rgb_of(const uint8_t *p, uint32_t fmt, double rgb[3])
{
    if (fmt == PF_FRAME_FORMAT_XR30) {
        uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24;
        rgb[0] = ((v >> 20) & 1023) / 1023.0;
        rgb[1] = ((v >> 10) & 1023) / 1023.0;
        rgb[2] = (v & 1023) / 1023.0;
        return;
    }
    bool rgbx = fmt == PF_FRAME_FORMAT_RGBX || fmt == PF_FRAME_FORMAT_RGBA;
    rgb[0] = p[rgbx ? 0 : 2] / 255.0;
    rgb[1] = p[1] / 255.0;
    rgb[2] = p[rgbx ? 2 : 0] / 255.0;
}

static uint32_t sample(const uint8_t *plane, int stride, uint32_t x, uint32_t y, bool wide,
                       int shift)
{
    const uint8_t *row = plane + (size_t)y * (size_t)stride;
    if (!wide)
        return row[x];
    return ((uint32_t)row[2 * x] | (uint32_t)row[2 * x + 1] << 8) >> shift;
}

static double convert_and_compare(uint32_t w, uint32_t h, uint32_t fmt, uint32_t out,
                                  uint32_t space, uint32_t range)
{
    struct pfi_vk_conv_params p = {.width = w, .height = h, .in_format = fmt, .out = out,
                                   .color_space = space, .color_range = range};
    struct pfi_vk_conv *conv;
    assert_int_equal(pfi_vk_conv_create(vk, &p, &conv), 0);
    uint32_t stride = w * 4 + 64; /* padded rows, as capture buffers often are */
    uint8_t *src = malloc((size_t)stride * h);
    uint64_t seed = 12345 + fmt + out;
    for (size_t i = 0; i < (size_t)stride * h; i++) {
        seed = seed * 6364136223846793005ull + 1442695040888963407ull;
        src[i] = (uint8_t)(seed >> 56);
    }
    const uint8_t *planes[3];
    int strides[3];
    assert_int_equal(pfi_vk_conv_run(conv, src, stride, planes, strides), 0);

    bool ten = out == PFI_VK_OUT_P010 || out == PFI_VK_OUT_I420_10;
    bool planar = out == PFI_VK_OUT_I420 || out == PFI_VK_OUT_I420_10;
    int shift = out == PFI_VK_OUT_P010 ? 6 : 0;
    bool full = range == PF_COLOR_RANGE_FULL;
    double worst = 0;
    for (uint32_t y = 0; y < h; y += 2) {
        for (uint32_t x = 0; x < w; x += 2) {
            double avg[3] = {0, 0, 0};
            for (uint32_t dy = 0; dy < 2; dy++) {
                for (uint32_t dx = 0; dx < 2; dx++) {
                    double rgb[3], yuv[3];
                    rgb_of(src + (size_t)(y + dy) * stride + (x + dx) * 4, fmt, rgb);
                    yuv_reference(rgb, space, full, ten ? 10 : 8, yuv);
                    double got = sample(planes[0], strides[0], x + dx, y + dy, ten, shift);
                    worst = fmax(worst, fabs(got - yuv[0]));
                    for (int c = 0; c < 3; c++)
                        avg[c] += rgb[c] / 4;
                }
            }
            double yuv[3];
            yuv_reference(avg, space, full, ten ? 10 : 8, yuv);
            double u, v;
            if (planar) {
                u = sample(planes[1], strides[1], x / 2, y / 2, ten, shift);
                v = sample(planes[2], strides[2], x / 2, y / 2, ten, shift);
            } else {
                u = sample(planes[1], strides[1], x, y / 2, ten, shift);
                v = sample(planes[1], strides[1], x + 1, y / 2, ten, shift);
            }
            worst = fmax(worst, fmax(fabs(u - yuv[1]), fabs(v - yuv[2])));
        }
    }
    free(src);
    pfi_vk_conv_destroy(conv);
    return worst;
}

static void every_layout_matches_the_reference(void **state)
{
    static const uint32_t fmts[] = {PF_FRAME_FORMAT_BGRX, PF_FRAME_FORMAT_RGBX,
                                    PF_FRAME_FORMAT_BGRA, PF_FRAME_FORMAT_XR30};
    for (uint32_t out = PFI_VK_OUT_NV12; out <= PFI_VK_OUT_I420_10; out++) {
        for (size_t f = 0; f < 4; f++) {
            /* 8-bit outputs in both SDR matrices, 10-bit ones in BT.2020. */
            for (uint32_t k = 0; k < 4; k++) {
                uint32_t range = k & 1;
                uint32_t space = out >= PFI_VK_OUT_P010 ? PF_COLOR_SPACE_BT2020_PQ
                                 : k < 2                ? PF_COLOR_SPACE_BT709
                                                        : PF_COLOR_SPACE_BT601;
                double worst = convert_and_compare(64, 34, fmts[f], out, space, range);
                /* Rounding of single-precision arithmetic: at most one code value. */
                if (worst > 1.0)
                    print_message("# out %u fmt %08x space %u range %u: max error %.3f\n", out,
                                  fmts[f], space, range, worst);
                assert_true(worst <= 1.0);
            }
        }
    }
}

static void full_hd_frame(void **state)
{
    double worst = convert_and_compare(1920, 1080, PF_FRAME_FORMAT_BGRX, PFI_VK_OUT_NV12,
                                       PF_COLOR_SPACE_BT709, PF_COLOR_RANGE_LIMITED);
    print_message("# 1920x1080 BGRx -> NV12: max error %.3f\n", worst);
    assert_true(worst <= 1.0);
}

static void unsupported_shapes_are_refused(void **state)
{
    struct pfi_vk_conv *conv = NULL;
    struct pfi_vk_conv_params p = {.width = 100, .height = 64, .in_format = PF_FRAME_FORMAT_BGRX};
    assert_int_equal(pfi_vk_conv_create(vk, &p, &conv), PF_ERR_UNSUPPORTED);
    p.width = 64;
    p.height = 33;
    assert_int_equal(pfi_vk_conv_create(vk, &p, &conv), PF_ERR_UNSUPPORTED);
    p.height = 32;
    p.in_format = PF_FRAME_FORMAT_NV12;
    assert_int_equal(pfi_vk_conv_create(vk, &p, &conv), PF_ERR_UNSUPPORTED);
    assert_null(conv);
}

/* The whole Vulkan backend: shader conversion feeding the encoder, decoded and compared. */
static void backend_end_to_end(void **state)
{
    static const uint32_t idr_at[] = {6};
    e2e_run(e2e_device(PF_ENCODE_BACKEND_VULKAN), PF_ENCODE_CODEC_H264, 640, 360, 12, idr_at, 1,
            30.0);
    e2e_run(e2e_device(PF_ENCODE_BACKEND_VULKAN), PF_ENCODE_CODEC_HEVC, 640, 360, 6, NULL, 0,
            30.0);
}

int main(void)
{
    pin_vulkan_driver();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_layout_matches_the_reference),
        cmocka_unit_test(full_hd_frame),
        cmocka_unit_test(unsupported_shapes_are_refused),
        cmocka_unit_test(backend_end_to_end),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
