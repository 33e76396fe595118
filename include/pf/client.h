/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/client.h
 * libpfclient: a punktfunk/1 client connection for apps that embed a viewer (C, C++, Swift,
 * Kotlin through JNA, Python through ctypes).
 *
 * One pf_client is one QUIC connection to a host (ALPN "pkf1"). It is used either to pair
 * (pf_client_pair(): the SPAKE2 PIN ceremony) or to stream (pf_client_start(), then the
 * pullers). The library owns one I/O thread per client: it drives the QUIC endpoint and the
 * raw UDP video socket, reassembles and opens video access units (AUs) with libpfcore, answers
 * the host, sends loss reports (§9.1), hole punches (§7.1) and clock probes (§4.5), and queues
 * what the app pulls. Video AUs come out whole and in order, ready for a decoder; audio comes
 * out as Opus packets. Nothing is decoded here.
 *
 * Threading (every call, and which thread may make it):
 *  - pf_client_video_next(): one thread at a time (the video puller).
 *  - pf_client_audio_next(): one thread at a time (the audio puller), which may run beside the
 *    video puller.
 *  - pf_client_send_input(), pf_client_request_keyframe(), pf_client_set_bitrate(),
 *    pf_client_get_stats(), pf_client_get_close_info(), pf_client_get_stream_info(),
 *    pf_client_get_host_fingerprint(), pf_client_close(): any thread, any time.
 *  - pf_client_pair(), pf_client_start(), pf_client_reconfigure(), pf_client_speed_test():
 *    block the calling thread until the host answers; any one thread, not two of them at once.
 *  - pf_client_destroy(): once, after every other call on the client has returned.
 * No callback ever runs on an app thread; the library calls nothing of the app's except the
 * log hook, which runs on the I/O thread.
 *
 * Option structs start with @c struct_size: set it to sizeof(the struct) you were compiled
 * with (the *_default() functions do). A newer library reads only the fields an older caller
 * knew; output structs are filled up to the caller's struct_size.
 *
 * Errors are PF_ERR_* values (pf/core/error.h). When a call fails because the connection
 * ended, pf_client_get_close_info() says why, as a stable pf_client_close_reason.
 */
#ifndef PF_CLIENT_H
#define PF_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ABI version of libpfclient; bumped on incompatible changes only. */
#define PF_CLIENT_ABI_VERSION 1u
/** Length of a certificate fingerprint (SHA-256 of its DER). */
#define PF_CLIENT_FINGERPRINT_LEN 32u
/** Default UDP port of a punktfunk/1 host. */
#define PF_CLIENT_DEFAULT_PORT 9777u

typedef struct pf_client pf_client;

/**
 * Why a connection ended. Values below 0x100 are the punktfunk/1 close codes on the wire
 * (§10), given by the host or by this client; the others are local findings. The values are
 * stable: new reasons get new values, none is ever renumbered.
 */
