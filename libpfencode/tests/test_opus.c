/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Opus: a different tone on every channel, encoded, decoded with libopus using the layout
 * the client would derive from our surround-params line, and each channel's tone found
 * again where it belongs. */
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <opus/opus_multistream.h>

#include "pf/audio_encode.h"

/* Tone of input channel c; LFE (channel 3) gets a low one, as a subwoofer would. */
static double tone_hz(uint32_t c)
{
    static const double hz[8] = {440, 660, 880, 90, 1100, 1320, 1540, 1760};
    return hz[c];
}

static double goertzel(const float *x, size_t n, size_t stride, double hz)
{
    double k = 2.0 * cos(2.0 * M_PI * hz / 48000.0), s1 = 0, s2 = 0;
    for (size_t i = 0; i < n; i++) {
        double s = x[i * stride] + k * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/* The client's reading of a surround-params line (gamestream-protocol §8.2): for 6 and 8
 * channels the normal-quality line has its last digit moved to position 3. */
static void client_layout(const char *params, bool high_quality, int *channels, int *streams,
                          int *coupled, unsigned char *mapping)
{
    *channels = params[0] - '0';
    *streams = params[1] - '0';
    *coupled = params[2] - '0';
    for (int i = 0; i < *channels; i++)
        mapping[i] = (unsigned char)(params[3 + i] - '0');
    if (*channels > 2 && !high_quality) {
        unsigned char last = mapping[*channels - 1];
        for (int i = *channels - 1; i > 3; i--)
            mapping[i] = mapping[i - 1];
        mapping[3] = last;
    }
}

static void tone_roundtrip_coupled(uint32_t channels, uint32_t hq, uint32_t frame_ms,
                                   uint32_t coupling)
{
    pf_encode_audio_settings s;
    pf_encode_audio_settings_default(&s);
    s.channels = channels;
    s.high_quality = hq;
    s.frame_ms = frame_ms;
    s.coupling = coupling;
    pf_encode_audio *a = NULL;
    assert_int_equal(pf_encode_audio_create(&s, &a), 0);
    pf_encode_audio_layout l = {.struct_size = sizeof(l)};
    assert_int_equal(pf_encode_audio_get_layout(a, &l), 0);
    assert_int_equal(l.channels, channels);
    assert_int_equal(l.frame_samples, 48 * frame_ms);

    int cc, cs, ccp;
    unsigned char map[8];
    client_layout(l.surround_params, hq, &cc, &cs, &ccp, map);
    if (coupling == PF_ENCODE_AUDIO_COUPLING_CENTER && !hq && channels > 2) {
        /* FL+FR, C+LFE (+BL+BR) coupled in input order: the identity mapping. A punktfunk/1
         * client builds its decoder from the layout, not from a DESCRIBE line. */
        for (uint32_t i = 0; i < channels; i++)
            assert_int_equal(l.mapping[i], i);
        assert_int_equal(l.coupled_streams, channels == 6 ? 2 : 3);
        memcpy(map, l.mapping, channels);
    }
    assert_int_equal(cc, (int)channels);
    assert_int_equal(cs, (int)l.streams);
    assert_int_equal(ccp, (int)l.coupled_streams);
    assert_memory_equal(map, l.mapping, channels);
    int err;
    OpusMSDecoder *dec = opus_multistream_decoder_create(48000, cc, cs, ccp, map, &err);
    assert_int_equal(err, OPUS_OK);

    const size_t total = 48000 / 2; /* half a second */
    size_t fs = l.frame_samples;
    int16_t *pcm = malloc(fs * channels * sizeof(int16_t));
    float *out = calloc(total * channels, sizeof(float));
    uint8_t packet[4000];
    int first_size = -1;
    size_t decoded = 0;
    for (size_t pos = 0; pos + fs <= total; pos += fs) {
        for (size_t i = 0; i < fs; i++)
            for (uint32_t c = 0; c < channels; c++)
                pcm[i * channels + c] = (int16_t)(8000.0 * sin(2.0 * M_PI * tone_hz(c) *
                                                                (double)(pos + i) / 48000.0));
        int n = pf_encode_audio_encode(a, pcm, (uint32_t)fs, packet, sizeof(packet));
        assert_true(n > 0);
        /* CBR: the audio FEC needs equal lengths. */
        if (first_size < 0)
            first_size = n;
        assert_int_equal(n, first_size);
        int got = opus_multistream_decode_float(dec, packet, n, out + decoded * channels,
                                                (int)fs, 0);
        assert_int_equal(got, (int)fs);
        decoded += fs;
    }
    /* Skip the codec's start-up; then every channel must carry its own tone, far above the
     * tones of the other channels. */
    size_t skip = 4800;
    for (uint32_t c = 0; c < channels; c++) {
        double own = goertzel(out + skip * channels + c, decoded - skip, channels, tone_hz(c));
        for (uint32_t o = 0; o < channels; o++) {
            if (o == c)
                continue;
            double other = goertzel(out + skip * channels + c, decoded - skip, channels,
                                    tone_hz(o));
            if (!(own > other * 20.0))
                print_message("# channel %u: own %.3g, tone of %u %.3g\n", c, own, o, other);
            assert_true(own > other * 20.0);
        }
    }
    print_message("# %u ch %s %u ms: %s, %d bytes/packet\n", channels, hq ? "hq" : "normal",
                  frame_ms, l.surround_params, first_size);
    free(pcm);
    free(out);
    opus_multistream_decoder_destroy(dec);
    pf_encode_audio_destroy(a);
}

static void tone_roundtrip(uint32_t channels, uint32_t hq, uint32_t frame_ms)
{
    tone_roundtrip_coupled(channels, hq, frame_ms, PF_ENCODE_AUDIO_COUPLING_SIDES);
}

static void stereo(void **state)
{
    tone_roundtrip(2, 0, 5);
    tone_roundtrip(2, 1, 10);
}

static void surround_5_1(void **state)
{
    tone_roundtrip(6, 0, 5);
    tone_roundtrip(6, 1, 10);
}

static void surround_7_1(void **state)
{
    tone_roundtrip(8, 0, 10);
    tone_roundtrip(8, 1, 5);
}

static void center_coupling(void **state)
{
    tone_roundtrip_coupled(6, 0, 5, PF_ENCODE_AUDIO_COUPLING_CENTER);
    tone_roundtrip_coupled(8, 0, 5, PF_ENCODE_AUDIO_COUPLING_CENTER);
    /* Stereo and one stream per channel have one shape whatever the coupling. */
    tone_roundtrip_coupled(2, 0, 5, PF_ENCODE_AUDIO_COUPLING_CENTER);
    tone_roundtrip_coupled(6, 1, 5, PF_ENCODE_AUDIO_COUPLING_CENTER);
}

static void layouts_match_gamestream(void **state)
{
    /* Stream and coupled counts of gamestream-protocol §8.2's table. */
    static const uint32_t rows[][5] = {
        {2, 0, 1, 1, 96000}, {6, 0, 4, 2, 256000}, {6, 1, 6, 0, 1536000},
        {8, 0, 5, 3, 450000}, {8, 1, 8, 0, 2048000},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        pf_encode_audio_settings s;
        pf_encode_audio_settings_default(&s);
        s.channels = rows[i][0];
        s.high_quality = rows[i][1];
        pf_encode_audio *a;
        assert_int_equal(pf_encode_audio_create(&s, &a), 0);
        pf_encode_audio_layout l = {.struct_size = sizeof(l)};
        assert_int_equal(pf_encode_audio_get_layout(a, &l), 0);
        assert_int_equal(l.streams, rows[i][2]);
        assert_int_equal(l.coupled_streams, rows[i][3]);
        assert_int_equal(l.bitrate_bps, rows[i][4]);
        pf_encode_audio_destroy(a);
    }
}

static void bitrate_and_bad_input(void **state)
{
    pf_encode_audio_settings s;
    pf_encode_audio_settings_default(&s);
    pf_encode_audio *a = NULL;
    s.channels = 4;
    assert_int_equal(pf_encode_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    s.channels = 2;
    s.frame_ms = 20;
    assert_int_equal(pf_encode_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    s.frame_ms = 5;
    s.bitrate_bps = 100;
    assert_int_equal(pf_encode_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    s.bitrate_bps = 0;
    s.coupling = 7;
    assert_int_equal(pf_encode_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    s.coupling = 0;
    s.bitrate_bps = 100;
    assert_int_equal(pf_encode_audio_create(NULL, &a), PF_ERR_INVALID_ARGUMENT);
    assert_null(a);
    s.bitrate_bps = 0;
    assert_int_equal(pf_encode_audio_create(&s, &a), 0);
    int16_t pcm[480 * 2] = {0};
    uint8_t out[1500];
    assert_int_equal(pf_encode_audio_encode(a, pcm, 100, out, sizeof(out)),
                     PF_ERR_INVALID_ARGUMENT);
    assert_int_equal(pf_encode_audio_encode(a, pcm, 240, out, 2), PF_ERR_BUFFER_TOO_SMALL);
    int hi = pf_encode_audio_encode(a, pcm, 240, out, sizeof(out));
    assert_int_equal(pf_encode_audio_set_bitrate(a, 32000), 0);
    int lo = pf_encode_audio_encode(a, pcm, 240, out, sizeof(out));
    /* CBR packet length follows the rate: 96 kbit/s in 5 ms is 60 bytes, 32 kbit/s 20. */
    assert_int_equal(hi, 60);
    assert_int_equal(lo, 20);
    assert_int_equal(pf_encode_audio_set_bitrate(a, 1), PF_ERR_INVALID_ARGUMENT);
    pf_encode_audio_destroy(a);
    pf_encode_audio_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stereo),
        cmocka_unit_test(surround_5_1),
        cmocka_unit_test(surround_7_1),
        cmocka_unit_test(center_coupling),
        cmocka_unit_test(layouts_match_gamestream),
        cmocka_unit_test(bitrate_and_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
