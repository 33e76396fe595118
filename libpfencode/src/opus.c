/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opus multistream encoder with the GameStream layouts (gamestream-protocol §8.2). */
#include "pf/audio_encode.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <opus/opus_multistream.h>

#include "log.h"

#define TOPIC "encode.opus"
#define MIN_BPS 6000u
#define MAX_BPS 4096000u

struct pf_encode_audio {
    OpusMSEncoder *enc;
    pf_encode_audio_layout layout;
    pf_log_hook log;
};

/* Channel order in: FL FR C LFE BL BR SL SR. Normal quality pairs the left/right channels
 * into coupled streams and gives C and LFE a mono stream each, Sunshine's shape; coupled
 * streams come first in Opus numbering, so the mapping is not the identity. The CENTER
 * coupling pairs the channels as they come (FL+FR, C+LFE, then BL+BR on 7.1), so its mapping
 * is the identity. */
struct layout_row {
    uint32_t channels, high_quality, coupling, streams, coupled, bitrate;
    uint8_t mapping[PF_ENCODE_AUDIO_MAX_CHANNELS];
};

#define SIDES PF_ENCODE_AUDIO_COUPLING_SIDES
#define CENTER PF_ENCODE_AUDIO_COUPLING_CENTER
static const struct layout_row layouts[] = {
    {2, 0, SIDES, 1, 1, 96000, {0, 1}},
    {2, 1, SIDES, 1, 1, 512000, {0, 1}},
    {6, 0, SIDES, 4, 2, 256000, {0, 1, 4, 5, 2, 3}},
    {6, 0, CENTER, 4, 2, 256000, {0, 1, 2, 3, 4, 5}},
    {6, 1, SIDES, 6, 0, 1536000, {0, 1, 2, 3, 4, 5}},
    {8, 0, SIDES, 5, 3, 450000, {0, 1, 6, 7, 2, 3, 4, 5}},
    {8, 0, CENTER, 5, 3, 450000, {0, 1, 2, 3, 4, 5, 6, 7}},
    {8, 1, SIDES, 8, 0, 2048000, {0, 1, 2, 3, 4, 5, 6, 7}},
};

/* Stereo and the uncoupled layouts have one shape whatever the coupling asked. */
static int row_matches(const struct layout_row *row, const pf_encode_audio_settings *s)
{
    uint32_t coupling = s->channels == 2 || s->high_quality ? SIDES : s->coupling;
    return row->channels == s->channels && row->high_quality == !!s->high_quality &&
           row->coupling == coupling;
}

PF_EXPORT void pf_encode_audio_settings_default(pf_encode_audio_settings *settings)
{
    if (!settings)
        return;
    memset(settings, 0, sizeof(*settings));
    settings->struct_size = sizeof(*settings);
    settings->channels = 2;
    settings->frame_ms = 5;
}

/* The client reads the normal-quality line of 6 and 8 channels as FL FR C RL RR SL SR LFE
 * and moves its last digit to position 3 (§8.2), so that line carries m0 m1 m2 m4.. m3. */
static void surround_params(const struct layout_row *row, char *out, size_t len)
{
    uint32_t n = row->channels;
    uint8_t digits[PF_ENCODE_AUDIO_MAX_CHANNELS];
    memcpy(digits, row->mapping, n);
    if (n > 2 && !row->high_quality) {
        for (uint32_t i = 3; i + 1 < n; i++)
            digits[i] = row->mapping[i + 1];
        digits[n - 1] = row->mapping[3];
    }
    int w = snprintf(out, len, "%u%u%u", n, row->streams, row->coupled);
    for (uint32_t i = 0; i < n && w > 0 && (size_t)w + 1 < len; i++)
        out[w++] = (char)('0' + digits[i]);
    out[w > 0 ? w : 0] = '\0';
}

