/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RGB -> YUV 4:2:0 as a Vulkan compute pass (shaders/rgb_to_yuv.comp). Buffers, descriptors
 * and the command buffer are made once per stream; a frame is a copy in, one submit and a
 * fence wait, with no allocation. */
#ifndef PF_ENCODE_VK_CONVERT_H
#define PF_ENCODE_VK_CONVERT_H

#include <stdbool.h>
#include <stdint.h>

#include "pf/core/common.h"

struct pfi_vk;
struct pfi_vk_conv;

#define PFI_VK_OUT_NV12 0u     /* Y + interleaved UV, 8-bit */
#define PFI_VK_OUT_I420 1u     /* Y, U, V planes, 8-bit */
#define PFI_VK_OUT_P010 2u     /* Y + interleaved UV, 16-bit, value in the top 10 bits */
#define PFI_VK_OUT_I420_10 3u  /* Y, U, V planes, 16-bit, value in the low 10 bits */

/* Opens a compute-capable device. index < 0 picks the first suitable one; CPU
 * implementations (lavapipe) are skipped unless allow_cpu. PF_ERR_NOT_FOUND when none. */
int pfi_vk_create(int index, bool allow_cpu, const pf_log_hook *log, struct pfi_vk **ret_vk);
void pfi_vk_destroy(struct pfi_vk *vk);
/* Device name, for logs and caps. */
const char *pfi_vk_device_name(const struct pfi_vk *vk);

struct pfi_vk_conv_params {
    uint32_t width, height;   /* width a multiple of 8, height even */
    uint32_t in_format;       /* PF_FRAME_FORMAT_BGRX/RGBX/BGRA/RGBA/XR30 */
    uint32_t out;             /* PFI_VK_OUT_* */
    uint32_t color_space;     /* PF_COLOR_SPACE_* */
    uint32_t color_range;     /* PF_COLOR_RANGE_* */
};

int pfi_vk_conv_create(struct pfi_vk *vk, const struct pfi_vk_conv_params *p,
                       struct pfi_vk_conv **ret_conv);
void pfi_vk_conv_destroy(struct pfi_vk_conv *conv);

/* Converts one frame; afterwards plane[i]/stride[i] describe the output (valid until the
 * next run). PF_ERR_IO when the device fails. */
int pfi_vk_conv_run(struct pfi_vk_conv *conv, const uint8_t *src, uint32_t src_stride,
                    const uint8_t *plane[3], int stride[3]);

#endif
