/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream control stream over ENet (gamestream-protocol.md §5): peers are bound to
 * sessions by their connect data, every message is opened with the session's key (§5.2,
 * §5.3), input goes through the §9 decoder, and silence ends a session (§10.2).
 *
 * ENet facts this file relies on (Debian's 1.3.17 against the client's fork): IPv4 only;
 * retransmissions happen only inside enet_host_service(), so the caller is told to come
 * back within 10 ms while a peer is connected; its errors are transient. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <enet/enet.h>

#include "pf/core/error.h"
#include "pf/core/gs_control.h"
#include "pf/net_stream.h"

#include "gs_ctrl.h"
#include "gs_input.h"
#include "netlog.h"

#define TOPIC "control"
#define SERVICE_INTERVAL_MS 5
#define MAX_MESSAGE 4096u

#define T_ENCRYPTED 0x0001u
#define T_PING 0x0200u
#define T_INPUT 0x0206u
#define T_RFI 0x0301u
#define T_IDR 0x0302u
#define T_START_B 0x0307u
#define T_LOSS_STATS 0x0201u
#define T_FEC_STATUS 0x5502u
#define T_LTR_ACK 0x0350u
#define T_TERMINATION 0x0109u
#define T_RUMBLE 0x010bu

typedef struct ctrl_sess {
    uint32_t id;
    uint32_t connect_data;
    pf_net_gs_stream_config cfg;
    pf_gs_cipher *cipher;
    ENetPeer *peer;
    uint64_t since_ms, last_ms;
    uint32_t host_seq;
    uint32_t rx_top;     /* highest client sequence accepted */
    uint64_t rx_window;  /* bit i: rx_top - i was seen */
    int rx_any;
} ctrl_sess;

/* A peer that was sent the termination message and is disconnected once ENet has it
 * acknowledged (or after CLOSE_WAIT_MS): a disconnect right behind the message would make
 * the receiving ENet drop the still-queued message. */
typedef struct closing {
    ENetPeer *peer;
    uint64_t deadline_ms;
} closing;

#define CLOSE_WAIT_MS 200u

struct pf_net_gs_control {
    pf_net_gs_control_settings st;
    pf_net_gs_control_callbacks cb;
    ENetHost *host;
    closing *closing;
    size_t n_closing;
    uint64_t now_ms;
    ctrl_sess *sess;
    size_t n_sess;
    uint8_t buf[MAX_MESSAGE];
};

PF_EXPORT void pf_net_gs_control_settings_default(pf_net_gs_control_settings *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    st->struct_size = sizeof(*st);
    st->port = 47999;
    st->max_peers = 32;
    st->timeout_ms = 10000;
    st->connect_timeout_ms = 10000;
}

