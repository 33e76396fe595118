/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* uinput backend: keyboard, relative and absolute mouse, multitouch, pen tablet and one
 * virtual device per client controller. Works under any compositor that reads the seat's
 * devices, and is the only path for gamepads. Devices are created on first use, so a client
 * that never touches the screen never gets a touchscreen. */
#include "backend_uinput.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <libevdev/libevdev.h>
#include <linux/input.h>

#include "gamepad.h"
#include "log.h"
#include "uinput_devices.h"

#define TOPIC "uinput"
#define MAX_PADS 64u

struct upad {
    uint32_t id;
    int used;
    struct pfi_pad pad;
};

struct ubackend {
    struct pfi_backend base;
    const struct pfi_uinput_sink *sink;
    void *sink_data;
    char *path;
    const pf_log_hook *log;
    pfi_feedback_fn feedback;
    void *feedback_owner;
    int epfd;
    void *kbd, *mouse, *abs, *touch, *pen;
    struct pfi_output out;
    int have_out;
    int32_t wheel_acc[2];
    int32_t next_tracking_id;
    uint32_t pen_tool; /* BTN_TOOL_* in proximity, 0 when out */
    int pen_touching;
    uint32_t pen_buttons;
    struct upad pads[MAX_PADS];
};

static struct ubackend *ub(struct pfi_backend *b)
{
    return (struct ubackend *)b;
}

static int emit(void *ctx, void *dev, uint32_t type, uint32_t code, int32_t value)
{
    struct ubackend *u = ctx;
    return u->sink->write(u->sink_data, dev, type, code, value);
}

static int syn(struct ubackend *u, void *dev)
{
    return emit(u, dev, EV_SYN, SYN_REPORT, 0);
}

static int make(struct ubackend *u, struct libevdev *desc, void **slot)
{
    if (!desc)
        return PF_ERR_NOMEM;
    int r = u->sink->create(u->sink_data, desc, slot);
    if (r < 0)
        pfi_input_log(u->log, TOPIC, "cannot create '%s': %d", libevdev_get_name(desc), r);
    libevdev_free(desc);
    return r < 0 ? PF_ERR_IO : 0;
}

static void drop(struct ubackend *u, void **slot)
{
    if (*slot)
        u->sink->destroy(u->sink_data, *slot);
    *slot = NULL;
}

static int ensure(struct ubackend *u, void **slot, struct libevdev *(*fn)(void))
{
    return *slot ? 0 : make(u, fn(), slot);
}

static int ensure_sized(struct ubackend *u, void **slot,
                        struct libevdev *(*fn)(uint32_t, uint32_t))
{
    if (*slot)
        return 0;
    if (!u->have_out)
        return PF_ERR_STATE;
    return make(u, fn(u->out.width, u->out.height), slot);
}

static uint32_t u_caps(struct pfi_backend *b)
{
    return PFI_CAP_KEYBOARD | PFI_CAP_POINTER | PFI_CAP_POINTER_ABS | PFI_CAP_TOUCH |
           PFI_CAP_PEN | PFI_CAP_GAMEPAD;
}

static int u_set_output(struct pfi_backend *b, const struct pfi_output *out,
                        const char *stream_path, const char *name)
{
    struct ubackend *u = ub(b);
    if (u->have_out && (u->out.width != out->width || u->out.height != out->height)) {
        /* Absolute ranges are fixed at creation: a resized output needs new devices. */
        drop(u, &u->abs);
        drop(u, &u->touch);
        drop(u, &u->pen);
    }
    u->out = *out;
    u->have_out = 1;
    return 0;
}

static int u_key(struct pfi_backend *b, uint32_t code, int down)
{
    struct ubackend *u = ub(b);
    int r = ensure(u, &u->kbd, pfi_udev_keyboard);
    if (r < 0 || (r = emit(u, u->kbd, EV_KEY, code, down)) < 0)
        return r;
    return syn(u, u->kbd);
}

static int u_motion(struct pfi_backend *b, double dx, double dy)
{
    struct ubackend *u = ub(b);
    int r = ensure(u, &u->mouse, pfi_udev_mouse);
    if (r < 0)
        return r;
    if (dx != 0 && (r = emit(u, u->mouse, EV_REL, REL_X, (int32_t)dx)) < 0)
        return r;
    if (dy != 0 && (r = emit(u, u->mouse, EV_REL, REL_Y, (int32_t)dy)) < 0)
        return r;
    return syn(u, u->mouse);
}

