/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* VAAPI backend: dmabufs become VA surfaces through FFmpeg's DRM PRIME mapping (zero copy),
 * RGB -> NV12/P010 runs on the video-processing engine (VAEntrypointVideoProc), and the
 * FFmpeg *_vaapi encoder takes the converted surface. */
#include <stdlib.h>
#include <string.h>

#include <libavutil/hwcontext_vaapi.h>
#include <va/va.h>
#include <va/va_vpp.h>

#include "encoder_impl.h"
#include "ff_common.h"
#include "ff_frames.h"
#include "frame_map.h"
#include "log.h"
#include "params.h"

#define TOPIC "encode.vaapi"

struct va_device {
    AVBufferRef *hw;
};

struct va_stream {
    struct pfi_ff_stream ff;  /* first member: pfi_ff_backend_reconfigure casts priv */
    AVBufferRef *src_frames;    /* VA surfaces in the input's RGB format */
    AVBufferRef *enc_frames;    /* NV12 / P010 surfaces the encoder reads */
    VAConfigID vpp_config;
    VAContextID vpp_ctx;
    struct pfi_drm_frame drm;
    AVFrame *src, *dst, *sw;
};

static VADisplay display_of(struct pf_encode_device *dev)
{
    struct va_device *vd = dev->priv;
    AVHWDeviceContext *hc = (AVHWDeviceContext *)vd->hw->data;
    return ((AVVAAPIDeviceContext *)hc->hwctx)->display;
}

static void va_device_close(struct pf_encode_device *dev)
{
    struct va_device *vd = dev->priv;
    if (!vd)
        return;
    av_buffer_unref(&vd->hw);
    free(vd);
    dev->priv = NULL;
}

static VAProfile va_profile(uint32_t codec, uint32_t depth)
{
    switch (codec) {
    case PF_ENCODE_CODEC_H264: return VAProfileH264High;
    case PF_ENCODE_CODEC_HEVC: return depth == 10 ? VAProfileHEVCMain10 : VAProfileHEVCMain;
    default: return VAProfileAV1Profile0;
    }
}

/* True when the driver offers an encode entrypoint for the profile. */
static bool va_can_encode(VADisplay dpy, VAProfile profile, VAEntrypoint *ret_ep)
{
    int n = vaMaxNumEntrypoints(dpy);
    if (n <= 0 || n > 64)
        return false;
    VAEntrypoint eps[64];
    if (vaQueryConfigEntrypoints(dpy, profile, eps, &n) != VA_STATUS_SUCCESS)
        return false;
    for (int i = 0; i < n; i++) {
        if (eps[i] == VAEntrypointEncSlice || eps[i] == VAEntrypointEncSliceLP) {
            *ret_ep = eps[i];
            return true;
        }
    }
    return false;
}

static int va_device_open(struct pf_encode_device *dev, const pf_encode_device_settings *s)
{
    if (!pfi_ff_has_encoder("h264_vaapi") && !pfi_ff_has_encoder("hevc_vaapi"))
        return PF_ERR_UNSUPPORTED;
    struct va_device *vd = calloc(1, sizeof(*vd));
    if (!vd)
        return PF_ERR_NOMEM;
    int r = pfi_ff_hw_device(AV_HWDEVICE_TYPE_VAAPI, s->device_path, &vd->hw);
    if (r < 0) {
        pfi_enc_debug(&s->log, TOPIC, "no VAAPI device at %s (needs /dev/dri/renderD* and a "
                      "VA driver: intel-media-va-driver or mesa-va-drivers)",
                      s->device_path ? s->device_path : "the default render node");
        free(vd);
        return r;
    }
    dev->priv = vd;
    /* A display without an encode entrypoint (a decode-only driver) cannot serve: fail now
     * so AUTO tries the next backend. */
    VAEntrypoint ep;
    if (!va_can_encode(display_of(dev), va_profile(PF_ENCODE_CODEC_H264, 8), &ep) &&
        !va_can_encode(display_of(dev), va_profile(PF_ENCODE_CODEC_HEVC, 8), &ep)) {
        pfi_enc_debug(&s->log, TOPIC, "the VA driver offers no H.264 or HEVC encoding");
        va_device_close(dev);
        return PF_ERR_NOT_FOUND;
    }
    return 0;
}

