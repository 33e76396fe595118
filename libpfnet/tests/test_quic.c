/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 QUIC endpoint over real loopback sockets: a server and a client endpoint
 * (the same code in both roles) handshake with ALPN "pkf1", pin each other's certificate by
 * SHA-256 of its DER, carry stream bytes and DATAGRAM frames both ways, and report application
 * close codes, ALPN refusals and idle timeouts. */
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/net_native.h"

typedef struct side {
    int connected, closed, close_app, close_remote;
    uint64_t close_code;
    char close_reason[300];
    uint8_t rx[300000];
    size_t rx_len;
    int rx_fin;
    int64_t rx_stream;
    uint8_t dgram[2000];
    size_t dgram_len;
    int dgrams;
    int echo; /* server: echo every stream byte back, FIN with FIN */
    int handoff;    /* answer the next datagram from another thread, inside the callback */
    int handoff_rc; /* what that thread's send returned */
    pf_net_quic_conn *conn;
} side;

static const uint8_t handed_over[] = "sent from another thread while the endpoint was busy";

static void *send_from_thread(void *arg)
{
    side *s = arg;
    s->handoff_rc = pf_net_quic_conn_send_datagram(s->conn, handed_over, sizeof(handed_over));
    return NULL;
}

static void on_connected(pf_net_quic_conn *c, void *u)
{
    side *s = u;
    s->connected++;
    s->conn = c;
}

static void on_stream(pf_net_quic_conn *c, int64_t id, const uint8_t *d, size_t n, int fin,
                      void *u)
{
    side *s = u;
    s->conn = c;
    s->rx_stream = id;
    if (s->rx_len + n <= sizeof(s->rx)) {
        memcpy(s->rx + s->rx_len, d, n);
        s->rx_len += n;
    }
    s->rx_fin |= fin;
    if (s->echo)
        assert_int_equal(pf_net_quic_conn_write(c, id, d, n, fin), 0);
}

static void on_dgram(pf_net_quic_conn *c, const uint8_t *d, size_t n, void *u)
{
    side *s = u;
    s->dgrams++;
    if (n <= sizeof(s->dgram)) {
        memcpy(s->dgram, d, n);
        s->dgram_len = n;
    }
    if (s->handoff) {
        /* The dispatching thread holds the endpoint's lock until this callback returns. */
        s->handoff = 0;
        s->conn = c;
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, send_from_thread, s), 0);
        pthread_join(t, NULL);
        return;
    }
    if (s->echo)
        pf_net_quic_conn_send_datagram(c, d, n);
}

static void on_closed(pf_net_quic_conn *c, const pf_net_quic_close_info *i, void *u)
{
    side *s = u;
    (void)c;
    s->closed++;
    s->close_app = i->application;
    s->close_remote = i->remote;
    s->close_code = i->code;
    snprintf(s->close_reason, sizeof(s->close_reason), "%s", i->reason);
    s->conn = NULL;
}

static const pf_net_quic_callbacks CB = {sizeof(pf_net_quic_callbacks), on_connected, on_stream,
                                         on_dgram, on_closed};

typedef struct pair {
    char *skey, *scert, *ckey, *ccert;
    pf_net_quic_endpoint *srv, *cli;
    side s, c;
} pair;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Drives both endpoints until *flag becomes non-zero or @p ms pass. */
static int run_until(pair *p, const int *flag, int ms)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (!*flag && now_ms() < end) {
        struct pollfd fds[2] = {{pf_net_quic_endpoint_get_fd(p->srv), POLLIN, 0},
                                {pf_net_quic_endpoint_get_fd(p->cli), POLLIN, 0}};
        int t1 = pf_net_quic_endpoint_get_timeout(p->srv);
        int t2 = pf_net_quic_endpoint_get_timeout(p->cli);
        int t = 20;
        if (t1 >= 0 && t1 < t)
            t = t1;
        if (t2 >= 0 && t2 < t)
            t = t2;
        poll(fds, 2, t);
        assert_int_equal(pf_net_quic_endpoint_dispatch(p->srv), 0);
        assert_int_equal(pf_net_quic_endpoint_dispatch(p->cli), 0);
    }
    return *flag;
}

