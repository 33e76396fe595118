/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PF_TEST_NATIVE_VIDEO_H
#define PF_TEST_NATIVE_VIDEO_H

#include <stdint.h>

#include "pf/core/pkf1_handshake.h"

/* The client's side of the punktfunk/1 data plane for tests: reads the data socket, opens and
 * reassembles with libpfcore (pf/core/pkf1_media.h), decodes with FFmpeg and reads the test
 * pattern's frame counter. Loss feedback (§9.1) is computed from the reassembler's counters. */
typedef struct native_video native_video;

typedef struct native_video_stats {
    uint64_t frames, frames_lost, decoded, idr_frames;
    uint64_t counter_gaps, counter_errors, first_counter, last_counter;
    uint64_t packets, shards_recovered;
    /* FEC blocks as their headers say: count, Σk, Σm, and those given more parity than the
     * percentage rule at 50 % (sized for the measured loss) and at 10 % */
    uint64_t blocks, block_data, block_parity, blocks_loss_sized, blocks_over_rule10;
    uint64_t probe_packets; /* speed-test filler (FLAG_PROBE) that opened, never decoded */
    uint32_t width, height; /* of the last decoded picture */
    uint32_t centre_y, centre_cb, centre_cr; /* its centre sample (4:2:0 planes) */
    uint64_t latency_ns[2]; /* p50, p99 of pts → reassembled (same machine, same clock) */
} native_video_stats;

/* @p fd: the connected data socket (borrowed). @p codec: the Welcome's codec bit. */
int nvideo_create(const pf_pkf1_welcome *w, int fd, native_video **ret);
void nvideo_destroy(native_video *v);
/* Reads what has arrived, waiting at most @p ms. Returns frames completed in this call. */
int nvideo_poll(native_video *v, int ms);
/* 1 once a frame was lost since the last call (the client then asks for a keyframe). */
int nvideo_take_lost(native_video *v);
/* §9.1: loss_ppm over the window since the last call. */
uint32_t nvideo_loss_ppm(native_video *v);
void nvideo_get_stats(native_video *v, native_video_stats *ret);

#endif
