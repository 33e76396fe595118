/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The cursor channel's wire (native-protocol.md §5.5, §8.6) byte for byte: CursorShape 0x50,
 * CursorRenderMode 0x51 and the 0xD0 datagram, exact lengths, the 1..120 bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

static void shape_bytes(void **state)
{
    (void)state;
    static const uint8_t px[8] = {255, 0, 0, 255, 0, 0, 0, 0};
    /* serial 0x01020304, 2×1, hotspot (1, 0), two pixels. */
    static const uint8_t wire[] = {'P', 'K', 'F', 'c', 0x50, 0x04, 0x03, 0x02, 0x01, 0x02, 0x00,
                                   0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 255,  0,    0,    255,
                                   0,    0,    0,    0};
    pf_pkf1_msg m, d;
    uint8_t out[64];
    size_t n;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CURSOR_SHAPE);
    m.value32 = 0x01020304;
    m.width = 2;
    m.height = 1;
    m.value16 = 1;
    m.value16b = 0;
    m.blob = px;
    m.blob_len = sizeof(px);
    assert_int_equal(pf_pkf1_msg_encode(&m, out, sizeof(out), &n), 0);
    assert_int_equal(n, sizeof(wire));
    assert_memory_equal(out, wire, sizeof(wire));
    assert_int_equal(pf_pkf1_msg_decode(wire, sizeof(wire), &d), 0);
    assert_int_equal(d.value32, 0x01020304);
    assert_int_equal(d.width, 2);
    assert_int_equal(d.height, 1);
    assert_int_equal(d.value16, 1);
    assert_int_equal(d.blob_len, 8);
    assert_memory_equal(d.blob, px, 8);
    /* Exact length: a pixel short or a byte over is malformed. */
    assert_int_equal(pf_pkf1_msg_decode(wire, sizeof(wire) - 1, &d), PF_ERR_MALFORMED);
    uint8_t over[sizeof(wire) + 1];
    memcpy(over, wire, sizeof(wire));
    over[sizeof(wire)] = 0;
    assert_int_equal(pf_pkf1_msg_decode(over, sizeof(over), &d), PF_ERR_MALFORMED);
    /* 0 wide, or pixels that do not match the size. */
    uint8_t zero[sizeof(wire)];
    memcpy(zero, wire, sizeof(wire));
    zero[9] = 0;
    assert_int_equal(pf_pkf1_msg_decode(zero, sizeof(zero), &d), PF_ERR_MALFORMED);
    m.blob_len = 4;
    assert_int_equal(pf_pkf1_msg_encode(&m, out, sizeof(out), &n), PF_ERR_INVALID_ARGUMENT);
    m.blob_len = 8;
    m.height = 0;
    assert_int_equal(pf_pkf1_msg_encode(&m, out, sizeof(out), &n), PF_ERR_INVALID_ARGUMENT);
}

static void render_mode_bytes(void **state)
{
    (void)state;
    static const uint8_t wire[] = {'P', 'K', 'F', 'c', 0x51, 0x00};
    pf_pkf1_msg m, d;
    uint8_t out[16];
    size_t n;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CURSOR_RENDER_MODE);
    m.flag = 0;
    assert_int_equal(pf_pkf1_msg_encode(&m, out, sizeof(out), &n), 0);
    assert_int_equal(n, 6);
    assert_memory_equal(out, wire, 6);
    static const uint8_t draws[] = {'P', 'K', 'F', 'c', 0x51, 0x01};
    assert_int_equal(pf_pkf1_msg_decode(draws, sizeof(draws), &d), 0);
    assert_int_equal(d.type, PF_PKF1_MSG_CURSOR_RENDER_MODE);
    assert_int_equal(d.flag, 1);
    assert_int_equal(pf_pkf1_msg_decode(draws, 5, &d), PF_ERR_MALFORMED);
    static const uint8_t longer[] = {'P', 'K', 'F', 'c', 0x51, 0x01, 0x00};
    assert_int_equal(pf_pkf1_msg_decode(longer, sizeof(longer), &d), PF_ERR_MALFORMED);
}

static void position_bytes(void **state)
{
    (void)state;
    /* serial 7, visible, x −2, y 0x10. */
    static const uint8_t wire[14] = {0xD0, 0x07, 0x00, 0x00, 0x00, 0x01, 0xFE,
                                     0xFF, 0xFF, 0xFF, 0x10, 0x00, 0x00, 0x00};
    pf_pkf1_cursor c = {7, PF_PKF1_CURSOR_VISIBLE, -2, 16}, d;
    uint8_t out[14];
    assert_int_equal(pf_pkf1_cursor_encode(&c, out), 0);
    assert_memory_equal(out, wire, 14);
    assert_int_equal(pf_pkf1_cursor_decode(wire, 14, &d), 0);
    assert_int_equal(d.x, -2);
    assert_int_equal(d.flags, PF_PKF1_CURSOR_VISIBLE);
    assert_int_equal(pf_pkf1_cursor_decode(wire, 13, &d), PF_ERR_MALFORMED);
    uint8_t other[14];
    memcpy(other, wire, 14);
    other[0] = 0xCF;
    assert_int_equal(pf_pkf1_cursor_decode(other, 14, &d), PF_ERR_MALFORMED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shape_bytes),
        cmocka_unit_test(render_mode_bytes),
        cmocka_unit_test(position_bytes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
