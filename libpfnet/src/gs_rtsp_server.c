/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RTSP handshake server (gamestream-protocol.md §4): one request per TCP connection, the
 * reply, then close. Plaintext or, when the first byte has bit 7 set, the encrypted framing
 * of §4.8 under the key of whichever offered session opens it. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/gs_control.h"
#include "pf/net_gamestream.h"
#include "pf/net_stream.h"

#include "gs_rtsp_parse.h"
#include "netlog.h"

#define TOPIC "rtsp"
#define REPLY_CAP 8192u
/* Connections one address may hold: a client sends one request per connection, one at a
 * time; a few clients behind one address stay well below this. */
#define PER_ADDRESS 8u

typedef struct rtsp_sess {
    pf_net_rtsp_session s;
    pf_gs_cipher *cipher;
    char token[17];
    uint32_t host_seq;
    int announced;
    uint64_t order;
} rtsp_sess;

typedef struct conn {
    int fd;
    uint32_t peer_ipv4; /* network byte order; 0 when not IPv4 */
    uint64_t deadline_ms;
    char *in;
    size_t in_len;
    char *out;
    size_t out_len, out_off;
    int writing;
} conn;

struct pf_net_rtsp_server {
    pf_net_rtsp_settings st;
    pf_net_rtsp_callbacks cb;
    int listen_fd, epfd;
    uint16_t port;
    conn *conns;
    size_t n_conns;
    rtsp_sess *sess;
    size_t n_sess;
    uint64_t order;
};

PF_EXPORT void pf_net_rtsp_settings_default(pf_net_rtsp_settings *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    st->struct_size = sizeof(*st);
    st->port = 48010;
    st->video_port = 47998;
    st->audio_port = 48000;
    st->control_port = 47999;
    st->codec_mask = PF_NET_GS_CODEC_H264;
    st->feature_flags = 0x3;
    st->encryption_supported = PF_NET_GS_ENC_CONTROL_V2 | PF_NET_GS_ENC_AUDIO;
    st->encryption_requested = PF_NET_GS_ENC_CONTROL_V2;
    st->max_connections = 32;
    st->timeout_ms = 5000;
    static const char identity[4][16] = {"642012453", "660012345", "85301245673",
                                         "88001234567"};
    memcpy(st->surround_params, identity, sizeof(identity));
}

static int bind_v4(const char *addr, uint16_t port, int type, int *ret_fd, uint16_t *ret_port)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    if (addr && inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
        return PF_ERR_INVALID_ARGUMENT;
    int fd = socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return PF_ERR_IO;
    int one = 1;
    if (type == SOCK_STREAM)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    socklen_t sl = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        (type == SOCK_STREAM && listen(fd, 16) < 0) ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0) {
        close(fd);
        return PF_ERR_IO;
    }
    *ret_fd = fd;
    *ret_port = ntohs(sa.sin_port);
    return 0;
}

PF_EXPORT int pf_net_rtsp_server_create(const pf_net_rtsp_settings *settings,
                                        const pf_net_rtsp_callbacks *callbacks,
                                        pf_net_rtsp_server **ret_server)
{
    pf_assert_return(settings && callbacks && ret_server, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    pf_net_rtsp_server *s = calloc(1, sizeof(*s));
    if (!s)
        return PF_ERR_NOMEM;
    s->st = *settings;
    s->st.bind_address = NULL;
    s->cb = *callbacks;
    if (!s->st.max_connections)
        s->st.max_connections = 32;
    if (!s->st.timeout_ms)
        s->st.timeout_ms = 5000;
    s->epfd = -1;
    s->conns = calloc(s->st.max_connections, sizeof(*s->conns));
    int r = s->conns ? bind_v4(settings->bind_address, settings->port, SOCK_STREAM,
                               &s->listen_fd, &s->port)
                     : PF_ERR_NOMEM;
    if (r < 0) {
        free(s->conns);
        free(s);
        return r;
    }
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
    if (s->epfd < 0 || epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->listen_fd, &ev) < 0) {
        pf_net_rtsp_server_destroy(s);
        return PF_ERR_IO;
    }
    pfi_net_log(&s->st.log, PF_LOG_DEBUG, TOPIC, "listening on TCP port %u", s->port);
    *ret_server = s;
    return 0;
}

