/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "ff_common.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libavutil/error.h>
#include <libavutil/mastering_display_metadata.h>
#include <libavutil/opt.h>

#include "log.h"

#define TOPIC "encode.ffmpeg"

const char *pfi_ff_codec_name(uint32_t backend, uint32_t codec)
{
    static const char *const names[][3] = {
        /* H.264          HEVC           AV1 */
        {"libx264", "libx265", "libaom-av1"},       /* software (and Vulkan's feed) */
        {"h264_vaapi", "hevc_vaapi", "av1_vaapi"},  /* VAAPI */
        {"h264_nvenc", "hevc_nvenc", "av1_nvenc"},  /* NVENC */
    };
    int c = codec == PF_ENCODE_CODEC_H264 ? 0 : codec == PF_ENCODE_CODEC_HEVC ? 1
          : codec == PF_ENCODE_CODEC_AV1 ? 2 : -1;
    if (c < 0)
        return NULL;
    switch (backend) {
    case PF_ENCODE_BACKEND_SOFTWARE:
    case PF_ENCODE_BACKEND_VULKAN:
        return names[0][c];
    case PF_ENCODE_BACKEND_VAAPI:
        return names[1][c];
    case PF_ENCODE_BACKEND_NVENC:
        return names[2][c];
    default:
        return NULL;
    }
}

bool pfi_ff_has_encoder(const char *name)
{
    const AVCodec *c = name ? avcodec_find_encoder_by_name(name) : NULL;
    return c && av_codec_is_encoder(c);
}

enum AVPixelFormat pfi_ff_pix_fmt(uint32_t format)
{
    switch (format) {
    case PF_FRAME_FORMAT_BGRX: return AV_PIX_FMT_BGR0;
    case PF_FRAME_FORMAT_RGBX: return AV_PIX_FMT_RGB0;
    case PF_FRAME_FORMAT_BGRA: return AV_PIX_FMT_BGRA;
    case PF_FRAME_FORMAT_RGBA: return AV_PIX_FMT_RGBA;
    case PF_FRAME_FORMAT_NV12: return AV_PIX_FMT_NV12;
    case PF_FRAME_FORMAT_P010: return AV_PIX_FMT_P010LE;
    case PF_FRAME_FORMAT_XR30: return AV_PIX_FMT_X2RGB10LE;
    default: return AV_PIX_FMT_NONE;
    }
}

int pfi_ff_error(int averr)
{
    switch (averr) {
    case AVERROR(ENOMEM): return PF_ERR_NOMEM;
    case AVERROR(EINVAL): return PF_ERR_UNSUPPORTED;
    case AVERROR(ENOSYS):
    case AVERROR_ENCODER_NOT_FOUND:
    case AVERROR_PATCHWELCOME: return PF_ERR_UNSUPPORTED;
    case AVERROR(ENOENT):
    case AVERROR(ENODEV):
    case AVERROR_EXTERNAL: return PF_ERR_NOT_FOUND;
    case AVERROR(EAGAIN): return PF_ERR_AGAIN;
    default: return PF_ERR_IO;
    }
}

/* Encoders that carry HDR10 static metadata in libavcodec 59: x265 through its parameters,
 * VAAPI HEVC as SEI from the IDR frame's side data. */
static bool hdr10_capable(const char *name)
{
    return strcmp(name, "libx265") == 0 || strcmp(name, "hevc_vaapi") == 0;
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* "G(x,y)B(x,y)R(x,y)WP(x,y)L(max,min)" as x265's master-display takes it (G, B, R order as
 * in SMPTE ST 2086 and the HEVC mastering display SEI). */
static void hdr10_strings(const pf_encode_hdr10 *h, char *md, size_t md_len, char *cll,
                          size_t cll_len)
{
    snprintf(md, md_len, "G(%u,%u)B(%u,%u)R(%u,%u)WP(%u,%u)L(%u,%u)", h->primaries_x[0],
             h->primaries_y[0], h->primaries_x[1], h->primaries_y[1], h->primaries_x[2],
             h->primaries_y[2], h->white_x, h->white_y, h->max_luminance, h->min_luminance);
    snprintf(cll, cll_len, "%u,%u", h->max_cll, h->max_fall);
}

