/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Ping-learned media addresses (§6.1, §8.1) and the paced sender on loopback. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/net_stream.h"

typedef struct seen {
    int calls;
    uint32_t id, which, addr;
    uint16_t port;
} seen;

static void changed(void *ud, uint32_t id, uint32_t which, uint32_t addr, uint16_t port)
{
    seen *s = ud;
    s->calls++;
    s->id = id;
    s->which = which;
    s->addr = addr;
    s->port = port;
}

static int udp_bound(uint16_t *ret_port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    *ret_port = ntohs(sa.sin_port);
    struct timeval tv = {.tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    return fd;
}

static void send_to(int fd, uint16_t port, const void *p, size_t n)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(sendto(fd, p, n, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)n);
}

/* Lets the datagrams sent arrive, then reads them. */
static int settle_and_dispatch(pf_net_gs_media *m, seen *s)
{
    usleep(20000);
    return pf_net_gs_media_dispatch(m, changed, s);
}

/* A UDP socket on @p addr (any 127.x address works on loopback), any port. */
static int udp_bound_at(const char *addr)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, addr, &sa.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    return fd;
}

/* §6.1: a bare "PING" teaches an address only when it comes from the address a session
 * allowed (its RTSP peer); among sessions allowing one address the newest wins. */
static void legacy_pings_by_address(void **state)
{
    pf_net_gs_media_settings st;
    pf_net_gs_media_settings_default(&st);
    st.video_port = st.audio_port = 0;
    pf_net_gs_media *m;
    assert_int_equal(pf_net_gs_media_create(&st, &m), 0);
    uint16_t vport = pf_net_gs_media_get_port(m, PF_NET_GS_MEDIA_VIDEO);
    assert_int_equal(pf_net_gs_media_add_session(m, 3, "0123456789ABCDEF"), 0);
    assert_int_equal(pf_net_gs_media_add_session(m, 4, "FEDCBA9876543210"), 0);
    uint32_t lo1, lo2;
    inet_pton(AF_INET, "127.0.0.1", &lo1);
    inet_pton(AF_INET, "127.0.0.2", &lo2);
    assert_int_equal(pf_net_gs_media_allow_legacy_ping(m, 99, lo1), PF_ERR_NOT_FOUND);
    assert_int_equal(pf_net_gs_media_allow_legacy_ping(m, 3, 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_net_gs_media_allow_legacy_ping(m, 3, lo1), 0);
    int c1 = udp_bound_at("127.0.0.1"), c2 = udp_bound_at("127.0.0.2");
    seen s = {0};
    /* From an address nobody allowed, and a "PING" with trailing bytes: ignored. */
    send_to(c2, vport, "PING", 4);
    send_to(c1, vport, "PINGPING", 8);
    assert_int_equal(settle_and_dispatch(m, &s), 2);
    assert_int_equal(s.calls, 0);
    assert_int_equal(pf_net_gs_media_get_unmatched(m), 2);
    send_to(c1, vport, "PING", 4);
    settle_and_dispatch(m, &s);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.id, 3);
    assert_int_equal(s.addr, lo1);
    /* Session 4 allows the same address later: its "PING"s are now session 4's. */
    assert_int_equal(pf_net_gs_media_allow_legacy_ping(m, 4, lo1), 0);
    send_to(c1, vport, "PING", 4);
    settle_and_dispatch(m, &s);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.id, 4);
    close(c1);
    close(c2);
    pf_net_gs_media_destroy(m);
}

/* Audit finding 4: a payload ping from another address took a legacy session's video. A
 * session tied to its launch address ignores pings of either kind from anywhere else. */
