/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 against a real `pfhost serve --source testpattern` over real sockets: PIN pairing
 * (right PIN, wrong PIN with the cooldown, one guess per armed PIN), the gate (wire version,
 * unpaired and anonymous clients, malformed and out-of-order messages), the handshake with its
 * data plane (Welcome values, punch, clock echo, Reconfigure), revocation and a restart with
 * the pinned identity. */
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
#include "pf/core/pkf1_handshake.h"
#include "pf/core/pkf1_pair.h"

#include "pf/core/pkf1_datagram.h"

#include "native_harness.h"

static void pair_by_pin(void **state)
{
    (void)state;
    char pin[5], fph[65];
    hex(fp_a, 32, fph);
    assert_int_equal(client_listed(fph, "native"), 0);
    /* No window armed: 0x60. */
    assert_int_equal(pair_once(cert_a, key_a, fp_a, "0000"), PF_PKF1_CLOSE_PAIR_NOT_ARMED);
    msleep(2100);
    assert_int_equal(arm_pin(pin), 0);
    assert_int_equal(pair_once(cert_a, key_a, fp_a, pin), 0);
    assert_int_equal(client_listed(fph, "native"), 1);
    /* The command line lists it with its kind. */
    char *out = NULL;
    const char *list[] = {"clients", "list", NULL};
    assert_int_equal(run_cli(&host, &out, list), 0);
    assert_non_null(strstr(out, fph));
    assert_non_null(strstr(out, "native"));
    free(out);
}

static void wrong_pin_cooldown_one_guess(void **state)
{
    (void)state;
    char pin[5], wrong[8], fph[65];
    hex(fp_b, 32, fph);
    msleep(2100);
    /* Armed from the command line this time: `pfhost pair-native` prints the PIN. */
    char *out = NULL;
    const char *arm[] = {"pair-native", NULL};
    assert_int_equal(run_cli(&host, &out, arm), 0);
    assert_non_null(out);
    assert_int_equal(sscanf(out, "PIN %4s", pin), 1);
    free(out);
    assert_int_equal(strspn(pin, "0123456789"), 4);
    snprintf(wrong, sizeof(wrong), "%04u", (unsigned)(atoi(pin) + 1) % 10000u);
    /* The client sees the host's confirmation fail: a wrong PIN. */
    assert_int_equal(pair_once(cert_b, key_b, fp_b, wrong), PF_ERR_AUTH);
    /* Within 2 s: rate limited, even with the right PIN. */
    assert_int_equal(pair_once(cert_b, key_b, fp_b, pin), PF_PKF1_CLOSE_PAIR_RATE_LIMITED);
    /* After the cooldown the armed PIN is gone: one guess per arming. */
    msleep(2100);
    assert_int_equal(pair_once(cert_b, key_b, fp_b, pin), PF_PKF1_CLOSE_PAIR_NOT_ARMED);
    assert_int_equal(client_listed(fph, "native"), 0);
}

static void gate_refusals(void **state)
{
    (void)state;
    /* Wire version 3: 0x67, before anything else (even for an unpaired device). */
    native_client *c = connect_as(cert_b, key_b);
    send_hello(c, 3, 1280, 720, 60, 0);
    expect_close(c, PF_PKF1_CLOSE_WIRE_VERSION);
    nclient_destroy(c);
    /* Unpaired device: 0x63. Anonymous connection: 0x63. */
    c = connect_as(cert_b, key_b);
    send_hello(c, PF_PKF1_WIRE_VERSION, 1280, 720, 60, 0);
    expect_close(c, PF_PKF1_CLOSE_IDENTITY_REQUIRED);
    nclient_destroy(c);
    c = connect_as(NULL, NULL);
    send_hello(c, PF_PKF1_WIRE_VERSION, 1280, 720, 60, 0);
    expect_close(c, PF_PKF1_CLOSE_IDENTITY_REQUIRED);
    nclient_destroy(c);
}

