/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The client half of a GameStream stream, for tests: RTSP over TCP, the ENet control stream
 * with encryption, ping-learned UDP video and audio, libpfcore's reassemblers, libavcodec
 * and libopus decoding, and §9 input encoding. */
#ifndef PF_TEST_STREAM_CLIENT_H
#define PF_TEST_STREAM_CLIENT_H

#include <stddef.h>
#include <stdint.h>

/* One RTSP exchange (new TCP connection, request, read until close). Returns the reply
 * (NUL-terminated, malloc'd) or NULL. */
char *rtsp_exchange(uint16_t port, const char *request, size_t len, size_t *ret_len);
/* The same from source address @p src (NULL: any). */
char *rtsp_exchange_from(const char *src, uint16_t port, const char *request, size_t len,
                         size_t *ret_len);
/* The value of header @p name in @p reply (malloc'd), or NULL. */
char *rtsp_header(const char *reply, const char *name);
int rtsp_status(const char *reply);

typedef struct stream_client stream_client;

typedef struct stream_client_config {
    uint16_t rtsp_port;
    uint8_t rikey[16];
    uint32_t rikeyid;
    uint32_t width, height, fps, bitrate_kbps, packet_size;
    uint32_t encryption_enabled; /* x-ss-general.encryptionEnabled */
    uint32_t nv_feature_flags;   /* 167: audio encryption */
    uint32_t audio_channels;     /* 2, 6 or 8 */
    uint32_t audio_high_quality; /* surround.AudioQuality: the second surround-params line */
    uint32_t codec;              /* bitStreamFormat: 0 H.264, 1 HEVC, 2 AV1 */
    uint32_t encrypted_rtsp;     /* sessionUrl0 said rtspenc://: seal every request (§4.8) */
    uint32_t csc_mode;           /* encoderCscMode: (colour space << 1) | full range */
    uint32_t legacy_client;      /* no x-ml-general.featureFlags 0x02: "PING" pings and
                                    ENet connect data 0 (§5.1, §6.1) */
    uint32_t no_decode;          /* count whole (reassembled) frames only: load tests, where
                                    decoding four streams would measure the client */
} stream_client_config;

typedef struct stream_client_stats {
    uint64_t frames, frames_lost, decoded, counter_gaps, counter_errors, first_counter,
        last_counter;
    uint64_t shards_recovered, video_packets;
    uint64_t audio_packets, audio_decoded, audio_lost, audio_recovered;
    double audio_rms;
    uint64_t idr_frames;
    uint32_t color_space, full_range; /* the last decoded picture's VUI (AVColorSpace) */
    uint64_t reassembled_ns_p50, reassembled_ns_p99; /* host capture stamp → reassembled */
} stream_client_stats;

/* Runs the RTSP handshake; 0 or -1 (reason in @p err). */
int stream_client_handshake(const stream_client_config *cfg, stream_client **ret, char *err,
                            size_t n);
/* Connects ENet and starts pings; 0 or -1. */
int stream_client_connect(stream_client *c, char *err, size_t n);
/* Serves the streams until @p frames frames were reassembled or @p timeout_ms passed.
 * Returns the frames reassembled. */
uint64_t stream_client_run(stream_client *c, uint64_t frames, uint32_t timeout_ms);
/* Sends one §9 input packet in a 0x0206 control message on @p channel. 0 or -1. */
int stream_client_send_input(stream_client *c, uint8_t channel, const uint8_t *pkt, size_t len);
/* Sends an arbitrary sealed (1) or raw (0) control payload, for bad-input tests. */
int stream_client_send_raw(stream_client *c, const uint8_t *data, size_t len);
int stream_client_send_control(stream_client *c, uint16_t type, const uint8_t *payload,
                               size_t len);
/* Asks for an IDR (0x0302). */
int stream_client_request_idr(stream_client *c);
/* The last termination code received (0x0109), 0 if none; services ENet for @p wait_ms. */
uint32_t stream_client_wait_termination(stream_client *c, uint32_t wait_ms);
void stream_client_get_stats(stream_client *c, stream_client_stats *ret);
/* Tone analysis of the last 200 ms of decoded audio: power[a][b] is the power of
 * @p freqs[b] in output channel a, for every announced channel. 0, or -1 before enough audio
 * was decoded. */
int stream_client_audio_tones(const stream_client *c, const double *freqs,
                              double power[8][8]);
/* The host's video port from the SETUP reply. */
uint16_t stream_client_get_video_port(const stream_client *c);
/* Frees without a word to the host, as a client that lost its network. */
void stream_client_vanish(stream_client *c);
/* Graceful ENet disconnect, then frees. */
void stream_client_destroy(stream_client *c);

#endif
