/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libpfclient's calls without a pfhost: argument checks, the struct_size rule, a sentence for
 * every close reason, identities, and the connection outcomes against a real QUIC server (the
 * libpfnet endpoint in server role, driven in a thread here): a host that refuses with an
 * application code, a host that is not the pinned one, and a port where nothing answers. */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/client.h"
#include "pf/core/error.h"
#include "pf/net_native.h"

typedef struct server {
    pf_net_quic_endpoint *ep;
    pthread_t thread;
    volatile int stop;
    uint64_t close_code;
    uint8_t fp[32];
} server;

static void on_connected(pf_net_quic_conn *conn, void *user)
{
    server *s = user;
    pf_net_quic_conn_close(conn, s->close_code, "refused by the test server");
}

static void *serve(void *arg)
{
    server *s = arg;
    while (!s->stop) {
        struct pollfd p = {pf_net_quic_endpoint_get_fd(s->ep), POLLIN, 0};
        int t = pf_net_quic_endpoint_get_timeout(s->ep);
        poll(&p, 1, t < 0 || t > 20 ? 20 : t);
        pf_net_quic_endpoint_dispatch(s->ep);
    }
    return NULL;
}

static void server_start(server *s, uint64_t code)
{
    memset(s, 0, sizeof(*s));
    s->close_code = code;
    char *key, *cert;
    assert_int_equal(pf_net_quic_cert_generate("test-host", &key, &cert), 0);
    assert_int_equal(pf_net_quic_cert_fingerprint(cert, strlen(cert), s->fp), 0);
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.role = PF_NET_QUIC_SERVER;
    st.bind_address = "127.0.0.1";
    st.alpn = "pkf1";
    st.cert_pem = cert;
    st.key_pem = key;
    st.user = s;
    pf_net_quic_callbacks cb = {sizeof(cb), on_connected, NULL, NULL, NULL};
    assert_int_equal(pf_net_quic_endpoint_create(&st, &cb, &s->ep), 0);
    pf_net_quic_free(key);
    pf_net_quic_free(cert);
    assert_int_equal(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void server_stop(server *s)
{
    s->stop = 1;
    pthread_join(s->thread, NULL);
    pf_net_quic_endpoint_destroy(s->ep);
}

static pf_client_settings settings_with(const char *cert, const char *key, const uint8_t *pin)
{
    pf_client_settings st;
    pf_client_settings_default(&st);
    st.cert_pem = cert;
    st.key_pem = key;
    st.host_fingerprint = pin;
    st.connect_timeout_ms = 5000;
    return st;
}

static void arguments_and_defaults(void **state)
{
    (void)state;
    assert_int_equal(pf_client_abi_version(), PF_CLIENT_ABI_VERSION);
    pf_client *c = (pf_client *)1;
    assert_int_equal(pf_client_connect(NULL, "127.0.0.1", 1, &c), PF_ERR_INVALID_ARGUMENT);
    pf_client_settings st;
    pf_client_settings_default(&st);
    assert_int_equal(st.struct_size, sizeof(st));
    assert_int_equal(pf_client_connect(&st, "not an address", 1, &c), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_client_connect(&st, "127.0.0.1", 1, NULL), PF_ERR_INVALID_ARGUMENT);
    pf_client_stream_settings ss;
    pf_client_stream_settings_default(&ss);
    assert_int_equal(ss.struct_size, sizeof(ss));
    assert_int_equal(ss.video_queue, 32);
    assert_int_equal(pf_client_video_next(NULL, 0, NULL), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_client_send_input(NULL, 0, 0, 0, 0, 0), PF_ERR_INVALID_ARGUMENT);
    pf_client_destroy(NULL);
}

static void every_reason_has_a_sentence(void **state)
{
    (void)state;
    static const int reasons[] = {
        PF_CLIENT_CLOSE_NONE, PF_CLIENT_CLOSE_NORMAL, PF_CLIENT_CLOSE_BUSY,
        PF_CLIENT_CLOSE_CLIENT_QUIT, PF_CLIENT_CLOSE_APP_EXITED, PF_CLIENT_CLOSE_PAIR_NOT_ARMED,
        PF_CLIENT_CLOSE_PAIR_WRONG_DEVICE, PF_CLIENT_CLOSE_PAIR_RATE_LIMITED,
        PF_CLIENT_CLOSE_NOT_PAIRED, PF_CLIENT_CLOSE_ACCESS_DENIED, PF_CLIENT_CLOSE_ACCESS_TIMEOUT,
        PF_CLIENT_CLOSE_ACCESS_SUPERSEDED, PF_CLIENT_CLOSE_WIRE_VERSION,
        PF_CLIENT_CLOSE_SETUP_FAILED, PF_CLIENT_CLOSE_ACCESS_EXPIRED,
        PF_CLIENT_CLOSE_LAUNCH_DENIED, PF_CLIENT_CLOSE_HOST_POWER, PF_CLIENT_CLOSE_UNKNOWN_CODE,
        PF_CLIENT_CLOSE_WRONG_PIN, PF_CLIENT_CLOSE_FINGERPRINT_MISMATCH,
        PF_CLIENT_CLOSE_UNREACHABLE, PF_CLIENT_CLOSE_IDLE_TIMEOUT, PF_CLIENT_CLOSE_TRANSPORT,
        PF_CLIENT_CLOSE_PROTOCOL, PF_CLIENT_CLOSE_LOCAL};
    const char *unknown = pf_client_close_reason_string(0x7fff);
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        const char *s = pf_client_close_reason_string(reasons[i]);
        assert_non_null(s);
        assert_string_not_equal(s, unknown);
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, pf_client_close_reason_string(reasons[j]));
    }
}

