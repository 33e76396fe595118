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
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", 500), 0);
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
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", 0), 0);
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_memory_equal(p.key, key, 16);
    assert_int_equal(gsc_pair_phase1_reply(&p, doc), GSC_OK);
    free(doc);
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
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "4321", 0), 0);
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_pair_phase1_reply(&p, doc), GSC_OK);
    free(doc);
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
    gsc_pair a, b, c;
    gsc_pair_init(&a, &f->client, "1111", "A");
    gsc_pair_init(&b, &f->client2, "1111", "B");
    gsc_pair_init(&c, &f->client2, "2222", "C");
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1111", 0), 0);
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&a), "peer", 10, &doc), PFI_PAIR_REPLY);
    free(doc);
    /* Spent: the next attempt waits for a new PIN. */
    assert_int_equal(request(f, gsc_pair_phase1(&b), "peer", 20, &doc), PFI_PAIR_WAIT);
    assert_int_equal(pfi_pair_waiting(&f->pairing), 1);
    /* A PIN entered long before anyone pairs has expired. */
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "2222", 100), 0);
    assert_int_equal(f->completed, 1); /* went to B, the oldest waiter */
    free(f->completed_doc);
    f->completed_doc = NULL;
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "2222", 200), 0);
    pfi_pair_expire(&f->pairing, 200 + f->cfg.pin_ttl_ms);
    assert_int_equal(request(f, gsc_pair_phase1(&c), "other", 200 + f->cfg.pin_ttl_ms, &doc),
                     PFI_PAIR_WAIT);
    /* Nobody types a PIN: the waiting request is answered with a failure in the end. */
    pfi_pair_expire(&f->pairing, 200 + f->cfg.pin_ttl_ms + f->cfg.pin_wait_ms);
    assert_int_equal(f->completed, 2);
    assert_int_equal(gsc_xml_status(f->completed_doc), 408);
    char *paired = gsc_xml_get(f->completed_doc, "paired");
    assert_string_equal(paired, "0");
    free(paired);
    gsc_pair_free(&a);
    gsc_pair_free(&b);
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
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", 0), 0);
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_pair_phase1_reply(&p, doc), GSC_OK);
    free(doc);
    assert_int_equal(request(f, gsc_pair_phase3(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(request(f, gsc_pair_phase2(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 400);
    free(doc);
    assert_int_equal(f->paired, 0);
    gsc_pair_free(&p);
}

static void lockout_after_failures(void **state)
{
    fixture *f = *state;
    uint64_t now = 0;
    for (uint32_t i = 0; i < f->cfg.pair_max_failures; i++) {
        gsc_pair p;
        gsc_pair_init(&p, &f->client, "1234", "G");
        assert_int_equal(pfi_pair_set_pin(&f->pairing, "9999", now), 0);
        char *doc;
        assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", now, &doc), PFI_PAIR_REPLY);
        assert_int_equal(gsc_pair_phase1_reply(&p, doc), GSC_OK);
        free(doc);
        doc = phases_2_to_4(f, &p, GSC_WRONG_PIN);
        free(doc);
        gsc_pair_free(&p);
        now += 10;
    }
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", now), PF_ERR_LIMIT);
    gsc_pair p;
    gsc_pair_init(&p, &f->client, "1234", "G");
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", now, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_xml_status(doc), 503);
    free(doc);
    /* phases 2-4 ran at t=1000, the last failure started the lock-out then */
    now = 1000 + f->cfg.pair_lockout_ms;
    pfi_pair_expire(&f->pairing, now);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "1234", now), 0);
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", now, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_pair_phase1_reply(&p, doc), GSC_OK);
    free(doc);
    assert_int_equal(f->paired, 0);
    gsc_pair_free(&p);
}

static void serial0_client_pairs(void **state)
{
    fixture *f = *state;
    gsc_pair p;
    gsc_pair_init(&p, &f->client2, "5678", "0123456789ABCDEF");
    assert_int_equal(pfi_pair_set_pin(&f->pairing, "5678", 0), 0);
    char *doc;
    assert_int_equal(request(f, gsc_pair_phase1(&p), "peer", 0, &doc), PFI_PAIR_REPLY);
    assert_int_equal(gsc_pair_phase1_reply(&p, doc), GSC_OK);
    free(doc);
    doc = phases_2_to_4(f, &p, GSC_OK);
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
        assert_int_equal(pfi_pair_set_pin(&f->pairing, bad[i], 0), PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pfi_pair_set_pin(&f->pairing, NULL, 0), PF_ERR_INVALID_ARGUMENT);
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
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
