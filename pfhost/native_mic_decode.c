/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The microphone uplink (native-protocol.md §8.3). Its channel count is not settled by the
 * document (§13 item 10); the reference's clients send mono (audio/mic.rs: 10 ms mono frames,
 * 48 kbit/s VOIP with in-band FEC). This host decodes with a mono libopus decoder, which takes
 * stereo packets too (libopus downmixes them), so a client sending either works and the virtual
 * source is mono. Any frame length Opus allows (2.5–120 ms) is accepted, not only 10 ms.
 *
 * Sequence numbers: an older or repeated seq (wrapping compare) is dropped; a gap of up to
 * MIC_MAX_CONCEAL packets is concealed (the last lost packet from the arriving packet's
 * in-band FEC, earlier ones by libopus's loss concealment) so the source keeps its timing; a
 * longer gap is a pause (the client muted), not concealed. */
#include "native_mic_decode.h"

#include <stdlib.h>

#include <opus/opus.h>

#include "pf/core/pkf1_datagram.h"

struct mic_decoder {
    OpusDecoder *dec;
    int have_seq;
    uint32_t last_seq;
    int last_frames; /* samples of the last packet, for concealment */
    mic_decoder_stats st;
};

int mic_decoder_create(mic_decoder **ret)
{
    mic_decoder *d = calloc(1, sizeof(*d));
    int err = 0;
    if (!d)
        return -1;
    d->dec = opus_decoder_create(48000, 1, &err);
    if (!d->dec || err != OPUS_OK) {
        free(d);
        return -1;
    }
    *ret = d;
    return 0;
}

void mic_decoder_destroy(mic_decoder *d)
{
    if (!d)
        return;
    opus_decoder_destroy(d->dec);
    free(d);
}

static int dropped(mic_decoder *d)
{
    d->st.dropped++;
    return 0;
}

int mic_decoder_datagram(mic_decoder *d, const uint8_t *dgram, size_t len, int16_t *pcm)
{
    pf_pkf1_audio a;
    if (pf_pkf1_audio_decode(dgram, len, &a) < 0 || a.tag != PF_PKF1_DG_MIC || !a.payload_len ||
        a.payload_len > 1275u * 3u)
        return dropped(d);
    int frames = opus_packet_get_nb_samples(a.payload, (opus_int32)a.payload_len, 48000);
    if (frames <= 0 || frames > 5760)
        return dropped(d);
    uint32_t gap = 0;
    if (d->have_seq) {
        int32_t ahead = (int32_t)(a.seq - d->last_seq);
        if (ahead <= 0)
            return dropped(d); /* a replay or a late packet: its time has passed */
        gap = (uint32_t)ahead - 1;
    }
    int out = 0;
    if (gap && gap <= MIC_MAX_CONCEAL && d->last_frames) {
        for (uint32_t i = 0; i + 1 < gap; i++) {
            int n = opus_decode(d->dec, NULL, 0, pcm + out, d->last_frames, 0);
            out += n > 0 ? n : 0;
        }
        int n = opus_decode(d->dec, a.payload, (opus_int32)a.payload_len, pcm + out,
                            d->last_frames, 1);
        out += n > 0 ? n : 0;
        d->st.concealed += gap;
    }
    int n = opus_decode(d->dec, a.payload, (opus_int32)a.payload_len, pcm + out, frames, 0);
    if (n <= 0) {
        d->have_seq = 1;
        d->last_seq = a.seq;
        return out ? out : dropped(d);
    }
    d->have_seq = 1;
    d->last_seq = a.seq;
    d->last_frames = n;
    d->st.packets++;
    return out + n;
}

void mic_decoder_get_stats(const mic_decoder *d, mic_decoder_stats *ret)
{
    *ret = d->st;
}
