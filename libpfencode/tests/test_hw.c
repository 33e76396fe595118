/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Real encodes on the hardware backends (suite hw): every backend whose device opens here
 * encodes, and its output is decoded and checked like the software path's. A backend whose
 * device is absent is skipped; one whose device opens but cannot encode (a GPU without an
 * encoder engine) must say so at create with PF_ERR_UNSUPPORTED or PF_ERR_IO, never crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libavutil/log.h>

#include "e2e.h"
#include "pf/encode.h"

static void hw_backend(uint32_t backend)
{
    pf_encode_device_settings ds;
    pf_encode_device_settings_default(&ds);
    ds.backend = backend;
    pf_encode_device *dev = NULL;
    int r = pf_encode_device_create(&ds, &dev);
    if (r == PF_ERR_NOT_FOUND || r == PF_ERR_UNSUPPORTED) {
        /* cmocka 1.1 reports skip() as "not ok", so absence is a note, not a skip. */
        print_message("# %s: no device (%s)\n", pf_encode_backend_name(backend), pf_strerror(r));
        return;
    }
    assert_int_equal(r, 0);
    int encoded = 0;
    for (uint32_t codec = PF_ENCODE_CODEC_H264; codec <= PF_ENCODE_CODEC_AV1; codec <<= 1) {
        pf_encode_caps caps = {.struct_size = sizeof(caps)};
        r = pf_encode_device_query_caps(dev, codec, &caps);
        print_message("# %s codec %u: %s %s\n", pf_encode_backend_name(backend), codec,
                      r == 0 ? "offers" : "lacks", r == 0 ? caps.encoder_name : pf_strerror(r));
        if (r < 0)
            continue;
        /* NVENC and VAAPI encode on the GPU's encoder block (what lets pfhost offer AV1 by
         * default); Vulkan converts on the GPU and feeds a CPU encoder. */
        assert_int_equal(!!(caps.flags & PF_ENCODE_CAP_HARDWARE),
                         backend != PF_ENCODE_BACKEND_VULKAN);
        pf_encode_video_settings s;
        pf_encode_video_settings_default(&s);
        s.codec = codec;
        pf_encode_video *v = NULL;
        r = pf_encode_video_create(dev, &s, &v);
        if (r < 0) {
            assert_true(r == PF_ERR_UNSUPPORTED || r == PF_ERR_IO);
            continue;
        }
        pf_encode_video_destroy(v);
        static const uint32_t idr_at[] = {10};
        pf_encode_device *again = NULL;
        assert_int_equal(pf_encode_device_create(&ds, &again), 0);
        e2e_run(again, codec, 1280, 720, 30, idr_at, 1, 30.0);
        encoded++;
    }
    pf_encode_device_destroy(dev);
    print_message("# %s: %d codec(s) encoded end to end\n", pf_encode_backend_name(backend),
                  encoded);
}

/* True when at least one hardware backend has a device on this machine. */
static bool any_hardware(void)
{
    static const uint32_t hw[] = {PF_ENCODE_BACKEND_NVENC, PF_ENCODE_BACKEND_VAAPI,
                                  PF_ENCODE_BACKEND_VULKAN};
    for (size_t i = 0; i < 3; i++) {
        pf_encode_device_settings ds;
        pf_encode_device_settings_default(&ds);
        ds.backend = hw[i];
        pf_encode_device *dev = NULL;
        if (pf_encode_device_create(&ds, &dev) == 0) {
            pf_encode_device_destroy(dev);
            return true;
        }
    }
    return false;
}

static void nvenc(void **state)
{
    hw_backend(PF_ENCODE_BACKEND_NVENC);
}

static void vaapi(void **state)
{
    hw_backend(PF_ENCODE_BACKEND_VAAPI);
}

static void vulkan_gpu(void **state)
{
    hw_backend(PF_ENCODE_BACKEND_VULKAN);
}

int main(void)
{
    av_log_set_level(AV_LOG_QUIET);
    if (!any_hardware()) {
        /* TAP's skip-all plan: meson reports SKIP, not a pass without hardware. */
        printf("1..0 # SKIP no NVENC, VAAPI or Vulkan GPU device here\n");
        return 0;
    }
    av_log_set_level(AV_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nvenc),
        cmocka_unit_test(vaapi),
        cmocka_unit_test(vulkan_gpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