static void conn_close(pf_net_rtsp_server *s, conn *c)
{
    if (c->fd >= 0) {
        epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
        close(c->fd);
    }
    free(c->in);
    free(c->out);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    s->n_conns--;
}

PF_EXPORT void pf_net_rtsp_server_destroy(pf_net_rtsp_server *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->conns && i < s->st.max_connections; i++)
        if (s->conns[i].in || s->conns[i].out)
            conn_close(s, &s->conns[i]);
    for (size_t i = 0; i < s->n_sess; i++)
        pf_gs_cipher_destroy(s->sess[i].cipher);
    free(s->sess);
    free(s->conns);
    if (s->listen_fd > 0)
        close(s->listen_fd);
    if (s->epfd >= 0)
        close(s->epfd);
    free(s);
}

PF_EXPORT int pf_net_rtsp_server_get_fd(const pf_net_rtsp_server *s)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    return s->epfd;
}

PF_EXPORT uint16_t pf_net_rtsp_server_get_port(const pf_net_rtsp_server *s)
{
    return s ? s->port : 0;
}

PF_EXPORT int64_t pf_net_rtsp_server_get_timeout(const pf_net_rtsp_server *s, uint64_t now_ms)
{
    if (!s || !s->n_conns)
        return -1;
    int64_t best = -1;
    for (size_t i = 0; i < s->st.max_connections; i++) {
        const conn *c = &s->conns[i];
        if (!c->in && !c->out)
            continue;
        int64_t left = c->deadline_ms > now_ms ? (int64_t)(c->deadline_ms - now_ms) : 0;
        if (best < 0 || left < best)
            best = left;
    }
    return best;
}

PF_EXPORT int pf_net_rtsp_server_add_session(pf_net_rtsp_server *s,
                                             const pf_net_rtsp_session *session)
{
    pf_assert_return(s && session && session->id, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(session->struct_size >= offsetof(pf_net_rtsp_session, peer_ipv4),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(strnlen(session->ping_payload, 17) == 16, PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < s->n_sess; i++)
        if (s->sess[i].s.id == session->id)
            return PF_ERR_STATE;
    rtsp_sess *v = realloc(s->sess, (s->n_sess + 1) * sizeof(*v));
    if (!v)
        return PF_ERR_NOMEM;
    s->sess = v;
    rtsp_sess *e = &v[s->n_sess];
    memset(e, 0, sizeof(*e));
    memcpy(&e->s, session,
           session->struct_size < sizeof(e->s) ? session->struct_size : sizeof(e->s));
    int r = pf_gs_cipher_create(NULL, session->rikey, &e->cipher);
    if (r < 0)
        return r;
    snprintf(e->token, sizeof(e->token), "%08X%08X", session->id, session->connect_data);
    e->order = ++s->order;
    s->n_sess++;
    return 0;
}

PF_EXPORT int pf_net_rtsp_server_remove_session(pf_net_rtsp_server *s, uint32_t id)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < s->n_sess; i++) {
        if (s->sess[i].s.id != id)
            continue;
        pf_gs_cipher_destroy(s->sess[i].cipher);
        memset(&s->sess[i], 0, sizeof(s->sess[i]));
        s->sess[i] = s->sess[s->n_sess - 1];
        s->n_sess--;
        return 0;
    }
    return PF_ERR_NOT_FOUND;
}

/* The session a plaintext request is for: the one its Session header names, else the newest
 * one not yet announced. A session launched with rtspenc:// is never one of them: its
 * client seals every request, so a plaintext one is somebody else's. */