PF_EXPORT int pf_net_gs_control_create(const pf_net_gs_control_settings *settings,
                                       const pf_net_gs_control_callbacks *callbacks,
                                       pf_net_gs_control **ret_control)
{
    pf_assert_return(settings && callbacks && ret_control, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    ENetAddress addr = {.host = ENET_HOST_ANY, .port = settings->port};
    if (settings->bind_address) {
        struct in_addr a;
        if (inet_pton(AF_INET, settings->bind_address, &a) != 1)
            return PF_ERR_INVALID_ARGUMENT;
        addr.host = a.s_addr;
    }
    /* enet_initialize() only sets up Winsock; on Linux it touches no state. */
    if (enet_initialize() != 0)
        return PF_ERR_IO;
    pf_net_gs_control *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->st = *settings;
    c->st.bind_address = NULL;
    c->cb = *callbacks;
    if (!c->st.max_peers)
        c->st.max_peers = 32;
    c->host = enet_host_create(&addr, c->st.max_peers, 0, 0, 0);
    if (!c->host) {
        free(c);
        return PF_ERR_IO;
    }
    *ret_control = c;
    return 0;
}

static ctrl_sess *find(pf_net_gs_control *c, uint32_t id)
{
    for (size_t i = 0; i < c->n_sess; i++)
        if (c->sess[i].id == id)
            return &c->sess[i];
    return NULL;
}

static void forget(pf_net_gs_control *c, ctrl_sess *e)
{
    if (e->peer)
        e->peer->data = NULL;
    pf_gs_cipher_destroy(e->cipher);
    size_t i = (size_t)(e - c->sess);
    c->sess[i] = c->sess[c->n_sess - 1];
    c->n_sess--;
    if (i < c->n_sess && c->sess[i].peer)
        c->sess[i].peer->data = &c->sess[i];
}

static int send_msg(pf_net_gs_control *c, ctrl_sess *e, uint16_t type, const uint8_t *payload,
                    size_t len)
{
    if (!e->peer)
        return PF_ERR_STATE;
    uint8_t out[MAX_MESSAGE];
    size_t out_len;
    if (len + PF_GS_CONTROL_OVERHEAD > sizeof(out))
        return PF_ERR_INVALID_ARGUMENT;
    if (e->cfg.encrypt_control) {
        int r = pf_gs_control_seal(e->cipher,
                                   e->cfg.control_iv_v2 ? PF_GS_CONTROL_IV_V2
                                                        : PF_GS_CONTROL_IV_LEGACY,
                                   PF_GS_ORIGIN_HOST, e->host_seq++, type, payload, len, out,
                                   sizeof(out), &out_len);
        if (r < 0)
            return r;
    } else {
        out[0] = (uint8_t)type;
        out[1] = (uint8_t)(type >> 8);
        if (len)
            memcpy(out + 2, payload, len);
        out_len = len + 2;
    }
    ENetPacket *p = enet_packet_create(out, out_len, ENET_PACKET_FLAG_RELIABLE);
    if (!p)
        return PF_ERR_NOMEM;
    if (enet_peer_send(e->peer, 0, p) < 0) {
        enet_packet_destroy(p);
        return PF_ERR_STATE;
    }
    enet_host_flush(c->host);
    return 0;
}

static void end_peer(pf_net_gs_control *c, ctrl_sess *e, uint32_t code)
{
    if (!e->peer)
        return;
    uint8_t be[4] = {(uint8_t)(code >> 24), (uint8_t)(code >> 16), (uint8_t)(code >> 8),
                     (uint8_t)code};
    int r = send_msg(c, e, T_TERMINATION, be, sizeof(be));
    e->peer->data = NULL;
    closing *v = r == 0 ? realloc(c->closing, (c->n_closing + 1) * sizeof(*v)) : NULL;
    if (v) {
        c->closing = v;
        v[c->n_closing++] = (closing){.peer = e->peer, .deadline_ms = c->now_ms + CLOSE_WAIT_MS};
    } else {
        enet_peer_disconnect_now(e->peer, 0);
    }
    e->peer = NULL;
}

/* Disconnects closing peers whose termination message was acknowledged or whose wait ran
 * out; §5.7: the client drops the peer itself, so nothing waits for its disconnect. */
static void reap_closing(pf_net_gs_control *c, uint64_t now_ms, int force)
{
    for (size_t i = 0; i < c->n_closing;) {
        ENetPeer *p = c->closing[i].peer;
        int acked = enet_list_empty(&p->sentReliableCommands) &&
                    enet_list_empty(&p->outgoingCommands);
        if (force || acked || now_ms >= c->closing[i].deadline_ms) {
            if (p->state != ENET_PEER_STATE_DISCONNECTED)
                enet_peer_disconnect_now(p, 0);
            c->closing[i] = c->closing[--c->n_closing];
            continue;
        }
        i++;
    }
}

static void forget_closing(pf_net_gs_control *c, ENetPeer *p)
{
    for (size_t i = 0; i < c->n_closing; i++)
        if (c->closing[i].peer == p) {
            c->closing[i] = c->closing[--c->n_closing];
            return;
        }
}

PF_EXPORT void pf_net_gs_control_destroy(pf_net_gs_control *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_sess; i++) {
        end_peer(c, &c->sess[i], PF_NET_GS_TERM_GRACEFUL);
        pf_gs_cipher_destroy(c->sess[i].cipher);
    }
    free(c->sess);
    /* Host shutdown (§10.3): give the termination messages a bounded moment to be
     * acknowledged before the socket goes. */
    ENetEvent ev;
    for (int i = 0; i < (int)CLOSE_WAIT_MS / 5 && c->n_closing; i++) {
        while (enet_host_service(c->host, &ev, 5) > 0)
            if (ev.type == ENET_EVENT_TYPE_RECEIVE)
                enet_packet_destroy(ev.packet);
            else if (ev.type == ENET_EVENT_TYPE_DISCONNECT)
                forget_closing(c, ev.peer);
        reap_closing(c, 0, 0);
    }
    reap_closing(c, 0, 1);
    free(c->closing);
    enet_host_flush(c->host);
    enet_host_destroy(c->host);
    free(c);
}

