/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "source_pw.h"

#include <stdio.h>
#include <stdlib.h>

#include <poll.h>

#include "pf/capture.h"
#include "pf/capture_audio.h"
#include "pf/capture_testpattern.h"
#include "pf/core/error.h"
#include "pf/vdisplay.h"

#include "pipeline.h"

struct pw_source {
    pf_vdisplay *display;
    pf_capture_testpattern *pattern;
    pf_capture *capture;
    int cursor;          /* the capture asks for the pointer as metadata */
    uint8_t *cursor_rgba; /* the shape last read, PF_CAPTURE_CURSOR_MAX_SIDE² · 4 */
    uint32_t cursor_shape;
    pw_source_cursor last;
};

static int64_t open_display(pw_source *s, uint32_t width, uint32_t height, uint32_t fps,
                            const char **remote, const char *backend, pf_log_hook log)
{
    pf_vdisplay_settings vs;
    pf_vdisplay_settings_init(&vs);
    vs.cursor_mode = s->cursor ? PF_VDISPLAY_CURSOR_METADATA : PF_VDISPLAY_CURSOR_EMBEDDED;
    vs.width = width;
    vs.height = height;
    vs.refresh_mhz = fps * 1000;
    vs.backend = backend;
    vs.pipewire_remote = *remote;
    vs.log = log;
    int r = pf_vdisplay_create(&vs, &s->display);
    if (r < 0)
        return r;
    /* A backend that cannot leave the pointer out keeps it in the picture. */
    if (!(pf_vdisplay_get_caps(s->display) & PF_VDISPLAY_CAP_CURSOR_METADATA))
        s->cursor = 0;
    /* A spawned compositor may publish on its own daemon. */
    const char *own = pf_vdisplay_get_pipewire_remote(s->display);
    if (own)
        *remote = own;
    return pf_vdisplay_get_node_id(s->display);
}

int pw_source_ref(pf_frame *frame)
{
    return pf_capture_frame_ref(frame);
}

static int start_capture(pw_source *s, uint32_t node, uint32_t width, uint32_t height,
                         uint32_t fps, const char *remote, pf_log_hook log, pw_source **ret);

int pw_source_create(uint32_t width, uint32_t height, uint32_t fps, const char *remote,
                     int vdisplay, const char *vdisplay_backend, int cursor, pf_log_hook log,
                     pw_source **ret)
{
    pw_source *s = calloc(1, sizeof(*s));
    if (!s)
        return PF_ERR_NOMEM;
    /* The test pattern draws no pointer: only a virtual output can describe one. */
    s->cursor = cursor && vdisplay;
    if (vdisplay) {
        int64_t node = open_display(s, width, height, fps, &remote, vdisplay_backend, log);
        if (node < 0) {
            pw_source_destroy(s);
            return (int)node;
        }
        if (log.fn) {
            char msg[160];
            int n = snprintf(msg, sizeof(msg), "virtual output %ux%u@%u on %s (PipeWire node %lld)",
                             width, height, fps, pf_vdisplay_get_backend(s->display),
                             (long long)node);
            log.fn(log.user_data, PF_LOG_INFO, "pipeline", msg, (size_t)n);
        }
        return start_capture(s, (uint32_t)node, width, height, fps, remote, log, ret);
    }
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
    return start_capture(s, (uint32_t)node, width, height, fps, remote, log, ret);
}

static int start_capture(pw_source *s, uint32_t node, uint32_t width, uint32_t height,
                         uint32_t fps, const char *remote, pf_log_hook log, pw_source **ret)
{
    pf_capture_settings cs;
    pf_capture_settings_init(&cs);
    cs.node_id = (uint32_t)node;
    cs.remote = remote;
    cs.flags = PF_CAPTURE_FLAG_NO_DMABUF;
    if (s->cursor) {
        s->cursor_rgba = malloc(PF_CAPTURE_CURSOR_MAX_SIDE * PF_CAPTURE_CURSOR_MAX_SIDE * 4);
        if (!s->cursor_rgba) {
            pw_source_destroy(s);
            return PF_ERR_NOMEM;
        }
        cs.flags |= PF_CAPTURE_FLAG_CURSOR;
    }
    cs.width = width;
    cs.height = height;
    cs.fps = fps;
    cs.log = log;
    int r = pf_capture_create(&cs, NULL, NULL, &s->capture);
    if (r == 0)
        r = pf_capture_start(s->capture);
    if (r < 0) {
        pw_source_destroy(s);
        return r;
    }
    *ret = s;
    return 0;
}

