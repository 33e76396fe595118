/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 QUIC endpoint (native-protocol.md §1): one UDP socket, the connection table
 * keyed by the first bytes of our connection ids, dispatch and timers. The same code serves
 * the host (server role) and clients (client role). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "pf/core/error.h"

#include "netlog.h"
#include "quic_internal.h"

/* TLS 1.3 only, the suites QUIC allows, X25519 first: rustls clients offer X25519MLKEM768 and
 * a classical X25519 share (§1.2), so a GnuTLS without ML-KEM agrees on X25519. */
static const char TLS_PRIORITY[] =
    "NORMAL:-VERS-ALL:+VERS-TLS1.3:-CIPHER-ALL:+AES-128-GCM:+AES-256-GCM:+CHACHA20-POLY1305:"
    "+AES-128-CCM:-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1:+GROUP-SECP384R1:"
    "%DISABLE_TLS13_COMPAT_MODE";

uint64_t pfq_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

PF_EXPORT void pf_net_quic_settings_default(pf_net_quic_settings *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    st->struct_size = sizeof(*st);
    st->role = PF_NET_QUIC_SERVER;
    st->alpn = "pkf1";
    st->idle_timeout_ms = 8000; /* §1.1: 8 s idle, keep-alive min(idle/2, 4 s) */
    st->keepalive_ms = 4000;
    st->handshake_timeout_ms = 10000; /* §13 item 7: 10 s in the pkf1-era host */
    st->max_connections = 64;
}

static int bind_socket(pf_net_quic_endpoint *ep)
{
    struct sockaddr_storage ss = {0};
    socklen_t sl;
    const char *addr = ep->st.bind_address;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
    if (addr && inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(ep->st.port);
        sl = sizeof(*v4);
    } else if (!addr || inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(ep->st.port);
        sl = sizeof(*v6);
    } else {
        return PF_ERR_INVALID_ARGUMENT;
    }
    ep->family = ss.ss_family;
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return PF_ERR_IO;
    int one = 1, zero = 0;
    if (ss.ss_family == AF_INET6) {
        /* Dual-stack unless a specific IPv6 address was asked for. */
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, addr ? &one : &zero, sizeof(int));
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one));
    }
    /* The local address of each packet names the path (and the media socket's address). */
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one));
    int buf = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
        int e = errno;
        pfi_net_log(&ep->st.log, PF_LOG_WARNING, "quic", "cannot bind UDP port %u: %s", ep->st.port,
                    strerror(e));
        close(fd);
        return PF_ERR_IO;
    }
    sl = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &sl);
    ep->port = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
    ep->fd = fd;
    return 0;
}

