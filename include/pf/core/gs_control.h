/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/gs_control.h
 * GameStream control-stream message sealing (gamestream-protocol.md §5.2–§5.4) and the
 * encrypted RTSP framing (§4.8). Pure functions over one keyed object: no I/O.
 *
 * Control message on the wire (ENet payload), AES-128-GCM under rikey, no AAD:
 *   LE16 0x0001 | LE16 length = 4 + 16 + n | LE32 seq | tag(16) | ciphertext(n) of
 *   [LE16 type | LE16 payloadLength | payload].
 * IV, by mode:
 *   - PF_GS_CONTROL_IV_V2: LE32(seq) ‖ 00×6 ‖ origin ‖ 'C' (12 bytes);
 *   - PF_GS_CONTROL_IV_LEGACY: seq & 0xFF ‖ 00×15 (16 bytes, the same in both directions).
 * Encrypted RTSP message: BE32(0x80000000 | n) | BE32 seq | tag(16) | ciphertext(n), IV
 * LE32(seq) ‖ 00×6 ‖ origin ‖ 'R'.
 * origin is the sender: PF_GS_ORIGIN_CLIENT or PF_GS_ORIGIN_HOST. Each sender numbers its
 * own messages and must never reuse a sequence number under one key (in legacy mode only
 * the low 8 bits enter the IV: a protocol weakness this API cannot fix).
 */
#ifndef PF_CORE_GS_CONTROL_H
#define PF_CORE_GS_CONTROL_H

#include "common.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_GS_CONTROL_IV_V2 0u     /**< Sunshine mode with encryptionEnabled bit 0x01 */
#define PF_GS_CONTROL_IV_LEGACY 1u /**< GFE-style 16-byte IV */
#define PF_GS_ORIGIN_CLIENT 0x43u  /**< 'C' */
#define PF_GS_ORIGIN_HOST 0x48u    /**< 'H' */

/** Bytes a sealed control message adds to its payload: 8 header + 16 tag + 4 V2 header. */
#define PF_GS_CONTROL_OVERHEAD 28u
/** Bytes an encrypted RTSP message adds: 8 header + 16 tag. */
#define PF_GS_RTSP_OVERHEAD 24u

/** What pf_gs_control_open() found. */
typedef struct pf_gs_control_msg {
    uint32_t seq;         /**< sender's sequence number from the header */
    uint16_t type;        /**< message type (§5.5) */
    uint16_t reserved;    /**< 0 */
    size_t payload_len;   /**< payload bytes now at the start of the caller's buffer */
} pf_gs_control_msg;

typedef struct pf_gs_cipher pf_gs_cipher;

/**
 * Creates the session cipher for @p key (rikey, 16 bytes; copied).
 * @param ops NULL for default; borrowed, must outlive the object.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; errors of pf_aead_create().
 * Ownership: *ret_cipher belongs to the caller. Threading: one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_gs_cipher_create(const pf_crypto_ops *ops, const uint8_t *key,
                                  pf_gs_cipher **ret_cipher);

/** Destroys @p cipher and wipes the key; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_gs_cipher_destroy(pf_gs_cipher *cipher);

/**
 * Seals one control message of @p type with @p payload_len (<= 65507) payload bytes.
 * @param iv_mode PF_GS_CONTROL_IV_V2 or PF_GS_CONTROL_IV_LEGACY.
 * @param origin PF_GS_ORIGIN_* of this sender (v2 IV only).
 * @param payload borrowed; may be NULL when @p payload_len is 0.
 * @param out receives payload_len + PF_GS_CONTROL_OVERHEAD bytes; must not overlap @p payload.
 * @param ret_len receives that length.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_gs_control_seal(pf_gs_cipher *cipher, uint32_t iv_mode, uint32_t origin,
                                 uint32_t seq, uint16_t type, const uint8_t *payload,
                                 size_t payload_len, uint8_t *out, size_t out_cap,
                                 size_t *ret_len);

/**
 * Opens one received control message. Bytes after the declared length are ignored, as the
 * client does.
 * @param origin PF_GS_ORIGIN_* of the peer that sealed it.
 * @param out receives the payload; needs room for the whole plaintext (@p len - 24 is
 *        always enough). Must not overlap @p msg.
 * @param ret_msg receives sequence, type and payload length.
 * @return 0; PF_ERR_MALFORMED (not an encrypted message, bad length, payloadLength larger
 *         than the plaintext); PF_ERR_AUTH (tag mismatch; @p out holds no plaintext);
 *         PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_gs_control_open(pf_gs_cipher *cipher, uint32_t iv_mode, uint32_t origin,
                                 const uint8_t *msg, size_t len, uint8_t *out, size_t out_cap,
                                 pf_gs_control_msg *ret_msg);

/**
 * Seals one complete RTSP message (request or reply text, payload included).
 * @param out receives @p len + PF_GS_RTSP_OVERHEAD bytes; must not overlap @p in.
 * @return 0; PF_ERR_INVALID_ARGUMENT (also for @p len >= 2^31); PF_ERR_BUFFER_TOO_SMALL;
 *         PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_gs_rtsp_seal(pf_gs_cipher *cipher, uint32_t origin, uint32_t seq,
                              const uint8_t *in, size_t len, uint8_t *out, size_t out_cap,
                              size_t *ret_len);

/**
 * Reads the 8-byte clear header of an encrypted RTSP message, so a TCP reader knows how
 * much more to read.
 * @param ret_total receives the whole message length (24 + ciphertext).
 * @return 0; PF_ERR_AGAIN (fewer than 8 bytes); PF_ERR_MALFORMED (bit 31 clear).
 * Since 0.1.
 */
PF_EXPORT int pf_gs_rtsp_get_length(const uint8_t *header, size_t len, size_t *ret_total);

/**
 * Opens one encrypted RTSP message; its length field must match @p len exactly.
 * @param out receives @p len - 24 plaintext bytes; must not overlap @p msg.
 * @param ret_seq receives the sender's sequence; @param ret_len the plaintext length.
 * @return 0; PF_ERR_MALFORMED; PF_ERR_AUTH; PF_ERR_BUFFER_TOO_SMALL;
 *         PF_ERR_INVALID_ARGUMENT; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_gs_rtsp_open(pf_gs_cipher *cipher, uint32_t origin, const uint8_t *msg,
                              size_t len, uint8_t *out, size_t out_cap, uint32_t *ret_seq,
                              size_t *ret_len);

#ifdef __cplusplus
}
#endif

#endif