typedef enum pf_client_close_reason {
    PF_CLIENT_CLOSE_NONE = -1,                /**< still open */
    PF_CLIENT_CLOSE_NORMAL = 0x00,            /**< normal close (pairing done) */
    PF_CLIENT_CLOSE_BUSY = 0x42,              /**< host busy; the reason text says why */
    PF_CLIENT_CLOSE_CLIENT_QUIT = 0x51,       /**< this client quit (pf_client_close()) */
    PF_CLIENT_CLOSE_APP_EXITED = 0x52,        /**< the host's dedicated app exited */
    PF_CLIENT_CLOSE_PAIR_NOT_ARMED = 0x60,    /**< pairing: no PIN window armed on the host */
    PF_CLIENT_CLOSE_PAIR_WRONG_DEVICE = 0x61, /**< pairing: the window is bound to another device */
    PF_CLIENT_CLOSE_PAIR_RATE_LIMITED = 0x62, /**< pairing: too soon after a failed attempt */
    PF_CLIENT_CLOSE_NOT_PAIRED = 0x63,        /**< identity required: not paired with this host */
    PF_CLIENT_CLOSE_ACCESS_DENIED = 0x64,     /**< the host's operator denied access */
    PF_CLIENT_CLOSE_ACCESS_TIMEOUT = 0x65,    /**< the access request timed out */
    PF_CLIENT_CLOSE_ACCESS_SUPERSEDED = 0x66, /**< a newer access request replaced this one */
    PF_CLIENT_CLOSE_WIRE_VERSION = 0x67,      /**< the host speaks another wire version */
    PF_CLIENT_CLOSE_SETUP_FAILED = 0x68,      /**< session setup failed (codec, display, encoder) */
    PF_CLIENT_CLOSE_ACCESS_EXPIRED = 0x69,    /**< this client's access has expired */
    PF_CLIENT_CLOSE_LAUNCH_DENIED = 0x6A,     /**< launching an app is not granted */
    PF_CLIENT_CLOSE_HOST_POWER = 0x6B,        /**< the host sleeps or shuts down */
    PF_CLIENT_CLOSE_UNKNOWN_CODE = 0x100,     /**< an application code this library does not know */
    PF_CLIENT_CLOSE_WRONG_PIN = 0x101,        /**< pairing: the PIN did not match */
    PF_CLIENT_CLOSE_FINGERPRINT_MISMATCH = 0x102, /**< the host is not the pinned host */
    PF_CLIENT_CLOSE_UNREACHABLE = 0x103,      /**< no QUIC handshake (no host, port or ALPN) */
    PF_CLIENT_CLOSE_IDLE_TIMEOUT = 0x104,     /**< the host went silent */
    PF_CLIENT_CLOSE_TRANSPORT = 0x105,        /**< QUIC or TLS error */
    PF_CLIENT_CLOSE_PROTOCOL = 0x106,         /**< the host broke the protocol (bad Welcome, cipher) */
    PF_CLIENT_CLOSE_LOCAL = 0x107             /**< closed by this side (destroy, local failure) */
} pf_client_close_reason;

/** @return a static English sentence for @p reason ("the PIN did not match"); never NULL.
 *  Since 0.2. */
PF_EXPORT const char *pf_client_close_reason_string(int reason);

/** @return PF_CLIENT_ABI_VERSION of the loaded library. Since 0.2. */
PF_EXPORT uint32_t pf_client_abi_version(void);

/** Connection settings; fill with pf_client_settings_default() first. */
typedef struct pf_client_settings {
    uint32_t struct_size;
    /** This client's identity: PEM certificate and key (pf_client_identity_generate()). Required
     *  to pair and to stream; borrowed during pf_client_connect() only. */
    const char *cert_pem;
    const char *key_pem;
    /** The pinned host fingerprint (32 bytes), or NULL to accept any host on first use (read the
     *  one seen with pf_client_get_host_fingerprint() and pin it after pairing). Copied. */
    const uint8_t *host_fingerprint;
    /** Device label sent when pairing and in Hello (UTF-8, at most 64 bytes); may be NULL. */
    const char *device_name;
    /** How long pf_client_connect() waits for the QUIC handshake, ms (default 5000). */
    uint32_t connect_timeout_ms;
    /** Log hook (topics "client" and "quic"); runs on the I/O thread. May be empty. */
    pf_log_hook log;
} pf_client_settings;

/** Fills @p s with defaults (struct_size included). Since 0.2. */
PF_EXPORT void pf_client_settings_default(pf_client_settings *s);

/**
 * Connects to @p host (numeric IPv4 or IPv6 address) at @p port and waits for the QUIC
 * handshake and the fingerprint check.
 * @param ret_client receives the client even when the connection was refused (so that
 *        pf_client_get_close_info() can say why); destroy it either way. NULL only on
 *        PF_ERR_INVALID_ARGUMENT and PF_ERR_NOMEM.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_MALFORMED (certificate or key);
 *         PF_ERR_IO (socket); PF_ERR_STATE (refused or closed: see the close info);
 *         PF_ERR_TIMEOUT (no handshake in time: reason UNREACHABLE). Since 0.2.
 */
PF_EXPORT int pf_client_connect(const pf_client_settings *settings, const char *host,
                                uint16_t port, pf_client **ret_client);

/** Closes the connection (client quit, 0x51) if open, stops the I/O thread, frees @p c
 *  (NULL allowed). Since 0.2. */
PF_EXPORT void pf_client_destroy(pf_client *c);

