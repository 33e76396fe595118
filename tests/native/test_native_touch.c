/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 touch (native-protocol.md §8.1 kinds 9–11, §3.5 HOST_CAP2_TOUCH) against
 * `pfhost serve --source testpattern --input-record`: contacts in client-view pixels reach
 * libpfinput's event as 0..1 of the video area, with down, move and up per contact id, gated
 * by the pointer grant; a host whose injector has no touch does not offer it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "native_harness.h"

#define VIEW ((1280u << 16) | 720u)

static int group_setup(void **state)
{
    if (native_setup(state) < 0)
        return -1;
    char pin[5];
    return arm_pin(pin) == 0 && pair_once(cert_a, key_a, fp_a, pin) == 0 ? 0 : -1;
}

static void end_session(native_client *c, int fd)
{
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

static void touch_contacts(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 60, 0, &w, &fd);
    assert_true(w.host_caps2 & PF_PKF1_HOST_CAP2_TOUCH);
    nclient_pump(c, 300);
    /* Two contacts: down, move, up each; positions are pixels of the client's view. */
    send_input(c, PF_PKF1_INPUT_TOUCH_DOWN, 3, 640, 360, VIEW);
    send_input(c, PF_PKF1_INPUT_TOUCH_DOWN, 4, 320, 540, VIEW);
    send_input(c, PF_PKF1_INPUT_TOUCH_MOVE, 3, 320, 180, VIEW);
    /* Outside the view: clamped to its edge. */
    send_input(c, PF_PKF1_INPUT_TOUCH_MOVE, 4, 2000, -5, VIEW);
    send_input(c, PF_PKF1_INPUT_TOUCH_UP, 3, 0, 0, 0);
    send_input(c, PF_PKF1_INPUT_TOUCH_UP, 4, 0, 0, 0);
    /* No view size: nothing to map onto, dropped (as for MouseMoveAbs). */
    send_input(c, PF_PKF1_INPUT_TOUCH_DOWN, 9, 10, 10, 0);
    nclient_pump(c, 500);
    /* "touch <PF_INPUT_TOUCH_*> <id> <x> <y>": 1 down, 3 move, 2 up. */
    assert_true(recorded(" touch 1 3 0.5 0.5\n"));
    assert_true(recorded(" touch 1 4 0.25 0.75\n"));
    assert_true(recorded(" touch 3 3 0.25 0.25\n"));
    assert_true(recorded(" touch 3 4 1 0\n"));
    assert_true(recorded(" touch 2 3 0 0\n"));
    assert_true(recorded(" touch 2 4 0 0\n"));
    assert_false(recorded(" touch 1 9 "));
    end_session(c, fd);

    /* Touch steers the pointer: without GRANT_POINTER it is dropped. */
    restart_with_grants(PF_PKF1_GRANT_GAMEPAD);
    c = open_session(1280, 720, 60, 0, &w, &fd);
    nclient_pump(c, 300);
    send_input(c, PF_PKF1_INPUT_TOUCH_DOWN, 7, 640, 360, VIEW);
    nclient_pump(c, 500);
    assert_false(recorded(" touch 1 7 "));
    end_session(c, fd);
    restart_with_grants(PF_PKF1_GRANT_ALL);
}

/* Injecting for real (no recorder) through a backend that cannot start: no injector, so no
 * touch in the Welcome, and touch sent anyway changes nothing. */
static void no_touch_without_injector(void **state)
{
    (void)state;
    assert_int_equal(host_stop(&host), 0);
    const char *const *saved = host.serve_args;
    static const char *args[] = {"--source", "testpattern", NULL};
    host.serve_args = args;
    setenv("PF_INPUT_BACKENDS", "wlr", 1);
    setenv("WAYLAND_DISPLAY", "pf-no-such-display", 1);
    assert_int_equal(host_start(&host, NULL), 0);
    assert_int_equal(read_native_status(), 0);
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 60, 0, &w, &fd);
    assert_false(w.host_caps2 & PF_PKF1_HOST_CAP2_TOUCH);
    assert_true(w.host_caps2 & PF_PKF1_HOST_CAP2_EXT);
    send_input(c, PF_PKF1_INPUT_TOUCH_DOWN, 5, 640, 360, VIEW);
    nclient_pump(c, 300);
    end_session(c, fd);
    assert_int_equal(host_stop(&host), 0);
    unsetenv("PF_INPUT_BACKENDS");
    unsetenv("WAYLAND_DISPLAY");
    host.serve_args = saved;
    assert_int_equal(host_start(&host, NULL), 0);
    assert_int_equal(read_native_status(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(touch_contacts),
        cmocka_unit_test(no_touch_without_injector),
    };
    return cmocka_run_group_tests(tests, group_setup, native_teardown);
}
