/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1_control.h
 * punktfunk/1 typed control messages (native-protocol.md §5, pairing §6.1): payload
 * "PKFc" ‖ type u8 ‖ fields, all little-endian, framed on the control stream like every
 * message (pf/core/pkf1.h).
 *
 * Every known type decodes at its exact length (or its documented alternative lengths; only
 * ProbeResult, as in the reference, takes any length from 21); any other length is
 * PF_ERR_MALFORMED for that message, which the receiver logs and drops. A
 * type this library does not know decodes as PF_ERR_NOT_FOUND with @c type filled in, so the
 * caller can ignore it as the reference does. New fields always come as new types.
 *
 * One flat struct carries every message: only the members listed for its type are read by
 * the encoder and written by the decoder; the decoder zeroes the rest. Variable parts
 * (names, MIME types, cursor pixels, …) point into the decoded buffer (borrowed).
 *
 * Pure functions: no I/O, clocks, threads or globals. Threading: reentrant.
 */
#ifndef PF_CORE_PKF1_CONTROL_H
#define PF_CORE_PKF1_CONTROL_H

#include "common.h"
#include "pkf1.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PKF1_MSG_HEADER_BYTES 5u /**< "PKFc" ‖ type */

/** Message types. Direction in brackets: C = client, H = host. */
#define PF_PKF1_MSG_RECONFIGURE 0x01u        /**< C→H width, height, refresh_hz */
#define PF_PKF1_MSG_RECONFIGURED 0x02u       /**< H→C flag (accepted), width, height, refresh_hz */
#define PF_PKF1_MSG_REQUEST_KEYFRAME 0x03u   /**< C→H — */
#define PF_PKF1_MSG_LOSS_REPORT 0x04u        /**< C→H value32 = loss_ppm */
#define PF_PKF1_MSG_SET_BITRATE 0x05u        /**< C→H value32 = bitrate_kbps */
#define PF_PKF1_MSG_BITRATE_CHANGED 0x06u    /**< H→C value32 = kbps [, code8 = reason when has_ext] */
#define PF_PKF1_MSG_RFI_REQUEST 0x07u        /**< C→H first_frame, last_frame */
#define PF_PKF1_MSG_SHARD_PAYLOAD_CHANGED 0x08u /**< H→C value16 = shard_payload */
#define PF_PKF1_MSG_SHARD_PAYLOAD_ACK 0x09u  /**< C→H value16 = shard_payload */
#define PF_PKF1_MSG_PIPELINE_GAP 0x0Au       /**< H→C value32 = gap_ms */
#define PF_PKF1_MSG_DELIVERY_REPORT 0x0Bu    /**< C→H value64 = packets_received */
#define PF_PKF1_MSG_LINK_REPORT 0x0Cu        /**< C→H value32 = proven_kbps */
#define PF_PKF1_MSG_SET_DELIVERY 0x0Du       /**< C→H code8 = profile */
#define PF_PKF1_MSG_DELIVERY_CHANGED 0x0Eu   /**< H→C code8 = profile, flag = forced */
#define PF_PKF1_MSG_HOST_FACTS 0x0Fu         /**< H→C code8 = iface_kind, value32 = link_mbps, value32b = sndbuf_kb, code8b = forced_profile */
#define PF_PKF1_MSG_PAIR_REQUEST 0x10u       /**< C→H text = name (<= 64), spake, blob = device_key (optional) */
#define PF_PKF1_MSG_PAIR_CHALLENGE 0x11u     /**< H→C spake, mac = host_confirm */
#define PF_PKF1_MSG_PAIR_PROOF 0x12u         /**< C→H mac = client_confirm */
#define PF_PKF1_MSG_PAIR_RESULT 0x13u        /**< H→C flag = ok */
#define PF_PKF1_MSG_AUTH_CHALLENGE 0x14u     /**< H→C mac = 32-byte nonce */
#define PF_PKF1_MSG_AUTH_RESPONSE 0x15u      /**< C→H blob = everything after the type */
#define PF_PKF1_MSG_REFUSED 0x16u            /**< H→C value32 = code, text = reason (UTF-8; encode <= 256) */
#define PF_PKF1_MSG_PROBE_REQUEST 0x20u      /**< C→H value32 = target_kbps, value32b = duration_ms */
#define PF_PKF1_MSG_PROBE_RESULT 0x21u       /**< H→C value64 = bytes_sent, value32 = packets_sent, value32b = duration_ms, has_ext: value32c = wire_packets_sent, value32d = send_dropped; 21 bytes or more */
#define PF_PKF1_MSG_PROBE_SHAPED 0x22u       /**< C→H value32 = target_kbps, value32b = duration_ms, value16 = burst_hz, value32c = group_bytes, value32d = group_rate_kbps */
#define PF_PKF1_MSG_CLOCK_PROBE 0x30u        /**< C→H t1 */
#define PF_PKF1_MSG_CLOCK_ECHO 0x31u         /**< H→C t1, t2, t3 */
#define PF_PKF1_MSG_PHASE_REPORT 0x32u       /**< C→H value64 = next_latch_host_ns, value32 = latch_period_ns, value32b = uncertainty_ns, value32c = arrival_lead_ns [, value16 = coherence_milli when has_ext] */
#define PF_PKF1_MSG_CLIP_CONTROL 0x40u       /**< C→H flag = enabled, code8 = flags */
#define PF_PKF1_MSG_CLIP_STATE 0x41u         /**< H→C flag = enabled, code8 = policy, code8b = reason */
#define PF_PKF1_MSG_CLIP_OFFER 0x42u         /**< both value32 = seq, code8 = count, blob = kinds (see pf_pkf1_clip_offer_kind()) */
#define PF_PKF1_MSG_CLIP_FETCH 0x43u         /**< fetch stream value32 = seq, value32b = file_index, text = MIME */
#define PF_PKF1_MSG_CLIP_FETCH_HDR 0x44u     /**< fetch stream code8 = status, value64 = total_size */
#define PF_PKF1_MSG_CURSOR_SHAPE 0x50u       /**< H→C value32 = serial, width, height, value16 = hot_x, value16b = hot_y, blob = RGBA8 */
#define PF_PKF1_MSG_CURSOR_RENDER_MODE 0x51u /**< C→H flag = client_draws */
#define PF_PKF1_MSG_ACCESS_UPDATE 0x58u      /**< H→C value32 = grants, value32b = remaining_secs */
#define PF_PKF1_MSG_AUDIO_STATE 0x59u        /**< H→C flag = muted */
#define PF_PKF1_MSG_LAUNCH_OUTCOME 0x5Au     /**< H→C code8 = kind, text = message (<= 200) */
#define PF_PKF1_MSG_PAD_SLOTS 0x5Bu          /**< H→C value16 = slots */
#define PF_PKF1_MSG_INPUT_EDGE 0x5Cu         /**< C→H blob = one 18-byte 0xC8 input datagram */

