/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gs_pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"

#include "gs_xml.h"
#include "netlog.h"

#define TOPIC "gs_pair"

enum {
    ST_WAIT_PIN,   /* phase 1 received, waiting for the user's PIN */
    ST_CERT_SENT,  /* plaincert sent; expecting clientchallenge */
    ST_CHALLENGED, /* challengeresponse sent; expecting serverchallengeresp */
    ST_SECRET_SENT /* pairingsecret sent; expecting clientpairingsecret */
};

struct pfi_pair_attempt {
    char key[160];
    char id[PFI_PAIR_ID_LEN];  /* what the user picks the attempt by */
    char peer[64];
    char device_name[64];
    uint64_t created_ms;
    uint32_t state;
    uint64_t deadline_ms;
    uint8_t salt[16];
    uint8_t aes_key[16];
    uint8_t serversecret[16];
    uint8_t serverchal[16];
    uint8_t clienthash[32];
    char *client_pem;
    pfi_peer_cert cert;
    void *waiter;
};

void pfi_pairing_init(pfi_pairing *p, const pf_net_identity *id, const pf_net_gs_settings *cfg,
                      const pfi_pair_hooks *hooks)
{
    memset(p, 0, sizeof(*p));
    p->id = id;
    p->cfg = *cfg;
    p->hooks = *hooks;
    p->log = cfg->log;
}

static void reply(int code, const char *msg, int paired, char **ret_doc, size_t *ret_len)
{
    pfi_xml x;
    pfi_xml_begin(&x, code, msg);
    pfi_xml_uint(&x, "paired", (uint64_t)paired);
    if (pfi_xml_finish(&x, ret_doc, ret_len) < 0) {
        *ret_doc = NULL;
        *ret_len = 0;
    }
}

static void wipe_attempt(pfi_pair_attempt *a)
{
    pfi_peer_cert_clear(&a->cert);
    free(a->client_pem);
    memset(a, 0, sizeof(*a));
    free(a);
}

/* Drops attempt @p i. @p wrong_pin says the attempt ended in a wrong-PIN outcome (phase 4
 * failed, or the client cancelled after its own phase-3 check failed): only those count
 * towards the lock-out. Abandoned, timed-out, replaced or out-of-order attempts do not, or a
 * stranger could lock pairing out for everyone. */
static void drop(pfi_pairing *p, uint32_t i, int wrong_pin, const char *why, uint64_t now_ms)
{
    pfi_pair_attempt *a = p->attempts[i];
    p->attempts[i] = NULL;
    if (a->waiter && p->hooks.complete) {
        char *doc;
        size_t len;
        reply(408, why, 0, &doc, &len);
        p->hooks.complete(p->hooks.user_data, a->waiter, doc, len);
    }
    if (wrong_pin && a->state != ST_WAIT_PIN) {
        p->failures++;
        if (p->failures >= p->cfg.pair_max_failures) {
            p->lockout_until_ms = now_ms + p->cfg.pair_lockout_ms;
            p->failures = 0;
            pfi_net_log(&p->log, PF_LOG_DEBUG, TOPIC, "pairing locked out for %u ms",
                        p->cfg.pair_lockout_ms);
        }
    }
    pfi_net_log(&p->log, PF_LOG_DEBUG, TOPIC, "attempt %s dropped: %s", a->key, why);
    wipe_attempt(a);
}

void pfi_pairing_finish(pfi_pairing *p)
{
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++)
        if (p->attempts[i])
            drop(p, i, 0, "host shutting down", 0);
    memset(p->used, 0, sizeof(p->used));
}

static int find(const pfi_pairing *p, const char *key)
{
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++)
        if (p->attempts[i] && strcmp(p->attempts[i]->key, key) == 0)
            return (int)i;
    return -1;
}

/* A used PIN stays refused for as long as a phase-1 request can wait with it on screen. */
static uint64_t used_pin_ms(const pfi_pairing *p)
{
    uint64_t t = p->cfg.pin_wait_ms;
    return (t > p->cfg.pin_ttl_ms ? t : p->cfg.pin_ttl_ms) + p->cfg.pair_step_ms;
}

