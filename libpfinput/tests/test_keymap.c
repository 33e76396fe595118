/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Key translation, checked against an independent oracle: xkbcommon compiles the real XKB
 * layouts, and the evdev code each virtual key maps to must produce, under the layout the
 * client typed on, the character the virtual key names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <libevdev/libevdev.h>
#include <linux/input-event-codes.h>
#include <xkbcommon/xkbcommon-keysyms.h>
#include <xkbcommon/xkbcommon.h>

#include "pf/input.h"

#include "keymap.h"
#include "keysym.h"
#include "uinput_devices.h"

struct oracle {
    struct xkb_context *ctx;
    struct xkb_keymap *map;
};

static void oracle_open(struct oracle *o, const char *layout)
{
    o->ctx = xkb_context_new(XKB_CONTEXT_NO_ENVIRONMENT_NAMES);
    assert_non_null(o->ctx);
    struct xkb_rule_names names = {
        .rules = "evdev", .model = "pc105", .layout = layout, .variant = "", .options = ""
    };
    o->map = xkb_keymap_new_from_names(o->ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
    assert_non_null(o->map);
}

static void oracle_close(struct oracle *o)
{
    xkb_keymap_unref(o->map);
    xkb_context_unref(o->ctx);
}

/* Does evdev code @p key produce @p sym on level 1 or 2 (unshifted or shifted)? */
static int produces(const struct oracle *o, uint32_t key, xkb_keysym_t sym)
{
    for (xkb_level_index_t level = 0; level < 2; level++) {
        const xkb_keysym_t *syms;
        int n = xkb_keymap_key_get_syms_by_level(o->map, key + 8, 0, level, &syms);
        for (int i = 0; i < n; i++)
            if (syms[i] == sym)
                return 1;
    }
    return 0;
}

static uint32_t tr(uint32_t vk, int layout)
{
    return pfi_keymap_vk_to_evdev(vk, layout);
}

struct expect {
    uint32_t vk;
    xkb_keysym_t sym;
};

static void check_layout(const char *name, const struct expect *oem, size_t n_oem)
{
    int layout = pfi_layout_from_name(name);
    assert_true(layout >= 0);
    struct oracle o;
    oracle_open(&o, name);
    for (uint32_t vk = 'A'; vk <= 'Z'; vk++) {
        uint32_t key = tr(vk, layout);
        if (!produces(&o, key, XKB_KEY_a + (vk - 'A')))
            fail_msg("%s: VK '%c' -> evdev %u does not type '%c'", name, vk, key, vk + 32);
    }
    for (uint32_t vk = '0'; vk <= '9'; vk++) {
        uint32_t key = tr(vk, layout);
        if (!produces(&o, key, XKB_KEY_0 + (vk - '0')))
            fail_msg("%s: VK '%c' -> evdev %u does not type it", name, vk, key);
    }
    for (size_t i = 0; i < n_oem; i++) {
        uint32_t key = tr(oem[i].vk, layout);
        if (!produces(&o, key, oem[i].sym))
            fail_msg("%s: VK 0x%02x -> evdev %u does not type keysym 0x%x", name, oem[i].vk, key,
                     oem[i].sym);
    }
    oracle_close(&o);
}

static void test_us_layout(void **state)
{
    static const struct expect oem[] = {
        { 0xBA, XKB_KEY_semicolon }, { 0xBB, XKB_KEY_equal },       { 0xBC, XKB_KEY_comma },
        { 0xBD, XKB_KEY_minus },     { 0xBE, XKB_KEY_period },      { 0xBF, XKB_KEY_slash },
        { 0xC0, XKB_KEY_grave },     { 0xDB, XKB_KEY_bracketleft }, { 0xDC, XKB_KEY_backslash },
        { 0xDD, XKB_KEY_bracketright }, { 0xDE, XKB_KEY_apostrophe }, { 0xE2, XKB_KEY_less },
        { 0x20, XKB_KEY_space },     { 0x0D, XKB_KEY_Return },      { 0x08, XKB_KEY_BackSpace },
        { 0x09, XKB_KEY_Tab },       { 0x1B, XKB_KEY_Escape },      { 0x25, XKB_KEY_Left },
        { 0x26, XKB_KEY_Up },        { 0x27, XKB_KEY_Right },       { 0x28, XKB_KEY_Down },
        { 0x21, XKB_KEY_Prior },     { 0x22, XKB_KEY_Next },        { 0x23, XKB_KEY_End },
        { 0x24, XKB_KEY_Home },      { 0x2D, XKB_KEY_Insert },      { 0x2E, XKB_KEY_Delete },
        { 0x10, XKB_KEY_Shift_L },   { 0xA0, XKB_KEY_Shift_L },     { 0xA1, XKB_KEY_Shift_R },
        { 0x11, XKB_KEY_Control_L }, { 0xA2, XKB_KEY_Control_L },   { 0xA3, XKB_KEY_Control_R },
        { 0x12, XKB_KEY_Alt_L },     { 0xA4, XKB_KEY_Alt_L },       { 0x5B, XKB_KEY_Super_L },
        { 0x5C, XKB_KEY_Super_R },   { 0x14, XKB_KEY_Caps_Lock },   { 0x90, XKB_KEY_Num_Lock },
        { 0x91, XKB_KEY_Scroll_Lock }, { 0x13, XKB_KEY_Pause },     { 0x2C, XKB_KEY_Print },
        { 0x5D, XKB_KEY_Menu },      { 0x6A, XKB_KEY_KP_Multiply }, { 0x6B, XKB_KEY_KP_Add },
        { 0x6D, XKB_KEY_KP_Subtract }, { 0x6F, XKB_KEY_KP_Divide }, { 0x6E, XKB_KEY_KP_Delete },
        { 0xAD, XKB_KEY_XF86AudioMute }, { 0xAE, XKB_KEY_XF86AudioLowerVolume },
        { 0xAF, XKB_KEY_XF86AudioRaiseVolume }, { 0xB3, XKB_KEY_XF86AudioPlay },
        { 0xB0, XKB_KEY_XF86AudioNext }, { 0xB1, XKB_KEY_XF86AudioPrev },
    };
    check_layout("us", oem, sizeof(oem) / sizeof(oem[0]));
    struct oracle o;
    oracle_open(&o, "us");
    for (uint32_t i = 0; i < 12; i++)
        assert_true(produces(&o, tr(0x70 + i, PFI_LAYOUT_US), XKB_KEY_F1 + i));
    for (uint32_t i = 0; i < 10; i++)
        assert_true(produces(&o, tr(0x60 + i, PFI_LAYOUT_US), XKB_KEY_KP_0 + i) ||
                    produces(&o, tr(0x60 + i, PFI_LAYOUT_US), XKB_KEY_KP_Insert));
    oracle_close(&o);
}

static void test_de_layout(void **state)
{
    static const struct expect oem[] = {
        { 0xBA, XKB_KEY_udiaeresis }, { 0xBB, XKB_KEY_plus },   { 0xBF, XKB_KEY_numbersign },
        { 0xC0, XKB_KEY_odiaeresis }, { 0xDB, XKB_KEY_ssharp }, { 0xDC, XKB_KEY_dead_circumflex },
        { 0xDD, XKB_KEY_dead_acute }, { 0xDE, XKB_KEY_adiaeresis }, { 0xBD, XKB_KEY_minus },
        { 0xBC, XKB_KEY_comma },      { 0xBE, XKB_KEY_period }, { 0xE2, XKB_KEY_less },
    };
    check_layout("de", oem, sizeof(oem) / sizeof(oem[0]));
}

static void test_fr_layout(void **state)
{
    static const struct expect oem[] = {
        { 0xBC, XKB_KEY_comma },      { 0xBE, XKB_KEY_semicolon }, { 0xBF, XKB_KEY_colon },
        { 0xDF, XKB_KEY_exclam },     { 0xC0, XKB_KEY_ugrave },    { 0xDE, XKB_KEY_twosuperior },
        { 0xDB, XKB_KEY_parenright }, { 0xBB, XKB_KEY_equal },     { 0xDD, XKB_KEY_dead_circumflex },
        { 0xBA, XKB_KEY_dollar },     { 0xDC, XKB_KEY_asterisk },  { 0xE2, XKB_KEY_less },
    };
    check_layout("fr", oem, sizeof(oem) / sizeof(oem[0]));
}

/* Every entry of the table: a real key, reachable on the virtual keyboard the uinput backend
 * creates, and the same in every layout unless the layout moves it. */
static void test_every_entry(void **state)
{
    uint32_t vks[256];
    uint32_t n = pfi_keymap_list(vks);
    assert_true(n > 100);
    struct libevdev *kbd = pfi_udev_keyboard();
    assert_non_null(kbd);
    int seen[KEY_CNT] = { 0 };
    for (uint32_t i = 0; i < n; i++) {
        uint32_t key = tr(vks[i], PFI_LAYOUT_US);
        assert_true(key > 0 && key < KEY_CNT);
        if (!libevdev_has_event_code(kbd, EV_KEY, key))
            fail_msg("VK 0x%02x -> %u is not on the virtual keyboard", vks[i], key);
        assert_int_equal(pf_input_keymap_translate(vks[i], NULL), (int)key);
        /* The wire sets the high byte (0x80 | VK); only the low byte counts. */
        assert_int_equal(pf_input_keymap_translate(0x8000 | vks[i], "us"), (int)key);
        seen[key]++;
    }
    /* Only the generic/left modifier pairs share a code. */
    int shared = 0;
    for (uint32_t k = 0; k < KEY_CNT; k++)
        if (seen[k] > 1)
            shared += seen[k] - 1;
    assert_int_equal(shared, 3); /* VK_SHIFT/LSHIFT, VK_CONTROL/LCONTROL, VK_MENU/LMENU */
    for (int l = 0; l < PFI_LAYOUT_COUNT; l++)
        for (uint32_t i = 0; i < n; i++)
            if (!libevdev_has_event_code(kbd, EV_KEY, tr(vks[i], l)))
                fail_msg("layout %d VK 0x%02x unreachable", l, vks[i]);
    libevdev_free(kbd);
}

static void test_unknown_codes(void **state)
{
    uint32_t vks[256];
    uint32_t n = pfi_keymap_list(vks);
    uint32_t unmapped = 0;
    for (uint32_t vk = 0; vk < 256; vk++) {
        int mapped = 0;
        for (uint32_t i = 0; i < n; i++)
            mapped |= vks[i] == vk;
        if (!mapped) {
            assert_int_equal(pf_input_keymap_translate(vk, "us"), PF_ERR_NOT_FOUND);
            unmapped++;
        }
    }
    assert_int_equal(unmapped + n, 256);
    assert_int_equal(pf_input_keymap_translate('A', "xx"), PF_ERR_UNSUPPORTED);
    assert_int_equal(pfi_layout_from_name("klingon"), -1);
}

static void test_modifiers(void **state)
{
    static const struct {
        uint32_t vk;
        uint32_t mod;
    } mods[] = {
        { 0x10, PF_INPUT_MOD_SHIFT }, { 0xA0, PF_INPUT_MOD_SHIFT }, { 0xA1, PF_INPUT_MOD_SHIFT },
        { 0x11, PF_INPUT_MOD_CTRL },  { 0xA2, PF_INPUT_MOD_CTRL },  { 0xA3, PF_INPUT_MOD_CTRL },
        { 0x12, PF_INPUT_MOD_ALT },   { 0xA4, PF_INPUT_MOD_ALT },   { 0xA5, PF_INPUT_MOD_ALT },
        { 0x5B, PF_INPUT_MOD_META },  { 0x5C, PF_INPUT_MOD_META },
    };
    for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
        uint32_t m = 0;
        assert_true(pfi_keymap_is_modifier(tr(mods[i].vk, PFI_LAYOUT_US), &m));
        assert_int_equal(m, mods[i].mod);
        /* The key synthesised for a modifier bit is itself that modifier. */
        assert_true(pfi_keymap_is_modifier(pfi_keymap_modifier_key(mods[i].mod), &m));
        assert_int_equal(m, mods[i].mod);
    }
    assert_false(pfi_keymap_is_modifier(tr('A', PFI_LAYOUT_US), NULL));
    assert_int_equal(pfi_keymap_modifier_key(0x10), 0);
}

