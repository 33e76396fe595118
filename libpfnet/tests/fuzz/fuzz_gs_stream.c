/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Streaming-plane parsers on untrusted bytes. Byte 0 picks the parser: 0 an RTSP request
 * (with the reply built as the server would), 1 an ANNOUNCE body, 2 a §9 input packet;
 * the rest is the input. Nothing may crash, read out of bounds or loop; results must keep
 * their documented invariants. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pf/core/error.h"

#include "gs_input.h"
#include "gs_rtsp_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    switch (data[0] % 3) {
    case 0: {
        pfi_rtsp_request r;
        if (pfi_rtsp_request_parse(text, len, &r) == 0) {
            if (r.total_len > len || r.body + r.body_len > text + len || !r.has_cseq)
                __builtin_trap();
            pf_net_gs_stream_config c = {.struct_size = sizeof(c)};
            pf_net_gs_announce_parse(r.body, r.body_len, &c);
            char out[4096];
            if (pfi_rtsp_reply(200, r.cseq, NULL, r.body, r.body_len, out, sizeof(out)) < 0 &&
                r.body_len < 1024)
                __builtin_trap();
        }
        break;
    }
    case 1: {
        pf_net_gs_stream_config c = {.struct_size = sizeof(c)};
        if (pf_net_gs_announce_parse(text, len, &c) == 0 &&
            (c.width < 16 || c.height < 16 || c.fps < 1 || c.slices < 1 ||
             (c.audio_channels != 2 && c.audio_channels != 6 && c.audio_channels != 8)))
            __builtin_trap();
        break;
    }
    default: {
        pf_input_event e;
        if (pfi_gs_input_decode(data + 1, len, &e) == 0 &&
            (e.struct_size != sizeof(e) || e.type == PF_INPUT_EVENT_NONE))
            __builtin_trap();
        break;
    }
    }
    return 0;
}
