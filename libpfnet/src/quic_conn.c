/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One QUIC connection of the punktfunk/1 endpoint: the ngtcp2 state, its GnuTLS session,
 * stream send buffers (ngtcp2 references unacknowledged bytes, so chunks never move until the
 * peer acknowledges them) and the closing period. Callbacks into the application run with the
 * connection marked busy; closing or writing from them is deferred to the end of the read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <ngtcp2/ngtcp2_crypto_gnutls.h>

#include "pf/core/error.h"

#include "netlog.h"
#include "quic_internal.h"

#define MAX_STREAMS_BIDI 16u
#define STREAM_WINDOW (1u << 20)
#define CONN_WINDOW (4u << 20)
/* Largest DATAGRAM frame we accept; punktfunk/1 asks for >= 1400 (§1.1). */
#define MAX_DATAGRAM_FRAME 65535u
/* TLS alert no_application_protocol (RFC 8446), sent as CRYPTO_ERROR 0x100 + alert. */
#define ALERT_NO_APPLICATION_PROTOCOL 120u

static void send_queued_datagrams(pf_net_quic_conn *c);

static ngtcp2_conn *get_conn(ngtcp2_crypto_conn_ref *ref)
{
    return ((pf_net_quic_conn *)ref->user_data)->conn;
}

static void cb_rand(uint8_t *dest, size_t len, const ngtcp2_rand_ctx *ctx)
{
    (void)ctx;
    gnutls_rnd(GNUTLS_RND_RANDOM, dest, len);
}

static int cb_new_cid(ngtcp2_conn *conn, ngtcp2_cid *cid, uint8_t *token, size_t cidlen,
                      void *user)
{
    (void)conn;
    (void)cidlen;
    pf_net_quic_conn *c = user;
    uint8_t id[PFQ_CID_LEN];
    memcpy(id, c->key, PFQ_CID_KEY_LEN);
    if (gnutls_rnd(GNUTLS_RND_NONCE, id + PFQ_CID_KEY_LEN, PFQ_CID_LEN - PFQ_CID_KEY_LEN) < 0)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    ngtcp2_cid_init(cid, id, PFQ_CID_LEN);
    if (ngtcp2_crypto_generate_stateless_reset_token(token, c->ep->static_secret,
                                                     sizeof(c->ep->static_secret), cid) != 0)
        return NGTCP2_ERR_CALLBACK_FAILURE;
    return 0;
}

static pfq_stream *stream_find(pf_net_quic_conn *c, int64_t id)
{
    for (pfq_stream *s = c->streams; s; s = s->next)
        if (s->id == id)
            return s;
    return NULL;
}

static pfq_stream *stream_add(pf_net_quic_conn *c, int64_t id)
{
    pfq_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->id = id;
    s->next = c->streams;
    c->streams = s;
    return s;
}

static void stream_free(pfq_stream *s)
{
    for (pfq_chunk *k = s->head, *n; k; k = n) {
        n = k->next;
        free(k);
    }
    free(s);
}

