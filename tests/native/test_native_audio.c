/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 audio against `pfhost serve --source testpattern`: a Hello asking for 5.1 or 7.1
 * gets an Opus multistream on 0xC9 in the layout the Welcome names (native-protocol.md §3.1,
 * §3.2, §8.2). The client builds its decoder from its own copy of the reference's layout table
 * (audio/layout.rs), as a punktfunk/1 client does, and every decoded channel must carry the
 * test pattern's tone of that channel at least 10 dB above any other channel's tone. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <opus/opus_multistream.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "goertzel.h"
#include "native_harness.h"
#include "pattern.h"

#define WARMUP_PACKETS 100 /* the encoder's start-up and the pattern's first periods */
#define TONE_FRAMES 9600   /* 200 ms analysed per session */

/* The client's side of the layout table: streams, coupled streams and the libopus mapping
 * per (channels, audio_layout), wire order FL FR FC LFE RL RR SL SR. */
typedef struct client_layout {
    int channels, streams, coupled;
    unsigned char mapping[8];
} client_layout;

static client_layout layout_of(uint8_t channels, uint8_t layout)
{
    static const client_layout legacy51 = {6, 4, 2, {0, 1, 2, 3, 4, 5}};
    static const client_layout standard51 = {6, 4, 2, {0, 1, 4, 5, 2, 3}};
    static const client_layout uncoupled51 = {6, 6, 0, {0, 1, 2, 3, 4, 5}};
    static const client_layout legacy71 = {8, 5, 3, {0, 1, 2, 3, 4, 5, 6, 7}};
    static const client_layout standard71 = {8, 5, 3, {0, 1, 6, 7, 2, 3, 4, 5}};
    static const client_layout uncoupled71 = {8, 8, 0, {0, 1, 2, 3, 4, 5, 6, 7}};
    static const client_layout stereo = {2, 1, 1, {0, 1}};
    if (channels == 6)
        return layout == 1 ? standard51 : layout == 2 ? uncoupled51 : legacy51;
    if (channels == 8)
        return layout == 1 ? standard71 : layout == 2 ? uncoupled71 : legacy71;
    return stereo;
}

static int group_setup(void **state)
{
    if (native_setup(state) < 0)
        return -1;
    char pin[5];
    return arm_pin(pin) == 0 && pair_once(cert_a, key_a, fp_a, pin) == 0 ? 0 : -1;
}

/* Opens a session asking for @p channels / @p layout, checks the Welcome's answer, decodes
 * 0xC9 until TONE_FRAMES frames after the warm-up are kept, and checks every channel's tone. */
static void surround_as(uint8_t channels, uint8_t layout, uint8_t want_channels,
                       uint8_t want_layout)
{
    pf_pkf1_hello hello;
    hello_for(&hello, 640, 360, 30, 0);
    hello.audio_channels = channels;
    hello.audio_layout = layout;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session_hello("127.0.0.1", &hello, &w, &fd);
    assert_int_equal(w.audio_channels, want_channels);
    assert_int_equal(w.audio_layout, want_layout);
    assert_int_equal(w.audio_codec, PF_PKF1_AUDIO_CODEC_OPUS);

    client_layout cl = layout_of(w.audio_channels, w.audio_layout);
    int err;
    OpusMSDecoder *dec = opus_multistream_decoder_create(48000, cl.channels, cl.streams,
                                                         cl.coupled, cl.mapping, &err);
    assert_int_equal(err, OPUS_OK);
    int16_t *kept = calloc((size_t)TONE_FRAMES * 8, sizeof(int16_t));
    size_t nkept = 0;
    uint32_t packets = 0, bad = 0;
    uint8_t d[1500];
    size_t n;
    for (int idle = 0; nkept < TONE_FRAMES && idle < 200;) {
        if (nclient_recv_datagram(c, d, sizeof(d), &n, 100) < 0) {
            idle++;
            continue;
        }
        pf_pkf1_audio a;
        if (pf_pkf1_audio_decode(d, n, &a) < 0 || a.tag != PF_PKF1_DG_AUDIO)
            continue;
        int16_t pcm[240 * 8];
        int got = opus_multistream_decode(dec, a.payload, (opus_int32)a.payload_len, pcm, 240,
                                          0);
        if (got != 240) {
            bad++;
            continue;
        }
        if (++packets <= WARMUP_PACKETS)
            continue;
        size_t take = TONE_FRAMES - nkept < 240 ? TONE_FRAMES - nkept : 240;
        memcpy(kept + nkept * cl.channels, pcm, take * cl.channels * sizeof(int16_t));
        nkept += take;
    }
    assert_int_equal(bad, 0);
    assert_int_equal(nkept, TONE_FRAMES);
    for (int ch = 0; ch < cl.channels; ch++) {
        double own = goertzel_power(kept, nkept, (uint32_t)cl.channels, (uint32_t)ch,
                                    PATTERN_TONE_HZ(ch));
        double worst = 0;
        for (int o = 0; o < cl.channels; o++) {
            double p = goertzel_power(kept, nkept, (uint32_t)cl.channels, (uint32_t)ch,
                                      PATTERN_TONE_HZ(o));
            if (o != ch && p > worst)
                worst = p;
        }
        print_message("# %u ch layout %u: channel %d: own tone %.1f dB above the loudest "
                      "other\n",
                      w.audio_channels, w.audio_layout, ch, 10.0 * log10(own / (worst > 0 ? worst : 1e-9)));
        assert_true(own > 10.0 * worst);
    }
    free(kept);
    opus_multistream_decoder_destroy(dec);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

static void surround(uint8_t channels, uint8_t layout, uint8_t want_layout)
{
    surround_as(channels, layout, channels, want_layout);
}

static void surround_51_legacy(void **state)
{
    (void)state;
    surround(6, 0, 0);
}

static void surround_51_standard(void **state)
{
    (void)state;
    surround(6, 1, 1);
}

/* An audio_layout this host does not know is answered with legacy, which every client has. */
static void surround_71_unknown_layout_is_legacy(void **state)
{
    (void)state;
    surround(8, 9, 0);
}

static void surround_71_uncoupled(void **state)
{
    (void)state;
    surround(8, 2, 2);
}

/* A channel count other than 6 or 8 is stereo, layout 0. */
static void odd_channel_count_is_stereo(void **state)
{
    (void)state;
    surround_as(4, 1, 2, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(surround_51_legacy),
        cmocka_unit_test(surround_51_standard),
        cmocka_unit_test(surround_71_unknown_layout_is_legacy),
        cmocka_unit_test(surround_71_uncoupled),
        cmocka_unit_test(odd_channel_count_is_stereo),
    };
    return cmocka_run_group_tests(tests, group_setup, native_teardown);
}
