/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/net_native.h
 * libpfnet: the QUIC endpoint of punktfunk/1 (ALPN "pkf1") and its certificates.
 *
 * One endpoint owns one UDP socket (IPv4, IPv6 or dual-stack) and the QUIC connections on it,
 * as a server (the host, UDP 9777 by default) or as a client (a viewer, or a test driver).
 * QUIC v1 with TLS 1.3 (ngtcp2 + GnuTLS), ALPN exactly as configured, DATAGRAM frames enabled
 * (RFC 9221), idle timeout and keep-alive as punktfunk/1 prescribes (8 s / 4 s by default).
 *
 * The endpoint is driven by its owner: poll pf_net_quic_endpoint_get_fd() for input and call
 * pf_net_quic_endpoint_dispatch() when it is readable or when the timeout from
 * pf_net_quic_endpoint_get_timeout() has passed. Callbacks run inside dispatch (and inside the
 * calls that send). No thread is started.
 *
 * Threading: every call on an endpoint and its connections is serialised by an internal lock,
 * so a media thread may send datagrams while the event loop dispatches. Callbacks run with the
 * lock held: they may call the pf_net_quic_conn_* functions of this endpoint (the lock is
 * recursive) but must not block.
 *
 * Identity: the server presents a self-signed certificate (ECDSA P-256 from
 * pf_net_quic_cert_generate()); peers pin it by the SHA-256 of its DER. A client may present a
 * certificate too; the server requests one but does not require it, checks only the TLS
 * handshake signature (chains, names and dates are ignored, as punktfunk/1 specifies) and
 * exposes the fingerprint through pf_net_quic_conn_get_peer_fingerprint().
 */
#ifndef PF_NET_NATIVE_H
#define PF_NET_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include "pf/core/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Default UDP port of the punktfunk/1 host. */
#define PF_NET_NATIVE_PORT 9777u
/** SHA-256 fingerprint length of a certificate. */
#define PF_NET_QUIC_FINGERPRINT_LEN 32u

typedef struct pf_net_quic_endpoint pf_net_quic_endpoint;
typedef struct pf_net_quic_conn pf_net_quic_conn;

/** Which side of QUIC an endpoint plays. */
typedef enum pf_net_quic_role {
    PF_NET_QUIC_SERVER = 0, /**< accepts connections */
    PF_NET_QUIC_CLIENT = 1, /**< opens connections with pf_net_quic_endpoint_connect() */
} pf_net_quic_role;

/** How a connection ended; passed to pf_net_quic_callbacks.closed. */
typedef struct pf_net_quic_close_info {
    uint32_t struct_size;
    /** 1: an application close (the punktfunk/1 close codes); 0: a transport or TLS error,
     *  an idle timeout (code 0) or a local failure. */
    int application;
    /** 1: the peer sent the close; 0: this side closed (or timed out). */
    int remote;
    /** The QUIC error code (application code when application is 1). */
    uint64_t code;
    /** UTF-8 reason (NUL-terminated, possibly empty); valid during the callback only. */
    const char *reason;
} pf_net_quic_close_info;

/** Callbacks of an endpoint; each may be NULL. @p user is pf_net_quic_settings.user. */
typedef struct pf_net_quic_callbacks {
    uint32_t struct_size;
    /** The TLS handshake of @p conn completed (ALPN checked). */
    void (*connected)(pf_net_quic_conn *conn, void *user);
    /** In-order bytes of stream @p stream_id; @p fin marks the end of the peer's side. */
    void (*stream_data)(pf_net_quic_conn *conn, int64_t stream_id, const uint8_t *data,
                        size_t len, int fin, void *user);
    /** One QUIC DATAGRAM frame. */
    void (*datagram)(pf_net_quic_conn *conn, const uint8_t *data, size_t len, void *user);
    /** @p conn is gone; it is freed when the callback returns. */
    void (*closed)(pf_net_quic_conn *conn, const pf_net_quic_close_info *info, void *user);
} pf_net_quic_callbacks;