static int cb_stream_open(ngtcp2_conn *conn, int64_t id, void *user)
{
    (void)conn;
    return stream_add(user, id) ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

static int cb_recv_stream_data(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t offset,
                               const uint8_t *data, size_t len, void *user, void *suser)
{
    (void)offset;
    (void)suser;
    pf_net_quic_conn *c = user;
    if (c->ep->cb.stream_data && c->state == PFQ_ACTIVE && !c->close_pending)
        c->ep->cb.stream_data(c, id, data, len, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0,
                              c->ep->st.user);
    ngtcp2_conn_extend_max_stream_offset(conn, id, len);
    ngtcp2_conn_extend_max_offset(conn, len);
    return 0;
}

static int cb_acked(ngtcp2_conn *conn, int64_t id, uint64_t offset, uint64_t len, void *user,
                    void *suser)
{
    (void)conn;
    (void)offset;
    (void)suser;
    pfq_stream *s = stream_find(user, id);
    if (!s)
        return 0;
    s->acked += len;
    while (s->head && s->head->offset + s->head->len <= s->acked) {
        pfq_chunk *k = s->head;
        s->head = k->next;
        if (!s->head)
            s->tail = NULL;
        free(k);
    }
    return 0;
}

static int cb_stream_close(ngtcp2_conn *conn, uint32_t flags, int64_t id, uint64_t code,
                           void *user, void *suser)
{
    (void)flags;
    (void)code;
    (void)suser;
    pf_net_quic_conn *c = user;
    for (pfq_stream **pp = &c->streams; *pp; pp = &(*pp)->next)
        if ((*pp)->id == id) {
            pfq_stream *s = *pp;
            *pp = s->next;
            stream_free(s);
            break;
        }
    if (!ngtcp2_conn_is_local_stream(conn, id) && (id & 0x2) == 0)
        ngtcp2_conn_extend_max_streams_bidi(conn, 1);
    return 0;
}

static int cb_recv_datagram(ngtcp2_conn *conn, uint32_t flags, const uint8_t *data, size_t len,
                            void *user)
{
    (void)conn;
    (void)flags;
    pf_net_quic_conn *c = user;
    if (c->ep->cb.datagram && c->connected && c->state == PFQ_ACTIVE && !c->close_pending)
        c->ep->cb.datagram(c, data, len, c->ep->st.user);
    return 0;
}

static int cb_handshake_completed(ngtcp2_conn *conn, void *user)
{
    (void)conn;
    pf_net_quic_conn *c = user;
    gnutls_datum_t alpn = {0};
    size_t want = strlen(c->ep->alpn);
    if (gnutls_alpn_get_selected_protocol(c->tls, &alpn) < 0 || alpn.size != want ||
        memcmp(alpn.data, c->ep->alpn, want) != 0) {
        /* GnuTLS's mandatory ALPN does not cover a ClientHello without the extension. */
        pfi_net_log(&c->ep->st.log, PF_LOG_INFO, "quic", "a peer without ALPN \"%s\" is refused",
                    c->ep->alpn);
        return NGTCP2_ERR_CALLBACK_FAILURE;
    }
    unsigned n = 0;
    const gnutls_datum_t *peers = gnutls_certificate_get_peers(c->tls, &n);
    if (peers && n > 0 && pfq_fingerprint_der(peers[0].data, peers[0].size, c->peer_fp) == 0)
        c->has_peer_fp = 1;
    c->connected = 1;
    if (c->ep->cb.connected && !c->close_pending)
        c->ep->cb.connected(c, c->ep->st.user);
    return 0;
}

static void fill_callbacks(ngtcp2_callbacks *cb, int server)
{
    memset(cb, 0, sizeof(*cb));
    if (server) {
        cb->recv_client_initial = ngtcp2_crypto_recv_client_initial_cb;
    } else {
        cb->client_initial = ngtcp2_crypto_client_initial_cb;
        cb->recv_retry = ngtcp2_crypto_recv_retry_cb;
    }
    cb->recv_crypto_data = ngtcp2_crypto_recv_crypto_data_cb;
    cb->encrypt = ngtcp2_crypto_encrypt_cb;
    cb->decrypt = ngtcp2_crypto_decrypt_cb;
    cb->hp_mask = ngtcp2_crypto_hp_mask_cb;
    cb->update_key = ngtcp2_crypto_update_key_cb;
    cb->delete_crypto_aead_ctx = ngtcp2_crypto_delete_crypto_aead_ctx_cb;
    cb->delete_crypto_cipher_ctx = ngtcp2_crypto_delete_crypto_cipher_ctx_cb;
    cb->get_path_challenge_data = ngtcp2_crypto_get_path_challenge_data_cb;
    cb->version_negotiation = ngtcp2_crypto_version_negotiation_cb;
    cb->rand = cb_rand;
    cb->get_new_connection_id = cb_new_cid;
    cb->stream_open = cb_stream_open;
    cb->recv_stream_data = cb_recv_stream_data;
    cb->acked_stream_data_offset = cb_acked;
    cb->stream_close = cb_stream_close;
    cb->recv_datagram = cb_recv_datagram;
    cb->handshake_completed = cb_handshake_completed;
}

static int tls_setup(pf_net_quic_conn *c, int server)
{
    pf_net_quic_endpoint *ep = c->ep;
    if (gnutls_init(&c->tls, server ? GNUTLS_SERVER : GNUTLS_CLIENT) < 0)
        return PF_ERR_CRYPTO;
    int r = server ? ngtcp2_crypto_gnutls_configure_server_session(c->tls)
                   : ngtcp2_crypto_gnutls_configure_client_session(c->tls);
    gnutls_datum_t alpn = {(unsigned char *)ep->alpn, (unsigned)strlen(ep->alpn)};
    if (r != 0 || gnutls_priority_set(c->tls, ep->prio) < 0 ||
        gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, ep->cred) < 0 ||
        gnutls_alpn_set_protocols(c->tls, &alpn, 1, server ? GNUTLS_ALPN_MANDATORY : 0) < 0)
        return PF_ERR_CRYPTO;
    if (server) {
        /* Request, never require: anonymous connections are refused by policy later (0x63),
         * with a close code the client can show, not by a TLS alert. No chain verification is
         * asked for, so only the handshake signature is checked (§1.2). */
        gnutls_certificate_server_set_request(c->tls, GNUTLS_CERT_REQUEST);
    } else if (ep->server_name[0] &&
               gnutls_server_name_set(c->tls, GNUTLS_NAME_DNS, ep->server_name,
                                      strlen(ep->server_name)) < 0) {
        return PF_ERR_CRYPTO;
    }
    c->ref.get_conn = get_conn;
    c->ref.user_data = c;
    gnutls_session_set_ptr(c->tls, &c->ref);
    ngtcp2_conn_set_tls_native_handle(c->conn, c->tls);
    return 0;
}

