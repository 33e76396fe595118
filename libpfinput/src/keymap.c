/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Windows virtual-key codes (what GameStream clients send, gamestream-protocol.md §9.3) to
 * Linux evdev key codes. evdev codes name key positions, so the mapping is by position on a
 * US keyboard; a client that says its codes are not US-normalised (Sunshine's flag 0x01)
 * gets the layout table that turns its layout's VK back into the position. */
#include "keymap.h"

#include <string.h>

#include <linux/input-event-codes.h>

#include "pf/input.h"

static const uint16_t us_table[256] = {
    [0x08] = KEY_BACKSPACE,
    [0x09] = KEY_TAB,
    [0x0C] = KEY_CLEAR,
    [0x0D] = KEY_ENTER,
    [0x10] = KEY_LEFTSHIFT,
    [0x11] = KEY_LEFTCTRL,
    [0x12] = KEY_LEFTALT,
    [0x13] = KEY_PAUSE,
    [0x14] = KEY_CAPSLOCK,
    [0x15] = KEY_KATAKANAHIRAGANA, /* VK_KANA / VK_HANGUL share the code */
    [0x16] = KEY_HANGEUL,          /* VK_IME_ON */
    [0x19] = KEY_HANJA,            /* VK_KANJI / VK_HANJA */
    [0x1B] = KEY_ESC,
    [0x1C] = KEY_HENKAN,   /* VK_CONVERT */
    [0x1D] = KEY_MUHENKAN, /* VK_NONCONVERT */
    [0x20] = KEY_SPACE,
    [0x21] = KEY_PAGEUP,
    [0x22] = KEY_PAGEDOWN,
    [0x23] = KEY_END,
    [0x24] = KEY_HOME,
    [0x25] = KEY_LEFT,
    [0x26] = KEY_UP,
    [0x27] = KEY_RIGHT,
    [0x28] = KEY_DOWN,
    [0x29] = KEY_SELECT,
    [0x2A] = KEY_PRINT,
    [0x2C] = KEY_SYSRQ, /* VK_SNAPSHOT: the Print Screen key */
    [0x2D] = KEY_INSERT,
    [0x2E] = KEY_DELETE,
    [0x2F] = KEY_HELP,
    [0x30] = KEY_0,
    [0x31] = KEY_1,
    [0x32] = KEY_2,
    [0x33] = KEY_3,
    [0x34] = KEY_4,
    [0x35] = KEY_5,
    [0x36] = KEY_6,
    [0x37] = KEY_7,
    [0x38] = KEY_8,
    [0x39] = KEY_9,
    [0x41] = KEY_A,
    [0x42] = KEY_B,
    [0x43] = KEY_C,
    [0x44] = KEY_D,
    [0x45] = KEY_E,
    [0x46] = KEY_F,
    [0x47] = KEY_G,
    [0x48] = KEY_H,
    [0x49] = KEY_I,
    [0x4A] = KEY_J,
    [0x4B] = KEY_K,
    [0x4C] = KEY_L,
    [0x4D] = KEY_M,
    [0x4E] = KEY_N,
    [0x4F] = KEY_O,
    [0x50] = KEY_P,
    [0x51] = KEY_Q,
    [0x52] = KEY_R,
    [0x53] = KEY_S,
    [0x54] = KEY_T,
    [0x55] = KEY_U,
    [0x56] = KEY_V,
    [0x57] = KEY_W,
    [0x58] = KEY_X,
    [0x59] = KEY_Y,
    [0x5A] = KEY_Z,
    [0x5B] = KEY_LEFTMETA,
    [0x5C] = KEY_RIGHTMETA,
    [0x5D] = KEY_COMPOSE, /* VK_APPS: the context-menu key */
    [0x5F] = KEY_SLEEP,
    [0x60] = KEY_KP0,
    [0x61] = KEY_KP1,
    [0x62] = KEY_KP2,
    [0x63] = KEY_KP3,
    [0x64] = KEY_KP4,
    [0x65] = KEY_KP5,
    [0x66] = KEY_KP6,
    [0x67] = KEY_KP7,
    [0x68] = KEY_KP8,
    [0x69] = KEY_KP9,
    [0x6A] = KEY_KPASTERISK,
    [0x6B] = KEY_KPPLUS,
    [0x6C] = KEY_KPCOMMA, /* VK_SEPARATOR */
    [0x6D] = KEY_KPMINUS,
    [0x6E] = KEY_KPDOT,
    [0x6F] = KEY_KPSLASH,
    [0x70] = KEY_F1,
    [0x71] = KEY_F2,
    [0x72] = KEY_F3,
    [0x73] = KEY_F4,
    [0x74] = KEY_F5,
    [0x75] = KEY_F6,
    [0x76] = KEY_F7,
    [0x77] = KEY_F8,
    [0x78] = KEY_F9,
    [0x79] = KEY_F10,
    [0x7A] = KEY_F11,
    [0x7B] = KEY_F12,
    [0x7C] = KEY_F13,
    [0x7D] = KEY_F14,
    [0x7E] = KEY_F15,
    [0x7F] = KEY_F16,
    [0x80] = KEY_F17,
    [0x81] = KEY_F18,
    [0x82] = KEY_F19,
    [0x83] = KEY_F20,
    [0x84] = KEY_F21,
    [0x85] = KEY_F22,
    [0x86] = KEY_F23,
    [0x87] = KEY_F24,
    [0x90] = KEY_NUMLOCK,
    [0x91] = KEY_SCROLLLOCK,
    [0xA0] = KEY_LEFTSHIFT,
    [0xA1] = KEY_RIGHTSHIFT,
    [0xA2] = KEY_LEFTCTRL,
    [0xA3] = KEY_RIGHTCTRL,
    [0xA4] = KEY_LEFTALT,
    [0xA5] = KEY_RIGHTALT,
    [0xA6] = KEY_BACK,
    [0xA7] = KEY_FORWARD,
    [0xA8] = KEY_REFRESH,
    [0xA9] = KEY_STOP,
    [0xAA] = KEY_SEARCH,
    [0xAB] = KEY_BOOKMARKS, /* VK_BROWSER_FAVORITES */
    [0xAC] = KEY_HOMEPAGE,
    [0xAD] = KEY_MUTE,
    [0xAE] = KEY_VOLUMEDOWN,
    [0xAF] = KEY_VOLUMEUP,
    [0xB0] = KEY_NEXTSONG,
    [0xB1] = KEY_PREVIOUSSONG,
    [0xB2] = KEY_STOPCD,
    [0xB3] = KEY_PLAYPAUSE,
    [0xB4] = KEY_MAIL,
    [0xB5] = KEY_MEDIA,
    [0xB6] = KEY_COMPUTER, /* VK_LAUNCH_APP1: "My Computer" on Windows keyboards */
    [0xB7] = KEY_CALC,     /* VK_LAUNCH_APP2 */
    [0xBA] = KEY_SEMICOLON,  /* VK_OEM_1 */
    [0xBB] = KEY_EQUAL,      /* VK_OEM_PLUS */
    [0xBC] = KEY_COMMA,      /* VK_OEM_COMMA */
    [0xBD] = KEY_MINUS,      /* VK_OEM_MINUS */
    [0xBE] = KEY_DOT,        /* VK_OEM_PERIOD */
    [0xBF] = KEY_SLASH,      /* VK_OEM_2 */
    [0xC0] = KEY_GRAVE,      /* VK_OEM_3 */
    [0xDB] = KEY_LEFTBRACE,  /* VK_OEM_4 */
    [0xDC] = KEY_BACKSLASH,  /* VK_OEM_5 */
    [0xDD] = KEY_RIGHTBRACE, /* VK_OEM_6 */
    [0xDE] = KEY_APOSTROPHE, /* VK_OEM_7 */
    [0xE2] = KEY_102ND,      /* VK_OEM_102: the extra key left of Z on ISO boards */
};

struct vk_override {
    uint8_t vk;
    uint16_t key;
};

/* German (Windows kbdgr): QWERTZ, and the OEM codes name the characters printed on the keys
 * (VK_OEM_1 is Ü, VK_OEM_3 is Ö, ...). Each entry is "this VK sits at that US position". */
static const struct vk_override de_table[] = {
    { 0x59, KEY_Z },          /* Y */
    { 0x5A, KEY_Y },          /* Z */
    { 0xBA, KEY_LEFTBRACE },  /* Ü */
    { 0xBB, KEY_RIGHTBRACE }, /* + */
    { 0xBF, KEY_BACKSLASH },  /* # */
    { 0xC0, KEY_SEMICOLON },  /* Ö */
    { 0xDB, KEY_MINUS },      /* ß */
    { 0xDC, KEY_GRAVE },      /* ^ */
    { 0xDD, KEY_EQUAL },      /* ´ */
    { 0xDE, KEY_APOSTROPHE }, /* Ä */
    { 0xBD, KEY_SLASH },      /* - */
};

/* French (Windows kbdfr): AZERTY. */
static const struct vk_override fr_table[] = {
    { 0x41, KEY_Q },          /* A */
    { 0x51, KEY_A },          /* Q */
    { 0x5A, KEY_W },          /* Z */
    { 0x57, KEY_Z },          /* W */
    { 0x4D, KEY_SEMICOLON },  /* M */
    { 0xBC, KEY_M },          /* , */
    { 0xBE, KEY_COMMA },      /* ; */
    { 0xBF, KEY_DOT },        /* : */
    { 0xDF, KEY_SLASH },      /* ! (VK_OEM_8) */
    { 0xC0, KEY_APOSTROPHE }, /* ù */
    { 0xDE, KEY_GRAVE },      /* ² */
    { 0xDB, KEY_MINUS },      /* ) */
    { 0xBB, KEY_EQUAL },      /* = */
    { 0xDD, KEY_LEFTBRACE },  /* ^ */
    { 0xBA, KEY_RIGHTBRACE }, /* $ */
    { 0xDC, KEY_BACKSLASH },  /* * */
};

struct layout_desc {
    const char *name;
    const struct vk_override *table;
    size_t count;
};

static const struct layout_desc layouts[PFI_LAYOUT_COUNT] = {
    [PFI_LAYOUT_US] = { "us", NULL, 0 },
    [PFI_LAYOUT_DE] = { "de", de_table, sizeof(de_table) / sizeof(de_table[0]) },
    [PFI_LAYOUT_FR] = { "fr", fr_table, sizeof(fr_table) / sizeof(fr_table[0]) },
};

int pfi_layout_from_name(const char *name)
{
    if (!name || !*name)
        return PFI_LAYOUT_US;
    for (int i = 0; i < PFI_LAYOUT_COUNT; i++)
        if (strcmp(layouts[i].name, name) == 0)
            return i;
    return -1;
}

uint32_t pfi_keymap_vk_to_evdev(uint32_t vk, int layout)
{
    vk &= 0xFFu;
    if (layout > PFI_LAYOUT_US && layout < PFI_LAYOUT_COUNT) {
        const struct layout_desc *l = &layouts[layout];
        for (size_t i = 0; i < l->count; i++)
            if (l->table[i].vk == vk)
                return l->table[i].key;
    }
    return us_table[vk];
}

int pfi_keymap_is_modifier(uint32_t evdev, uint32_t *ret_mod)
{
    uint32_t mod;
    switch (evdev) {
    case KEY_LEFTSHIFT:
    case KEY_RIGHTSHIFT:
        mod = PF_INPUT_MOD_SHIFT;
        break;
    case KEY_LEFTCTRL:
    case KEY_RIGHTCTRL:
        mod = PF_INPUT_MOD_CTRL;
        break;
    case KEY_LEFTALT:
    case KEY_RIGHTALT:
        mod = PF_INPUT_MOD_ALT;
        break;
    case KEY_LEFTMETA:
    case KEY_RIGHTMETA:
        mod = PF_INPUT_MOD_META;
        break;
    default:
        return 0;
    }
    if (ret_mod)
        *ret_mod = mod;
    return 1;
}

uint32_t pfi_keymap_modifier_key(uint32_t mod)
{
    switch (mod) {
    case PF_INPUT_MOD_SHIFT:
        return KEY_LEFTSHIFT;
    case PF_INPUT_MOD_CTRL:
        return KEY_LEFTCTRL;
    case PF_INPUT_MOD_ALT:
        return KEY_LEFTALT;
    case PF_INPUT_MOD_META:
        return KEY_LEFTMETA;
    default:
        return 0;
    }
}

/* US punctuation: unshifted and shifted character of each OEM key. */
static const struct {
    uint8_t vk;
    char plain;
    char shifted;
} us_punct[] = {
    { 0xBD, '-', '_' }, { 0xBB, '=', '+' }, { 0xDB, '[', '{' },  { 0xDD, ']', '}' },
    { 0xDC, '\\', '|' }, { 0xBA, ';', ':' }, { 0xDE, '\'', '"' }, { 0xBC, ',', '<' },
    { 0xBE, '.', '>' }, { 0xBF, '/', '?' }, { 0xC0, '`', '~' },
};

int pfi_keymap_ascii_to_vk(uint32_t cp, uint32_t *ret_vk, int *ret_shift)
{
    static const char digit_shifted[] = ")!@#$%^&*(";
    uint32_t vk = 0;
    int shift = 0;
    if (cp >= 'a' && cp <= 'z') {
        vk = cp - 'a' + 'A';
    } else if (cp >= 'A' && cp <= 'Z') {
        vk = cp;
        shift = 1;
    } else if (cp >= '0' && cp <= '9') {
        vk = cp;
    } else if (cp == ' ' || cp == '\t' || cp == '\b' || cp == 0x1B) {
        vk = cp == '\t' ? 0x09 : cp == '\b' ? 0x08 : cp;
    } else if (cp == '\n' || cp == '\r') {
        vk = 0x0D;
    } else if (cp > 0 && cp < 0x80) {
        const char *d = strchr(digit_shifted, (int)cp);
        if (d) {
            vk = '0' + (uint32_t)(d - digit_shifted);
            shift = 1;
        }
        for (size_t i = 0; !vk && i < sizeof(us_punct) / sizeof(us_punct[0]); i++) {
            if (us_punct[i].plain == (char)cp)
                vk = us_punct[i].vk;
            else if (us_punct[i].shifted == (char)cp)
                vk = us_punct[i].vk, shift = 1;
        }
    }
    if (!vk)
        return 0;
    *ret_vk = vk;
    *ret_shift = shift;
    return 1;
}

uint32_t pfi_keymap_list(uint32_t *ret_vks)
{
    uint32_t n = 0;
    for (uint32_t vk = 0; vk < 256; vk++) {
        if (!us_table[vk])
            continue;
        if (ret_vks)
            ret_vks[n] = vk;
        n++;
    }
    return n;
}

PF_EXPORT int pf_input_keymap_translate(uint32_t vk, const char *layout)
{
    int l = pfi_layout_from_name(layout);
    if (l < 0)
        return PF_ERR_UNSUPPORTED;
    uint32_t key = pfi_keymap_vk_to_evdev(vk, l);
    return key ? (int)key : PF_ERR_NOT_FOUND;
}
