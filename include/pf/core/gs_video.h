/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/core/gs_video.h
 * GameStream video plane: the host's packetizer and the client's reassembler (UDP 47998).
 *
 * Wire format (gamestream-protocol.md §6.2): every datagram is one shard of 16 + P bytes,
 * P being the SDP `x-nv-video[0].packetSize`: a 16-byte RTP header (X bit set), the 16-byte
 * NV_VIDEO_PACKET header, then P - 16 payload bytes. A frame is an 8-byte frame header plus
 * the access unit, cut into shards, grouped into at most 4 Reed–Solomon blocks (pf/core/rs8.h)
 * whose parity covers the whole 16 + P-byte data shards.
 *
 * Encryption (§6.6, optional): each shard becomes a 32-byte prefix ‖ AES-128-GCM ciphertext:
 * bytes 0–11 the nonce, 12–15 LE32 frameIndex, 16–31 the tag. The packetizer builds the nonce
 * as LE64(counter) ‖ 00 00 00 ‖ 'V', the counter starting at 0 and advancing by one per
 * datagram (data and parity) for the life of the object, so a key must belong to one
 * packetizer only. The reassembler accepts any nonce. P is then the already reduced
 * packetSize (the client subtracts 32), so the datagram stays 16 + P + 32 bytes.
 *
 * No sockets, clocks, threads or globals: bytes in, bytes out.
 */
#ifndef PF_CORE_GS_VIDEO_H
#define PF_CORE_GS_VIDEO_H

#include "common.h"
#include "crypto.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_GS_VIDEO_RTP_HEADER_BYTES 16u   /**< RTP header with the 4 extension bytes */
#define PF_GS_VIDEO_SHARD_HEADER_BYTES 32u /**< RTP header + NV_VIDEO_PACKET */
#define PF_GS_VIDEO_FRAME_HEADER_BYTES 8u  /**< the short frame header (type 0x01) */
#define PF_GS_VIDEO_CRYPTO_PREFIX_BYTES 32u /**< nonce, frameIndex and tag of §6.6 */
#define PF_GS_VIDEO_MAX_BLOCKS 4u          /**< 2-bit block fields */
#define PF_GS_VIDEO_MAX_BLOCK_DATA 1023u   /**< 10-bit data-shard count */
#define PF_GS_VIDEO_MIN_PACKET_SIZE 48u    /**< smallest P: 32 header bytes plus 16 payload */
#define PF_GS_VIDEO_MAX_PACKET_SIZE 9000u  /**< largest P accepted here (jumbo frames) */

/** NV_VIDEO_PACKET flags (byte 24). */
#define PF_GS_VIDEO_FLAG_PIC_DATA 0x01u
#define PF_GS_VIDEO_FLAG_EOF 0x02u
#define PF_GS_VIDEO_FLAG_SOF 0x04u

/** Frame types of the frame header (§6.3 step 1). */
#define PF_GS_FRAME_TYPE_P 1u
#define PF_GS_FRAME_TYPE_IDR 2u
#define PF_GS_FRAME_TYPE_P_INTRA_REFRESH 4u
#define PF_GS_FRAME_TYPE_P_AFTER_RFI 5u

/* ------------------------------------------------------------------------------------------ */
/* Packetizer (host)                                                                           */

#define PF_GS_VIDEO_TX_SETTINGS_VERSION 1u

/** Settings of pf_gs_video_tx_create(); fill with pf_gs_video_tx_settings_default(). */
typedef struct pf_gs_video_tx_settings {
    uint32_t version;      /**< PF_GS_VIDEO_TX_SETTINGS_VERSION. Since 0.1. */
    uint32_t packet_size;  /**< P of §6.2, 48…9000 (default 1392). Since 0.1. */
    uint32_t fec_percent;  /**< parity percentage, 0…255 (default 20). Since 0.1. */
    uint32_t min_parity;   /**< minRequiredFecPackets, 0…2 (default 2). Since 0.1. */
    uint32_t first_frame_index; /**< frameIndex of the first frame, >= 1 (default 1). Since 0.1. */
    uint32_t encrypt;      /**< nonzero: seal every datagram (§6.6). Since 0.1. */
    uint8_t key[16];       /**< rikey when @c encrypt is set; copied. Since 0.1. */
    const pf_crypto_ops *crypto; /**< NULL for the default ops; borrowed, must outlive. Since 0.1. */
    uint32_t max_shapes;   /**< RS codecs cached per (k, m), 1…256 (default 64; 256 holds
                                every shape of a fixed fec_percent, about 25 KB each, so no
                                frame ever builds a codec). Since 0.1. */
    pf_log_hook log;       /**< debug messages; borrowed. Since 0.1. */
} pf_gs_video_tx_settings;