static void make_path(ngtcp2_path *p, const struct sockaddr *local, socklen_t ll,
                      const struct sockaddr *remote, socklen_t rl)
{
    p->local.addr = (ngtcp2_sockaddr *)local;
    p->local.addrlen = ll;
    p->remote.addr = (ngtcp2_sockaddr *)remote;
    p->remote.addrlen = rl;
    p->user_data = NULL;
}

int pfq_conn_new(pf_net_quic_endpoint *ep, const ngtcp2_pkt_hd *hd, const struct sockaddr *local,
                 socklen_t local_len, const struct sockaddr *remote, socklen_t remote_len,
                 pf_net_quic_conn **ret)
{
    int server = hd != NULL;
    pf_net_quic_conn *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    pfq_handoff_init(c);
    c->ep = ep;
    memcpy(&c->local, local, local_len);
    c->local_len = local_len;
    memcpy(&c->remote, remote, remote_len);
    c->remote_len = remote_len;
    uint8_t scid_b[PFQ_CID_LEN], dcid_b[PFQ_CID_LEN];
    if (gnutls_rnd(GNUTLS_RND_NONCE, scid_b, sizeof(scid_b)) < 0 ||
        gnutls_rnd(GNUTLS_RND_NONCE, dcid_b, sizeof(dcid_b)) < 0) {
        pfq_conn_free(c);
        return PF_ERR_CRYPTO;
    }
    memcpy(c->key, scid_b, PFQ_CID_KEY_LEN);
    ngtcp2_cid scid, dcid;
    ngtcp2_cid_init(&scid, scid_b, sizeof(scid_b));

    ngtcp2_callbacks cb;
    fill_callbacks(&cb, server);
    ngtcp2_settings s;
    ngtcp2_settings_default(&s);
    s.initial_ts = pfq_now();
    s.handshake_timeout = (uint64_t)ep->st.handshake_timeout_ms * NGTCP2_MILLISECONDS;
    ngtcp2_transport_params p;
    ngtcp2_transport_params_default(&p);
    p.initial_max_streams_bidi = MAX_STREAMS_BIDI;
    p.initial_max_streams_uni = 0;
    p.initial_max_stream_data_bidi_local = STREAM_WINDOW;
    p.initial_max_stream_data_bidi_remote = STREAM_WINDOW;
    p.initial_max_data = CONN_WINDOW;
    p.max_idle_timeout = (uint64_t)ep->st.idle_timeout_ms * NGTCP2_MILLISECONDS;
    p.max_datagram_frame_size = MAX_DATAGRAM_FRAME;
    ngtcp2_path path;
    make_path(&path, (const struct sockaddr *)&c->local, c->local_len,
              (const struct sockaddr *)&c->remote, c->remote_len);
    int r;
    if (server) {
        c->odcid = hd->dcid;
        p.original_dcid = hd->dcid;
        p.original_dcid_present = 1;
        s.token = hd->token;
        s.tokenlen = hd->tokenlen;
        r = ngtcp2_conn_server_new(&c->conn, &hd->scid, &scid, &path, hd->version, &cb, &s, &p,
                                   NULL, c);
    } else {
        ngtcp2_cid_init(&dcid, dcid_b, sizeof(dcid_b));
        r = ngtcp2_conn_client_new(&c->conn, &dcid, &scid, &path, NGTCP2_PROTO_VER_V1, &cb, &s,
                                   &p, NULL, c);
    }
    if (r != 0) {
        pfi_net_log(&c->ep->st.log, PF_LOG_WARNING, "quic", "cannot create a connection: %s",
                    ngtcp2_strerror(r));
        pfq_conn_free(c);
        return PF_ERR_NOMEM;
    }
    if ((r = tls_setup(c, server)) < 0) {
        pfq_conn_free(c);
        return r;
    }
    if (ep->st.keepalive_ms)
        ngtcp2_conn_set_keep_alive_timeout(c->conn,
                                           (uint64_t)ep->st.keepalive_ms * NGTCP2_MILLISECONDS);
    *ret = c;
    return 0;
}

