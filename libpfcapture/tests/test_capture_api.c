/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public capture API without a daemon: argument checks, NULL handling, frames from elsewhere,
 * the test-pattern counter codec. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pf/capture.h"
#include "pf/capture_audio.h"
#include "pf/capture_testpattern.h"
#include "pf/core/error.h"

static void test_settings(void **state)
{
    pf_capture_settings s;
    pf_capture *c = NULL;

    (void)state;
    assert_int_equal(pf_capture_settings_init(NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_capture_settings_init(&s), 0);
    assert_int_equal(s.struct_size, sizeof(s));
    /* No node chosen yet. */
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), PF_ERR_INVALID_ARGUMENT);
    s.node_id = 42;
    s.flags = PF_CAPTURE_FLAG_NO_DMABUF | PF_CAPTURE_FLAG_NO_SHM;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), PF_ERR_INVALID_ARGUMENT);
    s.flags = 0x80;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), PF_ERR_INVALID_ARGUMENT);
    s.flags = 0;
    s.queue_depth = PF_CAPTURE_MAX_QUEUE + 1;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), PF_ERR_INVALID_ARGUMENT);
    s.queue_depth = 0;
    s.formats[0] = PF_FOURCC('Y', 'U', 'Y', 'V');
    s.n_formats = 1;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), PF_ERR_INVALID_ARGUMENT);
    s.n_formats = 0;
    s.struct_size = 8;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), PF_ERR_INVALID_ARGUMENT);
    assert_null(c);
}

static void test_lifecycle_without_start(void **state)
{
    pf_capture_settings s;
    pf_capture_format fmt;
    pf_capture_stats st = { .struct_size = sizeof(st) };
    pf_capture *c = NULL;
    pf_frame *f;

    (void)state;
    pf_capture_settings_init(&s);
    s.node_id = 42;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), 0);
    assert_true(pf_capture_get_fd(c) >= 0);
    assert_int_equal(pf_capture_acquire_frame(c, &f), PF_ERR_AGAIN);
    assert_int_equal(pf_capture_get_format(c, &fmt), PF_ERR_AGAIN);
    assert_int_equal(pf_capture_get_stats(c, &st), 0);
    assert_int_equal(st.frames, 0);
    assert_int_equal(pf_capture_dispatch(c), PF_CAPTURE_STATE_IDLE);
    assert_int_equal(pf_capture_stop(c), 0);
    pf_capture_destroy(c);
    pf_capture_destroy(NULL);
    assert_int_equal(pf_capture_get_fd(NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_capture_start(NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_capture_dispatch(NULL), PF_ERR_INVALID_ARGUMENT);
}

static void test_foreign_frame(void **state)
{
    pf_frame f;

    (void)state;
    memset(&f, 0, sizeof(f));
    assert_int_equal(pf_capture_frame_ref(NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_capture_frame_ref(&f), PF_ERR_INVALID_ARGUMENT);
    pf_frame_release(&f); /* no hook: a no-op */
    pf_frame_release(NULL);
}

static void test_counter_codec(void **state)
{
    uint8_t px[2 * 4 * 4];
    pf_frame f;
    uint64_t v;

    (void)state;
    memset(&f, 0, sizeof(f));
    f.width = 4;
    f.height = 2;
    f.n_planes = 1;
    f.format = PF_FRAME_FORMAT_BGRX;
    f.planes[0].data = px;
    f.planes[0].stride = 16;
    /* 0x123456789abc: bits 0..23 in pixel 0 (B,G,R), bits 24..47 in pixel 1. */
    memcpy(px, "\xbc\x9a\x78\xff\x56\x34\x12\xff", 8);
    assert_int_equal(pf_capture_testpattern_read_counter(&f, &v), 0);
    assert_true(v == 0x123456789abcull);
    f.format = PF_FRAME_FORMAT_RGBX;
    memcpy(px, "\x78\x9a\xbc\xff\x12\x34\x56\xff", 8);
    assert_int_equal(pf_capture_testpattern_read_counter(&f, &v), 0);
    assert_true(v == 0x123456789abcull);
    f.format = PF_FRAME_FORMAT_NV12;
    assert_int_equal(pf_capture_testpattern_read_counter(&f, &v), PF_ERR_UNSUPPORTED);
    f.format = PF_FRAME_FORMAT_BGRX;
    f.planes[0].data = NULL;
    assert_int_equal(pf_capture_testpattern_read_counter(&f, &v), PF_ERR_UNSUPPORTED);
    assert_int_equal(pf_capture_testpattern_read_counter(NULL, &v), PF_ERR_INVALID_ARGUMENT);
}

static void test_testpattern_settings(void **state)
{
    pf_capture_testpattern_settings s;
    pf_capture_testpattern *tp = NULL;

    (void)state;
    assert_int_equal(pf_capture_testpattern_settings_init(&s), 0);
    s.width = 8;
    assert_int_equal(pf_capture_testpattern_create(&s, &tp), PF_ERR_INVALID_ARGUMENT);
    pf_capture_testpattern_settings_init(&s);
    s.fps = 0;
    assert_int_equal(pf_capture_testpattern_create(&s, &tp), PF_ERR_INVALID_ARGUMENT);
    pf_capture_testpattern_settings_init(&s);
    s.format = PF_FRAME_FORMAT_NV12;
    assert_int_equal(pf_capture_testpattern_create(&s, &tp), PF_ERR_INVALID_ARGUMENT);
    pf_capture_testpattern_settings_init(&s);
    s.n_buffers = 1;
    assert_int_equal(pf_capture_testpattern_create(&s, &tp), PF_ERR_INVALID_ARGUMENT);
    assert_null(tp);
    pf_capture_testpattern_destroy(NULL);
    assert_int_equal(pf_capture_testpattern_get_produced(NULL), 0);
}

static void test_audio_null(void **state)
{
    uint8_t buf[16];

    (void)state;
    assert_int_equal(pf_capture_audio_settings_init(NULL), PF_ERR_INVALID_ARGUMENT);
    pf_capture_audio_destroy(NULL);
    assert_int_equal(pf_capture_audio_read(NULL, buf, sizeof(buf), NULL),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_capture_audio_get_fd(NULL), PF_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_settings),
        cmocka_unit_test(test_lifecycle_without_start),
        cmocka_unit_test(test_foreign_frame),
        cmocka_unit_test(test_counter_codec),
        cmocka_unit_test(test_testpattern_settings),
        cmocka_unit_test(test_audio_null),
    };
    return cmocka_run_group_tests_name("capture_api", tests, NULL, NULL);
}
