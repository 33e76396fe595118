/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ENet control stream (§5) against an ENet client on loopback: connect-data binding,
 * sealed messages both ways with v2 and legacy IVs, input decoding, replay and forgery,
 * termination, silence timeouts. */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <enet/enet.h>

#include "pf/core/error.h"
#include "pf/core/gs_control.h"
#include "pf/net_stream.h"

static const uint8_t key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

typedef struct rec {
    int connected, idr, ended, inputs;
    uint32_t end_reason;
    uint64_t rfi_first, rfi_last;
    pf_input_event last;
} rec;

static void on_connected(void *ud, uint32_t id) { ((rec *)ud)->connected++; }
static void on_idr(void *ud, uint32_t id) { ((rec *)ud)->idr++; }
static void on_rfi(void *ud, uint32_t id, uint64_t a, uint64_t b)
{
    ((rec *)ud)->rfi_first = a;
    ((rec *)ud)->rfi_last = b;
}
static void on_input(void *ud, uint32_t id, const pf_input_event *e)
{
    ((rec *)ud)->inputs++;
    ((rec *)ud)->last = *e;
}
static void on_ended(void *ud, uint32_t id, uint32_t reason)
{
    ((rec *)ud)->ended++;
    ((rec *)ud)->end_reason = reason;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

typedef struct env {
    rec r;
    pf_net_gs_control *ctrl;
    ENetHost *cli;
    ENetPeer *peer;
    pf_gs_cipher *cipher;
    uint32_t iv_mode, seq;
    uint32_t last_type;
    uint8_t last_payload[64];
    size_t last_len;
    int disconnected;
} env;

/* Pumps both ends until @p done says so, or for @p ms when it is NULL. With both cores busy
 * ENet's round trips take longer than on an idle machine, so waits for something to happen
 * end when it did, within a generous bound (PUMP_MAX_MS), instead of after a fixed time. */
#define PUMP_MAX_MS 5000
static void pump_until(env *e, int ms, int (*done)(const env *e))
{
    uint64_t end = now_ms() + (uint64_t)ms;
    do {
        if (done && done(e))
            return;
        pf_net_gs_control_dispatch(e->ctrl, now_ms());
        ENetEvent ev;
        while (e->cli && enet_host_service(e->cli, &ev, 1) > 0) {
            if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
                uint8_t out[256];
                pf_gs_control_msg m;
                if (pf_gs_control_open(e->cipher, e->iv_mode, PF_GS_ORIGIN_HOST, ev.packet->data,
                                       ev.packet->dataLength, out, sizeof(out), &m) == 0) {
                    e->last_type = m.type;
                    e->last_len = m.payload_len < 64 ? m.payload_len : 64;
                    memcpy(e->last_payload, out, e->last_len);
                }
                enet_packet_destroy(ev.packet);
            } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
                e->disconnected = 1;
            }
        }
    } while (now_ms() < end);
}

static void pump(env *e, int ms)
{
    pump_until(e, ms, NULL);
}

static int connected_or_refused(const env *e)
{
    return e->r.connected || e->disconnected;
}

static int got_messages(const env *e)
{
    return e->r.idr && e->r.inputs && e->r.rfi_last;
}

static int got_rumble(const env *e)
{
    return e->last_type == 0x010b;
}

static int terminated(const env *e)
{
    return e->last_type == 0x0109 && e->disconnected;
}

static int got_termination(const env *e)
{
    return e->last_type == 0x0109;
}

static int ended(const env *e)
{
    return e->r.ended > 0;
}

static int got_idr(const env *e)
{
    return e->r.idr > 0;
}

static void setup_env(env *e, uint32_t timeout_ms, int v2)
{
    memset(e, 0, sizeof(*e));
    pf_net_gs_control_settings st;
    pf_net_gs_control_settings_default(&st);
    st.bind_address = "127.0.0.1";
    st.port = 0;
    st.timeout_ms = timeout_ms;
    st.connect_timeout_ms = timeout_ms;
    pf_net_gs_control_callbacks cb = {.user_data = &e->r, .connected = on_connected,
                                      .idr_request = on_idr, .invalidate_refs = on_rfi,
                                      .input = on_input, .ended = on_ended};
    assert_int_equal(pf_net_gs_control_create(&st, &cb, &e->ctrl), 0);
    pf_net_gs_stream_config cfg = {.struct_size = sizeof(cfg), .encrypt_control = 1,
                                   .control_iv_v2 = (uint32_t)v2};
    assert_int_equal(pf_net_gs_control_add_session(e->ctrl, 7, 0xC0FFEE, key, &cfg, now_ms()), 0);
    assert_int_equal(pf_net_gs_control_add_session(e->ctrl, 7, 1, key, &cfg, now_ms()),
                     PF_ERR_STATE);
    e->iv_mode = v2 ? PF_GS_CONTROL_IV_V2 : PF_GS_CONTROL_IV_LEGACY;
    assert_int_equal(pf_gs_cipher_create(NULL, key, &e->cipher), 0);
    e->cli = enet_host_create(NULL, 1, 0x30, 0, 0);
    assert_non_null(e->cli);
}