static void restricted_session_ignores_other_addresses(void **state)
{
    pf_net_gs_media_settings st;
    pf_net_gs_media_settings_default(&st);
    st.video_port = st.audio_port = 0;
    pf_net_gs_media *m;
    assert_int_equal(pf_net_gs_media_create(&st, &m), 0);
    uint16_t vport = pf_net_gs_media_get_port(m, PF_NET_GS_MEDIA_VIDEO);
    assert_int_equal(pf_net_gs_media_add_session(m, 3, "0123456789ABCDEF"), 0);
    uint32_t lo1;
    inet_pton(AF_INET, "127.0.0.1", &lo1);
    assert_int_equal(pf_net_gs_media_restrict_session(m, 99, lo1), PF_ERR_NOT_FOUND);
    assert_int_equal(pf_net_gs_media_restrict_session(m, 3, lo1), 0);
    int c1 = udp_bound_at("127.0.0.1"), c2 = udp_bound_at("127.0.0.2");
    seen s = {0};
    send_to(c2, vport, "0123456789ABCDEF\0\0\0\1", 20);
    assert_int_equal(settle_and_dispatch(m, &s), 1);
    assert_int_equal(s.calls, 0);
    assert_int_equal(pf_net_gs_media_get_unmatched(m), 1);
    send_to(c1, vport, "0123456789ABCDEF\0\0\0\1", 20);
    settle_and_dispatch(m, &s);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.addr, lo1);
    /* The attacker's ping after the client's does not move the stream either. */
    send_to(c2, vport, "0123456789ABCDEF\0\0\0\2", 20);
    settle_and_dispatch(m, &s);
    assert_int_equal(s.calls, 1);
    close(c1);
    close(c2);
    pf_net_gs_media_destroy(m);
}

