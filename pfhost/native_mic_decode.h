/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_MIC_DECODE_H
#define PFHOST_NATIVE_MIC_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* The microphone uplink's datagrams (native-protocol.md §8.3: 0xCB ‖ seq ‖ pts ‖ Opus, 48 kHz,
 * 10 ms frames) decoded to mono 48 kHz s16. No I/O, so it can be fuzzed. */
typedef struct mic_decoder mic_decoder;

/* Samples a single call may produce: one packet of up to 120 ms (the longest Opus frame) plus
 * the concealment of up to MIC_MAX_CONCEAL lost packets of the last packet's length. */
#define MIC_MAX_CONCEAL 3u
#define MIC_PCM_CAP (5760u * (MIC_MAX_CONCEAL + 1u))

int mic_decoder_create(mic_decoder **ret);
void mic_decoder_destroy(mic_decoder *d);
/* One datagram. Returns the mono frames written to @p pcm (MIC_PCM_CAP), 0 when the datagram
 * was dropped (not 0xCB, malformed, a replay or reordering, undecodable), never more. */
int mic_decoder_datagram(mic_decoder *d, const uint8_t *dgram, size_t len, int16_t *pcm);

typedef struct mic_decoder_stats {
    uint64_t packets, dropped, concealed;
} mic_decoder_stats;
void mic_decoder_get_stats(const mic_decoder *d, mic_decoder_stats *ret);

#endif
