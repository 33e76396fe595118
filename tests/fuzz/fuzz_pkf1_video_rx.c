/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 video reassembler on arbitrary datagram sequences. Byte 0: bit 0 = sealed
 * (AES-128-GCM with the fixed test key and salt) else plaintext header ‖ shard; bit 1 =
 * ChaCha20-Poly1305 instead; bits 2–3 pick the Welcome S from {512, 1388, 1408, 600};
 * bit 4 = blocks of 64 data shards instead of 4096. AUs are bounded to 1 MiB. */
#include <string.h>

#include "pf/core/pkf1_media.h"

#include "fuzz_input.h"
#include "pkf1_fuzz_keys.h"

typedef struct sink {
    uint64_t bytes;
    uint64_t lost;
} sink;

static void on_frame(void *user_data, const pf_pkf1_video_frame *frame)
{
    sink *s = user_data;
    uint8_t acc = 0;
    for (size_t i = 0; i < frame->len; i++) /* ASan sees any out-of-bounds view */
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
    static pf_rs16_tables *tables; /* 30 ms to build: once per process */
    if (size < 1 || (!tables && pf_rs16_tables_create(&tables) < 0))
        return 0;
    uint8_t config = data[0];
    pf_pkf1_video_rx_settings s;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &s);
    s.decrypt = config & 1;
    s.cipher = config & 2 ? PF_AEAD_CHACHA20_POLY1305 : PF_AEAD_AES128_GCM;
    s.shard_payload = pkf1_fuzz_shards[(config >> 2) & 3];
    s.max_data_per_block = config & 16 ? 64 : 4096;
    s.max_frame_bytes = 1u << 20;
    memcpy(s.key, pkf1_fuzz_key, sizeof(s.key));
    memcpy(s.salt, pkf1_fuzz_salt, sizeof(s.salt));
    s.rs16_tables = tables;
    sink k = {0, 0};
    s.callbacks.on_frame = on_frame;
    s.callbacks.on_frames_lost = on_lost;
    s.callbacks.user_data = &k;
    pf_pkf1_video_rx *rx;
    if (pf_pkf1_video_rx_create(&s, &rx) < 0)
        return 0;
    fuzz_input in = {data, size, 1};
    const uint8_t *pkt;
    size_t len;
    while (fuzz_next_packet(&in, &pkt, &len))
        (void)pf_pkf1_video_rx_feed(rx, pkt, len);
    pf_pkf1_video_rx_stats st;
    pf_pkf1_video_rx_get_stats(rx, &st);
    if (st.frames_delivered > st.packets_received)
        __builtin_trap();
    pf_pkf1_video_rx_destroy(rx);
    return 0;
}
