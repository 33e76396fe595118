/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Backend selection: the PF_ENCODER override, explicit backends without a device, and the
 * fallback to software when a probe fails (field notes: one failing probe must not block the
 * next). No GPU is assumed: a missing device is made certain with a path that cannot exist. */
#include "vk_driver_pin.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/encode.h"

struct log_capture {
    char text[4096];
    size_t len;
};

static void capture(void *user_data, uint32_t level, const char *topic, const char *msg,
                    size_t len)
{
    struct log_capture *c = user_data;
    int n = snprintf(c->text + c->len, sizeof(c->text) - c->len, "%s: %.*s\n", topic, (int)len,
                     msg);
    if (n > 0 && c->len + (size_t)n < sizeof(c->text))
        c->len += (size_t)n;
}

static int open_with(const char *env, uint32_t backend, const char *path, uint32_t allow_cpu,
                     struct log_capture *log, pf_encode_device **ret)
{
    if (env)
        setenv("PF_ENCODER", env, 1);
    else
        unsetenv("PF_ENCODER");
    pf_encode_device_settings s;
    pf_encode_device_settings_default(&s);
    s.backend = backend;
    s.device_path = path;
    s.allow_cpu_vulkan = allow_cpu;
    s.log.fn = capture;
    s.log.user_data = log;
    return pf_encode_device_create(&s, ret);
}

static void missing_devices_give_not_found(void **state)
{
    struct log_capture log = {0};
    pf_encode_device *dev = NULL;
    assert_int_equal(open_with(NULL, PF_ENCODE_BACKEND_VAAPI, "/nonexistent/renderD200", 0,
                               &log, &dev), PF_ERR_NOT_FOUND);
    assert_non_null(strstr(log.text, "no VAAPI device at /nonexistent/renderD200"));
    /* CUDA device 63 does not exist on any machine this runs on. */
    assert_int_equal(open_with(NULL, PF_ENCODE_BACKEND_NVENC, "63", 0, &log, &dev),
                     PF_ERR_NOT_FOUND);
    assert_non_null(strstr(log.text, "backend nvenc unavailable"));
    assert_null(dev);
    assert_int_equal(open_with(NULL, 17, NULL, 0, &log, &dev), PF_ERR_INVALID_ARGUMENT);
}

static void override_falls_back_to_software(void **state)
{
    struct log_capture log = {0};
    pf_encode_device *dev = NULL;
    assert_int_equal(open_with("vaapi,nvenc,software", PF_ENCODE_BACKEND_AUTO,
                               "/nonexistent/renderD200", 0, &log, &dev), 0);
    assert_int_equal(pf_encode_device_get_backend(dev), PF_ENCODE_BACKEND_SOFTWARE);
    assert_non_null(strstr(log.text, "backend vaapi unavailable"));
    assert_non_null(strstr(log.text, "backend nvenc unavailable"));
    assert_non_null(strstr(log.text, "using backend software"));
    pf_encode_device_destroy(dev);

    /* Only hardware named, none present: a clear "not found", and nothing is returned. */
    dev = NULL;
    assert_int_equal(open_with("VAAPI|nvenc", PF_ENCODE_BACKEND_AUTO, "/nonexistent/x", 0, &log,
                               &dev), PF_ERR_NOT_FOUND);
    assert_null(dev);
    assert_int_equal(open_with("quicksync", PF_ENCODE_BACKEND_AUTO, NULL, 0, &log, &dev),
                     PF_ERR_INVALID_ARGUMENT);
    assert_non_null(strstr(log.text, "PF_ENCODER=\"quicksync\" names no backend"));
    assert_int_equal(open_with(",", PF_ENCODE_BACKEND_AUTO, NULL, 0, &log, &dev),
                     PF_ERR_INVALID_ARGUMENT);
}