/** Closes the connection with close code 0x51 (the host tears the session down at once); the
 *  pullers then return PF_ERR_STATE. Since 0.2. */
PF_EXPORT void pf_client_close(pf_client *c);

/** The fingerprint of the host certificate seen on this connection. @return 0;
 *  PF_ERR_STATE (no handshake yet). Since 0.2. */
PF_EXPORT int pf_client_get_host_fingerprint(const pf_client *c,
                                             uint8_t out[PF_CLIENT_FINGERPRINT_LEN]);

/**
 * Runs the PIN pairing ceremony (§6) on a fresh connection: the host must have a PIN window
 * armed (`pfhost pair-native` or POST /api/v1/native/pair). On success the host stores this
 * client's certificate and the connection ends normally; pin the host fingerprint.
 * @param pin the PIN as typed (ASCII digits).
 * @return 0 paired; PF_ERR_AUTH (wrong PIN: reason WRONG_PIN); PF_ERR_STATE (the host refused
 *         or the connection ended: see the close info); PF_ERR_TIMEOUT; PF_ERR_INVALID_ARGUMENT.
 * Since 0.2.
 */
PF_EXPORT int pf_client_pair(pf_client *c, const char *pin, uint32_t timeout_ms);

/** Codec bits (Hello video_codecs, §3.1). */
#define PF_CLIENT_CODEC_H264 0x01u
#define PF_CLIENT_CODEC_HEVC 0x02u
#define PF_CLIENT_CODEC_AV1 0x04u

/** Stream options; fill with pf_client_stream_settings_default() first. */
typedef struct pf_client_stream_settings {
    uint32_t struct_size;
    uint32_t width, height, refresh_hz; /**< requested mode (default 1280×720@60) */
    uint32_t codecs;          /**< PF_CLIENT_CODEC_* the app decodes (default H.264|HEVC) */
    uint32_t preferred_codec; /**< one codec bit or 0 */
    uint32_t bitrate_kbps;    /**< 0 = host default */
    /** Hello video_caps (§3.5), e.g. 0x40 ChaCha20-Poly1305 media, 0x08 host timing. */
    uint32_t video_caps;
    uint32_t audio_channels;  /**< 2 (default), 6 or 8 */
    /** AUs held for the video puller; when full the oldest is dropped and a keyframe is asked
     *  for (default 32). */
    uint32_t video_queue;
    /** Audio packets held for the audio puller; oldest dropped when full (default 64). */
    uint32_t audio_queue;
    /** 1 (default): after a lost or dropped AU the library asks for a keyframe itself (at most
     *  every 250 ms). */
    uint32_t auto_keyframe;
} pf_client_stream_settings;

/** Fills @p s with defaults (struct_size included). It writes the whole struct of this
 *  version, so the struct never grows: later options come as calls of their own. Since 0.2. */
PF_EXPORT void pf_client_stream_settings_default(pf_client_stream_settings *s);

/**
 * Names the app the next pf_client_start() asks the host to start (Hello `launch`, §3.1): a
 * store-qualified id of the host's library ("steam:570"; pfhost also takes its catalog
 * number or an app name), UTF-8, at most 128 bytes; NULL clears it. The host needs the LAUNCH
 * grant (else it closes with 0x6A) and answers with a launch outcome in the stream info.
 * @param launch copied. @return 0; PF_ERR_INVALID_ARGUMENT (too long); PF_ERR_STATE (a
 *         stream was started). Since 0.3.
 */
PF_EXPORT int pf_client_set_launch(pf_client *c, const char *launch);

/**
 * The Hello wire_version (§11) the next pf_client_start() sends: 0 restores this library's, 2.
 * Any other value is only for testing a host's version gate, which refuses it (close 0x67).
 * @return 0; PF_ERR_STATE (a stream was started); PF_ERR_INVALID_ARGUMENT. Since 0.3.
 */
PF_EXPORT int pf_client_set_wire_version(pf_client *c, uint32_t wire_version);