/* Text input: the keysym for a code point must be the one xkbcommon derives independently. */
static void test_keysyms(void **state)
{
    static const uint32_t cps[] = { 'a', 'Z', ' ', '~', 0xE9, 0xFF, 0x20AC, 0x4E2D, 0x1F600,
                                    0x10FFFF, 0x3B1 };
    for (size_t i = 0; i < sizeof(cps) / sizeof(cps[0]); i++) {
        uint32_t sym = pfi_keysym_from_codepoint(cps[i]);
        assert_int_not_equal(sym, 0);
        assert_int_equal(xkb_keysym_to_utf32(sym), cps[i]);
    }
    assert_int_equal(pfi_keysym_from_codepoint(0xD800), 0);
    assert_int_equal(pfi_keysym_from_codepoint(0x110000), 0);
    assert_int_equal(pfi_keysym_from_codepoint(0x01), 0);
    assert_int_equal(pfi_keysym_from_codepoint(0x85), 0);
    assert_int_equal(pfi_keysym_from_codepoint('\r'), XKB_KEY_Return);
}

/* Text fallback: every printable ASCII character (and the control characters with keys)
 * must come out of the US layout as exactly that character. */
static void test_ascii_fallback(void **state)
{
    struct oracle o;
    oracle_open(&o, "us");
    for (uint32_t cp = 0x20; cp < 0x7F; cp++) {
        uint32_t vk;
        int shift;
        if (!pfi_keymap_ascii_to_vk(cp, &vk, &shift))
            fail_msg("no key for '%c'", cp);
        uint32_t key = tr(vk, PFI_LAYOUT_US);
        const xkb_keysym_t *syms;
        int n = xkb_keymap_key_get_syms_by_level(o.map, key + 8, 0, (xkb_level_index_t)shift,
                                                 &syms);
        if (n != 1 || xkb_keysym_to_utf32(syms[0]) != cp)
            fail_msg("'%c' -> VK 0x%02x%s does not type it", cp, vk, shift ? "+Shift" : "");
    }
    static const struct {
        uint32_t cp;
        xkb_keysym_t sym;
    } ctl[] = { { '\n', XKB_KEY_Return }, { '\r', XKB_KEY_Return }, { '\t', XKB_KEY_Tab },
                { '\b', XKB_KEY_BackSpace }, { 0x1B, XKB_KEY_Escape } };
    for (size_t i = 0; i < sizeof(ctl) / sizeof(ctl[0]); i++) {
        uint32_t vk;
        int shift;
        assert_true(pfi_keymap_ascii_to_vk(ctl[i].cp, &vk, &shift));
        assert_false(shift);
        assert_true(produces(&o, tr(vk, PFI_LAYOUT_US), ctl[i].sym));
    }
    uint32_t vk = 0;
    int shift = 0;
    assert_false(pfi_keymap_ascii_to_vk(0xE9, &vk, &shift));
    assert_false(pfi_keymap_ascii_to_vk(0, &vk, &shift));
    assert_false(pfi_keymap_ascii_to_vk(0x7F, &vk, &shift));
    oracle_close(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_us_layout),     cmocka_unit_test(test_de_layout),
        cmocka_unit_test(test_fr_layout),     cmocka_unit_test(test_every_entry),
        cmocka_unit_test(test_unknown_codes), cmocka_unit_test(test_modifiers),
        cmocka_unit_test(test_keysyms),      cmocka_unit_test(test_ascii_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
