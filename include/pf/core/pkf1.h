/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1.h
 * punktfunk/1 ("pkf1", ALPN "pkf1") shared constants: wire version, control-stream framing,
 * capability bits, grants and QUIC close codes (native-protocol.md §2, §3.5, §3.6, §10, §11).
 *
 * The wire is that of the reference release v0.43.1. Every integer of the control stream,
 * the handshake and the datagram planes is little-endian; only the media sequence number is
 * big-endian (pf/core/pkf1_media.h).
 *
 * Control-stream framing (§2): every message is LE16 length ‖ payload (length excludes the two
 * length bytes; at most 65535). Handshake payloads start with "PKF1", typed payloads with
 * "PKFc" ‖ type (pf/core/pkf1_control.h).
 *
 * Pure functions: no I/O, clocks, threads or globals. Threading: reentrant.
 */
#ifndef PF_CORE_PKF1_H
#define PF_CORE_PKF1_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PKF1_ALPN "pkf1"
#define PF_PKF1_DEFAULT_PORT 9777u /**< QUIC control port (UDP) */
/** WIRE_VERSION of Hello and Welcome; the host requires equality (§4.3). */
#define PF_PKF1_WIRE_VERSION 2u
#define PF_PKF1_FRAME_HEADER_BYTES 2u
#define PF_PKF1_MAX_FRAME_PAYLOAD 65535u

/** Capability bits of Hello video_caps (§3.5). */
#define PF_PKF1_VIDEO_CAP_10BIT 0x01u
#define PF_PKF1_VIDEO_CAP_HDR 0x02u
#define PF_PKF1_VIDEO_CAP_444 0x04u
#define PF_PKF1_VIDEO_CAP_HOST_TIMING 0x08u
#define PF_PKF1_VIDEO_CAP_PROBE_SEQ 0x10u
#define PF_PKF1_VIDEO_CAP_STREAMED_AU 0x20u
#define PF_PKF1_VIDEO_CAP_CHACHA20 0x40u
#define PF_PKF1_VIDEO_CAP_MULTI_SLICE 0x80u

/** Capability bits of Hello client_caps. */
#define PF_PKF1_CLIENT_CAP_CURSOR 0x01u
#define PF_PKF1_CLIENT_CAP_PHASE_LOCK 0x02u
#define PF_PKF1_CLIENT_CAP_AUDIO_RED 0x04u
#define PF_PKF1_CLIENT_CAP_PAD_AUDIO 0x08u
#define PF_PKF1_CLIENT_CAP_AUDIO_HIRES 0x10u
#define PF_PKF1_CLIENT_CAP_KEEP_HOST_AUDIO 0x20u
#define PF_PKF1_CLIENT_CAP_EXT 0x40u

/** Capability bits of Welcome host_caps. */
#define PF_PKF1_HOST_CAP_GAMEPAD_STATE 0x01u
#define PF_PKF1_HOST_CAP_CLIPBOARD 0x02u
#define PF_PKF1_HOST_CAP_TEXT_INPUT 0x04u
#define PF_PKF1_HOST_CAP_CURSOR 0x08u
#define PF_PKF1_HOST_CAP_PEN 0x10u
#define PF_PKF1_HOST_CAP_AUDIO_RED 0x20u
#define PF_PKF1_HOST_CAP_PAD_AUDIO 0x40u
#define PF_PKF1_HOST_CAP_AUDIO_HIRES 0x80u

/** Capability bits of Welcome host_caps2. A minimal host sends REPEAT_MARK | EXT. */
#define PF_PKF1_HOST_CAP2_REPEAT_MARK 0x01u
#define PF_PKF1_HOST_CAP2_TOUCH 0x02u
#define PF_PKF1_HOST_CAP2_EXT 0x04u
#define PF_PKF1_HOST_CAP2_SCROLL 0x08u
#define PF_PKF1_HOST_CAP2_RAMP 0x10u
#define PF_PKF1_HOST_CAP2_DELIVERY 0x20u
#define PF_PKF1_HOST_CAP2_INPUT_EDGES 0x40u

/** Video codec bits (Hello video_codecs / preferred_codec, Welcome codec). */
#define PF_PKF1_CODEC_H264 0x01u
#define PF_PKF1_CODEC_HEVC 0x02u
#define PF_PKF1_CODEC_AV1 0x04u
#define PF_PKF1_CODEC_PYROWAVE 0x08u

/** Welcome cipher ids. */
#define PF_PKF1_CIPHER_AES128_GCM 0u
#define PF_PKF1_CIPHER_CHACHA20_POLY1305 1u

/** Welcome fec_scheme ids (also the media header's fec_scheme byte). */
#define PF_PKF1_FEC_GF8 0u
#define PF_PKF1_FEC_GF16 1u

/** Welcome audio_codec ids (1 is reserved and never sent). */
#define PF_PKF1_AUDIO_CODEC_OPUS 0u
#define PF_PKF1_AUDIO_CODEC_PCM 2u

