/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf_frame -> AVFrame without copying pixels: CPU planes wrapped in place, dmabuf planes
 * described as one DRM PRIME frame for hwcontext mapping (VAAPI surface, Vulkan image). */
#ifndef PF_ENCODE_FF_FRAMES_H
#define PF_ENCODE_FF_FRAMES_H

#include <libavutil/frame.h>
#include <libavutil/hwcontext_drm.h>

#include "pf/common/frame.h"

struct pfi_drm_frame {
    AVDRMFrameDescriptor desc;
    AVBufferRef *buf;   /* wraps desc with a no-op free, created once per stream */
    AVFrame *frame;     /* format DRM_PRIME, data[0] = &desc */
};

int pfi_drm_frame_init(struct pfi_drm_frame *d);
void pfi_drm_frame_finish(struct pfi_drm_frame *d);

/* Describes a dmabuf pf_frame; fds stay borrowed. PF_ERR_UNSUPPORTED for an invalid modifier. */
int pfi_drm_frame_fill(struct pfi_drm_frame *d, const pf_frame *frame);

/* Points sw (allocated by the caller) at CPU planes; no pixels are copied. */
void pfi_cpu_frame_wrap(AVFrame *sw, const pf_frame *frame, const uint8_t *const planes[],
                        const int strides[]);

#endif
