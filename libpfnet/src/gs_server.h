/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_GS_SERVER_H
#define PF_NET_GS_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "pf/net_gamestream.h"

#include "gs_pair.h"
#include "gs_query.h"
#include "httpd_guard.h"

#define PFI_GS_MAX_CLIENTS 256u

typedef struct pfi_gs_client {
    char id[17];
    uint8_t *der;
    size_t der_len;
} pfi_gs_client;

/* Everything a handler needs to know about the request besides its query. */
typedef struct pfi_gs_req_info {
    int https;              /* came over HTTPS */
    const char *client_id;  /* HTTPS with an authorised certificate, else NULL */
    char local_ip[64];      /* address the client connected to (sessionUrl0, LocalIP) */
    int local_is_v6;
    char mac[18];           /* MAC of the interface holding local_ip */
    char peer[64];          /* client address, keys pairing attempts */
    void *waiter;           /* opaque request handle for pairing phase 1 */
} pfi_gs_req_info;

/* A handler's answer: an XML document, or binary data (appasset), or "later". */
typedef struct pfi_gs_reply {
    int wait;               /* suspended; the pairing hook completes it */
    char *body;             /* owned (free()) */
    size_t len;
    const char *content_type;
} pfi_gs_reply;

struct pf_net_gs_server {
    pf_net_gs_settings cfg;
    char *hostname;
    char *bind_address;
    char *external_address; /* ExternalIP in /serverinfo; NULL = none */
    pf_net_gs_callbacks cb;
    const pf_net_identity *id;
    struct MHD_Daemon *http;
    struct MHD_Daemon *https;
    int epfd;
    pfi_httpd_guard guard; /* request deadlines of both daemons */
    pfi_pairing pairing;
    pfi_gs_client clients[PFI_GS_MAX_CLIENTS];
    uint32_t nclients;
    uint64_t now_ms;
};

/* Routes one request (path + query) to its endpoint. Pure apart from the host callbacks.
 * Returns 0 or PF_ERR_NOMEM. */
int pfi_gs_handle(pf_net_gs_server *s, const char *path, const pfi_query *q,
                  const pfi_gs_req_info *info, pfi_gs_reply *ret);

/* An error document: HTTP 200 carrying @p code (§2.1). */
int pfi_gs_error(int code, const char *msg, pfi_gs_reply *ret);

/* The pairing hook (pfi_pair_hooks.paired, user_data the server): checks room in the client
 * table, lets the host store the client, then authorises it. PF_ERR_LIMIT when
 * PFI_GS_MAX_CLIENTS are paired (nothing is stored). */
int pfi_gs_pair_store(void *user_data, const pfi_peer_cert *cert, const char *pem,
                      const char *device_name);

/* Client authorisation by the exact certificate bytes. Returns the client id or NULL. */
const char *pfi_gs_find_client(const pf_net_gs_server *s, const uint8_t *der, size_t len);

#endif
