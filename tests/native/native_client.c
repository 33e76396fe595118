/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "native_client.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"

#define DGRAM_QUEUE 256u
#define DGRAM_MAX 1500u

struct native_client {
    pf_net_quic_endpoint *ep;
    pf_net_quic_conn *conn;
    int connected, closed, close_app;
    uint64_t close_code;
    int64_t sid;
    uint8_t *rx;
    size_t rx_len, rx_cap;
    uint8_t dg[DGRAM_QUEUE][DGRAM_MAX];
    size_t dg_len[DGRAM_QUEUE];
    unsigned dg_head, dg_count;
    uint8_t host_fp[32];
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_connected(pf_net_quic_conn *conn, void *user)
{
    native_client *c = user;
    c->connected = 1;
    pf_net_quic_conn_get_peer_fingerprint(conn, c->host_fp);
}

static void on_stream(pf_net_quic_conn *conn, int64_t id, const uint8_t *data, size_t len,
                      int fin, void *user)
{
    native_client *c = user;
    if (id != c->sid)
        return;
    if (c->rx_len + len > c->rx_cap) {
        size_t cap = (c->rx_len + len) * 2;
        uint8_t *b = realloc(c->rx, cap);
        if (!b)
            return;
        c->rx = b;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, data, len);
    c->rx_len += len;
}

static void on_datagram(pf_net_quic_conn *conn, const uint8_t *data, size_t len, void *user)
{
    native_client *c = user;
    if (c->dg_count == DGRAM_QUEUE || len > DGRAM_MAX)
        return;
    unsigned i = (c->dg_head + c->dg_count++) % DGRAM_QUEUE;
    memcpy(c->dg[i], data, len);
    c->dg_len[i] = len;
}

static void on_closed(pf_net_quic_conn *conn, const pf_net_quic_close_info *info, void *user)
{
    native_client *c = user;
    c->closed = 1;
    c->close_app = info->application;
    c->close_code = info->code;
    c->conn = NULL;
}

/* One poll round of at most @p ms. */
static void step(native_client *c, int ms)
{
    int t = pf_net_quic_endpoint_get_timeout(c->ep);
    if (t < 0 || t > ms)
        t = ms;
    struct pollfd p = {pf_net_quic_endpoint_get_fd(c->ep), POLLIN, 0};
    poll(&p, 1, t);
    pf_net_quic_endpoint_dispatch(c->ep);
}

void nclient_pump(native_client *c, int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (now_ms() < end)
        step(c, (int)(end - now_ms()));
}

int nclient_connect(const char *host, uint16_t port, const char *cert_pem, const char *key_pem,
                    int timeout_ms, native_client **ret)
{
    native_client *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->sid = -1;
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.role = PF_NET_QUIC_CLIENT;
    st.bind_address = strchr(host, ':') ? "::" : "0.0.0.0";
    st.alpn = PF_PKF1_ALPN;
    st.server_name = "punktfunk"; /* §1.2: the SNI seed clients send */
    st.cert_pem = cert_pem;
    st.key_pem = key_pem;
    st.user = c;
    pf_net_quic_callbacks cb = {sizeof(cb), on_connected, on_stream, on_datagram, on_closed};
    int r = pf_net_quic_endpoint_create(&st, &cb, &c->ep);
    if (r == 0)
        r = pf_net_quic_endpoint_connect(c->ep, host, port, &c->conn);
    if (r < 0) {
        nclient_destroy(c);
        return r;
    }
    *ret = c;
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (!c->connected && !c->closed && now_ms() < end)
        step(c, 20);
    return c->connected ? 0 : c->closed ? PF_ERR_STATE : PF_ERR_TIMEOUT;
}

void nclient_destroy(native_client *c)
{
    if (!c)
        return;
    pf_net_quic_endpoint_destroy(c->ep);
    free(c->rx);
    free(c);
}

void nclient_host_fingerprint(const native_client *c, uint8_t out[32])
{
    memcpy(out, c->host_fp, 32);
}

int nclient_send(native_client *c, const uint8_t *payload, size_t len)
{
    if (!c->conn)
        return PF_ERR_STATE;
    if (c->sid < 0) {
        int r = pf_net_quic_conn_open_bidi(c->conn, &c->sid);
        if (r < 0)
            return r;
    }
    uint8_t hdr[2];
    int r = pf_pkf1_frame_header(len, hdr);
    if (r == 0)
        r = pf_net_quic_conn_write(c->conn, c->sid, hdr, 2, 0);
    if (r == 0)
        r = pf_net_quic_conn_write(c->conn, c->sid, payload, len, 0);
    return r;
}

int nclient_send_msg(native_client *c, const pf_pkf1_msg *msg)
{
    uint8_t buf[512];
    size_t n;
    int r = pf_pkf1_msg_encode(msg, buf, sizeof(buf), &n);
    return r < 0 ? r : nclient_send(c, buf, n);
}

int nclient_recv(native_client *c, uint8_t *out, size_t cap, size_t *ret_len, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        const uint8_t *p;
        size_t plen, used;
        if (pf_pkf1_frame_split(c->rx, c->rx_len, &p, &plen, &used) == 0) {
            if (plen > cap)
                return PF_ERR_BUFFER_TOO_SMALL;
            memcpy(out, p, plen);
            *ret_len = plen;
            memmove(c->rx, c->rx + used, c->rx_len - used);
            c->rx_len -= used;
            return 0;
        }
        if (c->closed)
            return PF_ERR_STATE;
        if (now_ms() >= end)
            return PF_ERR_TIMEOUT;
        step(c, 20);
    }
}

int nclient_recv_type(native_client *c, uint32_t type, uint8_t *buf, size_t cap,
                      pf_pkf1_msg *ret, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        uint64_t now = now_ms();
        size_t n;
        int r = nclient_recv(c, buf, cap, &n, now < end ? (int)(end - now) : 0);
        if (r < 0)
            return r;
        if (pf_pkf1_msg_decode(buf, n, ret) == 0 && ret->type == type)
            return 0;
    }
}

int nclient_wait_closed(native_client *c, int timeout_ms, int *ret_app, uint64_t *ret_code)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (!c->closed && now_ms() < end)
        step(c, 20);
    if (!c->closed)
        return 0;
    if (ret_app)
        *ret_app = c->close_app;
    if (ret_code)
        *ret_code = c->close_code;
    return 1;
}

void nclient_close(native_client *c, uint64_t code)
{
    if (c->conn)
        pf_net_quic_conn_close(c->conn, code, "");
}

int nclient_recv_datagram(native_client *c, uint8_t *out, size_t cap, size_t *ret_len,
                          int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (!c->dg_count) {
        if (now_ms() >= end || c->closed)
            return PF_ERR_TIMEOUT;
        step(c, 20);
    }
    size_t n = c->dg_len[c->dg_head];
    if (n > cap)
        n = cap;
    memcpy(out, c->dg[c->dg_head], n);
    *ret_len = n;
    c->dg_head = (c->dg_head + 1) % DGRAM_QUEUE;
    c->dg_count--;
    return 0;
}

pf_net_quic_conn *nclient_conn(native_client *c)
{
    return c->conn;
}
