/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1_handshake.h
 * punktfunk/1 handshake: Hello (client → host), Welcome (host → client), Start (client →
 * host) and the tagged extension block (native-protocol.md §3, §4.3). Payloads only: the
 * caller adds or strips the LE16 frame prefix (pf/core/pkf1.h).
 *
 * Positional layouts are frozen; optional trailing fields are written only up to the last
 * non-default one, and a later field forces every earlier one at its default so offsets stay
 * fixed. Decoders are tolerant as the reference is: missing fields take their defaults, a bad
 * name or launch label decodes as "none" (never a failure), unknown extension tags are skipped.
 * They fail on what would break the session: short or wrong magic, a Welcome cipher other
 * than 0/1 (or cipher 1 without its 32-byte key), and an extension block that is truncated,
 * overruns, is over 4096 bytes or 64 entries, or repeats a tag.
 *
 * Decoded strings and extension values point into the caller's input buffer (borrowed): keep
 * the buffer alive while they are used.
 *
 * Pure functions: no I/O, clocks, threads or globals. Threading: reentrant.
 */
#ifndef PF_CORE_PKF1_HANDSHAKE_H
#define PF_CORE_PKF1_HANDSHAKE_H

#include "common.h"
#include "pkf1.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PKF1_HELLO_MIN_BYTES 20u
#define PF_PKF1_HELLO_MAX_BYTES 256u    /**< 26 + 65 + 129 + 4 + 28 + 10 rounded up */
#define PF_PKF1_HELLO_NAME_MAX 64u      /**< longer names are truncated (UTF-8 boundary) */
#define PF_PKF1_HELLO_LAUNCH_MAX 128u
#define PF_PKF1_HDR_META_BYTES 28u      /**< HDR10 static metadata body (§8.7) */
#define PF_PKF1_WELCOME_MIN_BYTES 53u
#define PF_PKF1_WELCOME_MAX_BYTES 121u  /**< positional layout with the ChaCha key */
#define PF_PKF1_WELCOME_EXT_OFFSET_AES 89u
#define PF_PKF1_WELCOME_EXT_OFFSET_CHACHA 121u
#define PF_PKF1_START_BYTES 6u
#define PF_PKF1_EXT_MAX_BYTES 4096u     /**< whole block including ext_len */
#define PF_PKF1_EXT_MAX_ENTRIES 64u

/** Extension tags (§3.4). Unknown tags are skipped; tags are never reused. */
#define PF_PKF1_EXT_TAG_PADDING 1u
#define PF_PKF1_EXT_TAG_CLIENT 2u       /**< client label, UTF-8 <= 96 bytes, log only */
#define PF_PKF1_EXT_TAG_ABR 3u          /**< one feature byte */
#define PF_PKF1_EXT_TAG_PRESET 4u       /**< id_len u8 ‖ id ‖ name_len u8 ‖ name */
#define PF_PKF1_EXT_ABR_ACK_REASON 0x01u /**< ABR bit: 10-byte BitrateChanged accepted */
#define PF_PKF1_EXT_CLIENT_MAX 96u

/** Compositor ids of Hello/Welcome. */
#define PF_PKF1_COMPOSITOR_AUTO 0u

/** One extension entry; @c value points into the decoded buffer (borrowed). Since 0.2. */
typedef struct pf_pkf1_ext_entry {
    uint16_t tag;         /**< PF_PKF1_EXT_TAG_* or unknown */
    uint16_t len;         /**< value bytes */
    uint32_t reserved;    /**< 0 */
    const uint8_t *value; /**< may be NULL when len is 0; borrowed */
} pf_pkf1_ext_entry;

/** Hello (§3.1). Fill with pf_pkf1_hello_init() before setting fields. Since 0.2. */
typedef struct pf_pkf1_hello {
    uint32_t wire_version;      /**< PF_PKF1_WIRE_VERSION */
    uint32_t width;             /**< requested mode */
    uint32_t height;
    uint32_t refresh_hz;
    uint32_t bitrate_kbps;      /**< 0 = host default */
    uint32_t audio_rate_hz;     /**< 0 or 48000 = default; decode gives 48000 when absent */
    uint16_t max_shard_payload; /**< 0 = no mid-session shard changes */
    uint8_t compositor;         /**< 0 auto … 6 windows */
    uint8_t gamepad;            /**< 0 auto … 18 */
    uint8_t video_caps;         /**< PF_PKF1_VIDEO_CAP_* */
    uint8_t audio_channels;     /**< 2, 6 or 8 (decode maps anything else to 2) */
    uint8_t video_codecs;       /**< PF_PKF1_CODEC_* bits; 0 = HEVC only */
    uint8_t preferred_codec;    /**< one codec bit or 0 */
    uint8_t client_caps;        /**< PF_PKF1_CLIENT_CAP_* */
    uint8_t audio_bits;         /**< 16 or 24; 0 = 16 */
    uint8_t audio_layout;       /**< surround coupling id; 0 legacy */
    uint8_t video_fit;          /**< 0 = fit */
    uint8_t has_display_hdr;    /**< 1 when display_hdr is present */
    uint8_t reserved[7];        /**< 0 */
    uint8_t display_hdr[PF_PKF1_HDR_META_BYTES]; /**< HDR10 body (§8.7) if has_display_hdr */
    const uint8_t *name;        /**< UTF-8 device label or NULL; borrowed */
    size_t name_len;            /**< 0 = none; encode truncates to 64 bytes */
    const uint8_t *launch;      /**< UTF-8 store-qualified id or NULL; borrowed */
    size_t launch_len;          /**< 0 = none; encode truncates to 128 bytes */
} pf_pkf1_hello;

