/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/pkf1_media.h
 * punktfunk/1 media (video) plane on raw UDP (native-protocol.md §7): the host's packetizer
 * and the client's reassembler.
 *
 * Datagram: BE64 seq ‖ AEAD(header(40) ‖ shard(S)) ‖ tag(16) — 64 bytes over S. seq is a
 * per-session counter from 0, one per sealed datagram in emission order; it is the AAD, and
 * the nonce is salt' ‖ BE64(seq) with salt'[0] = (salt[0] & 0x7F) | dir << 7 (dir 0 = host
 * to client). AES-128-GCM (Welcome cipher 0, 16-byte key) or ChaCha20-Poly1305 (cipher 1,
 * 32-byte key).
 *
 * Access unit of L bytes: total = max(1, ceil(L / S)) data shards (the last zero-padded), in
 * blocks of at most D = 4096; block of k data shards gets m = max(ceil(k·P/100), 2) parity
 * shards (0 when P = 0), clamped to max_total − k with max_total = D + that rule at the
 * Welcome percentage; more where the measured loss needs it (pf_pkf1_video_tx_set_loss_ppm()).
 * Parity is GF(2^16) Reed–Solomon byte-identical to reed-solomon-simd 3.1 (pf/core/rs16.h).
 * Wire order: every data shard of every block, then every parity shard, block by block.
 * Flags: PIC on all, SOF on the first, EOF on the last emitted.
 *
 * No sockets, clocks, threads or globals: bytes in, bytes out.
 */
#ifndef PF_CORE_PKF1_MEDIA_H
#define PF_CORE_PKF1_MEDIA_H

#include "common.h"
#include "crypto.h"
#include "rs16.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_PKF1_MEDIA_SEQ_BYTES 8u
#define PF_PKF1_MEDIA_HEADER_BYTES 40u
#define PF_PKF1_MEDIA_OVERHEAD 64u       /**< seq + header + tag */
#define PF_PKF1_MEDIA_MAGIC 0xC9u
#define PF_PKF1_MEDIA_VERSION 1u         /**< header version byte pkf1 hosts stamp */
#define PF_PKF1_MEDIA_MAX_DATA_PER_BLOCK 4096u
#define PF_PKF1_MEDIA_MIN_RECOVERY 2u
#define PF_PKF1_MEDIA_MAX_FEC_PERCENT 90u
#define PF_PKF1_MEDIA_MIN_SHARD 512u
#define PF_PKF1_MEDIA_MAX_SHARD 9152u    /**< 9216 − 64 */
#define PF_PKF1_MEDIA_SHARD_IPV4 1408u   /**< MTU 1500 − 20 − 8 − 64 */
#define PF_PKF1_MEDIA_SHARD_IPV6 1388u
#define PF_PKF1_MEDIA_DIR_HOST 0u        /**< nonce direction bit: host → client */
#define PF_PKF1_MEDIA_DIR_CLIENT 1u
#define PF_PKF1_PUNCH "PFpunch1"         /**< the client's 8-byte hole punch (§7.1) */
#define PF_PKF1_PUNCH_BYTES 8u

/** Transport flags (header byte 39). */
#define PF_PKF1_MEDIA_FLAG_PIC 0x01u
#define PF_PKF1_MEDIA_FLAG_EOF 0x02u
#define PF_PKF1_MEDIA_FLAG_SOF 0x04u
#define PF_PKF1_MEDIA_FLAG_PROBE 0x08u

/** AU-level user_flags (header bytes 20–23); the low nibble is GameStream's FLAG_*. */
#define PF_PKF1_USER_FLAG_RECOVERY_POINT 0x10u
#define PF_PKF1_USER_FLAG_RECOVERY_ANCHOR 0x20u
#define PF_PKF1_USER_FLAG_CHUNK_ALIGNED 0x40u
#define PF_PKF1_USER_FLAG_SLICE_STREAM 0x80u
#define PF_PKF1_USER_FLAG_REPEAT 0x100u
#define PF_PKF1_USER_FLAG_RECOVERY_CLOSE 0x200u

