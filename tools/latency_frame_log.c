/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream's sent stage from `pfhost serve --frame-log` (pfhost/frame_log.h). The log
 * names frames by the frameIndex the client saw; its capture time, truncated to 0.1 ms at
 * 90 kHz as pfhost does for the RTP timestamp, must be that frame's timestamp, so a log of
 * another stream or session is refused rather than matched. */
#include "latency_frame_log.h"

#include <stdio.h>
#include <stdlib.h>

#include "frame_log.h"

typedef struct logged {
    uint64_t capture_ns, sent_ns;
    int present;
} logged;

int latency_frame_log_match(const char *path, const uint32_t *frame, const uint32_t *rtp,
                            lat_report *r, char *err, size_t n)
{
    uint32_t lo = r->n ? UINT32_MAX : 0, hi = 0;
    for (size_t i = 0; i < r->n; i++) {
        lo = frame[i] < lo ? frame[i] : lo;
        hi = frame[i] > hi ? frame[i] : hi;
    }
    FILE *f = fopen(path, "r");
    logged *by_frame = calloc((size_t)(hi - lo) + 1, sizeof(*by_frame));
    int rc = f && by_frame ? 0 : -1;
    if (rc < 0)
        snprintf(err, n, f ? "out of memory" : "the host wrote no frame log (%s)", path);
    char line[256];
    uint32_t session = 0;
    int have_session = 0;
    for (size_t no = 1; rc == 0 && fgets(line, sizeof(line), f); no++) {
        frame_log_entry e;
        int k = frame_log_parse(line, &e);
        if (k < 0 || (k > 0 && have_session && e.session != session)) {
            snprintf(err, n, k < 0 ? "%s:%zu: not a frame log line"
                                   : "%s:%zu: a second session in the private host's frame log",
                     path, no);
            rc = -1;
        }
        if (k <= 0 || rc < 0)
            continue;
        session = e.session;
        have_session = 1;
        if (e.frame < lo || e.frame > hi)
            continue;
        logged *l = &by_frame[e.frame - lo];
        if (l->present) {
            snprintf(err, n, "%s:%zu: frame %u twice", path, no, e.frame);
            rc = -1;
        }
        *l = (logged){e.capture_ns, e.sent_ns, 1};
    }
    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        const logged *l = &by_frame[frame[i] - lo];
        if (!l->present)
            continue; /* reported as a frame without the stage */
        if ((uint32_t)(l->capture_ns / 100000u * 9u) != rtp[i]) {
            snprintf(err, n, "the frame log does not match the stream: frame %u has RTP "
                     "timestamp %u, the log capture time %llu ns", frame[i], rtp[i],
                     (unsigned long long)l->capture_ns);
            rc = -1;
        }
        r->t[i][LAT_SENT] = (int64_t)l->sent_ns;
    }
    if (f)
        fclose(f);
    free(by_frame);
    return rc;
}

