/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The uinput backend against a recording sink (this machine has no /dev/uinput): the devices
 * it builds (names, ids, codes, ranges as the kernel drivers report them), the events it
 * writes for each decoded input, one pad per client controller, and rumble requests from an
 * application travelling back to the client as feedback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libevdev/libevdev.h>
#include <linux/input.h>

#include "pf/input.h"

#include "backend.h"
#include "backend_uinput.h"
#include "uinput_devices.h"

#define MAX_DEVS 16
#define MAX_EVENTS 512
#define MAX_FF 8

struct rdev {
    struct libevdev *desc; /* a copy of what the backend asked for */
    int alive;
    struct input_event events[MAX_EVENTS];
    int n_events;
    struct pfi_ff_request ff[MAX_FF];
    int n_ff;
};

struct sink {
    struct rdev devs[MAX_DEVS];
    int n;
};

static struct sink S;

/* Copies name, ids, properties, codes and abs ranges: everything uinput would receive. */
static struct libevdev *clone_desc(const struct libevdev *d)
{
    struct libevdev *c = libevdev_new();
    libevdev_set_name(c, libevdev_get_name(d));
    libevdev_set_id_bustype(c, libevdev_get_id_bustype(d));
    libevdev_set_id_vendor(c, libevdev_get_id_vendor(d));
    libevdev_set_id_product(c, libevdev_get_id_product(d));
    for (unsigned int p = 0; p <= INPUT_PROP_MAX; p++)
        if (libevdev_has_property(d, p))
            libevdev_enable_property(c, p);
    for (unsigned int t = 1; t < EV_CNT; t++) {
        int max = libevdev_event_type_get_max(t);
        for (int code = 0; max > 0 && code <= max; code++) {
            if (!libevdev_has_event_code(d, t, (unsigned int)code))
                continue;
            libevdev_enable_event_code(c, t, (unsigned int)code,
                                       t == EV_ABS ? libevdev_get_abs_info(d, (unsigned int)code)
                                                   : NULL);
        }
    }
    return c;
}

static int s_create(void *data, const struct libevdev *desc, void **ret)
{
    struct sink *s = data;
    assert_true(s->n < MAX_DEVS);
    struct rdev *d = &s->devs[s->n++];
    memset(d, 0, sizeof(*d));
    d->desc = clone_desc(desc);
    d->alive = 1;
    *ret = d;
    return 0;
}

static int s_write(void *data, void *dev, uint32_t type, uint32_t code, int32_t value)
{
    struct rdev *d = dev;
    assert_true(d->alive);
    assert_true(d->n_events < MAX_EVENTS);
    /* The kernel rejects codes the device did not declare; so does the recording. */
    if (type != EV_SYN && !libevdev_has_event_code(d->desc, type, code))
        fail_msg("'%s' wrote undeclared %s %s", libevdev_get_name(d->desc),
                 libevdev_event_type_get_name(type), libevdev_event_code_get_name(type, code));
    if (type == EV_ABS && code != ABS_MT_TRACKING_ID) {
        const struct input_absinfo *ai = libevdev_get_abs_info(d->desc, code);
        if (value < ai->minimum || value > ai->maximum)
            fail_msg("%s = %d outside [%d, %d]", libevdev_event_code_get_name(type, code), value,
                     ai->minimum, ai->maximum);
    }
    d->events[d->n_events++] = (struct input_event){ .type = (uint16_t)type,
                                                     .code = (uint16_t)code,
                                                     .value = value };
    return 0;
}

static void s_destroy(void *data, void *dev)
{
    ((struct rdev *)dev)->alive = 0;
}

static int s_read_ff(void *data, void *dev, struct pfi_ff_request *req)
{
    struct rdev *d = dev;
    if (!d->n_ff)
        return 0;
    *req = d->ff[0];
    memmove(&d->ff[0], &d->ff[1], sizeof(d->ff[0]) * (size_t)--d->n_ff);
    return 1;
}

static const struct pfi_uinput_sink rec_sink = {
    .create = s_create, .write = s_write, .destroy = s_destroy, .read_ff = s_read_ff
};

