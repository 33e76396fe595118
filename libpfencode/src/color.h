/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_ENCODE_COLOR_H
#define PF_ENCODE_COLOR_H

#include <stdint.h>

#include "pf/common/frame.h"

/* The luma weights Kr and Kb of a PF_COLOR_SPACE_*: ITU-R BT.601-7 §2.5.1, BT.709-6 §3.2
 * and BT.2020-2 Table 4. Every RGB -> Y'CbCr path (CPU, Vulkan) derives its matrix from them. */
static inline void pfi_color_luma_weights(uint32_t color_space, double *kr, double *kb)
{
    switch (color_space) {
    case PF_COLOR_SPACE_BT601:
        *kr = 0.299, *kb = 0.114;
        break;
    case PF_COLOR_SPACE_BT2020_PQ:
        *kr = 0.2627, *kb = 0.0593;
        break;
    default:
        *kr = 0.2126, *kb = 0.0722;
        break;
    }
}

#endif
