/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private state of the punktfunk/1 plane: native.c (endpoint, connections, handshake
 * dispatch), native_pairing.c (the PIN ceremony), native_session.c (a streaming session). */
#ifndef PFHOST_NATIVE_INTERNAL_H
#define PFHOST_NATIVE_INTERNAL_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_handshake.h"
#include "pf/net_native.h"

#include "native.h"
#include "native_pair.h"

/* §4.1 step 1: a pkf1-era host gives the first message 10 s (§13 item 7). */
#define NATIVE_HANDSHAKE_MS 10000u
/* §6.2: each pairing read or write step has 60 s; PairResult is followed by ≤ 5 s linger. */
#define NATIVE_PAIR_STEP_MS 60000u
#define NATIVE_PAIR_LINGER_MS 5000u

typedef struct native_session native_session;
typedef struct native_pairing native_pairing;

typedef enum native_state {
    NC_FIRST,      /* waiting for Hello or PairRequest */
    NC_PAIR_PROOF, /* PairChallenge sent, waiting for PairProof */
    NC_PAIR_DONE,  /* PairResult sent; the client closes (or the linger runs out) */
    NC_WAIT_START, /* Welcome sent, waiting for Start */
    NC_STREAMING,  /* typed control messages */
} native_state;

typedef struct native_conn {
    struct native_conn *next;
    struct native_plane *np;
    pf_net_quic_conn *qc;
    int64_t sid; /* the control stream; -1 until the client opened it */
    uint8_t *buf;
    size_t len, cap;
    native_state state;
    uint64_t deadline_ms; /* of the current step; 0 = none */
    uint64_t linger_code; /* NC_PAIR_DONE: the close sent when the linger ends */
    int has_fp;
    uint8_t fp[PF_NET_QUIC_FINGERPRINT_LEN];
    char fp_hex[65];
    char peer[64]; /* printable peer address for the log */
    int closing; /* a close was asked for; no more frames are handled */
    native_pairing *pairing;
    native_session *sess;
    uint32_t grants;
} native_conn;

struct native_plane {
    host *h;
    stream_options opt;
    pf_net_quic_endpoint *ep;
    sd_event_source *io, *timer;
    char *cert_pem;
    uint8_t fp[PF_NET_QUIC_FINGERPRINT_LEN];
    char fp_hex[65];
    native_pair pair;
    native_conn *conns;
    uint32_t nsessions;
    pf_log_hook log;
    /* native_desktop.c: the desktops' callbacks for GameStream sessions, which it passes the
     * ids of those on to, and the next native desktop id. */
    void (*gs_end_session)(void *user_data, uint32_t id, uint32_t code);
    int (*gs_source_failed)(void *user_data, uint32_t id);
    void *gs_user_data;
    uint32_t next_desktop;
};

uint64_t native_now_ms(void);
/* Frames @p payload onto the control stream. Returns 0 or a PF_ERR_* value. */
int native_send_payload(native_conn *nc, const uint8_t *payload, size_t len, int fin);
int native_send_msg(native_conn *nc, const pf_pkf1_msg *msg, int fin);
/* Refuses or ends @p nc with a punktfunk/1 close code; logs the reason once. */
void native_refuse(native_conn *nc, uint32_t code, const char *reason);

/* native_pairing.c: §6. @p payload is a PairRequest / PairProof typed payload. */
void native_pairing_request(native_conn *nc, const uint8_t *payload, size_t len);
void native_pairing_proof(native_conn *nc, const uint8_t *payload, size_t len);
void native_pairing_free(native_pairing *p);

/* native_access.c: after the Welcome, starts the app the Hello's launch names (if any) from
 * the catalog and answers LaunchOutcome (§5.6). The LAUNCH grant was checked before. */
void native_launch(native_conn *nc, const pf_pkf1_hello *hello, uint32_t width, uint32_t height,
                   uint32_t refresh_hz);

/* native_session.c: one streaming session of a connection. */
/* Resolves the Hello, starts output, encoder and data socket, fills the Welcome. Returns 0, or a
 * close code with a reason. */
uint32_t native_session_create(native_conn *nc, const pf_pkf1_hello *hello,
                               pf_pkf1_welcome *ret_welcome, native_session **ret, char *reason,
                               size_t reason_len);
/* Start arrived: wait for the punch, then stream. */
void native_session_start(native_session *s, uint16_t client_udp_port, int abr_reason);
void native_session_control(native_session *s, const pf_pkf1_msg *msg, uint64_t recv_ns);
void native_session_datagram(native_session *s, const uint8_t *data, size_t len);
void native_session_destroy(native_session *s);
/* native_desktop.c: the id of the session's desktop, 0 without one; what to do when it is
 * gone (before the desktop's injector goes); and whether its captured source broke. */
uint32_t native_session_desktop_id(const native_session *s);
void native_session_desktop_lost(native_session *s);
int native_session_source_failed(const native_session *s);

#endif