#define PF_GS_VIDEO_FRAME_INFO_VERSION 1u

/** Per-frame metadata of pf_gs_video_tx_packetize(). */
typedef struct pf_gs_video_frame_info {
    uint32_t version;        /**< PF_GS_VIDEO_FRAME_INFO_VERSION. Since 0.1. */
    uint32_t frame_type;     /**< PF_GS_FRAME_TYPE_*, 0…255. Since 0.1. */
    uint32_t host_latency;   /**< host processing time in 0.1 ms units, saturates at 65535. Since 0.1. */
    uint32_t rtp_timestamp;  /**< 90 kHz timestamp shared by every datagram. Since 0.1. */
    uint32_t extra_flags;    /**< NV_VIDEO_PACKET extraFlags (0x01 LTR frame), 0…255. Since 0.1. */
} pf_gs_video_frame_info;

/** What pf_gs_video_tx_packetize() produced. */
typedef struct pf_gs_video_tx_result {
    uint32_t packet_count;  /**< datagrams written, at stride apart. Since 0.1. */
    uint32_t packet_bytes;  /**< length of every one of them (all are full size). Since 0.1. */
    uint32_t frame_index;   /**< frameIndex this frame got. Since 0.1. */
    uint32_t block_count;   /**< FEC blocks, 1…4. Since 0.1. */
    uint32_t data_shards;   /**< data datagrams. Since 0.1. */
    uint32_t parity_shards; /**< parity datagrams. Since 0.1. */
    uint32_t fec_skipped;   /**< 1 when the frame needed more than 4 blocks and went without
                                 parity (§6.3 step 3). Since 0.1. */
    uint16_t first_seq;     /**< RTP sequence of the first datagram. Since 0.1. */
    uint16_t reserved;      /**< 0 */
} pf_gs_video_tx_result;

typedef struct pf_gs_video_tx pf_gs_video_tx;

/**
 * Fills @p ret_settings with the defaults of layout @p version.
 * @return 0; PF_ERR_INVALID_ARGUMENT for NULL or an unknown version. Since 0.1.
 */
PF_EXPORT int pf_gs_video_tx_settings_default(uint32_t version,
                                              pf_gs_video_tx_settings *ret_settings);

/**
 * Creates a packetizer. RTP sequence and packet counter start at 0, frameIndex at
 * @c first_frame_index, the nonce counter at 0.
 * @param settings borrowed; NULL for defaults (plaintext, P = 1392).
 * @param ret_tx receives the packetizer.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, a field out of range, unknown version);
 *         PF_ERR_NOMEM; PF_ERR_UNSUPPORTED or PF_ERR_CRYPTO from the crypto ops.
 *
 * Ownership: *ret_tx belongs to the caller; release with pf_gs_video_tx_destroy().
 * Threading: one thread at a time per packetizer. Since 0.1.
 */
PF_EXPORT int pf_gs_video_tx_create(const pf_gs_video_tx_settings *settings,
                                    pf_gs_video_tx **ret_tx);

/** Destroys @p tx and wipes its key; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_gs_video_tx_destroy(pf_gs_video_tx *tx);

/**
 * Changes the parity percentage for the frames packetized from now on (adaptive FEC: more
 * parity while the client reports losses). Frames already returned are not affected, and
 * the numbering continues. A frame needs more packets at a higher percentage: ask
 * pf_gs_video_tx_get_frame_size() again before sizing its buffer.
 * @param fec_percent 0…255, as pf_gs_video_tx_settings.fec_percent.
 * @return 0, or PF_ERR_INVALID_ARGUMENT for NULL or a percentage above 255. Since 0.1.
 */
