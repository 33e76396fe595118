/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* NVENC backend through FFmpeg's CUDA hwcontext. NVENC takes BGRx/RGBx surfaces and converts
 * them to YUV on the GPU itself. A dmabuf reaches CUDA through Vulkan external memory: it is
 * mapped as a Vulkan image (DRM PRIME import) on a Vulkan device derived from the CUDA one,
 * then copied GPU to GPU into a CUDA frame (FFmpeg's Vulkan <-> CUDA interop). No CPU copy. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "encoder_impl.h"
#include "ff_common.h"
#include "ff_frames.h"
#include "frame_map.h"
#include "log.h"
#include "params.h"

#define TOPIC "encode.nvenc"

struct nv_device {
    AVBufferRef *cuda;
    pthread_mutex_t lock;  /* encoders on several threads may derive vulkan at once */
    AVBufferRef *vulkan;   /* derived on first dmabuf stream, or NULL */
};

struct nv_stream {
    struct pfi_ff_stream ff;  /* first member: pfi_ff_backend_reconfigure casts priv */
    AVBufferRef *cuda_frames;
    AVBufferRef *vk_frames;  /* only for dmabuf input */
    struct pfi_drm_frame drm;
    AVFrame *cuda, *vk, *sw;
};

static void nv_device_close(struct pf_encode_device *dev)
{
    struct nv_device *nd = dev->priv;
    if (!nd)
        return;
    av_buffer_unref(&nd->vulkan);
    av_buffer_unref(&nd->cuda);
    pthread_mutex_destroy(&nd->lock);
    free(nd);
    dev->priv = NULL;
}

/* A CUDA device is not an encoder: data-centre GPUs have CUDA but no NVENC. The only
 * reliable answer is to open a small encoder and see. */
static int nv_probe_open(struct nv_device *nd, uint32_t codec)
{
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_NVENC, codec);
    if (!pfi_ff_has_encoder(name))
        return PF_ERR_UNSUPPORTED;
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.codec = codec;
    s.width = 256;
    s.height = 256;
    AVBufferRef *frames = NULL;
    int r = pfi_ff_hw_frames(nd->cuda, AV_PIX_FMT_CUDA, AV_PIX_FMT_BGR0, s.width, s.height,
                             &frames);
    if (r < 0)
        return r;
    struct pfi_ff_stream st;
    memset(&st, 0, sizeof(st));
    r = pfi_ff_open(&st, name, &s, AV_PIX_FMT_CUDA, frames);
    if (r == 0)
        pfi_ff_close(&st);
    av_buffer_unref(&frames);
    return r < 0 ? PF_ERR_UNSUPPORTED : 0;
}

static int nv_device_open(struct pf_encode_device *dev, const pf_encode_device_settings *s)
{
    if (!pfi_ff_has_encoder("h264_nvenc") && !pfi_ff_has_encoder("hevc_nvenc"))
        return PF_ERR_UNSUPPORTED;
    struct nv_device *nd = calloc(1, sizeof(*nd));
    if (!nd)
        return PF_ERR_NOMEM;
    int r = pfi_ff_hw_device(AV_HWDEVICE_TYPE_CUDA, s->device_path, &nd->cuda);
    if (r < 0) {
        pfi_enc_debug(&s->log, TOPIC, "no CUDA device (needs the NVIDIA driver's libcuda.so.1 "
                      "and libnvidia-encode.so.1)");
        free(nd);
        return r;
    }
    pthread_mutex_init(&nd->lock, NULL);
    dev->priv = nd;
    /* A GPU without an encoder engine must fail here, so AUTO moves on to the next backend
     * instead of handing out a device that can create no stream. */
    if (nv_probe_open(nd, PF_ENCODE_CODEC_H264) < 0 && nv_probe_open(nd, PF_ENCODE_CODEC_HEVC) < 0) {
        pfi_enc_debug(&s->log, TOPIC, "CUDA device without NVENC (data-centre GPUs have none)");
        nv_device_close(dev);
        return PF_ERR_NOT_FOUND;
    }
    return 0;
}

static int nv_query_caps(struct pf_encode_device *dev, uint32_t codec, pf_encode_caps *caps)
{
    int r = nv_probe_open(dev->priv, codec);
    if (r < 0)
        return r;
    pfi_ff_fill_caps(caps, pfi_ff_codec_name(PF_ENCODE_BACKEND_NVENC, codec));
    caps->flags |= PF_ENCODE_CAP_DMABUF | PF_ENCODE_CAP_HARDWARE;
    caps->max_width = caps->max_height = codec == PF_ENCODE_CODEC_H264 ? 4096 : 8192;
    caps->max_fps = PFI_MAX_FPS;
    return 0;
}

static void nv_video_close(struct pf_encode_video *video)
{
    struct nv_stream *st = video->priv;
    if (!st)
        return;
    pfi_ff_close(&st->ff);
    av_frame_free(&st->cuda);
    av_frame_free(&st->vk);
    av_frame_free(&st->sw);
    pfi_drm_frame_finish(&st->drm);
    av_buffer_unref(&st->cuda_frames);
    av_buffer_unref(&st->vk_frames);
    free(st);
    video->priv = NULL;
}

