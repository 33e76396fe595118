/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pairing state machine with an oracle: no client pairs without the right PIN. Three
 * clients (an independent implementation, tests/gamestream/gs_client.c), each on its own
 * address, run the phases of §3 in whatever order the input says, with the PIN the host user
 * types (4711) or a wrong one; the user types PINs for attempts the input picks; raw
 * requests and time steps are mixed in. Each input byte is an operation:
 *   op % 8 == 0  client k (next byte % 3) starts phase 1; the byte after: bit 0 = right PIN
 *            1  the user types 4711 for waiting attempt i (next byte), or with no choice
 *            2..4 client k sends phase 2, 3 or 4 as a correct client would
 *            5  a raw /pair request: next byte = length, then that many query bytes
 *            6  time passes (next byte × 1 s) and deadlines expire
 *            7  client k cancels (/unpair)
 * Oracles: the paired hook fires only for a client that used 4711 and whose attempt the user
 * gave 4711; never more pairings than PINs typed; every reply is a status document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/net_gamestream.h"

#include "gs_client.h"
#include "gs_pair.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NCLIENTS 3
static const char host_pin[] = "4711";

static pf_net_identity *identity;
static gsc_identity ids[NCLIENTS];

typedef struct client {
    gsc_pair p;
    int active;     /* phase 1 sent */
    int right_pin;  /* uses 4711 */
    int given_pin;  /* the user typed 4711 for its attempt */
    char *reply;    /* the phase-1 answer, once there */
    int got_cert;   /* the phase-1 answer was read */
    char peer[16];
    char uid[16];
} client;

static client clients[NCLIENTS];
static unsigned pins_given, pairings;

static void check_doc(const char *doc)
{
    if (!doc || !strstr(doc, "<root status_code=\""))
        __builtin_trap();
}

static void on_complete(void *ud, void *waiter, char *doc, size_t len)
{
    client *c = waiter;
    check_doc(doc);
    free(c->reply);
    c->reply = doc;
}

static int on_paired(void *ud, const pfi_peer_cert *cert, const char *pem, const char *name)
{
    int who = -1;
    for (int k = 0; k < NCLIENTS; k++)
        if (!strcmp(pem, ids[k].cert_pem))
            who = k;
    /* The oracle: only a client that knows the PIN the user gave to its attempt pairs. */
    if (who < 0 || !clients[who].active || !clients[who].right_pin || !clients[who].given_pin)
        __builtin_trap();
    pairings++;
    if (pairings > pins_given)
        __builtin_trap();
    return 0;
}

static void request(pfi_pairing *pp, char *path, const char *peer, void *waiter, uint64_t now,
                    char **ret_doc)
{
    *ret_doc = NULL;
    if (!path)
        return;
    pfi_query q;
    if (pfi_query_parse(path, strlen(path), &q, NULL) == 0) {
        size_t len;
        int r = pfi_pair_request(pp, &q, peer, 0, waiter, now, ret_doc, &len);
        if (r == PFI_PAIR_REPLY)
            check_doc(*ret_doc);
        pfi_query_clear(&q);
    }
    free(path);
}

static void reset_client(client *c)
{
    gsc_pair_free(&c->p);
    free(c->reply);
    c->reply = NULL;
    c->active = c->given_pin = c->got_cert = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!identity) {
        if (pf_net_identity_create("fuzz", &identity) < 0)
            __builtin_trap();
        for (int k = 0; k < NCLIENTS; k++)
            if (gsc_identity_create(&ids[k]) < 0)
                __builtin_trap();
    }
    pf_net_gs_settings cfg;
    pf_net_gs_settings_default(&cfg);
    pfi_pair_hooks hooks = {.complete = on_complete, .paired = on_paired};
    pfi_pairing pp;
    pfi_pairing_init(&pp, identity, &cfg, &hooks);
    pins_given = pairings = 0;
    for (int k = 0; k < NCLIENTS; k++) {
        memset(&clients[k], 0, sizeof(clients[k]));
        snprintf(clients[k].peer, sizeof(clients[k].peer), "10.0.0.%d", k + 1);
        snprintf(clients[k].uid, sizeof(clients[k].uid), "CLIENT%d", k);
    }
    uint64_t now = 1;
    size_t i = 0;
    while (i < size) {
        uint8_t op = data[i++] % 8;
        uint8_t arg = i < size ? data[i++] : 0;
        client *c = &clients[arg % NCLIENTS];
        char *doc = NULL;
        switch (op) {
        case 0: {
            uint8_t how = i < size ? data[i++] : 0;
            reset_client(c);
            c->right_pin = how & 1;
            char wrong[8];
            snprintf(wrong, sizeof(wrong), "%04u", (unsigned)(1000u + how) % 10000u);
            if (!strcmp(wrong, host_pin))
                c->right_pin = 1;
            gsc_pair_init(&c->p, &ids[arg % NCLIENTS], c->right_pin ? host_pin : wrong,
                          c->uid);
            c->active = 1;
            request(&pp, gsc_pair_phase1(&c->p), c->peer, c, now, &doc);
            if (doc) {
                free(c->reply);
                c->reply = doc;
                doc = NULL;
            }
            break;
        }
        case 1: {
            pfi_pair_info list[PFI_PAIR_MAX_ATTEMPTS];
            uint32_t n = pfi_pair_list(&pp, now, list, PFI_PAIR_MAX_ATTEMPTS);
            uint32_t pick = n ? arg % n : 0;
            /* bit 7: name the attempt; else no choice (refused while several wait) */
            const char *id = n && (arg & 0x80) ? list[pick].id : NULL;
            const char *peer = id ? list[pick].peer : n == 1 ? list[0].peer : NULL;
            if (pfi_pair_set_pin(&pp, host_pin, id, now) == 0) {
                pins_given++;
                for (int k = 0; k < NCLIENTS; k++)
                    if (peer && !strcmp(peer, clients[k].peer))
                        clients[k].given_pin = 1;
            }
            break;
        }
        case 2:
            if (c->active && c->reply && !c->got_cert)
                c->got_cert = gsc_pair_phase1_reply(&c->p, c->reply) == GSC_OK ? 1 : -1;
            if (c->got_cert == 1) {
                request(&pp, gsc_pair_phase2(&c->p), c->peer, c, now, &doc);
                if (doc)
                    (void)gsc_pair_phase2_reply(&c->p, doc);
            }
            break;
        case 3:
            if (c->active) {
                request(&pp, gsc_pair_phase3(&c->p), c->peer, c, now, &doc);
                if (doc)
                    (void)gsc_pair_phase3_reply(&c->p, doc);
            }
            break;
        case 4:
            if (c->active)
                request(&pp, gsc_pair_phase4(&c->p), c->peer, c, now, &doc);
            break;
        case 5: {
            size_t n = arg;
            if (n > size - i)
                n = size - i;
            char *path = malloc(n + 8);
            memcpy(path, "/pair?", 6);
            memcpy(path + 6, data + i, n);
            path[6 + n] = '\0';
            i += n;
            request(&pp, path, c->peer, c, now, &doc);
            break;
        }
        case 6:
            now += (uint64_t)arg * 1000u;
            pfi_pair_expire(&pp, now);
            break;
        default: {
            char path[64];
            snprintf(path, sizeof(path), "%s", c->uid);
            pfi_pair_cancel(&pp, path, c->peer, now);
            break;
        }
        }
        free(doc);
    }
    pfi_pairing_finish(&pp);
    for (int k = 0; k < NCLIENTS; k++)
        reset_client(&clients[k]);
    return 0;
}
