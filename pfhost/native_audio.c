/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Surround over punktfunk/1 (native-protocol.md §8.2, §13 item 10). The document leaves the
 * multistream mappings untranscribed; these facts come from the reference's audio/layout.rs:
 *
 *  - Both ends interleave in one wire order, FL FR FC LFE RL RR SL SR (the first N slots for N
 *    channels). That is libpfencode's input order (FL FR C LFE BL BR SL SR), so the capture
 *    feeds the encoder as it is.
 *  - audio_layout 0 "legacy" (what punktfunk/1 shipped, and the default of every client):
 *    5.1 = 4 streams, 2 coupled, FL+FR and FC+LFE paired, RL and RR mono; 7.1 = 5 streams,
 *    3 coupled, RL+RR paired as well, SL and SR mono. The libopus mapping is the identity.
 *  - audio_layout 1 "standard" (RFC 7845 family 1, Sunshine's): FL+FR and RL+RR (and SL+SR)
 *    paired, FC and LFE mono; mapping 0 1 4 5 2 3 (5.1) and 0 1 6 7 2 3 4 5 (7.1) — exactly the
 *    GameStream normal-quality layout libpfencode already encodes.
 *  - audio_layout 2 "uncoupled": one mono stream per channel, identity mapping — GameStream's
 *    high-quality layout.
 *  - Any other channel count is stereo (one coupled stream), whatever the layout.
 *
 * This host implements ids 0, 1 and 2 and answers in the Welcome with the id it encodes. For
 * an id it does not know (3 and up) it encodes and announces legacy (0): the reference client
 * refuses to guess a layout it does not know, and 0 is the one every client has. Stereo
 * sessions announce 0 (stereo is the same stream under every id, and 0 keeps the Welcome at its
 * 88 bytes).
 *
 * Rates: libpfencode's normal-quality rates equal the reference's "standard" tier (5.1
 * 256 kbit/s, 7.1 450 kbit/s); stereo keeps the GameStream 96 kbit/s. The uncoupled layouts are
 * held at 1.536 Mbit/s (960-byte packets at 5 ms, 192 kbit/s a channel on 7.1, still far past
 * transparent): the reference's 2.048 Mbit/s 7.1 would make 1280-byte packets, more than a
 * QUIC DATAGRAM carries before path-MTU discovery has raised the packet size. The decoder reads
 * the rate from each packet, so no client depends on it. */
#include "native_audio.h"

#include <string.h>

#include "pf/audio_encode.h"

#define UNCOUPLED_MAX_BPS 1536000u

void native_audio_resolve(const pf_pkf1_hello *hello, native_audio_plan *ret)
{
    memset(ret, 0, sizeof(*ret));
    uint8_t ch = hello->audio_channels;
    ret->channels = ch == 6 || ch == 8 ? ch : 2;
    if (ret->channels == 2)
        return; /* stereo, layout 0, GameStream's stereo rate */
    switch (hello->audio_layout) {
    case NATIVE_AUDIO_LAYOUT_STANDARD:
        ret->layout = NATIVE_AUDIO_LAYOUT_STANDARD;
        ret->coupling = PF_ENCODE_AUDIO_COUPLING_SIDES;
        break;
    case NATIVE_AUDIO_LAYOUT_UNCOUPLED:
        ret->layout = NATIVE_AUDIO_LAYOUT_UNCOUPLED;
        ret->high_quality = 1;
        ret->bitrate_bps = UNCOUPLED_MAX_BPS;
        break;
    default: /* 0, or an id this host does not know: legacy */
        ret->layout = NATIVE_AUDIO_LAYOUT_LEGACY;
        ret->coupling = PF_ENCODE_AUDIO_COUPLING_CENTER;
        break;
    }
}
