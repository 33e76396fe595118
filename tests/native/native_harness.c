/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the punktfunk/1 end-to-end tests: a pfhost under test, two client identities, and
 * the client steps (pairing, Hello, opening a session with its data socket). */
#include "native_harness.h"

#include <json-c/json.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_datagram.h"
#include "pf/core/pkf1_pair.h"

host_proc host;
uint16_t native_port;
char host_fp_hex[65];
char *cert_a, *key_a, *cert_b, *key_b;
uint8_t fp_a[32], fp_b[32];
char input_record_path[300];

void hex(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

void msleep(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int read_native_status(void)
{
    char *body = NULL;
    if (api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body) != 200)
        return -1;
    json_object *o = json_tokener_parse(body), *n, *port, *fp;
    free(body);
    int r = -1;
    if (o && json_object_object_get_ex(o, "native", &n) &&
        json_object_object_get_ex(n, "port", &port) &&
        json_object_object_get_ex(n, "fingerprint", &fp)) {
        native_port = (uint16_t)json_object_get_int(port);
        snprintf(host_fp_hex, sizeof(host_fp_hex), "%s", json_object_get_string(fp));
        r = 0;
    }
    json_object_put(o);
    return r;
}

int arm_pin(char pin[5])
{
    char *body = NULL;
    int st = api_call(&host, "POST", "/api/v1/native/pair", "{}", NULL, &body);
    json_object *o = body ? json_tokener_parse(body) : NULL, *p;
    free(body);
    int r = -1;
    if (st == 200 && o && json_object_object_get_ex(o, "pin", &p)) {
        snprintf(pin, 5, "%s", json_object_get_string(p));
        r = 0;
    }
    json_object_put(o);
    return r;
}

int native_setup(void **state)
{
    (void)state;
    char dir[] = "/tmp/pfhost-native-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    snprintf(input_record_path, sizeof(input_record_path), "%s/input.log", dir);
    static const char *args[] = {"--source", "testpattern", "--input-record", NULL, NULL};
    args[3] = input_record_path;
    if (!host.serve_args) /* a test may serve from another source */
        host.serve_args = args;
    if (pf_net_quic_cert_generate("punktfunk-client", &key_a, &cert_a) < 0 ||
        pf_net_quic_cert_generate("punktfunk-client", &key_b, &cert_b) < 0 ||
        pf_net_quic_cert_fingerprint(cert_a, strlen(cert_a), fp_a) < 0 ||
        pf_net_quic_cert_fingerprint(cert_b, strlen(cert_b), fp_b) < 0)
        return -1;
    if (host_start(&host, NULL) < 0 || read_native_status() < 0)
        return -1;
    return 0;
}

int native_teardown(void **state)
{
    (void)state;
    host_stop(&host);
    char path[512];
    snprintf(path, sizeof(path), "%s/host.log", host.dir);
    /* The host's own account of every refusal, for the test log. */
    FILE *f = fopen(path, "r");
    char line[512];
    while (f && fgets(line, sizeof(line), f))
        if (getenv("NATIVE_TEST_FULL_LOG") || strstr(line, "native") ||
            strstr(line, "punktfunk") || strstr(line, "pipeline") || strstr(line, "Sanitizer"))
            print_message("# %s", line);
    if (f)
        fclose(f);
    host_remove_dir(&host);
    pf_net_quic_free(cert_a);
    pf_net_quic_free(key_a);
    pf_net_quic_free(cert_b);
    pf_net_quic_free(key_b);
    return 0;
}

native_client *connect_as(const char *cert, const char *key)
{
    return connect_as_at("127.0.0.1", cert, key);
}

native_client *connect_as_at(const char *addr, const char *cert, const char *key)
{
    native_client *c = NULL;
    assert_int_equal(nclient_connect(addr, native_port, cert, key, 5000, &c), 0);
    uint8_t fp[32];
    char fph[65];
    nclient_host_fingerprint(c, fp);
    hex(fp, 32, fph);
    /* The pin clients store is the SHA-256 of the certificate the status names. */
    assert_string_equal(fph, host_fp_hex);
    return c;
}

void expect_close(native_client *c, uint64_t code)
{
    int app = -1;
    uint64_t got = 0;
    assert_int_equal(nclient_wait_closed(c, 5000, &app, &got), 1);
    assert_int_equal(app, 1);
    assert_int_equal(got, code);
}

/* The client side of one ceremony with @p pin. Returns the client's verdict: 0 paired,
 * PF_ERR_AUTH when host_confirm did not match (wrong PIN), or the close code (> 0) the host
 * refused with. */
int pair_once(const char *cert, const char *key, const uint8_t *fp, const char *pin)
{
    native_client *c = connect_as(cert, key);
    uint8_t hfp[32], buf[256];
    nclient_host_fingerprint(c, hfp);
    pf_pkf1_pair *p;
    assert_int_equal(pf_pkf1_pair_client_create(NULL, (const uint8_t *)pin, strlen(pin), fp, hfp,
                                                (const uint8_t *)"test device", 11, NULL, &p),
                     0);
    size_t n;
    assert_int_equal(pf_pkf1_pair_client_request(p, buf, sizeof(buf), &n), 0);
    assert_int_equal(nclient_send(c, buf, n), 0);
    int result;
    if (nclient_recv(c, buf, sizeof(buf), &n, 5000) < 0) {
        int app;
        uint64_t code;
        assert_int_equal(nclient_wait_closed(c, 5000, &app, &code), 1);
        assert_int_equal(app, 1);
        result = (int)code;
    } else {
        uint8_t proof[128];
        size_t pn;
        result = pf_pkf1_pair_client_on_challenge(p, buf, n, proof, sizeof(proof), &pn);
        if (result == 0) {
            assert_int_equal(nclient_send(c, proof, pn), 0);
            assert_int_equal(nclient_recv(c, buf, sizeof(buf), &n, 5000), 0);
            result = pf_pkf1_pair_client_on_result(p, buf, n);
            /* §6.2: the client has what it needs and closes with 0. */
            nclient_close(c, PF_PKF1_CLOSE_NORMAL);
        } else {
            assert_int_equal(result, PF_ERR_AUTH);
            nclient_close(c, PF_PKF1_CLOSE_NORMAL);
        }
    }
    pf_pkf1_pair_destroy(p);
    nclient_destroy(c);
    return result;
}

int client_listed(const char *fp_hex, const char *kind)
{
    char *body = NULL;
    if (api_call(&host, "GET", "/api/v1/clients", NULL, NULL, &body) != 200)
        return -1;
    char want[120];
    snprintf(want, sizeof(want), "\"id\":\"%s\",\"kind\":\"%s\"", fp_hex, kind);
    int r = strstr(body, want) != NULL;
    free(body);
    return r;
}

void hello_for(pf_pkf1_hello *hello, uint32_t w, uint32_t h, uint32_t hz, uint8_t video_caps)
{
    pf_pkf1_hello_init(hello);
    hello->width = w;
    hello->height = h;
    hello->refresh_hz = hz;
    hello->video_caps = video_caps;
    hello->video_codecs = PF_PKF1_CODEC_H264 | PF_PKF1_CODEC_HEVC;
    hello->name = (const uint8_t *)"test";
    hello->name_len = 4;
}

static void send_hello_msg(native_client *c, const pf_pkf1_hello *hello)
{
    uint8_t buf[PF_PKF1_HELLO_MAX_BYTES];
    size_t n;
    assert_int_equal(pf_pkf1_hello_encode(hello, buf, sizeof(buf), &n), 0);
    assert_int_equal(nclient_send(c, buf, n), 0);
}

void send_hello(native_client *c, uint32_t version, uint32_t w, uint32_t h, uint32_t hz,
                       uint8_t video_caps)
{
    send_hello_launch(c, version, w, h, hz, video_caps, NULL);
}

void send_hello_launch(native_client *c, uint32_t version, uint32_t w, uint32_t h, uint32_t hz,
                       uint8_t video_caps, const char *launch)
{
    pf_pkf1_hello hello;
    hello_for(&hello, w, h, hz, video_caps);
    hello.wire_version = version;
    if (launch) {
        hello.launch = (const uint8_t *)launch;
        hello.launch_len = strlen(launch);
    }
    send_hello_msg(c, &hello);
}

/* Hello → Welcome → Start → punch; returns the client and its data socket. */
native_client *open_session(uint32_t w, uint32_t h, uint32_t hz, uint8_t caps,
                             pf_pkf1_welcome *ret_w, int *ret_fd)
{
    return open_session_at("127.0.0.1", w, h, hz, caps, ret_w, ret_fd);
}

native_client *open_session_at(const char *addr, uint32_t w, uint32_t h, uint32_t hz,
                                uint8_t caps, pf_pkf1_welcome *ret_w, int *ret_fd)
{
    return open_session_launch(addr, w, h, hz, caps, NULL, ret_w, ret_fd);
}

native_client *open_session_launch(const char *addr, uint32_t w, uint32_t h, uint32_t hz,
                                   uint8_t caps, const char *launch, pf_pkf1_welcome *ret_w,
                                   int *ret_fd)
{
    pf_pkf1_hello hello;
    hello_for(&hello, w, h, hz, caps);
    if (launch) {
        hello.launch = (const uint8_t *)launch;
        hello.launch_len = strlen(launch);
    }
    return open_session_hello(addr, &hello, ret_w, ret_fd);
}

native_client *open_session_hello(const char *addr, const pf_pkf1_hello *hello,
                                  pf_pkf1_welcome *ret_w, int *ret_fd)
{
    native_client *c = connect_as_at(addr, cert_a, key_a);
    send_hello_msg(c, hello);
    uint8_t buf[512];
    size_t n;
    /* A host that starts a compositor for the session answers after it is up. */
    assert_int_equal(nclient_recv(c, buf, sizeof(buf), &n, 30000), 0);
    assert_int_equal(pf_pkf1_welcome_decode(buf, n, ret_w), 0);
    assert_int_equal(ret_w->wire_version, PF_PKF1_WIRE_VERSION);
    /* §3.2: 88/89 bytes (120/121 with the ChaCha key): audio_layout 0 may be left off. */
    assert_true(n == (ret_w->cipher ? 120u : 88u) || n == (ret_w->cipher ? 121u : 89u));
    /* §4.2 step 3: a UDP socket connected to (host IP, Welcome.udp_port). */
    int v6 = strchr(addr, ':') != NULL;
    int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_storage ss = {0};
    struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
    if (v6) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(ret_w->udp_port);
        inet_pton(AF_INET6, addr, &a6->sin6_addr);
    } else {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(ret_w->udp_port);
        inet_pton(AF_INET, addr, &a4->sin_addr);
    }
    assert_int_equal(connect(fd, (struct sockaddr *)&ss, v6 ? sizeof(*a6) : sizeof(*a4)), 0);
    socklen_t ml = sizeof(ss);
    getsockname(fd, (struct sockaddr *)&ss, &ml);
    uint16_t my_port = ntohs(v6 ? a6->sin6_port : a4->sin_port);
    uint8_t start[16];
    assert_int_equal(pf_pkf1_start_encode(my_port, 0, NULL, 0, start, sizeof(start), &n), 0);
    assert_int_equal(nclient_send(c, start, n), 0);
    assert_int_equal(send(fd, "PFpunch1", 8, 0), 8);
    *ret_fd = fd;
    return c;
}

