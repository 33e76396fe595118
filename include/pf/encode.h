/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/encode.h
 * libpfencode video: a shared encode device per backend (NVENC, VAAPI, Vulkan, software) and
 * low-latency per-stream encoders on it, the split of FFmpeg's hwcontext API. Frames come in
 * as the pf_frame descriptor of pf/common/frame.h; access units go out in Annex B (H.264,
 * HEVC) or as AV1 OBUs (low-overhead format), one per submitted frame.
 *
 * Error codes are the PF_ERR_* values of pf/core/error.h. A failed create says why through
 * its return value (PF_ERR_NOT_FOUND: no such device here; PF_ERR_UNSUPPORTED: this backend
 * cannot do what was asked), so the caller can move on to the next backend.
 */
#ifndef PF_ENCODE_H
#define PF_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "pf/common/frame.h"
#include "pf/core/common.h"
#include "pf/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Backends. AUTO probes NVENC, VAAPI, Vulkan, software in that order. Since 0.1. */
#define PF_ENCODE_BACKEND_AUTO 0u
#define PF_ENCODE_BACKEND_SOFTWARE 1u /**< libx264, libx265, libaom (AV1); CPU conversion */
#define PF_ENCODE_BACKEND_VAAPI 2u    /**< FFmpeg VAAPI hwcontext, DRM PRIME import */
#define PF_ENCODE_BACKEND_NVENC 3u    /**< FFmpeg CUDA hwcontext */
#define PF_ENCODE_BACKEND_VULKAN 4u   /**< compute-shader conversion feeding an encoder */
#define PF_ENCODE_BACKEND_COUNT 5u

/** Codecs, usable as a bit mask (serverinfo's codec mask is built from these). Since 0.1. */
#define PF_ENCODE_CODEC_H264 1u
#define PF_ENCODE_CODEC_HEVC 2u
#define PF_ENCODE_CODEC_AV1 4u

/** Flags of pf_encode_caps.flags. Since 0.1. */
#define PF_ENCODE_CAP_LIVE_BITRATE 1u   /**< bitrate changes apply without a new IDR */
#define PF_ENCODE_CAP_REF_INVALIDATION 2u /**< real reference invalidation (else an IDR) */
#define PF_ENCODE_CAP_HDR10 4u          /**< 10-bit with HDR10 static metadata */
#define PF_ENCODE_CAP_DMABUF 8u         /**< imports dmabuf frames without a CPU copy */
#define PF_ENCODE_CAP_SLICES 16u        /**< honours pf_encode_video_settings.slices */
#define PF_ENCODE_CAP_HARDWARE 32u      /**< the encode itself runs on the GPU's encoder
                                             block (NVENC, VAAPI), not on the CPU */

/** What one backend offers for one codec on this machine. Since 0.1. */
typedef struct pf_encode_caps {
    uint32_t struct_size;   /**< sizeof(pf_encode_caps) of the caller. Since 0.1. */
    uint32_t backend;       /**< PF_ENCODE_BACKEND_*. Since 0.1. */
    uint32_t codec;         /**< PF_ENCODE_CODEC_*. Since 0.1. */
    uint32_t bit_depths;    /**< bit mask: 1u << 8 for 8-bit, 1u << 10 for 10-bit. Since 0.1. */
    uint32_t profiles;      /**< bit mask of PF_ENCODE_PROFILE_*. Since 0.1. */
    uint32_t max_width;     /**< pixels. Since 0.1. */
    uint32_t max_height;    /**< pixels. Since 0.1. */
    uint32_t max_fps;       /**< frames per second at max size (an upper bound). Since 0.1. */
    uint32_t flags;         /**< PF_ENCODE_CAP_*. Since 0.1. */
    uint32_t reserved;
    char encoder_name[32];  /**< the codec implementation used, NUL-terminated. Since 0.1. */
} pf_encode_caps;

/** Profiles (bits of pf_encode_caps.profiles). Since 0.1. */
#define PF_ENCODE_PROFILE_H264_HIGH 1u
#define PF_ENCODE_PROFILE_H264_MAIN 2u
#define PF_ENCODE_PROFILE_HEVC_MAIN 4u
#define PF_ENCODE_PROFILE_HEVC_MAIN10 8u
#define PF_ENCODE_PROFILE_AV1_MAIN 16u