/** What the host granted (from Welcome, later Reconfigured). */
typedef struct pf_client_stream_info {
    uint32_t struct_size;
    uint32_t width, height, refresh_hz;
    uint32_t codec;          /**< one PF_CLIENT_CODEC_* bit */
    uint32_t bitrate_kbps;   /**< encoder rate (updated by BitrateChanged) */
    uint32_t bit_depth;      /**< 8 or 10 */
    uint32_t full_range;
    uint32_t audio_channels;
    uint32_t audio_codec;    /**< 0 Opus */
    uint32_t cipher;         /**< 0 AES-128-GCM, 1 ChaCha20-Poly1305 */
    uint32_t shard_payload;
    uint32_t fec_percent;    /**< the starting parity (the host adapts it) */
    uint32_t grants;         /**< §3.6 */
    uint32_t host_caps, host_caps2;
    uint16_t data_port;      /**< the host's video UDP port */
    uint16_t mgmt_port;
    /** LaunchOutcome (§5.6) of the pf_client_set_launch() app: PF_CLIENT_LAUNCH_*, or
     *  PF_CLIENT_LAUNCH_NONE until one arrived. Since 0.3. */
    int32_t launch_outcome;
    /** The host's words about the launch (UTF-8, NUL-terminated, may be empty). Since 0.3. */
    char launch_message[201];
    /** AccessUpdate messages received (§5.6): the host changed this client's grants while it
     *  streams; @c grants holds the newest. Since 0.3. */
    uint32_t access_updates;
} pf_client_stream_info;

/** Launch outcomes (LaunchOutcome kind, §5.6). */
#define PF_CLIENT_LAUNCH_NONE (-1)          /**< no launch asked, or no answer yet */
#define PF_CLIENT_LAUNCH_SPAWNED 0          /**< the host started the app */
#define PF_CLIENT_LAUNCH_ADOPTED 1          /**< it was already running */
#define PF_CLIENT_LAUNCH_ADOPTED_UNKNOWN 2  /**< the host took over something already running */
#define PF_CLIENT_LAUNCH_REFUSED 3          /**< the host will not start it (see the message) */
#define PF_CLIENT_LAUNCH_FAILED 4           /**< starting it failed */
#define PF_CLIENT_LAUNCH_SIGN_IN 5          /**< the store wants a sign-in on the host first */

/**
 * Opens a session: Hello → Welcome → Start, binds and punches the video socket and starts the
 * clock probes. The connection must not have been used to pair.
 * @param ret_info may be NULL; set its struct_size.
 * @return 0; PF_ERR_STATE (refused: see the close info); PF_ERR_TIMEOUT; PF_ERR_MALFORMED
 *         (the Welcome did not parse or names a cipher this library refuses);
 *         PF_ERR_IO; PF_ERR_INVALID_ARGUMENT. Since 0.2.
 */
PF_EXPORT int pf_client_start(pf_client *c, const pf_client_stream_settings *settings,
                              pf_client_stream_info *ret_info, uint32_t timeout_ms);

/** The current stream info (struct_size set by the caller). @return 0; PF_ERR_STATE. Since 0.2. */
PF_EXPORT int pf_client_get_stream_info(pf_client *c, pf_client_stream_info *ret_info);

/** Frame flags. */
#define PF_CLIENT_FRAME_DISCONTINUITY 0x01u /**< AUs before this one were lost or dropped */
#define PF_CLIENT_FRAME_HOST_TIMING 0x02u   /**< the host_* fields are valid */

/** One video access unit, as the encoder produced it (Annex B for H.264/HEVC). */
typedef struct pf_client_video_frame {
    uint32_t struct_size;
    uint32_t flags;            /**< PF_CLIENT_FRAME_* */
    const uint8_t *data;       /**< valid until the next pf_client_video_next() or destroy */
    size_t len;
    uint32_t frame_index;      /**< the host's AU number */
    uint32_t user_flags;       /**< header user_flags (§7.4) */
    uint64_t pts_ns;           /**< capture time, host CLOCK_REALTIME */
    uint64_t first_packet_ns;  /**< client CLOCK_REALTIME when the AU's first datagram arrived */
    uint64_t reassembled_ns;   /**< client CLOCK_REALTIME when the AU was complete */
    /** host clock − client clock from the clock probes (§4.5) when the AU completed; the
     *  capture→reassembled latency is reassembled_ns + clock_offset_ns − pts_ns. */
    int64_t clock_offset_ns;
    uint32_t clock_valid;      /**< 1 once a probe batch was accepted */
    uint32_t received_shards;  /**< shards of this AU that arrived */
    uint32_t recovered_shards; /**< data shards FEC rebuilt */
    /** With PF_CLIENT_FRAME_HOST_TIMING (0xCF, §8.8): host-side stage durations, µs. */
    uint32_t host_us, host_queue_us, host_encode_us, host_pace_us;
} pf_client_video_frame;

