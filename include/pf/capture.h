/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/capture.h
 * Video capture of one PipeWire node (a virtual output, a spawned compositor, the test
 * pattern): format and modifier negotiation, fence synchronisation, frames handed out as
 * pf_frame descriptors.
 *
 * PipeWire runs its own thread; that thread only queues buffers into a preallocated ring and
 * wakes the owner through an eventfd (pf_capture_get_fd()). The owner calls
 * pf_capture_dispatch() when the fd is readable and pf_capture_acquire_frame() to take frames.
 * A dmabuf frame is handed out only after its producer's render has finished (implicit fence
 * or explicit timeline), so a consumer never reads a buffer that is still being drawn.
 *
 * Since 0.1.
 */
#ifndef PF_CAPTURE_H
#define PF_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "pf/common/frame.h"
#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ABI generation of libpfcapture. Since 0.1. */
#define PF_CAPTURE_ABI_VERSION 0u

/** @return PF_CAPTURE_ABI_VERSION of the loaded library. Since 0.1. */
PF_EXPORT uint32_t pf_capture_abi_version(void);

typedef struct pf_capture pf_capture;

/** Stream states (pf_capture_get_state()). Since 0.1. */
#define PF_CAPTURE_STATE_IDLE 0u        /**< created, not started */
#define PF_CAPTURE_STATE_CONNECTING 1u  /**< waiting for the link and format */
#define PF_CAPTURE_STATE_STREAMING 2u   /**< format fixed, frames flow */
#define PF_CAPTURE_STATE_ERROR 3u       /**< failed; see the error code; destroy it */

/** Settings flags. Since 0.1. */
#define PF_CAPTURE_FLAG_NO_DMABUF 0x1u /**< never negotiate dmabuf (CPU consumers) */
#define PF_CAPTURE_FLAG_NO_SHM 0x2u    /**< never accept MemFd/MemPtr (zero-copy only) */
/** Ask the producer for its pointer as metadata (PipeWire's SPA_META_Cursor) and keep the
 * latest state for pf_capture_get_cursor(). A producer that draws the pointer into the
 * picture (or none at all) simply never sends it. Since 0.2. */
#define PF_CAPTURE_FLAG_CURSOR 0x4u

#define PF_CAPTURE_MAX_FORMATS 8u
#define PF_CAPTURE_MAX_MODIFIERS 32u
#define PF_CAPTURE_MAX_QUEUE 16u

/**
 * What the consumer (normally the encoder device) accepts. Initialise with
 * pf_capture_settings_init(), then change fields. Strings are copied at create time.
 * Since 0.1.
 */
typedef struct pf_capture_settings {
    uint32_t struct_size;  /**< sizeof(pf_capture_settings). Since 0.1. */
    uint32_t node_id;      /**< PipeWire global id of the node to capture. Since 0.1. */
    const char *remote;    /**< PipeWire remote (socket name or path); NULL = default.
                                Borrowed. Since 0.1. */
    uint32_t formats[PF_CAPTURE_MAX_FORMATS]; /**< PF_FRAME_FORMAT_* the encoder takes, in
                                                    preference order. Since 0.1. */
    uint32_t n_formats;    /**< 0 = BGRX, RGBX, BGRA, RGBA. Since 0.1. */
    const uint64_t *modifiers; /**< dmabuf modifiers the encoder device imports; LINEAR is
                                    always offered in addition. May be NULL; borrowed. Since 0.1. */
    uint32_t n_modifiers;  /**< entries in modifiers, at most PF_CAPTURE_MAX_MODIFIERS. Since 0.1. */
    uint32_t flags;        /**< PF_CAPTURE_FLAG_*. Since 0.1. */
    uint32_t width;        /**< preferred size (a virtual output follows it); 0 = any. Since 0.1. */
    uint32_t height;       /**< Since 0.1. */
    uint32_t fps;          /**< preferred frame rate; 0 = any. Since 0.1. */
    uint32_t queue_depth;  /**< frames queued for the owner, 1..PF_CAPTURE_MAX_QUEUE; when
                                more arrive unread, the oldest go back unread (counted as
                                dropped) so the newest wins. 0 = 4. Since 0.1. */
    uint32_t fence_timeout_us; /**< bound on a fence wait before the frame goes out anyway
                                    (and a timeout is counted); 0 = 20000. Since 0.1. */
    uint32_t connect_timeout_ms; /**< pf_capture_start() waits this long for the daemon and
                                      the node; 0 = 2000. Since 0.1. */
    const char *drm_device; /**< DRM render node for syncobj timelines; NULL = first
                                 /dev/dri/renderD*. Borrowed. Since 0.1. */
    pf_log_hook log;       /**< debug messages; called on the owner thread. Since 0.1. */
} pf_capture_settings;

