/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_AUDIO_H
#define PFHOST_NATIVE_AUDIO_H

#include <stdint.h>

#include "pf/core/pkf1_handshake.h"

/* What a punktfunk/1 session sends on 0xC9 (native-protocol.md §3.1, §3.2, §8.2): the channel
 * count and surround coupling the Hello asked for, resolved to one this host encodes, and how
 * libpfencode must be set up for it. */
typedef struct native_audio_plan {
    uint8_t channels;      /* 2, 6 or 8: Welcome audio_channels */
    uint8_t layout;        /* Welcome audio_layout: NATIVE_AUDIO_LAYOUT_* */
    uint32_t high_quality; /* pf_encode_audio_settings.high_quality */
    uint32_t coupling;     /* pf_encode_audio_settings.coupling (PF_ENCODE_AUDIO_COUPLING_*) */
    uint32_t bitrate_bps;  /* 0: libpfencode's rate for the layout */
} native_audio_plan;

/* audio_layout ids of the reference (audio/layout.rs). */
#define NATIVE_AUDIO_LAYOUT_LEGACY 0u
#define NATIVE_AUDIO_LAYOUT_STANDARD 1u
#define NATIVE_AUDIO_LAYOUT_UNCOUPLED 2u

void native_audio_resolve(const pf_pkf1_hello *hello, native_audio_plan *ret);

#endif
