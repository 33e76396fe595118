/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration: a real headless Sway (only as a non-root user here, test-environment.md),
 * the wlroots backend's virtual keyboard and pointer, and a Wayland client that records what
 * it receives. Sway, the recorder and the runtime directory belong to "nobody"; the test
 * process connects to the compositor's socket from outside. */
#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/input-event-codes.h>

#include "pf/input.h"

#include "harness.h"
#include "session_fixture.h"
#include "session_util.h"

#define NOBODY 65534

/* Sway names its socket wayland-N; find it once it exists. */
static int find_socket(const char *dir, char *socket, size_t n)
{
    for (int i = 0; i < 500; i++) {
        DIR *d = opendir(dir);
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (strncmp(e->d_name, "wayland-", 8) == 0 && !strstr(e->d_name, ".lock")) {
                snprintf(socket, n, "%.31s", e->d_name);
                closedir(d);
                return 0;
            }
        }
        if (d)
            closedir(d);
        usleep(20000);
    }
    return -1;
}

static int setup(void **state)
{
    if (system("command -v sway >/dev/null 2>&1") != 0) {
        print_message("# sway missing\n");
        return -1;
    }
    struct t_fixture *f = t_fixture_new(state, sizeof(*f));
    if (h_init(&f->h, NOBODY) < 0)
        return t_setup_failed(state, "runtime directory");
    char config[128];
    snprintf(config, sizeof(config), "%s/config", f->h.dir);
    FILE *c = fopen(config, "w");
    if (!c)
        return t_setup_failed(state, "config");
    fputs("output HEADLESS-1 resolution 1280x720\ndefault_border none\n", c);
    fclose(c);
    char *sway[] = { "sway", "-c", config, NULL };
    char *env[] = { "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1", "WLR_RENDERER=pixman",
                    NULL };
    char socket[32];
    if (!h_spawn(&f->h, sway, env, 0) || find_socket(f->h.dir, socket, sizeof(socket)) < 0)
        return t_setup_failed(state, "sway did not start");

    char display[160];
    snprintf(display, sizeof(display), "%s/%s", f->h.dir, socket);
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "wlr";
    s.wayland_display = display;
    if (t_injector_create(&s, 50, &f->inj) < 0)
        return t_setup_failed(state, "no wlroots virtual input");
    pf_input_output out = {
        .struct_size = sizeof(out), .width = 1280, .height = 720, .name = "HEADLESS-1"
    };
    if (pf_input_injector_set_output(f->inj, &out) < 0)
        return t_setup_failed(state, "set_output");
    if (pf_input_client_create(f->inj, PF_INPUT_PERM_ALL, &f->client) < 0)
        return t_setup_failed(state, "client");

    f->rec = t_start_recorder(&f->h, display);
    /* Sway may size the window in steps while the output settles: wait for the full size,
     * keeping what the recorder printed meanwhile (focus may arrive before it). */
    char seen[4096] = "";
    size_t used = 0;
    for (int i = 0; f->rec && i < 50 && !strstr(seen, "size 1280 720"); i++)
        used += (size_t)h_collect(f->rec, seen + used, sizeof(seen) - used, 200);
    if (!strstr(seen, "size 1280 720"))
        return t_setup_failed(state, "recorder window is not fullscreen on the output");
    if (t_wait_focus(f->client, f->rec, seen) < 0)
        return t_setup_failed(state, "no focus");
    return 0;
}

