/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/common/frame.h
 * The frame descriptor that crosses from libpfcapture to libpfencode: a header-only POD,
 * like SPA's buffer types, so the two libraries never link each other (architecture §1).
 *
 * A producer (capture) fills a pf_frame and keeps the memory alive until a consumer calls
 * pf_frame_release(). Planes are either dmabuf fds (GPU memory, possibly tiled: see
 * @c modifier) or CPU memory (@c data pointers, e.g. an mmapped memfd). A dmabuf frame may carry
 * a sync point the consumer must wait before reading (implicit fence as a sync_file fd, or a
 * DRM syncobj timeline point); libpfcapture normally waits it already and then clears it.
 *
 * Threading: a pf_frame is owned by one thread at a time; hand it over, do not share it.
 * Since 0.1.
 */
#ifndef PF_COMMON_FRAME_H
#define PF_COMMON_FRAME_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pixel formats are DRM fourcc codes (drm_fourcc.h), written out so no kernel header is
 * needed. Names give the byte order in memory, as PipeWire/SPA spell them. */
#define PF_FOURCC(a, b, c, d)                                                                 \
    ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define PF_FRAME_FORMAT_BGRX 0x34325258u /**< 'XR24' DRM_FORMAT_XRGB8888: bytes B,G,R,x */
#define PF_FRAME_FORMAT_RGBX 0x34324258u /**< 'XB24' DRM_FORMAT_XBGR8888: bytes R,G,B,x */
#define PF_FRAME_FORMAT_BGRA 0x34325241u /**< 'AR24' DRM_FORMAT_ARGB8888: bytes B,G,R,A */
#define PF_FRAME_FORMAT_RGBA 0x34324241u /**< 'AB24' DRM_FORMAT_ABGR8888: bytes R,G,B,A */
#define PF_FRAME_FORMAT_NV12 0x3231564eu /**< 'NV12': Y plane, interleaved UV plane */
#define PF_FRAME_FORMAT_P010 0x30313050u /**< 'P010': 16-bit Y, UV; 10 significant bits */
#define PF_FRAME_FORMAT_XR30 0x30335258u /**< 'XR30' DRM_FORMAT_XRGB2101010 (HDR desktops) */

#define PF_FRAME_MODIFIER_LINEAR 0ull                   /**< DRM_FORMAT_MOD_LINEAR */
#define PF_FRAME_MODIFIER_INVALID 0x00ffffffffffffffull /**< DRM_FORMAT_MOD_INVALID */

#define PF_FRAME_MEMORY_CPU 0u    /**< planes are at data[i] */
#define PF_FRAME_MEMORY_DMABUF 1u /**< planes are fds; data[i] may also be set if mapped */

#define PF_FRAME_SYNC_NONE 0u          /**< ready to read */
#define PF_FRAME_SYNC_FILE 1u          /**< wait sync_fd (a sync_file, poll for POLLIN) */
#define PF_FRAME_SYNC_TIMELINE 2u      /**< wait timeline_fd at acquire_point; signal
                                            release_point when done */

#define PF_COLOR_SPACE_BT709 0u
#define PF_COLOR_SPACE_BT2020_PQ 1u /**< HDR10 */
#define PF_COLOR_SPACE_BT601 2u     /**< SMPTE 170M, what Moonlight asks for by default */
#define PF_COLOR_RANGE_LIMITED 0u
#define PF_COLOR_RANGE_FULL 1u

#define PF_FRAME_MAX_PLANES 4u

/** One plane of a frame. Since 0.1. */
typedef struct pf_frame_plane {
    int32_t fd;      /**< dmabuf fd, or -1 for CPU memory; borrowed (owned by the producer) */
    uint32_t offset; /**< bytes from the start of fd (or of data) to the plane */
    uint32_t stride; /**< bytes per row */
    uint32_t reserved;
    uint8_t *data;   /**< CPU address of the plane, or NULL; borrowed */
} pf_frame_plane;

struct pf_frame;

/** Returns a frame to its producer; called exactly once. Since 0.1. */
typedef void (*pf_frame_release_fn)(void *user_data, struct pf_frame *frame);

/** A captured frame. Fields may only be added at the end; check struct_size. Since 0.1. */
typedef struct pf_frame {
    uint32_t struct_size; /**< sizeof(pf_frame) of the producer. Since 0.1. */
    uint32_t width;       /**< pixels. Since 0.1. */
    uint32_t height;      /**< pixels. Since 0.1. */
    uint32_t format;      /**< PF_FRAME_FORMAT_*. Since 0.1. */
    uint32_t memory;      /**< PF_FRAME_MEMORY_*. Since 0.1. */
    uint32_t n_planes;    /**< 1..PF_FRAME_MAX_PLANES. Since 0.1. */
    uint64_t modifier;    /**< DRM format modifier of dmabuf planes. Since 0.1. */
    pf_frame_plane planes[PF_FRAME_MAX_PLANES]; /**< Since 0.1. */
    uint32_t sync_kind;   /**< PF_FRAME_SYNC_*. Since 0.1. */
    int32_t sync_fd;      /**< sync_file fd for PF_FRAME_SYNC_FILE, else -1; owned by the
                               frame, closed on release. Since 0.1. */
    int32_t timeline_fd;  /**< DRM syncobj fd for PF_FRAME_SYNC_TIMELINE, else -1; borrowed.
                               Since 0.1. */
    uint32_t color_space; /**< PF_COLOR_SPACE_*. Since 0.1. */
    uint64_t acquire_point; /**< timeline point to wait. Since 0.1. */
    uint64_t release_point; /**< timeline point to signal when done. Since 0.1. */
    uint64_t pts_ns;      /**< capture time, CLOCK_MONOTONIC ns (producer's stamp when it
                               offers one, else arrival). Since 0.1. */
    uint64_t arrival_ns;  /**< CLOCK_MONOTONIC ns when the capture library received it. Since 0.1. */
    uint64_t sequence;    /**< frame counter of the stream, +1 per delivered frame. Since 0.1. */
    uint32_t color_range; /**< PF_COLOR_RANGE_*. Since 0.1. */
    uint32_t flags;       /**< reserved, 0. Since 0.1. */
    pf_frame_release_fn release; /**< may be NULL. Since 0.1. */
    void *release_user_data;      /**< passed to release. Since 0.1. */
} pf_frame;

/** Hands @p frame back to its producer (no-op for NULL or a frame without a hook). */
static inline void pf_frame_release(pf_frame *frame)
{
    if (frame && frame->release) {
        pf_frame_release_fn fn = frame->release;
        frame->release = NULL;
        fn(frame->release_user_data, frame);
    }
}

#ifdef __cplusplus
}
#endif

#endif