/** Endpoint settings; fill with pf_net_quic_settings_default() first. */
typedef struct pf_net_quic_settings {
    uint32_t struct_size;
    pf_net_quic_role role;
    /** Local address to bind (numeric IPv4 or IPv6). NULL: "::" dual-stack (IPv4 and IPv6). */
    const char *bind_address;
    /** Local UDP port; 0 picks one (pf_net_quic_endpoint_get_port() tells which). */
    uint16_t port;
    /** ALPN protocol id, e.g. "pkf1"; required. Connections without it fail the handshake. */
    const char *alpn;
    /** PEM certificate and private key; required for a server, optional for a client (the
     *  client identity). Borrowed during create only. */
    const char *cert_pem;
    const char *key_pem;
    /** Client only: the TLS server name sent (SNI); NULL sends none. */
    const char *server_name;
    /** Idle timeout advertised to the peer, ms (default 8000). */
    uint32_t idle_timeout_ms;
    /** Interval of keep-alive PINGs, ms (default 4000; 0 disables). */
    uint32_t keepalive_ms;
    /** Time a handshake may take, ms (default 10000). */
    uint32_t handshake_timeout_ms;
    /** Server only: connections held at once; further Initials are dropped (default 64). */
    uint32_t max_connections;
    /** Passed to every callback. */
    void *user;
    /** Log hook (topic "quic"); may be empty. */
    pf_log_hook log;
} pf_net_quic_settings;

/** Fills @p st with the defaults above. Since 0.2. */
PF_EXPORT void pf_net_quic_settings_default(pf_net_quic_settings *st);

/**
 * Creates an endpoint and binds its socket.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_MALFORMED (certificate or key do not parse);
 *         PF_ERR_IO (socket or bind failed: a negative errno is logged); PF_ERR_NOMEM;
 *         PF_ERR_CRYPTO. Since 0.2.
 */
PF_EXPORT int pf_net_quic_endpoint_create(const pf_net_quic_settings *settings,
                                          const pf_net_quic_callbacks *callbacks,
                                          pf_net_quic_endpoint **ret_endpoint);

/** Destroys @p ep (NULL allowed): closes every connection silently (no callback). Since 0.2. */
PF_EXPORT void pf_net_quic_endpoint_destroy(pf_net_quic_endpoint *ep);

/** @return the socket to poll for input. Since 0.2. */
PF_EXPORT int pf_net_quic_endpoint_get_fd(const pf_net_quic_endpoint *ep);

/** @return the bound local UDP port. Since 0.2. */
PF_EXPORT uint16_t pf_net_quic_endpoint_get_port(const pf_net_quic_endpoint *ep);

/** @return ms until dispatch must run again even without input; -1 when no timer is due. */
PF_EXPORT int pf_net_quic_endpoint_get_timeout(pf_net_quic_endpoint *ep);

/** Reads every pending datagram, runs due timers, sends what is due. Never blocks.
 *  @return 0; PF_ERR_IO when the socket fails. Since 0.2. */
PF_EXPORT int pf_net_quic_endpoint_dispatch(pf_net_quic_endpoint *ep);

/**
 * Client only: starts a connection to @p host (numeric IPv4 or IPv6) port @p port.
 * The connected callback follows when the handshake completes, or closed when it fails.
 * @param ret_conn receives the connection (owned by the endpoint). Since 0.2.
 */
PF_EXPORT int pf_net_quic_endpoint_connect(pf_net_quic_endpoint *ep, const char *host,
                                           uint16_t port, pf_net_quic_conn **ret_conn);

/** Opens a bidirectional stream. @return 0; PF_ERR_LIMIT when the peer allows no more. */
PF_EXPORT int pf_net_quic_conn_open_bidi(pf_net_quic_conn *conn, int64_t *ret_stream_id);

/**
 * Queues @p len bytes on @p stream_id (copied) and sends what flow control allows; @p fin
 * ends this side of the stream. @return 0; PF_ERR_STATE (stream unknown or finished);
 * PF_ERR_NOMEM. Since 0.2.
 */
PF_EXPORT int pf_net_quic_conn_write(pf_net_quic_conn *conn, int64_t stream_id,
                                     const uint8_t *data, size_t len, int fin);