static int va_query_caps(struct pf_encode_device *dev, uint32_t codec, pf_encode_caps *caps)
{
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_VAAPI, codec);
    VADisplay dpy = display_of(dev);
    VAEntrypoint ep;
    if (!pfi_ff_has_encoder(name) || !va_can_encode(dpy, va_profile(codec, 8), &ep))
        return PF_ERR_UNSUPPORTED;
    pfi_ff_fill_caps(caps, name);
    caps->flags |= PF_ENCODE_CAP_DMABUF | PF_ENCODE_CAP_HARDWARE;
    if (!va_can_encode(dpy, va_profile(codec, 10), &ep) || codec == PF_ENCODE_CODEC_H264)
        caps->bit_depths = 1u << 8;
    caps->max_width = caps->max_height = 4096;
    VAConfigAttrib attr[2] = {{.type = VAConfigAttribMaxPictureWidth},
                              {.type = VAConfigAttribMaxPictureHeight}};
    if (vaGetConfigAttributes(dpy, va_profile(codec, 8), ep, attr, 2) == VA_STATUS_SUCCESS) {
        if (attr[0].value != VA_ATTRIB_NOT_SUPPORTED)
            caps->max_width = attr[0].value;
        if (attr[1].value != VA_ATTRIB_NOT_SUPPORTED)
            caps->max_height = attr[1].value;
    }
    caps->max_fps = PFI_MAX_FPS;
    return 0;
}

static void va_video_close(struct pf_encode_video *video)
{
    struct va_stream *st = video->priv;
    if (!st)
        return;
    VADisplay dpy = display_of(video->device);
    pfi_ff_close(&st->ff);
    if (st->vpp_ctx != VA_INVALID_ID)
        vaDestroyContext(dpy, st->vpp_ctx);
    if (st->vpp_config != VA_INVALID_ID)
        vaDestroyConfig(dpy, st->vpp_config);
    av_frame_free(&st->src);
    av_frame_free(&st->dst);
    av_frame_free(&st->sw);
    pfi_drm_frame_finish(&st->drm);
    av_buffer_unref(&st->src_frames);
    av_buffer_unref(&st->enc_frames);
    free(st);
    video->priv = NULL;
}

static int va_video_open(struct pf_encode_video *video)
{
    const pf_encode_video_settings *s = &video->settings;
    struct va_device *vd = video->device->priv;
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_VAAPI, s->codec);
    if (!pfi_ff_has_encoder(name))
        return PF_ERR_UNSUPPORTED;
    struct va_stream *st = calloc(1, sizeof(*st));
    if (!st)
        return PF_ERR_NOMEM;
    st->vpp_config = VA_INVALID_ID;
    st->vpp_ctx = VA_INVALID_ID;
    video->priv = st;
    enum AVPixelFormat enc_fmt = s->bit_depth == 10 ? AV_PIX_FMT_P010LE : AV_PIX_FMT_NV12;
    int r = pfi_drm_frame_init(&st->drm);
    if (r == 0)
        r = pfi_ff_hw_frames(vd->hw, AV_PIX_FMT_VAAPI, pfi_ff_pix_fmt(s->input_format),
                             s->width, s->height, &st->src_frames);
    if (r == 0)
        r = pfi_ff_hw_frames(vd->hw, AV_PIX_FMT_VAAPI, enc_fmt, s->width, s->height,
                             &st->enc_frames);
    st->src = av_frame_alloc();
    st->dst = av_frame_alloc();
    st->sw = av_frame_alloc();
    if (r == 0 && (!st->src || !st->dst || !st->sw))
        r = PF_ERR_NOMEM;
    VADisplay dpy = display_of(video->device);
    if (r == 0 && (vaCreateConfig(dpy, VAProfileNone, VAEntrypointVideoProc, NULL, 0,
                                  &st->vpp_config) != VA_STATUS_SUCCESS ||
                   vaCreateContext(dpy, st->vpp_config, (int)s->width, (int)s->height,
                                   VA_PROGRESSIVE, NULL, 0, &st->vpp_ctx) != VA_STATUS_SUCCESS)) {
        pfi_enc_debug(&video->log, TOPIC, "the driver has no video processing entrypoint");
        r = PF_ERR_UNSUPPORTED;
    }
    if (r == 0)
        r = pfi_ff_open(&st->ff, name, s, AV_PIX_FMT_VAAPI, st->enc_frames);
    if (r < 0)
        va_video_close(video);
    return r;
}

