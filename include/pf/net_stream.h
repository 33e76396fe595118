/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/net_stream.h
 * The GameStream streaming plane (gamestream-protocol.md §4–§10): the RTSP handshake server
 * (TCP), the ENet control stream (UDP), the ping-learned video and audio sockets, and a
 * paced UDP sender for the frame path.
 *
 * The whole GameStream path is IPv4 only: the client's ENet library cannot do anything else,
 * so RTSP, control, video and audio all bind IPv4 addresses.
 *
 * The three servers run on the caller's event loop like pf_net_gs_server: watch the fd,
 * wake after the timeout, call dispatch. The pacer is the exception: it belongs to a
 * pipeline thread and sends on a socket borrowed from the media server.
 *
 * Threading: each server is used from one thread; callbacks run on it from inside dispatch.
 * Since 0.1.
 */
#ifndef PF_NET_STREAM_H
#define PF_NET_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"
#include "pf/input.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Codecs of pf_net_gs_stream_config.codec (x-nv-vqos[0].bitStreamFormat). Since 0.1. */
#define PF_NET_GS_STREAM_H264 0u
#define PF_NET_GS_STREAM_HEVC 1u
#define PF_NET_GS_STREAM_AV1 2u

/** Bits of x-ss-general.encryptionEnabled / encryptionSupported. Since 0.1. */
#define PF_NET_GS_ENC_CONTROL_V2 0x01u
#define PF_NET_GS_ENC_VIDEO 0x02u
#define PF_NET_GS_ENC_AUDIO 0x04u

/** Bits of x-ml-general.featureFlags (pf_net_gs_stream_config.ml_feature_flags). Since 0.1. */
#define PF_NET_GS_ML_FEC_STATUS 0x01u    /**< the client sends 0x5502 frame FEC status */
#define PF_NET_GS_ML_SESSION_ID_V1 0x02u /**< session-ID pings and connect data; without it
                                              the client sends "PING" and connect data 0 */

/**
 * Everything the client's ANNOUNCE said (§4.5), with Sunshine's defaults for absent
 * optional attributes, plus the derived encryption switches. Since 0.1.
 */
typedef struct pf_net_gs_stream_config {
    uint32_t struct_size;       /**< sizeof(pf_net_gs_stream_config). Since 0.1. */
    uint32_t width;             /**< clientViewportWd. Since 0.1. */
    uint32_t height;            /**< clientViewportHt. Since 0.1. */
    uint32_t fps;               /**< maxFPS. Since 0.1. */
    uint32_t refresh_x100;      /**< clientRefreshRateX100, 0 when absent. Since 0.1. */
    uint32_t packet_size;       /**< packetSize: P of §6.2. Since 0.1. */
    uint32_t bitrate_kbps;      /**< vqos bw.maximumBitrateKbps. Since 0.1. */
    uint32_t configured_bitrate_kbps; /**< x-ml-video.configuredBitrateKbps, 0 if absent. Since 0.1. */
    uint32_t codec;             /**< PF_NET_GS_STREAM_*. Since 0.1. */
    uint32_t dynamic_range;     /**< 1: 10-bit HDR. Since 0.1. */
    uint32_t chroma_444;        /**< 1: YUV 4:4:4. Since 0.1. */
    uint32_t csc_mode;          /**< encoderCscMode: (colorspace << 1) | full range. Since 0.1. */
    uint32_t max_ref_frames;    /**< maxNumReferenceFrames. Since 0.1. */
    uint32_t slices;            /**< videoEncoderSlicesPerFrame, >= 1. Since 0.1. */
    uint32_t intra_refresh;     /**< x-ss-video[0].intraRefresh. Since 0.1. */
    uint32_t min_fec_packets;   /**< fec.minRequiredFecPackets. Since 0.1. */
    uint32_t reliable_udp;      /**< useReliableUdp: 13 = encrypted control stream. Since 0.1. */
    uint32_t nv_feature_flags;  /**< x-nv-general.featureFlags (0x20: audio encryption). Since 0.1. */
    uint32_t ml_feature_flags;  /**< x-ml-general.featureFlags. Since 0.1. */
    uint32_t encryption_enabled; /**< x-ss-general.encryptionEnabled (PF_NET_GS_ENC_*). Since 0.1. */
    uint32_t audio_channels;    /**< 2, 6 or 8. Since 0.1. */
    uint32_t audio_channel_mask; /**< 0x3, 0x3F, 0x63F. Since 0.1. */
    uint32_t audio_high_quality; /**< surround.AudioQuality. Since 0.1. */
    uint32_t audio_packet_ms;   /**< aqos.packetDuration: 5 or 10. Since 0.1. */
    uint32_t video_qos;         /**< vqos qosTrafficType. Since 0.1. */
    uint32_t audio_qos;         /**< aqos.qosTrafficType. Since 0.1. */
    uint32_t encrypt_control;   /**< derived: control stream sealed (useReliableUdp 13). Since 0.1. */
    uint32_t control_iv_v2;     /**< derived: v2 control IVs (encryptionEnabled & 1). Since 0.1. */
    uint32_t encrypt_video;     /**< derived: encryptionEnabled & 2. Since 0.1. */
    uint32_t encrypt_audio;     /**< derived: featureFlags & 0x20 or encryptionEnabled & 4. Since 0.1. */
    uint32_t stereo_high_quality; /**< derived from the RTSP Host header (§4.2). Since 0.1. */
    uint32_t peer_ipv4;         /**< set by the RTSP server: the IPv4 address (network byte
                                     order) the ANNOUNCE came from; 0 from the parser. Since 0.1. */
} pf_net_gs_stream_config;