PF_EXPORT int pf_encode_audio_create(const pf_encode_audio_settings *settings,
                                     pf_encode_audio **ret_audio)
{
    if (!settings || !ret_audio || settings->struct_size < offsetof(pf_encode_audio_settings, log)
        || settings->struct_size > sizeof(pf_encode_audio_settings))
        return PF_ERR_INVALID_ARGUMENT;
    pf_encode_audio_settings s;
    pf_encode_audio_settings_default(&s);
    memcpy(&s, settings, settings->struct_size);
    if (s.frame_ms != 5 && s.frame_ms != 10)
        return PF_ERR_INVALID_ARGUMENT;
    if (s.bitrate_bps && (s.bitrate_bps < MIN_BPS || s.bitrate_bps > MAX_BPS))
        return PF_ERR_INVALID_ARGUMENT;
    if (s.coupling != SIDES && s.coupling != CENTER)
        return PF_ERR_INVALID_ARGUMENT;
    const struct layout_row *row = NULL;
    for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
        if (row_matches(&layouts[i], &s))
            row = &layouts[i];
    if (!row)
        return PF_ERR_INVALID_ARGUMENT;

    pf_encode_audio *a = calloc(1, sizeof(*a));
    if (!a)
        return PF_ERR_NOMEM;
    a->log = s.log;
    int err = 0;
    a->enc = opus_multistream_encoder_create(48000, (int)row->channels, (int)row->streams,
                                             (int)row->coupled, row->mapping,
                                             OPUS_APPLICATION_RESTRICTED_LOWDELAY, &err);
    if (!a->enc || err != OPUS_OK) {
        pfi_enc_debug(&a->log, TOPIC, "opus_multistream_encoder_create: %s", opus_strerror(err));
        free(a);
        return err == OPUS_ALLOC_FAIL ? PF_ERR_NOMEM : PF_ERR_IO;
    }
    uint32_t bps = s.bitrate_bps ? s.bitrate_bps : row->bitrate;
    /* Audio FEC needs the packets of a block to have one length: CBR (§8.2). */
    if (opus_multistream_encoder_ctl(a->enc, OPUS_SET_VBR(0)) != OPUS_OK ||
        opus_multistream_encoder_ctl(a->enc, OPUS_SET_BITRATE((opus_int32)bps)) != OPUS_OK) {
        opus_multistream_encoder_destroy(a->enc);
        free(a);
        return PF_ERR_IO;
    }
    pf_encode_audio_layout *l = &a->layout;
    l->struct_size = sizeof(*l);
    l->channels = row->channels;
    l->streams = row->streams;
    l->coupled_streams = row->coupled;
    l->bitrate_bps = bps;
    l->frame_samples = 48u * s.frame_ms;
    memcpy(l->mapping, row->mapping, sizeof(l->mapping));
    surround_params(row, l->surround_params, sizeof(l->surround_params));
    *ret_audio = a;
    return 0;
}

PF_EXPORT void pf_encode_audio_destroy(pf_encode_audio *audio)
{
    if (!audio)
        return;
    opus_multistream_encoder_destroy(audio->enc);
    free(audio);
}

PF_EXPORT int pf_encode_audio_get_layout(const pf_encode_audio *audio,
                                         pf_encode_audio_layout *ret_layout)
{
    if (!audio || !ret_layout || ret_layout->struct_size < sizeof(pf_encode_audio_layout))
        return PF_ERR_INVALID_ARGUMENT;
    *ret_layout = audio->layout;
    return 0;
}

PF_EXPORT int pf_encode_audio_encode(pf_encode_audio *audio, const int16_t *pcm,
                                     uint32_t samples, uint8_t *out, size_t cap)
{
    if (!audio || !pcm || !out || samples != audio->layout.frame_samples)
        return PF_ERR_INVALID_ARGUMENT;
    /* libopus would squeeze a packet into any buffer by dropping quality; a CBR stream
     * must not change size, so a buffer below the packet length is the caller's error. */
    uint64_t cbr = (uint64_t)audio->layout.bitrate_bps * samples / 48000u / 8u;
    if (cap < cbr)
        return PF_ERR_BUFFER_TOO_SMALL;
    opus_int32 max = cap > 0x7fffffff ? 0x7fffffff : (opus_int32)cap;
    int n = opus_multistream_encode(audio->enc, pcm, (int)samples, out, max);
    if (n == OPUS_BUFFER_TOO_SMALL)
        return PF_ERR_BUFFER_TOO_SMALL;
    if (n < 0) {
        pfi_enc_debug(&audio->log, TOPIC, "opus_multistream_encode: %s", opus_strerror(n));
        return PF_ERR_IO;
    }
    return n;
}

PF_EXPORT int pf_encode_audio_set_bitrate(pf_encode_audio *audio, uint32_t bitrate_bps)
{
    if (!audio || bitrate_bps < MIN_BPS || bitrate_bps > MAX_BPS)
        return PF_ERR_INVALID_ARGUMENT;
    if (opus_multistream_encoder_ctl(audio->enc, OPUS_SET_BITRATE((opus_int32)bitrate_bps)) !=
        OPUS_OK)
        return PF_ERR_IO;
    audio->layout.bitrate_bps = bitrate_bps;
    return 0;
}
