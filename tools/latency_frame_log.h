/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe: the GameStream sent stamps from the private host's frame log. */
#ifndef PF_TOOLS_LATENCY_FRAME_LOG_H
#define PF_TOOLS_LATENCY_FRAME_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "latency_report.h"

/* Sets r->t[i][LAT_SENT] from the frame log at @p path for every sample i whose frame index
 * @p frame[i] the log has; samples it lacks keep theirs. @p rtp[i] is the sample's RTP
 * timestamp, checked against the log's capture time. 0, or -1 with the reason in @p err: no
 * file, a malformed line, lines of a second session, a frame twice, a capture time that is
 * not the frame's. The log is one session's (the private host streams one). */
int latency_frame_log_match(const char *path, const uint32_t *frame, const uint32_t *rtp,
                            lat_report *r, char *err, size_t err_len);

#endif
