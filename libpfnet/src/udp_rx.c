/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Batched UDP receiving with UDP_GRO; see udp_rx.h for why. */
#include "udp_rx.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>

#ifndef UDP_GRO
#define UDP_GRO 104
#endif

/* Room for the UDP_GRO cmsg (an int) and anything else the socket may add. */
#define CTRL_BYTES 64u

int pfi_udp_gro_enable(int fd)
{
    int on = 1;
    return setsockopt(fd, SOL_UDP, UDP_GRO, &on, sizeof(on)) == 0;
}

size_t pfi_udp_gro_segment_size(const struct msghdr *mh, size_t len)
{
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR((struct msghdr *)mh, cm)) {
        if (cm->cmsg_level != SOL_UDP || cm->cmsg_type != UDP_GRO ||
            cm->cmsg_len < CMSG_LEN(sizeof(int)))
            continue;
        int seg;
        memcpy(&seg, CMSG_DATA(cm), sizeof(seg));
        return seg > 0 && (size_t)seg < len ? (size_t)seg : len;
    }
    return len;
}

int pfi_udp_rx_init(pfi_udp_rx *rx, int fd, uint32_t batch)
{
    memset(rx, 0, sizeof(*rx));
    rx->fd = fd;
    rx->batch = batch ? batch : 1;
    rx->bufs = malloc((size_t)rx->batch * PFI_UDP_RX_MSG_BYTES);
    rx->msgs = calloc(rx->batch, sizeof(*rx->msgs));
    rx->iov = calloc(rx->batch, sizeof(*rx->iov));
    rx->ctrl = calloc(rx->batch, CTRL_BYTES);
    if (!rx->bufs || !rx->msgs || !rx->iov || !rx->ctrl) {
        pfi_udp_rx_finish(rx);
        return -ENOMEM;
    }
    rx->gro = pfi_udp_gro_enable(fd);
    return 0;
}

void pfi_udp_rx_finish(pfi_udp_rx *rx)
{
    if (!rx)
        return;
    free(rx->bufs);
    free(rx->msgs);
    free(rx->iov);
    free(rx->ctrl);
    memset(rx, 0, sizeof(*rx));
}

int pfi_udp_rx_recv(pfi_udp_rx *rx, int flags, pfi_udp_rx_fn fn, void *user_data)
{
    for (uint32_t i = 0; i < rx->batch; i++) {
        rx->iov[i] = (struct iovec){rx->bufs + (size_t)i * PFI_UDP_RX_MSG_BYTES,
                                    PFI_UDP_RX_MSG_BYTES};
        memset(&rx->msgs[i], 0, sizeof(rx->msgs[i]));
        rx->msgs[i].msg_hdr.msg_iov = &rx->iov[i];
        rx->msgs[i].msg_hdr.msg_iovlen = 1;
        rx->msgs[i].msg_hdr.msg_control = rx->ctrl + (size_t)i * CTRL_BYTES;
        rx->msgs[i].msg_hdr.msg_controllen = CTRL_BYTES;
    }
    int n = recvmmsg(rx->fd, rx->msgs, rx->batch, flags, NULL);
    if (n < 0)
        return -errno;
    rx->messages += (uint64_t)n;
    int datagrams = 0;
    for (int i = 0; i < n; i++) {
        const struct msghdr *mh = &rx->msgs[i].msg_hdr;
        size_t len = rx->msgs[i].msg_len;
        if (mh->msg_flags & MSG_TRUNC) {
            rx->truncated++;
            continue;
        }
        const uint8_t *p = rx->iov[i].iov_base;
        if (len == 0) {
            fn(user_data, p, 0);
            datagrams++;
            continue;
        }
        size_t seg = pfi_udp_gro_segment_size(mh, len);
        for (size_t off = 0; off < len; off += seg, datagrams++)
            fn(user_data, p + off, len - off < seg ? len - off : seg);
    }
    return datagrams;
}
