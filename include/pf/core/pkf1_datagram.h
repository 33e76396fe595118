/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1_datagram.h
 * punktfunk/1 QUIC DATAGRAM side planes (native-protocol.md §8): every datagram starts with a
 * one-byte tag, all integers little-endian. Unknown tags are dropped by receivers.
 *
 * Decoders check the exact length (or the documented set of lengths) and never read past
 * @p len; variable payloads point into the caller's buffer (borrowed).
 *
 * Pure functions: no I/O, clocks, threads or globals. Threading: reentrant.
 */
#ifndef PF_CORE_PKF1_DATAGRAM_H
#define PF_CORE_PKF1_DATAGRAM_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Datagram tags. */
#define PF_PKF1_DG_INPUT 0xC8u      /**< C→H 18-byte input event */
#define PF_PKF1_DG_AUDIO 0xC9u      /**< H→C Opus, 5 ms */
#define PF_PKF1_DG_RUMBLE 0xCAu     /**< H→C */
#define PF_PKF1_DG_MIC 0xCBu        /**< C→H Opus, 10 ms (GRANT_MIC) */
#define PF_PKF1_DG_RICH_INPUT 0xCCu /**< C→H kind-tagged (layouts not covered here) */
#define PF_PKF1_DG_HID_OUTPUT 0xCDu /**< H→C kind-tagged (layouts not covered here) */
#define PF_PKF1_DG_HDR 0xCEu        /**< H→C HDR10 static metadata */
#define PF_PKF1_DG_HOST_TIMING 0xCFu /**< H→C with VIDEO_CAP_HOST_TIMING */
#define PF_PKF1_DG_CURSOR 0xD0u     /**< H→C cursor position */
#define PF_PKF1_DG_PAD_AUDIO 0xD1u  /**< H→C pad haptics/speaker Opus */
#define PF_PKF1_DG_AUDIO_RED 0xD2u  /**< H→C Opus with the previous packet */
#define PF_PKF1_DG_AUDIO_PCM 0xD3u  /**< H→C raw LE PCM (hi-res) */

#define PF_PKF1_INPUT_BYTES 18u
#define PF_PKF1_AUDIO_PREFIX_BYTES 13u /**< tag ‖ seq LE32 ‖ pts LE64 */
#define PF_PKF1_HDR_BODY_BYTES 28u

/** Input kinds (§8.1). */
#define PF_PKF1_INPUT_KEY_DOWN 0u
#define PF_PKF1_INPUT_KEY_UP 1u
#define PF_PKF1_INPUT_MOUSE_MOVE 2u
#define PF_PKF1_INPUT_MOUSE_MOVE_ABS 3u
#define PF_PKF1_INPUT_MOUSE_BUTTON_DOWN 4u
#define PF_PKF1_INPUT_MOUSE_BUTTON_UP 5u
#define PF_PKF1_INPUT_MOUSE_SCROLL 6u
#define PF_PKF1_INPUT_GAMEPAD_BUTTON 7u
#define PF_PKF1_INPUT_GAMEPAD_AXIS 8u
#define PF_PKF1_INPUT_TOUCH_DOWN 9u
#define PF_PKF1_INPUT_TOUCH_MOVE 10u
#define PF_PKF1_INPUT_TOUCH_UP 11u
#define PF_PKF1_INPUT_GAMEPAD_STATE 12u
#define PF_PKF1_INPUT_GAMEPAD_REMOVE 13u
#define PF_PKF1_INPUT_GAMEPAD_ARRIVAL 14u
#define PF_PKF1_INPUT_TEXT 15u
#define PF_PKF1_INPUT_SCROLL 16u
#define PF_PKF1_INPUT_KIND_MAX 16u

/** One input event (0xC8, also the body of InputEdge). Since 0.2. */
typedef struct pf_pkf1_input {
    uint32_t kind;  /**< PF_PKF1_INPUT_* */
    uint32_t code;
    int32_t x;
    int32_t y;
    uint32_t flags;
} pf_pkf1_input;

/** Writes the 18-byte 0xC8 datagram. @return 0; PF_ERR_INVALID_ARGUMENT (kind > 255). Since 0.2. */
PF_EXPORT int pf_pkf1_input_encode(const pf_pkf1_input *in, uint8_t *out);

/**
 * Reads a 0xC8 datagram.
 * @return 0; PF_ERR_MALFORMED (not 18 bytes or not 0xC8); PF_ERR_NOT_FOUND (a kind newer than
 *         this library: drop it, with @p ret filled); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_input_decode(const uint8_t *buf, size_t len, pf_pkf1_input *ret);

/**
 * The grant an input kind needs (§3.6, §8.1): keyboard for keys and text, pointer for mouse,
 * touch and scroll, gamepad for pad kinds.
 * @return a PF_PKF1_GRANT_* bit, or 0 for an unknown kind. Since 0.2.
 */
PF_EXPORT uint32_t pf_pkf1_input_required_grant(uint32_t kind);

/** Audio-style prefix shared by 0xC9, 0xCB, 0xD2 and 0xD3. Since 0.2. */
typedef struct pf_pkf1_audio {
    uint32_t tag;            /**< PF_PKF1_DG_AUDIO, _MIC, _AUDIO_RED or _AUDIO_PCM */
    uint32_t seq;
    uint64_t pts_ns;
    const uint8_t *payload;  /**< Opus packet / PCM; for 0xD2 the primary; borrowed */
    size_t payload_len;
    const uint8_t *previous; /**< 0xD2 only: the previous packet (may be empty) */
    size_t previous_len;
} pf_pkf1_audio;

