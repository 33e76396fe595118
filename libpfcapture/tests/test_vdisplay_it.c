/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Virtual displays on real compositors: Mutter headless (spawned by the library, and as a
 * running session), Weston's PipeWire backend, a stand-in gamescope; a Wayland client draws a
 * known colour that must come back in captured frames; outputs are gone after destroy, also
 * when the host was killed. */
#include <dirent.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/capture.h"
#include "pf/core/error.h"
#include "pf/vdisplay.h"

#include "harness.h"
#include "pw_util.h"

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

static void log_to_stderr(void *ud, uint32_t level, const char *topic, const char *msg,
                          size_t len)
{
    if (getenv("PF_TEST_VERBOSE"))
        fprintf(stderr, "# [%s] %.*s\n", topic, (int)len, msg);
}

static pf_vdisplay *make_display(const char *backend, uint32_t w, uint32_t h, uint32_t hz,
                                 const char *command)
{
    pf_vdisplay_settings s;
    pf_vdisplay *vd = NULL;
    int r;

    pf_vdisplay_settings_init(&s);
    s.backend = backend;
    s.width = w;
    s.height = h;
    s.refresh_mhz = hz * 1000;
    s.command = command;
    s.log.fn = log_to_stderr;
    r = pf_vdisplay_create(&s, &vd);
    if (r < 0)
        fprintf(stderr, "# %s: %s\n", backend, pf_strerror(r));
    assert_int_equal(r, 0);
    assert_string_equal(pf_vdisplay_get_backend(vd), backend);
    assert_true(pf_vdisplay_get_node_id(vd) > 0);
    return vd;
}

static pf_capture *start_capture(pf_vdisplay *vd, uint32_t w, uint32_t h, uint32_t fps)
{
    pf_capture_settings s;
    pf_capture *c = NULL;

    pf_capture_settings_init(&s);
    s.node_id = (uint32_t)pf_vdisplay_get_node_id(vd);
    s.remote = pf_vdisplay_get_pipewire_remote(vd);
    s.width = w;
    s.height = h;
    s.fps = fps;
    s.log.fn = log_to_stderr;
    assert_int_equal(pf_capture_create(&s, NULL, NULL, &c), 0);
    assert_int_equal(pf_capture_start(c), 0);
    return c;
}

static pid_t start_client(const char *wayland_display, const char *colour)
{
    char *argv[] = { PF_WL_COLOUR, (char *)colour, NULL };

    setenv("WAYLAND_DISPLAY", wayland_display, 1);
    return pfh_spawn(&env, "client", argv);
}

/* Reads frames until one is w x h and, when colour is set, its centre pixel has that
 * colour (BGRx bytes). Returns the number of frames seen, 0 when none matched. */
static uint32_t wait_frames(pf_capture *c, uint32_t w, uint32_t h, int check_colour,
                            uint32_t colour, uint32_t timeout_ms)
{
    uint64_t deadline = pfh_now_ms() + timeout_ms;
    uint32_t seen = 0;

    while (pfh_now_ms() < deadline) {
        pf_frame *f;
        int r = pf_capture_wait(c, 50);

        assert_true(r >= 0);
        while (pf_capture_acquire_frame(c, &f) == 0) {
            int match = f->width == w && f->height == h;

            seen++;
            if (match && check_colour) {
                const uint8_t *p = f->planes[0].data + (size_t)(h / 2) * f->planes[0].stride +
                                   (size_t)(w / 2) * 4;
                uint32_t got = (f->format == PF_FRAME_FORMAT_RGBX || f->format ==
                                PF_FRAME_FORMAT_RGBA)
                                   ? ((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2])
                                   : ((uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0]);

                assert_non_null(f->planes[0].data);
                match = got == colour;
            }
            pf_frame_release(f);
            if (match)
                return seen;
        }
    }
    {
        pf_capture_stats st = { .struct_size = sizeof(st) };

        pf_capture_get_stats(c, &st);
        fprintf(stderr, "# %u frames seen, none matched (received %llu, corrupted %llu, "
                "dropped %llu)\n", seen, (unsigned long long)st.frames,
                (unsigned long long)st.corrupted, (unsigned long long)st.dropped);
    }
    return 0;
}

static int node_exists(uint32_t id)
{
    struct pfi_pw pw;
    struct pfi_pw_node n;
    int r;

    assert_int_equal(pfi_pw_connect(&pw, "pf-test", NULL, NULL, NULL), 0);
    pw_thread_loop_lock(pw.loop);
    r = pfi_pw_find_node(&pw, id, NULL, 0, 0, &n);
    pw_thread_loop_unlock(pw.loop);
    pfi_pw_disconnect(&pw);
    return r == 0;
}

