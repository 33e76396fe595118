/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The pairing state machine against an independent client (tests/gamestream/gs_client.c):
 * every phase of gamestream-protocol.md §3, PIN handling, failures and the lock-out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/net_gamestream.h"

#include "gs_client.h"
#include "gs_pair.h"
#include "gs_server.h"

typedef struct fixture {
    pf_net_identity *host;
    gsc_identity client, client2;
    pfi_pairing pairing;
    pf_net_gs_settings cfg;
    int waiter_token;
    char *completed_doc;
    int completed;
    int paired;
    char paired_pem[4096];
} fixture;

static void on_complete(void *ud, void *waiter, char *doc, size_t len)
{
    fixture *f = ud;
    assert_ptr_equal(waiter, &f->waiter_token);
    free(f->completed_doc);
    f->completed_doc = doc;
    f->completed++;
}

static int on_paired(void *ud, const pfi_peer_cert *cert, const char *pem, const char *name)
{
    fixture *f = ud;
    f->paired++;
    snprintf(f->paired_pem, sizeof(f->paired_pem), "%s", pem);
    assert_string_equal(name, "roth");
    return 0;
}

static pf_net_identity *shared_host;
static gsc_identity shared_client, shared_client2;

static char *slurp(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/tests/gamestream/data/%s", getenv("PF_SOURCE_ROOT"), name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 16384);
    size_t n = fread(buf, 1, 16383, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static int group_setup(void **state)
{
    /* client2 is an OpenSSL-made serial-0 certificate, as real Moonlight clients send. */
    char *cert = slurp("serial0-client-cert.pem"), *key = slurp("serial0-client-key.pem");
    int r = cert && key && pf_net_identity_create("test-host", &shared_host) == 0 &&
                    gsc_identity_create(&shared_client) == 0 &&
                    gsc_identity_load(&shared_client2, cert, key) == 0
                ? 0
                : -1;
    free(cert);
    free(key);
    return r;
}

static int group_teardown(void **state)
{
    pf_net_identity_destroy(shared_host);
    gsc_identity_free(&shared_client);
    gsc_identity_free(&shared_client2);
    return 0;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    f->host = shared_host;
    f->client = shared_client;
    f->client2 = shared_client2;
    pf_net_gs_settings_default(&f->cfg);
    pfi_pair_hooks hooks = {.user_data = f, .complete = on_complete, .paired = on_paired};
    pfi_pairing_init(&f->pairing, f->host, &f->cfg, &hooks);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    pfi_pairing_finish(&f->pairing);
    free(f->completed_doc);
    free(f);
    return 0;
}

/* One request: returns PFI_PAIR_REPLY/WAIT and the document (caller frees). */
static int request(fixture *f, char *path, const char *peer, uint64_t now, char **doc)
{
    pfi_query q;
    assert_non_null(path);
    assert_int_equal(pfi_query_parse(path, strlen(path), &q, NULL), 0);
    size_t len;
    int r = pfi_pair_request(&f->pairing, &q, peer, 0, &f->waiter_token, now, doc, &len);
    pfi_query_clear(&q);
    free(path);
    assert_true(r >= 0);
    return r;
}

/* Phases 2..4 after a successful phase 1; returns the phase-4 document. */
static char *phases_2_to_4(fixture *f, gsc_pair *p, int expect_client_check)
{
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase2(p), "peer", 1000, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 200);
    assert_int_equal(gsc_pair_phase2_reply(p, doc), GSC_OK);
    free(doc);
    assert_int_equal(request(f, gsc_pair_phase3(p), "peer", 1000, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_pair_phase3_reply(p, doc), expect_client_check);
    free(doc);
    assert_int_equal(request(f, gsc_pair_phase4(p), "peer", 1000, &doc), PFI_PAIR_REPLY);
    return doc;
}

static void full_pairing_pin_after_phase1(void **state)
{
    fixture *f = *state;
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "0123456789ABCDEF");
    char *doc = NULL;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_WAIT);
    assert_null(doc);
    assert_int_equal(pfi_pair_waiting(&f->pairing), 1);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", NULL, 500), 0);
    assert_int_equal(f->completed, 1);
    assert_int_equal(gsc_pair_phase1_reply(&p, f->completed_doc), GSC_OK);
    assert_string_equal(p.server_cert_pem, pf_net_identity_get_cert_pem(f->host));
    doc = phases_2_to_4(f, &p, GSC_OK);
    assert_int_equal(gsc_xml_status(doc), 200);
    char *paired = gsc_xml_get(doc, "paired");
    assert_string_equal(paired, "1");
    free(paired);
    free(doc);
    assert_int_equal(f->paired, 1);
    assert_string_equal(f->paired_pem, f->client.cert_pem);
    assert_int_equal(pfi_pair_waiting(&f->pairing), 0);
    gsc_pair_free(&p);
}

