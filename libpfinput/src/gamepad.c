/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Gamepad translation. Button codes follow the kernel drivers games were tested against:
 * xpad reports X/Y as BTN_X/BTN_Y (0x133/0x134), hid-playstation reports square/triangle as
 * BTN_WEST/BTN_NORTH (0x134/0x133); GameStream's buttons are named by Xbox position
 * (gamestream-protocol.md §9.3). XInput sticks have +Y up, evdev +Y down. */
#include "gamepad.h"

#include <linux/input.h>

struct button_map {
    uint32_t bit;
    uint16_t code;
};

static const struct button_map xbox_buttons[] = {
    { PF_INPUT_PAD_A, BTN_A },           { PF_INPUT_PAD_B, BTN_B },
    { PF_INPUT_PAD_X, BTN_X },           { PF_INPUT_PAD_Y, BTN_Y },
    { PF_INPUT_PAD_LB, BTN_TL },         { PF_INPUT_PAD_RB, BTN_TR },
    { PF_INPUT_PAD_BACK, BTN_SELECT },   { PF_INPUT_PAD_START, BTN_START },
    { PF_INPUT_PAD_GUIDE, BTN_MODE },    { PF_INPUT_PAD_LS_CLK, BTN_THUMBL },
    { PF_INPUT_PAD_RS_CLK, BTN_THUMBR },
};

static const struct button_map xbox_one_extra[] = {
    { PF_INPUT_PAD_PADDLE1, BTN_TRIGGER_HAPPY5 }, { PF_INPUT_PAD_PADDLE2, BTN_TRIGGER_HAPPY6 },
    { PF_INPUT_PAD_PADDLE3, BTN_TRIGGER_HAPPY7 }, { PF_INPUT_PAD_PADDLE4, BTN_TRIGGER_HAPPY8 },
    { PF_INPUT_PAD_MISC, KEY_RECORD },
};