/**
 * Writes @p a (prefix, for 0xD2 also primary_len, then the payloads).
 * @return 0; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT (unknown tag, 0xD2 primary
 *         over 65535). Since 0.2.
 */
PF_EXPORT int pf_pkf1_audio_encode(const pf_pkf1_audio *a, uint8_t *out, size_t out_cap,
                                   size_t *ret_len);

/**
 * Reads 0xC9, 0xCB, 0xD2 or 0xD3.
 * @return 0; PF_ERR_MALFORMED (short, other tag, 0xD2 primary overrun). Since 0.2.
 */
PF_EXPORT int pf_pkf1_audio_decode(const uint8_t *buf, size_t len, pf_pkf1_audio *ret);

/** Rumble 0xCA: 7, 10 or 14 bytes. Since 0.2. */
typedef struct pf_pkf1_rumble {
    uint16_t pad;
    uint16_t low;
    uint16_t high;
    uint16_t ttl_ms;        /**< with has_ttl */
    uint16_t left_trigger;  /**< with has_triggers */
    uint16_t right_trigger;
    uint8_t seq;            /**< with has_ttl */
    uint8_t has_ttl;        /**< the 10-byte form (and the 14-byte one) */
    uint8_t has_triggers;   /**< the 14-byte form; implies has_ttl */
    uint8_t reserved;
} pf_pkf1_rumble;

/** @return 0; PF_ERR_BUFFER_TOO_SMALL (needs 14); PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_rumble_encode(const pf_pkf1_rumble *r, uint8_t *out, size_t out_cap,
                                    size_t *ret_len);
/** @return 0; PF_ERR_MALFORMED. Since 0.2. */
PF_EXPORT int pf_pkf1_rumble_decode(const uint8_t *buf, size_t len, pf_pkf1_rumble *ret);

/** HDR10 static metadata (0xCE body, also Hello display_hdr). Since 0.2. */
typedef struct pf_pkf1_hdr_meta {
    uint16_t primaries[3][2];  /**< G, B, R as (x, y) in 1/50000 */
    uint16_t white_point[2];   /**< (x, y) in 1/50000 */
    uint32_t max_luminance;    /**< 0.0001 cd/m² */
    uint32_t min_luminance;
    uint16_t max_cll;
    uint16_t max_fall;
} pf_pkf1_hdr_meta;

/** Writes the 28-byte body to @p out. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_hdr_body_encode(const pf_pkf1_hdr_meta *m, uint8_t *out);
/** Reads a 28-byte body. @return 0; PF_ERR_MALFORMED (@p len != 28). Since 0.2. */
PF_EXPORT int pf_pkf1_hdr_body_decode(const uint8_t *buf, size_t len, pf_pkf1_hdr_meta *ret);

/** Host timing 0xCF: 13, 25 or 29 bytes. Since 0.2. */
typedef struct pf_pkf1_host_timing {
    uint64_t pts_ns;
    uint32_t host_us;
    uint32_t queue_us;  /**< with has_stages */
    uint32_t encode_us;
    uint32_t pace_us;
    int32_t phase;      /**< with has_phase */
    uint8_t has_stages; /**< 25- or 29-byte form */
    uint8_t has_phase;  /**< 29-byte form; implies has_stages */
    uint8_t reserved[2];
} pf_pkf1_host_timing;

/** @return 0; PF_ERR_BUFFER_TOO_SMALL (needs 29); PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_host_timing_encode(const pf_pkf1_host_timing *t, uint8_t *out,
                                         size_t out_cap, size_t *ret_len);
/** @return 0; PF_ERR_MALFORMED. Since 0.2. */
PF_EXPORT int pf_pkf1_host_timing_decode(const uint8_t *buf, size_t len,
                                         pf_pkf1_host_timing *ret);

/** Cursor 0xD0: 14 bytes. Since 0.2. */
typedef struct pf_pkf1_cursor {
    uint32_t serial;
    uint32_t flags; /**< 0x01 visible, 0x02 relative-mode hint (one byte on the wire) */
    int32_t x;
    int32_t y;
} pf_pkf1_cursor;

#define PF_PKF1_CURSOR_VISIBLE 0x01u
#define PF_PKF1_CURSOR_RELATIVE 0x02u

/** Writes 14 bytes. @return 0 or PF_ERR_INVALID_ARGUMENT (flags > 255). Since 0.2. */
PF_EXPORT int pf_pkf1_cursor_encode(const pf_pkf1_cursor *c, uint8_t *out);
/** @return 0; PF_ERR_MALFORMED. Since 0.2. */
PF_EXPORT int pf_pkf1_cursor_decode(const uint8_t *buf, size_t len, pf_pkf1_cursor *ret);

/** Pad audio 0xD1: pad ‖ kind ‖ seq ‖ pts ‖ Opus. Since 0.2. */
typedef struct pf_pkf1_pad_audio {
    uint32_t pad;
    uint32_t kind; /**< 0 haptics (5 ms), 1 speaker (10 ms) */
    uint32_t seq;
    uint32_t reserved;
    uint64_t pts_ns;
    const uint8_t *payload; /**< borrowed */
    size_t payload_len;
} pf_pkf1_pad_audio;

/** @return 0; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_pad_audio_encode(const pf_pkf1_pad_audio *a, uint8_t *out,
                                       size_t out_cap, size_t *ret_len);
/** @return 0; PF_ERR_MALFORMED. Since 0.2. */
PF_EXPORT int pf_pkf1_pad_audio_decode(const uint8_t *buf, size_t len,
                                       pf_pkf1_pad_audio *ret);

#ifdef __cplusplus
}
#endif

#endif
