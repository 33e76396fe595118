/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integration: a real headless Mutter (test-environment.md), the RemoteDesktop backend, and a
 * Wayland client that records what it receives. Every injected event must arrive exactly,
 * and a client that disconnects with keys and buttons down must leave them released. */
#include <math.h>
#include <poll.h>
#include <signal.h>
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
#include <systemd/sd-bus.h>

#include "pf/input.h"

#include "harness.h"
#include "session_fixture.h"
#include "session_util.h"

struct fixture {
    struct t_fixture t;   /* first: the shared setup and teardown see only this */
    sd_bus *bus;          /* the test's own connection, for ScreenCast */
    char stream[128];     /* ScreenCast stream path, when linked */
    int have_stream;
};

static int skip_unless(const char *prog)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

/* Links a ScreenCast session of the primary monitor to the injector's RemoteDesktop session,
 * as libpfcapture does for a streamed output. Needs PipeWire for the stream itself. */
static int link_screencast(struct fixture *f, const char *session_id)
{
    sd_bus_error err = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    const char *path = NULL, *stream = NULL;
    int r = sd_bus_new(&f->bus);
    if (r >= 0)
        r = sd_bus_set_address(f->bus, f->t.h.bus_address);
    if (r >= 0)
        r = sd_bus_set_bus_client(f->bus, 1);
    if (r >= 0)
        r = sd_bus_start(f->bus);
    if (r >= 0)
        r = sd_bus_call_method(f->bus, "org.gnome.Mutter.ScreenCast", "/org/gnome/Mutter/ScreenCast",
                               "org.gnome.Mutter.ScreenCast", "CreateSession", &err, &reply,
                               "a{sv}", 1, "remote-desktop-session-id", "s", session_id);
    if (r >= 0)
        r = sd_bus_message_read(reply, "o", &path);
    char session[128];
    if (r >= 0)
        snprintf(session, sizeof(session), "%s", path);
    sd_bus_message_unref(reply);
    reply = NULL;
    if (r >= 0)
        r = sd_bus_call_method(f->bus, "org.gnome.Mutter.ScreenCast", session,
                               "org.gnome.Mutter.ScreenCast.Session", "RecordMonitor", &err,
                               &reply, "sa{sv}", "", 0);
    if (r >= 0)
        r = sd_bus_message_read(reply, "o", &stream);
    if (r >= 0) {
        snprintf(f->stream, sizeof(f->stream), "%s", stream);
        f->have_stream = 1;
    }
    if (r < 0)
        print_message("# screencast not linked: %s\n", err.message ? err.message : strerror(-r));
    sd_bus_message_unref(reply);
    sd_bus_error_free(&err);
    return r;
}

/* The ScreenCast session lives as long as the test's connection: it goes first. */
static void close_screencast(struct t_fixture *t)
{
    struct fixture *f = (struct fixture *)t;
    if (f->bus)
        sd_bus_flush_close_unref(f->bus);
    f->bus = NULL;
}

static int setup(void **state)
{
    if (!skip_unless("mutter") || !skip_unless("dbus-daemon")) {
        print_message("# mutter or dbus-daemon missing\n");
        return -1;
    }
    struct fixture *f = (struct fixture *)t_fixture_new(state, sizeof(*f));
    f->t.end = close_screencast;
    if (h_init(&f->t.h, 0) < 0 || h_start_bus(&f->t.h) < 0)
        return t_setup_failed(state, "session bus");
    if (skip_unless("pipewire")) {
        char *pw[] = { "pipewire", NULL };
        char *wp[] = { "wireplumber", NULL };
        h_spawn(&f->t.h, pw, NULL, 0);
        if (h_wait_path(&f->t.h, "pipewire-0", 5000) == 0 && skip_unless("wireplumber"))
            h_spawn(&f->t.h, wp, NULL, 0);
    }
    char *mutter[] = { "mutter", "--wayland", "--headless", "--no-x11", "--virtual-monitor",
                       "1280x720", "--wayland-display=pf-wl", NULL };
    if (!h_spawn(&f->t.h, mutter, NULL, 0) || h_wait_path(&f->t.h, "pf-wl", 15000) < 0)
        return t_setup_failed(state, "mutter did not start");

    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "mutter";
    s.dbus_address = f->t.h.bus_address;
    /* Mutter owns its D-Bus names a moment after its socket appears. */
    if (t_injector_create(&s, 100, &f->t.inj) < 0)
        return t_setup_failed(state, "no RemoteDesktop session");
    char sid[128];
    if (pf_input_injector_get_session_id(f->t.inj, sid, sizeof(sid)) <= 0)
        return t_setup_failed(state, "no SessionId");
    link_screencast(f, sid);
    if (pf_input_injector_start(f->t.inj) < 0)
        return t_setup_failed(state, "Start refused");
    if (f->have_stream) {
        pf_input_output out = {
            .struct_size = sizeof(out), .width = 1280, .height = 720, .stream_path = f->stream
        };
        if (pf_input_injector_set_output(f->t.inj, &out) < 0)
            return t_setup_failed(state, "set_output");
    }
    if (pf_input_client_create(f->t.inj, PF_INPUT_PERM_ALL, &f->t.client) < 0)
        return t_setup_failed(state, "client");

    char display[300];
    snprintf(display, sizeof(display), "%s/pf-wl", f->t.h.dir);
    f->t.rec = t_start_recorder(&f->t.h, display);
    char line[256];
    if (!f->t.rec || h_expect_line(f->t.rec, "ready", line, sizeof(line), 10000) < 0)
        return t_setup_failed(state, "recorder not ready");
    /* Mutter adds its virtual devices to the seat on first use; the window then gets
     * pointer and keyboard focus. */
    if (t_wait_focus(f->t.client, f->t.rec, NULL) < 0)
        return t_setup_failed(state, "no focus");
    return 0;
}