/* gamestream-protocol.md §3.4: key = SHA-256(salt ‖ "1234")[0..15]; the host must derive the
 * same key, or the client's phase-3 check fails. */
static void known_answer_key(void **state)
{
    fixture *f = *state;
    static const uint8_t key[16] = {0xba, 0xd0, 0xb4, 0xf7, 0xca, 0xe0, 0x8e, 0xb7,
                                    0xc1, 0xb5, 0xac, 0xc7, 0x63, 0xa8, 0xed, 0x25};
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "vector");
    p.fixed = 1;
    for (int i = 0; i < 16; i++) {
        p.salt[i] = (uint8_t)i;
        p.cc[i] = (uint8_t)(0x10 + i);
    }
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", NULL, 0), 0);
    assert_memory_equal(p.key, key, 16);
    assert_int_equal(gsc_pair_phase1_reply(&p, f->completed_doc), GSC_OK);
    char *path = gsc_pair_phase2(&p);
    assert_non_null(strstr(path, "clientchallenge=5FEBCDC985B2BADDD65925DA162380EB"));
    free(path);
    doc = phases_2_to_4(f, &p, GSC_OK);
    char *paired = gsc_xml_get(doc, "paired");
    assert_string_equal(paired, "1");
    free(paired);
    free(doc);
    gsc_pair_free(&p);
}

static void wrong_pin_fails_and_stores_nothing(void **state)
{
    fixture *f = *state;
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "0123456789ABCDEF");
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4321", NULL, 0), 0);
    assert_int_equal(gsc_pair_phase1_reply(&p, f->completed_doc), GSC_OK);
    /* The client notices in phase 3; a hostile client that carries on gets paired 0. */
    doc = phases_2_to_4(f, &p, GSC_WRONG_PIN);
    assert_int_equal(gsc_xml_status(doc), 200);
    char *paired = gsc_xml_get(doc, "paired");
    assert_string_equal(paired, "0");
    free(paired);
    free(doc);
    assert_int_equal(f->paired, 0);
    gsc_pair_free(&p);
}

static void pin_serves_one_attempt_and_expires(void **state)
{
    fixture *f = *state;
    gsc_pair a, c;
    gsc_pair_init(&a, &f->client, "1111", "A");
    gsc_pair_init(&c, &f->client2, "2222", "C");
    /* A PIN typed while nobody waits goes nowhere: it would go to whoever asks first. */
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1111", NULL, 0), PF_ERR_NOT_FOUND);
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&a), "peer", 10, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1111", NULL, 20), 0);
    assert_int_equal(f->completed, 1);
    assert_int_equal(pfi_pair_waiting(&f->pairing), 0);
    /* Spent: a second PIN finds nobody. */
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "2222", NULL, 30), PF_ERR_NOT_FOUND);
    assert_int_equal(request(f, gsc_pair_phase1(&c), "other", 200, &doc), PFI_PAIR_WAIT);
    /* Nobody types a PIN: the waiting request is answered with a failure in the end. */
    pfi_pair_expire(&f->pairing, 200 + f->cfg.pin_wait_ms);
    assert_int_equal(f->completed, 2);
    assert_int_equal(gsc_xml_status(f->completed_doc), 408);
    char *paired = gsc_xml_get(f->completed_doc, "paired");
    assert_string_equal(paired, "0");
    free(paired);
    gsc_pair_free(&a);
    gsc_pair_free(&c);
}