/**
 * Waits up to @p timeout_ms (−1: forever) for the next AU. The video puller's call.
 * @param ret_frame set struct_size first.
 * @return 0; PF_ERR_TIMEOUT; PF_ERR_STATE (the connection ended and the queue is empty, or no
 *         stream was started). Since 0.2.
 */
PF_EXPORT int pf_client_video_next(pf_client *c, int timeout_ms,
                                   pf_client_video_frame *ret_frame);

/** One audio packet (0xC9, §8.2): Opus, 48 kHz, 5 ms. */
typedef struct pf_client_audio_packet {
    uint32_t struct_size;
    uint32_t seq;
    uint64_t pts_ns;          /**< host clock */
    const uint8_t *data;      /**< valid until the next pf_client_audio_next() or destroy */
    size_t len;
} pf_client_audio_packet;

/** As pf_client_video_next() for audio. The audio puller's call. Since 0.2. */
PF_EXPORT int pf_client_audio_next(pf_client *c, int timeout_ms,
                                   pf_client_audio_packet *ret_packet);

/** Input kinds (§8.1), a subset of what the wire carries. */
#define PF_CLIENT_INPUT_KEY_DOWN 0u           /**< code: Windows virtual-key code */
#define PF_CLIENT_INPUT_KEY_UP 1u
#define PF_CLIENT_INPUT_MOUSE_MOVE 2u         /**< x, y: relative motion */
#define PF_CLIENT_INPUT_MOUSE_MOVE_ABS 3u     /**< x, y in a view; flags = view_w << 16 | view_h */
#define PF_CLIENT_INPUT_MOUSE_BUTTON_DOWN 4u  /**< code: 1 left, 2 middle, 3 right, 4/5 X1/X2 */
#define PF_CLIENT_INPUT_MOUSE_BUTTON_UP 5u
#define PF_CLIENT_INPUT_MOUSE_SCROLL 6u       /**< code: axis (0 vertical); x: 120 per detent */
#define PF_CLIENT_INPUT_GAMEPAD_BUTTON 7u     /**< code: button bit; x != 0 pressed; flags: pad */
#define PF_CLIENT_INPUT_GAMEPAD_AXIS 8u       /**< code: axis 0..5; x: value; flags: pad */

/**
 * Sends one input event as a QUIC datagram (0xC8). Datagrams are unreliable, so key presses
 * and releases go on the control stream instead (InputEdge) when the host accepts that.
 * @return 0; PF_ERR_STATE (no session); PF_ERR_INVALID_ARGUMENT (kind > 255). Since 0.2.
 */
PF_EXPORT int pf_client_send_input(pf_client *c, uint32_t kind, uint32_t code, int32_t x,
                                   int32_t y, uint32_t flags);

/** Asks for an IDR (§9.2). @return 0; PF_ERR_STATE. Since 0.2. */
PF_EXPORT int pf_client_request_keyframe(pf_client *c);

/** Asks for a new encoder bitrate (0 = host default); the host answers with BitrateChanged,
 *  seen in the stream info. @return 0; PF_ERR_STATE. Since 0.2. */
PF_EXPORT int pf_client_set_bitrate(pf_client *c, uint32_t kbps);

/**
 * Asks for a new mode (§4.6) and waits for the host's answer. The stream goes on on the same
 * sockets; the first AU in the new mode is an IDR.
 * @return 1 accepted, 0 refused (the mode still active is in the stream info);
 *         PF_ERR_TIMEOUT; PF_ERR_STATE. Since 0.2.
 */
PF_EXPORT int pf_client_reconfigure(pf_client *c, uint32_t width, uint32_t height,
                                    uint32_t refresh_hz, uint32_t timeout_ms);