static int u_motion_abs(struct pfi_backend *b, double x, double y)
{
    struct ubackend *u = ub(b);
    int r = ensure_sized(u, &u->abs, pfi_udev_abs_pointer);
    if (r < 0 || (r = emit(u, u->abs, EV_ABS, ABS_X, (int32_t)lround(x))) < 0 ||
        (r = emit(u, u->abs, EV_ABS, ABS_Y, (int32_t)lround(y))) < 0)
        return r;
    return syn(u, u->abs);
}

static int u_button(struct pfi_backend *b, uint32_t code, int down)
{
    struct ubackend *u = ub(b);
    int r = ensure(u, &u->mouse, pfi_udev_mouse);
    if (r < 0 || (r = emit(u, u->mouse, EV_KEY, code, down)) < 0)
        return r;
    return syn(u, u->mouse);
}

/* High-resolution wheel events carry the client's 120ths as they are; the classic wheel
 * event follows once whole notches have accumulated, as a real hi-res mouse reports them. */
static int u_scroll(struct pfi_backend *b, uint32_t axis, int32_t v120)
{
    struct ubackend *u = ub(b);
    int r = ensure(u, &u->mouse, pfi_udev_mouse);
    if (r < 0)
        return r;
    int h = axis == PFI_AXIS_HORIZONTAL;
    if ((r = emit(u, u->mouse, EV_REL, h ? REL_HWHEEL_HI_RES : REL_WHEEL_HI_RES, v120)) < 0)
        return r;
    u->wheel_acc[h] += v120;
    int32_t notches = u->wheel_acc[h] / 120;
    if (notches) {
        u->wheel_acc[h] -= notches * 120;
        if ((r = emit(u, u->mouse, EV_REL, h ? REL_HWHEEL : REL_WHEEL, notches)) < 0)
            return r;
    }
    return syn(u, u->mouse);
}

static int u_touch(struct pfi_backend *b, uint32_t slot, uint32_t type, double x, double y,
                   double pressure)
{
    struct ubackend *u = ub(b);
    int r = ensure_sized(u, &u->touch, pfi_udev_touchscreen);
    if (r < 0 || (r = emit(u, u->touch, EV_ABS, ABS_MT_SLOT, (int32_t)slot)) < 0)
        return r;
    if (type == PF_INPUT_TOUCH_UP) {
        r = emit(u, u->touch, EV_ABS, ABS_MT_TRACKING_ID, -1);
    } else {
        if (type == PF_INPUT_TOUCH_DOWN)
            r = emit(u, u->touch, EV_ABS, ABS_MT_TRACKING_ID, u->next_tracking_id++ & 0xFFFF);
        if (r >= 0)
            r = emit(u, u->touch, EV_ABS, ABS_MT_POSITION_X, (int32_t)lround(x));
        if (r >= 0)
            r = emit(u, u->touch, EV_ABS, ABS_MT_POSITION_Y, (int32_t)lround(y));
        if (r >= 0)
            r = emit(u, u->touch, EV_ABS, ABS_MT_PRESSURE, (int32_t)lround(pressure * 255));
        /* Single-touch axes follow the contact for consumers without MT support. */
        if (r >= 0)
            r = emit(u, u->touch, EV_ABS, ABS_X, (int32_t)lround(x));
        if (r >= 0)
            r = emit(u, u->touch, EV_ABS, ABS_Y, (int32_t)lround(y));
    }
    if (r < 0)
        return r;
    if (type != PF_INPUT_TOUCH_MOVE &&
        (r = emit(u, u->touch, EV_KEY, BTN_TOUCH, type == PF_INPUT_TOUCH_DOWN)) < 0)
        return r;
    return syn(u, u->touch);
}