static void setup_pair(pair *p, const char *bind, const char *alpn_client, uint32_t idle_ms,
                       uint32_t keepalive_ms, int client_cert)
{
    memset(p, 0, sizeof(*p));
    assert_int_equal(pf_net_quic_cert_generate("host.test", &p->skey, &p->scert), 0);
    assert_int_equal(pf_net_quic_cert_generate("punktfunk-client", &p->ckey, &p->ccert), 0);
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.bind_address = bind;
    st.cert_pem = p->scert;
    st.key_pem = p->skey;
    st.user = &p->s;
    if (idle_ms) {
        st.idle_timeout_ms = idle_ms;
        st.keepalive_ms = keepalive_ms;
    }
    p->s.echo = 1;
    assert_int_equal(pf_net_quic_endpoint_create(&st, &CB, &p->srv), 0);
    pf_net_quic_settings_default(&st);
    st.role = PF_NET_QUIC_CLIENT;
    st.bind_address = bind;
    st.alpn = alpn_client;
    st.server_name = "punktfunk";
    if (client_cert) {
        st.cert_pem = p->ccert;
        st.key_pem = p->ckey;
    }
    st.user = &p->c;
    if (idle_ms) {
        st.idle_timeout_ms = idle_ms;
        st.keepalive_ms = keepalive_ms;
    }
    assert_int_equal(pf_net_quic_endpoint_create(&st, &CB, &p->cli), 0);
}

static void teardown_pair(pair *p)
{
    pf_net_quic_endpoint_destroy(p->cli);
    pf_net_quic_endpoint_destroy(p->srv);
    pf_net_quic_free(p->skey);
    pf_net_quic_free(p->scert);
    pf_net_quic_free(p->ckey);
    pf_net_quic_free(p->ccert);
}

static void connect_pair(pair *p, const char *host)
{
    pf_net_quic_conn *c;
    assert_int_equal(
        pf_net_quic_endpoint_connect(p->cli, host, pf_net_quic_endpoint_get_port(p->srv), &c),
        0);
    assert_true(run_until(p, &p->c.connected, 5000));
    assert_true(run_until(p, &p->s.connected, 5000));
    assert_ptr_equal(p->c.conn, c);
}

static void test_cert(void **state)
{
    (void)state;
    char *k, *c, *k2, *c2;
    assert_int_equal(pf_net_quic_cert_generate("host", &k, &c), 0);
    assert_int_equal(pf_net_quic_cert_generate(NULL, &k2, &c2), 0);
    assert_non_null(strstr(c, "BEGIN CERTIFICATE"));
    assert_int_equal(pf_net_quic_cert_check_pair(k, c), 0);
    assert_int_equal(pf_net_quic_cert_check_pair(k2, c), PF_ERR_MALFORMED);
    assert_int_equal(pf_net_quic_cert_check_pair("junk", c), PF_ERR_MALFORMED);
    uint8_t f1[32], f2[32];
    assert_int_equal(pf_net_quic_cert_fingerprint(c, strlen(c), f1), 0);
    assert_int_equal(pf_net_quic_cert_fingerprint(c2, strlen(c2), f2), 0);
    assert_memory_not_equal(f1, f2, 32);
    assert_int_equal(pf_net_quic_cert_fingerprint("nope", 4, f1), PF_ERR_MALFORMED);
    pf_net_quic_free(k);
    pf_net_quic_free(c);
    pf_net_quic_free(k2);
    pf_net_quic_free(c2);
}