static void out_of_order_and_malformed(void **state)
{
    fixture *f = *state;
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "X");
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase2(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(request(f, strdup("/pair?uniqueid=X&phrase=getservercert&salt=00"), "peer",
                             0, &doc),
                     PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(request(f, strdup("/pair?uniqueid=X&phrase=getservercert&salt="
                                       "000102030405060708090a0b0c0d0e0f&clientcert=4142"),
                             "peer", 0, &doc),
                     PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(request(f, strdup("/pair?phrase=getservercert"), "peer", 0, &doc),
                     PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(request(f, strdup("/pair?uniqueid=X&phrase=bogus"), "peer", 0, &doc),
                     PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 404);
    free(doc);
    /* Phase 3 straight after phase 1 drops the attempt. */
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", NULL, 0), 0);
    assert_int_equal(gsc_pair_phase1_reply(&p, f->completed_doc), GSC_OK);
    assert_int_equal(request(f, gsc_pair_phase3(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(request(f, gsc_pair_phase2(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(f->paired, 0);
    gsc_pair_free(&p);
}

/* Phase 1, then the PIN for it (the only waiting attempt); asserts the phase-1 reply. */
static void phase1_with_pin(fixture *f, gsc_pair *p, const char *peer, const char *pin,
                            uint64_t now)
{
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(p), peer, now, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, pin, NULL, now), 0);
    assert_int_equal(gsc_pair_phase1_reply(p, f->completed_doc), GSC_OK);
}

static void lockout_after_failures(void **state)
{
    fixture *f = *state;
    uint64_t now = 0;
    static const char *const wrong[] = {"9991", "9992", "9993", "9994", "9995"};
    for (uint32_t i = 0; i < f->cfg.pair_max_failures; i++) {
        gsc_pair p;
        gsc_pair_init(&p, &f->client, "1234", "G");
        phase1_with_pin(f, &p, "peer", wrong[i], now);
        char *doc = phases_2_to_4(f, &p, GSC_WRONG_PIN);
        free(doc);
        gsc_pair_free(&p);
        now += 10;
    }
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "G");
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", now, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 503);
    free(doc);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", NULL, now), PF_ERR_LIMIT);
    /* phases 2-4 ran at t=1000, the last failure started the lock-out then */
    now = 1000 + f->cfg.pair_lockout_ms;
    pfi_pair_expire(&f->pairing, now);
    phase1_with_pin(f, &p, "peer", "1234", now);
    assert_int_equal(f->paired, 0);
    gsc_pair_free(&p);
}

/* Finding: a LAN attacker opened two phase-1 attempts before the real client; the PIN went to
 * the oldest (the attacker's), and typed again, to its second. Now a PIN needs a chosen
 * attempt while several wait, and a PIN once given is refused for any other attempt. */
static void pin_takeover_refused(void **state)
{
    fixture *f = *state;
    gsc_pair evil1, evil2, real;
    gsc_pair_init(&evil1, &f->client2, "0000", "E1");
    gsc_pair_init(&evil2, &f->client2, "0000", "E2");
    gsc_pair_init(&real, &f->client, "4711", "0123456789ABCDEF");
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&evil1), "10.0.0.66", 0, &doc), PFI_PAIR_WAIT);
    assert_int_equal(request(f, gsc_pair_phase1(&evil2), "10.0.0.66", 1, &doc), PFI_PAIR_WAIT);
    assert_int_equal(request(f, gsc_pair_phase1(&real), "10.0.0.5", 2000, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4711", NULL, 3000), PF_ERR_STATE);
    assert_int_equal(f->completed, 0);
    pfi_pair_info list[PFI_PAIR_MAX_ATTEMPTS];
    assert_int_equal(pfi_pair_list(&f->pairing, 3000, list, PFI_PAIR_MAX_ATTEMPTS), 3);
    assert_string_equal(list[0].peer, "10.0.0.66");
    assert_int_equal(list[0].age_ms, 3000);
    assert_string_equal(list[2].peer, "10.0.0.5");
    assert_int_equal(list[2].age_ms, 1000);
    assert_string_not_equal(list[0].id, list[1].id);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4711", "nosuch", 3000), PF_ERR_NOT_FOUND);
    /* The user picks the wrong one once: the PIN is then burnt for every other attempt. */
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4711", list[0].id, 3000), 0);
    assert_int_equal(f->completed, 1);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4711", list[1].id, 3100), PF_ERR_REPLAY);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4711", list[2].id, 3100), PF_ERR_REPLAY);
    assert_int_equal(f->completed, 1);
    /* A new PIN for the real client, picked by its id, pairs it. */
    gsc_pair_free(&real);
    gsc_pair_init(&real, &f->client, "5812", "0123456789ABCDEF");
    assert_int_equal(request(f, gsc_pair_phase1(&real), "10.0.0.5", 4000, &doc), PFI_PAIR_WAIT);
    uint32_t n = pfi_pair_list(&f->pairing, 4000, list, PFI_PAIR_MAX_ATTEMPTS);
    assert_int_equal(n, 2);
    assert_string_equal(list[1].peer, "10.0.0.5");
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "5812", list[1].id, 4000), 0);
    assert_int_equal(gsc_pair_phase1_reply(&real, f->completed_doc), GSC_OK);
    gsc_pair_free(&evil1);
    gsc_pair_free(&evil2);
    gsc_pair_free(&real);
}

/* Finding: one peer held all eight slots. Two per address; others still get a slot. */
static void slots_limited_per_peer(void **state)
{
    fixture *f = *state;
    char *doc;
    for (int i = 0; i < 6; i++) {
        gsc_pair p;
        char uid[16];
        snprintf(uid, sizeof(uid), "U%d", i);
        gsc_pair_init(&p, &f->client2, "0000", uid);
        int r = request(f, gsc_pair_phase1(&p), "10.0.0.66", (uint64_t)i, &doc);
        if (i < (int)PFI_PAIR_MAX_PER_PEER) {
            assert_int_equal(r, PFI_PAIR_WAIT);
        } else {
            assert_int_equal(r, PFI_PAIR_REPLY);
            assert_int_equal(gsc_xml_status(doc), 503);
            free(doc);
        }
        gsc_pair_free(&p);
    }
    gsc_pair real;
    gsc_pair_init(&real, &f->client, "1234", "0123456789ABCDEF");
    assert_int_equal(request(f, gsc_pair_phase1(&real), "10.0.0.5", 10, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_waiting(&f->pairing), PFI_PAIR_MAX_PER_PEER + 1);
    gsc_pair_free(&real);
}

static int closed_waiter;
static int alive_hook(void *ud, void *waiter)
{
    return !closed_waiter;
}

/* Finding: an attempt whose connection closed kept its slot and could take the next PIN. */
static void closed_attempt_dropped(void **state)
{
    fixture *f = *state;
    f->pairing.hooks.alive = alive_hook;
    closed_waiter = 0;
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "C");
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_WAIT);
    closed_waiter = 1;
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", NULL, 10), PF_ERR_NOT_FOUND);
    assert_int_equal(pfi_pair_waiting(&f->pairing), 0);
    closed_waiter = 0;
    gsc_pair_free(&p);
}