static int u_pen(struct pfi_backend *b, const pf_input_touch *t, double x, double y)
{
    struct ubackend *u = ub(b);
    int r = ensure_sized(u, &u->pen, pfi_udev_pen);
    if (r < 0)
        return r;
    uint32_t tool = t->tool == PF_INPUT_PEN_TOOL_ERASER ? BTN_TOOL_RUBBER : BTN_TOOL_PEN;
    int leave = t->event_type == PF_INPUT_TOUCH_HOVER_LEAVE ||
                t->event_type == PF_INPUT_TOUCH_CANCEL ||
                t->event_type == PF_INPUT_TOUCH_CANCEL_ALL;
    int touching = t->event_type == PF_INPUT_TOUCH_DOWN ||
                   (t->event_type == PF_INPUT_TOUCH_MOVE && u->pen_touching) ||
                   (t->event_type == PF_INPUT_TOUCH_BUTTON_ONLY && u->pen_touching);
    if (leave)
        touching = 0;
    double level = t->pressure >= 0.0f && t->pressure <= 1.0f ? t->pressure : 0.0;
    if (u->pen_tool && u->pen_tool != tool)
        r = emit(u, u->pen, EV_KEY, u->pen_tool, 0);
    if (r >= 0 && !leave && t->event_type != PF_INPUT_TOUCH_BUTTON_ONLY) {
        r = emit(u, u->pen, EV_ABS, ABS_X, (int32_t)lround(x));
        if (r >= 0)
            r = emit(u, u->pen, EV_ABS, ABS_Y, (int32_t)lround(y));
        if (r >= 0)
            r = emit(u, u->pen, EV_ABS, touching ? ABS_PRESSURE : ABS_DISTANCE,
                     (int32_t)lround(level * 1023));
        if (r >= 0 && t->tilt <= 90 && t->rotation != 0xFFFF) {
            double rad = t->rotation * M_PI / 180.0;
            r = emit(u, u->pen, EV_ABS, ABS_TILT_X, (int32_t)lround(t->tilt * cos(rad)));
            if (r >= 0)
                r = emit(u, u->pen, EV_ABS, ABS_TILT_Y, (int32_t)lround(t->tilt * sin(rad)));
        }
    }
    if (r >= 0)
        r = emit(u, u->pen, EV_KEY, tool, !leave);
    if (r >= 0 && touching != u->pen_touching)
        r = emit(u, u->pen, EV_KEY, BTN_TOUCH, touching);
    uint32_t buttons = leave ? 0 : t->pen_buttons;
    static const uint32_t codes[3] = { BTN_STYLUS, BTN_STYLUS2, BTN_STYLUS3 };
    for (int i = 0; i < 3 && r >= 0; i++)
        if (((buttons ^ u->pen_buttons) >> i) & 1u)
            r = emit(u, u->pen, EV_KEY, codes[i], (buttons >> i) & 1u);
    if (r < 0)
        return r;
    u->pen_tool = leave ? 0 : tool;
    u->pen_touching = touching;
    u->pen_buttons = buttons;
    return syn(u, u->pen);
}

static struct upad *find_pad(struct ubackend *u, uint32_t id)
{
    for (uint32_t i = 0; i < MAX_PADS; i++)
        if (u->pads[i].used && u->pads[i].id == id)
            return &u->pads[i];
    return NULL;
}

static void watch(struct ubackend *u, void *dev, int add)
{
    int fd = u->sink->get_fd ? u->sink->get_fd(u->sink_data, dev) : -1;
    if (fd < 0)
        return;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = dev };
    epoll_ctl(u->epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, fd, &ev);
}

static void u_pad_destroy(struct pfi_backend *b, uint32_t id)
{
    struct ubackend *u = ub(b);
    struct upad *p = find_pad(u, id);
    if (!p)
        return;
    watch(u, p->pad.dev, 0);
    drop(u, &p->pad.dev);
    drop(u, &p->pad.motion_dev);
    drop(u, &p->pad.touch_dev);
    /* Motors of a vanished pad stop; tell the client so its pad does not buzz on. */
    if ((p->pad.motor_low || p->pad.motor_high) && u->feedback)
        u->feedback(u->feedback_owner, id, 0, 0);
    p->used = 0;
}

static int u_pad_create(struct pfi_backend *b, uint32_t id, const struct pfi_pad_desc *desc)
{
    struct ubackend *u = ub(b);
    if (find_pad(u, id))
        return 0;
    struct upad *p = NULL;
    for (uint32_t i = 0; i < MAX_PADS && !p; i++)
        if (!u->pads[i].used)
            p = &u->pads[i];
    if (!p)
        return PF_ERR_LIMIT;
    memset(p, 0, sizeof(*p));
    p->id = id;
    p->pad.kind = pfi_pad_kind_from_type(desc->type);
    p->pad.caps = desc->capabilities;
    int r = make(u, pfi_udev_pad(p->pad.kind, desc->capabilities, desc->number), &p->pad.dev);
    if (r < 0)
        return r;
    p->used = 1;
    if (p->pad.kind == PFI_PAD_DUALSENSE) {
        if ((desc->capabilities & (PF_INPUT_PAD_CAP_ACCEL | PF_INPUT_PAD_CAP_GYRO)) &&
            (r = make(u, pfi_udev_pad_motion(p->pad.kind, desc->number), &p->pad.motion_dev)) < 0)
            goto fail;
        if ((desc->capabilities & PF_INPUT_PAD_CAP_TOUCHPAD) &&
            (r = make(u, pfi_udev_pad_touchpad(p->pad.kind, desc->number), &p->pad.touch_dev)) <
                0)
            goto fail;
    }
    watch(u, p->pad.dev, 1);
    return 0;
fail:
    u_pad_destroy(b, id);
    return r;
}