static void set_rate(AVCodecContext *ctx, const pf_encode_video_settings *s, uint32_t base_fps)
{
    /* Rate control counts bits per nominal frame of the rate it was opened with; scaling the
     * target keeps the per-second rate right after a frame-rate change made in place. */
    int64_t bps = (int64_t)s->bitrate_kbps * 1000;
    int64_t scaled = bps * base_fps / s->fps;
    ctx->bit_rate = scaled;
    ctx->rc_max_rate = scaled;
    /* A one-frame VBV: no frame may be larger than its share of a frame interval, so a
     * frame never queues behind its predecessor on the wire (the low-latency CBR rule). */
    int64_t vbv = bps / s->fps;
    /* libaom selects CBR when minimum, maximum and target agree. */
    if (strcmp(ctx->codec->name, "libaom-av1") == 0)
        ctx->rc_min_rate = scaled;
    ctx->rc_buffer_size = (int)(vbv > INT_MAX ? INT_MAX : vbv);
}

static int set_codec_options(AVCodecContext *ctx, const char *name,
                             const pf_encode_video_settings *s)
{
    char params[512], md[96], cll[24];
    int r = 0;
    if (s->has_hdr10)
        hdr10_strings(&s->hdr10, md, sizeof(md), cll, sizeof(cll));
    if (strcmp(name, "libx264") == 0) {
        r |= av_opt_set(ctx->priv_data, "preset", "ultrafast", 0);
        r |= av_opt_set(ctx->priv_data, "tune", "zerolatency", 0);
        r |= av_opt_set_int(ctx->priv_data, "forced-idr", 1, 0);
        snprintf(params, sizeof(params),
                 "keyint=infinite:min-keyint=1:scenecut=0:bframes=0:rc-lookahead=0:"
                 "sync-lookahead=0:repeat-headers=1:slices=%u", s->slices);
        r |= av_opt_set(ctx->priv_data, "x264-params", params, 0);
    } else if (strcmp(name, "libx265") == 0) {
        /* info=0: x265's 2 KB version SEI would push the keyframe's first slice out of the
         * first packet of the frame, where Moonlight looks for it (it then waits for an IDR
         * forever). */
        r |= av_opt_set(ctx->priv_data, "preset", "ultrafast", 0);
        r |= av_opt_set(ctx->priv_data, "tune", "zerolatency", 0);
        r |= av_opt_set_int(ctx->priv_data, "forced-idr", 1, 0);
        int n = snprintf(params, sizeof(params),
                         "log-level=error:keyint=-1:scenecut=0:bframes=0:rc-lookahead=0:"
                         "frame-threads=1:repeat-headers=1:info=0:slices=%u", s->slices);
        if (s->has_hdr10 && n > 0 && (size_t)n < sizeof(params))
            snprintf(params + n, sizeof(params) - (size_t)n,
                     ":hdr10=1:hdr10-opt=1:master-display=%s:max-cll=%s", md, cll);
        r |= av_opt_set(ctx->priv_data, "x265-params", params, 0);
    } else if (strcmp(name, "libaom-av1") == 0) {
        /* Real-time usage with no lag: one temporal unit per frame (SVT-AV1 1.4 holds two
         * frames back even in its low-delay structure, so it is not used). */
        r |= av_opt_set(ctx->priv_data, "usage", "realtime", 0);
        r |= av_opt_set_int(ctx->priv_data, "cpu-used", 8, 0);
        r |= av_opt_set_int(ctx->priv_data, "lag-in-frames", 0, 0);
        r |= av_opt_set_int(ctx->priv_data, "row-mt", 1, 0);
        r |= av_opt_set_int(ctx->priv_data, "auto-alt-ref", 0, 0);
        if (s->slices > 1)
            r |= av_opt_set_int(ctx->priv_data, "tile-rows", s->slices > 4 ? 2 : 1, 0);
    } else if (ends_with(name, "_nvenc")) {
        r |= av_opt_set(ctx->priv_data, "preset", "p1", 0);
        r |= av_opt_set(ctx->priv_data, "tune", "ull", 0);
        r |= av_opt_set(ctx->priv_data, "rc", "cbr", 0);
        r |= av_opt_set_int(ctx->priv_data, "zerolatency", 1, 0);
        r |= av_opt_set_int(ctx->priv_data, "delay", 0, 0);
        r |= av_opt_set_int(ctx->priv_data, "forced-idr", 1, 0);
    } else if (ends_with(name, "_vaapi")) {
        r |= av_opt_set(ctx->priv_data, "rc_mode", "CBR", 0);
        r |= av_opt_set_int(ctx->priv_data, "async_depth", 1, 0);
        r |= av_opt_set_int(ctx->priv_data, "idr_interval", 0, 0);
    }
    return r < 0 ? PF_ERR_UNSUPPORTED : 0;
}

