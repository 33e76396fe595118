/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vulkan backend: RGB -> YUV on the GPU with a compute shader (vk_convert.c), feeding the
 * software encoders. FFmpeg 5.1 (Debian 12) has no Vulkan Video encoder, so caps report the
 * feed encoder; a Vulkan Video path slots in here once libavcodec offers one. */
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>

#include "encoder_impl.h"
#include "ff_common.h"
#include "frame_map.h"
#include "log.h"
#include "params.h"
#include "vk_convert.h"

#define TOPIC "encode.vulkan"

struct vkb_stream {
    struct pfi_ff_stream ff;  /* first member: pfi_ff_backend_reconfigure casts priv */
    struct pfi_vk_conv *conv;
    AVFrame *frame;           /* points at the converter's output buffers */
    AVBufferRef *keep;        /* no-op owner of those buffers, so FFmpeg refs, not copies */
};

static int vkb_device_open(struct pf_encode_device *dev, const pf_encode_device_settings *s)
{
    if (!pfi_ff_has_encoder("libx264") && !pfi_ff_has_encoder("libx265") &&
        !pfi_ff_has_encoder("libaom-av1"))
        return PF_ERR_NOT_FOUND;
    int index = -1;
    if (s->device_path) {
        char *end;
        long v = strtol(s->device_path, &end, 10);
        if (*end || v < 0 || v > 64)
            return PF_ERR_INVALID_ARGUMENT;
        index = (int)v;
    }
    struct pfi_vk *vk;
    int r = pfi_vk_create(index, s->allow_cpu_vulkan != 0, &s->log, &vk);
    if (r < 0)
        return r;
    dev->priv = vk;
    return 0;
}

static void vkb_device_close(struct pf_encode_device *dev)
{
    pfi_vk_destroy(dev->priv);
}

static int vkb_query_caps(struct pf_encode_device *dev, uint32_t codec, pf_encode_caps *caps)
{
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_VULKAN, codec);
    if (!pfi_ff_has_encoder(name))
        return PF_ERR_UNSUPPORTED;
    pfi_ff_fill_caps(caps, name);
    if (codec == PF_ENCODE_CODEC_H264)
        caps->bit_depths = 1u << 8;
    caps->max_width = PFI_MAX_DIM;
    caps->max_height = PFI_MAX_DIM;
    caps->max_fps = PFI_MAX_FPS;
    return 0;
}

static void no_free(void *opaque, uint8_t *data)
{
}

static void vkb_video_close(struct pf_encode_video *video)
{
    struct vkb_stream *st = video->priv;
    if (!st)
        return;
    pfi_ff_close(&st->ff);
    av_frame_free(&st->frame);
    av_buffer_unref(&st->keep);
    pfi_vk_conv_destroy(st->conv);
    free(st);
    video->priv = NULL;
}

static int vkb_video_open(struct pf_encode_video *video)
{
    const pf_encode_video_settings *s = &video->settings;
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_VULKAN, s->codec);
    if (!pfi_ff_has_encoder(name) || !pfi_format_is_rgb(s->input_format) || s->width % 8)
        return PF_ERR_UNSUPPORTED;
    struct vkb_stream *st = calloc(1, sizeof(*st));
    if (!st)
        return PF_ERR_NOMEM;
    video->priv = st;
    struct pfi_vk_conv_params p = {
        .width = s->width,
        .height = s->height,
        .in_format = s->input_format,
        .color_space = s->color_space,
        .color_range = s->color_range,
    };
    enum AVPixelFormat fmt;
    if (s->bit_depth == 10) {
        p.out = PFI_VK_OUT_I420_10;
        fmt = AV_PIX_FMT_YUV420P10LE;
    } else if (s->codec == PF_ENCODE_CODEC_H264) {
        p.out = PFI_VK_OUT_NV12;
        fmt = AV_PIX_FMT_NV12;
    } else {
        p.out = PFI_VK_OUT_I420;
        fmt = AV_PIX_FMT_YUV420P;
    }
    int r = pfi_vk_conv_create(video->device->priv, &p, &st->conv);
    if (r == 0) {
        static uint8_t anchor;
        st->frame = av_frame_alloc();
        st->keep = av_buffer_create(&anchor, 1, no_free, NULL, AV_BUFFER_FLAG_READONLY);
        if (!st->frame || !st->keep)
            r = PF_ERR_NOMEM;
    }
    if (r == 0)
        r = pfi_ff_open(&st->ff, name, s, fmt, NULL);
    if (r < 0) {
        vkb_video_close(video);
        return r;
    }
    st->frame->format = fmt;
    st->frame->width = (int)s->width;
    st->frame->height = (int)s->height;
    return 0;
}

static int vkb_submit(struct pf_encode_video *video, const pf_frame *frame, bool idr)
{
    struct vkb_stream *st = video->priv;
    struct pfi_frame_map m;
    int r = pfi_frame_map(frame, &m);
    if (r < 0)
        return r;
    const uint8_t *planes[3];
    int strides[3];
    r = pfi_vk_conv_run(st->conv, m.plane[0], (uint32_t)m.stride[0], planes, strides);
    pfi_frame_unmap(&m);
    if (r < 0)
        return r;
    AVFrame *f = st->frame;
    for (int i = 0; i < 3; i++) {
        f->data[i] = (uint8_t *)planes[i];
        f->linesize[i] = strides[i];
    }
    if (!f->buf[0]) {
        f->buf[0] = av_buffer_ref(st->keep);
        if (!f->buf[0])
            return PF_ERR_NOMEM;
    }
    return pfi_ff_encode(video, &st->ff, f, idr);
}

const struct pfi_backend pfi_backend_vulkan = {
    .id = PF_ENCODE_BACKEND_VULKAN,
    .name = "vulkan",
    .device_open = vkb_device_open,
    .device_close = vkb_device_close,
    .query_caps = vkb_query_caps,
    .video_open = vkb_video_open,
    .video_close = vkb_video_close,
    .submit = vkb_submit,
    .reconfigure = pfi_ff_backend_reconfigure,
};