/** Result of a speed test (§9.5). */
typedef struct pf_client_probe_result {
    uint32_t struct_size;
    uint32_t target_kbps, duration_ms;   /**< what the host says it ran */
    uint64_t host_bytes_sent;
    uint32_t host_packets_sent;
    uint32_t host_wire_packets_sent;     /**< what the host's kernel took */
    uint32_t host_send_dropped;
    uint64_t packets_received;           /**< probe datagrams that arrived here */
    uint64_t bytes_received;             /**< their wire bytes */
    uint32_t received_kbps;              /**< bytes_received over duration_ms */
    uint32_t loss_ppm;                   /**< (wire_sent − received) / wire_sent */
} pf_client_probe_result;

/**
 * Runs a speed test beside the stream: the host sends filler at @p target_kbps for
 * @p duration_ms (it may clamp both; the result says what it ran), then reports what it sent.
 * Blocks at most duration + 5 s. One test at a time.
 * @return 0; PF_ERR_TIMEOUT (no ProbeResult: the host cannot); PF_ERR_AGAIN (a test is
 *         already running, here or on the host: the host answered with an empty result);
 *         PF_ERR_STATE. Since 0.2.
 */
PF_EXPORT int pf_client_speed_test(pf_client *c, uint32_t target_kbps, uint32_t duration_ms,
                                   pf_client_probe_result *ret_result);

/** Host timing of one AU (0xCF, §8.8): where its time on the host went, µs. */
typedef struct pf_client_host_timing {
    uint32_t struct_size;
    uint32_t host_us;    /**< capture → last datagram sent */
    uint32_t queue_us;   /**< capture → taken by the encoder (0 when the host does not say) */
    uint32_t encode_us;  /**< in the encoder */
    uint32_t pace_us;    /**< encoded → last datagram sent */
} pf_client_host_timing;

/**
 * Looks up the host timing of the AU captured at @p pts_ns (its pf_client_video_frame pts).
 * The host sends it after the AU's last datagram, on another path, so it may arrive after the
 * AU was pulled; the last 64 are kept. Needs video cap 0x08 (HOST_TIMING) in the settings.
 * @return 0; PF_ERR_NOT_FOUND (not (yet) received); PF_ERR_INVALID_ARGUMENT. Since 0.3.
 */
PF_EXPORT int pf_client_get_host_timing(pf_client *c, uint64_t pts_ns,
                                        pf_client_host_timing *ret);

/** Counters and measurements of a session. */
typedef struct pf_client_stats {
    uint32_t struct_size;
    uint32_t clock_valid;       /**< 1 once a probe batch was accepted */
    int64_t clock_offset_ns;    /**< host − client (§4.5) */
    int64_t clock_rtt_ns;       /**< RTT of the accepted probe */
    uint64_t frames_delivered;  /**< AUs handed to the video queue */
    uint64_t frames_lost;       /**< AUs FEC could not rebuild */
    uint64_t frames_dropped;    /**< AUs dropped because the video queue was full */
    uint64_t keyframes_requested;
    uint64_t packets_received;  /**< authenticated video datagrams */
    uint64_t bytes_received;    /**< video datagram bytes (wire, without IP/UDP) */
    uint64_t shards_recovered;  /**< data shards rebuilt by FEC */
    uint64_t shards_late;
    uint64_t packets_auth_failed;
    uint64_t audio_packets;
    uint64_t audio_dropped;
    uint32_t bitrate_kbps;      /**< video received over the last second */
    uint32_t loss_ppm;          /**< packet loss of the last report window (§9.1) */
    /** capture → reassembled latency over the last 1024 AUs, clock offset removed, ns
     *  (0 until the clock is valid). */
    uint64_t latency_p50_ns, latency_p95_ns, latency_p99_ns;
} pf_client_stats;

/** Fills @p ret up to its struct_size. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_client_get_stats(pf_client *c, pf_client_stats *ret);

/** How the connection ended. */
typedef struct pf_client_close_info {
    uint32_t struct_size;
    int32_t reason;        /**< pf_client_close_reason; PF_CLIENT_CLOSE_NONE while open */
    uint32_t remote;       /**< 1: the host closed */
    uint64_t code;         /**< the QUIC error code as received */
    char text[257];        /**< the close reason text (UTF-8, NUL-terminated, may be empty) */
} pf_client_close_info;

