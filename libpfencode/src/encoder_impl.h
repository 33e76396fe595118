/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private backend interface: each enc_<backend>.c fills one pfi_backend, the way wlroots
 * hides its backends behind struct wlr_backend_impl. Nothing here crosses the public ABI. */
#ifndef PF_ENCODE_ENCODER_IMPL_H
#define PF_ENCODE_ENCODER_IMPL_H

#include <stdbool.h>
#include <stdint.h>

#include "pf/encode.h"

#define PFI_PACKET_QUEUE 8u
/* Frames remembered for labelling late access units (encoders with a pipeline delay). */
#define PFI_FRAME_HISTORY 16u

struct pfi_ff_stream;

struct pfi_backend {
    uint32_t id;          /* PF_ENCODE_BACKEND_* */
    const char *name;
    /* Opens the backend's device into dev->priv. Returns PF_ERR_NOT_FOUND when the machine
     * has no such device, PF_ERR_UNSUPPORTED when the backend is not compiled in. */
    int (*device_open)(struct pf_encode_device *dev, const pf_encode_device_settings *s);
    void (*device_close)(struct pf_encode_device *dev);
    int (*query_caps)(struct pf_encode_device *dev, uint32_t codec, pf_encode_caps *caps);
    /* Opens video->priv for video->settings (already validated). */
    int (*video_open)(struct pf_encode_video *video);
    void (*video_close)(struct pf_encode_video *video);
    /* Encodes one frame and queues its access unit(s) with pfi_video_queue_packet(). */
    int (*submit)(struct pf_encode_video *video, const pf_frame *frame, bool idr);
    /* Applies video->settings.bitrate_kbps / fps; returns 1 when it had to re-create the
     * encoder (the next frame is then an IDR). */
    int (*reconfigure)(struct pf_encode_video *video);
};

extern const struct pfi_backend pfi_backend_software;
extern const struct pfi_backend pfi_backend_vaapi;
extern const struct pfi_backend pfi_backend_nvenc;
extern const struct pfi_backend pfi_backend_vulkan;

struct pf_encode_device {
    const struct pfi_backend *impl;
    int refs;                  /* atomic: the caller plus one per encoder */
    pf_log_hook log;
    uint32_t allow_cpu_vulkan;
    void *priv;                /* backend's device state */
};

struct pfi_queued_packet {
    uint8_t *data;             /* owned, grown to the largest unit seen (no per-frame malloc) */
    size_t cap;
    pf_encode_packet info;
};

struct pf_encode_video {
    pf_encode_device *device;
    pf_encode_video_settings settings;
    pf_log_hook log;
    void *priv;                /* backend's stream state */
    uint64_t frames_in;
    bool force_idr;            /* set by invalidation or after an error */
    uint64_t submit_ns[PFI_FRAME_HISTORY];  /* by frame index: when submit was entered */
    uint64_t frame_pts[PFI_FRAME_HISTORY];  /* by frame index: pf_frame.pts_ns */
    /* Ring of finished access units; head is the next to receive. */
    struct pfi_queued_packet queue[PFI_PACKET_QUEUE];
    uint32_t head, count;
};

/* Copies one access unit into the ring. Returns PF_ERR_LIMIT when the ring is full. */
int pfi_video_queue_packet(struct pf_encode_video *video, const uint8_t *data, size_t size,
                           const pf_encode_packet *info);

void pfi_device_ref(pf_encode_device *dev);

/* Probe order for AUTO: best hardware first, software last (architecture §1). */
extern const struct pfi_backend *const pfi_backends[PF_ENCODE_BACKEND_COUNT - 1];

#endif
