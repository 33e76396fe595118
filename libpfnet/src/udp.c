/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paced UDP sending for the frame path (architecture §2 step 5, field-notes "Network"): a
 * frame leaves in bursts spread over part of the frame interval, each burst one sendmmsg of
 * single datagrams or, when the kernel takes it, of UDP_SEGMENT (GSO) messages of up to
 * 64 KiB each. Bursts that need no gap between them share system calls. No allocation per
 * frame. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/net_stream.h"

#include "netlog.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

#define MAX_BURST 64u
/* The most one UDP send may carry (IPv4's 65,507-byte payload, less room to spare): a GSO
 * burst bigger than this leaves as several GSO messages. */
#define GSO_MAX_BYTES 65000u
/* Messages one sendmmsg carries: a burst of datagrams, or up to this many GSO messages when
 * bursts are not spaced apart (a frame sent at once takes a few system calls, not one per
 * 64 KiB). */
#define MAX_MSGS 64u

struct pf_net_pacer {
    pf_net_pacer_settings st;
    pthread_mutex_t lock;
    struct sockaddr_in peer;
    int connected; /* the socket is connect()ed: send without an address (IPv4 or IPv6) */
    int gso_ok;
    uint32_t queued; /* messages built, not yet sent */
    struct mmsghdr msgs[MAX_MSGS];
    struct iovec iov[MAX_MSGS];
    /* CMSG_SPACE is a multiple of the header's alignment, so every row is aligned */
    _Alignas(struct cmsghdr) char ctrl[MAX_MSGS][CMSG_SPACE(sizeof(uint16_t))];
};

PF_EXPORT void pf_net_pacer_settings_default(pf_net_pacer_settings *st)
{
    if (!st)
        return;
    memset(st, 0, sizeof(*st));
    st->struct_size = sizeof(*st);
    st->fd = -1;
    st->burst_packets = 16;
    st->spread_percent = 50;
    st->rate_mbps = 2000;
}

PF_EXPORT int pf_net_pacer_create(const pf_net_pacer_settings *settings, pf_net_pacer **ret)
{
    pf_assert_return(settings && ret && settings->fd >= 0, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    pf_net_pacer *p = calloc(1, sizeof(*p));
    if (!p)
        return PF_ERR_NOMEM;
    p->st = *settings;
    if (!p->st.burst_packets || p->st.burst_packets > MAX_BURST)
        p->st.burst_packets = p->st.burst_packets ? MAX_BURST : 16;
    if (p->st.spread_percent > 100)
        p->st.spread_percent = 100;
    if (!p->st.rate_mbps)
        p->st.rate_mbps = 2000;
    p->gso_ok = settings->use_gso != 0;
    pthread_mutex_init(&p->lock, NULL);
    *ret = p;
    return 0;
}

PF_EXPORT void pf_net_pacer_destroy(pf_net_pacer *p)
{
    if (!p)
        return;
    pthread_mutex_destroy(&p->lock);
    free(p);
}

PF_EXPORT void pf_net_pacer_set_peer(pf_net_pacer *p, uint32_t addr_be, uint16_t port)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    memset(&p->peer, 0, sizeof(p->peer));
    p->peer.sin_family = AF_INET;
    p->peer.sin_addr.s_addr = addr_be;
    p->peer.sin_port = htons(port);
    pthread_mutex_unlock(&p->lock);
}

