/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream HTTP and HTTPS servers on libmicrohttpd, driven by the caller's event loop
 * through one epoll fd. Routing and replies live in gs_handlers.c, pairing in gs_pair.c. */
#include "gs_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "pf/core/error.h"

#include "netlog.h"

#define TOPIC "gs_server"

/* A request line with a hex PEM certificate is ~6 KiB; 32 KiB of per-connection memory
 * leaves room for headers and makes MHD answer anything larger with 414/431 itself. */
#define CONNECTION_MEMORY 32768u
#define CONNECTION_TIMEOUT_S 15u
#define TLS_PRIORITIES "NORMAL:-VERS-TLS1.0:-VERS-TLS1.1:-VERS-SSL3.0"

typedef struct req {
    pf_net_gs_server *s;
    struct MHD_Connection *conn;
    char *uri;
    int https;
    int suspended;
    int ready;
    int watched_fd; /* a suspended request's socket in our epoll set (hang-up), else -1 */
    int framing_checked;
    char *doc;
    size_t len;
} req;

void pf_net_gs_settings_default(pf_net_gs_settings *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    st->version = PF_NET_GS_SETTINGS_VERSION;
    st->http_port = 47989;
    st->https_port = 47984;
    st->rtsp_port = 48010;
    st->codec_mask = PF_NET_GS_CODEC_H264 | PF_NET_GS_CODEC_HEVC;
    st->pin_wait_ms = 120000;
    st->pin_ttl_ms = 60000;
    st->pair_step_ms = 30000;
    st->pair_max_failures = 3;
    st->pair_lockout_ms = 300000;
    st->max_connections = 64;
}

static void *uri_log(void *cls, const char *uri, struct MHD_Connection *conn)
{
    req *r = calloc(1, sizeof(*r));
    if (!r)
        return NULL;
    r->s = cls;
    r->conn = conn;
    r->watched_fd = -1;
    r->uri = strdup(uri ? uri : "");
    return r;
}

/* MHD does not poll a suspended connection, so a client that gives up while phase 1 waits
 * for the PIN would go unnoticed: its socket joins our epoll set for hang-ups only. */
static void watch_hangup(pf_net_gs_server *s, req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return;
    struct epoll_event ev = {.events = EPOLLRDHUP, .data.ptr = r};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, ci->connect_fd, &ev) == 0)
        r->watched_fd = ci->connect_fd;
}

static void unwatch(pf_net_gs_server *s, req *r)
{
    if (r->watched_fd >= 0)
        (void)epoll_ctl(s->epfd, EPOLL_CTL_DEL, r->watched_fd, NULL);
    r->watched_fd = -1;
}

static int req_alive(void *user_data, void *waiter)
{
    req *r = waiter;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!ci)
        return 0;
    struct pollfd pfd = {.fd = ci->connect_fd, .events = POLLRDHUP};
    return !(poll(&pfd, 1, 0) > 0 && (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR)));
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    pf_net_gs_server *s = cls;
    req *r = *con_cls;
    pfi_httpd_guard_request_done(conn);
    if (!r)
        return;
    unwatch(s, r);
    if (r->suspended && !r->ready)
        pfi_pair_forget_waiter(&s->pairing, r);
    free(r->doc);
    free(r->uri);
    free(r);
    *con_cls = NULL;
}

/* Called by the pairing state machine when a waiting phase-1 request has its answer. */
static void pair_complete(void *user_data, void *waiter, char *doc, size_t len)
{
    req *r = waiter;
    unwatch(user_data, r);
    free(r->doc);
    r->doc = doc;
    r->len = len;
    r->ready = 1;
    MHD_resume_connection(r->conn);
}