static void check_removed(pf_vdisplay *vd, pf_capture *c)
{
    uint32_t node = (uint32_t)pf_vdisplay_get_node_id(vd);
    uint64_t deadline;
    int r = 0;

    assert_true(node_exists(node));
    pf_vdisplay_destroy(vd);
    deadline = pfh_now_ms() + 3000;
    while (pfh_now_ms() < deadline && (r = pf_capture_wait(c, 50)) >= 0)
        ;
    assert_int_equal(r, PF_ERR_NOT_FOUND);
    assert_false(node_exists(node));
    pf_capture_destroy(c);
}

static uint32_t count_dirs(const char *prefix)
{
    char base[400];
    struct dirent *de;
    uint32_t n = 0;
    DIR *d;

    snprintf(base, sizeof(base), "%s/punktfunk/vdisplay", env.dir);
    d = opendir(base);
    if (!d)
        return 0;
    while ((de = readdir(d)))
        n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
    closedir(d);
    return n;
}

static void test_mutter_headless_720p(void **state)
{
    pf_vdisplay *vd;
    pf_capture *c;
    char session[256];
    pid_t client;

    (void)state;
    if (!pfh_have("mutter"))
        skip();
    vd = make_display("mutter-headless", 1280, 720, 60, NULL);
    assert_true(pf_vdisplay_get_caps(vd) & PF_VDISPLAY_CAP_SPAWNED);
    assert_true(pf_vdisplay_get_caps(vd) & PF_VDISPLAY_CAP_REMOTE_DESKTOP);
    assert_true(pf_vdisplay_get_session_id(vd, session, sizeof(session)) > 0);
    assert_non_null(strstr(session, "/org/gnome/Mutter/ScreenCast/Session"));
    assert_int_equal(pf_vdisplay_get_session_id(vd, session, 4), PF_ERR_BUFFER_TOO_SMALL);
    assert_non_null(pf_vdisplay_get_wayland_display(vd));
    c = start_capture(vd, 1280, 720, 60);
    assert_true(wait_frames(c, 1280, 720, 0, 0, 5000) > 0);
    client = start_client(pf_vdisplay_get_wayland_display(vd), "3366cc");
    assert_true(client > 0);
    assert_true(wait_frames(c, 1280, 720, 1, 0x3366cc, 12000) > 0);
    pfh_kill(&env, client);
    check_removed(vd, c);
    assert_int_equal(count_dirs("mutter-headless."), 0);
}

static void test_mutter_session_1080p60(void **state)
{
    char *argv[] = { "mutter", "--wayland", "--headless", "--no-x11",
                     "--wayland-display=pf-test-mutter", NULL };
    pf_capture_format fmt;
    pf_vdisplay *vd;
    pf_capture *c;
    pid_t mutter, client;
    char sock[400];

    (void)state;
    if (!pfh_have("mutter"))
        skip();
    /* The "running desktop": a Mutter on the test's session bus. */
    mutter = pfh_spawn(&env, "mutter", argv);
    assert_int_equal(pfh_wait_file(&env, "pf-test-mutter", 5000), 0);
    usleep(300000);
    vd = make_display("mutter", 1920, 1080, 60, NULL);
    assert_false(pf_vdisplay_get_caps(vd) & PF_VDISPLAY_CAP_SPAWNED);
    c = start_capture(vd, 1920, 1080, 60);
    assert_true(wait_frames(c, 1920, 1080, 0, 0, 5000) > 0);
    assert_int_equal(pf_capture_get_format(c, &fmt), 0);
    assert_int_equal(fmt.width, 1920);
    assert_int_equal(fmt.height, 1080);
    assert_int_equal(fmt.memory, PF_FRAME_MEMORY_CPU);
    snprintf(sock, sizeof(sock), "%s/pf-test-mutter", env.dir);
    client = start_client(sock, "c03010");
    assert_true(wait_frames(c, 1920, 1080, 1, 0xc03010, 12000) > 0);
    pfh_kill(&env, client);
    check_removed(vd, c);
    pfh_kill(&env, mutter);
}

