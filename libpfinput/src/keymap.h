/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_INPUT_KEYMAP_H
#define PF_INPUT_KEYMAP_H

#include <stdint.h>

/* Layouts a client's non-normalised virtual-key codes can come from. */
enum pfi_layout {
    PFI_LAYOUT_US = 0,
    PFI_LAYOUT_DE,
    PFI_LAYOUT_FR,
    PFI_LAYOUT_COUNT,
};

/* @return a PFI_LAYOUT_* for "us"/"de"/"fr" (NULL or "" = us), or -1. */
int pfi_layout_from_name(const char *name);

/* @return the evdev KEY_* code for @p vk in @p layout, or 0 when unmapped. */
uint32_t pfi_keymap_vk_to_evdev(uint32_t vk, int layout);

/* @return 1 when @p evdev is a Shift/Ctrl/Alt/Meta key; *ret_mod gets its PF_INPUT_MOD_* bit. */
int pfi_keymap_is_modifier(uint32_t evdev, uint32_t *ret_mod);

/* @return the evdev key pressed to synthesise modifier bit @p mod (left variants). */
uint32_t pfi_keymap_modifier_key(uint32_t mod);

/* Text on a backend without keysyms: the US-layout virtual key (and whether Shift is needed)
 * that types ASCII code point @p cp. @return 1 when there is one, else 0. */
int pfi_keymap_ascii_to_vk(uint32_t cp, uint32_t *ret_vk, int *ret_shift);

/* @return the number of virtual-key codes the US table maps; with @p ret_vks (size >= 256)
 * also lists them, ascending. Tests walk every entry. */
uint32_t pfi_keymap_list(uint32_t *ret_vks);

#endif