static int u_pad_state(struct pfi_backend *b, uint32_t id, const pf_input_pad *s)
{
    struct ubackend *u = ub(b);
    struct upad *p = find_pad(u, id);
    return p ? pfi_pad_emit_state(&p->pad, s, emit, u) : PF_ERR_NOT_FOUND;
}

static int u_pad_motion(struct pfi_backend *b, uint32_t id, const pf_input_pad *m)
{
    struct ubackend *u = ub(b);
    struct upad *p = find_pad(u, id);
    return p ? pfi_pad_emit_motion(&p->pad, m, emit, u) : PF_ERR_NOT_FOUND;
}

static int u_pad_touch(struct pfi_backend *b, uint32_t id, const pf_input_touch *t)
{
    struct ubackend *u = ub(b);
    struct upad *p = find_pad(u, id);
    return p ? pfi_pad_emit_touch(&p->pad, t, emit, u) : PF_ERR_NOT_FOUND;
}

static int u_get_fd(struct pfi_backend *b)
{
    return ub(b)->epfd;
}

static int u_dispatch(struct pfi_backend *b)
{
    struct ubackend *u = ub(b);
    int handled = 0;
    for (uint32_t i = 0; i < MAX_PADS; i++) {
        struct upad *p = &u->pads[i];
        if (!p->used || !u->sink->read_ff)
            continue;
        struct pfi_ff_request req;
        int r;
        /* Bounded: a runaway application cannot keep the loop here. */
        for (int n = 0; n < 64 && (r = u->sink->read_ff(u->sink_data, p->pad.dev, &req)) > 0;
             n++) {
            handled++;
            uint16_t low, high;
            if (pfi_pad_apply_ff(&p->pad, &req, &low, &high) && u->feedback)
                u->feedback(u->feedback_owner, p->id, low, high);
        }
        if (r < 0) {
            pfi_input_log(u->log, TOPIC, "force-feedback read failed: %d", r);
            return PF_ERR_IO;
        }
    }
    return handled;
}

static void u_destroy(struct pfi_backend *b)
{
    struct ubackend *u = ub(b);
    if (!u)
        return;
    for (uint32_t i = 0; i < MAX_PADS; i++)
        if (u->pads[i].used)
            u_pad_destroy(b, u->pads[i].id);
    drop(u, &u->kbd);
    drop(u, &u->mouse);
    drop(u, &u->abs);
    drop(u, &u->touch);
    drop(u, &u->pen);
    if (u->epfd >= 0)
        close(u->epfd);
    free(u->path);
    free(u);
}

int pfi_uinput_create_with_sink(const struct pfi_backend_args *args,
                                const struct pfi_uinput_sink *sink, void *sink_data,
                                struct pfi_backend **ret)
{
    struct ubackend *u = calloc(1, sizeof(*u));
    if (!u)
        return PF_ERR_NOMEM;
    u->base.impl = &pfi_backend_uinput;
    u->sink = sink;
    u->sink_data = sink_data;
    u->log = args->log;
    u->feedback = args->feedback;
    u->feedback_owner = args->feedback_owner;
    u->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (u->epfd < 0) {
        free(u);
        return PF_ERR_IO;
    }
    *ret = &u->base;
    return 0;
}

static int u_create(const struct pfi_backend_args *args, struct pfi_backend **ret)
{
    const char *path = args->settings->uinput_path ? args->settings->uinput_path : "/dev/uinput";
    int r = pfi_uinput_sink_kernel_probe(path);
    if (r < 0) {
        pfi_input_log(args->log, TOPIC, "%s not usable: %s", path, strerror(-r));
        return PF_ERR_UNSUPPORTED;
    }
    char *copy = strdup(path);
    if (!copy)
        return PF_ERR_NOMEM;
    struct pfi_backend *b;
    r = pfi_uinput_create_with_sink(args, &pfi_uinput_sink_kernel, copy, &b);
    if (r < 0) {
        free(copy);
        return r;
    }
    ub(b)->path = copy;
    *ret = b;
    return 0;
}

const struct pfi_backend_impl pfi_backend_uinput = {
    .name = "uinput",
    .create = u_create,
    .destroy = u_destroy,
    .caps = u_caps,
    .set_output = u_set_output,
    .get_fd = u_get_fd,
    .dispatch = u_dispatch,
    .key = u_key,
    .motion = u_motion,
    .motion_abs = u_motion_abs,
    .button = u_button,
    .scroll = u_scroll,
    .touch = u_touch,
    .pen = u_pen,
    .pad_create = u_pad_create,
    .pad_state = u_pad_state,
    .pad_motion = u_pad_motion,
    .pad_touch = u_pad_touch,
    .pad_destroy = u_pad_destroy,
};