static void test_compositor_gone_mid_stream(void **state)
{
    char *argv[] = { "mutter", "--wayland", "--headless", "--no-x11",
                     "--wayland-display=pf-test-mutter-2", NULL };
    pf_vdisplay *vd;
    pf_capture *c;
    pid_t mutter;
    uint64_t t0;
    int r = 0;

    (void)state;
    if (!pfh_have("mutter"))
        skip();
    mutter = pfh_spawn(&env, "mutter2", argv);
    assert_int_equal(pfh_wait_file(&env, "pf-test-mutter-2", 5000), 0);
    usleep(300000);
    vd = make_display("mutter", 640, 480, 30, NULL);
    c = start_capture(vd, 640, 480, 30);
    assert_true(wait_frames(c, 640, 480, 0, 0, 5000) > 0);
    /* The compositor dies under a live stream: a clear error, then a teardown that does
     * not hang on the vanished bus peer. */
    kill(mutter, SIGKILL);
    t0 = pfh_now_ms();
    while (pfh_now_ms() - t0 < 3000 && (r = pf_capture_wait(c, 50)) >= 0)
        ;
    assert_true(r == PF_ERR_NOT_FOUND || r == PF_ERR_IO);
    t0 = pfh_now_ms();
    pf_vdisplay_destroy(vd);
    pf_capture_destroy(c);
    assert_true(pfh_now_ms() - t0 < 3000);
    pfh_kill(&env, mutter);
}

static void test_weston_spawned(void **state)
{
    pf_vdisplay *vd;
    pf_capture *c;
    pid_t client;

    (void)state;
    if (!pfh_have("weston"))
        skip();
    vd = make_display("weston", 800, 600, 60, NULL);
    c = start_capture(vd, 800, 600, 60);
    client = start_client(pf_vdisplay_get_wayland_display(vd), "20a040");
    assert_true(wait_frames(c, 800, 600, 1, 0x20a040, 8000) > 0);
    pfh_kill(&env, client);
    check_removed(vd, c);
    assert_int_equal(count_dirs("weston."), 0);
}

static void test_gamescope_standin(void **state)
{
    pf_vdisplay *vd;
    pf_capture *c;

    (void)state;
    /* gamescope cannot run here; a stand-in with its command line and node name checks the
     * spawn, mode arguments and node lookup. */
    setenv("PF_TESTPATTERN", PF_TESTPATTERN, 1);
    vd = make_display("gamescope", 640, 360, 30, PF_FAKE_GAMESCOPE);
    c = start_capture(vd, 640, 360, 30);
    assert_true(wait_frames(c, 640, 360, 0, 0, 5000) > 0);
    check_removed(vd, c);
}

static void test_killed_host_leaves_nothing(void **state)
{
    pid_t child;
    int status;
    uint32_t before = count_dirs("weston.");

    (void)state;
    if (!pfh_have("weston"))
        skip();
    child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        pf_vdisplay_settings s;
        pf_vdisplay *vd;

        pf_vdisplay_settings_init(&s);
        s.backend = "weston";
        if (pf_vdisplay_create(&s, &vd) < 0)
            _exit(1);
        /* A host killed without cleanup. */
        raise(SIGKILL);
        _exit(2);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_int_equal(count_dirs("weston."), before + 1);
    /* The next start removes what was left and starts clean. */
    {
        pf_vdisplay *vd = make_display("weston", 640, 480, 60, NULL);

        assert_int_equal(count_dirs("weston."), 1);
        pf_vdisplay_destroy(vd);
        assert_int_equal(count_dirs("weston."), 0);
    }
}

static void test_bad_backend(void **state)
{
    pf_vdisplay_settings s;
    pf_vdisplay *vd = NULL;

    (void)state;
    pf_vdisplay_settings_init(&s);
    s.backend = "no-such-backend";
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_NOT_FOUND);
    s.backend = "mutter"; /* no Mutter on this bus now */
    assert_int_equal(pf_vdisplay_create(&s, &vd), PF_ERR_UNSUPPORTED);
    s.backend = "weston";
    s.command = "/nonexistent/weston";
    s.timeout_ms = 2000;
    assert_true(pf_vdisplay_create(&s, &vd) < 0);
    assert_null(vd);
    s.backend = "gamescope";
    s.command = "/bin/false";
    assert_true(pf_vdisplay_create(&s, &vd) < 0);
    assert_int_equal(count_dirs("gamescope."), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutter_headless_720p),
        cmocka_unit_test(test_mutter_session_1080p60),
        cmocka_unit_test(test_compositor_gone_mid_stream),
        cmocka_unit_test(test_weston_spawned),
        cmocka_unit_test(test_gamescope_standin),
        cmocka_unit_test(test_killed_host_leaves_nothing),
        cmocka_unit_test(test_bad_backend),
    };
    return cmocka_run_group_tests_name("capture_vdisplay", tests, setup, teardown);
}
