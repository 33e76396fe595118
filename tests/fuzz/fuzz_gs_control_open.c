/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream control-message and encrypted-RTSP opening with the fixed test key. Byte 0:
 * bit 0 legacy IV, bit 1 host origin, bit 2 RTSP framing instead of a control message.
 * Anything that opens must seal back to the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "pf/core/gs_control.h"

#include "fuzz_input.h"

static const uint8_t test_key[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint32_t mode = data[0] & 1u ? PF_GS_CONTROL_IV_LEGACY : PF_GS_CONTROL_IV_V2;
    uint32_t origin = data[0] & 2u ? PF_GS_ORIGIN_HOST : PF_GS_ORIGIN_CLIENT;
    const uint8_t *msg = data + 1;
    size_t len = size - 1;
    pf_gs_cipher *c = NULL;
    if (pf_gs_cipher_create(NULL, test_key, &c) < 0)
        __builtin_trap();
    uint8_t *out = malloc(len + 1);
    uint8_t *again = malloc(len + 64);
    if (!out || !again)
        __builtin_trap();
    size_t again_len = 0;
    if (data[0] & 4u) {
        size_t total = 0;
        (void)pf_gs_rtsp_get_length(msg, len, &total);
        uint32_t seq = 0;
        size_t plen = 0;
        if (pf_gs_rtsp_open(c, origin, msg, len, out, len, &seq, &plen) == 0) {
            if (pf_gs_rtsp_seal(c, origin, seq, out, plen, again, len + 64, &again_len) < 0 ||
                again_len != len || memcmp(again, msg, len) != 0)
                __builtin_trap();
        }
    } else {
        pf_gs_control_msg m;
        if (pf_gs_control_open(c, mode, origin, msg, len, out, len, &m) == 0) {
            if (pf_gs_control_seal(c, mode, origin, m.seq, m.type, out, m.payload_len, again,
                                   len + 64, &again_len) < 0)
                __builtin_trap();
            /* Bytes past the declared length are ignored, and a payloadLength shorter
             * than the plaintext reseals shorter: compare only exact re-encodings. */
            size_t declared = 4u + (size_t)(msg[2] | (msg[3] << 8));
            if (again_len > len)
                __builtin_trap();
            if (again_len == declared && memcmp(again, msg, again_len) != 0)
                __builtin_trap();
        }
    }
    free(out);
    free(again);
    pf_gs_cipher_destroy(c);
    return 0;
}
