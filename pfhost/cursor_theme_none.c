/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Built without libXcursor: no theme arrow; the cursor channel waits for the compositor's. */
#include "cursor_theme.h"

int cursor_theme_arrow(uint32_t max_side, uint8_t *rgba, uint32_t *ret_w, uint32_t *ret_h,
                       int32_t *ret_hot_x, int32_t *ret_hot_y)
{
    return -1;
}
