/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFCLIENT_VIDEO_H
#define PFCLIENT_VIDEO_H

#include <stdint.h>

#include "pf/client.h"

struct AVFrame;

/* Decodes the AUs pf_client_video_next() returns (libavcodec) and, when the host streams its
 * test pattern, reads the frame counter from each picture: a gap or an unreadable counter is
 * a frame that did not arrive whole and in order. */
typedef struct pfc_video pfc_video;

typedef struct pfc_video_stats {
    uint64_t aus, decoded, decode_errors, skipped; /* skipped: waiting for an IDR after a loss */
    uint64_t idr;
    uint64_t counter_frames, counter_gaps, counter_errors;
    uint64_t counter_steps; /* readable counters that followed the previous one by exactly 1 */
    int64_t first_counter, last_counter;
    uint32_t width, height;
} pfc_video_stats;

/* @p codec: PF_CLIENT_CODEC_H264, _HEVC or _AV1. */
int pfc_video_create(uint32_t codec, pfc_video **ret);
void pfc_video_destroy(pfc_video *v);
/* Decodes one AU; returns the picture (owned by @p v, valid until the next call) or NULL. */
const struct AVFrame *pfc_video_decode(pfc_video *v, const pf_client_video_frame *f);
void pfc_video_get_stats(const pfc_video *v, pfc_video_stats *ret);
/* 1 while AUs are skipped until the next IDR (after a loss or a dropped AU). */
int pfc_video_waiting_idr(const pfc_video *v);

#endif