void pfq_conn_free(pf_net_quic_conn *c)
{
    if (!c)
        return;
    for (pfq_stream *s = c->streams, *n; s; s = n) {
        n = s->next;
        stream_free(s);
    }
    pfq_dgram_queue_clear(&c->dgrams);
    pfq_handoff_finish(c);
    if (c->conn)
        ngtcp2_conn_del(c->conn);
    if (c->tls)
        gnutls_deinit(c->tls);
    free(c->close_pkt);
    free(c);
}

uint64_t pfq_conn_expiry(const pf_net_quic_conn *c)
{
    if (c->state == PFQ_CLOSING)
        return c->close_deadline;
    if (c->state == PFQ_DEAD)
        return 0;
    uint64_t e = ngtcp2_conn_get_expiry(c->conn);
    /* Queued datagrams are retried within a millisecond. */
    if (c->dgrams.head) {
        uint64_t soon = pfq_now() + 1000000u;
        e = e < soon ? e : soon;
    }
    return e;
}

/* Reports the end to the application and leaves @p c for the endpoint to unlink. With
 * @p close_pkt the connection lingers in the closing period, answering the peer with it. */
static void finish(pf_net_quic_conn *c, int application, int remote, uint64_t code,
                   const char *reason)
{
    if (c->state != PFQ_ACTIVE)
        return;
    c->state = c->close_pkt ? PFQ_CLOSING : PFQ_DEAD;
    if (c->close_pkt) {
        ngtcp2_duration pto = ngtcp2_conn_get_pto(c->conn);
        c->close_deadline = pfq_now() + 3 * pto;
    }
    pf_net_quic_close_info info = {sizeof(info), application, remote, code, reason ? reason : ""};
    if (c->ep->cb.closed)
        c->ep->cb.closed(c, &info, c->ep->st.user);
    c->user = NULL;
}

static void finish_ccerr(pf_net_quic_conn *c, const ngtcp2_ccerr *cc, int remote)
{
    char reason[257];
    size_t rl = cc->reasonlen < 256 ? cc->reasonlen : 256;
    if (rl)
        memcpy(reason, cc->reason, rl);
    reason[rl] = '\0';
    finish(c, cc->type == NGTCP2_CCERR_TYPE_APPLICATION, remote, cc->error_code, reason);
}