int pfi_gs_pair_store(void *user_data, const pfi_peer_cert *cert, const char *pem,
                      const char *device_name)
{
    pf_net_gs_server *s = user_data;
    char id[17];
    int r = pf_net_cert_id(cert->der, cert->der_len, id);
    if (r < 0)
        return r;
    /* Checked before the host stores the client: a full table used to store it and then
     * fail the pairing. */
    if (s->nclients >= PFI_GS_MAX_CLIENTS && !pfi_gs_find_client(s, cert->der, cert->der_len))
        return PF_ERR_LIMIT;
    if (s->cb.paired && (r = s->cb.paired(s->cb.user_data, id, pem, device_name)) < 0)
        return r;
    return pf_net_gs_server_add_client(s, pem);
}

static void addr_to_str(const struct sockaddr *sa, char *out, size_t cap, int *is_v6)
{
    *is_v6 = 0;
    snprintf(out, cap, "0.0.0.0");
    if (!sa)
        return;
    if (sa->sa_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    } else if (sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) {
            inet_ntop(AF_INET, &a->s6_addr[12], out, (socklen_t)cap);
        } else {
            inet_ntop(AF_INET6, a, out, (socklen_t)cap);
            *is_v6 = 1;
        }
    }
}

/* The MAC of the interface that carries @p ip, for Wake-on-LAN (§2.3). */
static void mac_of(const char *ip, char *out, size_t cap)
{
    snprintf(out, cap, "00:00:00:00:00:00");
    struct ifaddrs *ifs, *i, *j;
    if (getifaddrs(&ifs) < 0)
        return;
    for (i = ifs; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET)
            continue;
        char buf[64];
        int v6;
        addr_to_str(i->ifa_addr, buf, sizeof(buf), &v6);
        if (strcmp(buf, ip) != 0)
            continue;
        for (j = ifs; j; j = j->ifa_next) {
            if (!j->ifa_addr || j->ifa_addr->sa_family != AF_PACKET ||
                strcmp(j->ifa_name, i->ifa_name) != 0)
                continue;
            const struct sockaddr_ll *ll = (const struct sockaddr_ll *)j->ifa_addr;
            if (ll->sll_halen == 6)
                snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0],
                         ll->sll_addr[1], ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4],
                         ll->sll_addr[5]);
        }
        break;
    }
    freeifaddrs(ifs);
}

static void request_info(pf_net_gs_server *s, req *r, pfi_gs_req_info *info)
{
    memset(info, 0, sizeof(*info));
    info->https = r->https;
    info->waiter = r;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    int v6;
    addr_to_str(ci ? ci->client_addr : NULL, info->peer, sizeof(info->peer), &v6);
    ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (ci && getsockname(ci->connect_fd, (struct sockaddr *)&ss, &sl) == 0)
        addr_to_str((struct sockaddr *)&ss, info->local_ip, sizeof(info->local_ip),
                    &info->local_is_v6);
    else
        snprintf(info->local_ip, sizeof(info->local_ip), "127.0.0.1");
    if (r->https) {
        mac_of(info->local_ip, info->mac, sizeof(info->mac));
        ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        unsigned n = 0;
        const gnutls_datum_t *peers =
            ci ? gnutls_certificate_get_peers((gnutls_session_t)ci->tls_session, &n) : NULL;
        if (peers && n > 0)
            info->client_id = pfi_gs_find_client(s, peers[0].data, peers[0].size);
    }
}

