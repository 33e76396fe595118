/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The wlroots backend against a real headless sway (run as an unprivileged user, as sway
 * requires): an output made over IPC at the client's mode, frames through the screencopy
 * bridge, the output removed on destroy and after a killed host. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/capture.h"
#include "pf/core/error.h"
#include "pf/vdisplay.h"

#include "harness.h"
#include "sway_ipc.h"

static struct pfh_env env;
static char sway_dir[300];

static int setup(void **state)
{
    char sock[400], cfg[400], wl[400], env_rt[340], env_sock[420];
    char *argv[] = { "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env",
                     env_rt, env_sock, "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1",
                     "WLR_RENDERER=pixman", "sway", "-c", cfg, NULL };
    FILE *f;

    (void)state;
    if (!pfh_have("sway") || !pfh_have("setpriv") || pfh_env_start(&env) < 0)
        return -1;
    /* sway runs as nobody, which cannot enter the test's private directory. */
    snprintf(sway_dir, sizeof(sway_dir), "/tmp/pf-sway-test-XXXXXX");
    if (!mkdtemp(sway_dir) || chown(sway_dir, 65534, 65534) < 0)
        return -1;
    snprintf(cfg, sizeof(cfg), "%s/config", sway_dir);
    f = fopen(cfg, "w");
    if (!f)
        return -1;
    fclose(f);
    snprintf(sock, sizeof(sock), "%s/sway.sock", sway_dir);
    snprintf(env_rt, sizeof(env_rt), "XDG_RUNTIME_DIR=%s", sway_dir);
    snprintf(env_sock, sizeof(env_sock), "SWAYSOCK=%s", sock);
    snprintf(wl, sizeof(wl), "%s/wayland-1", sway_dir);
    if (pfh_spawn(&env, "sway", argv) < 0)
        return -1;
    for (uint64_t deadline = pfh_now_ms() + 8000;
         access(sock, F_OK) != 0 || access(wl, F_OK) != 0; usleep(10000))
        if (pfh_now_ms() > deadline)
            return -1;
    setenv("SWAYSOCK", sock, 1);
    setenv("WAYLAND_DISPLAY", wl, 1);
    return 0;
}

static int teardown(void **state)
{
    char cmd[400];

    (void)state;
    pfh_env_stop(&env);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sway_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Number of outputs sway reports as active. */
static uint32_t active_outputs(void)
{
    static char reply[65536];
    int fd = pfi_sway_connect(getenv("SWAYSOCK"));
    uint32_t n = 0;
    const char *p;

    assert_true(fd >= 0);
    assert_true(pfi_sway_request(fd, PFI_SWAY_GET_OUTPUTS, "", reply, sizeof(reply), 2000) > 0);
    close(fd);
    for (p = reply; (p = strstr(p, "\"active\": true")); p++)
        n++;
    return n;
}

static pf_vdisplay *make(uint32_t w, uint32_t h)
{
    pf_vdisplay_settings s;
    pf_vdisplay *vd = NULL;

    pf_vdisplay_settings_init(&s);
    s.backend = "wlr";
    s.width = w;
    s.height = h;
    assert_int_equal(pf_vdisplay_create(&s, &vd), 0);
    return vd;
}

static uint32_t baseline;

static void test_output_frames_removed(void **state)
{
    uint32_t before = baseline = active_outputs();
    pf_vdisplay *vd = make(1280, 720);
    pf_capture_settings cs;
    pf_capture *c = NULL;
    pf_frame *f = NULL;
    char name[64];
    uint64_t deadline;
    int r = 0;

    (void)state;
    assert_int_equal(active_outputs(), before + 1);
    assert_true(pf_vdisplay_get_caps(vd) & PF_VDISPLAY_CAP_SET_MODE);
    assert_true(pf_vdisplay_get_session_id(vd, name, sizeof(name)) > 0);
    assert_non_null(strstr(name, "HEADLESS-"));
    pf_capture_settings_init(&cs);
    cs.node_id = (uint32_t)pf_vdisplay_get_node_id(vd);
    cs.width = 1280;
    cs.height = 720;
    assert_int_equal(pf_capture_create(&cs, NULL, NULL, &c), 0);
    assert_int_equal(pf_capture_start(c), 0);
    deadline = pfh_now_ms() + 5000;
    while (pfh_now_ms() < deadline && pf_capture_acquire_frame(c, &f) != 0)
        pf_capture_wait(c, 50);
    assert_non_null(f);
    assert_int_equal(f->width, 1280);
    assert_int_equal(f->height, 720);
    pf_frame_release(f);
    pf_vdisplay_destroy(vd);
    deadline = pfh_now_ms() + 3000;
    while (pfh_now_ms() < deadline && (r = pf_capture_wait(c, 50)) >= 0)
        ;
    assert_int_equal(r, PF_ERR_NOT_FOUND);
    pf_capture_destroy(c);
    /* Removed (sway >= 1.8) or kept free for reuse (sway 1.7): never more than one. */
    assert_true(active_outputs() <= before + 1);
    vd = make(800, 600);
    assert_int_equal(active_outputs(), before + 1);
    pf_vdisplay_destroy(vd);
    assert_true(active_outputs() <= before + 1);
}

static void test_killed_host(void **state)
{
    uint32_t before = baseline;
    pid_t child = fork();
    int status;

    (void)state;
    assert_true(child >= 0);
    if (child == 0) {
        pf_vdisplay_settings s;
        pf_vdisplay *vd;

        pf_vdisplay_settings_init(&s);
        s.backend = "wlr";
        if (pf_vdisplay_create(&s, &vd) < 0)
            _exit(1);
        raise(SIGKILL);
        _exit(2);
    }
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFSIGNALED(status));
    assert_true(active_outputs() <= before + 1);
    /* The next create removes (or takes over) the orphan instead of adding another. */
    {
        pf_vdisplay *vd = make(640, 480);

        assert_true(active_outputs() <= before + 1);
        pf_vdisplay_destroy(vd);
        assert_true(active_outputs() <= before + 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_frames_removed),
        cmocka_unit_test(test_killed_host),
    };
    return cmocka_run_group_tests_name("capture_wlr", tests, setup, teardown);
}
