/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 host pairing state machine: the input is two records (PairRequest, PairProof)
 * fed to a host object with a fixed PIN; any order or content must end in a clear error or a
 * refused proof, never a crash. A proof cannot succeed without the PIN. */
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_pair.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t fp_c[32] = {1}, fp_h[32] = {2}, fixed_random[64] = {7};
    if (size < 1)
        return 0;
    fuzz_input in = {data, size, 1}; /* byte 0: unused configuration */
    pf_pkf1_pair *host;
    if (pf_pkf1_pair_host_create(NULL, (const uint8_t *)"4321", 4, fp_c, fp_h, fixed_random,
                                 &host) < 0)
        return 0;
    const uint8_t *pkt;
    size_t len, out_len;
    uint8_t out[PF_PKF1_PAIR_MAX_MSG_BYTES];
    int step = 0;
    while (fuzz_next_packet(&in, &pkt, &len)) {
        int r;
        if (step++ == 0)
            r = pf_pkf1_pair_host_on_request(host, pkt, len, out, sizeof(out), &out_len);
        else
            r = pf_pkf1_pair_host_on_proof(host, pkt, len, out, sizeof(out), &out_len);
        /* No input can make the host accept a proof: the fuzzer does not know the key. */
        if (step == 2 && r == 0)
            __builtin_trap();
    }
    pf_pkf1_pair_destroy(host);
    return 0;
}