/**
 * Parses an ANNOUNCE body (§4.5) into @p ret_config. Pure; any bytes are safe.
 * @param sdp borrowed, @p len bytes, need not be NUL-terminated.
 * @param ret_config filled only on success; set its struct_size first.
 * @return 0; PF_ERR_MALFORMED when a required attribute is missing or out of range
 *         (size 16..8192, fps 1..1000, packet size 64..9000, channels 2/6/8, packet
 *         duration 5/10, codec 0..2); PF_ERR_INVALID_ARGUMENT.
 * Threading: pure. Since 0.1.
 */
PF_EXPORT int pf_net_gs_announce_parse(const char *sdp, size_t len,
                                       pf_net_gs_stream_config *ret_config);

/* ---------------------------------------------------------------------------------------- */
/* RTSP server (TCP, one request per connection, §4.1)                                       */

typedef struct pf_net_rtsp_server pf_net_rtsp_server;

/** A launch the RTSP server may hand-shake for. Since 0.1. */
typedef struct pf_net_rtsp_session {
    uint32_t struct_size;     /**< sizeof(pf_net_rtsp_session). Since 0.1. */
    uint32_t id;              /**< the host's session id, non-zero. Since 0.1. */
    uint8_t rikey[16];        /**< for encrypted RTSP (§4.8). Since 0.1. */
    uint32_t connect_data;    /**< X-SS-Connect-Data, the ENet connect word. Since 0.1. */
    char ping_payload[17];    /**< X-SS-Ping-Payload: 16 characters and a NUL. Since 0.1. */
    uint8_t require_encryption; /**< 1: /launch said rtspenc:// (§4.8), so plaintext requests
                                     never reach this session. Since 0.1. */
    uint8_t reserved[2];
    uint32_t peer_ipv4;       /**< the address of the /launch (network byte order): plaintext
                                   requests from any other address never reach this session,
                                   which has no key to tell its client from a stranger; 0 =
                                   any. Absent from older callers (smaller struct_size):
                                   any. Since 0.1. */
} pf_net_rtsp_session;

/** Callbacks of the RTSP server. Since 0.1. */
typedef struct pf_net_rtsp_callbacks {
    void *user_data; /**< passed to every callback; borrowed */
    /**
     * ANNOUNCE parsed for session @p id: start the stream. @p config is borrowed for the
     * call. Return 0, PF_ERR_UNSUPPORTED (reply 400: codec or mode not available), or any
     * other error (reply 500).
     */
    int (*announce)(void *user_data, uint32_t id, const pf_net_gs_stream_config *config);
} pf_net_rtsp_callbacks;