/** A shared encode device (one GPU, one hwcontext). */
typedef struct pf_encode_device pf_encode_device;
/** One encoded video stream. */
typedef struct pf_encode_video pf_encode_video;

/** Settings of pf_encode_device_create(). Since 0.1. */
typedef struct pf_encode_device_settings {
    uint32_t struct_size;    /**< sizeof(pf_encode_device_settings). Since 0.1. */
    uint32_t backend;        /**< PF_ENCODE_BACKEND_*; AUTO honours the PF_ENCODER
                                  environment variable. Since 0.1. */
    const char *device_path; /**< DRM render node for VAAPI ("/dev/dri/renderD128"), CUDA or
                                  Vulkan device index as a decimal string; NULL: the first
                                  usable one. Borrowed for the call. Since 0.1. */
    uint32_t allow_cpu_vulkan; /**< 1: the Vulkan backend may use a CPU implementation
                                    (lavapipe). AUTO never picks one unless this is set.
                                    Since 0.1. */
    uint32_t reserved;
    pf_log_hook log;         /**< debug log of probing and encoding; copied. Since 0.1. */
} pf_encode_device_settings;

/** Mastering display and content light level (SMPTE ST 2086, CTA-861.3). Since 0.1. */
typedef struct pf_encode_hdr10 {
    uint16_t primaries_x[3];     /**< G, B, R chromaticity x in units of 0.00002. Since 0.1. */
    uint16_t primaries_y[3];     /**< G, B, R chromaticity y in units of 0.00002. Since 0.1. */
    uint16_t white_x;            /**< units of 0.00002. Since 0.1. */
    uint16_t white_y;            /**< units of 0.00002. Since 0.1. */
    uint32_t max_luminance;      /**< units of 0.0001 cd/m². Since 0.1. */
    uint32_t min_luminance;      /**< units of 0.0001 cd/m². Since 0.1. */
    uint16_t max_cll;            /**< cd/m². Since 0.1. */
    uint16_t max_fall;           /**< cd/m². Since 0.1. */
} pf_encode_hdr10;

/** Settings of pf_encode_video_create(); start from pf_encode_video_settings_default().
 * Since 0.1. */
typedef struct pf_encode_video_settings {
    uint32_t struct_size;   /**< sizeof(pf_encode_video_settings). Since 0.1. */
    uint32_t codec;         /**< one PF_ENCODE_CODEC_*. Since 0.1. */
    uint32_t width;         /**< pixels, even, 16..max_width. Since 0.1. */
    uint32_t height;        /**< pixels, even, 16..max_height. Since 0.1. */
    uint32_t input_format;  /**< PF_FRAME_FORMAT_* of the frames to come. Since 0.1. */
    uint32_t fps;           /**< frames per second, 1..1000. Since 0.1. */
    uint32_t bitrate_kbps;  /**< target, 50..2000000. Since 0.1. */
    uint32_t bit_depth;     /**< 8 or 10 (10: HEVC and AV1 only). Since 0.1. */
    uint32_t color_space;   /**< PF_COLOR_SPACE_* written into the VUI. Since 0.1. */
    uint32_t color_range;   /**< PF_COLOR_RANGE_* of the output. Since 0.1. */
    uint32_t slices;        /**< slices per frame, 1..32 (a minimum: x264 with sliced
                                 threads codes at least one per thread). Since 0.1. */
    uint32_t threads;       /**< encoder threads, 0 = as many as useful. Since 0.1. */
    uint32_t has_hdr10;     /**< 1: hdr10 is valid (needs bit_depth 10). Since 0.1. */
    uint32_t reserved;
    pf_encode_hdr10 hdr10;  /**< Since 0.1. */
    pf_log_hook log;        /**< copied. Since 0.1. */
} pf_encode_video_settings;

/** Flags of pf_encode_packet.flags. Since 0.1. */
#define PF_ENCODE_PACKET_IDR 1u        /**< an IDR / key frame with in-band parameter sets */

