/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Absolute positions: the client reports them in its own reference area (the size of its
 * video view, gamestream-protocol.md §9.2 "mouse absolute position"), which need not match the
 * output: a client may letterbox or resize. Edges map onto edges, so the last pixel of the
 * reference area is the last pixel of the output. */
#include "coord.h"

#include <math.h>

static double clamp_d(double v, double lo, double hi, int *clamped)
{
    if (!(v >= lo)) { /* also catches NaN */
        *clamped = 1;
        return lo;
    }
    if (v > hi) {
        *clamped = 1;
        return hi;
    }
    return v;
}

static double scale_axis(int32_t v, uint32_t ref, uint32_t size, int *clamped)
{
    double maxv = (double)ref - 1.0;
    double c = clamp_d((double)v, 0.0, maxv, clamped);
    if (ref <= 1)
        return 0.0;
    return c * ((double)size - 1.0) / maxv;
}

int pfi_coord_map_abs(int32_t x, int32_t y, uint32_t ref_width, uint32_t ref_height,
                      const struct pfi_output *out, double *ret_x, double *ret_y)
{
    if (!ref_width || !ref_height || !out->width || !out->height)
        return -1;
    int clamped = 0;
    *ret_x = scale_axis(x, ref_width, out->width, &clamped);
    *ret_y = scale_axis(y, ref_height, out->height, &clamped);
    return clamped;
}

int pfi_coord_map_unit(float x, float y, const struct pfi_output *out, double *ret_x,
                       double *ret_y)
{
    if (!out->width || !out->height)
        return -1;
    int clamped = 0;
    double ux = clamp_d((double)x, 0.0, 1.0, &clamped);
    double uy = clamp_d((double)y, 0.0, 1.0, &clamped);
    *ret_x = ux * ((double)out->width - 1.0);
    *ret_y = uy * ((double)out->height - 1.0);
    return clamped;
}