/** RTSP settings; fill with pf_net_rtsp_settings_default(). Since 0.1. */
typedef struct pf_net_rtsp_settings {
    uint32_t struct_size;     /**< sizeof(pf_net_rtsp_settings). Since 0.1. */
    const char *bind_address; /**< numeric IPv4 address, NULL = 0.0.0.0; borrowed. Since 0.1. */
    uint16_t port;            /**< 48010; 0 = any free port. Since 0.1. */
    uint16_t video_port;      /**< advertised in SETUP video. Since 0.1. */
    uint16_t audio_port;      /**< advertised in SETUP audio. Since 0.1. */
    uint16_t control_port;    /**< advertised in SETUP control. Since 0.1. */
    uint32_t codec_mask;      /**< PF_NET_GS_CODEC_* of net_gamestream.h: HEVC and AV1 markers
                                   in DESCRIBE. Since 0.1. */
    uint32_t feature_flags;   /**< x-ss-general.featureFlags (1 pen/touch, 2 pad touch+motion). Since 0.1. */
    uint32_t encryption_supported; /**< PF_NET_GS_ENC_* bits offered (default 0x05). Since 0.1. */
    uint32_t encryption_requested; /**< PF_NET_GS_ENC_* bits required (default 0x01). Since 0.1. */
    uint32_t max_connections; /**< concurrent TCP connections (32). Since 0.1. */
    uint32_t timeout_ms;      /**< a connection that stalls this long is closed (5000). Since 0.1. */
    pf_log_hook log;          /**< debug log; copied. Since 0.1. */
    char surround_params[4][16]; /**< DESCRIBE "a=fmtp:97 surround-params=" digits (§8.2) of
                                      the audio encoder: 5.1 normal, 5.1 high, 7.1 normal,
                                      7.1 high quality, each NUL-terminated, in the form the
                                      client expects; an empty entry is left out. Defaults:
                                      identity-mapped layouts. Since 0.1. */
} pf_net_rtsp_settings;

/** Fills defaults (port 48010, media ports 47998/48000/47999). Since 0.1. */
PF_EXPORT void pf_net_rtsp_settings_default(pf_net_rtsp_settings *settings);

/**
 * Binds the RTSP listener.
 * @param settings borrowed. @param callbacks borrowed, copied.
 * @param ret_server receives the server; untouched on failure.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_IO (bind failed).
 * Ownership: the caller destroys *ret_server. Threading: one thread. Since 0.1.
 */
PF_EXPORT int pf_net_rtsp_server_create(const pf_net_rtsp_settings *settings,
                                        const pf_net_rtsp_callbacks *callbacks,
                                        pf_net_rtsp_server **ret_server);

/** Closes the listener and every connection; NULL allowed. Since 0.1. */
PF_EXPORT void pf_net_rtsp_server_destroy(pf_net_rtsp_server *server);

/** @return the fd to watch for input (epoll, O_CLOEXEC, borrowed); PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_net_rtsp_server_get_fd(const pf_net_rtsp_server *server);

/** @return ms until dispatch must run without input; -1 for none. Since 0.1. */
PF_EXPORT int64_t pf_net_rtsp_server_get_timeout(const pf_net_rtsp_server *server,
                                                 uint64_t now_ms);

/** Serves ready connections and closes stalled ones. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_net_rtsp_server_dispatch(pf_net_rtsp_server *server, uint64_t now_ms);

/** @return the bound TCP port (0 for NULL). Since 0.1. */
PF_EXPORT uint16_t pf_net_rtsp_server_get_port(const pf_net_rtsp_server *server);

/**
 * Offers a launched session to the handshake. Requests without a Session header go to the
 * newest offered session that has not announced yet.
 * @param session borrowed, copied.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_STATE (id already offered); PF_ERR_NOMEM. Since 0.1.
 */
PF_EXPORT int pf_net_rtsp_server_add_session(pf_net_rtsp_server *server,
                                             const pf_net_rtsp_session *session);

/** Withdraws session @p id. @return 0; PF_ERR_NOT_FOUND. Since 0.1. */
PF_EXPORT int pf_net_rtsp_server_remove_session(pf_net_rtsp_server *server, uint32_t id);

/* ---------------------------------------------------------------------------------------- */
/* Control stream (ENet, §5)                                                                 */

typedef struct pf_net_gs_control pf_net_gs_control;

/** Why a control session ended (pf_net_gs_control_callbacks.ended). Since 0.1. */
#define PF_NET_GS_END_DISCONNECT 1u /**< the client disconnected */
#define PF_NET_GS_END_TIMEOUT 2u    /**< no traffic for timeout_ms */
#define PF_NET_GS_END_PROTOCOL 3u   /**< a message failed authentication or framing */
#define PF_NET_GS_END_HOST 4u       /**< pf_net_gs_control_terminate() */

/** Termination codes of message 0x0109 (§5.7). Since 0.1. */
#define PF_NET_GS_TERM_GRACEFUL 0x80030023u
#define PF_NET_GS_TERM_PROTECTED_CONTENT 0x800E9302u
#define PF_NET_GS_TERM_CONVERSION_FAILED 0x800E9403u