static rtsp_sess *pick_session(pf_net_rtsp_server *s, const conn *c, const pfi_rtsp_request *rq)
{
    rtsp_sess *best = NULL;
    for (size_t i = 0; i < s->n_sess; i++) {
        rtsp_sess *e = &s->sess[i];
        if (e->s.require_encryption)
            continue;
        /* Plaintext carries no proof of who asks: only the launch address may take the
         * session's token, connect data and ping payload. */
        if (e->s.peer_ipv4 && e->s.peer_ipv4 != c->peer_ipv4)
            continue;
        if (rq->session) {
            if (rq->session_len == 16 && !memcmp(rq->session, e->token, 16))
                return e;
            continue;
        }
        if (!e->announced && (!best || e->order > best->order))
            best = e;
    }
    return best;
}

/* Builds the plaintext reply for @p rq. @p enc_sess is the session whose key opened an
 * encrypted request (NULL for plaintext). */
static int handle(pf_net_rtsp_server *s, const conn *c, const pfi_rtsp_request *rq,
                  rtsp_sess *enc_sess, char *out, size_t cap)
{
    char extra[512];
    rtsp_sess *e = enc_sess ? enc_sess : pick_session(s, c, rq);
    switch (rq->method) {
    case PFI_RTSP_OPTIONS:
        return pfi_rtsp_reply(200, rq->cseq, NULL, NULL, 0, out, cap);
    case PFI_RTSP_DESCRIBE: {
        char sdp[2048];
        pfi_rtsp_describe d = {
            .codec_mask = s->st.codec_mask,
            .feature_flags = s->st.feature_flags,
            .encryption_supported = s->st.encryption_supported,
            .encryption_requested = s->st.encryption_requested,
            .surround = (const char(*)[16])s->st.surround_params,
        };
        int n = pfi_rtsp_describe_sdp(&d, sdp, sizeof(sdp));
        if (n < 0)
            return n;
        return pfi_rtsp_reply(200, rq->cseq, NULL, sdp, (size_t)n, out, cap);
    }
    case PFI_RTSP_SETUP: {
        if (!e)
            return pfi_rtsp_reply(454, rq->cseq, NULL, NULL, 0, out, cap);
        if (rq->stream == PFI_RTSP_STREAM_AUDIO || rq->stream == PFI_RTSP_STREAM_VIDEO)
            snprintf(extra, sizeof(extra),
                     "Session: %s;timeout = 90\r\nTransport: server_port=%u\r\n"
                     "X-SS-Ping-Payload: %s\r\n",
                     e->token,
                     rq->stream == PFI_RTSP_STREAM_AUDIO ? s->st.audio_port : s->st.video_port,
                     e->s.ping_payload);
        else if (rq->stream == PFI_RTSP_STREAM_CONTROL)
            snprintf(extra, sizeof(extra),
                     "Session: %s;timeout = 90\r\nTransport: server_port=%u\r\n"
                     "X-SS-Connect-Data: %u\r\n",
                     e->token, s->st.control_port, e->s.connect_data);
        else
            return pfi_rtsp_reply(404, rq->cseq, NULL, NULL, 0, out, cap);
        return pfi_rtsp_reply(200, rq->cseq, extra, NULL, 0, out, cap);
    }
    case PFI_RTSP_ANNOUNCE: {
        if (!e)
            return pfi_rtsp_reply(454, rq->cseq, NULL, NULL, 0, out, cap);
        pf_net_gs_stream_config cfg;
        cfg.struct_size = sizeof(cfg);
        int r = pf_net_gs_announce_parse(rq->body, rq->body_len, &cfg);
        if (r < 0) {
            pfi_net_log(&s->st.log, PF_LOG_DEBUG, TOPIC, "session %u: ANNOUNCE rejected",
                        e->s.id);
            return pfi_rtsp_reply(400, rq->cseq, NULL, NULL, 0, out, cap);
        }
        /* §4.2: the client falls back to Host 0.0.0.0 when it wants normal stereo quality. */
        cfg.stereo_high_quality =
            rq->host && !(rq->host_len >= 7 && memmem(rq->host, rq->host_len, "0.0.0.0", 7));
        cfg.peer_ipv4 = c->peer_ipv4;
        if ((s->st.encryption_requested & PF_NET_GS_ENC_CONTROL_V2) && !cfg.encrypt_control)
            return pfi_rtsp_reply(403, rq->cseq, NULL, NULL, 0, out, cap);
        uint32_t id = e->s.id;
        r = s->cb.announce ? s->cb.announce(s->cb.user_data, id, &cfg) : 0;
        if (r < 0)
            return pfi_rtsp_reply(r == PF_ERR_UNSUPPORTED ? 400 : 500, rq->cseq, NULL, NULL, 0,
                                  out, cap);
        /* The callback may have withdrawn sessions; look the entry up again. */
        for (size_t i = 0; i < s->n_sess; i++)
            if (s->sess[i].s.id == id)
                s->sess[i].announced = 1;
        return pfi_rtsp_reply(200, rq->cseq, NULL, NULL, 0, out, cap);
    }
    case PFI_RTSP_PLAY:
    case PFI_RTSP_TEARDOWN:
        return pfi_rtsp_reply(200, rq->cseq, NULL, NULL, 0, out, cap);
    default:
        return pfi_rtsp_reply(501, rq->cseq, NULL, NULL, 0, out, cap);
    }
}

