/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/audio_encode.h
 * libpfencode audio: Opus multistream at 48 kHz for stereo, 5.1 and 7.1 with the GameStream
 * channel layouts (gamestream-protocol §8.2): CBR, restricted low delay, 5 or 10 ms frames.
 * Input channel order is the client's output order: FL FR C LFE BL BR SL SR.
 */
#ifndef PF_AUDIO_ENCODE_H
#define PF_AUDIO_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"
#include "pf/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PF_ENCODE_AUDIO_RATE 48000u     /**< the only sample rate. Since 0.1. */
#define PF_ENCODE_AUDIO_MAX_CHANNELS 8u /**< Since 0.1. */

/** Which channel pairs of a normal-quality 5.1 / 7.1 layout share a coupled Opus stream
 *  (pf_encode_audio_settings.coupling). Stereo and high quality ignore it. Since 0.2. */
#define PF_ENCODE_AUDIO_COUPLING_SIDES 0u  /**< FL+FR, BL+BR (and SL+SR) coupled; C and LFE mono:
                                                GameStream's and RFC 7845 family 1. Since 0.2. */
#define PF_ENCODE_AUDIO_COUPLING_CENTER 1u /**< FL+FR, C+LFE (and BL+BR) coupled, the rest mono,
                                                identity mapping: punktfunk/1 audio_layout 0.
                                                Since 0.2. */

/** One Opus encoder. */
typedef struct pf_encode_audio pf_encode_audio;

/** Settings of pf_encode_audio_create(). Since 0.1. */
typedef struct pf_encode_audio_settings {
    uint32_t struct_size;  /**< sizeof(pf_encode_audio_settings). Since 0.1. */
    uint32_t channels;     /**< 2, 6 (5.1) or 8 (7.1). Since 0.1. */
    uint32_t frame_ms;     /**< 5 or 10 (x-nv-aqos.packetDuration). Since 0.1. */
    uint32_t high_quality; /**< 1: one stream per channel (AudioQuality:1). Since 0.1. */
    uint32_t bitrate_bps;  /**< 0: the GameStream rate of the layout; else 6000..4096000.
                                Since 0.1. */
    uint32_t coupling;     /**< PF_ENCODE_AUDIO_COUPLING_*; 0 before 0.2 was reserved (zero).
                                Since 0.2. */
    pf_log_hook log;       /**< copied. Since 0.1. */
} pf_encode_audio_settings;

/** The multistream layout an encoder uses, as the client must be told. Since 0.1. */
typedef struct pf_encode_audio_layout {
    uint32_t struct_size;      /**< sizeof(pf_encode_audio_layout) of the caller. Since 0.1. */
    uint32_t channels;         /**< Since 0.1. */
    uint32_t streams;          /**< Opus streams. Since 0.1. */
    uint32_t coupled_streams;  /**< of which stereo. Since 0.1. */
    uint32_t bitrate_bps;      /**< current target. Since 0.1. */
    uint32_t frame_samples;    /**< samples per channel per packet. Since 0.1. */
    uint8_t mapping[PF_ENCODE_AUDIO_MAX_CHANNELS]; /**< Opus mapping, per input channel.
                                                        Since 0.1. */
    char surround_params[16];  /**< digits for "a=fmtp:97 surround-params=" in DESCRIBE,
                                    already in the form the client expects for this quality
                                    (§8.2); NUL-terminated. Since 0.1. */
} pf_encode_audio_layout;

/**
 * Fills @p settings: stereo, 5 ms, normal quality, layout default bitrate.
 * Threading: any thread. Since 0.1.
 */
PF_EXPORT void pf_encode_audio_settings_default(pf_encode_audio_settings *settings);

/**
 * Creates an Opus multistream encoder.
 * @param settings borrowed for the call.
 * @param ret_audio on success, the encoder.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL, a channel count, frame length, bitrate or coupling
 *   out of range); PF_ERR_NOMEM; PF_ERR_IO (libopus refused).
 * Ownership: the caller owns the encoder. Threading: one thread at a time. Since 0.1.
 */
PF_EXPORT int pf_encode_audio_create(const pf_encode_audio_settings *settings,
                                     pf_encode_audio **ret_audio);

/** @param audio may be NULL. Threading: the encoder's thread. Since 0.1. */
PF_EXPORT void pf_encode_audio_destroy(pf_encode_audio *audio);

/**
 * @param ret_layout filled on success (struct_size set by the caller).
 * @return 0 or PF_ERR_INVALID_ARGUMENT. Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_audio_get_layout(const pf_encode_audio *audio,
                                         pf_encode_audio_layout *ret_layout);

/**
 * Encodes exactly one packet.
 * @param pcm interleaved signed 16-bit samples, frame_samples × channels; borrowed.
 * @param samples samples per channel; must equal the layout's frame_samples.
 * @param out the caller's buffer; borrowed.
 * @param cap its size: at least bitrate_bps × frame_ms / 8000 bytes (the CBR length).
 * @return bytes written (equal for every packet: CBR); PF_ERR_INVALID_ARGUMENT;
 *   PF_ERR_BUFFER_TOO_SMALL; PF_ERR_IO.
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_audio_encode(pf_encode_audio *audio, const int16_t *pcm,
                                     uint32_t samples, uint8_t *out, size_t cap);

/**
 * Changes the target bitrate from the next packet on.
 * @param bitrate_bps 6000..4096000.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_IO.
 * Threading: the encoder's thread. Since 0.1.
 */
PF_EXPORT int pf_encode_audio_set_bitrate(pf_encode_audio *audio, uint32_t bitrate_bps);

#ifdef __cplusplus
}
#endif

#endif
