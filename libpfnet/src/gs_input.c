/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream input packets (§9.2): BE32 size, LE32 magic, then a body of mixed endianness.
 * Offsets below are from the packet start, as in the protocol tables. */
#include "gs_input.h"

#include <string.h>

#include "pf/core/error.h"

#define MAGIC_KEY_DOWN 0x00000003u
#define MAGIC_KEY_UP 0x00000004u
#define MAGIC_MOUSE_ABS 0x00000005u
#define MAGIC_MOUSE_REL 0x00000007u
#define MAGIC_BUTTON_DOWN 0x00000008u
#define MAGIC_BUTTON_UP 0x00000009u
#define MAGIC_SCROLL 0x0000000Au
#define MAGIC_PAD_STATE 0x0000000Cu
#define MAGIC_HAPTICS 0x0000000Du
#define MAGIC_UTF8 0x00000017u
#define MAGIC_HSCROLL 0x55000001u
#define MAGIC_TOUCH 0x55000002u
#define MAGIC_PEN 0x55000003u
#define MAGIC_PAD_ARRIVAL 0x55000004u
#define MAGIC_PAD_TOUCH 0x55000005u
#define MAGIC_PAD_MOTION 0x55000006u
#define MAGIC_PAD_BATTERY 0x55000007u

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}
static float lef(const uint8_t *p)
{
    uint32_t u = le32(p);
    float f;
    memcpy(&f, &u, sizeof(f));
    /* A NaN or infinity from the wire would poison coordinate maths downstream. */
    if (f != f || f > 1e30f || f < -1e30f)
        return 0.0f;
    return f;
}

/* One UTF-8 code point spanning exactly @p len bytes (§9.2: one per packet). */
static int utf8_one(const uint8_t *s, size_t len, uint32_t *cp)
{
    if (len == 1 && s[0] < 0x80) {
        *cp = s[0];
        return 0;
    }
    size_t need;
    uint32_t v, min;
    if ((s[0] & 0xE0) == 0xC0) {
        need = 2, v = s[0] & 0x1Fu, min = 0x80;
    } else if ((s[0] & 0xF0) == 0xE0) {
        need = 3, v = s[0] & 0x0Fu, min = 0x800;
    } else if ((s[0] & 0xF8) == 0xF0) {
        need = 4, v = s[0] & 0x07u, min = 0x10000;
    } else {
        return PF_ERR_MALFORMED;
    }
    if (len != need)
        return PF_ERR_MALFORMED;
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return PF_ERR_MALFORMED;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return PF_ERR_MALFORMED;
    *cp = v;
    return 0;
}

static int touch_body(const uint8_t *p, size_t len, pf_input_event *e, int pen)
{
    if (len < 36)
        return PF_ERR_MALFORMED;
    pf_input_touch *t = &e->touch;
    t->event_type = p[8];
    if (pen) {
        t->tool = p[9];
        t->pen_buttons = p[10];
        t->x = lef(p + 12);
        t->y = lef(p + 16);
        t->pressure = lef(p + 20);
        t->rotation = le16(p + 24);
        t->tilt = p[26];
    } else {
        t->rotation = le16(p + 10);
        t->pointer_id = le32(p + 12);
        t->x = lef(p + 16);
        t->y = lef(p + 20);
        t->pressure = lef(p + 24);
    }
    t->contact_major = lef(p + 28);
    t->contact_minor = lef(p + 32);
    return 0;
}