static int t_create(const struct pfi_backend_args *args, struct pfi_backend **ret)
{
    return pfi_uinput_create_with_sink(args, &rec_sink, &S, ret);
}

static struct pfi_backend_impl test_impl;
static const struct pfi_backend_impl *const table[] = { &test_impl, NULL };

struct fb_log {
    pf_input_client *client[8];
    pf_input_feedback fb[8];
    int n;
};

static void on_feedback(void *ud, pf_input_client *client, const pf_input_feedback *fb)
{
    struct fb_log *l = ud;
    assert_true(l->n < 8);
    l->client[l->n] = client;
    l->fb[l->n++] = *fb;
}

static pf_input_injector *make(struct fb_log *fb)
{
    for (int i = 0; i < S.n; i++)
        libevdev_free(S.devs[i].desc);
    memset(&S, 0, sizeof(S));
    test_impl = pfi_backend_uinput;
    test_impl.create = t_create;
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "uinput";
    s.feedback = on_feedback;
    s.feedback_user_data = fb;
    pf_input_injector *inj = NULL;
    assert_int_equal(pfi_injector_create_with(&s, table, &inj), 0);
    assert_string_equal(pf_input_injector_get_backend(inj), "uinput");
    return inj;
}

static struct rdev *dev_named(const char *name)
{
    struct rdev *found = NULL;
    for (int i = 0; i < S.n; i++)
        if (strcmp(libevdev_get_name(S.devs[i].desc), name) == 0)
            found = &S.devs[i];
    if (!found)
        fail_msg("no device '%s'", name);
    return found;
}

/* Last value written for type/code on @p d, or @p dflt. */
static int32_t last_value(const struct rdev *d, uint32_t type, uint32_t code, int32_t dflt)
{
    for (int i = d->n_events - 1; i >= 0; i--)
        if (d->events[i].type == type && d->events[i].code == code)
            return d->events[i].value;
    return dflt;
}

static int count(const struct rdev *d, uint32_t type, uint32_t code)
{
    int n = 0;
    for (int i = 0; i < d->n_events; i++)
        n += d->events[i].type == type && d->events[i].code == code;
    return n;
}

static pf_input_event ev(uint32_t type)
{
    pf_input_event e;
    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    e.type = type;
    return e;
}