static void bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        uint8_t bytes[24];
        size_t len;
    } cases[] = {
        {"truncated Hello", {'P', 'K', 'F', '1', 2, 0, 0, 0, 0x00, 0x05}, 10},
        {"neither magic", {'X', 'Y', 'Z', 'W', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 24},
        {"typed but not pairing", {'P', 'K', 'F', 'c', 0x03}, 5},
        {"PairRequest cut short", {'P', 'K', 'F', 'c', 0x10, 2, 'T'}, 7},
        {"empty frame", {0}, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        native_client *c = connect_as(cert_a, key_a);
        assert_int_equal(nclient_send(c, cases[i].bytes, cases[i].len), 0);
        int app = -1;
        uint64_t code = 0;
        assert_int_equal(nclient_wait_closed(c, 5000, &app, &code), 1);
        print_message("# %s: closed with 0x%02llx\n", cases[i].what, (unsigned long long)code);
        assert_int_equal(app, 1);
        assert_int_equal(code, PF_PKF1_CLOSE_SETUP_FAILED);
        nclient_destroy(c);
    }
    /* The paired client survives all of it (stored state untouched). */
    char fph[65];
    hex(fp_a, 32, fph);
    assert_int_equal(client_listed(fph, "native"), 1);
}

static void handshake_and_control(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 120, PF_PKF1_VIDEO_CAP_CHACHA20, &w, &fd);
    /* §4.4: the values a v0.43.1 host sends. */
    assert_int_equal(w.width, 1280);
    assert_int_equal(w.height, 720);
    assert_int_equal(w.refresh_hz, 120);
    assert_int_equal(w.fec_scheme, PF_PKF1_FEC_GF16);
    assert_int_equal(w.fec_percent, 10);
    assert_int_equal(w.max_data_per_block, 4096);
    assert_int_equal(w.shard_payload, 1408);
    assert_int_equal(w.encrypt, 1);
    assert_int_equal(w.cipher, PF_PKF1_CIPHER_CHACHA20_POLY1305);
    assert_int_equal(w.codec, PF_PKF1_CODEC_H264);
    assert_int_equal(w.host_caps2 & 0x05, 0x05);
    assert_true(w.udp_port != 0);
    assert_int_equal(w.mgmt_port, host.api);
    /* Clock probe: t1 echoed, t2 <= t3, both near this machine's realtime clock. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t t1 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    pf_pkf1_msg m, e;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CLOCK_PROBE);
    m.t1 = t1;
    assert_int_equal(nclient_send_msg(c, &m), 0);
    uint8_t buf[512];
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_CLOCK_ECHO, buf, sizeof(buf), &e, 5000), 0);
    assert_true(e.t1 == t1 && e.t2 <= e.t3 && e.t2 + 1000000000ull > t1 && e.t2 < t1 + 5000000000ull);
    /* An unknown typed message is ignored; the session lives on. */
    uint8_t unknown[] = {'P', 'K', 'F', 'c', 0x7e, 1, 2, 3};
    assert_int_equal(nclient_send(c, unknown, sizeof(unknown)), 0);
    /* Reconfigure mid-stream: accepted, same data plane. */
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_RECONFIGURE);
    m.width = 1920;
    m.height = 1080;
    m.refresh_hz = 60;
    assert_int_equal(nclient_send_msg(c, &m), 0);
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_RECONFIGURED, buf, sizeof(buf), &e, 10000),
                     0);
    assert_int_equal(e.flag, 1);
    assert_int_equal(e.width, 1920);
    /* A refused mode answers with the mode still active. */
    m.width = 1921;
    assert_int_equal(nclient_send_msg(c, &m), 0);
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_RECONFIGURED, buf, sizeof(buf), &e, 10000),
                     0);
    assert_int_equal(e.flag, 0);
    assert_int_equal(e.width, 1920);
    /* A replayed Hello mid-session ends it with a code. */
    send_hello(c, PF_PKF1_WIRE_VERSION, 1280, 720, 60, 0);
    expect_close(c, PF_PKF1_CLOSE_SETUP_FAILED);
    nclient_destroy(c);
    close(fd);
}