#define PF_PKF1_SPAKE_MSG_BYTES 33u
#define PF_PKF1_CONFIRM_BYTES 32u
#define PF_PKF1_PAIR_NAME_MAX 64u
#define PF_PKF1_REFUSED_REASON_MAX 256u
#define PF_PKF1_LAUNCH_MESSAGE_MAX 200u
/** LaunchOutcome kinds (code8, §5.6); a receiver reads an unknown kind as SPAWNED. */
#define PF_PKF1_LAUNCH_SPAWNED 0u         /**< the app was started */
#define PF_PKF1_LAUNCH_ADOPTED 1u         /**< the app was already running */
#define PF_PKF1_LAUNCH_ADOPTED_UNKNOWN 2u /**< something already running was taken over */
#define PF_PKF1_LAUNCH_REFUSED 3u         /**< the host will not start it (message says why) */
#define PF_PKF1_LAUNCH_FAILED 4u          /**< starting it failed */
#define PF_PKF1_LAUNCH_SIGN_IN 5u         /**< the store needs a sign-in first */
#define PF_PKF1_CLIP_OFFER_MAX_KINDS 16u
#define PF_PKF1_CLIP_MIME_MAX 128u
#define PF_PKF1_CURSOR_MAX_SIDE 120u
#define PF_PKF1_INPUT_EVENT_BYTES 18u
/** An RfiRequest spanning more frames than this is treated as a keyframe request (§5.1). */
#define PF_PKF1_RFI_MAX_SPAN 256u
/** Largest typed payload this library encodes or decodes (a 120×120 cursor). */
#define PF_PKF1_MSG_MAX_BYTES (5u + 12u + 120u * 120u * 4u)

/**
 * One typed control message. Members not used by @c type are ignored on encode and zero
 * after decode. Since 0.2.
 */
