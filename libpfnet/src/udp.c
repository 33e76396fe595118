/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Paced UDP sending for the frame path (architecture §2 step 5, field-notes "Network"): a
 * frame leaves in bursts spread over part of the frame interval, each burst one sendmmsg
 * or, when the kernel takes it, one UDP_SEGMENT (GSO) send. No allocation per frame. */
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

struct pf_net_pacer {
    pf_net_pacer_settings st;
    pthread_mutex_t lock;
    struct sockaddr_in peer;
    int connected; /* the socket is connect()ed: send without an address (IPv4 or IPv6) */
    int gso_ok;
    struct mmsghdr msgs[MAX_BURST];
    struct iovec iov[MAX_BURST];
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

/* One burst as a single GSO send: the datagrams must be contiguous (stride == len). */
static int send_gso(pf_net_pacer *p, const struct sockaddr_in *to, const uint8_t *data,
                    size_t len, uint32_t n)
{
    char ctrl[CMSG_SPACE(sizeof(uint16_t))];
    memset(ctrl, 0, sizeof(ctrl));
    struct iovec iov = {.iov_base = (void *)data, .iov_len = len * n};
    struct msghdr mh = {.msg_name = (void *)to, .msg_namelen = to ? sizeof(*to) : 0, .msg_iov = &iov,
                        .msg_iovlen = 1, .msg_control = ctrl, .msg_controllen = sizeof(ctrl)};
    struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    uint16_t seg = (uint16_t)len;
    memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
    return sendmsg(p->st.fd, &mh, 0) < 0 ? -errno : 0;
}

static void send_mmsg(pf_net_pacer *p, const struct sockaddr_in *to, const uint8_t *pkts,
                      size_t stride, size_t len, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        p->iov[i].iov_base = (void *)(pkts + (size_t)i * stride);
        p->iov[i].iov_len = len;
        memset(&p->msgs[i].msg_hdr, 0, sizeof(p->msgs[i].msg_hdr));
        p->msgs[i].msg_hdr.msg_name = (void *)to;
        p->msgs[i].msg_hdr.msg_namelen = to ? sizeof(*to) : 0;
        p->msgs[i].msg_hdr.msg_iov = &p->iov[i];
        p->msgs[i].msg_hdr.msg_iovlen = 1;
    }
    uint32_t done = 0;
    int waited = 0;
    while (done < n) {
        int r = sendmmsg(p->st.fd, p->msgs + done, n - done, 0);
        if (r > 0) {
            done += (uint32_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        /* ENOBUFS, ECONNREFUSED from an earlier ICMP, EAGAIN: transient; drop the rest of
         * this burst rather than stall the frame path (FEC and IDR requests recover). */
        if (r < 0 && errno == EAGAIN && !waited) {
            struct pollfd pfd = {.fd = p->st.fd, .events = POLLOUT};
            poll(&pfd, 1, 2);
            waited = 1;
            continue;
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
        int done = 0;
        if (p->gso_ok && stride == len && n > 1 && len * n <= 65000) {
            int r = send_gso(p, dst, base, len, n);
            if (r == 0)
                done = 1;
            else if (r == -EIO || r == -EINVAL || r == -ENOPROTOOPT || r == -EOPNOTSUPP)
                p->gso_ok = 0;
            else
                done = 1; /* transient: the burst is dropped like any lost packet */
        }
        if (!done)
            send_mmsg(p, dst, base, stride, len, n);
        t = now_ns();
    }
    if (ret) {
        ret->packets_sent = count;
        ret->bursts = bursts;
        ret->duration_ns = t - start;
        ret->last_sent_ns = t;
    }
    return 0;
}