int pw_source_create_node(uint32_t node_id, uint32_t width, uint32_t height, uint32_t fps,
                          const char *remote, int cursor, pf_log_hook log, pw_source **ret)
{
    pw_source *s = calloc(1, sizeof(*s));
    if (!s)
        return PF_ERR_NOMEM;
    s->cursor = cursor;
    return start_capture(s, node_id, width, height, fps, remote, log, ret);
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

void pw_source_report_cursor(pw_source *s, const struct pipeline_sink *sink)
{
    if (!s || !s->cursor || !sink || !sink->cursor)
        return;
    pf_capture_cursor c = {.struct_size = sizeof(c)};
    if (pf_capture_get_cursor(s->capture, &c, NULL, 0) < 0)
        return;
    if (c.shape_serial != s->cursor_shape) {
        /* A new shape: its pixels are read once. */
        s->cursor_shape = c.shape_serial;
        int has = (c.flags & PF_CAPTURE_CURSOR_HAS_SHAPE) &&
                  pf_capture_get_cursor(s->capture, &c, s->cursor_rgba,
                                        PF_CAPTURE_CURSOR_MAX_SIDE * PF_CAPTURE_CURSOR_MAX_SIDE *
                                            4) == 0;
        s->last.width = has ? c.width : 0;
        s->last.height = has ? c.height : 0;
        s->last.hot_x = c.hot_x;
        s->last.hot_y = c.hot_y;
    }
    s->last.visible = (c.flags & PF_CAPTURE_CURSOR_VISIBLE) != 0;
    s->last.x = c.x;
    s->last.y = c.y;
    s->last.shape_serial = c.shape_serial;
    s->last.rgba = s->cursor_rgba;
    sink->cursor(sink->user, &s->last);
}

void pw_source_destroy(pw_source *s)
{
    if (!s)
        return;
    free(s->cursor_rgba);
    pf_capture_destroy(s->capture);
    pf_capture_testpattern_destroy(s->pattern);
    pf_vdisplay_destroy(s->display);
    free(s);
}

struct pw_audio {
    pf_capture_audio *cap;
    size_t period_bytes;
};

int pw_audio_create(uint32_t channels, uint32_t period_ms, const char *remote,
                    const char *sink_name, pf_log_hook log, pw_audio **ret)
{
    pw_audio *a = calloc(1, sizeof(*a));
    if (!a)
        return PF_ERR_NOMEM;
    pf_capture_audio_settings st;
    pf_capture_audio_settings_init(&st);
    st.sample_format = PF_CAPTURE_AUDIO_S16;
    st.channels = channels;
    st.period_ms = period_ms;
    st.remote = remote;
    st.sink_name = sink_name;
    st.log = log;
    int r = pf_capture_audio_create(&st, &a->cap);
    int32_t pb = r == 0 ? pf_capture_audio_get_period_bytes(a->cap) : r;
    if (pb < 0) {
        pw_audio_destroy(a);
        return pb;
    }
    a->period_bytes = (size_t)pb;
    *ret = a;
    return 0;
}

int pw_audio_read(pw_audio *a, int16_t *pcm, size_t bytes, int32_t timeout_ms)
{
    if (bytes != a->period_bytes)
        return PF_ERR_INVALID_ARGUMENT;
    int32_t r = pf_capture_audio_read(a->cap, pcm, bytes, NULL);
    if (r == PF_ERR_AGAIN) {
        struct pollfd pfd = {.fd = pf_capture_audio_get_fd(a->cap), .events = POLLIN};
        poll(&pfd, 1, timeout_ms);
        r = pf_capture_audio_read(a->cap, pcm, bytes, NULL);
    }
    if (r == PF_ERR_AGAIN)
        return 0;
    return r < 0 ? r : 1;
}

void pw_audio_destroy(pw_audio *a)
{
    if (!a)
        return;
    pf_capture_audio_destroy(a->cap);
    free(a);
}