/** Metadata of one access unit. Since 0.1. */
typedef struct pf_encode_packet {
    uint32_t struct_size;  /**< sizeof(pf_encode_packet) of the caller. Since 0.1. */
    uint32_t flags;        /**< PF_ENCODE_PACKET_*. Since 0.1. */
    uint64_t size;         /**< bytes of the access unit. Since 0.1. */
    uint64_t frame_index;  /**< 0-based count of frames submitted to this encoder. Since 0.1. */
    uint64_t pts_ns;       /**< the frame's pf_frame.pts_ns. Since 0.1. */
    uint64_t encode_ns;    /**< submit entry to access unit ready, ns. Since 0.1. */
} pf_encode_packet;

/** Flags of pf_encode_video_submit(). Since 0.1. */
#define PF_ENCODE_SUBMIT_IDR 1u /**< encode this frame as an IDR */

/**
 * Fills @p settings with defaults (backend AUTO, no log).
 * @param settings the caller's struct; struct_size is set to sizeof the caller's version.
 * Threading: any thread. Since 0.1.
 */
PF_EXPORT void pf_encode_device_settings_default(pf_encode_device_settings *settings);

/**
 * Opens an encode device. With backend AUTO the backends are probed in order (NVENC, VAAPI,
 * Vulkan, software), or in the order of the comma-separated PF_ENCODER environment variable
 * ("vaapi,software"); each failing probe is logged and skipped.
 * @param settings borrowed for the call.
 * @param ret_device on success, the new device.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, bad struct_size, unknown backend or PF_ENCODER
 *   name); PF_ERR_NOT_FOUND (no device of the backend on this machine, or no backend left);
 *   PF_ERR_UNSUPPORTED (backend not compiled in); PF_ERR_NOMEM.
 * Ownership: the caller owns the device; release it with pf_encode_device_destroy().
 * Threading: a device may create encoders on several threads at once.
 * Since 0.1.
 */
PF_EXPORT int pf_encode_device_create(const pf_encode_device_settings *settings,
                                      pf_encode_device **ret_device);

/**
 * Drops the caller's reference; the device lives on until its last encoder is destroyed.
 * @param device may be NULL.
 * Threading: any thread, once per create. Since 0.1.
 */
PF_EXPORT void pf_encode_device_destroy(pf_encode_device *device);

/**
 * @param device a device.
 * @return its PF_ENCODE_BACKEND_* (never AUTO), or PF_ERR_INVALID_ARGUMENT for NULL.
 * Threading: any thread. Since 0.1.
 */
PF_EXPORT int pf_encode_device_get_backend(const pf_encode_device *device);

/**
 * Routes FFmpeg's log, which is process-wide, into @p log (copied): errors and warnings of
 * encodes at PF_LOG_ERROR / PF_LOG_WARNING, FFmpeg's informational lines (encoder
 * statistics) and everything said while a backend is being probed (a missing driver is an
 * expected answer there) at PF_LOG_DEBUG. NULL or a hook without fn gives FFmpeg its own
 * stderr logger back. Without this call libpfencode leaves FFmpeg's log alone.
 * Threading: call before encoders run; it replaces FFmpeg's callback for the whole process.
 * Since 0.1.
 */
PF_EXPORT void pf_encode_set_ffmpeg_log(const pf_log_hook *log);

/**
 * @param backend a PF_ENCODE_BACKEND_* other than AUTO.
 * @return a static lowercase name ("software"), or NULL for an unknown value.
 * Threading: any thread. Since 0.1.
 */
PF_EXPORT const char *pf_encode_backend_name(uint32_t backend);

/**
 * Asks what @p device can encode as @p codec.
 * @param device the device.
 * @param codec one PF_ENCODE_CODEC_*.
 * @param ret_caps filled on success (its struct_size must be set by the caller).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_UNSUPPORTED when the codec is not available on
 *   this device (ret_caps untouched).
 * Threading: any thread. Since 0.1.
 */
PF_EXPORT int pf_encode_device_query_caps(pf_encode_device *device, uint32_t codec,
                                          pf_encode_caps *ret_caps);

/**
 * Fills @p settings with low-latency defaults: H.264, 1280x720, BGRx, 60 fps, 20 Mbit/s,
 * 8-bit BT.709 limited range, 1 slice.
 * Threading: any thread. Since 0.1.
 */