static void connect_env(env *e, uint32_t data)
{
    ENetAddress a = {.port = pf_net_gs_control_get_port(e->ctrl)};
    enet_address_set_host_ip(&a, "127.0.0.1");
    e->peer = enet_host_connect(e->cli, &a, 0x30, data);
    assert_non_null(e->peer);
    pump_until(e, PUMP_MAX_MS, connected_or_refused);
}

/* Connects with @p data and expects the host to refuse; the client can then try again. */
static void expect_refused(env *e, uint32_t data)
{
    connect_env(e, data);
    pump_until(e, PUMP_MAX_MS, connected_or_refused);
    assert_int_equal(e->r.connected, 0);
    assert_int_equal(e->disconnected, 1);
    enet_peer_reset(e->peer);
    e->disconnected = 0;
}

static void send_sealed(env *e, uint8_t channel, uint16_t type, const uint8_t *p, size_t len,
                        uint8_t *copy, size_t *copy_len)
{
    uint8_t out[512];
    size_t n;
    assert_int_equal(pf_gs_control_seal(e->cipher, e->iv_mode, PF_GS_ORIGIN_CLIENT, e->seq++,
                                        type, p, len, out, sizeof(out), &n), 0);
    if (copy) {
        memcpy(copy, out, n);
        *copy_len = n;
    }
    enet_peer_send(e->peer, channel, enet_packet_create(out, n, ENET_PACKET_FLAG_RELIABLE));
    enet_host_flush(e->cli);
}

static void raw(env *e, const uint8_t *p, size_t n)
{
    enet_peer_send(e->peer, 0, enet_packet_create(p, n, ENET_PACKET_FLAG_RELIABLE));
    enet_host_flush(e->cli);
}

static void teardown_env(env *e)
{
    pf_net_gs_control_destroy(e->ctrl);
    if (e->cli)
        enet_host_destroy(e->cli);
    pf_gs_cipher_destroy(e->cipher);
}

static void messages_both_ways(void **state)
{
    for (int v2 = 0; v2 < 2; v2++) {
        env e;
        setup_env(&e, 5000, v2);
        connect_env(&e, 0xC0FFEE);
        assert_int_equal(e.r.connected, 1);
        uint8_t zero[2] = {0, 0};
        send_sealed(&e, 0, 0x0302, zero, 2, NULL, NULL);
        uint8_t rfi[24] = {5, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0};
        send_sealed(&e, 1, 0x0301, rfi, sizeof(rfi), NULL, NULL);
        const uint8_t key_down[] = {0, 0, 0, 0x0a, 3, 0, 0, 0, 0, 0x41, 0x80, 1, 0, 0};
        send_sealed(&e, 2, 0x0206, key_down, sizeof(key_down), NULL, NULL);
        const uint8_t bad_input[] = {0, 0, 0, 0x09, 3, 0, 0};
        send_sealed(&e, 2, 0x0206, bad_input, sizeof(bad_input), NULL, NULL);
        uint8_t ping[8] = {4};
        send_sealed(&e, 0, 0x0200, ping, sizeof(ping), NULL, NULL);
        pump_until(&e, PUMP_MAX_MS, got_messages);
        assert_int_equal(e.r.idr, 1);
        assert_int_equal(e.r.rfi_first, 5);
        assert_int_equal(e.r.rfi_last, 9);
        assert_int_equal(e.r.inputs, 1);
        assert_int_equal(e.r.last.type, PF_INPUT_EVENT_KEY_DOWN);
        assert_int_equal(e.r.last.key.key_code, 0x41);
        /* Host → client: rumble, then the termination code. */
        assert_int_equal(pf_net_gs_control_send_rumble(e.ctrl, 7, 1, 0x1234, 0x5678), 0);
        pump_until(&e, PUMP_MAX_MS, got_rumble);
        assert_int_equal(e.last_type, 0x010b);
        assert_int_equal(e.last_len, 10);
        assert_int_equal(e.last_payload[4] | e.last_payload[5] << 8, 1);
        assert_int_equal(e.last_payload[6] | e.last_payload[7] << 8, 0x1234);
        assert_int_equal(e.last_payload[8] | e.last_payload[9] << 8, 0x5678);
        assert_int_equal(pf_net_gs_control_send(e.ctrl, 99, 0x010b, NULL, 0), PF_ERR_NOT_FOUND);
        assert_int_equal(pf_net_gs_control_terminate(e.ctrl, 7, PF_NET_GS_TERM_GRACEFUL), 0);
        pump_until(&e, PUMP_MAX_MS, terminated);
        assert_int_equal(e.last_type, 0x0109);
        assert_memory_equal(e.last_payload, "\x80\x03\x00\x23", 4);
        assert_int_equal(e.disconnected, 1);
        assert_int_equal(e.r.ended, 0); /* terminate() does not call back */
        teardown_env(&e);
    }
}