static void test_keyboard(void **state)
{
    struct t_fixture *f = *state;
    t_report_latency(f->client, f->rec, "sway", 21);
    t_tap(f->client, f->rec, 'A', KEY_A);
    /* Shift synthesised for a client that only sent the modifier bit; the compositor's
     * modifier state follows the keys. */
    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, '1', PF_INPUT_MOD_SHIFT);
    t_expect(f->rec, "key 42 1");
    t_expect(f->rec, "modifiers 1");
    t_expect(f->rec, "key 2 1");
    t_key(f->client, PF_INPUT_EVENT_KEY_UP, '1', 0);
    t_expect(f->rec, "key 2 0");
    t_expect(f->rec, "key 42 0");
    t_expect(f->rec, "modifiers 0");
    /* Text: 'Q' is typed as Shift+q from the uploaded keymap. */
    pf_input_event t = t_ev(PF_INPUT_EVENT_TEXT);
    t.text.codepoint = 'Q';
    t_submit(f->client, t);
    t_expect(f->rec, "key 42 1");
    t_expect(f->rec, "key 16 1");
    t_expect(f->rec, "key 16 0");
    t_expect(f->rec, "key 42 0");
    /* Characters the session keymap lacks reach the client as those very keysyms, and the
     * session keymap is back afterwards. */
    static const uint32_t cps[] = { 0xE9, 0x4E2D, 0x1F600 };
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        t.text.codepoint = cps[i];
        t_submit(f->client, t);
        char want[32];
        snprintf(want, sizeof(want), "sym 0x%x", cps[i] < 0x100 ? cps[i] : 0x1000000 | cps[i]);
        t_expect(f->rec, want);
    }
    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, 'A', 0);
    t_key(f->client, PF_INPUT_EVENT_KEY_UP, 'A', 0);
    t_expect(f->rec, "sym 0x61");
}

static void test_pointer(void **state)
{
    struct t_fixture *f = *state;
    double x, y, x1, y1;
    /* Absolute: 100,200 of a 1920x1080 view lands on the output's pixel grid. */
    pf_input_event a = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    a.pointer.x = 100;
    a.pointer.y = 200;
    a.pointer.ref_width = 1920;
    a.pointer.ref_height = 1080;
    t_submit(f->client, a);
    t_expect_xy(f->rec, "motion ", &x, &y);
    assert_true(fabs(x - lround(100.0 * 1279 / 1919)) < 0.01);
    assert_true(fabs(y - lround(200.0 * 719 / 1079)) < 0.01);
    pf_input_event m = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    m.pointer.dx = 25;
    m.pointer.dy = -7;
    t_submit(f->client, m);
    t_expect_xy(f->rec, "motion ", &x1, &y1);
    assert_true(fabs((x1 - x) - 25) < 0.01 && fabs((y1 - y) + 7) < 0.01);

    t_click(f->client, f->rec, PF_INPUT_BUTTON_X1, BTN_SIDE);

    char got[1024];
    pf_input_event s = t_ev(PF_INPUT_EVENT_SCROLL);
    s.pointer.scroll = -240; /* two notches towards the user: down */
    t_submit(f->client, s);
    h_collect(f->rec, got, sizeof(got), 500);
    assert_string_equal(got, "axis-discrete 0 2\naxis 0 20.00\n");
}

static void test_release_on_disconnect(void **state)
{
    struct t_fixture *f = *state;
    t_release_on_disconnect(&f->client, f->rec, 'W', 'D', 0, PF_INPUT_BUTTON_LEFT);
}

/* The compositor dies mid-session: calls report the broken connection, nothing crashes,
 * and the client and injector still tear down. */
static void test_compositor_gone(void **state)
{
    struct t_fixture *f = *state;
    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, 'A', 0);
    t_expect(f->rec, "key 30 1");
    kill(f->h.procs[0].pid, SIGKILL); /* sway: the first process started */
    waitpid(f->h.procs[0].pid, NULL, 0);
    f->h.procs[0].pid = 0;
    int r = 0;
    for (int i = 0; i < 100 && r >= 0; i++) {
        pf_input_event m = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
        m.pointer.dx = 1;
        r = pf_input_client_submit(f->client, &m, 0);
        if (r >= 0)
            r = pf_input_injector_dispatch(f->inj);
        usleep(10000);
    }
    assert_int_equal(r, PF_ERR_IO);
    pf_input_client_destroy(f->client); /* the release of A cannot be delivered: no crash */
    f->client = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keyboard, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_pointer, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_release_on_disconnect, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_compositor_gone, setup, t_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
