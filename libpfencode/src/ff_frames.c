/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ff_frames.h"

#include <string.h>
#include <unistd.h>

#include "ff_common.h"
#include "params.h"

static void keep_desc(void *opaque, uint8_t *data)
{
    /* The descriptor lives in the stream; FFmpeg's mappings only borrow it. */
}

int pfi_drm_frame_init(struct pfi_drm_frame *d)
{
    memset(d, 0, sizeof(*d));
    d->buf = av_buffer_create((uint8_t *)&d->desc, sizeof(d->desc), keep_desc, NULL, 0);
    d->frame = av_frame_alloc();
    if (!d->buf || !d->frame) {
        pfi_drm_frame_finish(d);
        return PF_ERR_NOMEM;
    }
    return 0;
}

void pfi_drm_frame_finish(struct pfi_drm_frame *d)
{
    av_frame_free(&d->frame);
    av_buffer_unref(&d->buf);
}

int pfi_drm_frame_fill(struct pfi_drm_frame *d, const pf_frame *frame)
{
    if (frame->modifier == PF_FRAME_MODIFIER_INVALID)
        return PF_ERR_UNSUPPORTED;
    uint32_t bpp;
    uint32_t n = pfi_format_planes(frame->format, &bpp);
    AVDRMFrameDescriptor *desc = &d->desc;
    memset(desc, 0, sizeof(*desc));
    /* One object per distinct fd; planes sharing a buffer share the object. */
    for (uint32_t i = 0; i < n; i++) {
        int obj = -1;
        for (int o = 0; o < desc->nb_objects; o++)
            if (desc->objects[o].fd == frame->planes[i].fd)
                obj = o;
        if (obj < 0) {
            obj = desc->nb_objects++;
            desc->objects[obj].fd = frame->planes[i].fd;
            /* Importers (iHD, Vulkan) want the object's size; a dmabuf reports it on seek. */
            off_t end = lseek(frame->planes[i].fd, 0, SEEK_END);
            desc->objects[obj].size = end > 0 ? (size_t)end : 0;
            desc->objects[obj].format_modifier = frame->modifier;
        }
        desc->layers[0].planes[i].object_index = obj;
        desc->layers[0].planes[i].offset = frame->planes[i].offset;
        desc->layers[0].planes[i].pitch = frame->planes[i].stride;
    }
    desc->nb_layers = 1;
    desc->layers[0].format = frame->format;
    desc->layers[0].nb_planes = (int)n;

    AVFrame *f = d->frame;
    av_frame_unref(f);
    f->format = AV_PIX_FMT_DRM_PRIME;
    f->width = (int)frame->width;
    f->height = (int)frame->height;
    f->data[0] = (uint8_t *)desc;
    f->buf[0] = av_buffer_ref(d->buf);
    return f->buf[0] ? 0 : PF_ERR_NOMEM;
}

void pfi_cpu_frame_wrap(AVFrame *sw, const pf_frame *frame, const uint8_t *const planes[],
                        const int strides[])
{
    av_frame_unref(sw);
    sw->format = pfi_ff_pix_fmt(frame->format);
    sw->width = (int)frame->width;
    sw->height = (int)frame->height;
    for (int i = 0; i < 2; i++) {
        sw->data[i] = (uint8_t *)planes[i];
        sw->linesize[i] = strides[i];
    }
}