/** Callbacks of the control server; all run inside dispatch. Since 0.1. */
typedef struct pf_net_gs_control_callbacks {
    void *user_data; /**< borrowed */
    /** The client of session @p id connected. May be NULL. */
    void (*connected)(void *user_data, uint32_t id);
    /** The client asked for an IDR frame (0x0302). May be NULL. */
    void (*idr_request)(void *user_data, uint32_t id);
    /** Reference-frame invalidation of frames @p first..@p last (0x0301). May be NULL. */
    void (*invalidate_refs)(void *user_data, uint32_t id, uint64_t first, uint64_t last);
    /** Frame FEC status (0x5502): @p fec_percent and whether data shards were missing. May be NULL. */
    void (*fec_status)(void *user_data, uint32_t id, uint32_t frame_index,
                       uint32_t missing_data, uint32_t fec_percent);
    /** One decoded input event; borrowed for the call. May be NULL. */
    void (*input)(void *user_data, uint32_t id, const pf_input_event *event);
    /** The session's control stream ended (PF_NET_GS_END_*). May be NULL. */
    void (*ended)(void *user_data, uint32_t id, uint32_t reason);
} pf_net_gs_control_callbacks;

/** Control settings; fill with pf_net_gs_control_settings_default(). Since 0.1. */
typedef struct pf_net_gs_control_settings {
    uint32_t struct_size;     /**< Since 0.1. */
    const char *bind_address; /**< numeric IPv4 address, NULL = 0.0.0.0; borrowed. Since 0.1. */
    uint16_t port;            /**< 47999; 0 = any free port. Since 0.1. */
    uint16_t reserved;
    uint32_t max_peers;       /**< 32. Since 0.1. */
    uint32_t timeout_ms;      /**< silence before a session ends (10000, §10.2). Since 0.1. */
    uint32_t connect_timeout_ms; /**< wait for the peer after registration (10000). Since 0.1. */
    pf_log_hook log;          /**< Since 0.1. */
} pf_net_gs_control_settings;

/** Fills defaults. Since 0.1. */
PF_EXPORT void pf_net_gs_control_settings_default(pf_net_gs_control_settings *settings);

/**
 * Creates the ENet host.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_IO.
 * Ownership: the caller destroys *ret_control. Threading: one thread. Since 0.1.
 */
PF_EXPORT int pf_net_gs_control_create(const pf_net_gs_control_settings *settings,
                                       const pf_net_gs_control_callbacks *callbacks,
                                       pf_net_gs_control **ret_control);

/** Sends termination to every peer, disconnects them and frees; NULL allowed. Since 0.1. */
PF_EXPORT void pf_net_gs_control_destroy(pf_net_gs_control *control);

/** @return the ENet socket fd to watch (borrowed). Since 0.1. */
PF_EXPORT int pf_net_gs_control_get_fd(const pf_net_gs_control *control);

/**
 * @return ms until dispatch must run; at most 10 while a peer is connected, because ENet
 * only retransmits from inside its service call. Since 0.1.
 */
PF_EXPORT int64_t pf_net_gs_control_get_timeout(const pf_net_gs_control *control,
                                                uint64_t now_ms);

/** Services ENet and runs timeouts. @return 0; PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_net_gs_control_dispatch(pf_net_gs_control *control, uint64_t now_ms);

/** @return the bound UDP port. Since 0.1. */
PF_EXPORT uint16_t pf_net_gs_control_get_port(const pf_net_gs_control *control);

/**
 * Registers a session that may connect with ENet connect data @p connect_data. A client
 * without x-ml-general.featureFlags bit 0x02 does not echo X-SS-Connect-Data (§5.1): its
 * connect is matched by address instead, to @p config's peer_ipv4 (its RTSP peer), when no
 * session's connect data matches.
 * @param config the announced stream (encryption mode, feature flags, RTSP peer); borrowed,
 *        copied.
 * @param rikey 16 bytes; copied.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_STATE (id or connect data in use); PF_ERR_NOMEM;
 *         crypto errors. Since 0.1.
 */
PF_EXPORT int pf_net_gs_control_add_session(pf_net_gs_control *control, uint32_t id,
                                            uint32_t connect_data, const uint8_t *rikey,
                                            const pf_net_gs_stream_config *config,
                                            uint64_t now_ms);