PF_EXPORT int pf_gs_video_tx_set_fec_percent(pf_gs_video_tx *tx, uint32_t fec_percent);

/** @return the parity percentage in use, or 0 for NULL. Since 0.1. */
PF_EXPORT uint32_t pf_gs_video_tx_get_fec_percent(const pf_gs_video_tx *tx);

/**
 * Sizes the output of pf_gs_video_tx_packetize() for an access unit of @p au_len bytes.
 * @param ret_packet_bytes receives the datagram length (16 + P, plus 32 when encrypting).
 * @param ret_max_packets receives the most datagrams that frame can need.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_LIMIT when the frame cannot be sent at all
 *         (more than 4 × 1023 shards). Since 0.1.
 */
PF_EXPORT int pf_gs_video_tx_get_frame_size(const pf_gs_video_tx *tx, size_t au_len,
                                            uint32_t *ret_packet_bytes,
                                            uint32_t *ret_max_packets);

/**
 * Cuts one access unit into datagrams (§6.3): data and parity of block 0, then block 1, …
 * Datagram i is written at @p out + i × @p stride. Numbering (§6.4) continues across calls.
 * No allocation once every (k, m) shape of the frame has been seen before.
 * @param info frame metadata; borrowed.
 * @param au the encoded access unit, @p au_len >= 1 bytes; borrowed.
 * @param out caller-owned buffer of @p out_cap bytes; @p stride >= packet_bytes.
 * @param ret_result receives counts and lengths.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_BUFFER_TOO_SMALL (nothing consumed: numbering
 *         is unchanged); PF_ERR_LIMIT (frame too large); PF_ERR_NOMEM; PF_ERR_CRYPTO.
 *         On error numbering is unchanged and @p out may hold partial bytes.
 * Threading: as the object. Since 0.1.
 */
PF_EXPORT int pf_gs_video_tx_packetize(pf_gs_video_tx *tx, const pf_gs_video_frame_info *info,
                                       const uint8_t *au, size_t au_len, uint8_t *out,
                                       size_t out_cap, size_t stride,
                                       pf_gs_video_tx_result *ret_result);

/* ------------------------------------------------------------------------------------------ */
/* Reassembler (client)                                                                        */

/** A reassembled frame, valid only during the on_frame callback. */
typedef struct pf_gs_video_frame {
    const uint8_t *data;    /**< access unit, frame header stripped, trimmed; borrowed */
    size_t len;             /**< bytes at data */
    uint32_t frame_index;   /**< frameIndex of the frame */
    uint32_t frame_type;    /**< frame-header type byte (PF_GS_FRAME_TYPE_*) */
    uint32_t host_latency;  /**< frame-header latency, 0.1 ms units */
    uint32_t rtp_timestamp; /**< RTP timestamp of the datagrams */
    uint32_t recovered_shards; /**< data shards rebuilt by FEC for this frame */
} pf_gs_video_frame;

/**
 * Callbacks of the reassembler; every one receives @c user_data first and runs on the
 * thread that called pf_gs_video_rx_feed(). They may not call back into the reassembler.
 */
typedef struct pf_gs_video_rx_callbacks {
    /** A complete frame; @p frame and its bytes are borrowed for the call. May be NULL. */
    void (*on_frame)(void *user_data, const pf_gs_video_frame *frame);
    /** Frames @p first_index … first_index + count - 1 will never complete. May be NULL. */
    void (*on_frames_lost)(void *user_data, uint32_t first_index, uint32_t count);
    void *user_data; /**< borrowed */
} pf_gs_video_rx_callbacks;

#define PF_GS_VIDEO_RX_SETTINGS_VERSION 1u

