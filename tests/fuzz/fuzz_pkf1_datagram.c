/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 QUIC DATAGRAM decoders: the input is one datagram, decoded by whichever
 * decoder its tag selects; whatever decodes must re-encode to the same bytes. */
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_datagram.h"

#include "fuzz_input.h"

static void same(const uint8_t *a, const uint8_t *b, size_t n, size_t m)
{
    if (n != m || memcmp(a, b, n) != 0)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 17];
    size_t len;
    if (size < 1 || size > sizeof(out))
        return 0;
    switch (data[0]) {
    case PF_PKF1_DG_INPUT: {
        pf_pkf1_input in;
        int r = pf_pkf1_input_decode(data, size, &in);
        if (r == 0 || r == PF_ERR_NOT_FOUND) {
            pf_pkf1_input_encode(&in, out);
            same(out, data, 18, size);
        }
        break;
    }
    case PF_PKF1_DG_AUDIO:
    case PF_PKF1_DG_MIC:
    case PF_PKF1_DG_AUDIO_RED:
    case PF_PKF1_DG_AUDIO_PCM: {
        pf_pkf1_audio a;
        if (pf_pkf1_audio_decode(data, size, &a) == 0) {
            if (pf_pkf1_audio_encode(&a, out, sizeof(out), &len) < 0)
                __builtin_trap();
            same(out, data, len, size);
        }
        break;
    }
    case PF_PKF1_DG_RUMBLE: {
        pf_pkf1_rumble r;
        if (pf_pkf1_rumble_decode(data, size, &r) == 0) {
            pf_pkf1_rumble_encode(&r, out, sizeof(out), &len);
            same(out, data, len, size);
        }
        break;
    }
    case PF_PKF1_DG_HDR: {
        pf_pkf1_hdr_meta m;
        if (pf_pkf1_hdr_body_decode(data + 1, size - 1, &m) == 0) {
            pf_pkf1_hdr_body_encode(&m, out);
            same(out, data + 1, PF_PKF1_HDR_BODY_BYTES, size - 1);
        }
        break;
    }
    case PF_PKF1_DG_HOST_TIMING: {
        pf_pkf1_host_timing t;
        if (pf_pkf1_host_timing_decode(data, size, &t) == 0) {
            pf_pkf1_host_timing_encode(&t, out, sizeof(out), &len);
            same(out, data, len, size);
        }
        break;
    }
    case PF_PKF1_DG_CURSOR: {
        pf_pkf1_cursor c;
        if (pf_pkf1_cursor_decode(data, size, &c) == 0) {
            pf_pkf1_cursor_encode(&c, out);
            same(out, data, 14, size);
        }
        break;
    }
    case PF_PKF1_DG_PAD_AUDIO: {
        pf_pkf1_pad_audio p;
        if (pf_pkf1_pad_audio_decode(data, size, &p) == 0) {
            if (pf_pkf1_pad_audio_encode(&p, out, sizeof(out), &len) < 0)
                __builtin_trap();
            same(out, data, len, size);
        }
        break;
    }
    default:
        break;
    }
    return 0;
}
