/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file pf/net_mdns.h
 * Announces the GameStream service (`_nvstream._tcp` on the HTTP port, §1.2) through the
 * Avahi daemon.
 *
 * When no Avahi daemon is reachable the announcer logs one warning and waits quietly for the
 * daemon to appear; it never retries in a loop.
 *
 * Threading: Avahi's client runs on a private thread; the log hook is called from that
 * thread. create/destroy are called from one thread.
 */
#ifndef PF_NET_MDNS_H
#define PF_NET_MDNS_H

#include <stdint.h>

#include "pf/net.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pf_net_mdns pf_net_mdns;

/**
 * Starts announcing.
 * @param name service instance name (the host name); borrowed, copied.
 * @param port the GameStream HTTP port.
 * @param log log hook (warnings and debug); copied; its user_data must outlive the object and
 *        tolerate calls from Avahi's thread.
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM. A missing daemon is not an error.
 * Ownership: the caller destroys *ret_mdns. Since 0.1.
 */
PF_EXPORT int pf_net_mdns_create(const char *name, uint16_t port, const pf_log_hook *log,
                                 pf_net_mdns **ret_mdns);

/** Withdraws the service; NULL allowed. Since 0.1. */
PF_EXPORT void pf_net_mdns_destroy(pf_net_mdns *mdns);

/**
 * Announces the punktfunk/1 service `_punktfunk._udp` beside the GameStream one, under the
 * same instance name, or withdraws it (@p port 0). Re-announces when the daemon runs.
 * @param txt @p ntxt TXT strings "key=value" (copied), e.g. "proto=punktfunk/1",
 *        "fp=<certificate SHA-256 hex>", "pair=required", "id=<host id>", "wire=1".
 * @return 0; PF_ERR_INVALID_ARGUMENT; PF_ERR_NOMEM. Since 0.2.
 */
PF_EXPORT int pf_net_mdns_set_native(pf_net_mdns *mdns, uint16_t port, const char *const *txt,
                                     size_t ntxt);

/** @return 1 once the daemon confirmed the service, else 0. Since 0.1. */
PF_EXPORT int pf_net_mdns_is_established(pf_net_mdns *mdns);

#ifdef __cplusplus
}
#endif

#endif