PF_EXPORT int pf_net_quic_endpoint_create(const pf_net_quic_settings *st,
                                          const pf_net_quic_callbacks *cb,
                                          pf_net_quic_endpoint **ret)
{
    pf_assert_return(st && ret && st->struct_size >= sizeof(*st), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(st->alpn && *st->alpn && strlen(st->alpn) < 32, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(st->role == PF_NET_QUIC_CLIENT || (st->cert_pem && st->key_pem),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(!cb || cb->struct_size >= sizeof(*cb), PF_ERR_INVALID_ARGUMENT);
    pf_net_quic_endpoint *ep = calloc(1, sizeof(*ep));
    if (!ep)
        return PF_ERR_NOMEM;
    ep->fd = -1;
    ep->st = *st;
    ep->st.bind_address = NULL;
    ep->st.cert_pem = ep->st.key_pem = ep->st.server_name = NULL;
    if (cb)
        ep->cb = *cb;
    snprintf(ep->alpn, sizeof(ep->alpn), "%s", st->alpn);
    if (st->server_name)
        snprintf(ep->server_name, sizeof(ep->server_name), "%s", st->server_name);
    if (!ep->st.idle_timeout_ms)
        ep->st.idle_timeout_ms = 8000;
    if (!ep->st.handshake_timeout_ms)
        ep->st.handshake_timeout_ms = 10000;
    if (!ep->st.max_connections)
        ep->st.max_connections = 64;
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&ep->lock, &ma);
    pthread_mutexattr_destroy(&ma);
    int r = PF_ERR_CRYPTO;
    if (gnutls_rnd(GNUTLS_RND_KEY, ep->static_secret, sizeof(ep->static_secret)) < 0 ||
        gnutls_certificate_allocate_credentials(&ep->cred) < 0 ||
        gnutls_priority_init(&ep->prio, TLS_PRIORITY, NULL) < 0)
        goto fail;
    if (st->cert_pem && st->key_pem) {
        gnutls_datum_t c = {(unsigned char *)st->cert_pem, (unsigned)strlen(st->cert_pem)};
        gnutls_datum_t k = {(unsigned char *)st->key_pem, (unsigned)strlen(st->key_pem)};
        if (gnutls_certificate_set_x509_key_mem(ep->cred, &c, &k, GNUTLS_X509_FMT_PEM) < 0) {
            r = PF_ERR_MALFORMED;
            goto fail;
        }
    }
    ep->st.bind_address = st->bind_address; /* borrowed for the bind only */
    r = bind_socket(ep);
    ep->st.bind_address = NULL;
    if (r < 0)
        goto fail;
    *ret = ep;
    return 0;
fail:
    pf_net_quic_endpoint_destroy(ep);
    return r;
}

PF_EXPORT void pf_net_quic_endpoint_destroy(pf_net_quic_endpoint *ep)
{
    if (!ep)
        return;
    for (pf_net_quic_conn *c = ep->conns, *n; c; c = n) {
        n = c->next;
        pfq_conn_free(c);
    }
    if (ep->fd >= 0)
        close(ep->fd);
    if (ep->prio)
        gnutls_priority_deinit(ep->prio);
    if (ep->cred)
        gnutls_certificate_free_credentials(ep->cred);
    gnutls_memset(ep->static_secret, 0, sizeof(ep->static_secret));
    pthread_mutex_destroy(&ep->lock);
    free(ep);
}

PF_EXPORT int pf_net_quic_endpoint_get_fd(const pf_net_quic_endpoint *ep)
{
    return ep ? ep->fd : -1;
}

PF_EXPORT uint16_t pf_net_quic_endpoint_get_port(const pf_net_quic_endpoint *ep)
{
    return ep ? ep->port : 0;
}

void pfq_send(pf_net_quic_endpoint *ep, const struct sockaddr *to, socklen_t to_len,
              const uint8_t *pkt, size_t len)
{
    ssize_t n;
    do
        n = sendto(ep->fd, pkt, len, MSG_DONTWAIT, to, to_len);
    while (n < 0 && errno == EINTR);
    /* A full socket buffer drops the packet; QUIC's loss recovery resends what matters. */
}

void pfq_unlink(pf_net_quic_endpoint *ep, pf_net_quic_conn *c)
{
    for (pf_net_quic_conn **pp = &ep->conns; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            ep->nconns--;
            break;
        }
}

static void link_conn(pf_net_quic_endpoint *ep, pf_net_quic_conn *c)
{
    c->next = ep->conns;
    ep->conns = c;
    ep->nconns++;
}

/* Frees connections that ended, and closing ones whose period ran out. */
static void reap(pf_net_quic_endpoint *ep, uint64_t now)
{
    for (pf_net_quic_conn **pp = &ep->conns; *pp;) {
        pf_net_quic_conn *c = *pp;
        if (!c->busy && (c->state == PFQ_DEAD ||
                         (c->state == PFQ_CLOSING && c->close_deadline <= now))) {
            *pp = c->next;
            ep->nconns--;
            pfq_conn_free(c);
            continue;
        }
        pp = &c->next;
    }
}

static pf_net_quic_conn *lookup(pf_net_quic_endpoint *ep, const uint8_t *dcid, size_t dcidlen)
{
    for (pf_net_quic_conn *c = ep->conns; c; c = c->next) {
        if (dcidlen == PFQ_CID_LEN && memcmp(dcid, c->key, PFQ_CID_KEY_LEN) == 0)
            return c;
        if (c->odcid.datalen && c->odcid.datalen == dcidlen &&
            memcmp(c->odcid.data, dcid, dcidlen) == 0)
            return c;
    }
    return NULL;
}

static void send_version_negotiation(pf_net_quic_endpoint *ep, const ngtcp2_version_cid *vc,
                                     const struct sockaddr *to, socklen_t to_len)
{
    uint8_t buf[256], r;
    uint32_t sv[] = {NGTCP2_PROTO_VER_V1};
    gnutls_rnd(GNUTLS_RND_NONCE, &r, 1);
    ngtcp2_ssize n = ngtcp2_pkt_write_version_negotiation(
        buf, sizeof(buf), r, vc->scid, vc->scidlen, vc->dcid, vc->dcidlen, sv, 1);
    if (n > 0)
        pfq_send(ep, to, to_len, buf, (size_t)n);
}

static void on_packet(pf_net_quic_endpoint *ep, const uint8_t *pkt, size_t len,
                      const struct sockaddr *local, socklen_t local_len,
                      const struct sockaddr *remote, socklen_t remote_len)
{
    ngtcp2_version_cid vc;
    int rv = ngtcp2_pkt_decode_version_cid(&vc, pkt, len, PFQ_CID_LEN);
    if (rv == NGTCP2_ERR_VERSION_NEGOTIATION) {
        if (ep->st.role == PF_NET_QUIC_SERVER)
            send_version_negotiation(ep, &vc, remote, remote_len);
        return;
    }
    if (rv != 0)
        return;
    pf_net_quic_conn *c = lookup(ep, vc.dcid, vc.dcidlen);
    if (!c) {
        if (ep->st.role != PF_NET_QUIC_SERVER)
            return;
        ngtcp2_pkt_hd hd;
        if (ngtcp2_accept(&hd, pkt, len) != 0)
            return; /* not an acceptable Initial: drop silently */
        if (ep->nconns >= ep->st.max_connections) {
            pfi_net_log(&ep->st.log, PF_LOG_INFO, "quic",
                        "connection limit (%u) reached; Initial dropped",
                        ep->st.max_connections);
            return;
        }
        if (pfq_conn_new(ep, &hd, local, local_len, remote, remote_len, &c) < 0)
            return;
        link_conn(ep, c);
    }
    pfq_conn_read(c, local, local_len, pkt, len);
}

/* The destination address of a received datagram, with the bound port, in the socket's
 * family (IPv4 arriving on a dual-stack socket as IPv4-mapped IPv6). */
static socklen_t local_address(const pf_net_quic_endpoint *ep, struct msghdr *mh,
                               struct sockaddr_storage *out)
{
    memset(out, 0, sizeof(*out));
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
        if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            if (ep->family == AF_INET) {
                struct sockaddr_in *a = (struct sockaddr_in *)out;
                a->sin_family = AF_INET;
                a->sin_port = htons(ep->port);
                a->sin_addr = pi.ipi_addr;
                return sizeof(*a);
            }
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(ep->port);
            a->sin6_addr.s6_addr[10] = a->sin6_addr.s6_addr[11] = 0xff;
            memcpy(&a->sin6_addr.s6_addr[12], &pi.ipi_addr, 4);
            return sizeof(*a);
        }
        if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
            struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
            a->sin6_family = AF_INET6;
            a->sin6_port = htons(ep->port);
            a->sin6_addr = pi.ipi6_addr;
            return sizeof(*a);
        }
    }
    /* No ancillary data: the wildcard of the socket's family. */
    if (ep->family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)out;
        a->sin_family = AF_INET;
        a->sin_port = htons(ep->port);
        return sizeof(*a);
    }
    struct sockaddr_in6 *a = (struct sockaddr_in6 *)out;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(ep->port);
    return sizeof(*a);
}