static enum MHD_Result queue(struct MHD_Connection *conn, char *body, size_t len,
                             const char *type)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    pfi_httpd_guard_answered(conn);
    /* §2.1: always HTTP 200; the XML status_code carries the error. */
    enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls, int https)
{
    pf_net_gs_server *s = cls;
    req *r = *con_cls;
    if (!r)
        return MHD_NO;
    r->https = https;
    if (!r->framing_checked) {
        r->framing_checked = 1;
        if (!pfi_httpd_framing_ok(conn)) {
            pfi_gs_reply rep;
            if (pfi_gs_error(400, "Ambiguous request framing", &rep) < 0)
                return MHD_NO;
            return queue(conn, rep.body, rep.len, rep.content_type);
        }
    }
    if (*upload_data_size) {
        /* GameStream requests have no body; discard whatever is sent. */
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->ready) {
        char *doc = r->doc;
        r->doc = NULL;
        return queue(conn, doc, r->len, "application/xml; charset=utf-8");
    }
    if (r->suspended)
        return MHD_YES;
    pfi_gs_reply rep;
    int rc;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        rc = pfi_gs_error(405, "Only GET is served", &rep);
    } else {
        pfi_query q;
        const char *path;
        int pr = pfi_query_parse(r->uri, strlen(r->uri), &q, &path);
        if (pr < 0) {
            rc = pfi_gs_error(400, pr == PF_ERR_LIMIT ? "Request too large"
                                                     : "Malformed query string",
                              &rep);
        } else {
            pfi_gs_req_info info;
            request_info(s, r, &info);
            rc = pfi_gs_handle(s, path, &q, &info, &rep);
            pfi_net_log(&s->cfg.log, PF_LOG_DEBUG, TOPIC, "%s %s%s -> %s",
                        https ? "https" : "http", path, info.client_id ? " (paired)" : "",
                        rep.wait ? "waiting for PIN" : "answered");
            pfi_query_clear(&q);
        }
    }
    if (rc < 0)
        return MHD_NO;
    if (rep.wait) {
        r->suspended = 1;
        /* parked on purpose: the pairing deadlines apply instead */
        pfi_httpd_guard_answered(conn);
        MHD_suspend_connection(conn);
        watch_hangup(s, r);
        return MHD_YES;
    }
    return queue(conn, rep.body, rep.len, rep.content_type);
}

static enum MHD_Result access_http(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version,
                                   const char *upload_data, size_t *upload_data_size,
                                   void **con_cls)
{
    return access_cb(cls, conn, url, method, version, upload_data, upload_data_size, con_cls,
                     0);
}

static enum MHD_Result access_https(void *cls, struct MHD_Connection *conn, const char *url,
                                    const char *method, const char *version,
                                    const char *upload_data, size_t *upload_data_size,
                                    void **con_cls)
{
    return access_cb(cls, conn, url, method, version, upload_data, upload_data_size, con_cls,
                     1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    pf_net_gs_server *s = cls;
    char buf[256];
    vsnprintf(buf, sizeof(buf), fmt, ap);
    pfi_net_log(&s->cfg.log, PF_LOG_DEBUG, TOPIC, "httpd: %s", buf);
}

static struct MHD_Daemon *start(pf_net_gs_server *s, uint16_t port, int https)
{
    unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    int have_addr = 0;
    if (s->bind_address) {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        if (inet_pton(AF_INET, s->bind_address, &a4->sin_addr) == 1) {
            a4->sin_family = AF_INET;
            a4->sin_port = htons(port);
        } else if (inet_pton(AF_INET6, s->bind_address, &a6->sin6_addr) == 1) {
            a6->sin6_family = AF_INET6;
            a6->sin6_port = htons(port);
            flags |= MHD_USE_IPv6;
        } else {
            return NULL;
        }
        have_addr = 1;
    } else {
        flags |= MHD_USE_DUAL_STACK;
    }
    if (https)
        flags |= MHD_USE_TLS;
    MHD_AccessHandlerCallback ah = https ? access_https : access_http;
    const char *cert = pf_net_identity_get_cert_pem(s->id);
    const char *key = pf_net_identity_get_key_pem(s->id);
    for (int attempt = 0; attempt < 2; attempt++) {
        struct MHD_OptionItem opts[16];
        unsigned n = 0;
#define OPT(o, v, p) opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (void *)(p)}
        OPT(MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s);
        OPT(MHD_OPTION_URI_LOG_CALLBACK, uri_log, s);
        OPT(MHD_OPTION_NOTIFY_COMPLETED, completed, s);
        OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONNECTION_MEMORY, NULL);
        OPT(MHD_OPTION_CONNECTION_TIMEOUT, CONNECTION_TIMEOUT_S, NULL);
        OPT(MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections, NULL);
        /* Slow clients: a bound per address and an absolute request deadline. */
        OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, PFI_HTTPD_PER_ADDRESS, NULL);
        OPT(MHD_OPTION_NOTIFY_CONNECTION, pfi_httpd_guard_notify, &s->guard);
        if (have_addr)
            OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
        if (https) {
            OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, key);
            OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, cert);
            /* A trust list makes MHD send an (optional) CertificateRequest; the certificate
             * is then matched against the paired ones on every request (§2.2). */
            OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0, cert);
            OPT(MHD_OPTION_HTTPS_PRIORITIES, 0, TLS_PRIORITIES);
        }
        OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
        struct MHD_Daemon *d = MHD_start_daemon(flags, port, NULL, NULL, ah, s,
                                                MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
        if (d)
            return d;
        if (!(flags & MHD_USE_DUAL_STACK))
            break;
        /* No IPv6 on this machine: fall back to IPv4 only. */
        flags &= ~(unsigned)MHD_USE_DUAL_STACK;
    }
    return NULL;
}

