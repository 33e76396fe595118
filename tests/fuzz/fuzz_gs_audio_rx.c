/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream audio reassembler on arbitrary datagram sequences. Byte 0: bit 0 decrypts with
 * the fixed test key and rikeyid 0x12345678; bits 1–3 give max_pending_blocks - 1. */
#include "pf/core/gs_audio.h"

#include "fuzz_input.h"

typedef struct sink {
    uint64_t bytes;
    uint32_t next;
    int have_next;
} sink;

static void on_packet(void *user_data, const pf_gs_audio_packet *p)
{
    sink *s = user_data;
    uint8_t acc = 0;
    for (size_t i = 0; i < p->len; i++)
        acc ^= p->data[i];
    s->bytes += p->len + acc;
    /* Delivery is strictly in sequence order: each packet follows the last one reported. */
    if (s->have_next && p->seq != (uint16_t)s->next)
        __builtin_trap();
    s->next = (uint16_t)(p->seq + 1u);
    s->have_next = 1;
}

static void on_lost(void *user_data, uint16_t first, uint32_t count)
{
    sink *s = user_data;
    if (s->have_next && first != (uint16_t)s->next)
        __builtin_trap();
    s->next = (uint16_t)(first + count);
    s->have_next = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    pf_gs_audio_rx_settings s;
    pf_gs_audio_rx_settings_default(PF_GS_AUDIO_RX_SETTINGS_VERSION, &s);
    s.decrypt = data[0] & 1u;
    s.rikeyid = 0x12345678u;
    s.max_pending_blocks = 1u + ((data[0] >> 1) & 7u);
    for (int i = 0; i < 16; i++)
        s.key[i] = (uint8_t)i;
    sink out = {0};
    s.callbacks.on_packet = on_packet;
    s.callbacks.on_lost = on_lost;
    s.callbacks.user_data = &out;
    pf_gs_audio_rx *rx = NULL;
    if (pf_gs_audio_rx_create(&s, &rx) < 0)
        __builtin_trap();
    fuzz_input in = {data, size, 1};
    const uint8_t *pkt;
    size_t len;
    while (fuzz_next_packet(&in, &pkt, &len)) {
        if (pf_gs_audio_rx_feed(rx, pkt, len) > 0)
            __builtin_trap();
    }
    pf_gs_audio_rx_destroy(rx);
    return 0;
}