int pfi_ff_open(struct pfi_ff_stream *st, const char *codec_name,
                const pf_encode_video_settings *s, enum AVPixelFormat pix_fmt,
                AVBufferRef *hw_frames)
{
    const AVCodec *codec = avcodec_find_encoder_by_name(codec_name);
    if (!codec)
        return PF_ERR_UNSUPPORTED;
    if (s->has_hdr10 && !hdr10_capable(codec_name))
        return PF_ERR_UNSUPPORTED;
    AVCodecContext *ctx = avcodec_alloc_context3(codec);
    AVPacket *pkt = av_packet_alloc();
    if (!ctx || !pkt) {
        avcodec_free_context(&ctx);
        av_packet_free(&pkt);
        return PF_ERR_NOMEM;
    }
    bool hdr = s->color_space == PF_COLOR_SPACE_BT2020_PQ;
    ctx->width = (int)s->width;
    ctx->height = (int)s->height;
    ctx->pix_fmt = pix_fmt;
    ctx->time_base = (AVRational){1, 1000000};
    ctx->framerate = (AVRational){(int)s->fps, 1};
    ctx->max_b_frames = 0;
    /* Infinite GOP: IDRs only on request. The x264/x265 parameter strings say so explicitly;
     * the hardware wrappers take the largest interval. */
    ctx->gop_size = starts_with(codec_name, "lib") ? -1 : INT_MAX;
    ctx->keyint_min = 1;
    ctx->slices = (int)s->slices;
    ctx->thread_count = (int)s->threads;
    ctx->thread_type = FF_THREAD_SLICE;
    /* The VUI names the matrix the picture was converted with, so decoders invert it. */
    bool bt601 = s->color_space == PF_COLOR_SPACE_BT601;
    ctx->color_primaries = hdr ? AVCOL_PRI_BT2020 : bt601 ? AVCOL_PRI_SMPTE170M : AVCOL_PRI_BT709;
    ctx->color_trc = hdr ? AVCOL_TRC_SMPTE2084 : bt601 ? AVCOL_TRC_SMPTE170M : AVCOL_TRC_BT709;
    ctx->colorspace = hdr ? AVCOL_SPC_BT2020_NCL : bt601 ? AVCOL_SPC_SMPTE170M : AVCOL_SPC_BT709;
    ctx->color_range = s->color_range == PF_COLOR_RANGE_FULL ? AVCOL_RANGE_JPEG : AVCOL_RANGE_MPEG;
    ctx->flags |= AV_CODEC_FLAG_LOW_DELAY;
    set_rate(ctx, s, s->fps);
    if (hw_frames) {
        ctx->hw_frames_ctx = av_buffer_ref(hw_frames);
        if (!ctx->hw_frames_ctx) {
            avcodec_free_context(&ctx);
            av_packet_free(&pkt);
            return PF_ERR_NOMEM;
        }
    }
    int r = set_codec_options(ctx, codec_name, s);
    if (r == 0) {
        int ar = avcodec_open2(ctx, codec, NULL);
        r = ar < 0 ? pfi_ff_error(ar) : 0;
        /* A driver that exists but refuses the stream is an I/O failure, not "absent". */
        if (r == PF_ERR_NOT_FOUND)
            r = PF_ERR_IO;
    }
    if (r < 0) {
        avcodec_free_context(&ctx);
        av_packet_free(&pkt);
        return r;
    }
    st->ctx = ctx;
    st->pkt = pkt;
    st->codec_name = codec_name;
    st->pix_fmt = pix_fmt;
    st->hw_frames = hw_frames;
    st->base_fps = s->fps;
    st->broken = false;
    st->live_bitrate = strcmp(codec_name, "libx264") == 0;
    return 0;
}

