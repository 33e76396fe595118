/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 typed control messages: the input is a control-stream byte sequence; every
 * frame is split off and decoded, and whatever decodes must re-encode to the same bytes
 * (each type has exactly one encoding). */
#include <string.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[PF_PKF1_MSG_MAX_BYTES];
    size_t pos = 0;
    for (;;) {
        const uint8_t *payload;
        size_t plen, used;
        if (pf_pkf1_frame_split(data + pos, size - pos, &payload, &plen, &used) < 0)
            break;
        pos += used;
        pf_pkf1_msg m;
        if (pf_pkf1_msg_decode(payload, plen, &m) < 0)
            continue;
        if (m.type == PF_PKF1_MSG_CLIP_OFFER)
            for (uint32_t i = 0; i <= m.code8; i++) {
                const uint8_t *mime;
                size_t mime_len;
                uint64_t hint;
                int r = pf_pkf1_clip_offer_kind(&m, i, &mime, &mime_len, &hint);
                if ((i < m.code8) != (r == 0))
                    __builtin_trap();
            }
        size_t len;
        /* A PairRequest name the decoder refused is dropped, so only compare the rest. */
        if (m.type == PF_PKF1_MSG_PAIR_REQUEST)
            continue;
        if (pf_pkf1_msg_encode(&m, buf, sizeof(buf), &len) < 0 || len != plen ||
            memcmp(buf, payload, len) != 0)
            __builtin_trap();
    }
    return 0;
}