PF_EXPORT void pf_net_pacer_set_connected(pf_net_pacer *p, int connected)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->connected = connected != 0;
    pthread_mutex_unlock(&p->lock);
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void sleep_until(uint64_t t)
{
    struct timespec ts = {.tv_sec = (time_t)(t / 1000000000ull), .tv_nsec = (long)(t % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

/* Queues one message: @p n datagrams of @p len bytes, contiguous, as one GSO send when
 * @p n > 1, or one datagram. */
static void queue_msg(pf_net_pacer *p, const struct sockaddr_in *to, const uint8_t *data,
                      size_t len, uint32_t n)
{
    uint32_t i = p->queued++;
    p->iov[i].iov_base = (void *)data;
    p->iov[i].iov_len = len * n;
    struct msghdr *mh = &p->msgs[i].msg_hdr;
    memset(mh, 0, sizeof(*mh));
    mh->msg_name = (void *)to;
    mh->msg_namelen = to ? sizeof(*to) : 0;
    mh->msg_iov = &p->iov[i];
    mh->msg_iovlen = 1;
    if (n < 2)
        return;
    memset(p->ctrl[i], 0, sizeof(p->ctrl[i]));
    mh->msg_control = p->ctrl[i];
    mh->msg_controllen = sizeof(p->ctrl[i]);
    struct cmsghdr *cm = CMSG_FIRSTHDR(mh);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t seg = (uint16_t)len;
    memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
}

static int gso_unsupported(int err)
{
    return err == EIO || err == EINVAL || err == ENOPROTOOPT || err == EOPNOTSUPP;
}

/* Sends the queued messages. A kernel or route that refuses GSO turns it off for good and
 * the refused messages go again as single datagrams; other errors (ENOBUFS, ECONNREFUSED from
 * an earlier ICMP, EAGAIN after one short wait) are transient and drop the message rather
 * than stall the frame path (FEC and IDR requests recover). */
static void flush(pf_net_pacer *p, const struct sockaddr_in *to, size_t len)
{
    uint32_t done = 0, n = p->queued;
    int waited = 0;
    p->queued = 0;
    while (done < n) {
        int r = sendmmsg(p->st.fd, p->msgs + done, n - done, 0);
        if (r > 0) {
            done += (uint32_t)r;
            continue;
        }
        int err = r < 0 ? errno : EIO;
        if (err == EINTR)
            continue;
        if (err == EAGAIN && !waited) {
            struct pollfd pfd = {.fd = p->st.fd, .events = POLLOUT};
            poll(&pfd, 1, 2);
            waited = 1;
            continue;
        }
        struct msghdr *mh = &p->msgs[done].msg_hdr;
        if (mh->msg_control && gso_unsupported(err)) {
            p->gso_ok = 0;
            /* the rest goes datagram by datagram, in order, from this message on */
            const uint8_t *from = p->iov[done].iov_base;
            size_t bytes = 0;
            for (uint32_t i = done; i < n; i++)
                bytes += p->iov[i].iov_len;
            for (size_t off = 0; off < bytes; off += len) {
                if (p->queued == MAX_MSGS)
                    flush(p, to, len);
                queue_msg(p, to, from + off, len, 1);
            }
            flush(p, to, len);
            return;
        }
        done++;
    }
}

PF_EXPORT int pf_net_pacer_send(pf_net_pacer *p, const uint8_t *pkts, size_t stride,
                                size_t len, uint32_t count, uint64_t interval_ns,
                                pf_net_pacer_result *ret)
{
    pf_assert_return(p && pkts && len && stride >= len, PF_ERR_INVALID_ARGUMENT);
    pthread_mutex_lock(&p->lock);
    struct sockaddr_in to = p->peer;
    int connected = p->connected;
    pthread_mutex_unlock(&p->lock);
    if (!to.sin_port && !connected)
        return PF_ERR_STATE;
    const struct sockaddr_in *dst = connected ? NULL : &to;
    uint32_t burst = p->st.burst_packets;
    uint32_t bursts = (count + burst - 1) / burst;
    /* A burst's wire time at the pacing rate; the whole frame never takes longer than its
     * share of the interval, so pacing cannot build a queue across frames. */
    uint64_t gap = (uint64_t)burst * len * 8u * 1000u / p->st.rate_mbps;
    uint64_t cap = interval_ns * p->st.spread_percent / 100;
    if (bursts > 1 && gap * bursts > cap)
        gap = cap / bursts;
    uint64_t start = now_ns(), t = start;
    for (uint32_t b = 0, off = 0; b < bursts; b++, off += burst) {
        uint32_t n = count - off < burst ? count - off : burst;
        if (b && gap)
            sleep_until(start + gap * b);
        const uint8_t *base = pkts + (size_t)off * stride;
        /* GSO takes contiguous datagrams, at most GSO_MAX_BYTES a message: a bigger burst
         * is split evenly into several messages. */
        uint32_t per_msg = 1;
        if (p->gso_ok && stride == len && len <= GSO_MAX_BYTES / 2)
            per_msg = GSO_MAX_BYTES / len < MAX_BURST ? (uint32_t)(GSO_MAX_BYTES / len)
                                                      : MAX_BURST;
        uint32_t parts = (n + per_msg - 1) / per_msg;
        for (uint32_t k = 0, i = 0; k < parts; k++) {
            uint32_t m = (n - i) / (parts - k);
            if (p->queued == MAX_MSGS)
                flush(p, dst, len);
            queue_msg(p, dst, base + (size_t)i * stride, len, m);
            i += m;
        }
        /* Bursts not spaced apart leave together, in as few system calls as fit. */
        if (gap || b + 1 == bursts) {
            flush(p, dst, len);
            t = now_ns();
        }
    }
    if (ret) {
        ret->packets_sent = count;
        ret->bursts = bursts;
        ret->duration_ns = t - start;
        ret->last_sent_ns = t;
    }
    return 0;
}