static int add_epoll(pf_net_gs_server *s, struct MHD_Daemon *d)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);
    if (!di)
        return PF_ERR_IO;
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = d};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, di->epoll_fd, &ev) < 0)
        return PF_ERR_IO;
    return 0;
}

int pf_net_gs_server_create(const pf_net_gs_settings *settings,
                            const pf_net_gs_callbacks *callbacks,
                            const pf_net_identity *identity, pf_net_gs_server **ret_server)
{
    pf_assert_return(settings && callbacks && identity && ret_server, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->version == PF_NET_GS_SETTINGS_VERSION, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(callbacks->version == PF_NET_GS_CALLBACKS_VERSION,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->pair_max_failures > 0 && settings->max_connections > 0,
                     PF_ERR_INVALID_ARGUMENT);
    pf_net_gs_server *s = calloc(1, sizeof(*s));
    if (!s)
        return PF_ERR_NOMEM;
    s->epfd = -1;
    s->cfg = *settings;
    s->cb = *callbacks;
    s->id = identity;
    s->hostname = strdup(settings->hostname && *settings->hostname ? settings->hostname
                                                                   : "punktfunk");
    s->bind_address = settings->bind_address ? strdup(settings->bind_address) : NULL;
    int r = PF_ERR_NOMEM;
    if (!s->hostname || (settings->bind_address && !s->bind_address))
        goto fail;
    pfi_pair_hooks hooks = {.user_data = s,
                            .complete = pair_complete,
                            .paired = pfi_gs_pair_store,
                            .alive = req_alive};
    pfi_pairing_init(&s->pairing, identity, &s->cfg, &hooks);
    pfi_httpd_guard_init(&s->guard, PFI_HTTPD_REQUEST_DEADLINE_MS);
    r = PF_ERR_IO;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    if (s->epfd < 0)
        goto fail;
    s->http = start(s, settings->http_port, 0);
    if (!s->http) {
        pfi_net_log(&s->cfg.log, PF_LOG_DEBUG, TOPIC, "cannot bind HTTP port %u",
                    settings->http_port);
        goto fail;
    }
    s->https = start(s, settings->https_port, 1);
    if (!s->https) {
        pfi_net_log(&s->cfg.log, PF_LOG_DEBUG, TOPIC, "cannot bind HTTPS port %u",
                    settings->https_port);
        goto fail;
    }
    if ((r = add_epoll(s, s->http)) < 0 || (r = add_epoll(s, s->https)) < 0)
        goto fail;
    *ret_server = s;
    return 0;
fail:
    pf_net_gs_server_destroy(s);
    return r;
}

void pf_net_gs_server_destroy(pf_net_gs_server *s)
{
    if (!s)
        return;
    /* Waiting pairing requests are answered first: MHD cannot stop with suspended
     * connections. */
    pfi_pairing_finish(&s->pairing);
    if (s->http) {
        MHD_run(s->http);
        MHD_stop_daemon(s->http);
    }
    if (s->https) {
        MHD_run(s->https);
        MHD_stop_daemon(s->https);
    }
    pfi_httpd_guard_finish(&s->guard);
    if (s->epfd >= 0)
        close(s->epfd);
    for (uint32_t i = 0; i < s->nclients; i++)
        free(s->clients[i].der);
    free(s->hostname);
    free(s->bind_address);
    free(s->external_address);
    free(s);
}

int pf_net_gs_server_get_fd(const pf_net_gs_server *s)
{
    return s ? s->epfd : PF_ERR_INVALID_ARGUMENT;
}

int64_t pf_net_gs_server_get_timeout(const pf_net_gs_server *s, uint64_t now_ms)
{
    if (!s)
        return -1;
    int64_t best = pfi_pair_next_deadline(&s->pairing, now_ms);
    int64_t g = pfi_httpd_guard_next(&s->guard);
    if (g >= 0 && (best < 0 || g < best))
        best = g;
    struct MHD_Daemon *ds[2] = {s->http, s->https};
    for (int i = 0; i < 2; i++) {
        MHD_UNSIGNED_LONG_LONG t;
        if (ds[i] && MHD_get_timeout(ds[i], &t) == MHD_YES &&
            (best < 0 || (int64_t)t < best))
            best = (int64_t)t;
    }
    return best;
}

/* A resumed phase-1 request may sit on HTTP or on HTTPS (§3.2 allows both). */
static void run_both(pf_net_gs_server *s)
{
    MHD_run(s->http);
    MHD_run(s->https);
}

int pf_net_gs_server_dispatch(pf_net_gs_server *s, uint64_t now_ms)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    s->now_ms = now_ms;
    struct epoll_event evs[4];
    /* Drain the readiness of our epoll set; MHD_run polls its own set without blocking. */
    (void)epoll_wait(s->epfd, evs, 4, 0);
    pfi_httpd_guard_expire(&s->guard);
    int r = 0;
    if (MHD_run(s->http) != MHD_YES || MHD_run(s->https) != MHD_YES)
        r = PF_ERR_IO;
    pfi_pair_prune(&s->pairing, now_ms);
    pfi_pair_expire(&s->pairing, now_ms);
    /* Pruning and expiry may have resumed waiting requests, on either port; let MHD send
     * their replies now. */
    run_both(s);
    return r;
}