static void test_keyboard_mouse(void **state)
{
    pf_input_injector *inj = make(NULL);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    assert_int_equal(S.n, 0); /* devices appear on first use */
    pf_input_event e = ev(PF_INPUT_EVENT_KEY_DOWN);
    e.key.key_code = 0x8041;
    pf_input_client_submit(c, &e, 0);
    struct rdev *kbd = dev_named("punktfunk keyboard");
    assert_int_equal(libevdev_get_id_bustype(kbd->desc), BUS_VIRTUAL);
    assert_int_equal(kbd->events[0].code, KEY_A);
    assert_int_equal(kbd->events[0].value, 1);
    assert_int_equal(kbd->events[1].type, EV_SYN);

    e = ev(PF_INPUT_EVENT_MOUSE_MOVE_REL);
    e.pointer.dx = 10;
    e.pointer.dy = -5;
    pf_input_client_submit(c, &e, 0);
    e = ev(PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    e.pointer.button = PF_INPUT_BUTTON_X2;
    pf_input_client_submit(c, &e, 0);
    /* Scroll: high-resolution units as sent; whole notches once they add up. */
    e = ev(PF_INPUT_EVENT_SCROLL);
    e.pointer.scroll = 60;
    pf_input_client_submit(c, &e, 0);
    pf_input_client_submit(c, &e, 0);
    e = ev(PF_INPUT_EVENT_HSCROLL);
    e.pointer.scroll = -240;
    pf_input_client_submit(c, &e, 0);
    struct rdev *mouse = dev_named("punktfunk mouse");
    assert_true(libevdev_has_property(mouse->desc, INPUT_PROP_POINTER));
    assert_int_equal(last_value(mouse, EV_REL, REL_X, 0), 10);
    assert_int_equal(last_value(mouse, EV_REL, REL_Y, 0), -5);
    assert_int_equal(last_value(mouse, EV_KEY, BTN_EXTRA, 0), 1);
    assert_int_equal(count(mouse, EV_REL, REL_WHEEL_HI_RES), 2);
    assert_int_equal(count(mouse, EV_REL, REL_WHEEL), 1);
    assert_int_equal(last_value(mouse, EV_REL, REL_WHEEL, 0), 1);
    assert_int_equal(last_value(mouse, EV_REL, REL_HWHEEL_HI_RES, 0), -240);
    assert_int_equal(last_value(mouse, EV_REL, REL_HWHEEL, 0), -2);

    /* Disconnect with A and X2 held: both released on their devices. */
    pf_input_client_destroy(c);
    assert_int_equal(last_value(kbd, EV_KEY, KEY_A, 1), 0);
    assert_int_equal(last_value(mouse, EV_KEY, BTN_EXTRA, 1), 0);
    pf_input_injector_destroy(inj);
    for (int i = 0; i < S.n; i++)
        assert_false(S.devs[i].alive);
}

/* uinput has no keysyms: ASCII text is tapped on US-layout keys, nothing stays held. */
static void test_text_fallback(void **state)
{
    pf_input_injector *inj = make(NULL);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_event e = ev(PF_INPUT_EVENT_TEXT);
    e.text.codepoint = 'A';
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    e.text.codepoint = 0x4E2D; /* not on a US keyboard */
    assert_int_equal(pf_input_client_submit(c, &e, 0), 0);
    struct rdev *kbd = dev_named("punktfunk keyboard");
    static const struct {
        uint16_t type, code;
        int32_t value;
    } want[] = { { EV_KEY, KEY_LEFTSHIFT, 1 }, { EV_SYN, SYN_REPORT, 0 }, { EV_KEY, KEY_A, 1 },
                 { EV_SYN, SYN_REPORT, 0 },    { EV_KEY, KEY_A, 0 },       { EV_SYN, SYN_REPORT, 0 },
                 { EV_KEY, KEY_LEFTSHIFT, 0 }, { EV_SYN, SYN_REPORT, 0 } };
    assert_int_equal(kbd->n_events, 8);
    for (int i = 0; i < 8; i++) {
        assert_int_equal(kbd->events[i].type, want[i].type);
        assert_int_equal(kbd->events[i].code, want[i].code);
        assert_int_equal(kbd->events[i].value, want[i].value);
    }
    pf_input_client_destroy(c);
    assert_int_equal(kbd->n_events, 8); /* nothing left to release */
    pf_input_injector_destroy(inj);
}

static void test_absolute_touch_pen(void **state)
{
    pf_input_injector *inj = make(NULL);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    pf_input_output out = { .struct_size = sizeof(out), .width = 1280, .height = 720 };
    pf_input_injector_set_output(inj, &out);
    pf_input_event e = ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    e.pointer.x = 1919;
    e.pointer.y = 539;
    e.pointer.ref_width = 1920;
    e.pointer.ref_height = 1080;
    pf_input_client_submit(c, &e, 0);
    struct rdev *abs = dev_named("punktfunk absolute pointer");
    assert_int_equal(libevdev_get_abs_maximum(abs->desc, ABS_X), 1279);
    assert_int_equal(libevdev_get_abs_maximum(abs->desc, ABS_Y), 719);
    assert_int_equal(last_value(abs, EV_ABS, ABS_X, -1), 1279);
    assert_int_equal(last_value(abs, EV_ABS, ABS_Y, -1), 359);

    e = ev(PF_INPUT_EVENT_TOUCH);
    e.touch.event_type = PF_INPUT_TOUCH_DOWN;
    e.touch.pointer_id = 7;
    e.touch.x = 0.5f;
    e.touch.y = 1.0f;
    e.touch.pressure = 1.0f;
    pf_input_client_submit(c, &e, 0);
    struct rdev *ts = dev_named("punktfunk touchscreen");
    assert_true(libevdev_has_property(ts->desc, INPUT_PROP_DIRECT));
    assert_int_equal(last_value(ts, EV_ABS, ABS_MT_SLOT, -1), 0);
    assert_true(last_value(ts, EV_ABS, ABS_MT_TRACKING_ID, -1) >= 0);
    assert_int_equal(last_value(ts, EV_ABS, ABS_MT_POSITION_X, -1), 640);
    assert_int_equal(last_value(ts, EV_ABS, ABS_MT_POSITION_Y, -1), 719);
    assert_int_equal(last_value(ts, EV_KEY, BTN_TOUCH, -1), 1);

    e = ev(PF_INPUT_EVENT_PEN);
    e.touch.event_type = PF_INPUT_TOUCH_DOWN;
    e.touch.tool = PF_INPUT_PEN_TOOL_PEN;
    e.touch.x = 0.0f;
    e.touch.y = 0.0f;
    e.touch.pressure = 0.5f;
    e.touch.tilt = 45;
    e.touch.rotation = 0;
    e.touch.pen_buttons = PF_INPUT_PEN_BUTTON_SECONDARY;
    pf_input_client_submit(c, &e, 0);
    struct rdev *pen = dev_named("punktfunk pen");
    assert_int_equal(last_value(pen, EV_KEY, BTN_TOOL_PEN, -1), 1);
    assert_int_equal(last_value(pen, EV_KEY, BTN_TOUCH, -1), 1);
    assert_int_equal(last_value(pen, EV_ABS, ABS_PRESSURE, -1), 512);
    assert_int_equal(last_value(pen, EV_ABS, ABS_TILT_X, -1), 45);
    assert_int_equal(last_value(pen, EV_KEY, BTN_STYLUS2, -1), 1);
    e.touch.event_type = PF_INPUT_TOUCH_HOVER_LEAVE;
    pf_input_client_submit(c, &e, 0);
    assert_int_equal(last_value(pen, EV_KEY, BTN_TOOL_PEN, -1), 0);
    assert_int_equal(last_value(pen, EV_KEY, BTN_TOUCH, -1), 0);
    assert_int_equal(last_value(pen, EV_KEY, BTN_STYLUS2, -1), 0);

    /* A new output size rebuilds the absolute devices with the new ranges. */
    out.width = 640;
    out.height = 480;
    pf_input_injector_set_output(inj, &out);
    assert_false(abs->alive);
    e = ev(PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    e.pointer.x = 1919;
    e.pointer.ref_width = 1920;
    e.pointer.ref_height = 1080;
    pf_input_client_submit(c, &e, 0);
    abs = dev_named("punktfunk absolute pointer");
    assert_true(abs->alive);
    assert_int_equal(libevdev_get_abs_maximum(abs->desc, ABS_X), 639);
    assert_int_equal(last_value(abs, EV_ABS, ABS_X, -1), 639);
    pf_input_client_destroy(c);
    pf_input_injector_destroy(inj);
}

static pf_input_event pad_state(uint32_t n, uint32_t mask, uint32_t buttons)
{
    pf_input_event e = ev(PF_INPUT_EVENT_CONTROLLER_STATE);
    e.pad.number = n;
    e.pad.active_mask = mask;
    e.pad.buttons = buttons;
    return e;
}

static void test_xbox_pad(void **state)
{
    pf_input_injector *inj = make(NULL);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    /* Captured sample: pad 0 A+PADDLE1, LT 10 RT 20, LS (1000,-1000), RS (2000,-2000). */
    pf_input_event e = pad_state(0, 3, PF_INPUT_PAD_A | PF_INPUT_PAD_PADDLE1 | PF_INPUT_PAD_UP);
    e.pad.left_trigger = 10;
    e.pad.right_trigger = 20;
    e.pad.left_x = 1000;
    e.pad.left_y = -1000;
    e.pad.right_x = 2000;
    e.pad.right_y = -32768;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    struct rdev *pad = dev_named("Microsoft X-Box 360 pad");
    assert_int_equal(libevdev_get_id_vendor(pad->desc), 0x045E);
    assert_int_equal(libevdev_get_id_product(pad->desc), 0x028E);
    assert_int_equal(libevdev_get_abs_minimum(pad->desc, ABS_X), -32768);
    assert_true(libevdev_has_event_code(pad->desc, EV_FF, FF_RUMBLE));
    assert_int_equal(last_value(pad, EV_KEY, BTN_A, -1), 1);
    assert_int_equal(last_value(pad, EV_KEY, BTN_B, -1), 0);
    assert_int_equal(last_value(pad, EV_ABS, ABS_Z, -1), 10);
    assert_int_equal(last_value(pad, EV_ABS, ABS_RZ, -1), 20);
    assert_int_equal(last_value(pad, EV_ABS, ABS_X, -1), 1000);
    assert_int_equal(last_value(pad, EV_ABS, ABS_Y, -1), 1000); /* XInput up = evdev -Y */
    assert_int_equal(last_value(pad, EV_ABS, ABS_RY, -1), 32767);
    assert_int_equal(last_value(pad, EV_ABS, ABS_HAT0Y, 0), -1);
    /* Only changes are written after the first report. */
    int before = pad->n_events;
    e.pad.buttons = PF_INPUT_PAD_B;
    pf_input_client_submit(c, &e, 0);
    assert_int_equal(pad->n_events - before, 4); /* A up, B down, HAT0Y 0, SYN */
    /* Second controller of the same client: its own device. */
    e = pad_state(1, 3, PF_INPUT_PAD_Y);
    pf_input_client_submit(c, &e, 0);
    assert_int_equal(S.n, 2);
    /* Pad 1 leaves (its bit cleared), pad 0 stays. */
    e = pad_state(1, 1, 0);
    pf_input_client_submit(c, &e, 0);
    assert_false(S.devs[1].alive);
    assert_true(pad->alive);
    pf_input_client_destroy(c);
    assert_false(pad->alive);
    pf_input_injector_destroy(inj);
}

static void test_dualsense_pad(void **state)
{
    struct fb_log fb = { 0 };
    pf_input_injector *inj = make(&fb);
    pf_input_client *c;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &c);
    /* Captured sample: arrival pad 1, PlayStation, caps 0x22 (rumble, gyro) — plus touchpad. */
    pf_input_event e = ev(PF_INPUT_EVENT_CONTROLLER_ARRIVAL);
    e.pad.number = 1;
    e.pad.type = PF_INPUT_PAD_TYPE_PLAYSTATION;
    e.pad.capabilities = 0x22 | PF_INPUT_PAD_CAP_TOUCHPAD | PF_INPUT_PAD_CAP_ACCEL;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    struct rdev *pad = dev_named("Sony Interactive Entertainment DualSense Wireless Controller");
    struct rdev *motion =
        dev_named("Sony Interactive Entertainment DualSense Wireless Controller Motion Sensors");
    struct rdev *tp =
        dev_named("Sony Interactive Entertainment DualSense Wireless Controller Touchpad");
    assert_int_equal(libevdev_get_id_vendor(pad->desc), 0x054C);
    assert_int_equal(libevdev_get_id_product(pad->desc), 0x0CE6);
    assert_true(libevdev_has_property(motion->desc, INPUT_PROP_ACCELEROMETER));
    assert_true(libevdev_has_property(tp->desc, INPUT_PROP_BUTTONPAD));

    e = pad_state(1, 2, PF_INPUT_PAD_X | PF_INPUT_PAD_Y | PF_INPUT_PAD_TOUCHPAD);
    e.pad.left_x = 32767;
    e.pad.left_y = 32767;
    e.pad.right_trigger = 200;
    pf_input_client_submit(c, &e, 0);
    assert_int_equal(last_value(pad, EV_KEY, BTN_WEST, -1), 1);  /* square */
    assert_int_equal(last_value(pad, EV_KEY, BTN_NORTH, -1), 1); /* triangle */
    assert_int_equal(last_value(pad, EV_KEY, BTN_SOUTH, -1), 0);
    assert_int_equal(last_value(pad, EV_ABS, ABS_X, -1), 255);
    assert_int_equal(last_value(pad, EV_ABS, ABS_Y, -1), 0);
    assert_int_equal(last_value(pad, EV_ABS, ABS_RZ, -1), 200);
    assert_int_equal(last_value(pad, EV_KEY, BTN_TR2, -1), 1);
    assert_int_equal(last_value(tp, EV_KEY, BTN_LEFT, -1), 1);

    /* Captured sample: gyro pad 1 (1, 2, 3) deg/s; accel 1 g on Y. */
    e = ev(PF_INPUT_EVENT_CONTROLLER_MOTION);
    e.pad.number = 1;
    e.pad.motion_type = PF_INPUT_MOTION_GYRO;
    e.pad.motion[0] = 1.0f;
    e.pad.motion[1] = 2.0f;
    e.pad.motion[2] = 3.0f;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    assert_int_equal(last_value(motion, EV_ABS, ABS_RX, 0), 1024);
    assert_int_equal(last_value(motion, EV_ABS, ABS_RZ, 0), 3072);
    e.pad.motion_type = PF_INPUT_MOTION_ACCEL;
    e.pad.motion[0] = 0.0f;
    e.pad.motion[1] = 9.80665f;
    e.pad.motion[2] = 1e30f; /* absurd: clamped */
    pf_input_client_submit(c, &e, 0);
    assert_int_equal(last_value(motion, EV_ABS, ABS_Y, 0), 8192);
    assert_int_equal(last_value(motion, EV_ABS, ABS_Z, 0), 32767);
    assert_true(last_value(motion, EV_MSC, MSC_TIMESTAMP, 0) > 0);

    e = ev(PF_INPUT_EVENT_CONTROLLER_TOUCH);
    e.pad.number = 1;
    e.touch.event_type = PF_INPUT_TOUCH_DOWN;
    e.touch.pointer_id = 3;
    e.touch.x = 1.0f;
    e.touch.y = 0.5f;
    assert_int_equal(pf_input_client_submit(c, &e, 0), 1);
    assert_int_equal(last_value(tp, EV_ABS, ABS_MT_POSITION_X, -1), 1919);
    assert_int_equal(last_value(tp, EV_KEY, BTN_TOOL_FINGER, -1), 1);
    e.touch.event_type = PF_INPUT_TOUCH_UP;
    pf_input_client_submit(c, &e, 0);
    assert_int_equal(last_value(tp, EV_ABS, ABS_MT_TRACKING_ID, 0), -1);
    assert_int_equal(last_value(tp, EV_KEY, BTN_TOUCH, -1), 0);

    /* Rumble: a game uploads a rumble effect and plays it; the client hears about it. */
    pad->ff[pad->n_ff++] =
        (struct pfi_ff_request){ .kind = PFI_FF_UPLOAD, .id = 0, .strong = 0x8000, .weak = 0x100 };
    pad->ff[pad->n_ff++] = (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = 0, .value = 1 };
    assert_int_equal(pf_input_injector_dispatch(inj), 2);
    assert_int_equal(fb.n, 1);
    assert_ptr_equal(fb.client[0], c);
    assert_int_equal(fb.fb[0].type, PF_INPUT_FEEDBACK_RUMBLE);
    assert_int_equal(fb.fb[0].controller, 1);
    assert_int_equal(fb.fb[0].low_freq, 0x8000);
    assert_int_equal(fb.fb[0].high_freq, 0x100);
    /* A second effect adds up (saturating), stopping it goes back, erasing stops all. */
    pad->ff[pad->n_ff++] =
        (struct pfi_ff_request){ .kind = PFI_FF_UPLOAD, .id = 1, .strong = 0x9000, .weak = 0 };
    pad->ff[pad->n_ff++] = (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = 1, .value = 1 };
    pad->ff[pad->n_ff++] = (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = 1, .value = 0 };
    pad->ff[pad->n_ff++] = (struct pfi_ff_request){ .kind = PFI_FF_ERASE, .id = 0 };
    pad->ff[pad->n_ff++] = (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = 42, .value = 1 };
    assert_int_equal(pf_input_injector_dispatch(inj), 5);
    assert_int_equal(fb.n, 4);
    assert_int_equal(fb.fb[1].low_freq, 0xFFFF);
    assert_int_equal(fb.fb[2].low_freq, 0x8000);
    assert_int_equal(fb.fb[3].low_freq, 0);
    assert_int_equal(fb.fb[3].high_freq, 0);

    /* Rumbling when the client leaves: its device goes, the motors are reported stopped. */
    pad->ff[pad->n_ff++] = (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = 1, .value = 1 };
    pf_input_injector_dispatch(inj);
    assert_int_equal(fb.n, 5);
    pf_input_client_destroy(c);
    assert_int_equal(fb.n, 6);
    assert_int_equal(fb.fb[5].low_freq, 0);
    assert_false(pad->alive);
    assert_false(motion->alive);
    assert_false(tp->alive);
    pf_input_injector_destroy(inj);
}

/* Two clients, each with controller 0: two devices, feedback goes to the right client. */
static void test_pads_per_client(void **state)
{
    struct fb_log fb = { 0 };
    pf_input_injector *inj = make(&fb);
    pf_input_client *a, *b;
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &a);
    pf_input_client_create(inj, PF_INPUT_PERM_ALL, &b);
    pf_input_event e = pad_state(0, 1, 0);
    pf_input_client_submit(a, &e, 0);
    pf_input_client_submit(b, &e, 0);
    assert_int_equal(S.n, 2);
    S.devs[1].ff[S.devs[1].n_ff++] =
        (struct pfi_ff_request){ .kind = PFI_FF_UPLOAD, .id = 3, .strong = 1, .weak = 2 };
    S.devs[1].ff[S.devs[1].n_ff++] =
        (struct pfi_ff_request){ .kind = PFI_FF_PLAY, .id = 3, .value = 1 };
    pf_input_injector_dispatch(inj);
    assert_int_equal(fb.n, 1);
    assert_ptr_equal(fb.client[0], b);
    assert_int_equal(fb.fb[0].controller, 0);
    /* Gamepad permission revoked: the client's pad goes away. */
    pf_input_client_set_permissions(a, PF_INPUT_PERM_KEYBOARD);
    assert_false(S.devs[0].alive);
    assert_true(S.devs[1].alive);
    pf_input_injector_destroy(inj);
    assert_false(S.devs[1].alive);
    for (int i = 0; i < S.n; i++)
        libevdev_free(S.devs[i].desc);
    S.n = 0;
}