void pfi_ff_close(struct pfi_ff_stream *st)
{
    avcodec_free_context(&st->ctx);
    av_packet_free(&st->pkt);
}

static int reopen(struct pf_encode_video *video, struct pfi_ff_stream *st)
{
    const char *name = st->codec_name;
    enum AVPixelFormat fmt = st->pix_fmt;
    AVBufferRef *frames = st->hw_frames;
    int64_t pts = st->next_pts;
    pfi_ff_close(st);
    int r = pfi_ff_open(st, name, &video->settings, fmt, frames);
    if (r < 0) {
        /* Keep enough to try again on the next frame. */
        st->codec_name = name;
        st->pix_fmt = fmt;
        st->hw_frames = frames;
        st->broken = true;
        return r;
    }
    st->next_pts = pts;
    return 0;
}

static int drain(struct pf_encode_video *video, struct pfi_ff_stream *st)
{
    for (;;) {
        int ar = avcodec_receive_packet(st->ctx, st->pkt);
        if (ar == AVERROR(EAGAIN) || ar == AVERROR_EOF)
            return 0;
        if (ar < 0)
            return pfi_ff_error(ar);
        pf_encode_packet info;
        memset(&info, 0, sizeof(info));
        info.frame_index = video->frames_in;
        for (uint64_t back = 0; back < PFI_FRAME_HISTORY && back <= video->frames_in; back++) {
            uint64_t idx = video->frames_in - back;
            if (st->pts_of[idx % PFI_FRAME_HISTORY] == st->pkt->pts) {
                info.frame_index = idx;
                break;
            }
        }
        if (st->pkt->flags & AV_PKT_FLAG_KEY)
            info.flags |= PF_ENCODE_PACKET_IDR;
        int r = pfi_video_queue_packet(video, st->pkt->data, (size_t)st->pkt->size, &info);
        av_packet_unref(st->pkt);
        if (r < 0)
            return r;
    }
}

/* Mastering display and content light side data, which hevc_vaapi turns into SEI on the IDR
 * that carries them (only IDRs do, so this allocates once per IDR, not per frame). */
static int attach_hdr10(AVFrame *f, const pf_encode_hdr10 *h)
{
    AVMasteringDisplayMetadata *md = av_mastering_display_metadata_create_side_data(f);
    AVContentLightMetadata *cl = av_content_light_metadata_create_side_data(f);
    if (!md || !cl)
        return PF_ERR_NOMEM;
    /* Side data orders the primaries R, G, B; pf_encode_hdr10 keeps ST 2086's G, B, R. */
    static const int from[3] = {2, 0, 1};
    for (int i = 0; i < 3; i++) {
        md->display_primaries[i][0] = av_make_q(h->primaries_x[from[i]], 50000);
        md->display_primaries[i][1] = av_make_q(h->primaries_y[from[i]], 50000);
    }
    md->white_point[0] = av_make_q(h->white_x, 50000);
    md->white_point[1] = av_make_q(h->white_y, 50000);
    md->max_luminance = av_make_q((int)h->max_luminance, 10000);
    md->min_luminance = av_make_q((int)h->min_luminance, 10000);
    md->has_primaries = 1;
    md->has_luminance = 1;
    cl->MaxCLL = h->max_cll;
    cl->MaxFALL = h->max_fall;
    return 0;
}

