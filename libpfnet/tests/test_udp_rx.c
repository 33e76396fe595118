/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GSO sending and GRO receiving on loopback: the pacer's bursts bigger than one UDP message,
 * and the receiver that splits coalesced messages back into the datagrams sent. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/net_stream.h"

#include "udp_rx.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#ifndef UDP_GRO
#define UDP_GRO 104
#endif

#define MAX_SEEN 512

typedef struct seen {
    size_t count;
    size_t len[MAX_SEEN];
    uint8_t first[MAX_SEEN], last[MAX_SEEN];
    int whole[MAX_SEEN]; /* every byte the same as the first */
} seen;

static void on_datagram(void *ud, const uint8_t *d, size_t len)
{
    seen *s = ud;
    assert_true(s->count < MAX_SEEN);
    size_t i = s->count++;
    s->len[i] = len;
    s->first[i] = len ? d[0] : 0;
    s->last[i] = len ? d[len - 1] : 0;
    s->whole[i] = 1;
    for (size_t b = 1; b < len; b++)
        if (d[b] != d[0])
            s->whole[i] = 0;
}

static int udp_bound(uint16_t *ret_port)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    getsockname(fd, (struct sockaddr *)&sa, &sl);
    *ret_port = ntohs(sa.sin_port);
    struct timeval tv = {.tv_usec = 200000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    return fd;
}

/* Reads until @p want datagrams arrived (or a 200 ms timeout). */
static void receive(pfi_udp_rx *rx, seen *s, size_t want)
{
    while (s->count < want) {
        int r = pfi_udp_rx_recv(rx, MSG_WAITFORONE, on_datagram, s);
        if (r < 0) {
            assert_int_equal(r, -EAGAIN);
            break;
        }
    }
}

static void expect_frame(const seen *s, uint32_t count, size_t len)
{
    assert_int_equal(s->count, count);
    for (uint32_t i = 0; i < count; i++) {
        assert_int_equal(s->len[i], len);
        assert_int_equal(s->first[i], (uint8_t)i); /* in order, each datagram whole */
        assert_true(s->whole[i]);
    }
}

/* A GSO pacer on one loopback socket, a GRO receiver on another. */
typedef struct udp_link {
    int rfd, tfd;
    uint16_t rport;
    pfi_udp_rx rx;
    pf_net_pacer *p;
} udp_link;

static void link_open(udp_link *l, uint32_t burst_packets)
{
    uint16_t tport;
    l->rfd = udp_bound(&l->rport);
    l->tfd = udp_bound(&tport);
    assert_int_equal(pfi_udp_rx_init(&l->rx, l->rfd, 16), 0);
    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = l->tfd;
    ps.burst_packets = burst_packets;
    ps.use_gso = 1;
    assert_int_equal(pf_net_pacer_create(&ps, &l->p), 0);
    pf_net_pacer_set_peer(l->p, htonl(INADDR_LOOPBACK), l->rport);
}

static void link_close(udp_link *l)
{
    pf_net_pacer_destroy(l->p);
    pfi_udp_rx_finish(&l->rx);
    close(l->rfd);
    close(l->tfd);
}

/* Sends @p count datagrams of @p len at @p stride (datagram i filled with i) and checks that
 * all arrive whole and in order; returns the messages they took. */
static uint64_t send_frame(udp_link *l, uint32_t count, size_t len, size_t stride,
                           pf_net_pacer_result *ret)
{
    uint8_t *pkts = calloc(count, stride);
    for (uint32_t i = 0; i < count; i++)
        memset(pkts + (size_t)i * stride, (int)i, len);
    uint64_t before = l->rx.messages;
    assert_int_equal(pf_net_pacer_send(l->p, pkts, stride, len, count, 0, ret), 0);
    seen *s = calloc(1, sizeof(*s));
    receive(&l->rx, s, count);
    expect_frame(s, count, len);
    free(s);
    free(pkts);
    return l->rx.messages - before;
}

/* A 64-datagram burst of 1472-byte datagrams (94 KB) does not fit one UDP message: it leaves
 * as GSO messages all the same, and a GRO socket receives it coalesced but split back
 * exactly; a socket without GRO gets every datagram on its own. */
