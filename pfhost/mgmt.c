/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Management API transport: HTTP(S) with libmicrohttpd, authentication, routing. The
 * endpoints themselves are in mgmt_routes.c. */
#include "mgmt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "fileio.h"
#include "httpd_guard.h"
#include "mgmt_auth.h"
#include "mgmt_console.h"
#include "mgmt_history.h"
#include "mgmt_routes.h"
#include "mgmt_session.h"
#include "mgmt_static.h"

#ifndef PFHOST_CONSOLE_DIR
#define PFHOST_CONSOLE_DIR "/usr/share/pfhost/console"
#endif

struct mgmt {
    host *h;
    struct MHD_Daemon *d;
    mgmt_auth auth;
    console_auth console;
    console_files files;
    mgmt_history history;
    int tls;
    pfi_httpd_guard guard; /* slow clients: request deadlines */
};

typedef struct mreq {
    char *body;
    size_t len;
    size_t max;
    int too_big;
} mreq;

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const void *data,
                                 size_t len, const char *type, unsigned retry_after,
                                 const char *set_cookie)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    console_security_headers(resp);
    if (set_cookie && *set_cookie)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, set_cookie);
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

static enum MHD_Result send_json_cookie(struct MHD_Connection *c, unsigned status,
                                        json_object *j, unsigned retry_after,
                                        const char *set_cookie)
{
    const char *text = j ? json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN) : "";
    enum MHD_Result r =
        send_body(c, status, text, strlen(text), "application/json", retry_after, set_cookie);
    json_object_put(j);
    return r;
}

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, json_object *j,
                                 unsigned retry_after)
{
    return send_json_cookie(c, status, j, retry_after, NULL);
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *msg,
                                  unsigned retry_after)
{
    return send_json(c, status, mroute_error(msg), retry_after);
}

static void peer_address(struct MHD_Connection *c, char *out, size_t cap)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)cap);
}

/* The names the API is served as: localhost, the host name (and its mDNS .local name) and
 * the api_hosts list; IP literals are always fine (mgmt_host_ok). */
static int host_name_ok(const mgmt *m, const char *host_header)
{
    const host_config *cfg = &m->h->cfg;
    char local[300], extra[512];
    snprintf(local, sizeof(local), "%s.local", cfg->hostname ? cfg->hostname : "");
    const char *names[24] = {"localhost", "localhost.localdomain", cfg->hostname, local};
    size_t n = 4;
    snprintf(extra, sizeof(extra), "%s", cfg->api_hosts ? cfg->api_hosts : "");
    char *save = NULL;
    for (char *t = strtok_r(extra, ", ", &save); t && n < 24; t = strtok_r(NULL, ", ", &save))
        names[n++] = t;
    return mgmt_host_ok(host_header, names, n);
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
    if (!r->max)
        r->max = mconsole_max_body(url);
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->too_big || r->len + n > r->max) {
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
    char peer[INET6_ADDRSTRLEN] = "";
    peer_address(c, peer, sizeof(peer));
    uint64_t now = host_now_ms();
    /* A page on a foreign name that resolves here (DNS rebinding) names that name. */
    const char *hosthdr = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host_name_ok(m, hosthdr))
        return send_error(c, 403, "this host is not served under that name (see api_hosts)", 0);
    /* Browsers attach Origin; a page from elsewhere must not drive the host (CSRF). */
    const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Origin");
    if (!mgmt_origin_ok(origin, hosthdr))
        return send_error(c, 403, "cross-origin requests are refused", 0);
    const char *cookie = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Cookie");
    const console_session *sess = console_session_find(&m->console, cookie, now);
    if (strncmp(url, "/api/", 5) != 0) {
        pfi_httpd_guard_answered(c);
        return console_files_serve(&m->files, c, method, url, sess != NULL);
    }
    mgmt_call call = {.h = m->h, .console = &m->console, .api = &m->auth, .method = method,
                      .path = url, .peer = peer, .body = r->body, .len = r->len,
                      .session = sess, .secure = m->tls, .now_ms = now,
                      .history = &m->history};
    call.content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    call.query_after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "after");
    const char *authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (authz || (!sess && !mconsole_is_public(url))) {
        switch (mgmt_auth_check(&m->auth, peer, authz, now)) {
        case AUTH_OK:
            call.bearer = 1;
            break;
        case AUTH_LOCKED:
            return send_error(c, 429, "too many wrong tokens; try again later",
                              (unsigned)(m->auth.limit.lockout_ms / 1000));
        case AUTH_MISSING:
            return send_error(c, 401, "missing bearer token (or console login)", 0);
        default:
            return send_error(c, 401, "wrong bearer token", 0);
        }
    } else if (sess && (!mconsole_is_public(url) || !strcmp(url, "/api/v1/auth/logout")) &&
               strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        /* The cookie rides along with any request the browser makes; only the console's own
         * pages know the session's CSRF token. */
        const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
        if (!console_csrf_ok(sess, csrf))
            return send_error(c, 403, "missing or wrong CSRF token", 0);
    }
    if (r->too_big)
        return send_error(c, 413, "request body too large", 0);
    json_object *out = NULL;
    unsigned status = mconsole_dispatch(&call, &out);
    if (!status)
        status = mroute_dispatch(m->h, method, url, r->body, r->len, &out);
    if (call.raw) {
        json_object_put(out);
        return send_body(c, status, call.raw, call.raw_len, call.raw_type, 0, NULL);
    }
    return send_json_cookie(c, status, out, call.retry_after, call.set_cookie);
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
    m->auth.limit.max_failures = h->cfg.api_max_failures ? h->cfg.api_max_failures : 1;
    m->auth.limit.lockout_ms = (uint64_t)h->cfg.api_lockout_s * 1000;
    char *pass = path_join(h->cfg.state_dir, "console-password");
    int pr = pass ? console_auth_init(&m->console, pass) : -ENOMEM;
    if (pr == -EINVAL) {
        host_log("%s is damaged: console logins fail until the password is set again with the "
                 "API token (PUT /api/v1/password)", pass);
        pr = 0;
    }
    free(pass);
    if (pr < 0) {
        snprintf(err, err_len, "cannot read the console password file in %s: %s",
                 h->cfg.state_dir, strerror(-pr));
        console_auth_free(&m->console);
        free(m);
        return pr;
    }
    const char *cdir = getenv("PFHOST_CONSOLE_DIR");
    if (console_files_init(&m->files, cdir && *cdir ? cdir : PFHOST_CONSOLE_DIR) < 0) {
        snprintf(err, err_len, "out of memory");
        console_auth_free(&m->console);
        free(m);
        return -ENOMEM;
    }
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
        console_files_free(&m->files);
        console_auth_free(&m->console);
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
        console_files_free(&m->files);
        console_auth_free(&m->console);
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
    console_files_free(&m->files);
    console_auth_free(&m->console);
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
    best = g >= 0 && (best < 0 || g < best) ? g : best;
    /* While sessions stream, the loop wakes once a second to sample them for the charts. */
    int64_t hs = history_timeout(&m->history, m->h, host_now_ms());
    return hs >= 0 && (best < 0 || hs < best) ? hs : best;
}

void mgmt_dispatch(mgmt *m)
{
    pfi_httpd_guard_expire(&m->guard);
    history_tick(&m->history, m->h, host_now_ms());
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
