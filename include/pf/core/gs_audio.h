/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/gs_audio.h
 * GameStream audio plane: the host's packetizer and the client's reassembler (UDP 48000).
 *
 * Data packets (gamestream-protocol.md §8.3): 12-byte RTP header (0x80, payload type 97,
 * BE16 sequence from 0, BE32 timestamp in milliseconds, SSRC 0) followed by the Opus packet,
 * or by its AES-128-CBC encryption with PKCS#7 padding under
 * IV = BE32(rikeyid + sequence, mod 2^32) ‖ 00×12. That IV repeats every 65536 packets (the
 * RTP sequence is 16 bits); this is the protocol's rule and Moonlight requires it.
 *
 * FEC packets (§8.4): after data packets b…b+3 (b % 4 == 0) two packets of payload type 127
 * with the 12-byte AUDIO_FEC_HEADER and the parity of the fixed 4+2 matrix
 * (PF_RS8_MATRIX_GAMESTREAM_AUDIO) over the four payloads as sent. The four payloads must be
 * equally long (CBR Opus); otherwise the block goes without FEC.
 */
#ifndef PF_CORE_GS_AUDIO_H
#define PF_CORE_GS_AUDIO_H

#include "common.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_GS_AUDIO_RTP_HEADER_BYTES 12u
#define PF_GS_AUDIO_FEC_HEADER_BYTES 12u /**< AUDIO_FEC_HEADER after the RTP header */
#define PF_GS_AUDIO_MAX_DATAGRAM 1400u   /**< the client's receive buffer */
/** Largest payload (Opus or ciphertext) so that FEC packets fit PF_GS_AUDIO_MAX_DATAGRAM. */
#define PF_GS_AUDIO_MAX_PAYLOAD 1376u
#define PF_GS_AUDIO_PT_DATA 97u
#define PF_GS_AUDIO_PT_FEC 127u
#define PF_GS_AUDIO_BLOCK_DATA 4u
#define PF_GS_AUDIO_BLOCK_FEC 2u

/* ------------------------------------------------------------------------------------------ */
/* Packetizer (host)                                                                           */

#define PF_GS_AUDIO_TX_SETTINGS_VERSION 1u

/** Settings of pf_gs_audio_tx_create(); fill with pf_gs_audio_tx_settings_default(). */
typedef struct pf_gs_audio_tx_settings {
    uint32_t version;            /**< PF_GS_AUDIO_TX_SETTINGS_VERSION. Since 0.1. */
    uint32_t packet_duration_ms; /**< x-nv-aqos.packetDuration, 1…100 (default 5). Since 0.1. */
    uint32_t fec;                /**< nonzero: send the FEC pair per block (default 1). Since 0.1. */
    uint32_t encrypt;            /**< nonzero: AES-128-CBC payloads. Since 0.1. */
    uint32_t rikeyid;            /**< IV base when encrypting. Since 0.1. */
    uint8_t key[16];             /**< rikey when encrypting; copied. Since 0.1. */
    const pf_crypto_ops *crypto; /**< NULL for default; borrowed, must outlive. Since 0.1. */
    pf_log_hook log;             /**< debug messages; borrowed. Since 0.1. */
} pf_gs_audio_tx_settings;

/** What pf_gs_audio_tx_packetize() produced: the data packet, then 0 or 2 FEC packets. */
typedef struct pf_gs_audio_tx_result {
    uint32_t packet_count;    /**< 1 or 3. Since 0.1. */
    uint32_t packet_bytes[3]; /**< length of each datagram written. Since 0.1. */
    uint16_t seq;             /**< RTP sequence of the data packet. Since 0.1. */
    uint16_t fec_skipped;     /**< 1 when a block closed without FEC (unequal lengths). Since 0.1. */
    uint32_t timestamp;       /**< RTP timestamp (ms) of the data packet. Since 0.1. */
} pf_gs_audio_tx_result;

typedef struct pf_gs_audio_tx pf_gs_audio_tx;

/** Fills @p ret_settings with defaults. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_gs_audio_tx_settings_default(uint32_t version,
                                              pf_gs_audio_tx_settings *ret_settings);

/**
 * Creates a packetizer; sequence and timestamp start at 0.
 * @param settings borrowed; NULL for defaults (plaintext, 5 ms, FEC on).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; errors of the crypto ops.
 * Ownership: *ret_tx belongs to the caller. Threading: one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_gs_audio_tx_create(const pf_gs_audio_tx_settings *settings,
                                    pf_gs_audio_tx **ret_tx);

/** Destroys @p tx and wipes its key; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_gs_audio_tx_destroy(pf_gs_audio_tx *tx);

/**
 * Packs one Opus packet. Datagram i goes to @p out + i × @p stride; the FEC pair follows
 * the data packet whose sequence is 3 mod 4. A stride of PF_GS_AUDIO_MAX_DATAGRAM and an
 * @p out_cap of three strides always suffice.
 * @param opus borrowed, 1…PF_GS_AUDIO_MAX_PAYLOAD bytes (after encryption's padding).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_LIMIT (payload too large);
 *         PF_ERR_BUFFER_TOO_SMALL; PF_ERR_CRYPTO. On error the numbering is unchanged.
 * Since 0.1.
 */