/* Finding: abandoned or out-of-order attempts that had received a PIN counted towards the
 * lock-out, so a stranger could lock pairing out. Only wrong PINs count now. */
static void abandoned_attempts_do_not_lock_out(void **state)
{
    fixture *f = *state;
    uint64_t now = 0;
    static const char *const pins[] = {"1001", "1002", "1003", "1004", "1005", "1006"};
    for (uint32_t i = 0; i < 2 * f->cfg.pair_max_failures; i++) {
        gsc_pair p;
        gsc_pair_init(&p, &f->client, "1234", "S");
        phase1_with_pin(f, &p, "peer", pins[i], now);
        char *doc;
        if (i % 2) {
            /* out of order: phase 3 before phase 2 */
            assert_int_equal(request(f, gsc_pair_phase3(&p), "peer", now, &doc),
                             PFI_PAIR_REPLY);
            free(doc);
        } else {
            /* abandoned: the step deadline passes */
            now += f->cfg.pair_step_ms;
            pfi_pair_expire(&f->pairing, now);
        }
        gsc_pair_free(&p);
        now += 10;
    }
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "2580", "S");
    phase1_with_pin(f, &p, "peer", "2580", now);
    gsc_pair_free(&p);
}

static void serial0_client_pairs(void **state)
{
    fixture *f = *state;
    gsc_pair p;
    gsc_pair_init(&p, &f->client2, "5678", "0123456789ABCDEF");
    phase1_with_pin(f, &p, "peer", "5678", 0);
    char *doc = phases_2_to_4(f, &p, GSC_OK);
    char *paired = gsc_xml_get(doc, "paired");
    assert_string_equal(paired, "1");
    free(paired);
    free(doc);
    assert_string_equal(f->paired_pem, f->client2.cert_pem);
    gsc_pair_free(&p);
}

