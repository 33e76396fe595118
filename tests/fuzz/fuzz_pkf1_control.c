/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 typed control messages: the input is a control-stream byte sequence; every
 * frame is split off and decoded, and whatever decodes must re-encode consistently. */
#include <string.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t buf[PF_PKF1_MSG_MAX_BYTES], buf2[PF_PKF1_MSG_MAX_BYTES];
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
        /* Every type has one encoding, except that decoding normalises an unknown
         * LaunchOutcome kind, drops a PairRequest name it refuses and ignores bytes after
         * a ProbeResult (as the reference does): what the encoder
         * writes must read back and write again identically, and equal the input for the
         * other types. */
        size_t len, len2;
        pf_pkf1_msg again;
        if (pf_pkf1_msg_encode(&m, buf, sizeof(buf), &len) < 0 ||
            pf_pkf1_msg_decode(buf, len, &again) < 0 ||
            pf_pkf1_msg_encode(&again, buf2, sizeof(buf2), &len2) < 0 || len2 != len ||
            memcmp(buf, buf2, len) != 0)
            __builtin_trap();
        if (m.type != PF_PKF1_MSG_PAIR_REQUEST && m.type != PF_PKF1_MSG_LAUNCH_OUTCOME &&
            m.type != PF_PKF1_MSG_PROBE_RESULT &&
            (len != plen || memcmp(buf, payload, len) != 0))
            __builtin_trap();
    }
    return 0;
}