/* Builds and sends a CONNECTION_CLOSE carrying @p cc, then finishes locally. */
static void close_with(pf_net_quic_conn *c, const ngtcp2_ccerr *cc)
{
    uint8_t buf[PFQ_PKT_MAX];
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi;
    ngtcp2_ssize n = 0;
    if (!ngtcp2_conn_in_closing_period(c->conn) && !ngtcp2_conn_in_draining_period(c->conn))
        n = ngtcp2_conn_write_connection_close(c->conn, &ps.path, &pi, buf, sizeof(buf), cc,
                                               pfq_now());
    if (n > 0) {
        pfq_send(c->ep, (const struct sockaddr *)&c->remote, c->remote_len, buf, (size_t)n);
        c->close_pkt = malloc((size_t)n);
        if (c->close_pkt) {
            memcpy(c->close_pkt, buf, (size_t)n);
            c->close_pkt_len = (size_t)n;
        }
    }
    finish_ccerr(c, cc, 0);
}

/* A local library error (read, write or timer): close with the matching transport error. */
static void fail(pf_net_quic_conn *c, int rv)
{
    ngtcp2_ccerr cc;
    ngtcp2_ccerr_default(&cc);
    if (rv == NGTCP2_ERR_CRYPTO)
        ngtcp2_ccerr_set_tls_alert(&cc, ngtcp2_conn_get_tls_alert(c->conn), NULL, 0);
    else if (rv == NGTCP2_ERR_CALLBACK_FAILURE && !c->connected)
        ngtcp2_ccerr_set_tls_alert(&cc, ALERT_NO_APPLICATION_PROTOCOL, NULL, 0);
    else
        ngtcp2_ccerr_set_liberr(&cc, rv, NULL, 0);
    if (rv == NGTCP2_ERR_IDLE_CLOSE || rv == NGTCP2_ERR_HANDSHAKE_TIMEOUT) {
        /* Idle and handshake timeouts end silently (RFC 9000 §10.1). */
        finish(c, 0, 0, 0, rv == NGTCP2_ERR_IDLE_CLOSE ? "idle timeout" : "handshake timeout");
        return;
    }
    close_with(c, &cc);
}

static void run_pending_close(pf_net_quic_conn *c)
{
    if (!c->close_pending || c->state != PFQ_ACTIVE)
        return;
    c->close_pending = 0;
    ngtcp2_ccerr cc;
    ngtcp2_ccerr_set_application_error(&cc, c->close_code, (const uint8_t *)c->close_reason,
                                       strlen(c->close_reason));
    close_with(c, &cc);
}

void pfq_conn_read(pf_net_quic_conn *c, const struct sockaddr *local, socklen_t local_len,
                   const uint8_t *pkt, size_t len)
{
    if (c->state == PFQ_CLOSING) {
        /* RFC 9000 §10.2.1: answer with the close again (unpaced: a handful per peer). */
        if (c->close_pkt)
            pfq_send(c->ep, (const struct sockaddr *)&c->remote, c->remote_len, c->close_pkt,
                     c->close_pkt_len);
        return;
    }
    if (c->state != PFQ_ACTIVE)
        return;
    ngtcp2_path path;
    /* The path is the one the connection was made on (no migration on punktfunk/1). */
    (void)local;
    (void)local_len;
    make_path(&path, (const struct sockaddr *)&c->local, c->local_len,
              (const struct sockaddr *)&c->remote, c->remote_len);
    ngtcp2_pkt_info pi = {0};
    c->busy++;
    int rv = ngtcp2_conn_read_pkt(c->conn, &path, &pi, pkt, len, pfq_now());
    c->busy--;
    if (rv == NGTCP2_ERR_DRAINING) {
        finish_ccerr(c, ngtcp2_conn_get_ccerr(c->conn), 1);
        return;
    }
    if (rv != 0) {
        if (rv != NGTCP2_ERR_DROP_CONN)
            pfi_net_log(&c->ep->st.log, PF_LOG_DEBUG, "quic", "read failed: %s",
                        ngtcp2_strerror(rv));
        fail(c, rv);
        return;
    }
    run_pending_close(c);
    if (c->state == PFQ_ACTIVE)
        pfq_conn_flush(c, 0);
}

