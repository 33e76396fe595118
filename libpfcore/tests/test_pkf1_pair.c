/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 pairing: SPAKE2 against the spake2 0.4 crate's known answer and the
 * punktfunk-shaped vector of native-protocol.md §6.6, the ceremony state machines end to end
 * (right PIN, wrong PIN, tampered proof, out-of-order calls, malformed messages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_pair.h"

#include "gs_test_util.h"

/* x and y of the crate's test_asymmetric, little-endian (64 bytes, upper half zero). */
static uint8_t x64[64], y64[64];

static int setup(void **state)
{
    (void)state;
    memset(x64, 0, sizeof(x64));
    memset(y64, 0, sizeof(y64));
    gs_unhex("25184061a70b1142f1a9f043a52cf7033dc308b5a0a32e42b003ecd59c2ac605", x64);
    gs_unhex("9fb5e845084e0cbe27ac8b4d3af139b33f3f8a047d4234e2d45d33c5cd367b0f", y64);
    return 0;
}

static void expect_hex(const uint8_t *got, size_t n, const char *hex)
{
    uint8_t want[256];
    assert_true(strlen(hex) < 2 * sizeof(want));
    assert_int_equal(gs_unhex(hex, want), n);
    assert_memory_equal(got, want, n);
}

static void test_crate_kat(void **state)
{
    (void)state;
    pf_pkf1_spake2 *a, *b;
    const uint8_t *pw = (const uint8_t *)"password";
    assert_int_equal(pf_pkf1_spake2_create(NULL, PF_PKF1_SPAKE2_SIDE_A, pw, 8,
                                           (const uint8_t *)"idA", 3, (const uint8_t *)"idB", 3,
                                           x64, &a), 0);
    assert_int_equal(pf_pkf1_spake2_create(NULL, PF_PKF1_SPAKE2_SIDE_B, pw, 8,
                                           (const uint8_t *)"idA", 3, (const uint8_t *)"idB", 3,
                                           y64, &b), 0);
    uint8_t ma[33], mb[33], ka[32], kb[32];
    pf_pkf1_spake2_message(a, ma);
    pf_pkf1_spake2_message(b, mb);
    expect_hex(ma, 33, "416fc960df73c9cf8ed7198b0c9534e2e96a5984bfc5edc023fd24dacf371f2af9");
    expect_hex(mb, 33, "42354e97b88406922b1df4bea1d7870f17aed3dba7c720b313edae315b00959309");
    /* wrong letter, wrong length */
    assert_int_equal(pf_pkf1_spake2_finish(a, ma, 33, ka), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_spake2_finish(a, mb, 32, ka), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_spake2_finish(a, mb, 33, ka), 0);
    assert_int_equal(pf_pkf1_spake2_finish(b, ma, 33, kb), 0);
    expect_hex(ka, 32, "712295de7219c675ddd31942184aa26e0a957cf216bc230d165b215047b520c1");
    assert_memory_equal(ka, kb, 32);
    assert_int_equal(pf_pkf1_spake2_finish(a, mb, 33, ka), PF_ERR_STATE);
    pf_pkf1_spake2_destroy(a);
    pf_pkf1_spake2_destroy(b);
}

static void test_invalid_point(void **state)
{
    (void)state;
    pf_pkf1_spake2 *a;
    assert_int_equal(pf_pkf1_spake2_create(NULL, PF_PKF1_SPAKE2_SIDE_A,
                                           (const uint8_t *)"1234", 4, NULL, 0, NULL, 0, NULL,
                                           &a), 0);
    uint8_t bad[33], key[32];
    memset(bad, 0xFF, sizeof(bad)); /* y >= p: not a point */
    bad[0] = 'B';
    assert_int_equal(pf_pkf1_spake2_finish(a, bad, 33, key), PF_ERR_MALFORMED);
    pf_pkf1_spake2_destroy(a);
    /* the identity is a valid encoding but of small order */
    assert_int_equal(pf_pkf1_spake2_create(NULL, PF_PKF1_SPAKE2_SIDE_A,
                                           (const uint8_t *)"1234", 4, NULL, 0, NULL, 0, NULL,
                                           &a), 0);
    memset(bad, 0, sizeof(bad));
    bad[0] = 'B';
    bad[1] = 1;
    assert_int_equal(pf_pkf1_spake2_finish(a, bad, 33, key), PF_ERR_MALFORMED);
    pf_pkf1_spake2_destroy(a);
}

static uint8_t client_fp[32], host_fp[32];

static void fingerprints(void)
{
    memset(client_fp, 0x11, sizeof(client_fp));
    memset(host_fp, 0x22, sizeof(host_fp));
}

/* §6.6: the whole ceremony with PIN "4321" and the same x and y, byte for byte. */
static void test_punktfunk_vector(void **state)
{
    (void)state;
    fingerprints();
    pf_pkf1_pair *c, *h;
    assert_int_equal(pf_pkf1_pair_client_create(NULL, (const uint8_t *)"4321", 4, client_fp,
                                                host_fp, (const uint8_t *)"TV", 2, x64, &c), 0);
    assert_int_equal(pf_pkf1_pair_host_create(NULL, (const uint8_t *)"4321", 4, client_fp,
                                              host_fp, y64, &h), 0);
    uint8_t req[128], chal[128], proof[128], res[16], name[64];
    size_t req_len, chal_len, proof_len, res_len, name_len;
    assert_int_equal(pf_pkf1_pair_client_request(c, req, sizeof(req), &req_len), 0);
    expect_hex(req, req_len,
               "504b4663 10 02 5456 2100 "
               "41d042a6cb55725f7363be59245ab4105fae66eedd4648019988929a05e8f9ed9c");
    assert_int_equal(pf_pkf1_pair_host_get_name(h, name, sizeof(name), &name_len), PF_ERR_STATE);
    assert_int_equal(pf_pkf1_pair_host_on_request(h, req, req_len, chal, sizeof(chal),
                                                  &chal_len), 0);
    assert_int_equal(pf_pkf1_pair_host_get_name(h, name, sizeof(name), &name_len), 0);
    assert_int_equal(name_len, 2);
    expect_hex(chal, chal_len,
               "504b4663 11 2100 "
               "42e78fac049a202b70d5df08d47a2f9fcccfac78b12afb25454dea1bf60eb2801c "
               "83d95cc932c4be507c2ca14183d678d66cd334bbf881599032172156e1e8d304");
    assert_int_equal(pf_pkf1_pair_client_on_challenge(c, chal, chal_len, proof, sizeof(proof),
                                                      &proof_len), 0);
    expect_hex(proof, proof_len,
               "504b4663 12 b562d7035efe52a160aea19e7dd6e64cad434ddd0734d026125eae2fc0594cea");
    assert_int_equal(pf_pkf1_pair_host_on_proof(h, proof, proof_len, res, sizeof(res),
                                                &res_len), 0);
    expect_hex(res, res_len, "504b4663 13 01");
    assert_int_equal(pf_pkf1_pair_client_on_result(c, res, res_len), 0);
    /* each step once */
    assert_int_equal(pf_pkf1_pair_client_on_result(c, res, res_len), PF_ERR_STATE);
    assert_int_equal(pf_pkf1_pair_host_on_proof(h, proof, proof_len, res, sizeof(res),
                                                &res_len), PF_ERR_STATE);

    /* the confirmation MACs on their own */
    uint8_t key[32], mac[32];
    gs_unhex("dc6cb6372dce4308f8e5952ce5a08d2929d48220a1e2405c933b65659f00b632", key);
    assert_int_equal(pf_pkf1_pair_confirm(1, key, client_fp, host_fp, mac), 0);
    expect_hex(mac, 32, "83d95cc932c4be507c2ca14183d678d66cd334bbf881599032172156e1e8d304");
    pf_pkf1_pair_destroy(c);
    pf_pkf1_pair_destroy(h);
}

static void test_wrong_pin(void **state)
{
    (void)state;
    fingerprints();
    pf_pkf1_pair *c, *h;
    assert_int_equal(pf_pkf1_pair_client_create(NULL, (const uint8_t *)"1111", 4, client_fp,
                                                host_fp, NULL, 0, NULL, &c), 0);
    assert_int_equal(pf_pkf1_pair_host_create(NULL, (const uint8_t *)"4321", 4, client_fp,
                                              host_fp, NULL, &h), 0);
    uint8_t req[128], chal[128], proof[128];
    size_t req_len, chal_len, proof_len;
    assert_int_equal(pf_pkf1_pair_client_request(c, req, sizeof(req), &req_len), 0);
    assert_int_equal(pf_pkf1_pair_host_on_request(h, req, req_len, chal, sizeof(chal),
                                                  &chal_len), 0);
    assert_int_equal(pf_pkf1_pair_client_on_challenge(c, chal, chal_len, proof, sizeof(proof),
                                                      &proof_len), PF_ERR_AUTH);
    pf_pkf1_pair_destroy(c);
    pf_pkf1_pair_destroy(h);
}

static void test_tampered_proof_and_order(void **state)
{
    (void)state;
    fingerprints();
    pf_pkf1_pair *c, *h;
    assert_int_equal(pf_pkf1_pair_client_create(NULL, (const uint8_t *)"0042", 4, client_fp,
                                                host_fp, NULL, 0, NULL, &c), 0);
    assert_int_equal(pf_pkf1_pair_host_create(NULL, (const uint8_t *)"0042", 4, client_fp,
                                              host_fp, NULL, &h), 0);
    uint8_t req[128], chal[128], proof[128], res[16];
    size_t req_len, chal_len, proof_len, res_len;
    /* out of order */
    assert_int_equal(pf_pkf1_pair_host_on_proof(h, req, 5, res, sizeof(res), &res_len),
                     PF_ERR_STATE);
    assert_int_equal(pf_pkf1_pair_client_on_challenge(c, req, 5, proof, sizeof(proof),
                                                      &proof_len), PF_ERR_STATE);
    assert_int_equal(pf_pkf1_pair_client_request(c, req, sizeof(req), &req_len), 0);
    assert_int_equal(pf_pkf1_pair_client_request(c, req, sizeof(req), &req_len), PF_ERR_STATE);
    /* a Hello where a PairRequest belongs */
    assert_int_equal(pf_pkf1_pair_host_on_request(h, (const uint8_t *)"PKF1\x02\0\0\0", 8, chal,
                                                  sizeof(chal), &chal_len), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_pair_host_on_request(h, req, req_len, chal, sizeof(chal),
                                                  &chal_len), 0);
    assert_int_equal(pf_pkf1_pair_client_on_challenge(c, chal, chal_len, proof, sizeof(proof),
                                                      &proof_len), 0);
    proof[10] ^= 1;
    assert_int_equal(pf_pkf1_pair_host_on_proof(h, proof, proof_len, res, sizeof(res),
                                                &res_len), PF_ERR_AUTH);
    expect_hex(res, res_len, "504b4663 13 00");
    assert_int_equal(pf_pkf1_pair_client_on_result(c, res, res_len), PF_ERR_AUTH);
    pf_pkf1_pair_destroy(c);
    pf_pkf1_pair_destroy(h);

    /* a malformed SPAKE2 message spends the host object */
    assert_int_equal(pf_pkf1_pair_host_create(NULL, (const uint8_t *)"0042", 4, client_fp,
                                              host_fp, NULL, &h), 0);
    /* PairRequest without a name: magic, type, name_len 0, LE16 33, then 'A' at 8 */
    assert_int_equal(req[8], 'A');
    req[8] = 'B'; /* the host's own side letter */
    assert_int_equal(pf_pkf1_pair_host_on_request(h, req, req_len, chal, sizeof(chal),
                                                  &chal_len), PF_ERR_MALFORMED);
    assert_int_equal(pf_pkf1_pair_host_on_request(h, req, req_len, chal, sizeof(chal),
                                                  &chal_len), PF_ERR_STATE);
    pf_pkf1_pair_destroy(h);
    pf_pkf1_pair_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crate_kat),
        cmocka_unit_test(test_invalid_point),
        cmocka_unit_test(test_punktfunk_vector),
        cmocka_unit_test(test_wrong_pin),
        cmocka_unit_test(test_tampered_proof_and_order),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