/**
 * Sends one QUIC DATAGRAM. Datagrams are unreliable and latest-wins: what congestion control or
 * pacing holds back waits in a 4 KiB queue whose oldest entries give way. This call never
 * blocks on the endpoint's lock: a datagram sent from another thread while the endpoint is
 * busy is handed over (a copy, in a queue of the same size) and goes out with the next send
 * on the connection or at the next pf_net_quic_endpoint_dispatch(), which
 * pf_net_quic_endpoint_get_timeout() then asks for at once (0). Handed-over datagrams are
 * checked as they go out, and dropped if the connection is not open or the peer would refuse
 * their size.
 * @return 0 (sent, queued or handed over); PF_ERR_AGAIN (not yet connected, or closing);
 *         PF_ERR_LIMIT (larger than the peer accepts or a packet carries).
 *         Since 0.2.
 */
PF_EXPORT int pf_net_quic_conn_send_datagram(pf_net_quic_conn *conn, const uint8_t *data,
                                             size_t len);

/**
 * Closes @p conn with application error @p code and a UTF-8 @p reason (NULL = empty; at most
 * 256 bytes are sent). The closed callback runs before this returns. Since 0.2.
 */
PF_EXPORT void pf_net_quic_conn_close(pf_net_quic_conn *conn, uint64_t code, const char *reason);

/**
 * SHA-256 of the peer's leaf certificate DER (the server's for a client; the client's for a
 * server). @return 0; PF_ERR_NOT_FOUND (the peer presented none). Since 0.2.
 */
PF_EXPORT int pf_net_quic_conn_get_peer_fingerprint(const pf_net_quic_conn *conn,
                                                    uint8_t out[PF_NET_QUIC_FINGERPRINT_LEN]);

/**
 * The peer's (@p local 0) or this side's (@p local 1) address of the connection as a
 * struct sockaddr (IPv4, IPv6 or IPv4-mapped IPv6) copied into @p out.
 * @return the address length; PF_ERR_BUFFER_TOO_SMALL. Since 0.2.
 */
PF_EXPORT int pf_net_quic_conn_get_address(const pf_net_quic_conn *conn, int local, void *out,
                                           size_t cap);

/** Attaches application data to @p conn. Since 0.2. */
PF_EXPORT void pf_net_quic_conn_set_user(pf_net_quic_conn *conn, void *user);
/** @return what pf_net_quic_conn_set_user() attached, or NULL. Since 0.2. */
PF_EXPORT void *pf_net_quic_conn_get_user(const pf_net_quic_conn *conn);

/**
 * Generates a self-signed ECDSA P-256 certificate (SHA-256, valid 20 years) with SANs for
 * @p common_name (when it is a DNS name), "localhost", 127.0.0.1 and ::1.
 * @param ret_key_pem, ret_cert_pem receive NUL-terminated PEM text; free with
 *        pf_net_quic_free(). @return 0; PF_ERR_CRYPTO; PF_ERR_NOMEM. Since 0.2.
 */
PF_EXPORT int pf_net_quic_cert_generate(const char *common_name, char **ret_key_pem,
                                        char **ret_cert_pem);

/**
 * SHA-256 of the DER of the PEM certificate @p cert_pem (the pin clients store).
 * @return 0; PF_ERR_MALFORMED. Since 0.2.
 */
PF_EXPORT int pf_net_quic_cert_fingerprint(const char *cert_pem, size_t len,
                                           uint8_t out[PF_NET_QUIC_FINGERPRINT_LEN]);

/**
 * Checks that @p key_pem is the private key of @p cert_pem.
 * @return 0; PF_ERR_MALFORMED (either does not parse, or they do not belong together). Since 0.2.
 */
PF_EXPORT int pf_net_quic_cert_check_pair(const char *key_pem, const char *cert_pem);

/** Frees memory returned by pf_net_quic_cert_generate(). Since 0.2. */
PF_EXPORT void pf_net_quic_free(void *p);

#ifdef __cplusplus
}
#endif

#endif
