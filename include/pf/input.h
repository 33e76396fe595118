/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/input.h
 * libpfinput: the client's input (keyboard, mouse, touch, pen, gamepads) injected into the
 * streamed session.
 *
 * Two halves:
 *  - pf_input_event, a header-only POD: one decoded GameStream input packet
 *    (gamestream-protocol.md §9). The control-stream decoder fills it; nothing here parses
 *    bytes.
 *  - pf_input_injector, one per streamed session: it owns the backends (Mutter RemoteDesktop,
 *    wlroots virtual pointer/keyboard, KWin fake input, uinput), chosen from the session's
 *    virtual-display backend or by an explicit list. Each connected client gets a
 *    pf_input_client with its own permissions, rate limit and held-key bookkeeping; destroying
 *    the client (disconnect, timeout) releases everything it still holds.
 *
 * Threading: an injector and its clients belong to one thread (the session's event loop); no
 * call is thread-safe against another on the same injector. Different injectors are
 * independent. Since 0.1.
 */
#ifndef PF_INPUT_H
#define PF_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "core/common.h"
#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ABI generation of libpfinput (soname 0 while the API settles). Since 0.1. */
#define PF_INPUT_ABI_VERSION 0u

/**
 * @return PF_INPUT_ABI_VERSION of the library actually loaded; compare it with the macro the
 * caller was compiled against. Threading: any thread. Since 0.1.
 */
PF_EXPORT uint32_t pf_input_abi_version(void);

/* ---------------------------------------------------------------------------------------- */
/* Decoded events (POD)                                                                      */

/** pf_input_event.type values. Since 0.1. */
#define PF_INPUT_EVENT_NONE 0u
#define PF_INPUT_EVENT_KEY_DOWN 1u            /**< key */
#define PF_INPUT_EVENT_KEY_UP 2u              /**< key */
#define PF_INPUT_EVENT_MOUSE_MOVE_REL 3u      /**< pointer.dx, pointer.dy */
#define PF_INPUT_EVENT_MOUSE_MOVE_ABS 4u      /**< pointer.x/y within ref_width x ref_height */
#define PF_INPUT_EVENT_MOUSE_BUTTON_DOWN 5u   /**< pointer.button */
#define PF_INPUT_EVENT_MOUSE_BUTTON_UP 6u     /**< pointer.button */
#define PF_INPUT_EVENT_SCROLL 7u              /**< pointer.scroll (vertical, 120 per notch) */
#define PF_INPUT_EVENT_HSCROLL 8u             /**< pointer.scroll (horizontal, 120 per notch) */
#define PF_INPUT_EVENT_TEXT 9u                /**< text.codepoint */
#define PF_INPUT_EVENT_TOUCH 10u              /**< touch */
#define PF_INPUT_EVENT_PEN 11u                /**< touch (pen fields too) */
#define PF_INPUT_EVENT_CONTROLLER_ARRIVAL 12u /**< pad.number, pad.type, capabilities */
#define PF_INPUT_EVENT_CONTROLLER_STATE 13u   /**< pad: buttons, triggers, sticks, active_mask */
#define PF_INPUT_EVENT_CONTROLLER_TOUCH 14u   /**< pad.number + touch */
#define PF_INPUT_EVENT_CONTROLLER_MOTION 15u  /**< pad.number, motion_type, motion[3] */
#define PF_INPUT_EVENT_CONTROLLER_BATTERY 16u /**< pad.number, battery_state, battery_percent */
#define PF_INPUT_EVENT_HAPTICS_ENABLE 17u     /**< no payload */

/** Mouse buttons as GameStream numbers them (§9.2). Since 0.1. */
#define PF_INPUT_BUTTON_LEFT 1u
#define PF_INPUT_BUTTON_MIDDLE 2u
#define PF_INPUT_BUTTON_RIGHT 3u
#define PF_INPUT_BUTTON_X1 4u
#define PF_INPUT_BUTTON_X2 5u

/** Keyboard modifier bits (pf_input_key.modifiers). Since 0.1. */
#define PF_INPUT_MOD_SHIFT 0x01u
#define PF_INPUT_MOD_CTRL 0x02u
#define PF_INPUT_MOD_ALT 0x04u
#define PF_INPUT_MOD_META 0x08u

/** pf_input_key.flags: the code is a VK of the client's layout, not US (Sunshine). Since 0.1. */
#define PF_INPUT_KEY_FLAG_NON_NORMALIZED 0x01u

/** Touch and pen event types (§9.3). Since 0.1. */
#define PF_INPUT_TOUCH_HOVER 0u
#define PF_INPUT_TOUCH_DOWN 1u
#define PF_INPUT_TOUCH_UP 2u
#define PF_INPUT_TOUCH_MOVE 3u
#define PF_INPUT_TOUCH_CANCEL 4u
#define PF_INPUT_TOUCH_BUTTON_ONLY 5u
#define PF_INPUT_TOUCH_HOVER_LEAVE 6u
#define PF_INPUT_TOUCH_CANCEL_ALL 7u

/** Pen tools and buttons. Since 0.1. */
#define PF_INPUT_PEN_TOOL_UNKNOWN 0u
#define PF_INPUT_PEN_TOOL_PEN 1u
#define PF_INPUT_PEN_TOOL_ERASER 2u
#define PF_INPUT_PEN_BUTTON_PRIMARY 0x01u
#define PF_INPUT_PEN_BUTTON_SECONDARY 0x02u
#define PF_INPUT_PEN_BUTTON_TERTIARY 0x04u

/** Gamepad button bits (buttonFlags | buttonFlags2 << 16, §9.3). Since 0.1. */
#define PF_INPUT_PAD_UP 0x0001u
#define PF_INPUT_PAD_DOWN 0x0002u
#define PF_INPUT_PAD_LEFT 0x0004u
#define PF_INPUT_PAD_RIGHT 0x0008u
#define PF_INPUT_PAD_START 0x0010u
#define PF_INPUT_PAD_BACK 0x0020u
#define PF_INPUT_PAD_LS_CLK 0x0040u
#define PF_INPUT_PAD_RS_CLK 0x0080u
#define PF_INPUT_PAD_LB 0x0100u
#define PF_INPUT_PAD_RB 0x0200u
#define PF_INPUT_PAD_GUIDE 0x0400u
#define PF_INPUT_PAD_A 0x1000u
#define PF_INPUT_PAD_B 0x2000u
#define PF_INPUT_PAD_X 0x4000u
#define PF_INPUT_PAD_Y 0x8000u
#define PF_INPUT_PAD_PADDLE1 0x010000u
#define PF_INPUT_PAD_PADDLE2 0x020000u
#define PF_INPUT_PAD_PADDLE3 0x040000u
#define PF_INPUT_PAD_PADDLE4 0x080000u
#define PF_INPUT_PAD_TOUCHPAD 0x100000u
#define PF_INPUT_PAD_MISC 0x200000u

/** Controller types (arrival). Since 0.1. */
#define PF_INPUT_PAD_TYPE_UNKNOWN 0u
#define PF_INPUT_PAD_TYPE_XBOX 1u
#define PF_INPUT_PAD_TYPE_PLAYSTATION 2u
#define PF_INPUT_PAD_TYPE_NINTENDO 3u

/** Controller capability bits (arrival). Since 0.1. */
#define PF_INPUT_PAD_CAP_ANALOG_TRIGGERS 0x01u
#define PF_INPUT_PAD_CAP_RUMBLE 0x02u
#define PF_INPUT_PAD_CAP_TRIGGER_RUMBLE 0x04u
#define PF_INPUT_PAD_CAP_TOUCHPAD 0x08u
#define PF_INPUT_PAD_CAP_ACCEL 0x10u
#define PF_INPUT_PAD_CAP_GYRO 0x20u
#define PF_INPUT_PAD_CAP_BATTERY 0x40u
#define PF_INPUT_PAD_CAP_RGB_LED 0x80u

/** Motion sensor types. Since 0.1. */
#define PF_INPUT_MOTION_ACCEL 1u /**< m/s² */
#define PF_INPUT_MOTION_GYRO 2u  /**< deg/s */

/** Most controllers per client (GameStream numbers 0..15). Since 0.1. */
#define PF_INPUT_MAX_CONTROLLERS 16u

/** Keyboard payload. Since 0.1. */
typedef struct pf_input_key {
    uint16_t key_code; /**< Windows virtual-key code; only the low byte is used */
    uint8_t modifiers; /**< PF_INPUT_MOD_* */
    uint8_t flags;     /**< PF_INPUT_KEY_FLAG_* */
} pf_input_key;

/** Mouse payload. Since 0.1. */
typedef struct pf_input_pointer {
    int32_t dx;          /**< relative motion, pixels */
    int32_t dy;          /**< relative motion, pixels; positive = down */
    int32_t x;           /**< absolute position in the client's reference area */
    int32_t y;           /**< absolute position in the client's reference area */
    uint32_t ref_width;  /**< reference area width (the wire's value + 1) */
    uint32_t ref_height; /**< reference area height (the wire's value + 1) */
    uint32_t button;     /**< PF_INPUT_BUTTON_* */
    int32_t scroll;      /**< 120 = one notch; positive = away from the user / to the right */
} pf_input_pointer;

/** Text payload: one Unicode code point per event, as the client sends it. Since 0.1. */
typedef struct pf_input_text {
    uint32_t codepoint;
} pf_input_text;

/** Touch, pen and controller-touchpad payload; coordinates are 0..1 of the video area. */
typedef struct pf_input_touch {
    uint32_t event_type;   /**< PF_INPUT_TOUCH_* */
    uint32_t pointer_id;   /**< client's contact id */
    float x;               /**< 0..1 */
    float y;               /**< 0..1 */
    float pressure;        /**< 0..1, or hover distance */
    float contact_major;   /**< 0..1 of the video area */
    float contact_minor;   /**< 0..1 of the video area */
    uint16_t rotation;     /**< degrees; 0xFFFF unknown */
    uint8_t tilt;          /**< pen only: 0..90 degrees, 0xFF unknown */
    uint8_t tool;          /**< pen only: PF_INPUT_PEN_TOOL_* */
    uint8_t pen_buttons;   /**< pen only: PF_INPUT_PEN_BUTTON_* */
    uint8_t touchpad;      /**< controller touch only: touchpad index */
    uint8_t reserved[2];   /**< zero */
} pf_input_touch;

/** Gamepad payload. Since 0.1. */
typedef struct pf_input_pad {
    uint32_t number;          /**< controller number, 0..PF_INPUT_MAX_CONTROLLERS-1 */
    uint32_t active_mask;     /**< bit n = pad n connected (state events) */
    uint32_t buttons;         /**< PF_INPUT_PAD_* bits */
    uint8_t left_trigger;     /**< 0..255 */
    uint8_t right_trigger;    /**< 0..255 */
    uint8_t type;             /**< arrival: PF_INPUT_PAD_TYPE_* */
    uint8_t motion_type;      /**< motion: PF_INPUT_MOTION_* */
    int16_t left_x;           /**< −32768..32767, +Y = up */
    int16_t left_y;
    int16_t right_x;
    int16_t right_y;
    uint32_t capabilities;    /**< arrival: PF_INPUT_PAD_CAP_* */
    uint32_t supported_buttons; /**< arrival: PF_INPUT_PAD_* bits the pad has */
    float motion[3];          /**< motion: x, y, z (SDL axis convention) */
    uint8_t battery_state;    /**< battery: 0 unknown … 5 full */
    uint8_t battery_percent;  /**< battery: 0..100, 0xFF unknown */
    uint8_t reserved[2];      /**< zero */
} pf_input_pad;

/**
 * One decoded input packet. Zero it, set @c struct_size = sizeof(pf_input_event), @c type,
 * and the payload that @c type names; other payloads are ignored.
 * Since 0.1.
 */
typedef struct pf_input_event {
    uint32_t struct_size;     /**< sizeof(pf_input_event) as the caller compiled it */
    uint32_t type;            /**< PF_INPUT_EVENT_* */
    pf_input_key key;         /**< KEY_DOWN / KEY_UP */
    pf_input_pointer pointer; /**< mouse events */
    pf_input_text text;       /**< TEXT */
    pf_input_touch touch;     /**< TOUCH, PEN, CONTROLLER_TOUCH */
    pf_input_pad pad;         /**< CONTROLLER_* */
} pf_input_event;

/* ---------------------------------------------------------------------------------------- */
/* Injector                                                                                  */

/** Opaque injector: one per streamed session. Since 0.1. */
typedef struct pf_input_injector pf_input_injector;
/** Opaque per-client handle on an injector. Since 0.1. */
typedef struct pf_input_client pf_input_client;

/** Client permission bits. Since 0.1. */
#define PF_INPUT_PERM_KEYBOARD 0x01u
#define PF_INPUT_PERM_MOUSE 0x02u /**< mouse, touch and pen */
#define PF_INPUT_PERM_GAMEPAD 0x04u
#define PF_INPUT_PERM_TEXT 0x08u
#define PF_INPUT_PERM_CLIPBOARD 0x10u /**< reserved for clipboard sharing */
#define PF_INPUT_PERM_ALL 0x1Fu
#define PF_INPUT_PERM_VIEW_ONLY 0x00u

/** Feedback types sent back to the client. Since 0.1. */
#define PF_INPUT_FEEDBACK_RUMBLE 1u

/** Feedback from the session to a client (GameStream rumble message). Since 0.1. */
typedef struct pf_input_feedback {
    uint32_t struct_size;  /**< sizeof(pf_input_feedback) */
    uint32_t type;         /**< PF_INPUT_FEEDBACK_* */
    uint32_t controller;   /**< controller number */
    uint16_t low_freq;     /**< strong (low frequency) motor, 0..65535 */
    uint16_t high_freq;    /**< weak (high frequency) motor, 0..65535 */
} pf_input_feedback;

/**
 * Called from pf_input_injector_dispatch() when a device wants feedback sent to a client.
 * @p feedback is borrowed for the call. Since 0.1.
 */
typedef void (*pf_input_feedback_fn)(void *user_data, pf_input_client *client,
                                     const pf_input_feedback *feedback);

/**
 * The output a session streams, in compositor coordinates; absolute pointer and touch
 * positions map onto it. Since 0.1.
 */
typedef struct pf_input_output {
    uint32_t struct_size; /**< sizeof(pf_input_output) */
    int32_t x;            /**< left edge in the compositor's global space */
    int32_t y;            /**< top edge */
    uint32_t width;       /**< pixels, > 0 */
    uint32_t height;      /**< pixels, > 0 */
    const char *stream_path; /**< Mutter: ScreenCast stream object path; may be NULL; copied */
    const char *name;        /**< wlroots/KWin: output name; may be NULL; copied */
} pf_input_output;

/**
 * Injector settings. Fill with pf_input_settings_default() and change what you need.
 * Since 0.1.
 */
typedef struct pf_input_settings {
    uint32_t struct_size;     /**< sizeof(pf_input_settings) */
    const char *backends;     /**< comma list ("mutter,uinput"); NULL = autocreate; copied */
    const char *vdisplay;     /**< the session's virtual-display backend name, drives
                                   autocreate ("mutter", "kwin", "wlr", "gamescope"); may be NULL */
    const char *dbus_address; /**< Mutter: bus address; NULL = the user's session bus */
    const char *wayland_display; /**< wlroots/KWin: display name or path; NULL = $WAYLAND_DISPLAY */
    const char *uinput_path;  /**< uinput node; NULL = /dev/uinput */
    const char *layout;       /**< host layout for non-US client codes ("us", "de", "fr") */
    uint32_t max_events_per_sec; /**< per client token rate; 0 = default (2000) */
    uint32_t burst;              /**< per client bucket depth; 0 = default (500) */
    pf_log_hook log;             /**< debug messages; fn may be NULL */
    pf_input_feedback_fn feedback; /**< may be NULL */
    void *feedback_user_data;      /**< passed to feedback */
} pf_input_settings;

/**
 * Fills @p settings with defaults (autocreate, session bus, 2000 events/s).
 * @param settings filled; borrowed.
 * Since 0.1.
 */
PF_EXPORT void pf_input_settings_default(pf_input_settings *settings);

/**
 * Creates an injector and its backends.
 *
 * Backend choice: the @c backends list if set, else the environment variable
 * PF_INPUT_BACKENDS, else autocreate from @c vdisplay (mutter → "mutter,uinput", wlr →
 * "wlr,uinput", kwin → "kwin,uinput", none → "uinput"). The first backend in the list that
 * starts handles keyboard, mouse and touch; uinput additionally carries gamepads. Backends
 * that fail to start are skipped (logged at debug).
 *
 * @param settings borrowed; strings are copied.
 * @param ret_injector receives the injector; untouched on failure.
 * @return 0; PF_ERR_INVALID_ARGUMENT for a bad settings struct or unknown backend name;
 *         PF_ERR_UNSUPPORTED when no listed backend could start; PF_ERR_NOMEM.
 *
 * Ownership: the caller owns the injector and frees it with pf_input_injector_destroy().
 * Threading: see the file comment.
 * Since 0.1.
 */
PF_EXPORT int pf_input_injector_create(const pf_input_settings *settings,
                                       pf_input_injector **ret_injector);

/**
 * Releases every key and button held by any client, destroys all clients and virtual
 * devices, and frees the injector (session end).
 * @param injector may be NULL (nothing happens).
 * Ownership: takes the injector; every pf_input_client of it is freed too.
 * Threading: the injector's thread. Since 0.1.
 */
PF_EXPORT void pf_input_injector_destroy(pf_input_injector *injector);

/**
 * @param injector borrowed; may be NULL.
 * @return the name of the backend that handles keyboard and mouse ("mutter", "wlr", "kwin",
 * "uinput"); static storage; NULL for a NULL injector. Since 0.1.
 */
PF_EXPORT const char *pf_input_injector_get_backend(const pf_input_injector *injector);

/** What an injector can inject (pf_input_injector_get_capabilities()). Since 0.2. */
#define PF_INPUT_CAP_KEYBOARD 0x01u    /**< evdev keys. Since 0.2. */
#define PF_INPUT_CAP_KEYSYM 0x02u      /**< text as keysyms. Since 0.2. */
#define PF_INPUT_CAP_POINTER 0x04u     /**< relative motion, buttons, scroll. Since 0.2. */
#define PF_INPUT_CAP_POINTER_ABS 0x08u /**< absolute motion. Since 0.2. */
#define PF_INPUT_CAP_TOUCH 0x10u       /**< touch contacts. Since 0.2. */
#define PF_INPUT_CAP_PEN 0x20u         /**< pen. Since 0.2. */
#define PF_INPUT_CAP_GAMEPAD 0x40u     /**< virtual gamepads. Since 0.2. */

/**
 * What the injector's backends can inject: the keyboard/pointer/touch backend's abilities
 * and, when a gamepad backend started, PF_INPUT_CAP_GAMEPAD. Events of a missing class are
 * accepted by pf_input_client_submit() and dropped, so a caller that advertises abilities to
 * its clients (touch, pen) asks here first.
 * @param injector borrowed; may be NULL (0).
 * @return PF_INPUT_CAP_* bits. Threading: the injector's thread. Since 0.2.
 */
PF_EXPORT uint32_t pf_input_injector_get_capabilities(const pf_input_injector *injector);

/**
 * Copies the backend's session handle into @p buf (Mutter: the RemoteDesktop SessionId that
 * a ScreenCast session must name as "remote-desktop-session-id"; others: empty string).
 * @param buf receives a NUL-terminated string; borrowed.
 * @param len size of @p buf.
 * @return the string length; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT.
 * Since 0.1.
 */
PF_EXPORT int pf_input_injector_get_session_id(const pf_input_injector *injector, char *buf,
                                               size_t len);

/**
 * Starts injection (Mutter: Session.Start, after the caller linked its ScreenCast). Other
 * backends are ready after create and return 0. Events submitted before are ignored.
 * @param injector borrowed.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_IO when the compositor refused.
 * Threading: the injector's thread; blocks for one D-Bus round trip. Since 0.1.
 */
PF_EXPORT int pf_input_injector_start(pf_input_injector *injector);

/**
 * Sets the output absolute positions and touches map onto. Call again when the output
 * changes size (uinput then rebuilds its absolute devices).
 * @param injector borrowed.
 * @param output borrowed; strings copied.
 * @return 0; PF_ERR_INVALID_ARGUMENT for a NULL, too-small or zero-sized (or > 65535) output;
 *         PF_ERR_NOMEM; PF_ERR_IO when a backend connection broke.
 * Since 0.1.
 */
PF_EXPORT int pf_input_injector_set_output(pf_input_injector *injector,
                                           const pf_input_output *output);

/**
 * @param injector borrowed.
 * @return an fd (O_CLOEXEC, borrowed: do not close it) that becomes readable when
 * pf_input_injector_dispatch() has work (compositor replies, rumble requests);
 * PF_ERR_INVALID_ARGUMENT. Put it in the session's event loop.
 * Since 0.1.
 */
PF_EXPORT int pf_input_injector_get_fd(const pf_input_injector *injector);

/**
 * Handles pending backend traffic without blocking; calls the feedback hook from inside.
 * @param injector borrowed.
 * @return number of items handled (>= 0); PF_ERR_INVALID_ARGUMENT; PF_ERR_IO when a backend
 *         connection broke (the compositor went away).
 * Threading: the injector's thread. Since 0.1.
 */
PF_EXPORT int pf_input_injector_dispatch(pf_input_injector *injector);

/**
 * Adds a client to the injector.
 * @param permissions PF_INPUT_PERM_* bits; PF_INPUT_PERM_VIEW_ONLY injects nothing.
 * @param ret_client receives the client; untouched on failure.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM.
 * Ownership: the client belongs to the injector; free it early with pf_input_client_destroy().
 * Since 0.1.
 */
PF_EXPORT int pf_input_client_create(pf_input_injector *injector, uint32_t permissions,
                                     pf_input_client **ret_client);

/**
 * Releases everything the client holds (keys, buttons, touches), removes its virtual pads
 * and frees it. Call it on disconnect and on timeout.
 * @param client may be NULL (nothing happens).
 * Ownership: takes the client. Since 0.1.
 */
PF_EXPORT void pf_input_client_destroy(pf_input_client *client);

/**
 * Changes the client's permissions (config or management API); revoking a permission
 * releases what the client holds under it and removes its pads when gamepads are revoked.
 * @param client borrowed.
 * @param permissions PF_INPUT_PERM_* bits.
 * @return 0; PF_ERR_INVALID_ARGUMENT for NULL or unknown bits. Since 0.1.
 */
PF_EXPORT int pf_input_client_set_permissions(pf_input_client *client, uint32_t permissions);

/**
 * @param client borrowed; may be NULL.
 * @return the client's PF_INPUT_PERM_* bits (0 for NULL). Since 0.1.
 */
PF_EXPORT uint32_t pf_input_client_get_permissions(const pf_input_client *client);

/**
 * Injects one decoded event for @p client.
 *
 * Unknown key codes, out-of-range values and controller numbers beyond the limit are
 * ignored or clamped (debug log); events over the rate limit are dropped, except releases of
 * held keys and buttons, which always pass so nothing sticks.
 *
 * @param event borrowed.
 * @param now_ns monotonic time of arrival, for the rate limit.
 * @return 1 injected; 0 ignored (permission, rate, unknown code, nothing to do, or the
 *         backend not ready for this kind of event yet);
 *         PF_ERR_INVALID_ARGUMENT for a NULL or too-small event; PF_ERR_IO when the backend
 *         connection broke; PF_ERR_LIMIT when no more virtual pads can be created (64 per
 *         injector); PF_ERR_NOMEM.
 * Since 0.1.
 */
PF_EXPORT int pf_input_client_submit(pf_input_client *client, const pf_input_event *event,
                                     uint64_t now_ns);

/**
 * Releases every key, button and touch the client holds and centres its gamepads, keeping
 * the client (e.g. when its stream stalls).
 * @param client borrowed; may be NULL.
 * @return number of releases injected (>= 0). Since 0.1.
 */
PF_EXPORT int pf_input_client_release_all(pf_input_client *client);

/**
 * Translates a Windows virtual-key code to a Linux evdev key code (linux/input-event-codes.h).
 * @param vk the key code (low byte used).
 * @param layout the layout the VK belongs to ("us", "de", "fr"; NULL = "us").
 * @return the KEY_* code (> 0); PF_ERR_NOT_FOUND for an unmapped code;
 *         PF_ERR_UNSUPPORTED for an unknown layout.
 * Threading: pure, thread-safe. Since 0.1.
 */
PF_EXPORT int pf_input_keymap_translate(uint32_t vk, const char *layout);

#ifdef __cplusplus
}
#endif

#endif