static void bad_pins_rejected(void **state)
{
    fixture *f = *state;
    static const char *const bad[] = {"123", "12345", "12a4", "", " 123"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(pfi_pair_set_pin(&f->pairing, bad[i], NULL, 0),
                         PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, NULL, NULL, 0), PF_ERR_INVALID_ARGUMENT);
}

static int host_stored;
static pf_net_gs_server *full_server;

static int count_store(void *ud, const char *client_id, const char *pem, const char *name)
{
    host_stored++;
    return 0;
}

static int store_in_full_server(void *ud, const pfi_peer_cert *cert, const char *pem,
                                const char *name)
{
    return pfi_gs_pair_store(full_server, cert, pem, name);
}

/* Audit finding 12 (decided): a client paired as the 257th was stored by the host and then
 * failed with a 500. Now a full table refuses before anything is stored, and says why. */
static void full_client_table_refuses_before_storing(void **state)
{
    fixture *f = *state;
    full_server = calloc(1, sizeof(*full_server));
    assert_non_null(full_server);
    full_server->cb =
        (pf_net_gs_callbacks){.version = PF_NET_GS_CALLBACKS_VERSION, .paired = count_store};
    full_server->nclients = PFI_GS_MAX_CLIENTS; /* empty certificates: none matches */
    f->pairing.hooks.paired = store_in_full_server;
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "FULL");
    phase1_with_pin(f, &p, "peer", "1234", 0);
    char *doc = phases_2_to_4(f, &p, GSC_OK);
    assert_int_equal(gsc_xml_status(doc), 503);
    assert_non_null(strstr(doc, "unpair one"));
    free(doc);
    assert_int_equal(host_stored, 0);
    assert_int_equal(full_server->nclients, PFI_GS_MAX_CLIENTS);
    gsc_pair_free(&p);
    free(full_server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(full_pairing_pin_after_phase1, setup, teardown),
        cmocka_unit_test_setup_teardown(known_answer_key, setup, teardown),
        cmocka_unit_test_setup_teardown(wrong_pin_fails_and_stores_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(pin_serves_one_attempt_and_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(out_of_order_and_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(lockout_after_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(serial0_client_pairs, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_pins_rejected, setup, teardown),
        cmocka_unit_test_setup_teardown(pin_takeover_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(slots_limited_per_peer, setup, teardown),
        cmocka_unit_test_setup_teardown(closed_attempt_dropped, setup, teardown),
        cmocka_unit_test_setup_teardown(abandoned_attempts_do_not_lock_out, setup, teardown),
        cmocka_unit_test_setup_teardown(full_client_table_refuses_before_storing, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