PF_EXPORT int pf_net_quic_endpoint_dispatch(pf_net_quic_endpoint *ep)
{
    pf_assert_return(ep, PF_ERR_INVALID_ARGUMENT);
    pthread_mutex_lock(&ep->lock);
    int r = 0;
    uint8_t buf[65536];
    /* Bounded so that a flood cannot starve the timers or the other work of the loop. */
    for (int i = 0; i < 256; i++) {
        struct sockaddr_storage from, local;
        union {
            struct cmsghdr align;
            uint8_t b[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
                      CMSG_SPACE(sizeof(struct in_pktinfo))];
        } ctl;
        struct iovec iov = {buf, sizeof(buf)};
        struct msghdr mh = {.msg_name = &from,
                            .msg_namelen = sizeof(from),
                            .msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.b,
                            .msg_controllen = sizeof(ctl.b)};
        ssize_t n = recvmsg(ep->fd, &mh, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNREFUSED)
                r = PF_ERR_IO;
            break;
        }
        socklen_t ll = local_address(ep, &mh, &local);
        on_packet(ep, buf, (size_t)n, (struct sockaddr *)&local, ll, (struct sockaddr *)&from,
                  mh.msg_namelen);
    }
    uint64_t now = pfq_now();
    for (pf_net_quic_conn *c = ep->conns; c; c = c->next)
        if (c->state == PFQ_ACTIVE)
            pfq_conn_flush(c, pfq_conn_expiry(c) <= now);
    reap(ep, pfq_now());
    pthread_mutex_unlock(&ep->lock);
    return r;
}