/**
 * Ends session @p id: sends 0x0109 with @p code when its peer is connected, then
 * disconnects it at once and forgets it (no ended callback).
 * @return 0; PF_ERR_NOT_FOUND. Since 0.1.
 */
PF_EXPORT int pf_net_gs_control_terminate(pf_net_gs_control *control, uint32_t id,
                                          uint32_t code);

/**
 * Sends one host→client message (§5.7: 0x010b rumble, 0x010e HDR, 0x5500…0x5503).
 * @param payload borrowed. @return 0; PF_ERR_NOT_FOUND; PF_ERR_STATE (not connected);
 *         PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM. Since 0.1.
 */
PF_EXPORT int pf_net_gs_control_send(pf_net_gs_control *control, uint32_t id, uint16_t type,
                                     const uint8_t *payload, size_t len);

/** Sends rumble (0x010b) to session @p id. @return as pf_net_gs_control_send(). Since 0.1. */
PF_EXPORT int pf_net_gs_control_send_rumble(pf_net_gs_control *control, uint32_t id,
                                            uint16_t controller, uint16_t low_freq,
                                            uint16_t high_freq);

/* ---------------------------------------------------------------------------------------- */
/* Video and audio sockets: address learning from pings (§6.1, §8.1)                         */

typedef struct pf_net_gs_media pf_net_gs_media;

#define PF_NET_GS_MEDIA_VIDEO 0u
#define PF_NET_GS_MEDIA_AUDIO 1u

/** Media settings. Since 0.1. */
typedef struct pf_net_gs_media_settings {
    uint32_t struct_size;     /**< Since 0.1. */
    const char *bind_address; /**< numeric IPv4, NULL = 0.0.0.0; borrowed. Since 0.1. */
    uint16_t video_port;      /**< 47998; 0 = any. Since 0.1. */
    uint16_t audio_port;      /**< 48000; 0 = any. Since 0.1. */
    uint32_t send_buffer;     /**< SO_SNDBUF(FORCE) bytes (4 MiB). Since 0.1. */
    pf_log_hook log;          /**< Since 0.1. */
} pf_net_gs_media_settings;

/** Fills defaults. Since 0.1. */
PF_EXPORT void pf_net_gs_media_settings_default(pf_net_gs_media_settings *settings);

/** Binds both sockets. @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_IO. Since 0.1. */
PF_EXPORT int pf_net_gs_media_create(const pf_net_gs_media_settings *settings,
                                     pf_net_gs_media **ret_media);
/** Closes both sockets; NULL allowed. Pacers using them must be gone. Since 0.1. */
PF_EXPORT void pf_net_gs_media_destroy(pf_net_gs_media *media);
/** @return the fd (epoll) to watch for pings. Since 0.1. */
PF_EXPORT int pf_net_gs_media_get_fd(const pf_net_gs_media *media);
/** @return the socket of @p which (PF_NET_GS_MEDIA_*), borrowed; PF_ERR_INVALID_ARGUMENT. Since 0.1. */
PF_EXPORT int pf_net_gs_media_get_socket(const pf_net_gs_media *media, uint32_t which);
/** @return the bound port of @p which (0 for NULL). Since 0.1. */
PF_EXPORT uint16_t pf_net_gs_media_get_port(const pf_net_gs_media *media, uint32_t which);
/**
 * Registers session @p id: pings whose first 16 bytes are @p ping_payload teach its address.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_STATE (payload in use); PF_ERR_NOMEM. Since 0.1.
 */
PF_EXPORT int pf_net_gs_media_add_session(pf_net_gs_media *media, uint32_t id,
                                          const char *ping_payload);
/**
 * Also accepts the legacy 4-byte "PING" (§6.1) for session @p id, but only from IPv4 address
 * @p addr_be (network byte order), the client's RTSP peer address: such pings carry no
 * session, so the source address is all that ties them to one. When several sessions allow
 * the same address, the one allowed last wins.
 * @return 0; PF_ERR_NOT_FOUND; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_net_gs_media_allow_legacy_ping(pf_net_gs_media *media, uint32_t id,
                                                uint32_t addr_be);
/**
 * Ties session @p id to IPv4 address @p addr_be (network byte order): pings of either kind
 * from any other address are ignored, so a payload learnt from a plaintext handshake cannot
 * redirect the stream. For sessions without encrypted RTSP; 0 lifts the tie.
 * @return 0; PF_ERR_NOT_FOUND; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_net_gs_media_restrict_session(pf_net_gs_media *media, uint32_t id,
                                               uint32_t addr_be);
/** Forgets session @p id. @return 0; PF_ERR_NOT_FOUND. Since 0.1. */
PF_EXPORT int pf_net_gs_media_remove_session(pf_net_gs_media *media, uint32_t id);
/**
 * Reads pending pings. Pings that match no session are counted and dropped.
 * @param changed called for each session whose address of @p which changed; the address
 *        is IPv4 in network byte order, the port in host order. May be NULL.
 * @return number of datagrams read; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_net_gs_media_dispatch(pf_net_gs_media *media,
                                       void (*changed)(void *user_data, uint32_t id,
                                                       uint32_t which, uint32_t addr_be,
                                                       uint16_t port),
                                       void *user_data);
/** @return pings dropped because they matched no session. Since 0.1. */
PF_EXPORT uint64_t pf_net_gs_media_get_unmatched(const pf_net_gs_media *media);