static int pin_was_used(const pfi_pairing *p, const char *pin, uint64_t now_ms)
{
    for (uint32_t i = 0; i < PFI_PAIR_USED_PINS; i++)
        if (p->used[i].until_ms > now_ms && memcmp(p->used[i].pin, pin, 4) == 0)
            return 1;
    return 0;
}

static uint32_t count_peer(const pfi_pairing *p, const char *peer)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++)
        if (p->attempts[i] && strcmp(p->attempts[i]->peer, peer) == 0)
            n++;
    return n;
}

/* The client picks its name; it is shown to the user, so control bytes are replaced. */
static void copy_name(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src && *src ? src : "unknown");
    for (char *c = dst; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = '?';
}

static int locked(const pfi_pairing *p, uint64_t now_ms)
{
    return p->lockout_until_ms && now_ms < p->lockout_until_ms;
}

/* key = SHA-256(salt ‖ PIN)[0..15] (§3.2 phase 1). */
static int derive_key(pfi_pair_attempt *a, const char *pin)
{
    uint8_t buf[20], h[32];
    memcpy(buf, a->salt, 16);
    memcpy(buf + 16, pin, 4);
    int r = pf_sha256(NULL, buf, sizeof(buf), h);
    if (r < 0)
        return r;
    memcpy(a->aes_key, h, 16);
    memset(h, 0, sizeof(h));
    memset(buf, 0, sizeof(buf));
    return 0;
}

static void plaincert_reply(pfi_pairing *p, char **ret_doc, size_t *ret_len)
{
    const char *pem = pf_net_identity_get_cert_pem(p->id);
    size_t n = strlen(pem);
    char *hex = malloc(2 * n + 1);
    if (!hex) {
        *ret_doc = NULL;
        *ret_len = 0;
        return;
    }
    pfi_hex_encode((const uint8_t *)pem, n, hex);
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_uint(&x, "paired", 1);
    pfi_xml_text(&x, "plaincert", hex);
    free(hex);
    if (pfi_xml_finish(&x, ret_doc, ret_len) < 0) {
        *ret_doc = NULL;
        *ret_len = 0;
    }
}

/* Gives @p pin to attempt @p a: one PIN, one attempt. The PIN is remembered as used, so
 * typing it again (for another attempt that shows the same PIN) is refused: an attempt that
 * took it can recover it offline from its phase-2 exchange (10^4 candidates). */
static int spend_pin(pfi_pairing *p, pfi_pair_attempt *a, const char *pin, uint64_t now_ms)
{
    int r = derive_key(a, pin);
    if (r < 0)
        return r;
    uint32_t slot = 0;
    for (uint32_t i = 1; i < PFI_PAIR_USED_PINS; i++)
        if (p->used[i].until_ms < p->used[slot].until_ms)
            slot = i;
    memcpy(p->used[slot].pin, pin, 5);
    p->used[slot].until_ms = now_ms + used_pin_ms(p);
    a->state = ST_CERT_SENT;
    a->deadline_ms = now_ms + p->cfg.pair_step_ms;
    return 0;
}

