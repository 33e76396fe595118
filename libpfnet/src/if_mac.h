/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_IF_MAC_H
#define PF_NET_IF_MAC_H

#include <stddef.h>
#include <sys/socket.h>

/* The MAC of the interface that owns @p local (the local address of a client's connection,
 * from getsockname), as "aa:bb:cc:dd:ee:ff", for GameStream's Wake-on-LAN field
 * (gamestream-protocol.md §2.3). IPv4, IPv6 and v4-mapped IPv6 addresses are matched.
 * Returns 0, or -ENOENT with "00:00:00:00:00:00" in @p out when no interface owns the
 * address, it is a loopback interface, or it has no Ethernet-sized hardware address. */
int pfi_if_mac_of_local(const struct sockaddr *local, char *out, size_t cap);

#endif
