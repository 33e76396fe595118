/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "source_pw.h"

#include <stdlib.h>

#include "pf/capture.h"
#include "pf/capture_testpattern.h"
#include "pf/core/error.h"

struct pw_source {
    pf_capture_testpattern *pattern;
    pf_capture *capture;
};

int pw_source_create(uint32_t width, uint32_t height, uint32_t fps, const char *remote,
                     pf_log_hook log, pw_source **ret)
{
    pw_source *s = calloc(1, sizeof(*s));
    if (!s)
        return PF_ERR_NOMEM;
    pf_capture_testpattern_settings ts;
    pf_capture_testpattern_settings_init(&ts);
    ts.width = width;
    ts.height = height;
    ts.fps = fps;
    ts.format = PF_FRAME_FORMAT_BGRX;
    ts.remote = remote;
    ts.log = log;
    int r = pf_capture_testpattern_create(&ts, &s->pattern);
    int64_t node = r == 0 ? pf_capture_testpattern_get_node_id(s->pattern) : r;
    if (node < 0) {
        pw_source_destroy(s);
        return (int)node;
    }
    pf_capture_settings cs;
    pf_capture_settings_init(&cs);
    cs.node_id = (uint32_t)node;
    cs.remote = remote;
    cs.flags = PF_CAPTURE_FLAG_NO_DMABUF;
    cs.width = width;
    cs.height = height;
    cs.fps = fps;
    cs.log = log;
    r = pf_capture_create(&cs, NULL, NULL, &s->capture);
    if (r == 0)
        r = pf_capture_start(s->capture);
    if (r < 0) {
        pw_source_destroy(s);
        return r;
    }
    *ret = s;
    return 0;
}

int pw_source_next(pw_source *s, int32_t timeout_ms, pf_frame **ret_frame)
{
    int r = pf_capture_acquire_frame(s->capture, ret_frame);
    if (r != PF_ERR_AGAIN)
        return r;
    r = pf_capture_wait(s->capture, timeout_ms);
    if (r < 0)
        return r;
    return pf_capture_acquire_frame(s->capture, ret_frame);
}

void pw_source_destroy(pw_source *s)
{
    if (!s)
        return;
    pf_capture_destroy(s->capture);
    pf_capture_testpattern_destroy(s->pattern);
    free(s);
}