static void pings_teach_addresses(void **state)
{
    pf_net_gs_media_settings st;
    pf_net_gs_media_settings_default(&st);
    st.bind_address = "127.0.0.1";
    st.video_port = st.audio_port = 0;
    pf_net_gs_media *m;
    assert_int_equal(pf_net_gs_media_create(&st, &m), 0);
    uint16_t vport = pf_net_gs_media_get_port(m, PF_NET_GS_MEDIA_VIDEO);
    uint16_t aport = pf_net_gs_media_get_port(m, PF_NET_GS_MEDIA_AUDIO);
    assert_true(vport && aport && vport != aport);
    assert_int_equal(pf_net_gs_media_add_session(m, 3, "0123456789ABCDEF"), 0);
    assert_int_equal(pf_net_gs_media_add_session(m, 4, "0123456789ABCDEF"), PF_ERR_STATE);
    assert_int_equal(pf_net_gs_media_add_session(m, 4, "short"), PF_ERR_INVALID_ARGUMENT);

    uint16_t cport;
    int c = udp_bound(&cport);
    seen s = {0};
    /* Unknown payload, legacy PING and a runt: counted, no address learned. */
    send_to(c, vport, "FEDCBA98765432100000", 20);
    send_to(c, vport, "PING", 4);
    send_to(c, vport, "0123456789ABCDEF", 16);
    usleep(20000);
    assert_int_equal(pf_net_gs_media_dispatch(m, changed, &s), 3);
    assert_int_equal(s.calls, 0);
    assert_int_equal(pf_net_gs_media_get_unmatched(m), 3);
    /* The session's ping on each socket. */
    send_to(c, vport, "0123456789ABCDEF\0\0\0\1", 20);
    usleep(20000);
    pf_net_gs_media_dispatch(m, changed, &s);
    assert_int_equal(s.calls, 1);
    assert_int_equal(s.id, 3);
    assert_int_equal(s.which, PF_NET_GS_MEDIA_VIDEO);
    assert_int_equal(s.port, cport);
    assert_int_equal(s.addr, htonl(INADDR_LOOPBACK));
    /* The same address again is no change; the audio socket learns separately. */
    send_to(c, vport, "0123456789ABCDEF\0\0\0\2", 20);
    send_to(c, aport, "0123456789ABCDEF\0\0\0\1", 20);
    usleep(20000);
    pf_net_gs_media_dispatch(m, changed, &s);
    assert_int_equal(s.calls, 2);
    assert_int_equal(s.which, PF_NET_GS_MEDIA_AUDIO);
    /* A new source port (NAT rebinding) is learned. */
    uint16_t c2port;
    int c2 = udp_bound(&c2port);
    send_to(c2, vport, "0123456789ABCDEF\0\0\0\3", 20);
    usleep(20000);
    pf_net_gs_media_dispatch(m, changed, &s);
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.port, c2port);
    assert_int_equal(pf_net_gs_media_remove_session(m, 3), 0);
    assert_int_equal(pf_net_gs_media_remove_session(m, 3), PF_ERR_NOT_FOUND);
    close(c);
    close(c2);
    pf_net_gs_media_destroy(m);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* How late this thread wakes from a sleep to an absolute deadline right now: the worst of
 * three 1 ms sleeps (scheduling noise on busy cores, not the pacer's doing). */
static uint64_t wake_lateness_ns(void)
{
    uint64_t worst = 0;
    for (int i = 0; i < 3; i++) {
        uint64_t want = mono_ns() + 1000000u;
        struct timespec ts = {(time_t)(want / 1000000000u), (long)(want % 1000000000u)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
        uint64_t late = mono_ns() - want;
        worst = late > worst ? late : worst;
    }
    return worst;
}

static void pacer_bursts(void **state)
{
    for (int gso = 0; gso < 2; gso++) {
        uint16_t rport, tport;
        int rx = udp_bound(&rport), tx = udp_bound(&tport);
        int big = 4 << 20;
        setsockopt(rx, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
        pf_net_pacer_settings ps;
        pf_net_pacer_settings_default(&ps);
        ps.fd = tx;
        ps.burst_packets = 8;
        ps.rate_mbps = 100; /* 8 × 1000 bytes per burst = 640 µs apart */
        ps.use_gso = (uint32_t)gso;
        pf_net_pacer *p;
        assert_int_equal(pf_net_pacer_create(&ps, &p), 0);
        static uint8_t pkts[40 * 1000];
        for (int i = 0; i < 40; i++)
            memset(pkts + i * 1000, i, 1000);
        pf_net_pacer_result r;
        assert_int_equal(pf_net_pacer_send(p, pkts, 1000, 1000, 40, 16666666, &r), PF_ERR_STATE);
        pf_net_pacer_set_peer(p, htonl(INADDR_LOOPBACK), rport);
        /* The pacer sleeps to absolute deadlines, so only its last wake-up can be late; on
         * two busy cores that lateness alone can pass any bound. Each frame is held to the
         * bound plus the wake-up lateness measured right after it, and one of a few frames
         * must pass (a pacer that spreads too far fails every one). */
        int ok = 0;
        for (int trial = 0; trial < 5 && !ok; trial++) {
            uint64_t t0 = mono_ns();
            assert_int_equal(pf_net_pacer_send(p, pkts, 1000, 1000, 40, 16666666, &r), 0);
            uint64_t took = mono_ns() - t0;
            assert_int_equal(r.packets_sent, 40);
            assert_int_equal(r.bursts, 5);
            /* Four gaps of 640 µs: spread, but within half the frame interval. */
            assert_true(took >= 4 * 600000ull);
            ok = r.duration_ns <= 16666666 / 2 + 2000000 + wake_lateness_ns();
            for (int i = 0; i < 40; i++) {
                uint8_t b[2000];
                ssize_t n = recv(rx, b, sizeof(b), 0);
                assert_int_equal(n, 1000);
                assert_int_equal(b[0], i); /* in order, each datagram whole */
            }
        }
        assert_true(ok);
        /* A huge frame at a low rate is squeezed into the spread limit. */
        ps.rate_mbps = 1;
        pf_net_pacer *slow;
        assert_int_equal(pf_net_pacer_create(&ps, &slow), 0);
        pf_net_pacer_set_peer(slow, htonl(INADDR_LOOPBACK), rport);
        ok = 0;
        for (int trial = 0; trial < 5 && !ok; trial++) {
            assert_int_equal(pf_net_pacer_send(slow, pkts, 1000, 1000, 40, 16666666, &r), 0);
            ok = r.duration_ns < 16666666 / 2 + 2000000 + wake_lateness_ns();
            uint8_t b[2000];
            for (int i = 0; i < 40; i++)
                assert_int_equal(recv(rx, b, sizeof(b), 0), 1000);
        }
        assert_true(ok);
        pf_net_pacer_destroy(slow);
        pf_net_pacer_destroy(p);
        close(rx);
        close(tx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pings_teach_addresses),
        cmocka_unit_test(restricted_session_ignores_other_addresses),
        cmocka_unit_test(legacy_pings_by_address),
        cmocka_unit_test(pacer_bursts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