/* RGB surface -> encoder surface on the VPP engine, with the stream's matrix and range. */
static int va_convert(struct pf_encode_video *video, VASurfaceID src, VASurfaceID dst)
{
    struct va_stream *st = video->priv;
    VADisplay dpy = display_of(video->device);
    bool hdr = video->settings.color_space == PF_COLOR_SPACE_BT2020_PQ;
    VAProcPipelineParameterBuffer p;
    memset(&p, 0, sizeof(p));
    p.surface = src;
    p.surface_color_standard = VAProcColorStandardSRGB;
    p.output_color_standard = hdr ? VAProcColorStandardBT2020
                              : video->settings.color_space == PF_COLOR_SPACE_BT601
                                  ? VAProcColorStandardBT601
                                  : VAProcColorStandardBT709;
    p.input_color_properties.color_range = VA_SOURCE_RANGE_FULL;
    p.output_color_properties.color_range = video->settings.color_range == PF_COLOR_RANGE_FULL
                                                ? VA_SOURCE_RANGE_FULL : VA_SOURCE_RANGE_REDUCED;
    VABufferID buf;
    if (vaCreateBuffer(dpy, st->vpp_ctx, VAProcPipelineParameterBufferType, sizeof(p), 1, &p,
                       &buf) != VA_STATUS_SUCCESS)
        return PF_ERR_IO;
    VAStatus vs = vaBeginPicture(dpy, st->vpp_ctx, dst);
    if (vs == VA_STATUS_SUCCESS)
        vs = vaRenderPicture(dpy, st->vpp_ctx, &buf, 1);
    VAStatus ve = vaEndPicture(dpy, st->vpp_ctx);
    vaDestroyBuffer(dpy, buf);
    return vs == VA_STATUS_SUCCESS && ve == VA_STATUS_SUCCESS ? 0 : PF_ERR_IO;
}

static int va_submit(struct pf_encode_video *video, const pf_frame *frame, bool idr)
{
    struct va_stream *st = video->priv;
    int r = 0;
    av_frame_unref(st->src);
    av_frame_unref(st->dst);
    if (frame->memory == PF_FRAME_MEMORY_DMABUF) {
        /* Zero copy: the dmabuf becomes a VA surface of the source pool's format. */
        r = pfi_drm_frame_fill(&st->drm, frame);
        if (r < 0)
            return r;
        st->src->format = AV_PIX_FMT_VAAPI;
        st->src->hw_frames_ctx = av_buffer_ref(st->src_frames);
        if (!st->src->hw_frames_ctx)
            return PF_ERR_NOMEM;
        if (av_hwframe_map(st->src, st->drm.frame, AV_HWFRAME_MAP_READ) < 0)
            return PF_ERR_UNSUPPORTED;
    } else {
        struct pfi_frame_map m;
        r = pfi_frame_map(frame, &m);
        if (r < 0)
            return r;
        pfi_cpu_frame_wrap(st->sw, frame, m.plane, m.stride);
        if (av_hwframe_get_buffer(st->src_frames, st->src, 0) < 0 ||
            av_hwframe_transfer_data(st->src, st->sw, 0) < 0)
            r = PF_ERR_IO;
        pfi_frame_unmap(&m);
        if (r < 0)
            return r;
    }
    if (av_hwframe_get_buffer(st->enc_frames, st->dst, 0) < 0)
        return PF_ERR_IO;
    r = va_convert(video, (VASurfaceID)(uintptr_t)st->src->data[3],
                   (VASurfaceID)(uintptr_t)st->dst->data[3]);
    if (r < 0)
        return r;
    return pfi_ff_encode(video, &st->ff, st->dst, idr);
}

const struct pfi_backend pfi_backend_vaapi = {
    .id = PF_ENCODE_BACKEND_VAAPI,
    .name = "vaapi",
    .device_open = va_device_open,
    .device_close = va_device_close,
    .query_caps = va_query_caps,
    .video_open = va_video_open,
    .video_close = va_video_close,
    .submit = va_submit,
    .reconfigure = pfi_ff_backend_reconfigure,
};