uint16_t pf_net_gs_server_get_port(const pf_net_gs_server *s, int https)
{
    if (!s)
        return 0;
    struct MHD_Daemon *d = https ? s->https : s->http;
    const union MHD_DaemonInfo *di = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)
                                       : NULL;
    return di ? di->port : 0;
}

int pf_net_gs_server_set_rtsp_port(pf_net_gs_server *s, uint16_t port)
{
    pf_assert_return(s && port, PF_ERR_INVALID_ARGUMENT);
    s->cfg.rtsp_port = port;
    return 0;
}

uint16_t pf_net_gs_server_get_rtsp_port(const pf_net_gs_server *s)
{
    return s ? s->cfg.rtsp_port : 0;
}

int pf_net_gs_server_set_external_address(pf_net_gs_server *s, const char *ipv4)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    char *copy = NULL;
    if (ipv4 && *ipv4) {
        struct in_addr a;
        if (inet_pton(AF_INET, ipv4, &a) != 1)
            return PF_ERR_INVALID_ARGUMENT;
        if (!(copy = strdup(ipv4)))
            return PF_ERR_NOMEM;
    }
    free(s->external_address);
    s->external_address = copy;
    return 0;
}

int pf_net_gs_server_set_pin(pf_net_gs_server *s, const char *pin, uint64_t now_ms)
{
    return pf_net_gs_server_set_pin2(s, pin, NULL, now_ms);
}