/* The first stream with bytes (or a FIN) ngtcp2 has not taken yet, skipping blocked ones. */
static pfq_stream *stream_pending(pf_net_quic_conn *c, pfq_chunk **ret_chunk)
{
    for (pfq_stream *s = c->streams; s; s = s->next) {
        if (s->blocked)
            continue;
        for (pfq_chunk *k = s->head; k; k = k->next)
            if (k->sent < k->len) {
                *ret_chunk = k;
                return s;
            }
        if (s->fin_queued && !s->fin_sent) {
            *ret_chunk = NULL;
            return s;
        }
    }
    return NULL;
}

static void take_handoff(pf_net_quic_conn *c);

void pfq_conn_flush(pf_net_quic_conn *c, int expiry)
{
    if (c->state != PFQ_ACTIVE || c->busy)
        return;
    uint64_t now = pfq_now();
    if (expiry && ngtcp2_conn_get_expiry(c->conn) <= now) {
        int rv = ngtcp2_conn_handle_expiry(c->conn, now);
        if (rv != 0) {
            fail(c, rv);
            return;
        }
    }
    take_handoff(c);
    send_queued_datagrams(c);
    if (c->state != PFQ_ACTIVE)
        return;
    now = pfq_now(); /* ngtcp2 requires time never to go backwards between calls */
    for (pfq_stream *s = c->streams; s; s = s->next)
        s->blocked = 0;
    uint8_t buf[PFQ_PKT_MAX];
    for (int guard = 0; guard < 4096; guard++) {
        pfq_chunk *k = NULL;
        pfq_stream *s = stream_pending(c, &k);
        ngtcp2_vec v = {0};
        size_t nv = 0;
        uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
        if (s && k) {
            v.base = k->data + k->sent;
            v.len = k->len - k->sent;
            nv = 1;
        }
        if (s && s->fin_queued && (!k || !k->next))
            flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
        ngtcp2_path_storage ps;
        ngtcp2_path_storage_zero(&ps);
        ngtcp2_pkt_info pi;
        ngtcp2_ssize taken = -1;
        c->busy++;
        ngtcp2_ssize n = ngtcp2_conn_writev_stream(c->conn, &ps.path, &pi, buf, sizeof(buf),
                                                   &taken, flags, s ? s->id : -1,
                                                   nv ? &v : NULL, nv, now);
        c->busy--;
        if (s && taken >= 0) {
            if (k)
                k->sent += (size_t)taken;
            if ((flags & NGTCP2_WRITE_STREAM_FLAG_FIN) && (!k || k->sent == k->len))
                s->fin_sent = 1;
        }
        if (n == NGTCP2_ERR_WRITE_MORE)
            continue;
        if (n == NGTCP2_ERR_STREAM_DATA_BLOCKED || n == NGTCP2_ERR_STREAM_SHUT_WR ||
            n == NGTCP2_ERR_STREAM_NOT_FOUND) {
            if (s)
                s->blocked = 1;
            continue;
        }
        if (n < 0) {
            fail(c, (int)n);
            return;
        }
        if (n == 0)
            break;
        pfq_send(c->ep, (const struct sockaddr *)&c->remote, c->remote_len, buf, (size_t)n);
    }
    ngtcp2_conn_update_pkt_tx_time(c->conn, now);
}