static void auto_never_picks_a_cpu_vulkan(void **state)
{
    struct log_capture log = {0};
    pf_encode_device *dev = NULL;
    int r = open_with("vulkan", PF_ENCODE_BACKEND_AUTO, NULL, 0, &log, &dev);
    if (r == 0) {
        /* A machine with a real GPU: fine, as long as it is Vulkan. */
        assert_int_equal(pf_encode_device_get_backend(dev), PF_ENCODE_BACKEND_VULKAN);
        pf_encode_device_destroy(dev);
    } else {
        assert_true(r == PF_ERR_NOT_FOUND || r == PF_ERR_UNSUPPORTED);
    }
    /* Asked for explicitly, lavapipe will do (it is what runs the conversion test). */
    dev = NULL;
    r = open_with(NULL, PF_ENCODE_BACKEND_VULKAN, NULL, 1, &log, &dev);
    if (r == PF_ERR_UNSUPPORTED) {
        print_message("# built without Vulkan: nothing more to check\n");
        return;
    }
    assert_int_equal(r, 0);
    pf_encode_caps caps = {.struct_size = sizeof(caps)};
    assert_int_equal(pf_encode_device_query_caps(dev, PF_ENCODE_CODEC_H264, &caps), 0);
    assert_string_equal(caps.encoder_name, "libx264");
    pf_encode_device_destroy(dev);
}

static void software_caps(void **state)
{
    struct log_capture log = {0};
    pf_encode_device *dev = NULL;
    assert_int_equal(open_with("software", PF_ENCODE_BACKEND_AUTO, NULL, 0, &log, &dev), 0);
    pf_encode_caps caps = {.struct_size = sizeof(caps)};
    assert_int_equal(pf_encode_device_query_caps(dev, PF_ENCODE_CODEC_H264, &caps), 0);
    assert_string_equal(caps.encoder_name, "libx264");
    assert_int_equal(caps.bit_depths, 1u << 8);
    assert_true(caps.flags & PF_ENCODE_CAP_LIVE_BITRATE);
    assert_false(caps.flags & PF_ENCODE_CAP_REF_INVALIDATION);
    assert_true(caps.max_width >= 3840 && caps.max_height >= 2160);
    assert_int_equal(pf_encode_device_query_caps(dev, PF_ENCODE_CODEC_HEVC, &caps), 0);
    assert_string_equal(caps.encoder_name, "libx265");
    assert_true(caps.bit_depths & (1u << 10));
    assert_true(caps.flags & PF_ENCODE_CAP_HDR10);
    assert_int_equal(pf_encode_device_query_caps(dev, PF_ENCODE_CODEC_AV1, &caps), 0);
    assert_string_equal(caps.encoder_name, "libaom-av1");
    assert_false(caps.flags & PF_ENCODE_CAP_HDR10);
    assert_false(caps.flags & PF_ENCODE_CAP_HARDWARE);
    assert_int_equal(pf_encode_device_query_caps(dev, 8, &caps), PF_ERR_INVALID_ARGUMENT);
    pf_encode_caps small = {.struct_size = 8};
    assert_int_equal(pf_encode_device_query_caps(dev, PF_ENCODE_CODEC_H264, &small),
                     PF_ERR_INVALID_ARGUMENT);
    assert_string_equal(pf_encode_backend_name(PF_ENCODE_BACKEND_NVENC), "nvenc");
    assert_null(pf_encode_backend_name(PF_ENCODE_BACKEND_AUTO));

    /* A codec/format the stream cannot take fails at create, not at the first frame. */
    pf_encode_video_settings vs;
    pf_encode_video_settings_default(&vs);
    vs.bit_depth = 10;
    pf_encode_video *v = NULL;
    assert_int_equal(pf_encode_video_create(dev, &vs, &v), PF_ERR_UNSUPPORTED);
    assert_null(v);
    pf_encode_device_destroy(dev);
}

int main(void)
{
    pin_vulkan_driver();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(missing_devices_give_not_found),
        cmocka_unit_test(override_falls_back_to_software),
        cmocka_unit_test(auto_never_picks_a_cpu_vulkan),
        cmocka_unit_test(software_caps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