static void test_handshake_streams_datagrams(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p, "127.0.0.1", "pkf1", 0, 0, 1);
    connect_pair(&p, "127.0.0.1");

    /* Both sides pin the other by SHA-256 of the leaf DER. */
    uint8_t want[32], got[32];
    assert_int_equal(pf_net_quic_cert_fingerprint(p.scert, strlen(p.scert), want), 0);
    assert_int_equal(pf_net_quic_conn_get_peer_fingerprint(p.c.conn, got), 0);
    assert_memory_equal(want, got, 32);
    assert_int_equal(pf_net_quic_cert_fingerprint(p.ccert, strlen(p.ccert), want), 0);
    assert_int_equal(pf_net_quic_conn_get_peer_fingerprint(p.s.conn, got), 0);
    assert_memory_equal(want, got, 32);

    /* 200 KB through one bidi stream and back exercises flow control and the ack path. */
    static uint8_t big[200000];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 131 + 7);
    int64_t sid;
    assert_int_equal(pf_net_quic_conn_open_bidi(p.c.conn, &sid), 0);
    assert_int_equal(pf_net_quic_conn_write(p.c.conn, sid, big, 1000, 0), 0);
    assert_int_equal(pf_net_quic_conn_write(p.c.conn, sid, big + 1000, sizeof(big) - 1000, 1),
                     0);
    assert_int_equal(pf_net_quic_conn_write(p.c.conn, sid, big, 1, 0), PF_ERR_STATE);
    assert_true(run_until(&p, &p.c.rx_fin, 10000));
    assert_int_equal(p.s.rx_len, sizeof(big));
    assert_int_equal(p.c.rx_len, sizeof(big));
    assert_memory_equal(p.c.rx, big, sizeof(big));
    assert_int_equal(p.c.rx_stream, sid);

    /* DATAGRAM frames, echoed. */
    uint8_t dg[18] = {0xC8, 2, 1, 0, 0, 0};
    assert_int_equal(pf_net_quic_conn_send_datagram(p.c.conn, dg, sizeof(dg)), 0);
    assert_true(run_until(&p, &p.c.dgrams, 3000));
    assert_int_equal(p.s.dgrams, 1);
    assert_int_equal(p.c.dgram_len, sizeof(dg));
    assert_memory_equal(p.c.dgram, dg, sizeof(dg));
    static uint8_t huge[70000];
    assert_int_equal(pf_net_quic_conn_send_datagram(p.c.conn, huge, sizeof(huge)), PF_ERR_LIMIT);

    /* A datagram sent from another thread while the endpoint is busy is handed over, not
     * dropped: the server answers from a thread it starts and joins inside its datagram
     * callback, so that thread finds the endpoint's lock held. */
    p.s.handoff = 1;
    p.s.handoff_rc = -1;
    assert_int_equal(pf_net_quic_conn_send_datagram(p.c.conn, dg, sizeof(dg)), 0);
    int two = 0;
    for (uint64_t end = now_ms() + 3000; p.c.dgrams < 2 && now_ms() < end;)
        run_until(&p, &two, 20);
    assert_int_equal(p.s.handoff_rc, 0);
    assert_int_equal(p.c.dgrams, 2);
    assert_int_equal(p.c.dgram_len, sizeof(handed_over));
    assert_memory_equal(p.c.dgram, handed_over, sizeof(handed_over));

    /* The peer addresses are the loopback ones. */
    struct sockaddr_storage a;
    assert_true(pf_net_quic_conn_get_address(p.s.conn, 0, &a, sizeof(a)) > 0);
    assert_int_equal(a.ss_family, AF_INET);
    assert_int_equal(pf_net_quic_conn_get_address(p.s.conn, 0, &a, 4), PF_ERR_BUFFER_TOO_SMALL);

    /* An application close reaches the other side with its code and reason. */
    pf_net_quic_conn_close(p.s.conn, 0x67, "wire version mismatch");
    assert_int_equal(p.s.closed, 1);
    assert_int_equal(p.s.close_remote, 0);
    assert_true(run_until(&p, &p.c.closed, 3000));
    assert_int_equal(p.c.close_app, 1);
    assert_int_equal(p.c.close_remote, 1);
    assert_int_equal(p.c.close_code, 0x67);
    assert_string_equal(p.c.close_reason, "wire version mismatch");
    teardown_pair(&p);
}

