/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "params.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <string.h>

PF_EXPORT void pf_encode_device_settings_default(pf_encode_device_settings *settings)
{
    if (!settings)
        return;
    memset(settings, 0, sizeof(*settings));
    settings->struct_size = sizeof(*settings);
    settings->backend = PF_ENCODE_BACKEND_AUTO;
}

PF_EXPORT void pf_encode_video_settings_default(pf_encode_video_settings *settings)
{
    if (!settings)
        return;
    memset(settings, 0, sizeof(*settings));
    settings->struct_size = sizeof(*settings);
    settings->codec = PF_ENCODE_CODEC_H264;
    settings->width = 1280;
    settings->height = 720;
    settings->input_format = PF_FRAME_FORMAT_BGRX;
    settings->fps = 60;
    settings->bitrate_kbps = 20000;
    settings->bit_depth = 8;
    settings->color_space = PF_COLOR_SPACE_BT709;
    settings->color_range = PF_COLOR_RANGE_LIMITED;
    settings->slices = 1;
}

uint32_t pfi_format_planes(uint32_t format, uint32_t *bpp)
{
    switch (format) {
    case PF_FRAME_FORMAT_BGRX:
    case PF_FRAME_FORMAT_RGBX:
    case PF_FRAME_FORMAT_BGRA:
    case PF_FRAME_FORMAT_RGBA:
    case PF_FRAME_FORMAT_XR30:
        *bpp = 4;
        return 1;
    case PF_FRAME_FORMAT_NV12:
        *bpp = 1;
        return 2;
    case PF_FRAME_FORMAT_P010:
        *bpp = 2;
        return 2;
    default:
        *bpp = 0;
        return 0;
    }
}

bool pfi_format_is_rgb(uint32_t format)
{
    uint32_t bpp;
    return pfi_format_planes(format, &bpp) == 1;
}

int pfi_video_settings_import(const pf_encode_video_settings *in, pf_encode_video_settings *out)
{
    /* Fields an older caller does not know keep their defaults (struct_size versioning). */
    if (in->struct_size < offsetof(pf_encode_video_settings, hdr10) ||
        in->struct_size > sizeof(*out))
        return PF_ERR_INVALID_ARGUMENT;
    pf_encode_video_settings_default(out);
    memcpy(out, in, in->struct_size);
    out->struct_size = sizeof(*out);

    uint32_t bpp;
    if (out->codec != PF_ENCODE_CODEC_H264 && out->codec != PF_ENCODE_CODEC_HEVC &&
        out->codec != PF_ENCODE_CODEC_AV1)
        return PF_ERR_INVALID_ARGUMENT;
    if (out->width < PFI_MIN_DIM || out->height < PFI_MIN_DIM || out->width > PFI_MAX_DIM ||
        out->height > PFI_MAX_DIM || (out->width | out->height) & 1u)
        return PF_ERR_INVALID_ARGUMENT;
    if (!pfi_format_planes(out->input_format, &bpp))
        return PF_ERR_UNSUPPORTED;
    if (out->fps < 1 || out->fps > PFI_MAX_FPS)
        return PF_ERR_INVALID_ARGUMENT;
    if (out->bitrate_kbps < PFI_MIN_KBPS || out->bitrate_kbps > PFI_MAX_KBPS)
        return PF_ERR_INVALID_ARGUMENT;
    if (out->bit_depth != 8 && out->bit_depth != 10)
        return PF_ERR_INVALID_ARGUMENT;
    if (out->bit_depth == 10 && out->codec == PF_ENCODE_CODEC_H264)
        return PF_ERR_UNSUPPORTED;
    if (out->color_space > PF_COLOR_SPACE_BT601 || out->color_range > PF_COLOR_RANGE_FULL)
        return PF_ERR_INVALID_ARGUMENT;
    if (out->slices < 1 || out->slices > PFI_MAX_SLICES || out->threads > 64)
        return PF_ERR_INVALID_ARGUMENT;
    /* HDR10 static metadata only means something on a 10-bit PQ stream. */
    if (out->has_hdr10 && (out->bit_depth != 10 || out->color_space != PF_COLOR_SPACE_BT2020_PQ))
        return PF_ERR_INVALID_ARGUMENT;
    return 0;
}

int pfi_frame_check(const pf_encode_video_settings *s, const pf_frame *frame)
{
    if (frame->struct_size < offsetof(pf_frame, release))
        return PF_ERR_INVALID_ARGUMENT;
    if (frame->width != s->width || frame->height != s->height ||
        frame->format != s->input_format)
        return PF_ERR_UNSUPPORTED;
    uint32_t bpp;
    uint32_t planes = pfi_format_planes(frame->format, &bpp);
    if (frame->n_planes < planes || frame->n_planes > PF_FRAME_MAX_PLANES)
        return PF_ERR_INVALID_ARGUMENT;
    if (frame->memory != PF_FRAME_MEMORY_CPU && frame->memory != PF_FRAME_MEMORY_DMABUF)
        return PF_ERR_INVALID_ARGUMENT;
    for (uint32_t i = 0; i < planes; i++) {
        const pf_frame_plane *p = &frame->planes[i];
        uint32_t row = frame->width * bpp;
        if (p->stride < row)
            return PF_ERR_INVALID_ARGUMENT;
        if (frame->memory == PF_FRAME_MEMORY_CPU && !p->data)
            return PF_ERR_INVALID_ARGUMENT;
        if (frame->memory == PF_FRAME_MEMORY_DMABUF && p->fd < 0 && !p->data)
            return PF_ERR_INVALID_ARGUMENT;
    }
    if (frame->sync_kind > PF_FRAME_SYNC_TIMELINE)
        return PF_ERR_INVALID_ARGUMENT;
    if (frame->sync_kind == PF_FRAME_SYNC_FILE && frame->sync_fd < 0)
        return PF_ERR_INVALID_ARGUMENT;
    /* Timeline waits need the DRM device of the producer; libpfcapture waits them before it
     * hands the frame over (architecture §2 step 2). */
    if (frame->sync_kind == PF_FRAME_SYNC_TIMELINE)
        return PF_ERR_UNSUPPORTED;
    return 0;
}

int pfi_frame_wait(const pf_frame *frame, int timeout_ms)
{
    if (frame->sync_kind != PF_FRAME_SYNC_FILE)
        return 0;
    struct pollfd pfd = {.fd = frame->sync_fd, .events = POLLIN};
    for (;;) {
        int r = poll(&pfd, 1, timeout_ms);
        if (r > 0)
            return (pfd.revents & (POLLERR | POLLNVAL)) ? PF_ERR_IO : 0;
        if (r == 0)
            return PF_ERR_TIMEOUT;
        if (errno != EINTR)
            return PF_ERR_IO;
    }
}