static const struct button_map ds_buttons[] = {
    { PF_INPUT_PAD_A, BTN_SOUTH },       { PF_INPUT_PAD_B, BTN_EAST },
    { PF_INPUT_PAD_X, BTN_WEST },        { PF_INPUT_PAD_Y, BTN_NORTH },
    { PF_INPUT_PAD_LB, BTN_TL },         { PF_INPUT_PAD_RB, BTN_TR },
    { PF_INPUT_PAD_BACK, BTN_SELECT },   { PF_INPUT_PAD_START, BTN_START },
    { PF_INPUT_PAD_GUIDE, BTN_MODE },    { PF_INPUT_PAD_LS_CLK, BTN_THUMBL },
    { PF_INPUT_PAD_RS_CLK, BTN_THUMBR },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int32_t invert_axis(int16_t v)
{
    int32_t r = -(int32_t)v;
    return r > 32767 ? 32767 : r;
}

static int32_t to_u8(int16_t v)
{
    return ((int32_t)v + 32768) >> 8;
}

struct emitter {
    pfi_emit_fn fn;
    void *ctx;
    void *dev;
    int err;
    int count;
};

static void put(struct emitter *e, uint32_t type, uint32_t code, int32_t value)
{
    if (e->err < 0)
        return;
    int r = e->fn(e->ctx, e->dev, type, code, value);
    if (r < 0)
        e->err = r;
    e->count++;
}

static void put_if(struct emitter *e, int first, int32_t old, int32_t cur, uint32_t type,
                   uint32_t code)
{
    if (first || old != cur)
        put(e, type, code, cur);
}

static void emit_buttons(struct emitter *e, const struct button_map *map, size_t n, int first,
                         uint32_t old, uint32_t cur)
{
    for (size_t i = 0; i < n; i++)
        put_if(e, first, !!(old & map[i].bit), !!(cur & map[i].bit), EV_KEY, map[i].code);
}

int pfi_pad_emit_state(struct pfi_pad *p, const pf_input_pad *s, pfi_emit_fn emit, void *ctx)
{
    struct emitter e = { .fn = emit, .ctx = ctx, .dev = p->dev };
    int first = !p->have_last;
    const pf_input_pad *o = &p->last;
    int ds = p->kind == PFI_PAD_DUALSENSE;

    if (ds) {
        emit_buttons(&e, ds_buttons, N(ds_buttons), first, o->buttons, s->buttons);
        put_if(&e, first, o->left_trigger > 0, s->left_trigger > 0, EV_KEY, BTN_TL2);
        put_if(&e, first, o->right_trigger > 0, s->right_trigger > 0, EV_KEY, BTN_TR2);
        put_if(&e, first, to_u8(o->left_x), to_u8(s->left_x), EV_ABS, ABS_X);
        put_if(&e, first, 255 - to_u8(o->left_y), 255 - to_u8(s->left_y), EV_ABS, ABS_Y);
        put_if(&e, first, to_u8(o->right_x), to_u8(s->right_x), EV_ABS, ABS_RX);
        put_if(&e, first, 255 - to_u8(o->right_y), 255 - to_u8(s->right_y), EV_ABS, ABS_RY);
    } else {
        emit_buttons(&e, xbox_buttons, N(xbox_buttons), first, o->buttons, s->buttons);
        if (p->kind == PFI_PAD_XBOXONE)
            emit_buttons(&e, xbox_one_extra, N(xbox_one_extra), first, o->buttons, s->buttons);
        put_if(&e, first, o->left_x, s->left_x, EV_ABS, ABS_X);
        put_if(&e, first, invert_axis(o->left_y), invert_axis(s->left_y), EV_ABS, ABS_Y);
        put_if(&e, first, o->right_x, s->right_x, EV_ABS, ABS_RX);
        put_if(&e, first, invert_axis(o->right_y), invert_axis(s->right_y), EV_ABS, ABS_RY);
    }
    put_if(&e, first, o->left_trigger, s->left_trigger, EV_ABS, ABS_Z);
    put_if(&e, first, o->right_trigger, s->right_trigger, EV_ABS, ABS_RZ);

    int32_t ohx = !!(o->buttons & PF_INPUT_PAD_RIGHT) - !!(o->buttons & PF_INPUT_PAD_LEFT);
    int32_t shx = !!(s->buttons & PF_INPUT_PAD_RIGHT) - !!(s->buttons & PF_INPUT_PAD_LEFT);
    int32_t ohy = !!(o->buttons & PF_INPUT_PAD_DOWN) - !!(o->buttons & PF_INPUT_PAD_UP);
    int32_t shy = !!(s->buttons & PF_INPUT_PAD_DOWN) - !!(s->buttons & PF_INPUT_PAD_UP);
    put_if(&e, first, ohx, shx, EV_ABS, ABS_HAT0X);
    put_if(&e, first, ohy, shy, EV_ABS, ABS_HAT0Y);
    if (e.count)
        put(&e, EV_SYN, SYN_REPORT, 0);

    /* The DualSense touchpad click is a button of the touchpad device, not of the pad. */
    if (ds && p->touch_dev &&
        (first || ((o->buttons ^ s->buttons) & PF_INPUT_PAD_TOUCHPAD))) {
        struct emitter t = { .fn = emit, .ctx = ctx, .dev = p->touch_dev };
        put(&t, EV_KEY, BTN_LEFT, !!(s->buttons & PF_INPUT_PAD_TOUCHPAD));
        put(&t, EV_SYN, SYN_REPORT, 0);
        if (t.err < 0)
            return t.err;
    }
    if (e.err < 0)
        return e.err;
    p->last = *s;
    p->have_last = 1;
    return 0;
}

static int32_t clamp32(double v, int32_t lo, int32_t hi)
{
    if (!(v >= lo)) /* NaN too */
        return v != v ? 0 : lo;
    return v > hi ? hi : (int32_t)v;
}

int pfi_pad_emit_motion(struct pfi_pad *p, const pf_input_pad *m, pfi_emit_fn emit, void *ctx)
{
    if (!p->motion_dev)
        return 0;
    struct emitter e = { .fn = emit, .ctx = ctx, .dev = p->motion_dev };
    if (m->motion_type == PF_INPUT_MOTION_ACCEL) {
        for (int i = 0; i < 3; i++)
            p->accel[i] = clamp32(m->motion[i] / 9.80665 * PFI_DS_ACCEL_RES_PER_G, -32768, 32767);
        put(&e, EV_ABS, ABS_X, p->accel[0]);
        put(&e, EV_ABS, ABS_Y, p->accel[1]);
        put(&e, EV_ABS, ABS_Z, p->accel[2]);
    } else if (m->motion_type == PF_INPUT_MOTION_GYRO) {
        for (int i = 0; i < 3; i++)
            p->gyro[i] = clamp32((double)m->motion[i] * PFI_DS_GYRO_RES_PER_DEG_S, -2097152,
                                 2097151);
        put(&e, EV_ABS, ABS_RX, p->gyro[0]);
        put(&e, EV_ABS, ABS_RY, p->gyro[1]);
        put(&e, EV_ABS, ABS_RZ, p->gyro[2]);
    } else {
        return 0;
    }
    /* Sensor consumers integrate over MSC_TIMESTAMP; samples are nominally 4 ms apart. */
    p->motion_time_us += 4000;
    put(&e, EV_MSC, MSC_TIMESTAMP, (int32_t)p->motion_time_us);
    put(&e, EV_SYN, SYN_REPORT, 0);
    return e.err < 0 ? e.err : 1;
}

int pfi_pad_emit_touch(struct pfi_pad *p, const pf_input_touch *t, pfi_emit_fn emit, void *ctx)
{
    if (!p->touch_dev)
        return 0;
    struct emitter e = { .fn = emit, .ctx = ctx, .dev = p->touch_dev };
    int slot = -1;
    for (int s = 0; s < 2; s++)
        if ((p->touch_active & (1u << s)) && p->touch_ids[s] == t->pointer_id)
            slot = s;
    int32_t x = clamp32((double)t->x * (PFI_DS_TOUCHPAD_W - 1), 0, PFI_DS_TOUCHPAD_W - 1);
    int32_t y = clamp32((double)t->y * (PFI_DS_TOUCHPAD_H - 1), 0, PFI_DS_TOUCHPAD_H - 1);
    switch (t->event_type) {
    case PF_INPUT_TOUCH_DOWN:
    case PF_INPUT_TOUCH_MOVE:
        if (slot < 0) {
            if (t->event_type != PF_INPUT_TOUCH_DOWN || p->touch_active == 3u)
                return 0;
            slot = (p->touch_active & 1u) ? 1 : 0;
            p->touch_active |= 1u << slot;
            p->touch_ids[slot] = t->pointer_id;
            put(&e, EV_ABS, ABS_MT_SLOT, slot);
            put(&e, EV_ABS, ABS_MT_TRACKING_ID, p->next_tracking_id++ & 0xFFFF);
        } else {
            put(&e, EV_ABS, ABS_MT_SLOT, slot);
        }
        put(&e, EV_ABS, ABS_MT_POSITION_X, x);
        put(&e, EV_ABS, ABS_MT_POSITION_Y, y);
        put(&e, EV_ABS, ABS_X, x);
        put(&e, EV_ABS, ABS_Y, y);
        break;
    case PF_INPUT_TOUCH_UP:
    case PF_INPUT_TOUCH_CANCEL:
        if (slot < 0)
            return 0;
        p->touch_active &= ~(1u << slot);
        put(&e, EV_ABS, ABS_MT_SLOT, slot);
        put(&e, EV_ABS, ABS_MT_TRACKING_ID, -1);
        break;
    default:
        return 0;
    }
    uint32_t n = (uint32_t)__builtin_popcount(p->touch_active);
    put(&e, EV_KEY, BTN_TOUCH, n > 0);
    put(&e, EV_KEY, BTN_TOOL_FINGER, n == 1);
    put(&e, EV_KEY, BTN_TOOL_DOUBLETAP, n == 2);
    put(&e, EV_SYN, SYN_REPORT, 0);
    return e.err < 0 ? e.err : 1;
}

static struct pfi_pad_effect *find_effect(struct pfi_pad *p, int32_t id, int create)
{
    struct pfi_pad_effect *free_slot = NULL;
    for (uint32_t i = 0; i < PFI_PAD_EFFECTS; i++) {
        if (p->effects[i].used && p->effects[i].id == id)
            return &p->effects[i];
        if (!p->effects[i].used && !free_slot)
            free_slot = &p->effects[i];
    }
    if (!create || !free_slot)
        return NULL;
    *free_slot = (struct pfi_pad_effect){ .id = id, .used = 1 };
    return free_slot;
}

int pfi_pad_apply_ff(struct pfi_pad *p, const struct pfi_ff_request *r, uint16_t *ret_low,
                     uint16_t *ret_high)
{
    struct pfi_pad_effect *fx;
    switch (r->kind) {
    case PFI_FF_UPLOAD:
        if (!(fx = find_effect(p, r->id, 1)))
            return 0;
        fx->strong = r->strong;
        fx->weak = r->weak;
        break;
    case PFI_FF_ERASE:
        if (!(fx = find_effect(p, r->id, 0)))
            return 0;
        fx->used = 0;
        fx->playing = 0;
        break;
    case PFI_FF_PLAY:
        if (!(fx = find_effect(p, r->id, 0)))
            return 0;
        fx->playing = r->value > 0;
        break;
    default:
        return 0;
    }
    /* Several playing effects add up, saturating, as the motors cannot exceed full. */
    uint32_t low = 0, high = 0;
    for (uint32_t i = 0; i < PFI_PAD_EFFECTS; i++) {
        if (!p->effects[i].used || !p->effects[i].playing)
            continue;
        low += p->effects[i].strong;
        high += p->effects[i].weak;
    }
    uint16_t l = low > 0xFFFF ? 0xFFFF : (uint16_t)low;
    uint16_t h = high > 0xFFFF ? 0xFFFF : (uint16_t)high;
    if (l == p->motor_low && h == p->motor_high)
        return 0;
    p->motor_low = l;
    p->motor_high = h;
    *ret_low = l;
    *ret_high = h;
    return 1;
}