static void test_ipv6_dual_stack(void **state)
{
    (void)state;
    pair p;
    /* The server binds "::" (dual-stack); an IPv6 client reaches it over ::1. */
    setup_pair(&p, NULL, "pkf1", 0, 0, 0);
    connect_pair(&p, "::1");
    uint8_t fp[32];
    assert_int_equal(pf_net_quic_conn_get_peer_fingerprint(p.s.conn, fp), PF_ERR_NOT_FOUND);
    struct sockaddr_storage a;
    assert_true(pf_net_quic_conn_get_address(p.s.conn, 1, &a, sizeof(a)) > 0);
    assert_int_equal(a.ss_family, AF_INET6);
    /* And an IPv4 client on the same dual-stack server, as IPv4-mapped IPv6. */
    pf_net_quic_endpoint_destroy(p.cli);
    memset(&p.c, 0, sizeof(p.c));
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.role = PF_NET_QUIC_CLIENT;
    st.bind_address = "127.0.0.1";
    st.user = &p.c;
    assert_int_equal(pf_net_quic_endpoint_create(&st, &CB, &p.cli), 0);
    p.s.connected = 0;
    connect_pair(&p, "127.0.0.1");
    pf_net_quic_conn_close(p.c.conn, 0x51, NULL);
    assert_true(run_until(&p, &p.s.closed, 3000));
    assert_int_equal(p.s.close_code, 0x51);
    assert_int_equal(p.s.close_app, 1);
    teardown_pair(&p);
}

static void test_alpn_refused(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p, "127.0.0.1", "pkf2", 0, 0, 1);
    pf_net_quic_conn *c;
    assert_int_equal(
        pf_net_quic_endpoint_connect(p.cli, "127.0.0.1", pf_net_quic_endpoint_get_port(p.srv), &c),
        0);
    assert_true(run_until(&p, &p.c.closed, 5000));
    assert_int_equal(p.c.connected, 0);
    assert_int_equal(p.s.connected, 0);
    assert_int_equal(p.c.close_app, 0);
    teardown_pair(&p);
}

static void test_idle_and_keepalive(void **state)
{
    (void)state;
    pair p;
    /* With keep-alive PINGs at 100 ms, a 400 ms idle timeout never fires in 1.2 s of quiet. */
    setup_pair(&p, "127.0.0.1", "pkf1", 400, 100, 1);
    connect_pair(&p, "127.0.0.1");
    int never = 0;
    run_until(&p, &never, 1200);
    assert_int_equal(p.c.closed, 0);
    assert_int_equal(p.s.closed, 0);
    teardown_pair(&p);
    /* Without them it does, on both sides, silently (code 0, not an application close). */
    setup_pair(&p, "127.0.0.1", "pkf1", 400, 0, 1);
    connect_pair(&p, "127.0.0.1");
    assert_true(run_until(&p, &p.c.closed, 5000));
    assert_true(run_until(&p, &p.s.closed, 5000));
    assert_int_equal(p.c.close_app, 0);
    assert_int_equal(p.c.close_code, 0);
    teardown_pair(&p);
}

static void test_garbage_ignored(void **state)
{
    (void)state;
    pair p;
    setup_pair(&p, "127.0.0.1", "pkf1", 0, 0, 1);
    /* Random datagrams, short headers with unknown ids and truncated Initials: dropped, the
     * endpoint keeps serving. */
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons(pf_net_quic_endpoint_get_port(p.srv))};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    uint8_t junk[1200];
    srand(7);
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(rand() % (int)sizeof(junk)) + 1;
        for (size_t j = 0; j < n; j++)
            junk[j] = (uint8_t)rand();
        if (i % 3 == 0)
            junk[0] = 0xc0; /* long header */
        sendto(fd, junk, n, 0, (struct sockaddr *)&sa, sizeof(sa));
    }
    close(fd);
    int never = 0;
    run_until(&p, &never, 100);
    connect_pair(&p, "127.0.0.1");
    teardown_pair(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cert),
        cmocka_unit_test(test_handshake_streams_datagrams),
        cmocka_unit_test(test_ipv6_dual_stack),
        cmocka_unit_test(test_alpn_refused),
        cmocka_unit_test(test_idle_and_keepalive),
        cmocka_unit_test(test_garbage_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