PF_EXPORT int pf_net_gs_control_get_fd(const pf_net_gs_control *c)
{
    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    return c->host->socket;
}

PF_EXPORT uint16_t pf_net_gs_control_get_port(const pf_net_gs_control *c)
{
    if (!c)
        return 0;
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    if (getsockname(c->host->socket, (struct sockaddr *)&sa, &sl) < 0)
        return 0;
    return ntohs(sa.sin_port);
}

PF_EXPORT int64_t pf_net_gs_control_get_timeout(const pf_net_gs_control *c, uint64_t now_ms)
{
    if (!c)
        return -1;
    if (c->n_closing)
        return SERVICE_INTERVAL_MS;
    if (!c->n_sess)
        return -1;
    for (size_t i = 0; i < c->n_sess; i++)
        if (c->sess[i].peer)
            return SERVICE_INTERVAL_MS;
    /* Only registrations waiting for their peer: wake for their deadline. */
    return 100;
}

PF_EXPORT int pf_net_gs_control_add_session(pf_net_gs_control *c, uint32_t id,
                                            uint32_t connect_data, const uint8_t *rikey,
                                            const pf_net_gs_stream_config *config,
                                            uint64_t now_ms)
{
    pf_assert_return(c && rikey && config && id, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(config->struct_size >= sizeof(*config), PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < c->n_sess; i++)
        if (c->sess[i].id == id || c->sess[i].connect_data == connect_data)
            return PF_ERR_STATE;
    ctrl_sess *v = realloc(c->sess, (c->n_sess + 1) * sizeof(*v));
    if (!v)
        return PF_ERR_NOMEM;
    /* realloc may have moved the entries that connected peers point at. */
    for (size_t i = 0; i < c->n_sess; i++)
        if (v[i].peer)
            v[i].peer->data = &v[i];
    c->sess = v;
    ctrl_sess *e = &v[c->n_sess];
    memset(e, 0, sizeof(*e));
    int r = pf_gs_cipher_create(NULL, rikey, &e->cipher);
    if (r < 0)
        return r;
    e->id = id;
    e->connect_data = connect_data;
    e->cfg = *config;
    e->since_ms = e->last_ms = now_ms;
    c->n_sess++;
    return 0;
}

PF_EXPORT int pf_net_gs_control_terminate(pf_net_gs_control *c, uint32_t id, uint32_t code)
{
    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    ctrl_sess *e = find(c, id);
    if (!e)
        return PF_ERR_NOT_FOUND;
    end_peer(c, e, code);
    forget(c, e);
    return 0;
}

PF_EXPORT int pf_net_gs_control_send(pf_net_gs_control *c, uint32_t id, uint16_t type,
                                     const uint8_t *payload, size_t len)
{
    pf_assert_return(c && (payload || !len), PF_ERR_INVALID_ARGUMENT);
    ctrl_sess *e = find(c, id);
    if (!e)
        return PF_ERR_NOT_FOUND;
    return send_msg(c, e, type, payload, len);
}

PF_EXPORT int pf_net_gs_control_send_rumble(pf_net_gs_control *c, uint32_t id,
                                            uint16_t controller, uint16_t low, uint16_t high)
{
    /* §5.7: the first word is ignored by the client. */
    uint8_t p[10] = {0xEE, 0xFF, 0xC0, 0x00, (uint8_t)controller, (uint8_t)(controller >> 8),
                     (uint8_t)low, (uint8_t)(low >> 8), (uint8_t)high, (uint8_t)(high >> 8)};
    return pf_net_gs_control_send(c, id, T_RUMBLE, p, sizeof(p));
}

/* Sliding anti-replay window over the client's own sequence numbers: unreliable and
 * unsequenced channels may reorder, so a strict increase would drop good messages. */
static int replay_check(ctrl_sess *e, uint32_t seq)
{
    if (!e->rx_any) {
        e->rx_any = 1;
        e->rx_top = seq;
        e->rx_window = 1;
        return 0;
    }
    if (seq > e->rx_top) {
        uint32_t shift = seq - e->rx_top;
        e->rx_window = shift >= 64 ? 1 : (e->rx_window << shift) | 1;
        e->rx_top = seq;
        return 0;
    }
    uint32_t back = e->rx_top - seq;
    if (back >= 64 || (e->rx_window >> back) & 1)
        return PF_ERR_REPLAY;
    e->rx_window |= 1ull << back;
    return 0;
}

static uint64_t le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void deliver(pf_net_gs_control *c, ctrl_sess *e, uint16_t type, const uint8_t *p,
                    size_t len)
{
    uint32_t id = e->id;
    switch (type) {
    case T_IDR:
        if (c->cb.idr_request)
            c->cb.idr_request(c->cb.user_data, id);
        break;
    case T_RFI:
        if (len >= 16 && c->cb.invalidate_refs)
            c->cb.invalidate_refs(c->cb.user_data, id, le64(p), le64(p + 8));
        break;
    case T_FEC_STATUS:
        /* §5.6: big-endian; missing data = totalData - receivedData. */
        if (len >= 21 && c->cb.fec_status) {
            uint32_t frame = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
            uint32_t total = (uint32_t)(p[10] << 8 | p[11]);
            uint32_t got = (uint32_t)(p[14] << 8 | p[15]);
            c->cb.fec_status(c->cb.user_data, id, frame, total > got ? total - got : 0, p[18]);
        }
        break;
    case T_INPUT: {
        pf_input_event ev;
        int r = pfi_gs_input_decode(p, len, &ev);
        if (r == 0 && c->cb.input)
            c->cb.input(c->cb.user_data, id, &ev);
        else if (r == PF_ERR_MALFORMED)
            pfi_net_log(&c->st.log, PF_LOG_DEBUG, TOPIC, "session %u: malformed input", id);
        break;
    }
    default:
        /* Pings, Start B, loss stats, LTR acks and unknown types need no action (§5.5). */
        break;
    }
}

/* Returns 0, or a negative error that ends the session (§5.2: a tag failure stops it). */
static int on_receive(pf_net_gs_control *c, ctrl_sess *e, const uint8_t *data, size_t len)
{
    if (!e->cfg.encrypt_control) {
        if (len < 2)
            return 0;
        deliver(c, e, (uint16_t)(data[0] | data[1] << 8), data + 2, len - 2);
        return 0;
    }
    if (len < 2 || (data[0] | data[1] << 8) != T_ENCRYPTED) {
        /* Unencrypted message on an encrypted stream: dropped, as the client does. */
        pfi_net_log(&c->st.log, PF_LOG_DEBUG, TOPIC, "session %u: plaintext dropped", e->id);
        return 0;
    }
    pf_gs_control_msg m;
    int r = pf_gs_control_open(e->cipher,
                               e->cfg.control_iv_v2 ? PF_GS_CONTROL_IV_V2 : PF_GS_CONTROL_IV_LEGACY,
                               PF_GS_ORIGIN_CLIENT, data, len, c->buf, sizeof(c->buf), &m);
    if (r == PF_ERR_MALFORMED || r == PF_ERR_BUFFER_TOO_SMALL) {
        pfi_net_log(&c->st.log, PF_LOG_DEBUG, TOPIC, "session %u: truncated message dropped",
                    e->id);
        return 0;
    }
    if (r < 0)
        return r;
    if (replay_check(e, m.seq) < 0) {
        pfi_net_log(&c->st.log, PF_LOG_DEBUG, TOPIC, "session %u: replayed seq %u dropped",
                    e->id, m.seq);
        return 0;
    }
    deliver(c, e, m.type, c->buf, m.payload_len);
    return 0;
}

int pfi_gs_control_receive(pf_net_gs_control *c, uint32_t id, const uint8_t *data, size_t len)
{
    ctrl_sess *e = find(c, id);
    return e ? on_receive(c, e, data, len) : PF_ERR_NOT_FOUND;
}

static void end_session(pf_net_gs_control *c, ctrl_sess *e, uint32_t reason, uint32_t code)
{
    uint32_t id = e->id;
    if (e->peer) {
        if (reason == PF_NET_GS_END_DISCONNECT) {
            e->peer->data = NULL;
            e->peer = NULL;
        } else {
            end_peer(c, e, code);
        }
    }
    forget(c, e);
    if (c->cb.ended)
        c->cb.ended(c->cb.user_data, id, reason);
}

/* §5.1: the connect-data word names the session; a client that does not echo it (no
 * x-ml-general.featureFlags 0x02) is known by its RTSP peer address, newest session first. */
static ctrl_sess *match_connect(pf_net_gs_control *c, const ENetPeer *peer, uint32_t data)
{
    for (size_t i = 0; i < c->n_sess; i++)
        if (c->sess[i].connect_data == data && !c->sess[i].peer)
            return &c->sess[i];
    for (size_t i = c->n_sess; i-- > 0;) {
        const ctrl_sess *e = &c->sess[i];
        int legacy = !(e->cfg.ml_feature_flags & PF_NET_GS_ML_SESSION_ID_V1);
        if (!e->peer && legacy && e->cfg.peer_ipv4 && e->cfg.peer_ipv4 == peer->address.host)
            return &c->sess[i];
    }
    return NULL;
}

PF_EXPORT int pf_net_gs_control_dispatch(pf_net_gs_control *c, uint64_t now_ms)
{
    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    c->now_ms = now_ms;
    ENetEvent ev;
    /* Bounded so a flood cannot starve the loop; the rest waits for the next wake-up. */
    for (int budget = 256; budget > 0 && enet_host_service(c->host, &ev, 0) > 0; budget--) {
        ctrl_sess *e = ev.peer ? ev.peer->data : NULL;
        switch (ev.type) {
        case ENET_EVENT_TYPE_CONNECT: {
            ctrl_sess *m = match_connect(c, ev.peer, ev.data);
            if (!m) {
                pfi_net_log(&c->st.log, PF_LOG_DEBUG, TOPIC, "unknown peer (data %u) refused",
                            ev.data);
                enet_peer_disconnect_now(ev.peer, 0);
                break;
            }
            m->peer = ev.peer;
            ev.peer->data = m;
            m->last_ms = now_ms;
            enet_peer_timeout(ev.peer, 0, c->st.timeout_ms, c->st.timeout_ms);
            if (c->cb.connected)
                c->cb.connected(c->cb.user_data, m->id);
            break;
        }
        case ENET_EVENT_TYPE_RECEIVE:
            if (e) {
                e->last_ms = now_ms;
                int r = on_receive(c, e, ev.packet->data, ev.packet->dataLength);
                if (r < 0) {
                    pfi_net_log(&c->st.log, PF_LOG_DEBUG, TOPIC,
                                "session %u: message failed authentication", e->id);
                    end_session(c, e, PF_NET_GS_END_PROTOCOL, PF_NET_GS_TERM_GRACEFUL);
                }
            }
            enet_packet_destroy(ev.packet);
            break;
        case ENET_EVENT_TYPE_DISCONNECT:
            if (e)
                end_session(c, e, PF_NET_GS_END_DISCONNECT, 0);
            else
                forget_closing(c, ev.peer);
            break;
        default:
            break;
        }
    }
    reap_closing(c, now_ms, 0);
    for (size_t i = 0; i < c->n_sess;) {
        ctrl_sess *e = &c->sess[i];
        uint64_t limit = e->peer ? c->st.timeout_ms : c->st.connect_timeout_ms;
        if (now_ms > e->last_ms + limit) {
            end_session(c, e, PF_NET_GS_END_TIMEOUT, PF_NET_GS_TERM_GRACEFUL);
            continue;
        }
        i++;
    }
    return 0;
}