/** The 40-byte header (§7.4), all little-endian on the wire. Since 0.2. */
typedef struct pf_pkf1_media_header {
    uint64_t pts_ns;          /**< capture time, host CLOCK_REALTIME ns */
    uint32_t frame_index;     /**< AU number (wraps) */
    uint32_t stream_seq;      /**< packetizer's per-packet counter */
    uint32_t frame_bytes;     /**< AU length */
    uint32_t user_flags;      /**< PF_PKF1_USER_FLAG_* */
    uint16_t block_index;
    uint16_t block_count;     /**< 0 = streamed sentinel (not produced or accepted here) */
    uint16_t data_shards;     /**< k */
    uint16_t recovery_shards; /**< m */
    uint16_t shard_index;     /**< 0…k−1 data, k…k+m−1 parity */
    uint16_t shard_bytes;     /**< S */
    uint8_t magic;            /**< PF_PKF1_MEDIA_MAGIC */
    uint8_t version;          /**< sender's phase byte (1); ignored on receive */
    uint8_t fec_scheme;       /**< PF_PKF1_FEC_GF16 */
    uint8_t flags;            /**< PF_PKF1_MEDIA_FLAG_* */
} pf_pkf1_media_header;

/** Writes @p h as 40 bytes at @p out. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_media_header_encode(const pf_pkf1_media_header *h, uint8_t *out);

/**
 * Reads a 40-byte header. Only the layout is checked here (length, magic); the reassembler
 * applies the shape rules of §7.6.
 * @return 0; PF_ERR_MALFORMED (short or not magic 0xC9); PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_media_header_decode(const uint8_t *buf, size_t len,
                                          pf_pkf1_media_header *ret_header);

/**
 * Builds the 12-byte AEAD nonce salt' ‖ BE64(seq).
 * @param salt the Welcome's 4-byte salt. @param dir PF_PKF1_MEDIA_DIR_*. @param out 12 bytes.
 * @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_pkf1_media_nonce(const uint8_t *salt, uint32_t dir, uint64_t seq,
                                  uint8_t *out);

/**
 * Parity shards of a block of @p k data shards at @p fec_percent (capped at 90) under a
 * Welcome percentage of @p welcome_percent, blocks of @p max_data_per_block (§7.6 step 3).
 * @return m (0 when @p fec_percent is 0). Since 0.2.
 */
PF_EXPORT uint32_t pf_pkf1_media_recovery_for(uint32_t k, uint32_t fec_percent,
                                              uint32_t welcome_percent,
                                              uint32_t max_data_per_block);

/** The block failure probability pf_pkf1_media_recovery_for_loss() sizes parity for. */
#define PF_PKF1_MEDIA_BLOCK_FAILURE 1e-6

/**
 * Parity shards of a block of @p k data shards when each datagram is lost independently with
 * probability @p loss_ppm / 10^6: the larger of pf_pkf1_media_recovery_for() and the least m
 * for which P(more than m of the k + m shards are lost) < PF_PKF1_MEDIA_BLOCK_FAILURE, the
 * latter kept within what receivers accept (k + m <= D + ceil(0.9·D), at most 65535, and
 * m <= D; §7.6 step 6). The wire states each block's k and m, so a v0.43.1 client decodes
 * any such block (m > k included).
 *
 * Equal to pf_pkf1_media_recovery_for() when @p loss_ppm is 0 (a clean link costs nothing
 * more) and 0 when @p fec_percent is 0 (FEC off). Non-decreasing in @p loss_ppm and in @p k.
 * Cost: O(log D) binomial tails of O(sqrt(k)) terms each, tens of microseconds for a full
 * 4096-shard block; pf_pkf1_video_tx caches the shapes it uses.
 * @return m. Since 0.3.
 */
PF_EXPORT uint32_t pf_pkf1_media_recovery_for_loss(uint32_t k, uint32_t fec_percent,
                                                   uint32_t welcome_percent,
                                                   uint32_t max_data_per_block,
                                                   uint32_t loss_ppm);

/* ------------------------------------------------------------------------------------------ */
/* Packetizer (host)                                                                           */

#define PF_PKF1_VIDEO_TX_SETTINGS_VERSION 1u

