/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which interface serves a client, and its hardware address: getifaddrs lists each
 * interface's addresses and (as AF_PACKET entries) its link-layer address. */
#include "if_mac.h"

#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netpacket/packet.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The IPv4 address in @p sa (also inside a v4-mapped IPv6 address), or 0 when it has none. */
static int ipv4_of(const struct sockaddr *sa, struct in_addr *ret)
{
    if (sa->sa_family == AF_INET) {
        *ret = ((const struct sockaddr_in *)sa)->sin_addr;
        return 1;
    }
    const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;
    if (sa->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6)) {
        memcpy(&ret->s_addr, &a6->s6_addr[12], 4);
        return 1;
    }
    return 0;
}

static int same_address(const struct sockaddr *local, const struct sockaddr *ifa)
{
    struct in_addr a, b;
    if (ipv4_of(local, &a))
        return ifa->sa_family == AF_INET && ipv4_of(ifa, &b) && a.s_addr == b.s_addr;
    if (local->sa_family != AF_INET6 || ifa->sa_family != AF_INET6)
        return 0;
    const struct sockaddr_in6 *l6 = (const struct sockaddr_in6 *)local,
                              *i6 = (const struct sockaddr_in6 *)ifa;
    /* A link-local address exists once per interface: the scope tells which. */
    if (IN6_IS_ADDR_LINKLOCAL(&l6->sin6_addr) && l6->sin6_scope_id != i6->sin6_scope_id)
        return 0;
    return memcmp(&l6->sin6_addr, &i6->sin6_addr, sizeof(l6->sin6_addr)) == 0;
}

int pfi_if_mac_of_local(const struct sockaddr *local, char *out, size_t cap)
{
    snprintf(out, cap, "00:00:00:00:00:00");
    struct ifaddrs *ifs;
    if (!local || getifaddrs(&ifs) < 0)
        return -ENOENT;
    const struct ifaddrs *owner = NULL;
    for (const struct ifaddrs *i = ifs; i && !owner; i = i->ifa_next)
        if (i->ifa_addr && same_address(local, i->ifa_addr))
            owner = i;
    int r = -ENOENT;
    /* Loopback has no address a client could wake. */
    for (const struct ifaddrs *j = ifs; owner && !(owner->ifa_flags & IFF_LOOPBACK) && j;
         j = j->ifa_next) {
        if (!j->ifa_addr || j->ifa_addr->sa_family != AF_PACKET ||
            strcmp(j->ifa_name, owner->ifa_name) != 0)
            continue;
        const struct sockaddr_ll *ll = (const struct sockaddr_ll *)j->ifa_addr;
        static const uint8_t zero[6];
        if (ll->sll_halen != 6 || memcmp(ll->sll_addr, zero, 6) == 0)
            break;
        snprintf(out, cap, "%02x:%02x:%02x:%02x:%02x:%02x", ll->sll_addr[0], ll->sll_addr[1],
                 ll->sll_addr[2], ll->sll_addr[3], ll->sll_addr[4], ll->sll_addr[5]);
        r = 0;
        break;
    }
    freeifaddrs(ifs);
    return r;
}