PF_EXPORT int pf_net_quic_conn_open_bidi(pf_net_quic_conn *c, int64_t *ret_id)
{
    pf_assert_return(c && ret_id, PF_ERR_INVALID_ARGUMENT);
    pthread_mutex_lock(&c->ep->lock);
    int r = PF_ERR_STATE;
    int64_t id;
    if (c->state == PFQ_ACTIVE) {
        int rv = ngtcp2_conn_open_bidi_stream(c->conn, &id, NULL);
        if (rv == NGTCP2_ERR_STREAM_ID_BLOCKED)
            r = PF_ERR_LIMIT;
        else if (rv == 0)
            r = stream_add(c, id) ? 0 : PF_ERR_NOMEM;
    }
    if (r == 0)
        *ret_id = id;
    pthread_mutex_unlock(&c->ep->lock);
    return r;
}

PF_EXPORT int pf_net_quic_conn_write(pf_net_quic_conn *c, int64_t id, const uint8_t *data,
                                     size_t len, int fin)
{
    pf_assert_return(c && (data || !len), PF_ERR_INVALID_ARGUMENT);
    pthread_mutex_lock(&c->ep->lock);
    int r = PF_ERR_STATE;
    pfq_stream *s = c->state == PFQ_ACTIVE ? stream_find(c, id) : NULL;
    if (!s || s->fin_queued)
        goto out;
    if (len) {
        pfq_chunk *k = malloc(sizeof(*k) + len);
        r = PF_ERR_NOMEM;
        if (!k)
            goto out;
        k->next = NULL;
        k->offset = s->write_offset;
        k->len = len;
        k->sent = 0;
        memcpy(k->data, data, len);
        s->write_offset += len;
        if (s->tail)
            s->tail->next = k;
        else
            s->head = k;
        s->tail = k;
    }
    if (fin)
        s->fin_queued = 1;
    r = 0;
    pfq_conn_flush(c, 0); /* deferred to the end of the read when called from a callback */
out:
    pthread_mutex_unlock(&c->ep->lock);
    return r;
}

/* Writes one DATAGRAM packet now. @return 0, PF_ERR_AGAIN (not accepted), PF_ERR_LIMIT. */
static int datagram_now(pf_net_quic_conn *c, const uint8_t *data, size_t len)
{
    uint8_t buf[PFQ_PKT_MAX];
    ngtcp2_vec v = {(uint8_t *)data, len};
    ngtcp2_path_storage ps;
    ngtcp2_path_storage_zero(&ps);
    ngtcp2_pkt_info pi;
    int accepted = 0;
    uint64_t now = pfq_now();
    ngtcp2_ssize n = ngtcp2_conn_writev_datagram(c->conn, &ps.path, &pi, buf, sizeof(buf),
                                                 &accepted, 0, 0, &v, 1, now);
    if (n == NGTCP2_ERR_INVALID_ARGUMENT)
        return PF_ERR_LIMIT; /* larger than a packet can carry */
    if (n < 0) {
        fail(c, (int)n);
        return PF_ERR_STATE;
    }
    if (n > 0)
        pfq_send(c->ep, (const struct sockaddr *)&c->remote, c->remote_len, buf, (size_t)n);
    ngtcp2_conn_update_pkt_tx_time(c->conn, now);
    return accepted ? 0 : PF_ERR_AGAIN;
}

static void send_queued_datagrams(pf_net_quic_conn *c)
{
    for (pfq_dgram *d; c->state == PFQ_ACTIVE && (d = c->dgrams.head);) {
        if (datagram_now(c, d->data, d->len) == PF_ERR_AGAIN)
            return; /* still congested or paced: kept for the next flush */
        free(pfq_dgram_queue_pop(&c->dgrams));
    }
}

/* Queues a copy of @p data on the send queue. */
static int queue_datagram(pf_net_quic_conn *c, const uint8_t *data, size_t len)
{
    pfq_dgram *d = pfq_dgram_new(data, len);
    if (!d)
        return PF_ERR_NOMEM;
    pfq_dgram_queue_push(&c->dgrams, d);
    return 0;
}

/* Whether the connection can carry a datagram of @p len now: PF_ERR_AGAIN before the
 * handshake or once closing, PF_ERR_LIMIT where the peer or a packet cannot take it. */