/** Welcome (§3.2). Fill with pf_pkf1_welcome_init() before setting fields. Since 0.2. */
typedef struct pf_pkf1_welcome {
    uint32_t wire_version;      /**< PF_PKF1_WIRE_VERSION */
    uint32_t width;             /**< mode actually created */
    uint32_t height;
    uint32_t refresh_hz;
    uint32_t frames;            /**< 0 = unbounded */
    uint32_t bitrate_kbps;
    uint32_t grants;            /**< PF_PKF1_GRANT_*; default all */
    uint32_t expires_in_secs;   /**< 0 = permanent */
    uint32_t audio_rate_hz;     /**< default 48000; decode folds unsupported rates to 48000 */
    uint16_t udp_port;          /**< host's media port */
    uint16_t max_data_per_block; /**< 4096 */
    uint16_t shard_payload;     /**< S, even */
    uint16_t mgmt_port;         /**< 0 = client assumes 47990 */
    uint16_t audio_frame_us;    /**< 0 for Opus; decode floors non-zero at 1000 */
    uint8_t fec_scheme;         /**< PF_PKF1_FEC_GF16 */
    uint8_t fec_percent;        /**< starting parity percentage */
    uint8_t encrypt;            /**< 1 */
    uint8_t compositor;
    uint8_t gamepad;
    uint8_t bit_depth;          /**< 8 or 10 */
    uint8_t color_primaries;    /**< CICP; SDR 1 */
    uint8_t color_transfer;     /**< SDR 1, PQ 16 */
    uint8_t color_matrix;       /**< SDR 1, BT.2020nc 9 */
    uint8_t full_range;         /**< 0 = limited */
    uint8_t chroma_format_idc;  /**< 1 = 4:2:0, 3 = 4:4:4 */
    uint8_t audio_channels;     /**< what 0xC9 carries */
    uint8_t codec;              /**< PF_PKF1_CODEC_* (one bit) */
    uint8_t host_caps;          /**< PF_PKF1_HOST_CAP_* */
    uint8_t cipher;             /**< PF_PKF1_CIPHER_* */
    uint8_t audio_codec;        /**< PF_PKF1_AUDIO_CODEC_* */
    uint8_t audio_bits;         /**< 16 or 24 */
    uint8_t host_caps2;         /**< PF_PKF1_HOST_CAP2_* */
    uint8_t audio_layout;
    uint8_t reserved[3];        /**< 0 */
    uint8_t key[16];            /**< AES-128 key */
    uint8_t salt[4];            /**< nonce salt */
    uint8_t key_chacha[32];     /**< only with cipher 1 */
} pf_pkf1_welcome;

/** Sets every Hello field to its wire default (wire version 2, stereo, 48 kHz/16). Since 0.2. */
PF_EXPORT void pf_pkf1_hello_init(pf_pkf1_hello *hello);

/**
 * Encodes a Hello payload (no frame prefix) by the forcing rules of §3.1.
 * @param out receives at most PF_PKF1_HELLO_MAX_BYTES bytes. @param ret_len its length.
 * @return 0; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT (NULL, a length without its
 *         pointer). Since 0.2.
 */
PF_EXPORT int pf_pkf1_hello_encode(const pf_pkf1_hello *hello, uint8_t *out, size_t out_cap,
                                   size_t *ret_len);

/**
 * Decodes a Hello payload. Only the magic and the first 20 bytes are required.
 * @param ret_hello receives the fields; name/launch point into @p buf. Untouched on failure.
 * @return 0; PF_ERR_MALFORMED (short or wrong magic); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_hello_decode(const uint8_t *buf, size_t len, pf_pkf1_hello *ret_hello);

/**
 * The version gate (§4.3), checked before anything else.
 * @return 0 when @p hello carries PF_PKF1_WIRE_VERSION, else PF_PKF1_CLOSE_WIRE_VERSION
 *         (the close code to send). Since 0.2.
 */
