/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The host's microphone uplink (pfhost/native_mic_decode.c): a sequence of datagrams (records
 * of fuzz_input.h; byte 0 unused) through one decoder, as one client's 0xCB stream would reach
 * it: malformed prefixes, any Opus bytes, replayed, reordered and far-jumping sequence
 * numbers. Every call must stay inside its output bound. */
#include <stdlib.h>

#include "fuzz_input.h"
#include "native_mic_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int16_t pcm[MIC_PCM_CAP];
    if (size < 1)
        return 0;
    mic_decoder *d;
    if (mic_decoder_create(&d) < 0)
        __builtin_trap();
    fuzz_input in = {.data = data, .len = size, .pos = 1};
    const uint8_t *pkt;
    size_t len;
    while (fuzz_next_packet(&in, &pkt, &len)) {
        int n = mic_decoder_datagram(d, pkt, len, pcm);
        if (n < 0 || n > (int)MIC_PCM_CAP)
            __builtin_trap();
    }
    mic_decoder_destroy(d);
    return 0;
}
