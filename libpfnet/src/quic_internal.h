/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Private state of the QUIC endpoint (quic_endpoint.c: socket, dispatch, connection table;
 * quic_conn.c: one ngtcp2 connection, its TLS session, streams and closing). */
#ifndef PF_NET_QUIC_INTERNAL_H
#define PF_NET_QUIC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include <gnutls/gnutls.h>
#include <ngtcp2/ngtcp2.h>
#include <ngtcp2/ngtcp2_crypto.h>

#include "pf/net_native.h"

/* Our connection ids: 8 bytes naming the connection in the endpoint's table, 8 random. */
#define PFQ_CID_LEN 16u
#define PFQ_CID_KEY_LEN 8u
/* Largest UDP payload we build (ngtcp2 keeps below its own path MTU). */
#define PFQ_PKT_MAX 1500u

typedef struct pfq_chunk {
    struct pfq_chunk *next;
    uint64_t offset; /* stream offset of data[0] */
    size_t len;
    size_t sent; /* bytes handed to ngtcp2 */
    uint8_t data[];
} pfq_chunk;

typedef struct pfq_stream {
    struct pfq_stream *next;
    int64_t id;
    pfq_chunk *head, *tail; /* unacknowledged chunks, oldest first */
    uint64_t write_offset;  /* offset after the last queued byte */
    uint64_t acked;         /* bytes acknowledged by the peer */
    int fin_queued, fin_sent, blocked;
} pfq_stream;

/* A DATAGRAM waiting to be sent: queued from inside a callback, or held back by congestion
 * control or pacing; sent at the next flush. */
typedef struct pfq_dgram {
    struct pfq_dgram *next;
    size_t len;
    uint8_t data[];
} pfq_dgram;

/* Datagrams oldest first, at most PFQ_DGRAM_QUEUE_BYTES: beyond that the oldest give way
 * (latest-wins, like the reference's 4 KiB datagram send buffer). quic_dgram.c. */
typedef struct pfq_dgram_queue {
    pfq_dgram *head, *tail;
    size_t bytes;
} pfq_dgram_queue;
#define PFQ_DGRAM_QUEUE_BYTES 4096u

enum pfq_state { PFQ_ACTIVE, PFQ_CLOSING, PFQ_DEAD };

struct pf_net_quic_conn {
    struct pf_net_quic_conn *next;
    pf_net_quic_endpoint *ep;
    ngtcp2_conn *conn;
    ngtcp2_crypto_conn_ref ref;
    gnutls_session_t tls;
    enum pfq_state state;
    uint8_t key[PFQ_CID_KEY_LEN];
    ngtcp2_cid odcid; /* the client's first destination id (server side) */
    struct sockaddr_storage local, remote;
    socklen_t local_len, remote_len;
    pfq_stream *streams;
    pfq_dgram_queue dgrams;
    /* Handed over by threads that found the endpoint busy (quic_dgram.c): under
     * handoff_lock, not the endpoint's. */
    pthread_mutex_t handoff_lock;
    pfq_dgram_queue handoff;
    atomic_int handoff_pending;
    int busy;            /* >0 while inside ngtcp2 (callbacks may not free or write) */
    int connected;       /* handshake completed and ALPN checked */
    int close_pending;   /* pf_net_quic_conn_close() called while busy */
    uint64_t close_code; /* for close_pending */
    char close_reason[257];
    int has_peer_fp;
    uint8_t peer_fp[PF_NET_QUIC_FINGERPRINT_LEN];
    uint8_t *close_pkt; /* CONNECTION_CLOSE resent while closing */
    size_t close_pkt_len;
    uint64_t close_deadline;
    void *user;
};

struct pf_net_quic_endpoint {
    pthread_mutex_t lock;
    pf_net_quic_settings st;
    pf_net_quic_callbacks cb;
    char alpn[32];
    char server_name[256];
    int fd;
    int family;
    uint16_t port;
    gnutls_certificate_credentials_t cred;
    gnutls_priority_t prio;
    pf_net_quic_conn *conns;
    uint32_t nconns;
    uint8_t static_secret[32]; /* stateless reset tokens */
};

uint64_t pfq_now(void);
int pfq_fingerprint_der(const uint8_t *der, size_t len, uint8_t out[32]);

/* quic_conn.c */
int pfq_conn_new(pf_net_quic_endpoint *ep, const ngtcp2_pkt_hd *hd, /* NULL: client */
                 const struct sockaddr *local, socklen_t local_len, const struct sockaddr *remote,
                 socklen_t remote_len, pf_net_quic_conn **ret);
/* Feeds one received packet; may close the connection. */
void pfq_conn_read(pf_net_quic_conn *c, const struct sockaddr *local, socklen_t local_len,
                   const uint8_t *pkt, size_t len);
/* Sends everything due; runs expired timers when @p expiry. */
void pfq_conn_flush(pf_net_quic_conn *c, int expiry);
uint64_t pfq_conn_expiry(const pf_net_quic_conn *c);
/* Frees @p c without any callback or packet. */
void pfq_conn_free(pf_net_quic_conn *c);

/* quic_dgram.c */
/* A copy of @p data, or NULL. */
pfq_dgram *pfq_dgram_new(const uint8_t *data, size_t len);
/* Appends @p d (taking it), dropping the oldest beyond PFQ_DGRAM_QUEUE_BYTES. */
void pfq_dgram_queue_push(pfq_dgram_queue *q, pfq_dgram *d);
/* The oldest (the caller frees it), or NULL. */
pfq_dgram *pfq_dgram_queue_pop(pfq_dgram_queue *q);
void pfq_dgram_queue_clear(pfq_dgram_queue *q);
void pfq_handoff_init(pf_net_quic_conn *c);
void pfq_handoff_finish(pf_net_quic_conn *c);
/* Without the endpoint's lock: keeps a copy of @p data for the next holder of that lock.
 * @return 0, PF_ERR_LIMIT (over the queue's size), PF_ERR_NOMEM. */
int pfq_handoff_put(pf_net_quic_conn *c, const uint8_t *data, size_t len);
int pfq_handoff_pending(const pf_net_quic_conn *c);
/* Under the endpoint's lock: everything handed over, oldest first (the caller frees it). */
pfq_dgram_queue pfq_handoff_take(pf_net_quic_conn *c);

/* quic_endpoint.c */
void pfq_send(pf_net_quic_endpoint *ep, const struct sockaddr *to, socklen_t to_len,
              const uint8_t *pkt, size_t len);
void pfq_unlink(pf_net_quic_endpoint *ep, pf_net_quic_conn *c);

#endif
