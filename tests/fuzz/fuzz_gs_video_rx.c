/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream video reassembler on arbitrary datagram sequences (plaintext, or sealed with
 * the fixed test key when built with FUZZ_ENCRYPTED). Byte 0: bits 0–1 pick P from
 * {48, 64, 128, 1392}; bit 2 lowers max_block_shards to 16. */
#include <string.h>

#include "pf/core/gs_video.h"

#include "fuzz_input.h"

#ifndef FUZZ_ENCRYPTED
#define FUZZ_ENCRYPTED 0
#endif

static const uint32_t packet_sizes[4] = {48, 64, 128, 1392};

typedef struct sink {
    uint64_t bytes;
    uint64_t lost;
} sink;

static void on_frame(void *user_data, const pf_gs_video_frame *frame)
{
    sink *s = user_data;
    /* Touch every delivered byte so that ASan sees any out-of-bounds view. */
    uint8_t acc = 0;
    for (size_t i = 0; i < frame->len; i++)
        acc ^= frame->data[i];
    s->bytes += frame->len + acc;
}

static void on_lost(void *user_data, uint32_t first, uint32_t count)
{
    sink *s = user_data;
    s->lost += count + (first & 1u);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    pf_gs_video_rx_settings s;
    pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &s);
    s.packet_size = packet_sizes[data[0] & 3u];
    s.max_block_shards = (data[0] & 4u) ? 16 : (s.packet_size > 128 ? 255 : 1023);
    s.decrypt = FUZZ_ENCRYPTED;
    for (int i = 0; i < 16; i++)
        s.key[i] = (uint8_t)i;
    sink out = {0};
    s.callbacks.on_frame = on_frame;
    s.callbacks.on_frames_lost = on_lost;
    s.callbacks.user_data = &out;
    pf_gs_video_rx *rx = NULL;
    if (pf_gs_video_rx_create(&s, &rx) < 0)
        __builtin_trap();
    fuzz_input in = {data, size, 1};
    const uint8_t *pkt;
    size_t len;
    while (fuzz_next_packet(&in, &pkt, &len)) {
        if (pf_gs_video_rx_feed(rx, pkt, len) > 0)
            __builtin_trap();
    }
    pf_gs_video_rx_stats st;
    pf_gs_video_rx_get_stats(rx, &st);
    if (st.frames_delivered > st.packets_accepted)
        __builtin_trap();
    pf_gs_video_rx_destroy(rx);
    return 0;
}