PF_EXPORT void pf_encode_video_settings_default(pf_encode_video_settings *settings);

/**
 * Creates an encoder on @p device: no B-frames, no lookahead, an infinite GOP (IDRs only on
 * request), one access unit per submitted frame.
 * @param device borrowed; the encoder keeps its own reference.
 * @param settings borrowed for the call.
 * @param ret_video on success, the encoder.
 * @return 0; PF_ERR_INVALID_ARGUMENT (a value out of range); PF_ERR_UNSUPPORTED (codec,
 *   format, size or bit depth this backend cannot do); PF_ERR_IO (the driver failed);
 *   PF_ERR_NOMEM.
 * Ownership: the caller owns the encoder; pf_encode_video_destroy() releases it.
 * Threading: one thread at a time per encoder; encoders are independent of each other.
 * Since 0.1.
 */
PF_EXPORT int pf_encode_video_create(pf_encode_device *device,
                                     const pf_encode_video_settings *settings,
                                     pf_encode_video **ret_video);

/**
 * @param video may be NULL.
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT void pf_encode_video_destroy(pf_encode_video *video);

/**
 * Encodes one frame. Waits the frame's sync_file first (at most 100 ms). On return the
 * encoder no longer reads the frame's memory; the caller releases it. The access unit is
 * then ready for pf_encode_video_receive().
 * @param video the encoder.
 * @param frame borrowed for the call; size and format must match the settings.
 * @param flags PF_ENCODE_SUBMIT_*.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, a bad descriptor); PF_ERR_UNSUPPORTED (format,
 *   size or modifier differ from what the encoder takes, or a PF_FRAME_SYNC_TIMELINE point:
 *   libpfcapture waits those before it hands a frame over); PF_ERR_TIMEOUT (the fence did
 *   not signal); PF_ERR_LIMIT (eight access units wait to be received); PF_ERR_IO (the
 *   encoder failed: the stream is re-created and the next frame is an IDR).
 * Ownership: the frame, its fds and its release hook stay the caller's; sync_fd is only
 *   polled, never closed.
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_video_submit(pf_encode_video *video, const pf_frame *frame,
                                     uint32_t flags);

/**
 * Describes the next access unit without taking it.
 * @param ret_packet filled on success (struct_size set by the caller).
 * @return 0; PF_ERR_AGAIN when none is waiting; PF_ERR_INVALID_ARGUMENT.
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_video_peek(pf_encode_video *video, pf_encode_packet *ret_packet);

/**
 * Copies the next access unit into the caller's buffer and removes it from the queue.
 * @param buf the caller's buffer (borrowed).
 * @param cap its size; pf_encode_video_peek() tells the size needed.
 * @param ret_packet may be NULL; filled on success.
 * @return the number of bytes written; PF_ERR_AGAIN when none is waiting;
 *   PF_ERR_BUFFER_TOO_SMALL (the unit stays queued); PF_ERR_INVALID_ARGUMENT.
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_video_receive(pf_encode_video *video, uint8_t *buf, size_t cap,
                                      pf_encode_packet *ret_packet);

/**
 * Changes the target bitrate from the next frame on, without a restart.
 * @param bitrate_kbps 50..2000000.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_IO when the encoder refused (it is reset and
 *   the next frame is an IDR at the new rate).
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_video_set_bitrate(pf_encode_video *video, uint32_t bitrate_kbps);

/**
 * Changes the frame rate (rate control's bits per frame and the per-frame size cap).
 * @param fps 1..1000.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_IO as for pf_encode_video_set_bitrate().
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_video_set_fps(pf_encode_video *video, uint32_t fps);

/**
 * Makes the next frame reference nothing in [first_index, last_index] (frame_index values
 * of packets the client lost). Encoders without reference invalidation encode an IDR.
 * @return 1 when the next frame will be an IDR (every current backend), 0 when the encoder
 *   invalidated the references itself (backends with PF_ENCODE_CAP_REF_INVALIDATION);
 *   PF_ERR_INVALID_ARGUMENT (NULL, first_index > last_index).
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_video_invalidate_refs(pf_encode_video *video, uint64_t first_index,
                                              uint64_t last_index);

#ifdef __cplusplus
}
#endif

#endif