/* The real backend refuses to start without a uinput node, so autocreate moves on. */
static void test_kernel_probe(void **state)
{
    pf_input_settings s;
    pf_input_settings_default(&s);
    s.backends = "uinput";
    s.uinput_path = "/nonexistent/uinput";
    pf_input_injector *inj = NULL;
    assert_int_equal(pf_input_injector_create(&s, &inj), PF_ERR_UNSUPPORTED);
    assert_null(inj);
}

/* A node that is not uinput (here /dev/null) refuses the setup ioctls: a clean error, no
 * device, no crash. */
static void test_kernel_sink_not_uinput(void **state)
{
    struct libevdev *desc = pfi_udev_pad(PFI_PAD_XBOX360, 0, 0);
    assert_non_null(desc);
    void *dev = NULL;
    int r = pfi_uinput_sink_kernel.create((void *)"/dev/null", desc, &dev);
    assert_true(r < 0);
    assert_null(dev);
    assert_true(pfi_uinput_sink_kernel.create((void *)"/nonexistent/uinput", desc, &dev) < 0);
    libevdev_free(desc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyboard_mouse),  cmocka_unit_test(test_absolute_touch_pen),
        cmocka_unit_test(test_text_fallback),
        cmocka_unit_test(test_xbox_pad),        cmocka_unit_test(test_dualsense_pad),
        cmocka_unit_test(test_pads_per_client), cmocka_unit_test(test_kernel_probe),
        cmocka_unit_test(test_kernel_sink_not_uinput),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
