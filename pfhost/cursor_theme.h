/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_CURSOR_THEME_H
#define PFHOST_CURSOR_THEME_H

#include <stdint.h>

/* The cursor theme's default arrow (XCURSOR_THEME / XCURSOR_SIZE, else the system default
 * theme at 24 px), as straight-alpha RGBA of at most @p max_side × @p max_side (a larger
 * image is left out). Returns 0 with the size and hotspot, or -1 (no theme, built without
 * libXcursor). */
int cursor_theme_arrow(uint32_t max_side, uint8_t *rgba, uint32_t *ret_w, uint32_t *ret_h,
                       int32_t *ret_hot_x, int32_t *ret_hot_y);

#endif