int pfi_ff_encode(struct pf_encode_video *video, struct pfi_ff_stream *st, AVFrame *in, bool idr)
{
    if (st->broken || !st->ctx) {
        int r = reopen(video, st);
        if (r < 0)
            return r;
        idr = true;
    }
    in->pts = st->next_pts;
    st->pts_of[video->frames_in % PFI_FRAME_HISTORY] = in->pts;
    st->next_pts += 1000000 / (int64_t)video->settings.fps;
    if (idr && video->settings.has_hdr10 && strcmp(st->codec_name, "hevc_vaapi") == 0) {
        int r = attach_hdr10(in, &video->settings.hdr10);
        if (r < 0)
            return r;
    }
    in->pict_type = idr ? AV_PICTURE_TYPE_I : AV_PICTURE_TYPE_NONE;
    in->key_frame = idr;
    int ar = avcodec_send_frame(st->ctx, in);
    int r = ar < 0 ? pfi_ff_error(ar) : drain(video, st);
    if (r == PF_ERR_AGAIN)
        r = PF_ERR_LIMIT;
    if (r < 0 && r != PF_ERR_LIMIT && r != PF_ERR_NOMEM) {
        pfi_enc_debug(&video->log, TOPIC, "%s failed (%d); re-created on the next frame",
                      st->codec_name, ar);
        st->broken = true;
        return PF_ERR_IO;
    }
    return r;
}

int pfi_ff_reconfigure(struct pf_encode_video *video, struct pfi_ff_stream *st)
{
    if (st->ctx && st->live_bitrate && !st->broken) {
        /* libx264 compares these with its state before each frame and calls
         * x264_encoder_reconfig: the change lands on the next frame, no IDR. */
        set_rate(st->ctx, &video->settings, st->base_fps);
        return 0;
    }
    /* Other encoders take rate changes only at open: re-create, the next frame is an IDR. */
    int r = reopen(video, st);
    return r < 0 ? r : 1;
}

int pfi_ff_backend_reconfigure(struct pf_encode_video *video)
{
    return pfi_ff_reconfigure(video, video->priv);
}

int pfi_ff_hw_device(enum AVHWDeviceType type, const char *path, AVBufferRef **ret_ref)
{
    AVBufferRef *ref = NULL;
    int ar = av_hwdevice_ctx_create(&ref, type, path, NULL, 0);
    if (ar < 0)
        return ar == AVERROR(ENOMEM) ? PF_ERR_NOMEM : PF_ERR_NOT_FOUND;
    *ret_ref = ref;
    return 0;
}

int pfi_ff_hw_frames(AVBufferRef *device, enum AVPixelFormat hw_fmt, enum AVPixelFormat sw_fmt,
                     uint32_t width, uint32_t height, AVBufferRef **ret_ref)
{
    AVBufferRef *ref = av_hwframe_ctx_alloc(device);
    if (!ref)
        return PF_ERR_NOMEM;
    AVHWFramesContext *fc = (AVHWFramesContext *)ref->data;
    fc->format = hw_fmt;
    fc->sw_format = sw_fmt;
    fc->width = (int)width;
    fc->height = (int)height;
    fc->initial_pool_size = 4;
    int ar = av_hwframe_ctx_init(ref);
    if (ar < 0) {
        av_buffer_unref(&ref);
        return pfi_ff_error(ar);
    }
    *ret_ref = ref;
    return 0;
}

void pfi_ff_fill_caps(pf_encode_caps *caps, const char *codec_name)
{
    snprintf(caps->encoder_name, sizeof(caps->encoder_name), "%s", codec_name);
    caps->bit_depths = 1u << 8;
    caps->flags |= PF_ENCODE_CAP_SLICES;
    switch (caps->codec) {
    case PF_ENCODE_CODEC_H264:
        caps->profiles = PF_ENCODE_PROFILE_H264_HIGH | PF_ENCODE_PROFILE_H264_MAIN;
        break;
    case PF_ENCODE_CODEC_HEVC:
        caps->bit_depths |= 1u << 10;
        caps->profiles = PF_ENCODE_PROFILE_HEVC_MAIN | PF_ENCODE_PROFILE_HEVC_MAIN10;
        break;
    default:
        caps->bit_depths |= 1u << 10;
        caps->profiles = PF_ENCODE_PROFILE_AV1_MAIN;
        caps->flags &= ~PF_ENCODE_CAP_SLICES;
        break;
    }
    if (strcmp(codec_name, "libx264") == 0)
        caps->flags |= PF_ENCODE_CAP_LIVE_BITRATE;
    if (hdr10_capable(codec_name))
        caps->flags |= PF_ENCODE_CAP_HDR10;
}
