/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The KWin backend against a stand-in server that records org_kde_kwin_fake_input requests
 * (KWin has no headless mode here): the exact request transcript for each decoded event,
 * global coordinates offset by the output's position, and releases on disconnect. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/input.h"

#include "harness.h"
#include "session_fixture.h"
#include "session_util.h"

static int setup(void **state)
{
    struct t_fixture *f = t_fixture_new(state, sizeof(*f));
    char line[128];
    char *argv[] = { (char *)h_helper(&f->h, "pf-fake-kwin"), "pf-kwin", NULL };
    if (h_init(&f->h, 0) < 0 || !(f->rec = h_spawn(&f->h, argv, NULL, 1)) ||
        h_expect_line(f->rec, "ready", line, sizeof(line), 5000) < 0) {
        t_teardown(state);
        return -1;
    }
    char display[128];
    snprintf(display, sizeof(display), "%s/pf-kwin", f->h.dir);
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.vdisplay = "kwin"; /* autocreate: kwin first, then uinput (absent here) */
    s.wayland_display = display;
    pf_input_output out = {
        .struct_size = sizeof(out), .x = 1920, .y = 0, .width = 1280, .height = 720
    };
    if (pf_input_injector_create(&s, &f->inj) < 0 ||
        pf_input_injector_set_output(f->inj, &out) < 0 ||
        pf_input_client_create(f->inj, PF_INPUT_PERM_ALL, &f->client) < 0) {
        t_teardown(state);
        return -1;
    }
    return 0;
}

static void test_transcript(void **state)
{
    struct t_fixture *f = *state;
    assert_string_equal(pf_input_injector_get_backend(f->inj), "kwin");
    t_expect(f->rec, "bind 4");
    t_expect(f->rec, "authenticate punktfunk");

    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, 'K', 0);
    t_key(f->client, PF_INPUT_EVENT_KEY_UP, 'K', 0);
    pf_input_event e = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    e.pointer.dx = -3;
    e.pointer.dy = 4;
    t_submit(f->client, e);
    e = t_ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    e.pointer.x = 1919;
    e.pointer.y = 0;
    e.pointer.ref_width = 1920;
    e.pointer.ref_height = 1080;
    t_submit(f->client, e);
    e = t_ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    e.pointer.button = PF_INPUT_BUTTON_LEFT;
    t_submit(f->client, e);
    e.type = PF_INPUT_EVENT_MOUSE_BUTTON_UP;
    t_submit(f->client, e);
    e = t_ev(PF_INPUT_EVENT_SCROLL);
    e.pointer.scroll = 120;
    t_submit(f->client, e);
    e = t_ev(PF_INPUT_EVENT_TOUCH);
    e.touch.event_type = PF_INPUT_TOUCH_DOWN;
    e.touch.pointer_id = 42;
    e.touch.x = 0.5f;
    e.touch.y = 0.5f;
    t_submit(f->client, e);
    e.touch.event_type = PF_INPUT_TOUCH_UP;
    t_submit(f->client, e);
    /* Fake input has no keysyms: ASCII is typed with US-layout keys, other text refused. */
    e = t_ev(PF_INPUT_EVENT_TEXT);
    e.text.codepoint = '?';
    t_submit(f->client, e);
    e.text.codepoint = 0xE9;
    assert_int_equal(pf_input_client_submit(f->client, &e, 0), 0);

    char got[2048];
    h_collect(f->rec, got, sizeof(got), 500);
    assert_string_equal(got, "key 37 1\n"
                             "key 37 0\n"
                             "motion -3.00 4.00\n"
                             "abs 3199.00 0.00\n"
                             "button 272 1\n"
                             "button 272 0\n"
                             "axis 0 -15.00\n"
                             "touch-down 0 2559.50 359.50\n"
                             "touch-frame\n"
                             "touch-up 0\n"
                             "touch-frame\n"
                             "key 42 1\n"
                             "key 53 1\n"
                             "key 53 0\n"
                             "key 42 0\n");
}

static void test_release_on_disconnect(void **state)
{
    struct t_fixture *f = *state;
    char got[1024];
    h_collect(f->rec, got, sizeof(got), 300);
    t_key(f->client, PF_INPUT_EVENT_KEY_DOWN, 0x5B, 0); /* left Windows key */
    pf_input_event e = t_ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    e.pointer.button = PF_INPUT_BUTTON_RIGHT;
    t_submit(f->client, e);
    e = t_ev(PF_INPUT_EVENT_TOUCH);
    e.touch.event_type = PF_INPUT_TOUCH_DOWN;
    e.touch.pointer_id = 1;
    t_submit(f->client, e);
    pf_input_client_destroy(f->client);
    f->client = NULL;
    h_collect(f->rec, got, sizeof(got), 500);
    assert_string_equal(got, "key 125 1\n"
                             "button 273 1\n"
                             "touch-down 0 1920.00 0.00\n"
                             "touch-frame\n"
                             "key 125 0\n"
                             "button 273 0\n"
                             "touch-up 0\n"
                             "touch-frame\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_transcript, setup, t_teardown),
        cmocka_unit_test_setup_teardown(test_release_on_disconnect, setup, t_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
