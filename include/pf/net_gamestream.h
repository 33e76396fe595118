/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/net_gamestream.h
 * The GameStream control plane: HTTP (serverinfo, pairing) and HTTPS (client-certificate
 * pinned: serverinfo, applist, appasset, launch, resume, cancel) servers.
 *
 * The server runs on the caller's event loop: watch pf_net_gs_server_get_fd() for input,
 * wake after pf_net_gs_server_get_timeout(), and call pf_net_gs_server_dispatch() then.
 * Everything the host decides (apps, launching, paired-client storage) goes through the
 * callbacks; libpfnet keeps only the set of authorised certificates, which the application
 * fills at start-up with pf_net_gs_server_add_client().
 *
 * Threading: a server is used from one thread; callbacks run on that thread from inside
 * pf_net_gs_server_dispatch().
 */
#ifndef PF_NET_GAMESTREAM_H
#define PF_NET_GAMESTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "pf/net.h"

#ifdef __cplusplus
extern "C" {
#endif

/** ServerCodecModeSupport bits (gamestream-protocol.md §2.3). */
#define PF_NET_GS_CODEC_H264 0x00000001u
#define PF_NET_GS_CODEC_HEVC 0x00000100u
#define PF_NET_GS_CODEC_HEVC_MAIN10 0x00000200u
#define PF_NET_GS_CODEC_AV1_MAIN8 0x00010000u
#define PF_NET_GS_CODEC_AV1_MAIN10 0x00020000u

/** Host identity string the clients key their behaviour on (§0.1). */
#define PF_NET_GS_APPVERSION "7.1.431.-1"
#define PF_NET_GS_GFEVERSION "3.23.0.74"

#define PF_NET_GS_SETTINGS_VERSION 1u
#define PF_NET_GS_CALLBACKS_VERSION 1u

/** Server settings; fill with pf_net_gs_settings_default() first. Since 0.1. */
typedef struct pf_net_gs_settings {
    uint32_t version;          /**< PF_NET_GS_SETTINGS_VERSION */
    const char *bind_address;  /**< numeric IPv4/IPv6 address, NULL = all; borrowed */
    const char *hostname;      /**< shown by clients; borrowed, copied */
    uint16_t http_port;        /**< 47989; 0 = any free port */
    uint16_t https_port;       /**< 47984; 0 = any free port */
    uint16_t rtsp_port;        /**< advertised in sessionUrl0; 48010 */
    uint16_t reserved0;        /**< zero */
    uint32_t codec_mask;       /**< PF_NET_GS_CODEC_* the encoders can produce */
    uint32_t pin_wait_ms;      /**< how long pairing phase 1 waits for a PIN (120000) */
    uint32_t pin_ttl_ms;       /**< a PIN given to an attempt is refused for other attempts
                                    for this long plus pair_step_ms, at least pin_wait_ms
                                    (60000) */
    uint32_t pair_step_ms;     /**< max gap between pairing phases (30000) */
    uint32_t pair_max_failures; /**< failed pairings before lock-out (3) */
    uint32_t pair_lockout_ms;  /**< lock-out length after too many failures (300000) */
    uint32_t max_connections;  /**< per server (64) */
    pf_log_hook log;           /**< debug log hook; may be empty */
} pf_net_gs_settings;

/** Fills @p settings with the defaults above. Since 0.1. */
PF_EXPORT void pf_net_gs_settings_default(pf_net_gs_settings *settings);

/** What a client asked for in /launch or /resume (§2.8). Since 0.1. */
typedef struct pf_net_gs_launch {
    uint32_t struct_size;    /**< sizeof(pf_net_gs_launch) */
    uint32_t resume;         /**< 1 for /resume */
    uint32_t appid;          /**< 0 on /resume */
    uint32_t width, height, fps;
    uint8_t rikey[16];       /**< session AES key */
    uint32_t rikeyid;        /**< signed decimal on the wire, stored as uint32 */
    uint32_t surround_info;  /**< (channelMask << 16) | channelCount */
    uint32_t sops, local_audio, hdr, corever, gamepad_mask;
    const char *client_id;   /**< pf_net_cert_id of the client certificate; borrowed */
    uint32_t peer_ipv4;      /**< the client's IPv4 address (network byte order), 0 when not
                                  IPv4: a session without encrypted RTSP is tied to it */
} pf_net_gs_launch;

/**
 * Whether the session of @p launch must use encrypted RTSP (§4.8): 1 for corever >= 1,
 * and then sessionUrl0 says rtspenc://. The host registers its RTSP session with
 * require_encryption set to this. Since 0.1.
 */
PF_EXPORT int pf_net_gs_launch_rtsp_encrypted(const pf_net_gs_launch *launch);

/** One catalog entry for /applist. Since 0.1. */
typedef struct pf_net_gs_app {
    uint32_t id;           /**< non-zero */
    uint32_t hdr;          /**< 1 if the app supports HDR */
    const char *title;     /**< borrowed until the callback is called again */
} pf_net_gs_app;

/** Host callbacks. Each returns 0 or a negative PF_ERR_* value. Since 0.1. */
typedef struct pf_net_gs_callbacks {
    uint32_t version; /**< PF_NET_GS_CALLBACKS_VERSION */
    void *user_data;  /**< passed to every callback; borrowed */
    /** A pairing finished: store the client. @p cert_pem is the client's certificate. A
     * failure here makes the pairing fail. May be NULL (nothing persisted). */
    int (*paired)(void *user_data, const char *client_id, const char *cert_pem,
                  const char *device_name);
    /** Fills @p ret_app with the app at @p index; PF_ERR_NOT_FOUND past the end. */
    int (*app_get)(void *user_data, uint32_t index, pf_net_gs_app *ret_app);
    /** Box art PNG of @p appid, borrowed until the next call; PF_ERR_NOT_FOUND if none. */
    int (*app_asset)(void *user_data, uint32_t appid, const uint8_t **ret_png,
                     size_t *ret_len);
    /** Starts or resumes a session. PF_ERR_NOT_FOUND (no such app / nothing to resume),
     * PF_ERR_STATE (another app runs), anything else: the host could not start. */
    int (*launch)(void *user_data, const pf_net_gs_launch *launch);
    /** /cancel from @p client_id: stop sessions and quit the app. */
    int (*cancel)(void *user_data, const char *client_id);
    /** Current state for serverinfo: running app id (0 = none). */
    uint32_t (*current_app)(void *user_data);
} pf_net_gs_callbacks;

typedef struct pf_net_gs_server pf_net_gs_server;

/**
 * Creates the servers and binds their sockets.
 * @param settings borrowed; strings are copied. @param callbacks borrowed, copied.
 * @param identity borrowed; must outlive the server.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM; PF_ERR_IO (a port could not be bound).
 * Ownership: the caller destroys *ret_server. Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_create(const pf_net_gs_settings *settings,
                                      const pf_net_gs_callbacks *callbacks,
                                      const pf_net_identity *identity,
                                      pf_net_gs_server **ret_server);

/** Stops the servers and closes every connection; NULL allowed. Since 0.1. */
PF_EXPORT void pf_net_gs_server_destroy(pf_net_gs_server *server);

/** @return the fd to watch for input (O_CLOEXEC, borrowed). Since 0.1. */
PF_EXPORT int pf_net_gs_server_get_fd(const pf_net_gs_server *server);

/**
 * @param now_ms a monotonic clock in milliseconds.
 * @return milliseconds until pf_net_gs_server_dispatch() must run even without input; -1 for
 * no deadline. Since 0.1.
 */
PF_EXPORT int64_t pf_net_gs_server_get_timeout(const pf_net_gs_server *server, uint64_t now_ms);

/**
 * Serves whatever is ready and handles expired deadlines.
 * @return 0; PF_ERR_IO when the HTTP engine failed. Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_dispatch(pf_net_gs_server *server, uint64_t now_ms);

/** @return the bound HTTP (@p https 0) or HTTPS (1) port. Since 0.1. */
PF_EXPORT uint16_t pf_net_gs_server_get_port(const pf_net_gs_server *server, int https);

/**
 * Sets the RTSP port advertised in sessionUrl0 (§2.8), for hosts that bind RTSP after the
 * GameStream servers (or on a free port).
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL or port 0). Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_set_rtsp_port(pf_net_gs_server *server, uint16_t port);

/** @return the RTSP port advertised in sessionUrl0. Since 0.1. */
PF_EXPORT uint16_t pf_net_gs_server_get_rtsp_port(const pf_net_gs_server *server);

/**
 * Sets the WAN address /serverinfo reports as ExternalIP (§2.3), which Moonlight keeps to
 * reach the host from outside its LAN. The host cannot learn it by itself behind NAT, so it
 * comes from configuration. @p ipv4 is a dotted-quad IPv4 address (GameStream is IPv4 only),
 * copied; NULL or "" stops reporting one.
 * @return 0; PF_ERR_INVALID_ARGUMENT (NULL server, not an IPv4 address); PF_ERR_NOMEM.
 * Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_set_external_address(pf_net_gs_server *server,
                                                    const char *ipv4);

/**
 * Hands a PIN typed by the user to the server. It serves exactly one pairing attempt: the
 * only one waiting in phase 1 (pf_net_gs_server_set_pin2() with no attempt id). Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_set_pin(pf_net_gs_server *server, const char *pin,
                                       uint64_t now_ms);

/**
 * Hands a PIN typed by the user to one pairing attempt waiting in phase 1. The PIN serves
 * exactly that attempt, and is refused for any other attempt afterwards (an attempt that
 * received it can recover it offline). A PIN typed while no attempt waits is refused: it
 * would go to whoever asks first.
 * @param pin four ASCII digits.
 * @param attempt_id the id of a waiting attempt (pf_net_gs_server_get_pairing_attempt());
 *        NULL when exactly one attempt waits.
 * @return 0; PF_ERR_INVALID_ARGUMENT (not four digits); PF_ERR_LIMIT (pairing is locked out
 *         after too many wrong PINs); PF_ERR_NOT_FOUND (no attempt waits, or none has that
 *         id); PF_ERR_STATE (several attempts wait and @p attempt_id is NULL);
 *         PF_ERR_REPLAY (this PIN was already given to an attempt). Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_set_pin2(pf_net_gs_server *server, const char *pin,
                                        const char *attempt_id, uint64_t now_ms);

/** A pairing attempt waiting for the user's PIN. Since 0.1. */
typedef struct pf_net_gs_pair_attempt {
    uint32_t struct_size;  /**< sizeof(pf_net_gs_pair_attempt), set by the caller */
    char id[24];           /**< opaque id for pf_net_gs_server_set_pin2() */
    char device_name[64];  /**< the name the client sent (unverified; control bytes as '?') */
    char address[64];      /**< the client's IP address */
    uint64_t age_ms;       /**< how long ago its phase 1 arrived */
} pf_net_gs_pair_attempt;

/**
 * Fills @p ret_attempt with the waiting pairing attempt at @p index, oldest first.
 * @param ret_attempt its struct_size must be set.
 * @return 0; PF_ERR_NOT_FOUND past the end; PF_ERR_INVALID_ARGUMENT. Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_get_pairing_attempt(const pf_net_gs_server *server,
                                                   uint32_t index, uint64_t now_ms,
                                                   pf_net_gs_pair_attempt *ret_attempt);

/** @return the number of pairing attempts waiting for a PIN. Since 0.1. */
PF_EXPORT uint32_t pf_net_gs_server_get_pairing_waiting(const pf_net_gs_server *server);

/**
 * Authorises a client certificate on HTTPS.
 * @param cert_pem PEM text; borrowed. @return 0; PF_ERR_MALFORMED; PF_ERR_NOMEM. Since 0.1.
 */
PF_EXPORT int pf_net_gs_server_add_client(pf_net_gs_server *server, const char *cert_pem);

/** Revokes the client with id @p client_id. @return 0; PF_ERR_NOT_FOUND. Since 0.1. */
PF_EXPORT int pf_net_gs_server_remove_client(pf_net_gs_server *server, const char *client_id);

#ifdef __cplusplus
}
#endif

#endif