int pfi_gs_input_decode(const uint8_t *p, size_t len, pf_input_event *ret)
{
    if (!p || !ret)
        return PF_ERR_INVALID_ARGUMENT;
    if (len < 8 || be32(p) != len - 4)
        return PF_ERR_MALFORMED;
    pf_input_event e;
    memset(&e, 0, sizeof(e));
    e.struct_size = sizeof(e);
    uint32_t magic = le32(p + 4);
    switch (magic) {
    case MAGIC_KEY_DOWN:
    case MAGIC_KEY_UP:
        if (len < 14)
            return PF_ERR_MALFORMED;
        e.type = magic == MAGIC_KEY_DOWN ? PF_INPUT_EVENT_KEY_DOWN : PF_INPUT_EVENT_KEY_UP;
        e.key.flags = p[8];
        /* §9.3: clients set the high byte to 0x80; only the VK in the low byte counts. */
        e.key.key_code = le16(p + 9) & 0xFF;
        e.key.modifiers = p[11];
        break;
    case MAGIC_MOUSE_REL:
        if (len < 12)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_MOUSE_MOVE_REL;
        e.pointer.dx = (int16_t)be16(p + 8);
        e.pointer.dy = (int16_t)be16(p + 10);
        break;
    case MAGIC_MOUSE_ABS:
        if (len < 18)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_MOUSE_MOVE_ABS;
        e.pointer.x = (int16_t)be16(p + 8);
        e.pointer.y = (int16_t)be16(p + 10);
        e.pointer.ref_width = (uint32_t)be16(p + 14) + 1;
        e.pointer.ref_height = (uint32_t)be16(p + 16) + 1;
        break;
    case MAGIC_BUTTON_DOWN:
    case MAGIC_BUTTON_UP:
        if (len < 9)
            return PF_ERR_MALFORMED;
        e.type = magic == MAGIC_BUTTON_DOWN ? PF_INPUT_EVENT_MOUSE_BUTTON_DOWN
                                            : PF_INPUT_EVENT_MOUSE_BUTTON_UP;
        e.pointer.button = p[8];
        if (e.pointer.button < PF_INPUT_BUTTON_LEFT || e.pointer.button > PF_INPUT_BUTTON_X2)
            return PF_ERR_MALFORMED;
        break;
    case MAGIC_SCROLL:
        if (len < 14)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_SCROLL;
        e.pointer.scroll = (int16_t)be16(p + 8);
        break;
    case MAGIC_HSCROLL:
        if (len < 10)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_HSCROLL;
        e.pointer.scroll = (int16_t)be16(p + 8);
        break;
    case MAGIC_UTF8:
        if (len < 9 || utf8_one(p + 8, len - 8, &e.text.codepoint) < 0)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_TEXT;
        break;
    case MAGIC_HAPTICS:
        if (len < 10)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_HAPTICS_ENABLE;
        break;
    case MAGIC_PAD_STATE:
        if (len < 34)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_CONTROLLER_STATE;
        e.pad.number = le16(p + 10);
        e.pad.active_mask = le16(p + 12);
        e.pad.buttons = (uint32_t)le16(p + 16) | (uint32_t)le16(p + 30) << 16;
        e.pad.left_trigger = p[18];
        e.pad.right_trigger = p[19];
        e.pad.left_x = (int16_t)le16(p + 20);
        e.pad.left_y = (int16_t)le16(p + 22);
        e.pad.right_x = (int16_t)le16(p + 24);
        e.pad.right_y = (int16_t)le16(p + 26);
        if (e.pad.number >= PF_INPUT_MAX_CONTROLLERS)
            return PF_ERR_MALFORMED;
        break;
    case MAGIC_PAD_ARRIVAL:
        if (len < 16)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_CONTROLLER_ARRIVAL;
        e.pad.number = p[8];
        e.pad.type = p[9];
        e.pad.capabilities = le16(p + 10);
        e.pad.supported_buttons = le32(p + 12);
        if (e.pad.number >= PF_INPUT_MAX_CONTROLLERS)
            return PF_ERR_MALFORMED;
        break;
    case MAGIC_PAD_TOUCH:
        if (len < 28)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_CONTROLLER_TOUCH;
        e.pad.number = p[8];
        e.touch.event_type = p[9];
        e.touch.touchpad = p[11];
        e.touch.pointer_id = le32(p + 12);
        e.touch.x = lef(p + 16);
        e.touch.y = lef(p + 20);
        e.touch.pressure = lef(p + 24);
        if (e.pad.number >= PF_INPUT_MAX_CONTROLLERS)
            return PF_ERR_MALFORMED;
        break;
    case MAGIC_PAD_MOTION:
        if (len < 24)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_CONTROLLER_MOTION;
        e.pad.number = p[8];
        e.pad.motion_type = p[9];
        e.pad.motion[0] = lef(p + 12);
        e.pad.motion[1] = lef(p + 16);
        e.pad.motion[2] = lef(p + 20);
        if (e.pad.number >= PF_INPUT_MAX_CONTROLLERS)
            return PF_ERR_MALFORMED;
        break;
    case MAGIC_PAD_BATTERY:
        if (len < 12)
            return PF_ERR_MALFORMED;
        e.type = PF_INPUT_EVENT_CONTROLLER_BATTERY;
        e.pad.number = p[8];
        e.pad.battery_state = p[9];
        e.pad.battery_percent = p[10];
        if (e.pad.number >= PF_INPUT_MAX_CONTROLLERS)
            return PF_ERR_MALFORMED;
        break;
    case MAGIC_TOUCH:
    case MAGIC_PEN:
        if (touch_body(p, len, &e, magic == MAGIC_PEN) < 0)
            return PF_ERR_MALFORMED;
        e.type = magic == MAGIC_PEN ? PF_INPUT_EVENT_PEN : PF_INPUT_EVENT_TOUCH;
        break;
    default:
        return PF_ERR_UNSUPPORTED;
    }
    *ret = e;
    return 0;
}