/** Settings of pf_pkf1_video_tx_create(); fill with pf_pkf1_video_tx_settings_default(). */
typedef struct pf_pkf1_video_tx_settings {
    uint32_t version;            /**< PF_PKF1_VIDEO_TX_SETTINGS_VERSION. Since 0.2. */
    uint32_t shard_payload;      /**< S: even, 512…9152 (default 1408). Since 0.2. */
    uint32_t max_shard_payload;  /**< largest S pf_pkf1_video_tx_set_shard_payload() may set,
                                      sizes the buffers (default = shard_payload). Since 0.2. */
    uint32_t max_data_per_block; /**< D, 1…4096 (default 4096). Since 0.2. */
    uint32_t welcome_fec_percent; /**< the Welcome fec_percent, 0…90 (default 10): bounds a
                                       full block's parity. Since 0.2. */
    uint32_t fec_percent;        /**< starting parity percentage, 0…90 (default 10). Since 0.2. */
    uint32_t cipher;             /**< PF_AEAD_AES128_GCM or PF_AEAD_CHACHA20_POLY1305. Since 0.2. */
    uint8_t key[32];             /**< 16 bytes (AES) or 32 (ChaCha); copied. Since 0.2. */
    uint8_t salt[4];             /**< Welcome salt; copied. Since 0.2. */
    uint32_t encrypt;            /**< 1 (default); 0 sends header ‖ shard in clear (tests). Since 0.2. */
    uint64_t first_seq;          /**< first wire seq (default 0). Since 0.2. */
    const pf_crypto_ops *crypto; /**< NULL for default; borrowed, must outlive. Since 0.2. */
    const pf_rs16_tables *rs16_tables; /**< shared tables or NULL (built, ~30 ms); borrowed,
                                            must outlive. Since 0.2. */
    uint32_t simd;               /**< PF_SIMD_* for the FEC (default AUTO). Since 0.2. */
    pf_log_hook log;             /**< debug messages; borrowed. Since 0.2. */
} pf_pkf1_video_tx_settings;

/** Per-AU metadata of pf_pkf1_video_tx_packetize(). Since 0.2. */
typedef struct pf_pkf1_video_frame_info {
    uint64_t pts_ns;      /**< capture time, host CLOCK_REALTIME ns */
    uint32_t frame_index; /**< AU number; the host owns this counter (probe AUs use their own) */
    uint32_t user_flags;  /**< PF_PKF1_USER_FLAG_* */
    uint32_t probe;       /**< nonzero: speed-test filler (FLAG_PROBE on every packet) */
    uint32_t reserved;    /**< 0 */
} pf_pkf1_video_frame_info;

/** What pf_pkf1_video_tx_packetize() produced. Since 0.2. */
typedef struct pf_pkf1_video_tx_result {
    uint32_t packet_count;  /**< datagrams written, stride apart, in wire order */
    uint32_t packet_bytes;  /**< length of each (all equal: S + 64) */
    uint32_t data_shards;   /**< data datagrams (they come first) */
    uint32_t parity_shards; /**< parity datagrams */
    uint32_t block_count;
    uint32_t reserved;      /**< 0 */
    uint64_t first_seq;     /**< wire seq of the first datagram */
} pf_pkf1_video_tx_result;

typedef struct pf_pkf1_video_tx pf_pkf1_video_tx;

/** Fills @p ret with defaults of layout @p version. @return 0 or PF_ERR_INVALID_ARGUMENT.
 * Since 0.2. */
PF_EXPORT int pf_pkf1_video_tx_settings_default(uint32_t version,
                                                pf_pkf1_video_tx_settings *ret);

/**
 * Creates a packetizer: keyed AEAD, FEC codecs and pointer tables are set up here, so
 * packetizing allocates nothing except the first time a block shape is met (a small cache
 * of GF(2^16) codecs; see pf/core/rs16.h).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; errors of pf_aead_create().
 * Ownership: *ret_tx is the caller's. Threading: one thread at a time. Since 0.2.
 */
PF_EXPORT int pf_pkf1_video_tx_create(const pf_pkf1_video_tx_settings *settings,
                                      pf_pkf1_video_tx **ret_tx);

/** Destroys @p tx (NULL allowed) and wipes its key. Since 0.2. */
PF_EXPORT void pf_pkf1_video_tx_destroy(pf_pkf1_video_tx *tx);