static void test_keys(void **state)
{
    struct t_fixture *f = *state;
    t_report_latency(f->client, f->rec, "mutter", 21);
    t_tap(f->client, f->rec, 'A', KEY_A);
    /* Shift+Z from a client that sent no Shift key of its own. */
    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, 'Z', PF_INPUT_MOD_SHIFT);
    t_key(f->client, PF_INPUT_EVENT_KEY_UP, 'Z', 0);
    t_expect(f->rec, "key 42 1");
    t_expect(f->rec, "key 44 1");
    t_expect(f->rec, "key 44 0");
    t_expect(f->rec, "key 42 0");
    /* Text as a keysym: Mutter types it with whatever key its keymap has for it. */
    pf_input_event t = t_ev(PF_INPUT_EVENT_TEXT);
    t.text.codepoint = 'q';
    t_submit(f->client, t);
    t_expect(f->rec, "key 16 1");
    t_expect(f->rec, "key 16 0");
    /* Keysyms on a higher level: Mutter adds the Shift itself; the client reads back the
     * character. (Mutter 43 drops keysyms its keymap lacks, so "é" needs a session layout
     * that has it.) */
    static const uint32_t cps[] = { '?', 'Q', '~' };
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        t.text.codepoint = cps[i];
        t_submit(f->client, t);
        char want[32];
        t_expect(f->rec, "sym 0xffe1"); /* Shift_L */
        snprintf(want, sizeof(want), "sym 0x%x", cps[i]);
        t_expect(f->rec, want);
    }
}

static void test_pointer(void **state)
{
    struct t_fixture *f = *state;
    double x0, y0, x1, y1;
    /* Put the pointer somewhere known inside the window first. */
    pf_input_event m = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    m.pointer.dx = 1;
    m.pointer.dy = 1;
    t_submit(f->client, m);
    t_expect_xy(f->rec, "motion ", &x0, &y0);
    m.pointer.dx = 10;
    m.pointer.dy = -5;
    t_submit(f->client, m);
    t_expect_xy(f->rec, "motion ", &x1, &y1);
    assert_true(fabs((x1 - x0) - 10) < 0.01 && fabs((y1 - y0) + 5) < 0.01);

    t_click(f->client, f->rec, PF_INPUT_BUTTON_LEFT, BTN_LEFT);
    t_click(f->client, f->rec, PF_INPUT_BUTTON_RIGHT, BTN_RIGHT);

    /* One notch away from the user is one step up (negative) in Wayland; a discrete step
     * comes with its 10-unit smooth value. Mutter delivers multi-notch steps one by one. */
    char got[2048];
    pf_input_event s = t_ev(PF_INPUT_EVENT_SCROLL);
    s.pointer.scroll = 120;
    t_submit(f->client, s);
    h_collect(f->rec, got, sizeof(got), 500);
    assert_string_equal(got, "axis-discrete 0 -1\naxis 0 -10.00\n");
    s = t_ev(PF_INPUT_EVENT_HSCROLL);
    s.pointer.scroll = 240;
    t_submit(f->client, s);
    h_collect(f->rec, got, sizeof(got), 500);
    assert_string_equal(got, "axis-discrete 1 1\naxis 1 10.00\naxis-discrete 1 1\naxis 1 10.00\n");
    /* Half a notch towards the user: smooth scroll of half a notch's distance, downwards. */
    s = t_ev(PF_INPUT_EVENT_SCROLL);
    s.pointer.scroll = -60;
    t_submit(f->client, s);
    h_collect(f->rec, got, sizeof(got), 500);
    assert_string_equal(got, "axis 0 5.00\n");
}