PF_EXPORT int pf_gs_audio_tx_packetize(pf_gs_audio_tx *tx, const uint8_t *opus, size_t len,
                                       uint8_t *out, size_t out_cap, size_t stride,
                                       pf_gs_audio_tx_result *ret_result);

/* ------------------------------------------------------------------------------------------ */
/* Reassembler (client)                                                                        */

/** A decoded Opus packet, valid only during the on_packet callback. */
typedef struct pf_gs_audio_packet {
    const uint8_t *data; /**< Opus bytes (decrypted); borrowed */
    size_t len;
    uint16_t seq;        /**< RTP sequence */
    uint16_t recovered;  /**< 1 when rebuilt from FEC */
    uint32_t timestamp;  /**< RTP timestamp in ms (regenerated for recovered packets) */
} pf_gs_audio_packet;

/** Callbacks of the audio reassembler; run on the feeding thread; no re-entry. */
typedef struct pf_gs_audio_rx_callbacks {
    /** The next Opus packet in sequence order. May be NULL. */
    void (*on_packet)(void *user_data, const pf_gs_audio_packet *packet);
    /** Packets @p first_seq … first_seq + count - 1 are lost for good. May be NULL. */
    void (*on_lost)(void *user_data, uint16_t first_seq, uint32_t count);
    void *user_data; /**< borrowed */
} pf_gs_audio_rx_callbacks;

#define PF_GS_AUDIO_RX_SETTINGS_VERSION 1u

/** Settings of pf_gs_audio_rx_create(); fill with pf_gs_audio_rx_settings_default(). */
typedef struct pf_gs_audio_rx_settings {
    uint32_t version;            /**< PF_GS_AUDIO_RX_SETTINGS_VERSION. Since 0.1. */
    uint32_t packet_duration_ms; /**< for regenerated timestamps, 1…100 (default 5). Since 0.1. */
    uint32_t max_pending_blocks; /**< blocks held while waiting for a gap, 1…16 (default 3):
                                      the latency/recovery trade-off. Since 0.1. */
    uint32_t decrypt;            /**< nonzero: payloads are AES-128-CBC. Since 0.1. */
    uint32_t rikeyid;            /**< IV base when decrypting. Since 0.1. */
    uint8_t key[16];             /**< rikey; copied. Since 0.1. */
    const pf_crypto_ops *crypto; /**< NULL for default; borrowed, must outlive. Since 0.1. */
    pf_gs_audio_rx_callbacks callbacks; /**< copied. Since 0.1. */
    pf_log_hook log;             /**< borrowed. Since 0.1. */
} pf_gs_audio_rx_settings;

/** Counters of an audio reassembler. */
typedef struct pf_gs_audio_rx_stats {
    uint64_t packets_delivered;
    uint64_t packets_recovered; /**< rebuilt from FEC */
    uint64_t packets_lost;      /**< reported through on_lost */
    uint64_t packets_malformed;
    uint64_t packets_stale;     /**< duplicates and late packets */
    uint64_t decrypt_failed;    /**< bad padding after decryption */
} pf_gs_audio_rx_stats;

typedef struct pf_gs_audio_rx pf_gs_audio_rx;

/** Fills @p ret_settings with defaults. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_gs_audio_rx_settings_default(uint32_t version,
                                              pf_gs_audio_rx_settings *ret_settings);

/**
 * Creates an audio reassembler; all memory (max_pending_blocks × 6 payload slots) is
 * allocated here.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; errors of pf_rs8_create().
 * Ownership: *ret_rx belongs to the caller. Threading: one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_gs_audio_rx_create(const pf_gs_audio_rx_settings *settings,
                                    pf_gs_audio_rx **ret_rx);

/** Destroys @p rx and wipes its key; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_gs_audio_rx_destroy(pf_gs_audio_rx *rx);

/**
 * Feeds one datagram (data or FEC). Delivers every packet that is now next in order,
 * rebuilding a lost data packet from any four of its block's six shards; when a packet
 * beyond the pending window arrives, the oldest block is given up (on_lost).
 * Any byte sequence is safe to feed.
 * @return 0; PF_ERR_REPLAY (duplicate or too old); PF_ERR_MALFORMED; PF_ERR_AUTH (a packet
 *         that decrypted with bad padding; it is reported lost); PF_ERR_INVALID_ARGUMENT.
 * Since 0.1.
 */
PF_EXPORT int pf_gs_audio_rx_feed(pf_gs_audio_rx *rx, const uint8_t *pkt, size_t len);

/** Copies the counters. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_gs_audio_rx_get_stats(const pf_gs_audio_rx *rx,
                                       pf_gs_audio_rx_stats *ret_stats);

#ifdef __cplusplus
}
#endif

#endif
