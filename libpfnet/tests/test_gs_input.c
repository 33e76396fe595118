/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* §9 input decoding against the wire samples captured from the client (§9.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"

#include "gs_input.h"

static size_t unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

static pf_input_event decode_ok(const char *hex)
{
    uint8_t b[64] = {0};
    size_t n = unhex(hex, b);
    pf_input_event e;
    assert_int_equal(pfi_gs_input_decode(b, n, &e), 0);
    assert_int_equal(e.struct_size, sizeof(e));
    /* Every truncation of a valid packet is malformed (the size field no longer matches). */
    for (size_t i = 0; i < n; i++) {
        pf_input_event t;
        assert_int_equal(pfi_gs_input_decode(b, i, &t), PF_ERR_MALFORMED);
    }
    return e;
}

static void keyboard_and_mouse(void **state)
{
    pf_input_event e = decode_ok("0000000a 03000000 00 4180 01 0000");
    assert_int_equal(e.type, PF_INPUT_EVENT_KEY_DOWN);
    assert_int_equal(e.key.key_code, 0x41);
    assert_int_equal(e.key.modifiers, PF_INPUT_MOD_SHIFT);
    e = decode_ok("0000000a 04000000 01 4180 00 0000");
    assert_int_equal(e.type, PF_INPUT_EVENT_KEY_UP);
    assert_int_equal(e.key.flags, PF_INPUT_KEY_FLAG_NON_NORMALIZED);
    e = decode_ok("00000008 07000000 000a fffb");
    assert_int_equal(e.type, PF_INPUT_EVENT_MOUSE_MOVE_REL);
    assert_int_equal(e.pointer.dx, 10);
    assert_int_equal(e.pointer.dy, -5);
    e = decode_ok("0000000e 05000000 0064 00c8 0000 077f 0437");
    assert_int_equal(e.type, PF_INPUT_EVENT_MOUSE_MOVE_ABS);
    assert_int_equal(e.pointer.x, 100);
    assert_int_equal(e.pointer.y, 200);
    assert_int_equal(e.pointer.ref_width, 1920);
    assert_int_equal(e.pointer.ref_height, 1080);
    e = decode_ok("00000005 08000000 01");
    assert_int_equal(e.type, PF_INPUT_EVENT_MOUSE_BUTTON_DOWN);
    assert_int_equal(e.pointer.button, PF_INPUT_BUTTON_LEFT);
    e = decode_ok("00000005 09000000 05");
    assert_int_equal(e.type, PF_INPUT_EVENT_MOUSE_BUTTON_UP);
    assert_int_equal(e.pointer.button, PF_INPUT_BUTTON_X2);
    e = decode_ok("0000000a 0a000000 0078 0078 0000");
    assert_int_equal(e.type, PF_INPUT_EVENT_SCROLL);
    assert_int_equal(e.pointer.scroll, 120);
    e = decode_ok("00000006 01000055 ff88");
    assert_int_equal(e.type, PF_INPUT_EVENT_HSCROLL);
    assert_int_equal(e.pointer.scroll, -120);
    e = decode_ok("00000006 17000000 c3a9");
    assert_int_equal(e.type, PF_INPUT_EVENT_TEXT);
    assert_int_equal(e.text.codepoint, 0xE9);
    e = decode_ok("00000008 17000000 f09f9880");
    assert_int_equal(e.text.codepoint, 0x1F600);
    e = decode_ok("00000006 0d000000 0100");
    assert_int_equal(e.type, PF_INPUT_EVENT_HAPTICS_ENABLE);
}

static void controllers_touch_pen(void **state)
{
    pf_input_event e = decode_ok("0000000c 04000055 01 02 2200 ffff1f00");
    assert_int_equal(e.type, PF_INPUT_EVENT_CONTROLLER_ARRIVAL);
    assert_int_equal(e.pad.number, 1);
    assert_int_equal(e.pad.type, PF_INPUT_PAD_TYPE_PLAYSTATION);
    assert_int_equal(e.pad.capabilities, 0x22);
    assert_int_equal(e.pad.supported_buttons, 0x1fffff);
    e = decode_ok("0000001e 0c000000 1a00 0000 0300 1400 0010 0a 14 e803 18fc d007 30f8 9c00 0100 5500");
    assert_int_equal(e.type, PF_INPUT_EVENT_CONTROLLER_STATE);
    assert_int_equal(e.pad.number, 0);
    assert_int_equal(e.pad.active_mask, 3);
    assert_int_equal(e.pad.buttons, 0x1000 | 0x10000);
    assert_int_equal(e.pad.left_trigger, 10);
    assert_int_equal(e.pad.right_trigger, 20);
    assert_int_equal(e.pad.left_x, 1000);
    assert_int_equal(e.pad.left_y, -1000);
    assert_int_equal(e.pad.right_x, 2000);
    assert_int_equal(e.pad.right_y, -2000);
    e = decode_ok("00000020 02000055 01 00 ffff 07000000 0000803e 0000003f 0000803f 00000000 00000000");
    assert_int_equal(e.type, PF_INPUT_EVENT_TOUCH);
    assert_int_equal(e.touch.event_type, PF_INPUT_TOUCH_DOWN);
    assert_int_equal(e.touch.pointer_id, 7);
    assert_true(e.touch.x == 0.25f && e.touch.y == 0.5f && e.touch.pressure == 1.0f);
    assert_int_equal(e.touch.rotation, 0xffff);
    e = decode_ok("00000014 06000055 01 02 0000 0000803f 00000040 00004040");
    assert_int_equal(e.type, PF_INPUT_EVENT_CONTROLLER_MOTION);
    assert_int_equal(e.pad.number, 1);
    assert_int_equal(e.pad.motion_type, PF_INPUT_MOTION_GYRO);
    assert_true(e.pad.motion[0] == 1.0f && e.pad.motion[1] == 2.0f && e.pad.motion[2] == 3.0f);
    e = decode_ok("00000008 07000055 01 03 50 00");
    assert_int_equal(e.type, PF_INPUT_EVENT_CONTROLLER_BATTERY);
    assert_int_equal(e.pad.battery_state, 3);
    assert_int_equal(e.pad.battery_percent, 80);
    e = decode_ok("00000020 03000055 01 01 01 00 0000803e 0000003f 0000003f 2d00 1e 00 00000000 00000000");
    assert_int_equal(e.type, PF_INPUT_EVENT_PEN);
    assert_int_equal(e.touch.tool, 1);
    assert_int_equal(e.touch.pen_buttons, 1);
    assert_int_equal(e.touch.rotation, 45);
    assert_int_equal(e.touch.tilt, 30);
    e = decode_ok("00000018 05000055 02 01 00 01 09000000 0000803e 0000003f 0000803f");
    assert_int_equal(e.type, PF_INPUT_EVENT_CONTROLLER_TOUCH);
    assert_int_equal(e.pad.number, 2);
    assert_int_equal(e.touch.touchpad, 1);
    assert_int_equal(e.touch.pointer_id, 9);
}

static void rejects(void **state)
{
    const char *bad[] = {
        "0000000b 03000000 00 4180 01 0000",        /* size field off by one */
        "00000005 08000000 09",                     /* no such mouse button */
        "00000006 17000000 c328",                   /* broken UTF-8 */
        "00000007 17000000 e0 80 80",               /* overlong */
        "00000006 17000000 eda0",                   /* truncated surrogate */
        "0000001e 0c000000 1a00 1000 0300 1400 0010 0a 14 e803 18fc d007 30f8 9c00 0100 5500",
        "0000000c 04000055 40 02 2200 ffff1f00",    /* controller 64 */
        "0000",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        uint8_t b[64] = {0};
        size_t n = unhex(bad[i], b);
        pf_input_event e;
        assert_int_equal(pfi_gs_input_decode(b, n, &e), PF_ERR_MALFORMED);
    }
    uint8_t unknown[] = {0, 0, 0, 4, 0x99, 0, 0, 0};
    pf_input_event e;
    assert_int_equal(pfi_gs_input_decode(unknown, sizeof(unknown), &e), PF_ERR_UNSUPPORTED);
    /* NaN from the wire becomes 0. */
    uint8_t b[64] = {0};
    size_t n = unhex("00000014 06000055 01 01 0000 0000c07f 0000807f 00000000", b);
    assert_int_equal(pfi_gs_input_decode(b, n, &e), 0);
    assert_true(e.pad.motion[0] == 0.0f && e.pad.motion[1] == 0.0f);
    assert_int_equal(pfi_gs_input_decode(NULL, 4, &e), PF_ERR_INVALID_ARGUMENT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(keyboard_and_mouse),
        cmocka_unit_test(controllers_touch_pen),
        cmocka_unit_test(rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