/** The negotiated format. Since 0.1. */
typedef struct pf_capture_format {
    uint32_t struct_size; /**< Since 0.1. */
    uint32_t width;       /**< Since 0.1. */
    uint32_t height;      /**< Since 0.1. */
    uint32_t format;      /**< PF_FRAME_FORMAT_*. Since 0.1. */
    uint32_t memory;      /**< PF_FRAME_MEMORY_*. Since 0.1. */
    uint32_t fps_num;     /**< 0 when the producer is damage driven. Since 0.1. */
    uint32_t fps_den;     /**< Since 0.1. */
    uint32_t reserved;
    uint64_t modifier;    /**< Since 0.1. */
} pf_capture_format;

/** Counters since start. Since 0.1. */
typedef struct pf_capture_stats {
    uint32_t struct_size;    /**< Since 0.1. */
    uint32_t reserved;
    uint64_t frames;         /**< frames received from PipeWire. Since 0.1. */
    uint64_t delivered;      /**< frames handed out by pf_capture_acquire_frame(). Since 0.1. */
    uint64_t dropped;        /**< frames returned unread because the owner fell behind. Since 0.1. */
    uint64_t fence_waits;    /**< dmabuf frames whose fence was still pending. Since 0.1. */
    uint64_t fence_timeouts; /**< fence waits that ran out (frame handed out anyway). Since 0.1. */
    uint64_t renegotiations; /**< format changes after the first. Since 0.1. */
    uint64_t corrupted;      /**< buffers flagged corrupted or empty, skipped. Since 0.1. */
} pf_capture_stats;

/**
 * Events delivered from pf_capture_dispatch() on the owner thread. Any pointer may be NULL.
 * Since 0.1.
 */
typedef struct pf_capture_listener {
    uint32_t struct_size; /**< Since 0.1. */
    /** The state changed; @p err is < 0 for PF_CAPTURE_STATE_ERROR. */
    void (*state_changed)(void *user_data, uint32_t state, int err);
    /** A (new) format was negotiated; the frames that follow use it. */
    void (*format_changed)(void *user_data, const pf_capture_format *format);
    /** At least one frame is waiting in pf_capture_acquire_frame(). */
    void (*frame_ready)(void *user_data);
} pf_capture_listener;

/** Largest cursor bitmap side pf_capture_get_cursor() hands out; a producer's larger
 * sprite keeps its position but has no shape (PF_CAPTURE_CURSOR_HAS_SHAPE clear). Since 0.2. */
#define PF_CAPTURE_CURSOR_MAX_SIDE 256u

/** pf_capture_cursor.flags. Since 0.2. */
/** The pointer is over the captured area and not hidden. A producer hides it with an empty
 * sprite, which counts only after it has described a real one: before that an empty sprite
 * means no sprite is set yet (VISIBLE without HAS_SHAPE). */
#define PF_CAPTURE_CURSOR_VISIBLE 0x1u
#define PF_CAPTURE_CURSOR_HAS_SHAPE 0x2u /**< width/height/hot_x/hot_y and pixels describe it */

/**
 * The pointer as the producer last described it (PF_CAPTURE_FLAG_CURSOR), independent of the
 * frames: producers update it with every buffer, including buffers that carry no new
 * picture. Set struct_size before the call; older callers get the prefix they know.
 * Since 0.2.
 */
typedef struct pf_capture_cursor {
    uint32_t struct_size;    /**< sizeof(pf_capture_cursor). Since 0.2. */
    uint32_t flags;          /**< PF_CAPTURE_CURSOR_*. Since 0.2. */
    int32_t x;               /**< pointer (hotspot) position in frame pixels. Since 0.2. */
    int32_t y;               /**< Since 0.2. */
    uint32_t serial;         /**< bumps whenever anything here changes. Since 0.2. */
    uint32_t shape_serial;   /**< bumps with every new bitmap; 0 = none yet. Since 0.2. */
    uint32_t width;          /**< bitmap size, 1..PF_CAPTURE_CURSOR_MAX_SIDE. Since 0.2. */
    uint32_t height;         /**< Since 0.2. */
    int32_t hot_x;           /**< hotspot inside the bitmap. Since 0.2. */
    int32_t hot_y;           /**< Since 0.2. */
} pf_capture_cursor;

/**
 * Fills @p settings with defaults (any node, default remote, BGRX/RGBX/BGRA/RGBA, LINEAR
 * only). @return 0, or PF_ERR_INVALID_ARGUMENT for NULL. Since 0.1.
 */
PF_EXPORT int pf_capture_settings_init(pf_capture_settings *settings);