PF_EXPORT uint32_t pf_pkf1_hello_check_version(const pf_pkf1_hello *hello);

/** Sets every Welcome field to its wire default (GF16, 4096, encrypt 1, SDR, stereo, HEVC,
 * grants all, Opus 48 kHz/16). Since 0.2. */
PF_EXPORT void pf_pkf1_welcome_init(pf_pkf1_welcome *welcome);

/**
 * Encodes a Welcome payload: 68 bytes always, then the tail up to its last non-default field
 * (88/89 bytes with host_caps2 set, 120/121 with ChaCha). With @p with_ext every positional
 * field is forced and the extension block of @p entries (possibly empty) follows at offset
 * 89 (121 with ChaCha); send one only to a client that set PF_PKF1_CLIENT_CAP_EXT.
 * @param entries @p count entries; may be NULL when @p count is 0. Borrowed.
 * @return 0; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT (cipher not 0/1, a bad block
 *         as for pf_pkf1_ext_encode()). Since 0.2.
 */
PF_EXPORT int pf_pkf1_welcome_encode(const pf_pkf1_welcome *welcome, int with_ext,
                                     const pf_pkf1_ext_entry *entries, size_t count,
                                     uint8_t *out, size_t out_cap, size_t *ret_len);

/**
 * Decodes a Welcome payload (client side). Fails closed on the cipher byte.
 * @return 0; PF_ERR_MALFORMED (short, magic, cipher >= 2, cipher 1 without 32 key bytes);
 *         PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_welcome_decode(const uint8_t *buf, size_t len,
                                     pf_pkf1_welcome *ret_welcome);

/**
 * Decodes the extension block of a Welcome, if any (after pf_pkf1_welcome_decode()
 * accepted @p buf). @p ret_count is 0 when the Welcome ends at or before the block offset.
 * @return 0; errors of pf_pkf1_ext_decode(). Since 0.2.
 */
PF_EXPORT int pf_pkf1_welcome_decode_ext(const uint8_t *buf, size_t len,
                                         pf_pkf1_ext_entry *entries, size_t cap,
                                         size_t *ret_count);

/**
 * Encodes Start: "PKF1" ‖ LE16 port, plus the extension block of @p entries when
 * @p with_ext (only after a Welcome with PF_PKF1_HOST_CAP2_EXT).
 * @return 0; PF_ERR_BUFFER_TOO_SMALL; PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_start_encode(uint16_t client_udp_port, int with_ext,
                                   const pf_pkf1_ext_entry *entries, size_t count,
                                   uint8_t *out, size_t out_cap, size_t *ret_len);

/**
 * Decodes Start. With @p read_ext (set when the Welcome advertised PF_PKF1_HOST_CAP2_EXT)
 * bytes after the port are an extension block decoded into @p entries; without it they are
 * ignored, as a host without EXT does.
 * @param entries room for @p cap entries (64 covers every valid block); may be NULL when
 *        @p read_ext is 0.
 * @param ret_count receives the entry count (may be NULL when @p read_ext is 0).
 * @return 0; PF_ERR_MALFORMED (short, magic, bad block); PF_ERR_LIMIT (more entries than
 *         @p cap); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_start_decode(const uint8_t *buf, size_t len, int read_ext,
                                   uint16_t *ret_port, pf_pkf1_ext_entry *entries, size_t cap,
                                   size_t *ret_count);

/**
 * Encodes an extension block: LE16 ext_len ‖ (LE16 tag ‖ LE16 len ‖ value)*.
 * @return 0; PF_ERR_INVALID_ARGUMENT (repeated tag, > 64 entries, block > 4096 bytes);
 *         PF_ERR_BUFFER_TOO_SMALL. Since 0.2.
 */
PF_EXPORT int pf_pkf1_ext_encode(const pf_pkf1_ext_entry *entries, size_t count, uint8_t *out,
                                 size_t out_cap, size_t *ret_len);

/**
 * Decodes an extension block at the start of @p buf; bytes after the block are ignored.
 * @return 0; PF_ERR_MALFORMED (truncated, overrun, > 4096 bytes, > 64 entries, repeated tag);
 *         PF_ERR_LIMIT (more entries than @p cap); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_ext_decode(const uint8_t *buf, size_t len, pf_pkf1_ext_entry *entries,
                                 size_t cap, size_t *ret_count);

/**
 * @return the index of the first entry with @p tag, or -1. Since 0.2.
 */
PF_EXPORT int pf_pkf1_ext_find(const pf_pkf1_ext_entry *entries, size_t count, uint16_t tag);

#ifdef __cplusplus
}
#endif

#endif
