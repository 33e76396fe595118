/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/net.h"

#include "identity.h"

static void create_export_import(void **state)
{
    pf_net_identity *a, *b;
    assert_int_equal(pf_net_identity_create("box", &a), 0);
    const char *key = pf_net_identity_get_key_pem(a), *cert = pf_net_identity_get_cert_pem(a);
    assert_non_null(strstr(key, "PRIVATE KEY-----"));
    assert_non_null(strstr(cert, "-----BEGIN CERTIFICATE-----"));
    assert_int_equal(strlen(pf_net_identity_get_uniqueid(a)), PF_NET_UNIQUEID_LEN);
    /* RSA-2048 signs with 256-byte signatures; the certificate's own one is what pairing
     * hashes (certsig, §3.1). */
    assert_int_equal(a->certsig_len, 256);
    assert_int_equal(pf_net_identity_import(key, strlen(key), cert, strlen(cert),
                                            pf_net_identity_get_uniqueid(a), &b),
                     0);
    assert_string_equal(pf_net_identity_get_cert_pem(b), cert);
    assert_string_equal(pf_net_identity_get_uniqueid(b), pf_net_identity_get_uniqueid(a));
    assert_memory_equal(a->certsig, b->certsig, 256);
    uint8_t sig[PFI_SIG_MAX];
    size_t sl;
    assert_int_equal(pfi_identity_sign(b, (const uint8_t *)"0123456789abcdef", 16, sig, &sl), 0);
    pfi_peer_cert pc;
    assert_int_equal(pfi_peer_cert_parse(cert, strlen(cert), &pc), 0);
    assert_int_equal(pfi_peer_cert_verify(&pc, (const uint8_t *)"0123456789abcdef", 16, sig, sl), 0);
    sig[10] ^= 1;
    assert_int_equal(pfi_peer_cert_verify(&pc, (const uint8_t *)"0123456789abcdef", 16, sig, sl),
                     PF_ERR_AUTH);
    pfi_peer_cert_clear(&pc);
    pf_net_identity_destroy(a);
    pf_net_identity_destroy(b);
}

static void import_rejects_mismatch_and_garbage(void **state)
{
    pf_net_identity *a, *b, *c = NULL;
    assert_int_equal(pf_net_identity_create(NULL, &a), 0);
    assert_int_equal(pf_net_identity_create(NULL, &b), 0);
    const char *ka = pf_net_identity_get_key_pem(a), *cb = pf_net_identity_get_cert_pem(b);
    assert_int_equal(pf_net_identity_import(ka, strlen(ka), cb, strlen(cb), "x", &c),
                     PF_ERR_MALFORMED);
    assert_null(c);
    assert_int_equal(pf_net_identity_import("junk", 4, cb, strlen(cb), "x", &c),
                     PF_ERR_MALFORMED);
    assert_int_equal(pf_net_identity_import(ka, strlen(ka), "junk", 4, "x", &c),
                     PF_ERR_MALFORMED);
    const char *ca = pf_net_identity_get_cert_pem(a);
    assert_int_equal(pf_net_identity_import(ka, strlen(ka), ca, strlen(ca), "bad id<", &c),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_net_identity_import(ka, strlen(ka), ca, strlen(ca), "", &c),
                     PF_ERR_INVALID_ARGUMENT);
    pf_net_identity_destroy(a);
    pf_net_identity_destroy(b);
    pf_net_identity_destroy(NULL);
}

static void cert_id_and_der(void **state)
{
    pf_net_identity *a;
    assert_int_equal(pf_net_identity_create(NULL, &a), 0);
    const char *pem = pf_net_identity_get_cert_pem(a);
    uint8_t der[4096];
    size_t n;
    assert_int_equal(pf_net_cert_pem_to_der(pem, strlen(pem), der, sizeof(der), &n), 0);
    assert_int_equal(n, a->cert_der_len);
    assert_memory_equal(der, a->cert_der, n);
    assert_int_equal(pf_net_cert_pem_to_der(pem, strlen(pem), der, 10, &n),
                     PF_ERR_BUFFER_TOO_SMALL);
    char id1[17], id2[17];
    assert_int_equal(pf_net_cert_id(der, a->cert_der_len, id1), 0);
    assert_int_equal(strlen(id1), 16);
    der[a->cert_der_len - 1] ^= 1;
    assert_int_equal(pf_net_cert_id(der, a->cert_der_len, id2), 0);
    assert_string_not_equal(id1, id2);
    pf_net_identity_destroy(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(create_export_import),
        cmocka_unit_test(import_rejects_mismatch_and_garbage),
        cmocka_unit_test(cert_id_and_der),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