/** Sets the parity percentage for the next AUs (adaptive FEC), 0…90.
 * @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_video_tx_set_fec_percent(pf_pkf1_video_tx *tx, uint32_t fec_percent);

/**
 * Sets the per-datagram loss the next AUs' parity is sized for (see
 * pf_pkf1_media_recovery_for_loss(); the host's estimate, pf_pkf1_fec_loss_estimate()),
 * 0…1000000 ppm. 0, the default, gives the percentage rule alone, byte for byte.
 * @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.3.
 */
PF_EXPORT int pf_pkf1_video_tx_set_loss_ppm(pf_pkf1_video_tx *tx, uint32_t loss_ppm);

/** Sets S for the next AUs (§9.4): even, 512…max_shard_payload.
 * @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_video_tx_set_shard_payload(pf_pkf1_video_tx *tx, uint32_t shard_payload);

/** @return the wire seq the next datagram will carry (0 for NULL). Since 0.2. */
PF_EXPORT uint64_t pf_pkf1_video_tx_get_next_seq(const pf_pkf1_video_tx *tx);

/**
 * Sizes pf_pkf1_video_tx_packetize()'s output for an AU of @p au_len bytes.
 * @param ret_packet_bytes S + 64. @param ret_packets datagrams that AU needs now.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_LIMIT (AU over 4 GiB or over 65535 blocks).
 * Since 0.2.
 */
PF_EXPORT int pf_pkf1_video_tx_get_frame_size(const pf_pkf1_video_tx *tx, size_t au_len,
                                              uint32_t *ret_packet_bytes,
                                              uint32_t *ret_packets);

/**
 * Packetizes, protects and seals one AU. Datagram i is written at @p out + i × @p stride.
 * wire seq and stream_seq continue across calls.
 * @param au borrowed; may be NULL when @p au_len is 0 (one zero shard is sent).
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_BUFFER_TOO_SMALL (nothing consumed);
 *         PF_ERR_LIMIT; PF_ERR_NOMEM (a new codec shape); PF_ERR_CRYPTO. On error the
 *         counters are unchanged. Threading: as the object. Since 0.2.
 */
PF_EXPORT int pf_pkf1_video_tx_packetize(pf_pkf1_video_tx *tx,
                                         const pf_pkf1_video_frame_info *info,
                                         const uint8_t *au, size_t au_len, uint8_t *out,
                                         size_t out_cap, size_t stride,
                                         pf_pkf1_video_tx_result *ret_result);

/* ------------------------------------------------------------------------------------------ */
/* Reassembler (client)                                                                        */

/** A reassembled AU, valid only during on_frame. Since 0.2. */
typedef struct pf_pkf1_video_frame {
    const uint8_t *data;        /**< AU bytes; borrowed */
    size_t len;                 /**< frame_bytes */
    uint64_t pts_ns;
    uint32_t frame_index;
    uint32_t user_flags;
    uint32_t received_shards;   /**< data + parity shards that arrived for this AU */
    uint32_t recovered_shards;  /**< data shards rebuilt by FEC */
} pf_pkf1_video_frame;

/** Callbacks; each gets @c user_data first, runs inside pf_pkf1_video_rx_feed() and may not
 * call back into the reassembler. Since 0.2. */
typedef struct pf_pkf1_video_rx_callbacks {
    void (*on_frame)(void *user_data, const pf_pkf1_video_frame *frame); /**< may be NULL */
    /** AUs @p first … first + count − 1 will never complete (RfiRequest them). May be NULL. */
    void (*on_frames_lost)(void *user_data, uint32_t first, uint32_t count);
    void *user_data; /**< borrowed */
} pf_pkf1_video_rx_callbacks;

#define PF_PKF1_VIDEO_RX_SETTINGS_VERSION 1u