/* Sets client A's stored grants while the host is down, then starts it again. */
void restart_with_grants(int grants)
{
    assert_int_equal(host_stop(&host), 0);
    char path[512], fph[65];
    snprintf(path, sizeof(path), "%s/state/pfhost/clients.json", host.dir);
    hex(fp_a, 32, fph);
    json_object *root = json_object_from_file(path), *arr, *o, *id;
    assert_non_null(root);
    assert_true(json_object_object_get_ex(root, "clients", &arr));
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        o = json_object_array_get_idx(arr, i);
        if (json_object_object_get_ex(o, "id", &id) && !strcmp(json_object_get_string(id), fph))
            json_object_object_add(o, "grants", json_object_new_int(grants));
    }
    assert_int_equal(json_object_to_file(path, root), 0);
    json_object_put(root);
    assert_int_equal(host_start(&host, NULL), 0);
    assert_int_equal(read_native_status(), 0);
}

void send_input(native_client *c, uint32_t kind, uint32_t code, int32_t x, int32_t y,
                       uint32_t flags)
{
    pf_pkf1_input in = {kind, code, x, y, flags};
    uint8_t d[PF_PKF1_INPUT_BYTES];
    assert_int_equal(pf_pkf1_input_encode(&in, d), 0);
    assert_int_equal(pf_net_quic_conn_send_datagram(nclient_conn(c), d, sizeof(d)), 0);
}

int recorded(const char *needle)
{
    char *log = read_text_file(input_record_path);
    int r = log && strstr(log, needle);
    free(log);
    return r;
}
