/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/vdisplay.h
 * Virtual displays: one output per client at the client's exact mode, created on the running
 * compositor (Mutter, KWin, wlroots/Sway, gamescope) or on a compositor started for the
 * session (Mutter headless, Weston's PipeWire backend), each yielding a PipeWire node that
 * pf_capture captures.
 *
 * Backends sit behind one API, like wlroots' backends: pf_vdisplay_create() with a NULL
 * backend picks the first that works for the running session, in the order of
 * pf_vdisplay_backend_name(); the PF_VDISPLAY environment variable (a backend name) overrides
 * that choice. Outputs are removed on destroy; an output left behind by a killed host is
 * removed at the next create of the same backend (spawned compositors also die with the host).
 *
 * Since 0.1.
 */
#ifndef PF_VDISPLAY_H
#define PF_VDISPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_vdisplay pf_vdisplay;

/** Capability bits (pf_vdisplay_get_caps()). Since 0.1. */
#define PF_VDISPLAY_CAP_SET_MODE 0x1u      /**< the mode can change without a new output */
#define PF_VDISPLAY_CAP_REMOTE_DESKTOP 0x2u /**< input injection can attach (session id) */
#define PF_VDISPLAY_CAP_SPAWNED 0x4u       /**< a compositor was started for this display */
/** The node leaves the pointer out of the picture and describes it as metadata instead
 * (capture it with PF_CAPTURE_FLAG_CURSOR); set only when the settings asked for
 * PF_VDISPLAY_CURSOR_METADATA and the backend can. Since 0.2. */
#define PF_VDISPLAY_CAP_CURSOR_METADATA 0x8u

/** pf_vdisplay_settings.cursor_mode. Since 0.2. */
#define PF_VDISPLAY_CURSOR_EMBEDDED 0u /**< the pointer is drawn into the picture (default) */
#define PF_VDISPLAY_CURSOR_METADATA 1u /**< as metadata where the backend can ("mutter",
                                            "mutter-headless"); embedded elsewhere */

/** Settings; initialise with pf_vdisplay_settings_init(). Since 0.1. */
typedef struct pf_vdisplay_settings {
    uint32_t struct_size; /**< Since 0.1. */
    uint32_t width;       /**< pixels, 64..8192. Since 0.1. */
    uint32_t height;      /**< pixels, 64..8192. Since 0.1. */
    uint32_t refresh_mhz; /**< refresh in millihertz (60000 = 60 Hz), 1000..1000000. Since 0.1. */
    const char *backend;  /**< backend name, or NULL to autoselect (PF_VDISPLAY overrides).
                               Borrowed. Since 0.1. */
    const char *pipewire_remote; /**< PipeWire daemon the compositor should publish to; NULL =
                                      the caller's default. Borrowed. Since 0.1. */
    const char *command;  /**< compositor binary of spawning backends; NULL = the usual name
                               from PATH. Borrowed. Since 0.1. */
    uint32_t timeout_ms;  /**< bound on each step (bus call, spawn, node); 0 = 5000. Since 0.1. */
    uint32_t reserved;
    pf_log_hook log;      /**< Since 0.1. */
    /** "mutter": D-Bus address of the Mutter to drive (one started by the caller); NULL = the
     * user's session bus. Borrowed. Since 0.2. */
    const char *dbus_address;
    /** "mutter": a RemoteDesktop SessionId (pf_input_injector_get_session_id()) the
     * screencast is linked to, so injected absolute input addresses this output. Mutter then
     * starts the screencast only with that RemoteDesktop session: create() calls
     * @c start_linked between recording and waiting for the node. NULL = not linked.
     * Borrowed. Since 0.2. */
    const char *remote_desktop_session_id;
    /** Starts the linked RemoteDesktop session (pf_input_injector_start()); 0 or a negative
     * error, which fails create(). Required with @c remote_desktop_session_id. Since 0.2. */
    int (*start_linked)(void *user_data);
    void *start_linked_user_data; /**< passed to @c start_linked. Since 0.2. */
    /** PF_VDISPLAY_CURSOR_*: how the pointer reaches the capture; fixed for the output's
     * life (Mutter's cursor mode belongs to the screencast stream). Callers built before this
     * field (a smaller struct_size) get EMBEDDED. Since 0.2. */
    uint32_t cursor_mode;
} pf_vdisplay_settings;