static void bad_peers_and_messages(void **state)
{
    env e;
    setup_env(&e, 5000, 1);
    /* Unknown connect data: refused. */
    expect_refused(&e, 0xBAD);
    connect_env(&e, 0xC0FFEE);
    assert_int_equal(e.r.connected, 1);
    /* Plaintext, truncated and replayed messages are dropped; the session goes on. */
    const uint8_t plain[] = {0x02, 0x03, 0, 0};
    raw(&e, plain, sizeof(plain));
    const uint8_t trunc[] = {0x01, 0x00, 0x30, 0x00, 1, 0, 0, 0, 9, 9};
    raw(&e, trunc, sizeof(trunc));
    uint8_t copy[128];
    size_t n;
    uint8_t zero[2] = {0, 0};
    send_sealed(&e, 0, 0x0302, zero, 2, copy, &n);
    raw(&e, copy, n);
    raw(&e, copy, n);
    pump_until(&e, PUMP_MAX_MS, got_idr);
    pump(&e, 100); /* time for the replay to be (wrongly) delivered */
    assert_int_equal(e.r.idr, 1);
    assert_int_equal(e.r.ended, 0);
    /* A forged tag ends the session (Sunshine does the same) with a termination message. */
    copy[10] ^= 1;
    copy[4] = 50; /* a fresh sequence number, so only the tag is wrong */
    raw(&e, copy, n);
    pump_until(&e, PUMP_MAX_MS, terminated);
    assert_int_equal(e.r.ended, 1);
    assert_int_equal(e.r.end_reason, PF_NET_GS_END_PROTOCOL);
    assert_int_equal(e.last_type, 0x0109);
    teardown_env(&e);
}

/* §5.1: a client without x-ml-general.featureFlags 0x02 connects with data 0 and is known
 * by its RTSP peer address; a modern client's session, or another address, is not claimed. */
static void legacy_peer_by_address(void **state)
{
    env e;
    setup_env(&e, 5000, 1);
    pf_net_gs_stream_config cfg = {.struct_size = sizeof(cfg), .encrypt_control = 1,
                                   .control_iv_v2 = 1,
                                   .ml_feature_flags = PF_NET_GS_ML_SESSION_ID_V1};
    inet_pton(AF_INET, "127.0.0.1", &cfg.peer_ipv4);
    assert_int_equal(pf_net_gs_control_add_session(e.ctrl, 8, 0x1234, key, &cfg, now_ms()), 0);
    cfg.ml_feature_flags = PF_NET_GS_ML_FEC_STATUS;
    inet_pton(AF_INET, "127.0.0.2", &cfg.peer_ipv4);
    assert_int_equal(pf_net_gs_control_add_session(e.ctrl, 9, 0x5678, key, &cfg, now_ms()), 0);
    expect_refused(&e, 0);
    inet_pton(AF_INET, "127.0.0.1", &cfg.peer_ipv4);
    assert_int_equal(pf_net_gs_control_add_session(e.ctrl, 10, 0x9abc, key, &cfg, now_ms()), 0);
    connect_env(&e, 0);
    assert_int_equal(e.r.connected, 1);
    /* It is session 10's: sealed with its key, its messages arrive. */
    uint8_t zero[2] = {0, 0};
    send_sealed(&e, 0, 0x0302, zero, 2, NULL, NULL);
    pump_until(&e, PUMP_MAX_MS, got_idr);
    assert_int_equal(e.r.idr, 1);
    assert_int_equal(pf_net_gs_control_terminate(e.ctrl, 10, PF_NET_GS_TERM_GRACEFUL), 0);
    pump_until(&e, PUMP_MAX_MS, got_termination);
    assert_int_equal(e.last_type, 0x0109);
    teardown_env(&e);
}

static void timeouts(void **state)
{
    /* Registered but never connected: ended after connect_timeout_ms. */
    env e;
    setup_env(&e, 300, 1);
    pump_until(&e, PUMP_MAX_MS, ended);
    assert_int_equal(e.r.ended, 1);
    assert_int_equal(e.r.end_reason, PF_NET_GS_END_TIMEOUT);
    teardown_env(&e);
    /* Connected, then silent (a client that vanished): ended after timeout_ms. */
    setup_env(&e, 400, 1);
    connect_env(&e, 0xC0FFEE);
    assert_int_equal(e.r.connected, 1);
    enet_host_destroy(e.cli);
    e.cli = NULL;
    pump_until(&e, PUMP_MAX_MS, ended);
    assert_int_equal(e.r.ended, 1);
    assert_int_equal(e.r.end_reason, PF_NET_GS_END_TIMEOUT);
    teardown_env(&e);
    /* A graceful client disconnect ends it at once. */
    setup_env(&e, 5000, 1);
    connect_env(&e, 0xC0FFEE);
    enet_peer_disconnect(e.peer, 0);
    pump_until(&e, PUMP_MAX_MS, ended);
    assert_int_equal(e.r.ended, 1);
    assert_int_equal(e.r.end_reason, PF_NET_GS_END_DISCONNECT);
    teardown_env(&e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(messages_both_ways),
        cmocka_unit_test(bad_peers_and_messages),
        cmocka_unit_test(legacy_peer_by_address),
        cmocka_unit_test(timeouts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