static int phase1(pfi_pairing *p, const pfi_query *q, const char *key, const char *peer,
                  void *waiter, uint64_t now_ms, char **ret_doc, size_t *ret_len)
{
    if (locked(p, now_ms)) {
        reply(503, "Too many failed pairing attempts; try again later", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    uint8_t salt[16];
    const char *hexcert = pfi_query_get(q, "clientcert");
    if (pfi_hex_decode_exact(pfi_query_get(q, "salt"), salt, 16) < 0 || !hexcert) {
        reply(400, "Missing or malformed salt or clientcert", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    size_t hl = strlen(hexcert);
    char *pem = malloc(hl / 2 + 1);
    if (!pem)
        return PF_ERR_NOMEM;
    size_t pl;
    pfi_peer_cert cert;
    int bad = pfi_hex_decode(hexcert, (uint8_t *)pem, hl / 2, &pl) < 0;
    if (!bad) {
        pem[pl] = '\0';
        /* PEM is text: an embedded NUL would make what is parsed differ from what is stored. */
        bad = memchr(pem, '\0', pl) != NULL || pfi_peer_cert_parse(pem, pl, &cert) < 0;
    }
    if (bad) {
        free(pem);
        reply(400, "clientcert is not a PEM certificate", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    int old = find(p, key);
    if (old >= 0)
        drop(p, (uint32_t)old, 0, "replaced by a new attempt", now_ms);
    if (p->hooks.alive)
        pfi_pair_prune(p, now_ms);
    int slot = -1;
    if (count_peer(p, peer) >= PFI_PAIR_MAX_PER_PEER) {
        pfi_peer_cert_clear(&cert);
        free(pem);
        reply(503, "Too many pairing attempts from this address", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS && slot < 0; i++)
        if (!p->attempts[i])
            slot = (int)i;
    if (slot < 0) {
        pfi_peer_cert_clear(&cert);
        free(pem);
        reply(503, "Too many pairing attempts in progress", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    pfi_pair_attempt *a = calloc(1, sizeof(*a));
    if (!a) {
        pfi_peer_cert_clear(&cert);
        free(pem);
        return PF_ERR_NOMEM;
    }
    snprintf(a->key, sizeof(a->key), "%s", key);
    snprintf(a->peer, sizeof(a->peer), "%s", peer);
    snprintf(a->id, sizeof(a->id), "%08x", ++p->next_id);
    copy_name(a->device_name, sizeof(a->device_name), pfi_query_get(q, "devicename"));
    memcpy(a->salt, salt, 16);
    a->client_pem = pem;
    a->cert = cert;
    a->state = ST_WAIT_PIN;
    a->created_ms = now_ms;
    p->attempts[slot] = a;
    /* Phase 1 always waits for a PIN typed after it arrived: a PIN typed in advance would go
     * to whichever attempt came first, an attacker's as easily as the user's. */
    a->waiter = waiter;
    a->deadline_ms = now_ms + p->cfg.pin_wait_ms;
    pfi_net_log(&p->log, PF_LOG_DEBUG, TOPIC, "attempt %s waits for a PIN", key);
    return PFI_PAIR_WAIT;
}

static int phase2(pfi_pairing *p, pfi_pair_attempt *a, const pfi_query *q, char **ret_doc,
                  size_t *ret_len)
{
    uint8_t enc[16], plain[48], hin[16 + PFI_SIG_MAX + 16], h[32];
    if (pfi_hex_decode_exact(pfi_query_get(q, "clientchallenge"), enc, 16) < 0)
        return PF_ERR_MALFORMED;
    int r;
    if ((r = pf_aes128_ecb_decrypt(NULL, a->aes_key, enc, 16, hin)) < 0 ||
        (r = pf_random_bytes(NULL, a->serversecret, 16)) < 0 ||
        (r = pf_random_bytes(NULL, a->serverchal, 16)) < 0)
        return r;
    size_t sl = p->id->certsig_len;
    memcpy(hin + 16, p->id->certsig, sl);
    memcpy(hin + 16 + sl, a->serversecret, 16);
    if ((r = pf_sha256(NULL, hin, 32 + sl, h)) < 0)
        return r;
    memcpy(plain, h, 32);
    memcpy(plain + 32, a->serverchal, 16);
    if ((r = pf_aes128_ecb_encrypt(NULL, a->aes_key, plain, 48, plain)) < 0)
        return r;
    char hex[97];
    pfi_hex_encode(plain, 48, hex);
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_uint(&x, "paired", 1);
    pfi_xml_text(&x, "challengeresponse", hex);
    return pfi_xml_finish(&x, ret_doc, ret_len);
}

static int phase3(pfi_pairing *p, pfi_pair_attempt *a, const pfi_query *q, char **ret_doc,
                  size_t *ret_len)
{
    uint8_t enc[32], out[16 + PFI_SIG_MAX];
    if (pfi_hex_decode_exact(pfi_query_get(q, "serverchallengeresp"), enc, 32) < 0)
        return PF_ERR_MALFORMED;
    int r = pf_aes128_ecb_decrypt(NULL, a->aes_key, enc, 32, a->clienthash);
    if (r < 0)
        return r;
    size_t sl;
    memcpy(out, a->serversecret, 16);
    if ((r = pfi_identity_sign(p->id, a->serversecret, 16, out + 16, &sl)) < 0)
        return r;
    char hex[2 * sizeof(out) + 1];
    pfi_hex_encode(out, 16 + sl, hex);
    pfi_xml x;
    pfi_xml_begin(&x, 200, NULL);
    pfi_xml_uint(&x, "paired", 1);
    pfi_xml_text(&x, "pairingsecret", hex);
    return pfi_xml_finish(&x, ret_doc, ret_len);
}

/* Returns 1 when the client proved knowledge of the key and of its certificate's private
 * key (§3.2 phase 4), 0 when not, < 0 on error. */
static int phase4_verify(pfi_pair_attempt *a, const pfi_query *q)
{
    uint8_t in[16 + PFI_SIG_MAX], hin[16 + PFI_SIG_MAX + 16], h[32];
    size_t n;
    if (pfi_hex_decode(pfi_query_get(q, "clientpairingsecret"), in, sizeof(in), &n) < 0 ||
        n <= 16)
        return PF_ERR_MALFORMED;
    size_t sl = a->cert.certsig_len;
    memcpy(hin, a->serverchal, 16);
    memcpy(hin + 16, a->cert.certsig, sl);
    memcpy(hin + 16 + sl, in, 16);
    int r = pf_sha256(NULL, hin, 32 + sl, h);
    if (r < 0)
        return r;
    int hash_ok = pf_memeq_consttime(h, a->clienthash, 32);
    int sig_ok = pfi_peer_cert_verify(&a->cert, in, 16, in + 16, n - 16) == 0;
    return hash_ok && sig_ok;
}

int pfi_pair_request(pfi_pairing *p, const pfi_query *q, const char *peer, int https,
                     void *waiter, uint64_t now_ms, char **ret_doc, size_t *ret_len)
{
    *ret_doc = NULL;
    *ret_len = 0;
    const char *uniqueid = pfi_query_get(q, "uniqueid");
    const char *phrase = pfi_query_get(q, "phrase");
    if (!uniqueid || !*uniqueid || strlen(uniqueid) > 64) {
        reply(400, "Missing uniqueid", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    char key[160];
    snprintf(key, sizeof(key), "%s@%s", uniqueid, peer ? peer : "");
    if (phrase && strcmp(phrase, "pairchallenge") == 0) {
        /* Phase 5 proves the freshly stored certificate opens HTTPS (§3.2). */
        if (https)
            reply(200, NULL, 1, ret_doc, ret_len);
        else
            reply(400, "pairchallenge needs HTTPS with the paired certificate", 0, ret_doc,
                  ret_len);
        return PFI_PAIR_REPLY;
    }
    if (phrase && strcmp(phrase, "getservercert") == 0)
        return phase1(p, q, key, peer ? peer : "", waiter, now_ms, ret_doc, ret_len);
    if (phrase) {
        reply(404, "Unknown pair command", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    uint32_t want;
    if (pfi_query_get(q, "clientchallenge"))
        want = ST_CERT_SENT;
    else if (pfi_query_get(q, "serverchallengeresp"))
        want = ST_CHALLENGED;
    else if (pfi_query_get(q, "clientpairingsecret"))
        want = ST_SECRET_SENT;
    else {
        reply(404, "Unknown pair command", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    int i = find(p, key);
    if (i < 0 || p->attempts[i]->state != want) {
        if (i >= 0)
            drop(p, (uint32_t)i, 0, "pairing phase out of order", now_ms);
        reply(400, "Pairing phase out of order", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    pfi_pair_attempt *a = p->attempts[i];
    int r;
    if (want == ST_CERT_SENT)
        r = phase2(p, a, q, ret_doc, ret_len);
    else if (want == ST_CHALLENGED)
        r = phase3(p, a, q, ret_doc, ret_len);
    else {
        r = phase4_verify(a, q);
        if (r == 1) {
            r = p->hooks.paired ? p->hooks.paired(p->hooks.user_data, &a->cert, a->client_pem,
                                                  a->device_name)
                                : 0;
            if (r >= 0) {
                p->failures = 0;
                drop(p, (uint32_t)i, 0, "paired", now_ms);
                reply(200, NULL, 1, ret_doc, ret_len);
                return PFI_PAIR_REPLY;
            }
            drop(p, (uint32_t)i, 0, "could not store the client", now_ms);
            if (r == PF_ERR_LIMIT)
                reply(503, "The host has as many paired clients as it can hold; unpair one "
                           "first", 0, ret_doc, ret_len);
            else
                reply(500, "Could not store the paired client", 0, ret_doc, ret_len);
            return PFI_PAIR_REPLY;
        }
        if (r == 0) {
            drop(p, (uint32_t)i, 1, "wrong PIN or signature", now_ms);
            /* §3.2: a failed check answers 200 with paired 0. */
            reply(200, "Pairing failed: wrong PIN", 0, ret_doc, ret_len);
            return PFI_PAIR_REPLY;
        }
    }
    if (r == PF_ERR_MALFORMED) {
        drop(p, (uint32_t)i, 0, "malformed pairing parameter", now_ms);
        reply(400, "Malformed pairing parameter", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    if (r < 0) {
        drop(p, (uint32_t)i, 0, "internal error", now_ms);
        if (r == PF_ERR_NOMEM)
            return r;
        reply(500, "Pairing failed", 0, ret_doc, ret_len);
        return PFI_PAIR_REPLY;
    }
    a->state++;
    a->deadline_ms = now_ms + p->cfg.pair_step_ms;
    return PFI_PAIR_REPLY;
}

int pfi_pair_set_pin(pfi_pairing *p, const char *pin, const char *attempt_id, uint64_t now_ms)
{
    if (!pin || strlen(pin) != 4)
        return PF_ERR_INVALID_ARGUMENT;
    for (int i = 0; i < 4; i++)
        if (pin[i] < '0' || pin[i] > '9')
            return PF_ERR_INVALID_ARGUMENT;
    if (locked(p, now_ms))
        return PF_ERR_LIMIT;
    pfi_pair_prune(p, now_ms);
    /* The PIN goes to the attempt the user means: the one named, or the only one waiting.
     * Handing it to "the oldest" would let an attempt opened before the user's take it. */
    int pick = -1;
    uint32_t waiting = 0;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++) {
        pfi_pair_attempt *a = p->attempts[i];
        if (!a || a->state != ST_WAIT_PIN || now_ms >= a->deadline_ms)
            continue;
        waiting++;
        if (!attempt_id || strcmp(a->id, attempt_id) == 0)
            pick = (int)i;
    }
    if (pick < 0)
        return PF_ERR_NOT_FOUND;
    if (!attempt_id && waiting > 1)
        return PF_ERR_STATE;
    if (pin_was_used(p, pin, now_ms))
        return PF_ERR_REPLAY;
    pfi_pair_attempt *a = p->attempts[pick];
    int r = spend_pin(p, a, pin, now_ms);
    if (r < 0) {
        drop(p, (uint32_t)pick, 0, "key derivation failed", now_ms);
        return r;
    }
    char *doc;
    size_t len;
    plaincert_reply(p, &doc, &len);
    void *w = a->waiter;
    a->waiter = NULL;
    if (w && p->hooks.complete)
        p->hooks.complete(p->hooks.user_data, w, doc, len);
    else
        free(doc);
    return 0;
}

void pfi_pair_prune(pfi_pairing *p, uint64_t now_ms)
{
    if (!p->hooks.alive)
        return;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++) {
        pfi_pair_attempt *a = p->attempts[i];
        if (a && a->state == ST_WAIT_PIN && a->waiter &&
            !p->hooks.alive(p->hooks.user_data, a->waiter))
            drop(p, i, 0, "the client closed its connection", now_ms);
    }
}

uint32_t pfi_pair_list(const pfi_pairing *p, uint64_t now_ms, pfi_pair_info *out, uint32_t cap)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++) {
        const pfi_pair_attempt *a = p->attempts[i];
        if (!a || a->state != ST_WAIT_PIN || now_ms >= a->deadline_ms)
            continue;
        if (n < cap) {
            /* Oldest first: insert in order of arrival. */
            uint32_t k = n;
            while (k > 0 && out[k - 1].created_ms > a->created_ms) {
                out[k] = out[k - 1];
                k--;
            }
            pfi_pair_info *o = &out[k];
            memcpy(o->id, a->id, sizeof(o->id));
            memcpy(o->peer, a->peer, sizeof(o->peer));
            memcpy(o->device_name, a->device_name, sizeof(o->device_name));
            o->created_ms = a->created_ms;
            o->age_ms = now_ms > a->created_ms ? now_ms - a->created_ms : 0;
        }
        n++;
    }
    return n;
}

void pfi_pair_forget_waiter(pfi_pairing *p, void *waiter)
{
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++)
        if (p->attempts[i] && p->attempts[i]->waiter == waiter) {
            p->attempts[i]->waiter = NULL;
            drop(p, i, 0, "client went away", 0);
        }
}

void pfi_pair_cancel(pfi_pairing *p, const char *uniqueid, const char *peer, uint64_t now_ms)
{
    char key[160];
    snprintf(key, sizeof(key), "%s@%s", uniqueid ? uniqueid : "", peer ? peer : "");
    int i = find(p, key);
    /* A real client cancels when its own phase-3 check failed: that is a wrong PIN. */
    if (i >= 0)
        drop(p, (uint32_t)i, 1, "cancelled by the client", now_ms);
}

int64_t pfi_pair_expire(pfi_pairing *p, uint64_t now_ms)
{
    if (p->lockout_until_ms && now_ms >= p->lockout_until_ms)
        p->lockout_until_ms = 0;
    int64_t next = -1;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++) {
        pfi_pair_attempt *a = p->attempts[i];
        if (!a)
            continue;
        if (now_ms >= a->deadline_ms) {
            drop(p, i, 0,
                 a->state == ST_WAIT_PIN ? "no PIN was entered in time" : "pairing timed out",
                 now_ms);
            continue;
        }
        int64_t d = (int64_t)(a->deadline_ms - now_ms);
        if (next < 0 || d < next)
            next = d;
    }
    if (p->lockout_until_ms > now_ms &&
        (next < 0 || (int64_t)(p->lockout_until_ms - now_ms) < next))
        next = (int64_t)(p->lockout_until_ms - now_ms);
    return next;
}

int64_t pfi_pair_next_deadline(const pfi_pairing *p, uint64_t now_ms)
{
    uint64_t best = 0;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++)
        if (p->attempts[i] && (!best || p->attempts[i]->deadline_ms < best))
            best = p->attempts[i]->deadline_ms;
    if (p->lockout_until_ms && (!best || p->lockout_until_ms < best))
        best = p->lockout_until_ms;
    if (!best)
        return -1;
    return best > now_ms ? (int64_t)(best - now_ms) : 0;
}

uint32_t pfi_pair_waiting(const pfi_pairing *p)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < PFI_PAIR_MAX_ATTEMPTS; i++)
        if (p->attempts[i] && p->attempts[i]->state == ST_WAIT_PIN)
            n++;
    return n;
}