/**
 * Creates a capture object; it does not connect yet.
 * @param settings borrowed; copied.
 * @param listener borrowed; must outlive the object. May be NULL.
 * @param user_data passed to the listener.
 * @param ret_capture receives the object.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, unknown flag, bad counts, a format the library
 * cannot describe); PF_ERR_NOMEM; a negative errno when the eventfd cannot be made.
 * Ownership: the caller owns the object; free it with pf_capture_destroy().
 * Threading: one owner thread calls every function except pf_frame_release(), which any
 * thread may call. Since 0.1.
 */
PF_EXPORT int pf_capture_create(const pf_capture_settings *settings,
                                const pf_capture_listener *listener, void *user_data,
                                pf_capture **ret_capture);

/**
 * Connects to PipeWire and links to the node. Bounded by connect_timeout_ms.
 * @return 0; PF_ERR_STATE when already started; PF_ERR_IO when the PipeWire daemon cannot be
 * reached; PF_ERR_NOT_FOUND when the node does not exist (or is not a video node);
 * PF_ERR_TIMEOUT when the daemon does not answer. Since 0.1.
 */
PF_EXPORT int pf_capture_start(pf_capture *capture);

/** Disconnects; queued frames are returned. Frames the owner holds stay valid until
 * released. @return 0. Since 0.1. */
PF_EXPORT int pf_capture_stop(pf_capture *capture);

/**
 * Destroys @p capture (NULL is a no-op). Frames still held must have been released.
 * Since 0.1.
 */
PF_EXPORT void pf_capture_destroy(pf_capture *capture);

/** @return the eventfd (borrowed, O_CLOEXEC) that turns readable when pf_capture_dispatch()
 * has work, or PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_capture_get_fd(pf_capture *capture);

/**
 * Processes state and format events and calls the listener.
 * @return the current PF_CAPTURE_STATE_*; or the stream's error (< 0) once it failed:
 * PF_ERR_IO (daemon gone), PF_ERR_NOT_FOUND (node removed), PF_ERR_UNSUPPORTED (no common
 * format). Since 0.1.
 */
PF_EXPORT int pf_capture_dispatch(pf_capture *capture);

/**
 * Waits up to @p timeout_ms for the fd and dispatches once. Convenience for simple owners.
 * @return like pf_capture_dispatch(). Since 0.1.
 */
PF_EXPORT int pf_capture_wait(pf_capture *capture, int32_t timeout_ms);

/**
 * Takes the oldest queued frame, after waiting its fence (dmabuf).
 * @param ret_frame receives a frame with one reference; give it back with
 * pf_frame_release(). The descriptor and its planes stay valid until then.
 * @return 0; PF_ERR_AGAIN when none is queued; the stream error once it failed.
 * Since 0.1.
 */
PF_EXPORT int pf_capture_acquire_frame(pf_capture *capture, pf_frame **ret_frame);

/**
 * Adds a reference to a frame of this library; each reference is dropped by one
 * pf_frame_release(). @return 0, or PF_ERR_INVALID_ARGUMENT for a frame not handed out by
 * libpfcapture. Threading: any thread. Since 0.1.
 */
PF_EXPORT int pf_capture_frame_ref(pf_frame *frame);

/** @param ret_format receives the negotiated format. @return 0, PF_ERR_AGAIN before
 * negotiation, PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_capture_get_format(pf_capture *capture, pf_capture_format *ret_format);

/** @param ret_stats receives the counters (set struct_size first). @return 0 or
 * PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_capture_get_stats(pf_capture *capture, pf_capture_stats *ret_stats);

/**
 * The latest pointer state of a capture created with PF_CAPTURE_FLAG_CURSOR. Lock-free
 * against PipeWire's thread; cheap enough to call once per frame.
 * @param ret_cursor receives the state (set its struct_size first).
 * @param pixels when not NULL and the state has a shape, receives it as width·height·4 bytes
 * of tightly packed RGBA8 with straight (not premultiplied) alpha; @p pixels_size bytes
 * long, at least width·height·4 (PF_CAPTURE_CURSOR_MAX_SIDE² · 4 always fits).
 * @return 0; PF_ERR_AGAIN while the producer has described no pointer yet (a producer that
 * does not support cursor metadata never does); PF_ERR_UNSUPPORTED without
 * PF_CAPTURE_FLAG_CURSOR; PF_ERR_BUFFER_TOO_SMALL (the state is filled, the pixels are not);
 * PF_ERR_INVALID_ARGUMENT. Threading: the owner thread. Since 0.2.
 */
PF_EXPORT int pf_capture_get_cursor(pf_capture *capture, pf_capture_cursor *ret_cursor,
                                    uint8_t *pixels, size_t pixels_size);

#ifdef __cplusplus
}
#endif

#endif
