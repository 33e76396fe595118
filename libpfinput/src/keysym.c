/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Text input: GameStream sends one code point per packet (gamestream-protocol.md §9.2). X
 * keysyms encode Latin-1 as the code point itself and everything else as 0x01000000 + code
 * point (xkbcommon's xkb_utf32_to_keysym does the same); the few control characters that have
 * keys get their function keysyms so a compositor types them. */
#include "keysym.h"

uint32_t pfi_keysym_from_codepoint(uint32_t cp)
{
    switch (cp) {
    case 0x08:
        return 0xff08; /* XK_BackSpace */
    case 0x09:
        return 0xff09; /* XK_Tab */
    case 0x0A:
    case 0x0D:
        return 0xff0d; /* XK_Return */
    case 0x1B:
        return 0xff1b; /* XK_Escape */
    case 0x7F:
        return 0xffff; /* XK_Delete */
    default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp >= 0xD800 && cp <= 0xDFFF)
        return 0;
    if (cp > 0x10FFFF)
        return 0;
    if (cp < 0x100)
        return cp;
    return 0x01000000u | cp;
}