/** Fills defaults (1280x720@60, autoselect). @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_vdisplay_settings_init(pf_vdisplay_settings *settings);

/**
 * @return the name of backend @p index in probe order ("mutter", "kwin", "wlr",
 * "gamescope", "mutter-headless", "weston", "testpattern"), or NULL past the end. Static
 * storage. Since 0.1.
 */
PF_EXPORT const char *pf_vdisplay_backend_name(uint32_t index);

/**
 * Creates a virtual output of the settings' mode.
 * @return 0; PF_ERR_INVALID_ARGUMENT (mode out of range); PF_ERR_NOT_FOUND (unknown backend
 * name, or no backend works here); PF_ERR_UNSUPPORTED (the backend's compositor lacks the
 * API); PF_ERR_IO (bus, socket or spawn failed); PF_ERR_TIMEOUT; PF_ERR_NOMEM.
 * Ownership: free with pf_vdisplay_destroy(). Threading: owner thread only; blocking calls
 * are bounded by timeout_ms. Since 0.1.
 */
PF_EXPORT int pf_vdisplay_create(const pf_vdisplay_settings *settings, pf_vdisplay **ret_display);

/** Removes the output (and stops a spawned compositor); NULL is a no-op. Since 0.1. */
PF_EXPORT void pf_vdisplay_destroy(pf_vdisplay *display);

/** @return the backend's name (static storage), or NULL for NULL. Since 0.1. */
PF_EXPORT const char *pf_vdisplay_get_backend(pf_vdisplay *display);

/** @return PF_VDISPLAY_CAP_* bits, or 0 for NULL. Since 0.1. */
PF_EXPORT uint32_t pf_vdisplay_get_caps(pf_vdisplay *display);

/** @return the PipeWire node id to capture (>= 0), or a negative error. Since 0.1. */
PF_EXPORT int64_t pf_vdisplay_get_node_id(pf_vdisplay *display);

/**
 * @return the PipeWire remote where the node lives (borrowed, valid until destroy), or NULL
 * for the caller's default. Since 0.1.
 */
PF_EXPORT const char *pf_vdisplay_get_pipewire_remote(pf_vdisplay *display);

/**
 * Copies the backend's screencast session handle (Mutter: the ScreenCast session object
 * path, to which a RemoteDesktop session attaches for input).
 * @return the length written (without NUL); PF_ERR_UNSUPPORTED when the backend has none;
 * PF_ERR_BUFFER_TOO_SMALL. Since 0.1.
 */
PF_EXPORT int pf_vdisplay_get_session_id(pf_vdisplay *display, char *buf, size_t size);

/**
 * @return the D-Bus address or Wayland display name of a spawned compositor (borrowed),
 * or NULL. Clients of the session connect there. Since 0.1.
 */
PF_EXPORT const char *pf_vdisplay_get_wayland_display(pf_vdisplay *display);

/**
 * Copies the path of the screencast stream that carries the output (Mutter: the ScreenCast
 * Stream object path; absolute input of a linked RemoteDesktop session names it, see
 * pf_input_output.stream_path).
 * @return the length written (without NUL); PF_ERR_UNSUPPORTED when the backend has none;
 * PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_vdisplay_get_stream_path(pf_vdisplay *display, char *buf, size_t size);

/** Changes the mode. @return 0; PF_ERR_UNSUPPORTED without PF_VDISPLAY_CAP_SET_MODE;
 * PF_ERR_INVALID_ARGUMENT; an I/O error. Since 0.1. */
PF_EXPORT int pf_vdisplay_set_mode(pf_vdisplay *display, uint32_t width, uint32_t height,
                                   uint32_t refresh_mhz);

#ifdef __cplusplus
}
#endif

#endif