/** Fills @p ret. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.2. */
PF_EXPORT int pf_client_get_close_info(pf_client *c, pf_client_close_info *ret);

/**
 * Makes a client identity: a self-signed ECDSA P-256 certificate and key in PEM.
 * Free both with pf_client_free(). @return 0; PF_ERR_CRYPTO; PF_ERR_NOMEM. Since 0.2.
 */
PF_EXPORT int pf_client_identity_generate(char **ret_key_pem, char **ret_cert_pem);

/** SHA-256 of a PEM certificate's DER (the identity the host stores). @return 0;
 *  PF_ERR_MALFORMED. Since 0.2. */
PF_EXPORT int pf_client_cert_fingerprint(const char *cert_pem,
                                         uint8_t out[PF_CLIENT_FINGERPRINT_LEN]);

/** Frees what pf_client_identity_generate() returned (NULL allowed). Since 0.2. */
PF_EXPORT void pf_client_free(void *p);

/* ---- Cursor channel (§5.5, §8.6): the app draws the pointer itself ---------------------- */

/** Largest shape side the host sends. Since 0.3. */
#define PF_CLIENT_CURSOR_MAX_SIDE 120u

/** pf_client_cursor.flags. Since 0.3. */
#define PF_CLIENT_CURSOR_VISIBLE 0x1u   /**< draw it */
#define PF_CLIENT_CURSOR_RELATIVE 0x2u  /**< the host hints at relative (captured) mouse mode */
#define PF_CLIENT_CURSOR_HAS_SHAPE 0x4u /**< width, height, hotspot and pixels are valid */

/**
 * The pointer as the host last described it. Draw the shape with its hotspot at (x, y) of
 * the video: top-left at (x − hot_x, y − hot_y), scaled like the video. Grows at the end;
 * set struct_size before pf_client_get_cursor(). Since 0.3.
 */
typedef struct pf_client_cursor {
    uint32_t struct_size;
    uint32_t flags;          /**< PF_CLIENT_CURSOR_* */
    int32_t x, y;            /**< hotspot position in video pixels */
    uint32_t shape_serial;   /**< serial of the newest CursorShape */
    uint32_t position_serial; /**< the shape serial the position names (equal once both
                                   arrived; positions may overtake the reliable shape) */
    uint32_t width, height;  /**< 1..PF_CLIENT_CURSOR_MAX_SIDE */
    int32_t hot_x, hot_y;
    uint32_t updates;        /**< counts every change; unchanged = nothing to redraw */
} pf_client_cursor;

/**
 * Asks for the cursor channel: the Hello says the app draws the pointer (client_caps
 * CURSOR). Call before pf_client_start(); the host offers it when it can leave the pointer
 * out of the video (stream info host_caps 0x08), and otherwise the pointer stays in the
 * picture. @return 0; PF_ERR_STATE (a session is starting or running); PF_ERR_NOMEM.
 * Since 0.3.
 */
PF_EXPORT int pf_client_set_cursor_channel(pf_client *c, int enable);

/**
 * The latest pointer state. Any thread.
 * @param rgba when not NULL and the state has a shape: width·height·4 bytes of RGBA8 with
 *        straight alpha, row by row; @p rgba_size bytes long (120·120·4 always fits).
 * @return 0; PF_ERR_AGAIN (nothing arrived yet); PF_ERR_STATE (no cursor channel: not asked
 *         for, or the host did not offer it); PF_ERR_BUFFER_TOO_SMALL (the state is filled,
 *         the pixels are not); PF_ERR_INVALID_ARGUMENT. Since 0.3.
 */
PF_EXPORT int pf_client_get_cursor(pf_client *c, pf_client_cursor *ret, uint8_t *rgba,
                                   size_t rgba_size);

/**
 * CursorRenderMode (0x51): @p client_draws 0 asks the host to draw the pointer into the
 * video again (the host rebuilds its output: a short PipelineGap, then an IDR, and no more
 * cursor updates); 1 hands it back to the app. @return 0; PF_ERR_STATE (no cursor channel).
 * Since 0.3.
 */
PF_EXPORT int pf_client_set_cursor_render_mode(pf_client *c, int client_draws);

#ifdef __cplusplus
}
#endif

#endif
