/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_UDP_RX_H
#define PF_NET_UDP_RX_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Batched UDP receiving with the kernel's UDP_GRO, the receive-side twin of the pacer's GSO.
 *
 * With UDP_GRO on, the kernel hands one socket a run of same-sized datagrams of one flow as a
 * single message of up to 64 KiB (a GSO send delivered whole on loopback, or datagrams a NIC
 * driver coalesced), with the segment size in a cmsg; without it every datagram is queued,
 * woken for and copied out on its own, and on loopback the sender's core pays for cutting
 * each GSO send apart again. This splits such messages back into the datagrams the peer sent
 * (every segment the reported size, the last one possibly shorter) and passes plain
 * datagrams as they are, so a caller sees the same datagrams either way.
 *
 * Compiled into libpfnet and libpfclient (which does not link libpfnet); its symbols are
 * hidden in both. Threading: one thread per pfi_udp_rx. */

/* Bytes per message buffer: the largest message UDP_GRO or a plain datagram can make. */
#define PFI_UDP_RX_MSG_BYTES 65536u

typedef void (*pfi_udp_rx_fn)(void *user_data, const uint8_t *datagram, size_t len);

typedef struct pfi_udp_rx {
    int fd;             /* borrowed */
    int gro;            /* UDP_GRO is on: a message may hold several datagrams */
    uint32_t batch;     /* messages per recvmmsg */
    uint8_t *bufs;      /* batch × PFI_UDP_RX_MSG_BYTES */
    struct mmsghdr *msgs;
    struct iovec *iov;
    uint8_t *ctrl;      /* one cmsg buffer per message */
    uint64_t messages;  /* messages received */
    uint64_t truncated; /* messages dropped for not fitting a buffer */
} pfi_udp_rx;

/* Turns UDP_GRO on for @p fd where the kernel has it (Linux 5.0): 1 on, 0 not available. */
int pfi_udp_gro_enable(int fd);

/* The datagram size a received message was coalesced from (its UDP_GRO cmsg), or @p len when
 * it carries none (a plain datagram). */
size_t pfi_udp_gro_segment_size(const struct msghdr *mh, size_t len);

/* Turns UDP_GRO on for @p fd (borrowed) where it can and allocates @p batch message buffers.
 * Returns 0 or -ENOMEM; @p rx is then finished with pfi_udp_rx_finish(). */
int pfi_udp_rx_init(pfi_udp_rx *rx, int fd, uint32_t batch);
/* NULL-safe; leaves @p rx zeroed. */
void pfi_udp_rx_finish(pfi_udp_rx *rx);

/* One recvmmsg (@p flags as recvmmsg takes them, e.g. MSG_DONTWAIT or MSG_WAITFORONE); each
 * datagram received goes to @p fn in arrival order. Returns the number of datagrams, or
 * -errno (-EAGAIN: nothing waiting on a non-blocking call or before a timeout). */
int pfi_udp_rx_recv(pfi_udp_rx *rx, int flags, pfi_udp_rx_fn fn, void *user_data);

#endif