static void queue_reply(pf_net_rtsp_server *s, conn *c, const char *data, size_t len)
{
    free(c->in);
    c->in = NULL;
    c->out = malloc(len ? len : 1);
    if (!c->out) {
        conn_close(s, c);
        return;
    }
    memcpy(c->out, data, len);
    c->out_len = len;
    c->out_off = 0;
    c->writing = 1;
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    epoll_ctl(s->epfd, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Encrypted request: find the session whose key authenticates it. */
static void process_encrypted(pf_net_rtsp_server *s, conn *c)
{
    size_t total;
    int r = pf_gs_rtsp_get_length((const uint8_t *)c->in, c->in_len, &total);
    if (r == PF_ERR_AGAIN)
        return;
    if (r < 0 || total > PFI_RTSP_MAX_MESSAGE + PF_GS_RTSP_OVERHEAD ||
        total < PF_GS_RTSP_OVERHEAD) {
        conn_close(s, c);
        return;
    }
    if (c->in_len < total)
        return;
    char *plain = malloc(total);
    char *reply = malloc(REPLY_CAP);
    char *sealed = malloc(REPLY_CAP + PF_GS_RTSP_OVERHEAD);
    rtsp_sess *e = NULL;
    size_t plen = 0;
    uint32_t seq;
    for (size_t i = 0; plain && i < s->n_sess; i++) {
        if (pf_gs_rtsp_open(s->sess[i].cipher, PF_GS_ORIGIN_CLIENT, (const uint8_t *)c->in,
                            total, (uint8_t *)plain, total, &seq, &plen) == 0) {
            e = &s->sess[i];
            break;
        }
    }
    pfi_rtsp_request rq;
    int n = -1;
    if (e && reply && sealed && pfi_rtsp_request_parse(plain, plen, &rq) == 0) {
        uint32_t id = e->s.id;
        n = handle(s, c, &rq, e, reply, REPLY_CAP);
        e = NULL;
        for (size_t i = 0; i < s->n_sess; i++)
            if (s->sess[i].s.id == id)
                e = &s->sess[i];
    } else if (!e) {
        pfi_net_log(&s->st.log, PF_LOG_DEBUG, TOPIC, "encrypted request under no known key");
    }
    size_t slen = 0;
    if (n > 0 && e &&
        pf_gs_rtsp_seal(e->cipher, PF_GS_ORIGIN_HOST, ++e->host_seq, (const uint8_t *)reply,
                        (size_t)n, (uint8_t *)sealed, REPLY_CAP + PF_GS_RTSP_OVERHEAD,
                        &slen) == 0)
        queue_reply(s, c, sealed, slen);
    else
        conn_close(s, c);
    free(plain);
    free(reply);
    free(sealed);
}

static void process(pf_net_rtsp_server *s, conn *c)
{
    if (c->in_len && ((uint8_t)c->in[0] & 0x80)) {
        process_encrypted(s, c);
        return;
    }
    pfi_rtsp_request rq;
    int r = pfi_rtsp_request_parse(c->in, c->in_len, &rq);
    if (r == PF_ERR_AGAIN)
        return;
    char reply[REPLY_CAP];
    int n;
    if (r < 0) {
        pfi_net_log(&s->st.log, PF_LOG_DEBUG, TOPIC, "malformed request (%d bytes)",
                    (int)c->in_len);
        n = pfi_rtsp_reply(400, 0, NULL, NULL, 0, reply, sizeof(reply));
    } else {
        n = handle(s, c, &rq, NULL, reply, sizeof(reply));
    }
    if (n < 0) {
        conn_close(s, c);
        return;
    }
    queue_reply(s, c, reply, (size_t)n);
}

static void on_readable(pf_net_rtsp_server *s, conn *c)
{
    for (;;) {
        size_t cap = PFI_RTSP_MAX_MESSAGE + PF_GS_RTSP_OVERHEAD;
        if (c->in_len >= cap) {
            conn_close(s, c);
            return;
        }
        ssize_t n = recv(c->fd, c->in + c->in_len, cap - c->in_len, 0);
        if (n > 0) {
            c->in_len += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            break;
        /* EOF or error before a whole request: nothing to answer. */
        conn_close(s, c);
        return;
    }
    process(s, c);
}

static void on_writable(pf_net_rtsp_server *s, conn *c)
{
    while (c->out_off < c->out_len) {
        ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            conn_close(s, c);
            return;
        }
        c->out_off += (size_t)n;
    }
    /* §4.1: the client reads until the host closes. */
    shutdown(c->fd, SHUT_RDWR);
    conn_close(s, c);
}

static void accept_all(pf_net_rtsp_server *s, uint64_t now_ms)
{
    for (;;) {
        struct sockaddr_in peer;
        socklen_t pl = sizeof(peer);
        int fd = accept4(s->listen_fd, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0)
            return;
        uint32_t addr =
            pl == sizeof(peer) && peer.sin_family == AF_INET ? peer.sin_addr.s_addr : 0;
        conn *c = NULL;
        uint32_t same = 0;
        for (size_t i = 0; i < s->st.max_connections; i++) {
            conn *o = &s->conns[i];
            if (o->in || o->out)
                same += o->peer_ipv4 == addr;
            else if (!c)
                c = o;
        }
        /* One address must not hold every slot (slowloris). */
        if (!c || same >= PER_ADDRESS) {
            close(fd);
            continue;
        }
        c->in = malloc(PFI_RTSP_MAX_MESSAGE + PF_GS_RTSP_OVERHEAD);
        struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
        if (!c->in || epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
            free(c->in);
            c->in = NULL;
            close(fd);
            continue;
        }
        c->fd = fd;
        c->peer_ipv4 = addr;
        c->in_len = 0;
        c->deadline_ms = now_ms + s->st.timeout_ms;
        s->n_conns++;
    }
}

PF_EXPORT int pf_net_rtsp_server_dispatch(pf_net_rtsp_server *s, uint64_t now_ms)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    struct epoll_event evs[16];
    int n = epoll_wait(s->epfd, evs, 16, 0);
    for (int i = 0; i < n; i++) {
        conn *c = evs[i].data.ptr;
        if (!c) {
            accept_all(s, now_ms);
            continue;
        }
        if (!c->in && !c->out)
            continue;
        if (c->writing)
            on_writable(s, c);
        else
            on_readable(s, c);
        if (c->writing && c->out)
            on_writable(s, c);
    }
    for (size_t i = 0; i < s->st.max_connections; i++) {
        conn *c = &s->conns[i];
        if ((c->in || c->out) && now_ms >= c->deadline_ms) {
            pfi_net_log(&s->st.log, PF_LOG_DEBUG, TOPIC, "connection timed out");
            conn_close(s, c);
        }
    }
    return 0;
}