PF_EXPORT int pf_net_quic_endpoint_get_timeout(pf_net_quic_endpoint *ep)
{
    if (!ep)
        return -1;
    pthread_mutex_lock(&ep->lock);
    uint64_t next = UINT64_MAX;
    for (pf_net_quic_conn *c = ep->conns; c; c = c->next) {
        /* A datagram handed over by another thread goes out at the next dispatch. */
        uint64_t e = pfq_handoff_pending(c) ? 0 : pfq_conn_expiry(c);
        if (e < next)
            next = e;
    }
    pthread_mutex_unlock(&ep->lock);
    if (next == UINT64_MAX)
        return -1;
    uint64_t now = pfq_now();
    if (next <= now)
        return 0;
    uint64_t ms = (next - now + 999999) / 1000000;
    return ms > 60000 ? 60000 : (int)ms;
}

PF_EXPORT int pf_net_quic_endpoint_connect(pf_net_quic_endpoint *ep, const char *host,
                                           uint16_t port, pf_net_quic_conn **ret)
{
    pf_assert_return(ep && host && port && ret, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(ep->st.role == PF_NET_QUIC_CLIENT, PF_ERR_STATE);
    struct sockaddr_storage to = {0}, local = {0};
    socklen_t tl;
    struct sockaddr_in *v4 = (struct sockaddr_in *)&to;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&to;
    if (ep->family == AF_INET && inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        tl = sizeof(*v4);
    } else if (ep->family == AF_INET6 && inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        tl = sizeof(*v6);
    } else if (ep->family == AF_INET6 && inet_pton(AF_INET, host, &v6->sin6_addr.s6_addr[12])) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        v6->sin6_addr.s6_addr[10] = v6->sin6_addr.s6_addr[11] = 0xff;
        tl = sizeof(*v6);
    } else {
        return PF_ERR_INVALID_ARGUMENT;
    }
    socklen_t ll = sizeof(local);
    getsockname(ep->fd, (struct sockaddr *)&local, &ll);
    pthread_mutex_lock(&ep->lock);
    pf_net_quic_conn *c;
    int r = pfq_conn_new(ep, NULL, (struct sockaddr *)&local, ll, (struct sockaddr *)&to, tl, &c);
    if (r == 0) {
        link_conn(ep, c);
        pfq_conn_flush(c, 0);
        *ret = c;
    }
    pthread_mutex_unlock(&ep->lock);
    return r;
}
