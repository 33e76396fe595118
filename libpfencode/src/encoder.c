/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public video encoder API: validation, the access-unit ring, and the IDR / invalidation
 * bookkeeping every backend shares. Backends only encode. */
#include "pf/encode.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "encoder_impl.h"
#include "log.h"
#include "params.h"

#define TOPIC "encode.video"
/* A fence that has not signalled after this long belongs to a stuck producer. */
#define FENCE_TIMEOUT_MS 100

PF_EXPORT int pf_encode_video_create(pf_encode_device *device,
                                     const pf_encode_video_settings *settings,
                                     pf_encode_video **ret_video)
{
    if (!device || !settings || !ret_video)
        return PF_ERR_INVALID_ARGUMENT;
    pf_encode_video *v = calloc(1, sizeof(*v));
    if (!v)
        return PF_ERR_NOMEM;
    int r = pfi_video_settings_import(settings, &v->settings);
    if (r < 0) {
        free(v);
        return r;
    }
    v->log = v->settings.log;
    v->device = device;
    v->force_idr = true;
    r = device->impl->video_open(v);
    if (r < 0) {
        pfi_enc_debug(&v->log, TOPIC, "%s cannot open the stream: %s", device->impl->name,
                      pf_strerror(r));
        free(v);
        return r;
    }
    pfi_device_ref(device);
    *ret_video = v;
    return 0;
}

PF_EXPORT void pf_encode_video_destroy(pf_encode_video *video)
{
    if (!video)
        return;
    video->device->impl->video_close(video);
    for (uint32_t i = 0; i < PFI_PACKET_QUEUE; i++)
        free(video->queue[i].data);
    pf_encode_device_destroy(video->device);
    free(video);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int pfi_video_queue_packet(struct pf_encode_video *video, const uint8_t *data, size_t size,
                           const pf_encode_packet *info)
{
    if (video->count == PFI_PACKET_QUEUE)
        return PF_ERR_LIMIT;
    struct pfi_queued_packet *q = &video->queue[(video->head + video->count) % PFI_PACKET_QUEUE];
    if (q->cap < size) {
        /* Grows to the largest unit seen, then never again: no allocation per frame. */
        size_t cap = size + size / 4 + 4096;
        uint8_t *p = realloc(q->data, cap);
        if (!p)
            return PF_ERR_NOMEM;
        q->data = p;
        q->cap = cap;
    }
    memcpy(q->data, data, size);
    q->info = *info;
    q->info.struct_size = sizeof(q->info);
    q->info.size = size;
    video->count++;
    return 0;
}

PF_EXPORT int pf_encode_video_submit(pf_encode_video *video, const pf_frame *frame,
                                     uint32_t flags)
{
    if (!video || !frame || (flags & ~PF_ENCODE_SUBMIT_IDR))
        return PF_ERR_INVALID_ARGUMENT;
    int r = pfi_frame_check(&video->settings, frame);
    if (r < 0)
        return r;
    if (video->count == PFI_PACKET_QUEUE)
        return PF_ERR_LIMIT;
    uint64_t t0 = now_ns();
    r = pfi_frame_wait(frame, FENCE_TIMEOUT_MS);
    if (r < 0)
        return r;
    bool idr = video->force_idr || (flags & PF_ENCODE_SUBMIT_IDR);
    uint32_t before = video->count;
    video->submit_ns[video->frames_in % PFI_FRAME_HISTORY] = t0;
    video->frame_pts[video->frames_in % PFI_FRAME_HISTORY] = frame->pts_ns;
    r = video->device->impl->submit(video, frame, idr);
    if (r < 0) {
        /* The backend reset its stream; whatever comes next must not reference the past. */
        pfi_enc_debug(&video->log, TOPIC, "frame %llu failed: %s",
                      (unsigned long long)video->frames_in, pf_strerror(r));
        video->force_idr = true;
        return r;
    }
    uint64_t t1 = now_ns();
    for (uint32_t i = before; i < video->count; i++) {
        struct pfi_queued_packet *q = &video->queue[(video->head + i) % PFI_PACKET_QUEUE];
        uint64_t idx = q->info.frame_index;
        if (idx <= video->frames_in && video->frames_in - idx < PFI_FRAME_HISTORY) {
            q->info.pts_ns = video->frame_pts[idx % PFI_FRAME_HISTORY];
            q->info.encode_ns = t1 - video->submit_ns[idx % PFI_FRAME_HISTORY];
        }
    }
    video->frames_in++;
    video->force_idr = false;
    return 0;
}

PF_EXPORT int pf_encode_video_peek(pf_encode_video *video, pf_encode_packet *ret_packet)
{
    if (!video || !ret_packet || ret_packet->struct_size < sizeof(pf_encode_packet))
        return PF_ERR_INVALID_ARGUMENT;
    if (!video->count)
        return PF_ERR_AGAIN;
    *ret_packet = video->queue[video->head].info;
    return 0;
}

PF_EXPORT int pf_encode_video_receive(pf_encode_video *video, uint8_t *buf, size_t cap,
                                      pf_encode_packet *ret_packet)
{
    if (!video || (!buf && cap) ||
        (ret_packet && ret_packet->struct_size < sizeof(pf_encode_packet)))
        return PF_ERR_INVALID_ARGUMENT;
    if (!video->count)
        return PF_ERR_AGAIN;
    struct pfi_queued_packet *q = &video->queue[video->head];
    if (q->info.size > cap)
        return PF_ERR_BUFFER_TOO_SMALL;
    if (q->info.size > (uint64_t)INT32_MAX)
        return PF_ERR_LIMIT;
    memcpy(buf, q->data, q->info.size);
    if (ret_packet)
        *ret_packet = q->info;
    video->head = (video->head + 1) % PFI_PACKET_QUEUE;
    video->count--;
    return (int)q->info.size;
}

static int reconfigure(pf_encode_video *video)
{
    int r = video->device->impl->reconfigure(video);
    if (r < 0) {
        video->force_idr = true;
        return r;
    }
    if (r == 1)
        video->force_idr = true;
    return 0;
}

PF_EXPORT int pf_encode_video_set_bitrate(pf_encode_video *video, uint32_t bitrate_kbps)
{
    if (!video || bitrate_kbps < PFI_MIN_KBPS || bitrate_kbps > PFI_MAX_KBPS)
        return PF_ERR_INVALID_ARGUMENT;
    if (video->settings.bitrate_kbps == bitrate_kbps)
        return 0;
    video->settings.bitrate_kbps = bitrate_kbps;
    return reconfigure(video);
}

PF_EXPORT int pf_encode_video_set_fps(pf_encode_video *video, uint32_t fps)
{
    if (!video || fps < 1 || fps > PFI_MAX_FPS)
        return PF_ERR_INVALID_ARGUMENT;
    if (video->settings.fps == fps)
        return 0;
    video->settings.fps = fps;
    return reconfigure(video);
}

PF_EXPORT int pf_encode_video_invalidate_refs(pf_encode_video *video, uint64_t first_index,
                                              uint64_t last_index)
{
    if (!video || first_index > last_index)
        return PF_ERR_INVALID_ARGUMENT;
    /* None of the FFmpeg encoders this library drives exposes reference invalidation
     * (x264's x264_encoder_invalidate_reference is not reachable through libavcodec), so
     * every backend answers with an IDR, as GameStream allows (gamestream-protocol §6.8). */
    pfi_enc_debug(&video->log, TOPIC, "invalidate frames %llu..%llu: next frame is an IDR",
                  (unsigned long long)first_index, (unsigned long long)last_index);
    video->force_idr = true;
    return 1;
}