/** Access grants (§3.6): Welcome grants and AccessUpdate. */
#define PF_PKF1_GRANT_GAMEPAD 0x01u
#define PF_PKF1_GRANT_POINTER 0x02u
#define PF_PKF1_GRANT_KEYBOARD 0x04u
#define PF_PKF1_GRANT_CLIPBOARD 0x08u
#define PF_PKF1_GRANT_MIC 0x10u
#define PF_PKF1_GRANT_LAUNCH 0x20u
#define PF_PKF1_GRANT_POWER 0x40u
#define PF_PKF1_GRANT_MANAGE_GAMES 0x80u
#define PF_PKF1_GRANT_ALL 0xFFu

/**
 * QUIC application close codes (§10). A stable enumeration: the values are the wire values.
 * 0x6C–0x6F exist only after v0.43.1 and are deliberately absent.
 */
typedef enum pf_pkf1_close_code {
    PF_PKF1_CLOSE_NORMAL = 0x00,             /**< pairing done; reachability probe */
    PF_PKF1_CLOSE_BUSY = 0x42,               /**< host busy; reason text says why */
    PF_PKF1_CLOSE_CLIENT_QUIT = 0x51,        /**< client quit on purpose */
    PF_PKF1_CLOSE_APP_EXITED = 0x52,         /**< dedicated app exited */
    PF_PKF1_CLOSE_PAIR_NOT_ARMED = 0x60,     /**< no PIN window armed */
    PF_PKF1_CLOSE_PAIR_WRONG_DEVICE = 0x61,  /**< window bound to another device */
    PF_PKF1_CLOSE_PAIR_RATE_LIMITED = 0x62,  /**< 2 s cooldown */
    PF_PKF1_CLOSE_IDENTITY_REQUIRED = 0x63,  /**< no client certificate */
    PF_PKF1_CLOSE_ACCESS_DENIED = 0x64,      /**< operator denied */
    PF_PKF1_CLOSE_ACCESS_TIMEOUT = 0x65,     /**< approval timed out */
    PF_PKF1_CLOSE_ACCESS_SUPERSEDED = 0x66,  /**< a newer knock replaced this one */
    PF_PKF1_CLOSE_WIRE_VERSION = 0x67,       /**< Hello wire_version != 2 */
    PF_PKF1_CLOSE_SETUP_FAILED = 0x68,       /**< no shared codec, output/encoder failure */
    PF_PKF1_CLOSE_ACCESS_EXPIRED = 0x69,     /**< access expired */
    PF_PKF1_CLOSE_LAUNCH_DENIED = 0x6A,      /**< launch without the LAUNCH grant */
    PF_PKF1_CLOSE_HOST_POWER = 0x6B,         /**< host sleeps or shuts down */
    PF_PKF1_CLOSE_CLIP_CANCELLED = 0x70      /**< clipboard fetch stream reset */
} pf_pkf1_close_code;

/**
 * @return a static name for close code @p code ("wire version mismatch"), or NULL when the
 * code is not one of pf_pkf1_close_code. Since 0.2.
 */
PF_EXPORT const char *pf_pkf1_close_code_name(uint32_t code);

/**
 * Splits one framed message off the front of a control-stream buffer.
 * @param buf received stream bytes; borrowed. May be NULL when @p len is 0.
 * @param ret_payload receives a pointer into @p buf at the payload.
 * @param ret_payload_len receives the payload length (0…65535).
 * @param ret_consumed receives 2 + payload length: where the next frame starts.
 * @return 0; PF_ERR_AGAIN when @p buf does not yet hold a whole frame (outputs untouched);
 *         PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_frame_split(const uint8_t *buf, size_t len, const uint8_t **ret_payload,
                                  size_t *ret_payload_len, size_t *ret_consumed);

/**
 * Writes the LE16 length prefix of a frame carrying @p payload_len bytes.
 * @param out 2 bytes.
 * @return 0; PF_ERR_LIMIT when @p payload_len > 65535; PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_frame_header(size_t payload_len, uint8_t *out);

/**
 * Codec resolution (§3.5): shared = (@p client_codecs, or HEVC when 0) & @p host_codecs;
 * @p preferred wins when it is one bit inside shared; otherwise HEVC > AV1 > H.264.
 * PyroWave only by explicit preference.
 * @return the chosen PF_PKF1_CODEC_* bit, or 0 when nothing is shared (close with
 *         PF_PKF1_CLOSE_SETUP_FAILED). Since 0.2.
 */
PF_EXPORT uint32_t pf_pkf1_resolve_codec(uint32_t client_codecs, uint32_t preferred,
                                         uint32_t host_codecs);

/** @return @p grants with the legacy masks 63 and 127 normalised to PF_PKF1_GRANT_ALL, and
 * bits above 0xFF dropped. Since 0.2. */
PF_EXPORT uint32_t pf_pkf1_grants_normalize(uint32_t grants);

#ifdef __cplusplus
}
#endif

#endif
