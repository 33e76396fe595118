/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The KWin backend against a fake zkde_screencast server (KWin cannot run here): the requests
 * it sends (transcript), the node it gets, frames captured from it, the output removed on
 * destroy, and a refusal turned into a clear error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/capture.h"
#include "pf/core/error.h"
#include "pf/vdisplay.h"

#include "harness.h"

static struct pfh_env env;

static int setup(void **state)
{
    (void)state;
    return pfh_env_start(&env) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    pfh_env_stop(&env);
    return 0;
}

static void read_transcript(char *buf, size_t size)
{
    char path[400];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/kwin.log", env.dir);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    fclose(f);
}

static pid_t start_fake(const char *sock, int fail)
{
    char *argv[] = { PF_FAKE_KWIN, (char *)sock, fail ? "--fail" : NULL, NULL };
    pid_t pid = pfh_spawn(&env, "kwin", argv);

    assert_true(pid > 0);
    assert_int_equal(pfh_wait_file(&env, sock, 3000), 0);
    setenv("WAYLAND_DISPLAY", sock, 1);
    return pid;
}

static void test_virtual_output(void **state)
{
    pf_vdisplay_settings s;
    pf_capture_settings cs;
    pf_vdisplay *vd = NULL;
    pf_capture *c = NULL;
    pf_frame *f = NULL;
    char log[4096], want[128];
    uint64_t deadline;
    pid_t pid = start_fake("pf-fake-kwin-1", 0);
    int r = 0;

    (void)state;
    pf_vdisplay_settings_init(&s);
    s.backend = "kwin";
    s.width = 1280;
    s.height = 720;
    assert_int_equal(pf_vdisplay_create(&s, &vd), 0);
    assert_string_equal(pf_vdisplay_get_backend(vd), "kwin");
    assert_true(pf_vdisplay_get_node_id(vd) > 0);
    assert_false(pf_vdisplay_get_caps(vd) & PF_VDISPLAY_CAP_CURSOR_METADATA);
    read_transcript(log, sizeof(log));
    snprintf(want, sizeof(want),
             "stream_virtual_output name=punktfunk-%d-1280x720 width=1280 height=720 scale=1 "
             "pointer=2\n", (int)getpid());
    assert_non_null(strstr(log, want));

    pf_capture_settings_init(&cs);
    cs.node_id = (uint32_t)pf_vdisplay_get_node_id(vd);
    cs.width = 1280;
    cs.height = 720;
    assert_int_equal(pf_capture_create(&cs, NULL, NULL, &c), 0);
    assert_int_equal(pf_capture_start(c), 0);
    deadline = pfh_now_ms() + 3000;
    while (pfh_now_ms() < deadline && pf_capture_acquire_frame(c, &f) != 0)
        pf_capture_wait(c, 50);
    assert_non_null(f);
    assert_int_equal(f->width, 1280);
    pf_frame_release(f);

    pf_vdisplay_destroy(vd);
    deadline = pfh_now_ms() + 3000;
    while (pfh_now_ms() < deadline && (r = pf_capture_wait(c, 50)) >= 0)
        ;
    assert_int_equal(r, PF_ERR_NOT_FOUND);
    pf_capture_destroy(c);
    read_transcript(log, sizeof(log));
    assert_non_null(strstr(log, "close\nremoved\n"));
    pfh_kill(&env, pid);
}

/* Asked for the pointer as metadata: KWin is told so and the output says it can. */
static void test_cursor_metadata(void **state)
{
    pf_vdisplay_settings s;
    pf_vdisplay *vd = NULL;
    char log[4096], want[128];
    pid_t pid = start_fake("pf-fake-kwin-3", 0);

    (void)state;
    pf_vdisplay_settings_init(&s);
    s.backend = "kwin";
    s.width = 800;
    s.height = 600;
    s.cursor_mode = PF_VDISPLAY_CURSOR_METADATA;
    assert_int_equal(pf_vdisplay_create(&s, &vd), 0);
    assert_true(pf_vdisplay_get_caps(vd) & PF_VDISPLAY_CAP_CURSOR_METADATA);
    read_transcript(log, sizeof(log));
    snprintf(want, sizeof(want),
             "stream_virtual_output name=punktfunk-%d-800x600 width=800 height=600 scale=1 "
             "pointer=4\n", (int)getpid());
    assert_non_null(strstr(log, want));
    pf_vdisplay_destroy(vd);
    pfh_kill(&env, pid);
}

static void test_refused(void **state)
{
    pf_vdisplay_settings s;
    pf_vdisplay *vd = NULL;
    pid_t pid = start_fake("pf-fake-kwin-2", 1);

    (void)state;
    pf_vdisplay_settings_init(&s);
    s.backend = "kwin";
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_UNSUPPORTED);
    assert_null(vd);
    pfh_kill(&env, pid);
    /* Compositor gone: a clear I/O error, no hang. */
    s.timeout_ms = 1000;
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_IO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_virtual_output),
        cmocka_unit_test(test_cursor_metadata),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests_name("capture_kwin", tests, setup, teardown);
}