/** Settings of pf_pkf1_video_rx_create(); fill with pf_pkf1_video_rx_settings_default(). */
typedef struct pf_pkf1_video_rx_settings {
    uint32_t version;            /**< PF_PKF1_VIDEO_RX_SETTINGS_VERSION. Since 0.2. */
    uint32_t shard_payload;      /**< Welcome S (default 1408). Since 0.2. */
    uint32_t max_shard_payload;  /**< this client's ceiling (its Hello max_shard_payload, or S),
                                      <= 9152. Since 0.2. */
    uint32_t max_data_per_block; /**< Welcome D (default 4096). Since 0.2. */
    uint32_t max_frame_bytes;    /**< largest AU accepted (default 8 MiB); sizes the buffers
                                      (about 2 × max_frame_bytes, touched only as used). Since 0.2. */
    uint32_t cipher;             /**< PF_AEAD_*. Since 0.2. */
    uint8_t key[32];             /**< copied. Since 0.2. */
    uint8_t salt[4];             /**< copied. Since 0.2. */
    uint32_t decrypt;            /**< 1 (default). Since 0.2. */
    uint32_t first_frame_index;  /**< first AU expected (default 0). Since 0.2. */
    const pf_crypto_ops *crypto; /**< NULL for default; borrowed. Since 0.2. */
    const pf_rs16_tables *rs16_tables; /**< shared tables or NULL; borrowed. Since 0.2. */
    uint32_t simd;               /**< PF_SIMD_* (default AUTO). Since 0.2. */
    pf_pkf1_video_rx_callbacks callbacks; /**< copied. Since 0.2. */
    pf_log_hook log;             /**< borrowed. Since 0.2. */
} pf_pkf1_video_rx_settings;

/** Counters of a reassembler (monotonic). Since 0.2. */
typedef struct pf_pkf1_video_rx_stats {
    uint64_t packets_received;  /**< authenticated datagrams (DeliveryReport counts these) */
    uint64_t packets_malformed;
    uint64_t packets_auth_failed;
    uint64_t packets_replayed;  /**< duplicate or too-old seq */
    uint64_t packets_stale;     /**< shards of finished blocks or older AUs ("late") */
    uint64_t packets_probe;     /**< FLAG_PROBE filler, counted and dropped */
    uint64_t frames_delivered;
    uint64_t frames_lost;
    uint64_t shards_received;   /**< shards stored (LossReport's "received") */
    uint64_t shards_recovered;  /**< data shards rebuilt (LossReport's "recovered") */
    uint64_t shards_late;       /**< shards of a block already rebuilt (LossReport's "late") */
} pf_pkf1_video_rx_stats;

typedef struct pf_pkf1_video_rx pf_pkf1_video_rx;

/** Fills @p ret with defaults of layout @p version. Since 0.2. */
PF_EXPORT int pf_pkf1_video_rx_settings_default(uint32_t version,
                                                pf_pkf1_video_rx_settings *ret);

/**
 * Creates a reassembler holding one AU at a time; buffers are allocated here.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; errors of pf_aead_create().
 * Ownership: *ret_rx is the caller's. Threading: one thread at a time. Since 0.2.
 */
PF_EXPORT int pf_pkf1_video_rx_create(const pf_pkf1_video_rx_settings *settings,
                                      pf_pkf1_video_rx **ret_rx);

/** Destroys @p rx (NULL allowed) and wipes its key. Since 0.2. */
PF_EXPORT void pf_pkf1_video_rx_destroy(pf_pkf1_video_rx *rx);

/**
 * Feeds one datagram from the media socket: anti-replay window over seq, open, header rules
 * of §7.6, store, FEC as soon as a block holds k shards, on_frame when the AU completes. A
 * shard of a newer AU abandons an unfinished one (on_frames_lost). Any bytes are safe.
 * @return 0 (stored or counted); PF_ERR_REPLAY (duplicate seq, finished block, older AU);
 *         PF_ERR_MALFORMED; PF_ERR_AUTH; PF_ERR_LIMIT (an AU beyond the configured bounds);
 *         PF_ERR_UNSUPPORTED (a GF(2^8) block: hosts send GF(2^16) only); PF_ERR_NOMEM
 *         (a new codec shape). Since 0.2.
 */
PF_EXPORT int pf_pkf1_video_rx_feed(pf_pkf1_video_rx *rx, const uint8_t *pkt, size_t len);

/** Copies the counters to @p ret_stats. @return 0 or PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_pkf1_video_rx_get_stats(const pf_pkf1_video_rx *rx,
                                         pf_pkf1_video_rx_stats *ret_stats);

#ifdef __cplusplus
}
#endif

#endif