int pf_net_gs_server_set_pin2(pf_net_gs_server *s, const char *pin, const char *attempt_id,
                              uint64_t now_ms)
{
    pf_assert_return(s && pin, PF_ERR_INVALID_ARGUMENT);
    s->now_ms = now_ms;
    int r = pfi_pair_set_pin(&s->pairing, pin, attempt_id, now_ms);
    /* Pruning may have answered requests even when the PIN was refused. */
    run_both(s);
    return r;
}

int pf_net_gs_server_get_pairing_attempt(const pf_net_gs_server *s, uint32_t index,
                                         uint64_t now_ms, pf_net_gs_pair_attempt *ret)
{
    pf_assert_return(s && ret && ret->struct_size >= sizeof(*ret), PF_ERR_INVALID_ARGUMENT);
    pfi_pair_info list[PFI_PAIR_MAX_ATTEMPTS];
    uint32_t n = pfi_pair_list(&s->pairing, now_ms, list, PFI_PAIR_MAX_ATTEMPTS);
    if (index >= n || index >= PFI_PAIR_MAX_ATTEMPTS)
        return PF_ERR_NOT_FOUND;
    uint32_t size = ret->struct_size;
    memset(ret, 0, sizeof(*ret));
    ret->struct_size = size;
    snprintf(ret->id, sizeof(ret->id), "%s", list[index].id);
    snprintf(ret->device_name, sizeof(ret->device_name), "%s", list[index].device_name);
    snprintf(ret->address, sizeof(ret->address), "%s", list[index].peer);
    ret->age_ms = list[index].age_ms;
    return 0;
}

uint32_t pf_net_gs_server_get_pairing_waiting(const pf_net_gs_server *s)
{
    return s ? pfi_pair_waiting(&s->pairing) : 0;
}

const char *pfi_gs_find_client(const pf_net_gs_server *s, const uint8_t *der, size_t len)
{
    for (uint32_t i = 0; i < s->nclients; i++)
        if (s->clients[i].der_len == len && memcmp(s->clients[i].der, der, len) == 0)
            return s->clients[i].id;
    return NULL;
}

int pf_net_gs_server_add_client(pf_net_gs_server *s, const char *cert_pem)
{
    pf_assert_return(s && cert_pem, PF_ERR_INVALID_ARGUMENT);
    pfi_peer_cert c;
    int r = pfi_peer_cert_parse(cert_pem, strlen(cert_pem), &c);
    if (r < 0)
        return r;
    if (pfi_gs_find_client(s, c.der, c.der_len)) {
        pfi_peer_cert_clear(&c);
        return 0;
    }
    if (s->nclients == PFI_GS_MAX_CLIENTS) {
        pfi_peer_cert_clear(&c);
        return PF_ERR_LIMIT;
    }
    pfi_gs_client *cl = &s->clients[s->nclients];
    if ((r = pf_net_cert_id(c.der, c.der_len, cl->id)) < 0) {
        pfi_peer_cert_clear(&c);
        return r;
    }
    cl->der = c.der;
    cl->der_len = c.der_len;
    c.der = NULL;
    pfi_peer_cert_clear(&c);
    s->nclients++;
    return 0;
}

int pf_net_gs_server_remove_client(pf_net_gs_server *s, const char *client_id)
{
    pf_assert_return(s && client_id, PF_ERR_INVALID_ARGUMENT);
    for (uint32_t i = 0; i < s->nclients; i++) {
        if (strcmp(s->clients[i].id, client_id) != 0)
            continue;
        free(s->clients[i].der);
        s->clients[i] = s->clients[s->nclients - 1];
        memset(&s->clients[s->nclients - 1], 0, sizeof(s->clients[0]));
        s->nclients--;
        return 0;
    }
    return PF_ERR_NOT_FOUND;
}
