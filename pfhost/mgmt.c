/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Management API transport: HTTP(S) with libmicrohttpd, authentication, routing. The
 * endpoints themselves are in mgmt_routes.c. */
#include "mgmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "httpd_guard.h"
#include "mgmt_auth.h"
#include "mgmt_routes.h"

#define MAX_BODY (64u * 1024u)

struct mgmt {
    host *h;
    struct MHD_Daemon *d;
    mgmt_auth auth;
    int tls;
    pfi_httpd_guard guard; /* slow clients: request deadlines */
};

typedef struct mreq {
    char *body;
    size_t len;
    int too_big;
} mreq;

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_object *j,
                                 unsigned retry_after)
{
    const char *text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
    json_object_put(j);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (retry_after) {
        char v[16];
        snprintf(v, sizeof(v), "%u", retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    pfi_httpd_guard_answered(c);
    enum MHD_Result r = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return r;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg,
                                  unsigned retry_after)
{
    return send_json(c, status, mroute_error(msg), retry_after);
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *c, const char *url,
                                 const char *method, const char *version,
                                 const char *upload_data, size_t *upload_data_size,
                                 void **con_cls)
{
    mgmt *m = cls;
    mreq *r = *con_cls;
    if (!r) {
        if (!pfi_httpd_framing_ok(c))
            return send_error(c, 400, "ambiguous body framing (Content-Length with "
                                      "Transfer-Encoding, or twice)", 0);
        r = calloc(1, sizeof(*r));
        if (!r)
            return MHD_NO;
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_big || r->len + n > MAX_BODY) {
            r->too_big = 1;
            return MHD_YES;
        }
        char *b = realloc(r->body, r->len + n + 1);
        if (!b)
            return MHD_NO;
        memcpy(b + r->len, upload_data, n);
        r->body = b;
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    /* Browsers attach Origin; a page from elsewhere must not drive the host (CSRF). */
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    const char *hosthdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!mgmt_origin_ok(origin, hosthdr))
        return send_error(c, 403, "cross-origin requests are refused", 0);
    const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    switch (mgmt_auth_check(&m->auth, authz, host_now_ms())) {
    case AUTH_OK:
        break;
    case AUTH_LOCKED:
        return send_error(c, 429,
                          "too many wrong tokens; try again later",
                          (unsigned)(m->auth.lockout_ms / 1000));
    case AUTH_MISSING:
        return send_error(c, 401, "missing bearer token", 0);
    default:
        return send_error(c, 401, "wrong bearer token", 0);
    }
    if (r->too_big)
        return send_error(c, 413, "request body too large", 0);
    json_object *out = NULL;
    unsigned status = mroute_dispatch(m->h, method, url, r->body, r->len, &out);
    return send_json(c, status, out, 0);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    mreq *r = *con_cls;
    pfi_httpd_guard_request_done(c);
    if (!r)
        return;
    free(r->body);
    free(r);
    *con_cls = NULL;
}

static int is_loopback(const char *addr)
{
    return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
           strcmp(addr, "localhost") == 0;
}

int mgmt_create(host *h, const char *token, mgmt **ret, char *err, size_t err_len)
{
    mgmt *m = calloc(1, sizeof(*m));
    if (!m)
        return -ENOMEM;
    m->h = h;
    pfi_httpd_guard_init(&m->guard, PFI_HTTPD_REQUEST_DEADLINE_MS);
    snprintf(m->auth.token, sizeof(m->auth.token), "%s", token);
    m->auth.max_failures = h->cfg.api_max_failures ? h->cfg.api_max_failures : 1;
    m->auth.lockout_ms = (uint64_t)h->cfg.api_lockout_s * 1000;
    const char *addr = h->cfg.api_address;
    if (strcmp(addr, "localhost") == 0)
        addr = "127.0.0.1";
    m->tls = !is_loopback(addr);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof(ss));
    unsigned flags = MHD_USE_EPOLL;
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(h->cfg.api_port);
    } else if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(h->cfg.api_port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, err_len, "api_address \"%s\" is not a numeric IP address", addr);
        free(m);
        return -EINVAL;
    }
    if (m->tls)
        flags |= MHD_USE_TLS;
    struct MHD_OptionItem opts[12];
    unsigned n = 0;
#define OPT(o, v, p) opts[n++] = (struct MHD_OptionItem){(o), (intptr_t)(v), (void *)(p)}
    OPT(MHD_OPTION_SOCK_ADDR, 0, &ss);
    OPT(MHD_OPTION_NOTIFY_COMPLETED, completed, m);
    OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, 128 * 1024, NULL);
    OPT(MHD_OPTION_CONNECTION_TIMEOUT, 30, NULL);
    OPT(MHD_OPTION_CONNECTION_LIMIT, 32, NULL);
    OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, PFI_HTTPD_PER_ADDRESS, NULL);
    OPT(MHD_OPTION_NOTIFY_CONNECTION, pfi_httpd_guard_notify, &m->guard);
    if (m->tls) {
        OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, pf_net_identity_get_key_pem(h->id));
        OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, pf_net_identity_get_cert_pem(h->id));
    }
    OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
    m->d = MHD_start_daemon(flags, h->cfg.api_port, NULL, NULL, access_cb, m, MHD_OPTION_ARRAY,
                            opts, MHD_OPTION_END);
    if (!m->d) {
        snprintf(err, err_len, "cannot listen on %s port %u for the management API", addr,
                 h->cfg.api_port);
        free(m);
        return -EADDRINUSE;
    }
    *ret = m;
    return 0;
}

void mgmt_destroy(mgmt *m)
{
    if (!m)
        return;
    if (m->d)
        MHD_stop_daemon(m->d);
    pfi_httpd_guard_finish(&m->guard);
    memset(m->auth.token, 0, sizeof(m->auth.token));
    free(m);
}

int mgmt_get_fd(const mgmt *m)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_EPOLL_FD);
    return di ? di->epoll_fd : -1;
}

int64_t mgmt_get_timeout(const mgmt *m)
{
    MHD_UNSIGNED_LONG_LONG t;
    int64_t best = MHD_get_timeout(m->d, &t) == MHD_YES ? (int64_t)t : -1;
    int64_t g = pfi_httpd_guard_next(&m->guard);
    return g >= 0 && (best < 0 || g < best) ? g : best;
}

void mgmt_dispatch(mgmt *m)
{
    pfi_httpd_guard_expire(&m->guard);
    MHD_run(m->d);
}

uint16_t mgmt_get_port(const mgmt *m)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(m->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

int mgmt_is_tls(const mgmt *m)
{
    return m->tls;
}