/** Settings of pf_gs_video_rx_create(); fill with pf_gs_video_rx_settings_default(). */
typedef struct pf_gs_video_rx_settings {
    uint32_t version;       /**< PF_GS_VIDEO_RX_SETTINGS_VERSION. Since 0.1. */
    uint32_t packet_size;   /**< P as announced, 48…9000 (default 1392). Since 0.1. */
    uint32_t first_frame_index; /**< first frameIndex expected, >= 1 (default 1). Since 0.1. */
    uint32_t max_block_shards; /**< memory bound: shards held per block, 4…1023
                                    (default 1023; 255 covers every frame that has FEC).
                                    Blocks larger than this are lost. Since 0.1. */
    uint32_t decrypt;       /**< nonzero: datagrams carry the §6.6 prefix. Since 0.1. */
    uint8_t key[16];        /**< rikey when @c decrypt is set; copied. Since 0.1. */
    const pf_crypto_ops *crypto; /**< NULL for default; borrowed, must outlive. Since 0.1. */
    uint32_t max_shapes;    /**< RS codecs cached per (k, m), 1…256 (default 16). Since 0.1. */
    pf_gs_video_rx_callbacks callbacks; /**< copied. Since 0.1. */
    pf_log_hook log;        /**< debug messages; borrowed. Since 0.1. */
} pf_gs_video_rx_settings;

/** Counters of a reassembler (monotonic). */
typedef struct pf_gs_video_rx_stats {
    uint64_t packets_accepted;  /**< datagrams stored into a block */
    uint64_t packets_malformed; /**< rejected as PF_ERR_MALFORMED */
    uint64_t packets_auth_failed; /**< rejected as PF_ERR_AUTH */
    uint64_t packets_stale;     /**< duplicates, late shards, old frames (PF_ERR_REPLAY) */
    uint64_t frames_delivered;  /**< on_frame calls */
    uint64_t frames_lost;       /**< frame indices reported through on_frames_lost */
    uint64_t shards_recovered;  /**< data shards rebuilt by FEC */
} pf_gs_video_rx_stats;

typedef struct pf_gs_video_rx pf_gs_video_rx;

/**
 * Fills @p ret_settings with the defaults of layout @p version.
 * @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_gs_video_rx_settings_default(uint32_t version,
                                              pf_gs_video_rx_settings *ret_settings);

/**
 * Creates a reassembler. It holds one frame at a time, up to 4 blocks of
 * @c max_block_shards shards each, allocated here (about 4 × max_block_shards × (16 + P)
 * bytes); feeding never allocates except for a (k, m) shape not seen before.
 * @param settings borrowed; NULL for defaults.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; errors of pf_aead_create().
 * Ownership: *ret_rx belongs to the caller. Threading: one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_gs_video_rx_create(const pf_gs_video_rx_settings *settings,
                                    pf_gs_video_rx **ret_rx);

/** Destroys @p rx and wipes its key; NULL is allowed. Since 0.1. */
PF_EXPORT void pf_gs_video_rx_destroy(pf_gs_video_rx *rx);

/**
 * Feeds one received datagram. Validates it (§6.2, §6.4), decrypts it when configured,
 * stores it in its block, runs FEC as soon as a block holds k shards, and calls on_frame
 * when the frame's last block completes. A datagram of a newer frame abandons an
 * unfinished one (on_frames_lost). Any byte sequence is safe to feed.
 * @param pkt borrowed; @p len its length (bytes past 16 + P of plaintext are ignored).
 * @return 0 when stored; PF_ERR_REPLAY for a duplicate, a shard of an already finished
 *         block or an older frame; PF_ERR_MALFORMED; PF_ERR_AUTH (tag mismatch);
 *         PF_ERR_LIMIT (a block larger than max_block_shards: the frame is reported lost);
 *         PF_ERR_INVALID_ARGUMENT (NULL); PF_ERR_NOMEM; PF_ERR_CRYPTO. Since 0.1.
 */
PF_EXPORT int pf_gs_video_rx_feed(pf_gs_video_rx *rx, const uint8_t *pkt, size_t len);

/**
 * Copies the counters into @p ret_stats.
 * @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_gs_video_rx_get_stats(const pf_gs_video_rx *rx,
                                       pf_gs_video_rx_stats *ret_stats);

#ifdef __cplusplus
}
#endif

#endif