static void test_absolute(void **state)
{
    struct t_fixture *f = *state;
    if (!((struct fixture *)f)->have_stream) {
        print_message("# no ScreenCast stream (PipeWire missing?): absolute motion not checked\n");
        skip();
    }
    /* Captured sample: 100,200 of a 1920x1080 client view onto the 1280x720 output. */
    pf_input_event a = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    a.pointer.x = 100;
    a.pointer.y = 200;
    a.pointer.ref_width = 1920;
    a.pointer.ref_height = 1080;
    t_submit(f->client, a);
    double x, y;
    t_expect_xy(f->rec, "motion ", &x, &y);
    assert_true(fabs(x - 100.0 * 1279 / 1919) < 0.01);
    assert_true(fabs(y - 200.0 * 719 / 1079) < 0.01);
    a.pointer.x = 1919;
    a.pointer.y = 1079;
    t_submit(f->client, a);
    t_expect_xy(f->rec, "motion ", &x, &y);
    assert_true(fabs(x - 1279) < 0.01 && fabs(y - 719) < 0.01);

    /* Touch (0..1 of the video) lands on the same output through the same stream. Mutter
     * adds its virtual touchscreen to the seat on first use: one tap to wake it, then the
     * window binds wl_touch and sees the real sequence. */
    pf_input_event t = t_ev(PF_INPUT_EVENT_TOUCH);
    t.touch.event_type = PF_INPUT_TOUCH_DOWN;
    t.touch.pointer_id = 1;
    t_submit(f->client, t);
    t.touch.event_type = PF_INPUT_TOUCH_UP;
    t_submit(f->client, t);
    char line[256];
    if (h_expect_line(f->rec, "seat-caps 7", line, sizeof(line), 5000) < 0)
        fail_msg("no touch capability");
    h_collect(f->rec, line, sizeof(line), 300);
    t.touch.event_type = PF_INPUT_TOUCH_DOWN;
    t.touch.pointer_id = 7;
    t.touch.x = 0.25f;
    t.touch.y = 0.5f;
    t_submit(f->client, t);
    t.touch.event_type = PF_INPUT_TOUCH_MOVE;
    t.touch.x = 0.75f;
    t_submit(f->client, t);
    t.touch.event_type = PF_INPUT_TOUCH_UP;
    t_submit(f->client, t);
    int id;
    if (h_expect_line(f->rec, "touch-down ", line, sizeof(line), 5000) < 0)
        fail_msg("no touch-down");
    assert_int_equal(sscanf(line, "touch-down %d %lf %lf", &id, &x, &y), 3);
    assert_true(fabs(x - 0.25 * 1279) < 0.01 && fabs(y - 0.5 * 719) < 0.01);
    char want[64];
    snprintf(want, sizeof(want), "touch-motion %d %.2f %.2f", id, 0.75 * 1279, 0.5 * 719);
    t_expect(f->rec, want);
    snprintf(want, sizeof(want), "touch-up %d", id);
    t_expect(f->rec, want);
}

static void test_release_on_disconnect(void **state)
{
    struct t_fixture *f = *state;
    t_release_on_disconnect(&f->client, f->rec, 0xA2 /* left Ctrl */, 'B', PF_INPUT_MOD_CTRL,
                            PF_INPUT_BUTTON_MIDDLE);
}

/* Mutter dies mid-session (no Closed signal then): the backend notices its bus name going,
 * calls report the broken connection, and teardown still works. */
static void test_compositor_gone(void **state)
{
    struct t_fixture *f = *state;
    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, 'A', 0);
    t_expect(f->rec, "key 30 1");
    pid_t mutter = 0;
    for (int i = 0; i < f->h.n; i++)
        if (f->h.procs[i].out_fd < 0 && f->h.procs[i].pid > 0)
            mutter = f->h.procs[i].pid; /* the last daemon before the recorder */
    assert_true(mutter > 0);
    kill(mutter, SIGKILL);
    int r = 0;
    for (int i = 0; i < 200 && r >= 0; i++) {
        struct pollfd pfd = { .fd = pf_input_injector_get_fd(f->inj), .events = POLLIN };
        poll(&pfd, 1, 20);
        r = pf_input_injector_dispatch(f->inj);
    }
    assert_int_equal(r, PF_ERR_IO);
    pf_input_event m = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    m.pointer.dx = 1;
    assert_int_equal(pf_input_client_submit(f->client, &m, 0), PF_ERR_IO);
    pf_input_client_destroy(f->client);
    f->client = NULL;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_pointer, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_absolute, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_release_on_disconnect, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_compositor_gone, setup, t_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
