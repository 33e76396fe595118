/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe, GameStream side: a private `pfhost serve --source testpattern`, paired
 * and launched as Moonlight does, streamed by the in-repo GameStream client (tests/stream),
 * with each frame's host stamps from the wire and the client's own stamps. */
#ifndef PF_TOOLS_LATENCY_GS_H
#define PF_TOOLS_LATENCY_GS_H

#include <stddef.h>
#include <stdint.h>

#include "latency_report.h"

typedef struct latency_gs_options {
    const char *pfhost;          /* the pfhost binary */
    uint32_t width, height, fps, bitrate_kbps;
    uint32_t frames, warmup;     /* frames measured, after @c warmup frames */
    uint32_t timeout_ms;         /* for the measured frames */
    uint32_t encrypt_video;      /* §6.6 video encryption */
    int keep_dir;                /* keep the host's directory (log) for a post-mortem */
} latency_gs_options;

/* Runs the session and fills @p r. 0, or -1 with the reason in @p err. */
int latency_gs_run(const latency_gs_options *o, lat_report *r, char *err, size_t err_len);

#endif