static void identity(void **state)
{
    (void)state;
    char *key = NULL, *cert = NULL;
    assert_int_equal(pf_client_identity_generate(&key, &cert), 0);
    uint8_t a[32], b[32];
    assert_int_equal(pf_client_cert_fingerprint(cert, a), 0);
    assert_int_equal(pf_net_quic_cert_fingerprint(cert, strlen(cert), b), 0);
    assert_memory_equal(a, b, 32);
    assert_int_equal(pf_client_cert_fingerprint("not a certificate", a), PF_ERR_MALFORMED);
    pf_client_free(key);
    pf_client_free(cert);
}

static void refused_with_a_code(void **state)
{
    (void)state;
    server s;
    server_start(&s, 0x63);
    char *key, *cert;
    assert_int_equal(pf_client_identity_generate(&key, &cert), 0);
    pf_client_settings st = settings_with(cert, key, s.fp);
    pf_client *c = NULL;
    int r = pf_client_connect(&st, "127.0.0.1", pf_net_quic_endpoint_get_port(s.ep), &c);
    assert_non_null(c);
    /* The server closes right after the handshake: connect may see either. */
    pf_client_stream_settings ss;
    pf_client_stream_settings_default(&ss);
    if (r == 0)
        r = pf_client_start(c, &ss, NULL, 5000);
    assert_int_equal(r, PF_ERR_STATE);
    /* struct_size: an older, shorter close info gets only what it knows. */
    struct {
        pf_client_close_info ci;
        uint8_t guard[8];
    } small;
    memset(&small, 0xAB, sizeof(small));
    small.ci.struct_size = offsetof(pf_client_close_info, code);
    assert_int_equal(pf_client_get_close_info(c, &small.ci), 0);
    assert_int_equal(small.ci.reason, PF_CLIENT_CLOSE_NOT_PAIRED);
    assert_int_equal(small.ci.remote, 1);
    assert_int_equal(small.ci.struct_size, offsetof(pf_client_close_info, code));
    assert_int_equal(((uint8_t *)&small.ci)[offsetof(pf_client_close_info, code)], 0xAB);
    pf_client_close_info ci = {.struct_size = sizeof(ci)};
    pf_client_get_close_info(c, &ci);
    assert_int_equal(ci.code, 0x63);
    assert_string_equal(ci.text, "refused by the test server");
    pf_client_video_frame f = {.struct_size = sizeof(f)};
    assert_int_equal(pf_client_video_next(c, 0, &f), PF_ERR_STATE);
    assert_int_equal(pf_client_send_input(c, 0, 0x41, 0, 0, 0), PF_ERR_STATE);
    pf_client_destroy(c);
    pf_client_free(key);
    pf_client_free(cert);
    server_stop(&s);
}

static void not_the_pinned_host(void **state)
{
    (void)state;
    server s;
    server_start(&s, 0x63);
    uint8_t wrong[32];
    memcpy(wrong, s.fp, 32);
    wrong[0] ^= 1;
    pf_client_settings st = settings_with(NULL, NULL, wrong);
    pf_client *c = NULL;
    assert_int_equal(pf_client_connect(&st, "127.0.0.1", pf_net_quic_endpoint_get_port(s.ep), &c),
                     PF_ERR_STATE);
    pf_client_close_info ci = {.struct_size = sizeof(ci)};
    pf_client_get_close_info(c, &ci);
    assert_int_equal(ci.reason, PF_CLIENT_CLOSE_FINGERPRINT_MISMATCH);
    uint8_t seen[32];
    assert_int_equal(pf_client_get_host_fingerprint(c, seen), 0);
    assert_memory_equal(seen, s.fp, 32);
    pf_client_destroy(c);
    server_stop(&s);
}

static void nothing_answers(void **state)
{
    (void)state;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t al = sizeof(a);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
    getsockname(fd, (struct sockaddr *)&a, &al);
    pf_client_settings st = settings_with(NULL, NULL, NULL);
    st.connect_timeout_ms = 300;
    pf_client *c = NULL;
    assert_int_equal(pf_client_connect(&st, "127.0.0.1", ntohs(a.sin_port), &c), PF_ERR_TIMEOUT);
    pf_client_close_info ci = {.struct_size = sizeof(ci)};
    pf_client_get_close_info(c, &ci);
    assert_int_equal(ci.reason, PF_CLIENT_CLOSE_UNREACHABLE);
    pf_client_destroy(c);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arguments_and_defaults),
        cmocka_unit_test(every_reason_has_a_sentence),
        cmocka_unit_test(identity),
        cmocka_unit_test(refused_with_a_code),
        cmocka_unit_test(not_the_pinned_host),
        cmocka_unit_test(nothing_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