/* ---------------------------------------------------------------------------------------- */
/* Paced sender (frame path)                                                                 */

typedef struct pf_net_pacer pf_net_pacer;

/** Pacer settings. Since 0.1. */
typedef struct pf_net_pacer_settings {
    uint32_t struct_size;   /**< Since 0.1. */
    int32_t fd;             /**< UDP socket, borrowed; must outlive the pacer. Since 0.1. */
    uint32_t burst_packets; /**< datagrams per burst (default 16). Since 0.1. */
    uint32_t spread_percent; /**< most of the frame interval a frame may be spread over (50). Since 0.1. */
    uint32_t use_gso;       /**< 1: UDP_SEGMENT (GSO) sends when the kernel allows it, one
                                 message per burst, or per 64 KiB of a larger burst; bursts
                                 not spaced apart share a system call. Since 0.1. */
    uint32_t rate_mbps;     /**< pacing rate the bursts are spaced for (default 2000); a
                                 frame that would need longer than spread_percent of the
                                 interval is sent faster. Since 0.1. */
    uint32_t reserved;
} pf_net_pacer_settings;

/** What one pf_net_pacer_send() did. Since 0.1. */
typedef struct pf_net_pacer_result {
    uint32_t packets_sent;  /**< datagrams handed to the kernel. Since 0.1. */
    uint32_t bursts;        /**< burst count. Since 0.1. */
    uint64_t duration_ns;   /**< first to last send call. Since 0.1. */
    uint64_t last_sent_ns;  /**< CLOCK_MONOTONIC when the last burst returned. Since 0.1. */
} pf_net_pacer_result;

/** Fills defaults (fd -1). Since 0.1. */
PF_EXPORT void pf_net_pacer_settings_default(pf_net_pacer_settings *settings);
/** @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM. Ownership: caller destroys. Since 0.1. */
PF_EXPORT int pf_net_pacer_create(const pf_net_pacer_settings *settings, pf_net_pacer **ret_pacer);

/**
 * Sends to the address the pacer's socket is connect()ed to (IPv4 or IPv6) instead of the
 * pf_net_pacer_set_peer() address, when @p connected is non-zero. punktfunk/1 connects its
 * media socket to the client's punch source. Any thread. Since 0.2.
 */
PF_EXPORT void pf_net_pacer_set_connected(pf_net_pacer *pacer, int connected);

/** NULL allowed. Since 0.1. */
PF_EXPORT void pf_net_pacer_destroy(pf_net_pacer *pacer);
/**
 * Sets the destination (IPv4, network order address, host order port); 0 clears it.
 * Threading: may be called from any thread while another sends. Since 0.1.
 */
PF_EXPORT void pf_net_pacer_set_peer(pf_net_pacer *pacer, uint32_t addr_be, uint16_t port);
/**
 * Sends @p count datagrams of @p len bytes at @p stride apart, in bursts spaced for
 * rate_mbps but within spread_percent of @p interval_ns (0: all at once). Blocks the calling thread while pacing.
 * Send errors (no buffer space, unreachable peer) are transient: the datagram is dropped.
 * @return 0; PF_ERR_STATE (no peer yet: nothing sent); PF_ERR_INVALID_ARGUMENT.
 * Threading: one sending thread. Since 0.1.
 */
PF_EXPORT int pf_net_pacer_send(pf_net_pacer *pacer, const uint8_t *pkts, size_t stride,
                                size_t len, uint32_t count, uint64_t interval_ns,
                                pf_net_pacer_result *ret_result);

#ifdef __cplusplus
}
#endif

#endif