static int nv_video_open(struct pf_encode_video *video)
{
    const pf_encode_video_settings *s = &video->settings;
    struct nv_device *nd = video->device->priv;
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_NVENC, s->codec);
    if (!pfi_ff_has_encoder(name))
        return PF_ERR_UNSUPPORTED;
    enum AVPixelFormat in = pfi_ff_pix_fmt(s->input_format);
    /* NVENC reads these directly; other layouts would need a conversion pass first. */
    if (in != AV_PIX_FMT_BGR0 && in != AV_PIX_FMT_RGB0 && in != AV_PIX_FMT_NV12 &&
        in != AV_PIX_FMT_P010LE && in != AV_PIX_FMT_BGRA && in != AV_PIX_FMT_RGBA)
        return PF_ERR_UNSUPPORTED;
    struct nv_stream *st = calloc(1, sizeof(*st));
    if (!st)
        return PF_ERR_NOMEM;
    video->priv = st;
    int r = pfi_drm_frame_init(&st->drm);
    if (r == 0)
        r = pfi_ff_hw_frames(nd->cuda, AV_PIX_FMT_CUDA, in, s->width, s->height,
                             &st->cuda_frames);
    st->cuda = av_frame_alloc();
    st->vk = av_frame_alloc();
    st->sw = av_frame_alloc();
    if (r == 0 && (!st->cuda || !st->vk || !st->sw))
        r = PF_ERR_NOMEM;
    if (r == 0)
        r = pfi_ff_open(&st->ff, name, s, AV_PIX_FMT_CUDA, st->cuda_frames);
    if (r < 0)
        nv_video_close(video);
    return r;
}

static int nv_import_dmabuf(struct pf_encode_video *video, const pf_frame *frame)
{
    struct nv_stream *st = video->priv;
    struct nv_device *nd = video->device->priv;
    pthread_mutex_lock(&nd->lock);
    if (!nd->vulkan)
        av_hwdevice_ctx_create_derived(&nd->vulkan, AV_HWDEVICE_TYPE_VULKAN, nd->cuda, 0);
    pthread_mutex_unlock(&nd->lock);
    if (!nd->vulkan) {
        pfi_enc_debug(&video->log, TOPIC, "no Vulkan device on the CUDA GPU: dmabufs cannot "
                      "be imported");
        return PF_ERR_UNSUPPORTED;
    }
    if (!st->vk_frames) {
        int r = pfi_ff_hw_frames(nd->vulkan, AV_PIX_FMT_VULKAN, pfi_ff_pix_fmt(frame->format),
                                 frame->width, frame->height, &st->vk_frames);
        if (r < 0)
            return r;
    }
    int r = pfi_drm_frame_fill(&st->drm, frame);
    if (r < 0)
        return r;
    av_frame_unref(st->vk);
    st->vk->format = AV_PIX_FMT_VULKAN;
    st->vk->hw_frames_ctx = av_buffer_ref(st->vk_frames);
    if (!st->vk->hw_frames_ctx)
        return PF_ERR_NOMEM;
    if (av_hwframe_map(st->vk, st->drm.frame, AV_HWFRAME_MAP_READ) < 0)
        return PF_ERR_UNSUPPORTED;
    return av_hwframe_transfer_data(st->cuda, st->vk, 0) < 0 ? PF_ERR_IO : 0;
}

static int nv_submit(struct pf_encode_video *video, const pf_frame *frame, bool idr)
{
    struct nv_stream *st = video->priv;
    av_frame_unref(st->cuda);
    if (av_hwframe_get_buffer(st->cuda_frames, st->cuda, 0) < 0)
        return PF_ERR_IO;
    int r;
    if (frame->memory == PF_FRAME_MEMORY_DMABUF) {
        r = nv_import_dmabuf(video, frame);
    } else {
        struct pfi_frame_map m;
        r = pfi_frame_map(frame, &m);
        if (r < 0)
            return r;
        pfi_cpu_frame_wrap(st->sw, frame, m.plane, m.stride);
        r = av_hwframe_transfer_data(st->cuda, st->sw, 0) < 0 ? PF_ERR_IO : 0;
        pfi_frame_unmap(&m);
    }
    if (r < 0)
        return r;
    return pfi_ff_encode(video, &st->ff, st->cuda, idr);
}

const struct pfi_backend pfi_backend_nvenc = {
    .id = PF_ENCODE_BACKEND_NVENC,
    .name = "nvenc",
    .device_open = nv_device_open,
    .device_close = nv_device_close,
    .query_caps = nv_query_caps,
    .video_open = nv_video_open,
    .video_close = nv_video_close,
    .submit = nv_submit,
    .reconfigure = pfi_ff_backend_reconfigure,
};
