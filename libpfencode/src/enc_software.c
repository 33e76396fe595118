/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Software backend: libx264, libx265 and libaom (real-time AV1) through libavcodec, colour conversion with
 * libswscale. The path CI and machines without an encoder GPU take. */
#include <stdlib.h>
#include <string.h>

#include <libavutil/frame.h>
#include <libswscale/swscale.h>

#include "encoder_impl.h"
#include "ff_common.h"
#include "frame_map.h"
#include "log.h"
#include "params.h"
#include "rgb_convert.h"

#define TOPIC "encode.software"

struct sw_stream {
    struct pfi_ff_stream ff;  /* first member: pfi_ff_backend_reconfigure casts priv */
    struct SwsContext *sws;   /* shapes the fixed-point converter does not cover */
    struct pfi_rgb_convert rgb;
    bool use_rgb;
    AVFrame *frame;           /* encoder input, allocated once */
};

static int sw_device_open(struct pf_encode_device *dev, const pf_encode_device_settings *s)
{
    for (uint32_t c = PF_ENCODE_CODEC_H264; c <= PF_ENCODE_CODEC_AV1; c <<= 1)
        if (pfi_ff_has_encoder(pfi_ff_codec_name(PF_ENCODE_BACKEND_SOFTWARE, c)))
            return 0;
    pfi_enc_debug(&s->log, TOPIC, "libavcodec has none of libx264, libx265, libaom-av1 "
                  "(Debian: libavcodec59 built with them)");
    return PF_ERR_NOT_FOUND;
}

static void sw_device_close(struct pf_encode_device *dev)
{
}

static int sw_query_caps(struct pf_encode_device *dev, uint32_t codec, pf_encode_caps *caps)
{
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_SOFTWARE, codec);
    if (!pfi_ff_has_encoder(name))
        return PF_ERR_UNSUPPORTED;
    pfi_ff_fill_caps(caps, name);
    caps->max_width = PFI_MAX_DIM;
    caps->max_height = PFI_MAX_DIM;
    /* The API's bound; what a CPU sustains depends on the machine (pf-bench-encode). */
    caps->max_fps = PFI_MAX_FPS;
    if (codec == PF_ENCODE_CODEC_H264)
        caps->bit_depths = 1u << 8;
    return 0;
}

static enum AVPixelFormat encoder_format(const pf_encode_video_settings *s)
{
    if (s->bit_depth == 10)
        return AV_PIX_FMT_YUV420P10LE;
    /* libx264 keeps pictures as NV12 internally: NV12 input skips its interleaving copy, and
     * NV12 frames from capture skip the conversion altogether. */
    if (s->codec == PF_ENCODE_CODEC_H264)
        return AV_PIX_FMT_NV12;
    return AV_PIX_FMT_YUV420P;
}

static void sw_video_close(struct pf_encode_video *video)
{
    struct sw_stream *st = video->priv;
    if (!st)
        return;
    pfi_ff_close(&st->ff);
    sws_freeContext(st->sws);
    av_frame_free(&st->frame);
    free(st);
    video->priv = NULL;
}

static int sw_video_open(struct pf_encode_video *video)
{
    const pf_encode_video_settings *s = &video->settings;
    const char *name = pfi_ff_codec_name(PF_ENCODE_BACKEND_SOFTWARE, s->codec);
    if (!pfi_ff_has_encoder(name))
        return PF_ERR_UNSUPPORTED;
    struct sw_stream *st = calloc(1, sizeof(*st));
    if (!st)
        return PF_ERR_NOMEM;
    video->priv = st;
    enum AVPixelFormat dst = encoder_format(s);
    enum AVPixelFormat src = pfi_ff_pix_fmt(s->input_format);
    st->frame = av_frame_alloc();
    if (!st->frame)
        goto nomem;
    st->frame->format = dst;
    st->frame->width = (int)s->width;
    st->frame->height = (int)s->height;
    if (av_frame_get_buffer(st->frame, 0) < 0)
        goto nomem;
    st->use_rgb = dst != AV_PIX_FMT_YUV420P10LE &&
                  pfi_rgb_convert_init(&st->rgb, s->input_format, s->color_space, s->color_range);
    if (src != dst && !st->use_rgb) {
        st->sws = sws_getContext((int)s->width, (int)s->height, src, (int)s->width,
                                 (int)s->height, dst, SWS_BILINEAR, NULL, NULL, NULL);
        if (!st->sws) {
            sw_video_close(video);
            return PF_ERR_UNSUPPORTED;
        }
        int cs = s->color_space == PF_COLOR_SPACE_BT2020_PQ ? SWS_CS_BT2020
                 : s->color_space == PF_COLOR_SPACE_BT601  ? SWS_CS_ITU601
                                                           : SWS_CS_ITU709;
        /* Desktop RGB is full range; the output range is the stream's. */
        sws_setColorspaceDetails(st->sws, sws_getCoefficients(cs), 1, sws_getCoefficients(cs),
                                 s->color_range == PF_COLOR_RANGE_FULL, 0, 1 << 16, 1 << 16);
    }
    st->frame->color_range = s->color_range == PF_COLOR_RANGE_FULL ? AVCOL_RANGE_JPEG
                                                                    : AVCOL_RANGE_MPEG;
    int r = pfi_ff_open(&st->ff, name, s, dst, NULL);
    if (r < 0) {
        sw_video_close(video);
        return r;
    }
    return 0;
nomem:
    sw_video_close(video);
    return PF_ERR_NOMEM;
}

static int sw_submit(struct pf_encode_video *video, const pf_frame *frame, bool idr)
{
    struct sw_stream *st = video->priv;
    struct pfi_frame_map m;
    int r = pfi_frame_map(frame, &m);
    if (r < 0)
        return r;
    /* The previous frame's reference was dropped by the encoder (no delay), so this only
     * copies when an encoder still holds it. */
    if (av_frame_make_writable(st->frame) < 0) {
        pfi_frame_unmap(&m);
        return PF_ERR_NOMEM;
    }
    if (st->use_rgb) {
        AVFrame *o = st->frame;
        bool nv12 = o->format == AV_PIX_FMT_NV12;
        pfi_rgb_convert_run(&st->rgb, m.plane[0], m.stride[0], frame->width, frame->height,
                            o->data[0], o->linesize[0], o->data[1],
                            nv12 ? o->data[1] + 1 : o->data[2], o->linesize[1], nv12 ? 2 : 1);
    } else if (st->sws) {
        sws_scale(st->sws, m.plane, m.stride, 0, (int)frame->height, st->frame->data,
                  st->frame->linesize);
    } else {
        for (uint32_t p = 0; p < 2; p++) {
            uint32_t rows = p ? frame->height / 2 : frame->height;
            for (uint32_t y = 0; y < rows; y++)
                memcpy(st->frame->data[p] + (size_t)y * (size_t)st->frame->linesize[p],
                       m.plane[p] + (size_t)y * (size_t)m.stride[p], frame->width);
        }
    }
    pfi_frame_unmap(&m);
    return pfi_ff_encode(video, &st->ff, st->frame, idr);
}

const struct pfi_backend pfi_backend_software = {
    .id = PF_ENCODE_BACKEND_SOFTWARE,
    .name = "software",
    .device_open = sw_device_open,
    .device_close = sw_device_close,
    .query_caps = sw_query_caps,
    .video_open = sw_video_open,
    .video_close = sw_video_close,
    .submit = sw_submit,
    .reconfigure = pfi_ff_backend_reconfigure,
};
