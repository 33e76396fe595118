/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 PIN ceremony on the host (native-protocol.md §6.2): the policy checks in the
 * reference's order, the SPAKE2 side B and confirmation MACs of libpfcore, and the pairing
 * store. A refused or failed attempt never touches the store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_pair.h"

#include "host.h"
#include "native_internal.h"

struct native_pairing {
    pf_pkf1_pair *pair;
};

void native_pairing_free(native_pairing *p)
{
    if (!p)
        return;
    pf_pkf1_pair_destroy(p->pair);
    free(p);
}

void native_pairing_request(native_conn *nc, const uint8_t *payload, size_t len)
{
    native_plane *np = nc->np;
    /* §6.2 step 2, in this order: certificate, cooldown (charged before the armed check),
     * an armed window. Windows bound to one device (0x61) are not offered by this host. */
    if (!nc->has_fp) {
        native_refuse(nc, PF_PKF1_CLOSE_IDENTITY_REQUIRED,
                      "pairing needs a client certificate");
        return;
    }
    char pin[5];
    uint32_t code = native_pair_begin(&np->pair, native_now_ms(), pin);
    if (code) {
        native_refuse(nc, code,
                      code == PF_PKF1_CLOSE_PAIR_RATE_LIMITED
                          ? "pairing attempts are limited to one per 2 s"
                          : "no pairing PIN is armed (arm one with pfhost pair-native)");
        return;
    }
    native_pairing *p = calloc(1, sizeof(*p));
    if (!p || pf_pkf1_pair_host_create(NULL, (const uint8_t *)pin, 4, nc->fp, np->fp, NULL,
                                       &p->pair) < 0) {
        memset(pin, 0, sizeof(pin));
        native_pairing_free(p);
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "cannot start pairing");
        return;
    }
    memset(pin, 0, sizeof(pin));
    nc->pairing = p;
    uint8_t out[PF_PKF1_PAIR_MAX_MSG_BYTES];
    size_t n;
    int r = pf_pkf1_pair_host_on_request(p->pair, payload, len, out, sizeof(out), &n);
    if (r == PF_ERR_MALFORMED) {
        /* §6.2 step 3: the window is consumed only once SPAKE2 finished with the client's
         * message; a garbled request does not cost the user the PIN. */
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "malformed PairRequest");
        return;
    }
    /* One guess per arming, whatever comes next. */
    native_pair_consume(&np->pair);
    if (r < 0 || native_send_payload(nc, out, n, 0) < 0) {
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "pairing failed");
        return;
    }
    nc->state = NC_PAIR_PROOF;
    nc->deadline_ms = native_now_ms() + NATIVE_PAIR_STEP_MS;
}

void native_pairing_proof(native_conn *nc, const uint8_t *payload, size_t len)
{
    uint8_t out[PF_PKF1_PAIR_MAX_MSG_BYTES];
    size_t n = 0;
    int r = pf_pkf1_pair_host_on_proof(nc->pairing->pair, payload, len, out, sizeof(out), &n);
    if (r != 0 && r != PF_ERR_AUTH) {
        native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "malformed PairProof");
        return;
    }
    if (r == 0) {
        uint8_t name[PF_PKF1_HELLO_NAME_MAX + 1];
        size_t nl = 0;
        if (pf_pkf1_pair_host_get_name(nc->pairing->pair, name, sizeof(name) - 1, &nl) < 0)
            nl = 0;
        name[nl] = '\0';
        int sr = clients_add_native(&nc->np->h->clients, nc->fp_hex, (const char *)name,
                                    PF_PKF1_GRANT_ALL, (int64_t)time(NULL));
        if (sr < 0) {
            native_refuse(nc, PF_PKF1_CLOSE_SETUP_FAILED, "cannot store the pairing");
            return;
        }
        host_log("native client %s (%s) paired", nc->fp_hex, nl ? (const char *)name : "unnamed");
    } else {
        host_log("native %s: pairing proof did not match (wrong PIN)", nc->peer);
    }
    /* §6.2 step 5: PairResult, FIN, then the client closes; after 5 s the host does, with 0
     * ("pairing done") either way: the result byte already told the client the outcome. */
    native_send_payload(nc, out, n, 1);
    nc->state = NC_PAIR_DONE;
    nc->linger_code = PF_PKF1_CLOSE_NORMAL;
    nc->deadline_ms = native_now_ms() + NATIVE_PAIR_LINGER_MS;
}
