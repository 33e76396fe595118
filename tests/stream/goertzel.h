/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_GOERTZEL_H
#define PF_TEST_GOERTZEL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Goertzel power of @p freq (Hz, 48 kHz sampling) in channel @p channel of @p frames
 * interleaved frames of @p channels channels: how the audio tests tell the test pattern's
 * per-channel tones (and the microphone's tone) apart. */
static inline double goertzel_power(const int16_t *pcm, size_t frames, uint32_t channels,
                                    uint32_t channel, double freq)
{
    double w = 2.0 * M_PI * freq / 48000.0, k = 2.0 * cos(w), s1 = 0, s2 = 0;
    for (size_t i = 0; i < frames; i++) {
        double s0 = pcm[i * channels + channel] + k * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    return s1 * s1 + s2 * s2 - k * s1 * s2;
}

#endif