typedef struct pf_pkf1_msg {
    uint32_t type;       /**< PF_PKF1_MSG_* */
    uint32_t width;      /**< Reconfigure(d), CursorShape */
    uint32_t height;     /**< Reconfigure(d), CursorShape */
    uint32_t refresh_hz; /**< Reconfigure(d) */
    uint32_t first_frame; /**< RfiRequest */
    uint32_t last_frame;  /**< RfiRequest */
    uint32_t value32;    /**< the main 32-bit field of the type (see the type list) */
    uint32_t value32b;   /**< second 32-bit field */
    uint32_t value32c;   /**< third 32-bit field */
    uint32_t value32d;   /**< fourth 32-bit field */
    uint64_t value64;    /**< the 64-bit field of the type */
    uint64_t t1;         /**< ClockProbe/ClockEcho: client send time, ns */
    uint64_t t2;         /**< ClockEcho: host receive time, ns */
    uint64_t t3;         /**< ClockEcho: host send time, ns */
    uint16_t value16;    /**< the 16-bit field of the type */
    uint16_t value16b;   /**< second 16-bit field */
    uint8_t flag;        /**< a boolean byte (accepted, ok, enabled, muted, forced, …) */
    uint8_t code8;       /**< first enumerated byte (reason, profile, kind, status, …) */
    uint8_t code8b;      /**< second enumerated byte */
    uint8_t has_ext;     /**< the longer variant: BitrateChanged reason, ProbeResult wire
                              counters, PhaseReport coherence */
    uint8_t mac[32];     /**< PairChallenge host_confirm, PairProof client_confirm,
                              AuthChallenge nonce */
    const uint8_t *text; /**< UTF-8 (name, reason, message, MIME); borrowed; not terminated */
    size_t text_len;
    const uint8_t *spake; /**< PairRequest spake_a / PairChallenge spake_b (33 bytes) */
    size_t spake_len;
    const uint8_t *blob; /**< binary part: device key, ClipOffer kinds, RGBA, input event */
    size_t blob_len;
} pf_pkf1_msg;

/** Zeroes @p msg and sets its type. Since 0.2. */
PF_EXPORT void pf_pkf1_msg_init(pf_pkf1_msg *msg, uint32_t type);

/**
 * Encodes @p msg as a typed payload (no frame prefix).
 * @return 0; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_UNSUPPORTED (unknown type);
 *         PF_ERR_INVALID_ARGUMENT (NULL, or a variable part out of its bounds). Since 0.2.
 */
PF_EXPORT int pf_pkf1_msg_encode(const pf_pkf1_msg *msg, uint8_t *out, size_t out_cap,
                                 size_t *ret_len);

/**
 * Decodes a typed payload.
 * @param ret_msg receives the message; its pointers point into @p buf. On PF_ERR_NOT_FOUND
 *        only @c type is set (the caller ignores the message); otherwise untouched on failure.
 * @return 0; PF_ERR_MALFORMED (not "PKFc", wrong length for the type, bad variable part);
 *         PF_ERR_NOT_FOUND (unknown type); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_msg_decode(const uint8_t *buf, size_t len, pf_pkf1_msg *ret_msg);

/**
 * @return 1 when @p payload starts with "PKFc" (typed), 0 otherwise. The host reads the
 * first message of a connection with it: a typed PairRequest starts the pairing ceremony,
 * anything else must be a Hello. Since 0.2.
 */
PF_EXPORT int pf_pkf1_is_typed(const uint8_t *payload, size_t len);

/**
 * Reads kind @p index of a decoded ClipOffer (its @c blob, @c code8 kinds).
 * @param ret_mime,ret_mime_len the MIME type (points into the blob).
 * @param ret_size_hint the size hint.
 * @return 0; PF_ERR_NOT_FOUND (index >= count); PF_ERR_MALFORMED; PF_ERR_INVALID_ARGUMENT.
 * Since 0.2.
 */
PF_EXPORT int pf_pkf1_clip_offer_kind(const pf_pkf1_msg *msg, uint32_t index,
                                      const uint8_t **ret_mime, size_t *ret_mime_len,
                                      uint64_t *ret_size_hint);

/**
 * RfiRequest rule (§5.1): @return 1 when frames @p first..@p last (wrapping) span more than
 * PF_PKF1_RFI_MAX_SPAN and the request should be served as a keyframe, else 0. Since 0.2.
 */
PF_EXPORT int pf_pkf1_rfi_wants_keyframe(uint32_t first, uint32_t last);

#ifdef __cplusplus
}
#endif

#endif