static void gso_burst_over_64k(void **state)
{
    (void)state;
    enum { COUNT = 150, LEN = 1472 };
    for (int gro = 0; gro < 2; gro++) {
        udp_link l;
        link_open(&l, 64);
        if (!gro) {
            int off = 0;
            setsockopt(l.rfd, SOL_UDP, UDP_GRO, &off, sizeof(off));
            l.rx.gro = 0;
        }
        pf_net_pacer_result r;
        uint64_t messages = send_frame(&l, COUNT, LEN, LEN, &r);
        assert_int_equal(r.packets_sent, COUNT);
        assert_int_equal(r.bursts, 3);
        if (l.rx.gro)
            /* each GSO message arrived whole: 150 datagrams in a handful of messages */
            assert_true(messages <= 8);
        else
            assert_int_equal(messages, COUNT);
        link_close(&l);
    }
}

/* A socket that refuses GSO (here: UDP checksums off, which GSO needs) turns it off for good:
 * the refused burst and every later one go datagram by datagram, none lost, in order. */
static void gso_refused_falls_back(void **state)
{
    (void)state;
    udp_link l;
    link_open(&l, 64);
    int on = 1;
    assert_int_equal(setsockopt(l.tfd, SOL_SOCKET, SO_NO_CHECK, &on, sizeof(on)), 0);
    for (int round = 0; round < 2; round++)
        assert_int_equal(send_frame(&l, 150, 1200, 1200, NULL), 150);
    link_close(&l);
}

/* Datagrams at a stride wider than their length cannot be one GSO message: the pacer sends
 * them one by one, and the GRO socket passes each through as it is. */
static void strided_datagrams_pass_one_by_one(void **state)
{
    (void)state;
    udp_link l;
    link_open(&l, 16);
    assert_int_equal(send_frame(&l, 40, 900, 1024, NULL), 40);
    link_close(&l);
}

/* A GSO message whose last segment is short, plain datagrams of other sizes between GSO
 * messages, and an empty datagram: each comes out as the sender cut it. */
static void mixed_sizes_and_short_tail(void **state)
{
    (void)state;
    uint16_t rport, tport;
    int rfd = udp_bound(&rport), tfd = udp_bound(&tport);
    pfi_udp_rx rx;
    assert_int_equal(pfi_udp_rx_init(&rx, rfd, 4), 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(rport)};
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* 3 × 1000 bytes and a 500-byte tail in one UDP_SEGMENT send */
    static uint8_t buf[3500];
    for (int i = 0; i < 4; i++)
        memset(buf + i * 1000, 10 + i, i < 3 ? 1000 : 500);
    char ctrl[CMSG_SPACE(sizeof(uint16_t))] = {0};
    struct iovec iov = {buf, sizeof(buf)};
    struct msghdr mh = {.msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t seg = 1000;
    memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
    int gso = sendmsg(tfd, &mh, 0) == (ssize_t)sizeof(buf);
    if (!gso) { /* a kernel without UDP GSO: the same datagrams one by one */
        for (int i = 0; i < 4; i++)
            sendto(tfd, buf + i * 1000, i < 3 ? 1000 : 500, 0, (struct sockaddr *)&to,
                   sizeof(to));
    }
    uint8_t small[77];
    memset(small, 20, sizeof(small));
    sendto(tfd, small, sizeof(small), 0, (struct sockaddr *)&to, sizeof(to));
    sendto(tfd, small, 0, 0, (struct sockaddr *)&to, sizeof(to));
    static uint8_t big[9000];
    memset(big, 21, sizeof(big));
    sendto(tfd, big, sizeof(big), 0, (struct sockaddr *)&to, sizeof(to));

    seen *s = calloc(1, sizeof(*s));
    receive(&rx, s, 7);
    static const size_t lens[] = {1000, 1000, 1000, 500, 77, 0, 9000};
    static const uint8_t vals[] = {10, 11, 12, 13, 20, 0, 21};
    assert_int_equal(s->count, 7);
    for (int i = 0; i < 7; i++) {
        assert_int_equal(s->len[i], lens[i]);
        assert_int_equal(s->first[i], vals[i]);
        assert_int_equal(s->last[i], vals[i]);
        assert_true(s->whole[i]);
    }
    if (gso && rx.gro)
        assert_int_equal(rx.messages, 4);
    assert_int_equal(rx.truncated, 0);
    free(s);
    pfi_udp_rx_finish(&rx);
    close(rfd);
    close(tfd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gso_burst_over_64k),
        cmocka_unit_test(gso_refused_falls_back),
        cmocka_unit_test(strided_datagrams_pass_one_by_one),
        cmocka_unit_test(mixed_sizes_and_short_tail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
