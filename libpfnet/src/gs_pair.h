/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_NET_GS_PAIR_H
#define PF_NET_GS_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "pf/net_gamestream.h"

#include "gs_query.h"
#include "identity.h"

/* GameStream PIN pairing (gamestream-protocol.md §3) as a pure state machine: queries and
 * the current time in, reply documents out. The HTTP layer owns sockets and suspended
 * requests; it passes an opaque waiter for phase-1 requests that must wait for the PIN. */

#define PFI_PAIR_MAX_ATTEMPTS 8u
/* Attempts one client address may hold at once (any phase): one slow or hostile peer must
 * not take every slot. Two leave room for a retry beside a stale attempt. */
#define PFI_PAIR_MAX_PER_PEER 2u
/* PINs remembered as used, so that a PIN is never given to a second attempt. */
#define PFI_PAIR_USED_PINS 8u
#define PFI_PAIR_ID_LEN 9u

typedef struct pfi_pair_attempt pfi_pair_attempt;

typedef struct pfi_pair_hooks {
    void *user_data;
    /* A waiting phase-1 request is answered (PIN arrived, timed out, or was replaced). The
     * document is handed over (free()). */
    void (*complete)(void *user_data, void *waiter, char *doc, size_t len);
    /* Phase 4 verified: persist and authorise the client. A failure fails the pairing. */
    int (*paired)(void *user_data, const pfi_peer_cert *cert, const char *cert_pem,
                  const char *device_name);
    /* Whether the connection of a waiting request is still open; 0 drops the attempt, so a
     * closed attempt neither holds a slot nor takes a PIN. May be NULL (always open). */
    int (*alive)(void *user_data, void *waiter);
} pfi_pair_hooks;

/* A waiting attempt as the user sees it (pfi_pair_list). */
typedef struct pfi_pair_info {
    char id[PFI_PAIR_ID_LEN];
    char peer[64];
    char device_name[64];
    uint64_t created_ms;
    uint64_t age_ms;
} pfi_pair_info;

typedef struct pfi_pairing {
    const pf_net_identity *id;
    pf_net_gs_settings cfg;
    pfi_pair_hooks hooks;
    pf_log_hook log;
    pfi_pair_attempt *attempts[PFI_PAIR_MAX_ATTEMPTS];
    struct {
        char pin[5];
        uint64_t until_ms;
    } used[PFI_PAIR_USED_PINS];
    uint32_t next_id;
    uint32_t failures; /* wrong-PIN outcomes since the last success or lock-out */
    uint64_t lockout_until_ms;
} pfi_pairing;

/* What pfi_pair_request produced: a reply now, or nothing yet (the waiter was taken and
 * hooks.complete will be called with the reply later). */
#define PFI_PAIR_REPLY 0
#define PFI_PAIR_WAIT 1

void pfi_pairing_init(pfi_pairing *p, const pf_net_identity *id, const pf_net_gs_settings *cfg,
                      const pfi_pair_hooks *hooks);
/* Answers every waiter with a failure and drops all state. */
void pfi_pairing_finish(pfi_pairing *p);

/* Handles one /pair request. @p peer keys the attempt together with the client's uniqueid
 * (uniqueid alone is not unique: §2.1). @p https says the request came over HTTPS with an
 * authorised certificate. Returns PFI_PAIR_REPLY with *ret_doc set, PFI_PAIR_WAIT, or a
 * negative PF_ERR_NOMEM. */
int pfi_pair_request(pfi_pairing *p, const pfi_query *q, const char *peer, int https,
                     void *waiter, uint64_t now_ms, char **ret_doc, size_t *ret_len);

/* The user typed @p pin for the waiting attempt @p attempt_id (NULL: the only one waiting).
 * 0; PF_ERR_INVALID_ARGUMENT (not four digits); PF_ERR_LIMIT during a lock-out;
 * PF_ERR_NOT_FOUND (no attempt waits, or none has that id); PF_ERR_STATE (several wait and
 * none was named); PF_ERR_REPLAY (this PIN was already given to an attempt). */
int pfi_pair_set_pin(pfi_pairing *p, const char *pin, const char *attempt_id, uint64_t now_ms);

/* Drops waiting attempts whose connection closed (hooks.alive). */
void pfi_pair_prune(pfi_pairing *p, uint64_t now_ms);

/* Fills up to @p cap entries with the attempts waiting for a PIN, oldest first; returns how
 * many wait. */
uint32_t pfi_pair_list(const pfi_pairing *p, uint64_t now_ms, pfi_pair_info *out, uint32_t cap);

/* A request's connection went away before it was answered: forget its waiter. */
void pfi_pair_forget_waiter(pfi_pairing *p, void *waiter);

/* /unpair over HTTP: cancels the attempt of this uniqueid and peer, if any. */
void pfi_pair_cancel(pfi_pairing *p, const char *uniqueid, const char *peer, uint64_t now_ms);

/* Expires attempts and the pending PIN. Returns ms until the next deadline, or -1. */
int64_t pfi_pair_expire(pfi_pairing *p, uint64_t now_ms);
/* Milliseconds until the next deadline without changing anything; -1 for none. */
int64_t pfi_pair_next_deadline(const pfi_pairing *p, uint64_t now_ms);
uint32_t pfi_pair_waiting(const pfi_pairing *p);

#endif