static int datagram_allowed(pf_net_quic_conn *c, size_t len)
{
    if (c->state != PFQ_ACTIVE || !c->connected || c->close_pending)
        return PF_ERR_AGAIN;
    const ngtcp2_transport_params *tp = ngtcp2_conn_get_remote_transport_params(c->conn);
    /* The frame carries a type byte and a length varint besides the payload. */
    if (!tp || tp->max_datagram_frame_size < len + 9 || len > PFQ_PKT_MAX - 64)
        return PF_ERR_LIMIT;
    return 0;
}

/* What other threads handed over while the endpoint was busy joins the send queue, oldest
 * first, where a direct send would have been allowed; under the endpoint's lock. */
static void take_handoff(pf_net_quic_conn *c)
{
    pfq_dgram_queue q = pfq_handoff_take(c);
    for (pfq_dgram *d; (d = pfq_dgram_queue_pop(&q));) {
        if (datagram_allowed(c, d->len) == 0)
            pfq_dgram_queue_push(&c->dgrams, d);
        else
            free(d);
    }
}

PF_EXPORT int pf_net_quic_conn_send_datagram(pf_net_quic_conn *c, const uint8_t *data,
                                             size_t len)
{
    pf_assert_return(c && data && len, PF_ERR_INVALID_ARGUMENT);
    /* Never waits for the endpoint: a media thread must not block behind the event loop
     * (which may be joining that very thread while it holds the lock). A contended send is
     * handed over to the lock's next holder (quic_dgram.c). */
    if (pthread_mutex_trylock(&c->ep->lock) != 0)
        return pfq_handoff_put(c, data, len);
    take_handoff(c);
    int r = datagram_allowed(c, len);
    if (r != 0)
        goto out;
    /* Inside a callback ngtcp2 may not write, and behind queued ones a datagram waits its
     * turn: queue. Otherwise send now, and queue what congestion or pacing holds back. */
    if (c->busy || c->dgrams.head) {
        r = queue_datagram(c, data, len);
        if (r == 0 && !c->busy)
            send_queued_datagrams(c);
        goto out;
    }
    r = datagram_now(c, data, len);
    if (r == PF_ERR_AGAIN)
        r = queue_datagram(c, data, len);
out:
    pthread_mutex_unlock(&c->ep->lock);
    return r;
}

PF_EXPORT void pf_net_quic_conn_close(pf_net_quic_conn *c, uint64_t code, const char *reason)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->ep->lock);
    if (c->state == PFQ_ACTIVE && !c->close_pending) {
        c->close_pending = 1;
        c->close_code = code;
        snprintf(c->close_reason, sizeof(c->close_reason), "%s", reason ? reason : "");
        if (!c->busy)
            run_pending_close(c);
    }
    pthread_mutex_unlock(&c->ep->lock);
}

PF_EXPORT int pf_net_quic_conn_get_peer_fingerprint(const pf_net_quic_conn *c,
                                                    uint8_t out[PF_NET_QUIC_FINGERPRINT_LEN])
{
    pf_assert_return(c && out, PF_ERR_INVALID_ARGUMENT);
    if (!c->has_peer_fp)
        return PF_ERR_NOT_FOUND;
    memcpy(out, c->peer_fp, PF_NET_QUIC_FINGERPRINT_LEN);
    return 0;
}

PF_EXPORT int pf_net_quic_conn_get_address(const pf_net_quic_conn *c, int local, void *out,
                                           size_t cap)
{
    pf_assert_return(c && out, PF_ERR_INVALID_ARGUMENT);
    socklen_t l = local ? c->local_len : c->remote_len;
    if (cap < l)
        return PF_ERR_BUFFER_TOO_SMALL;
    memcpy(out, local ? (const void *)&c->local : (const void *)&c->remote, l);
    return (int)l;
}

PF_EXPORT void pf_net_quic_conn_set_user(pf_net_quic_conn *c, void *user)
{
    if (c)
        c->user = user;
}

PF_EXPORT void *pf_net_quic_conn_get_user(const pf_net_quic_conn *c)
{
    return c ? c->user : NULL;
}
