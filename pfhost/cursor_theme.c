/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The theme's default arrow through libXcursor, which reads Xcursor themes from the usual
 * directories without a display. Mutter describes the pointer's sprite only when it changes
 * after a screencast started (native_cursor.c), so until then the session's pointer is the
 * one a desktop shows where no window set another: this arrow. */
#include "cursor_theme.h"

#include <stdlib.h>

#include <X11/Xcursor/Xcursor.h>

int cursor_theme_arrow(uint32_t max_side, uint8_t *rgba, uint32_t *ret_w, uint32_t *ret_h,
                       int32_t *ret_hot_x, int32_t *ret_hot_y)
{
    static const char *const names[] = {"default", "left_ptr"};
    const char *theme = getenv("XCURSOR_THEME"), *size_env = getenv("XCURSOR_SIZE");
    int size = size_env ? atoi(size_env) : 24;
    if (size < 8 || size > 256)
        size = 24;
    XcursorImage *img = NULL;
    for (int i = 0; i < 2 && !img; i++)
        img = XcursorLibraryLoadImage(names[i], theme, size);
    if (!img)
        return -1;
    int ok = img->width >= 1 && img->height >= 1 && img->width <= max_side &&
             img->height <= max_side;
    for (uint32_t i = 0; ok && i < img->width * img->height; i++) {
        /* Xcursor pixels are premultiplied ARGB in native 32-bit words. */
        uint32_t p = img->pixels[i], a = p >> 24;
        uint8_t *d = rgba + (size_t)i * 4u;
        for (int c = 0; c < 3; c++) {
            uint32_t v = p >> (16 - 8 * c) & 255u;
            v = a ? (v * 255u + a / 2u) / a : 0;
            d[c] = (uint8_t)(v > 255u ? 255u : v);
        }
        d[3] = (uint8_t)a;
    }
    if (ok) {
        *ret_w = img->width;
        *ret_h = img->height;
        *ret_hot_x = (int32_t)img->xhot;
        *ret_hot_y = (int32_t)img->yhot;
    }
    XcursorImageDestroy(img);
    return ok ? 0 : -1;
}
