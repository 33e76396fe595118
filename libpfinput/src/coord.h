/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_INPUT_COORD_H
#define PF_INPUT_COORD_H

#include <stdint.h>

/* The streamed output, in compositor pixels. */
struct pfi_output {
    int32_t x;
    int32_t y;
    uint32_t width;
    uint32_t height;
};

/* Maps a position in the client's reference area (0..ref-1 on each axis) onto the output,
 * in output-local pixels (0..width-1). Out-of-range input is clamped.
 * @return 1 when the input was clamped, 0 when it was in range, -1 for a zero-sized area. */
int pfi_coord_map_abs(int32_t x, int32_t y, uint32_t ref_width, uint32_t ref_height,
                      const struct pfi_output *out, double *ret_x, double *ret_y);

/* Same for a 0..1 normalised position (touch, pen); NaN counts as out of range (clamped to 0). */
int pfi_coord_map_unit(float x, float y, const struct pfi_output *out, double *ret_x,
                       double *ret_y);

#endif