static void input_through_grants(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 60, 0, &w, &fd);
    assert_int_equal(w.grants, PF_PKF1_GRANT_ALL);
    nclient_pump(c, 300);
    send_input(c, PF_PKF1_INPUT_KEY_DOWN, 0x41, 0, 0, 0);
    send_input(c, PF_PKF1_INPUT_KEY_UP, 0x41, 0, 0, 0);
    send_input(c, PF_PKF1_INPUT_MOUSE_MOVE, 0, 7, -3, 0);
    send_input(c, PF_PKF1_INPUT_MOUSE_MOVE_ABS, 0, 640, 360, (1280u << 16) | 720u);
    send_input(c, PF_PKF1_INPUT_MOUSE_BUTTON_DOWN, 1, 0, 0, 0);
    send_input(c, PF_PKF1_INPUT_GAMEPAD_BUTTON, 0x1000, 1, 0, 0);
    send_input(c, PF_PKF1_INPUT_TEXT, 0x00e9, 0, 0, 0);
    /* InputEdge (HOST_CAP2_INPUT_EDGES): a key on the reliable stream, same path. */
    assert_true(w.host_caps2 & PF_PKF1_HOST_CAP2_INPUT_EDGES);
    pf_pkf1_input edge = {PF_PKF1_INPUT_KEY_DOWN, 0x43, 0, 0, 0};
    uint8_t ev[PF_PKF1_INPUT_BYTES];
    assert_int_equal(pf_pkf1_input_encode(&edge, ev), 0);
    pf_pkf1_msg em;
    pf_pkf1_msg_init(&em, PF_PKF1_MSG_INPUT_EDGE);
    em.blob = ev;
    em.blob_len = sizeof(ev);
    assert_int_equal(nclient_send_msg(c, &em), 0);
    uint8_t junk[18] = {0xC8, 200};
    pf_net_quic_conn_send_datagram(nclient_conn(c), junk, sizeof(junk)); /* unknown kind */
    nclient_pump(c, 500);
    assert_true(recorded(" key_down 65 0 0\n"));
    assert_true(recorded(" key_up 65 0 0\n"));
    assert_true(recorded(" mouse_rel 7 -3\n"));
    assert_true(recorded(" mouse_abs 640 360 1280 720\n"));
    assert_true(recorded(" button_down 1\n"));
    assert_true(recorded(" pad_state 0 1 4096 "));
    assert_true(recorded(" text U+00E9\n"));
    assert_true(recorded(" key_down 67 0 0\n"));
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
    /* Controller only (§3.6 preset 0x01): the Welcome says so and keys are dropped. */
    restart_with_grants(PF_PKF1_GRANT_GAMEPAD);
    c = open_session(1280, 720, 60, 0, &w, &fd);
    assert_int_equal(w.grants, PF_PKF1_GRANT_GAMEPAD);
    nclient_pump(c, 300);
    send_input(c, PF_PKF1_INPUT_KEY_DOWN, 0x42, 0, 0, 0);
    send_input(c, PF_PKF1_INPUT_GAMEPAD_BUTTON, 0x2000, 1, 0, 0);
    nclient_pump(c, 500);
    assert_false(recorded(" key_down 66 "));
    assert_true(recorded(" pad_state 0 1 8192 "));
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
    restart_with_grants(PF_PKF1_GRANT_ALL);
}

static void ipv6_session(void **state)
{
    (void)state;
    /* The host listens on "::" (IPv4 and IPv6); over IPv6 the shard is 1388 bytes (§7.5) and
     * sealed video reaches the client's IPv6 data socket after its punch. */
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session_at("::1", 1280, 720, 60, 0, &w, &fd);
    assert_int_equal(w.shard_payload, 1388);
    uint8_t buf[2048];
    ssize_t n = -1;
    for (int i = 0; i < 200 && n <= 0; i++) {
        nclient_pump(c, 25);
        n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
    }
    assert_int_equal(n, 1388 + 64);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

static void restart_keeps_identity(void **state)
{
    (void)state;
    char before[65];
    snprintf(before, sizeof(before), "%s", host_fp_hex);
    assert_int_equal(host_stop(&host), 0);
    assert_int_equal(host_start(&host, NULL), 0);
    assert_int_equal(read_native_status(), 0);
    assert_string_equal(host_fp_hex, before);
    /* The pinned fingerprint is presented again and the pairing survived. */
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 60, 0, &w, &fd);
    assert_int_equal(w.cipher, PF_PKF1_CIPHER_AES128_GCM);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

static void unpair_revokes(void **state)
{
    (void)state;
    char fph[65], path[128], *body = NULL;
    hex(fp_a, 32, fph);
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 60, 0, &w, &fd);
    snprintf(path, sizeof(path), "/api/v1/clients/%s", fph);
    assert_int_equal(api_call(&host, "DELETE", path, NULL, NULL, &body), 200);
    free(body);
    expect_close(c, PF_PKF1_CLOSE_ACCESS_EXPIRED);
    nclient_destroy(c);
    close(fd);
    c = connect_as(cert_a, key_a);
    send_hello(c, PF_PKF1_WIRE_VERSION, 1280, 720, 60, 0);
    expect_close(c, PF_PKF1_CLOSE_IDENTITY_REQUIRED);
    nclient_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pair_by_pin),
        cmocka_unit_test(wrong_pin_cooldown_one_guess),
        cmocka_unit_test(gate_refusals),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(handshake_and_control),
        cmocka_unit_test(input_through_grants),
        cmocka_unit_test(ipv6_session),
        cmocka_unit_test(restart_keeps_identity),
        cmocka_unit_test(unpair_revokes),
    };
    return cmocka_run_group_tests(tests, native_setup, native_teardown);
}
