/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The test-pattern source: a driver stream that wakes on a timer, draws a moving bar and the
 * frame counter, stamps the buffer with CLOCK_MONOTONIC and queues it. Drawing stays off
 * PipeWire's real-time thread (a 1080p frame is a few MB of stores). */
#include "pf/capture_testpattern.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <spa/buffer/meta.h>
#include <spa/param/buffers.h>
#include <spa/param/video/format-utils.h>

#include "pf/core/error.h"

#include "format.h"
#include "log.h"
#include "pw_util.h"

#define TOPIC "testpattern"

struct pf_capture_testpattern {
    pf_capture_testpattern_settings settings;
    struct pfi_pw pw;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    struct spa_source *timer;
    uint32_t stride;
    /* Width and height for the real-time process callback, read in one load so that a mode
     * change never pairs a new width with an old height. */
    _Atomic uint64_t dims;
    uint32_t node_id;
    int streaming;
    _Atomic uint64_t produced;
};

PF_EXPORT int pf_capture_testpattern_settings_init(pf_capture_testpattern_settings *s)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->width = 1280;
    s->height = 720;
    s->fps = 60;
    s->format = PF_FRAME_FORMAT_BGRX;
    s->n_buffers = 8;
    return 0;
}

static void put_pixel_bits(uint8_t *p, uint32_t format, uint32_t v)
{
    /* Counter bits as B,G,R in the first three bytes for BGRX, R,G,B order swapped for RGBX,
     * so that a reader that knows the format always finds the same value. */
    if (format == PF_FRAME_FORMAT_RGBX) {
        p[2] = v & 0xff;
        p[1] = (v >> 8) & 0xff;
        p[0] = (v >> 16) & 0xff;
    } else {
        p[0] = v & 0xff;
        p[1] = (v >> 8) & 0xff;
        p[2] = (v >> 16) & 0xff;
    }
    p[3] = 0xff;
}

static void draw(struct pf_capture_testpattern *tp, uint8_t *base, uint64_t counter, uint32_t w,
                 uint32_t h, uint32_t stride)
{
    uint32_t bar_x = (uint32_t)((counter * 8) % w), bar_w = w / 32 ? w / 32 : 1;
    uint32_t *row0 = (uint32_t *)base;

    /* Every row is the same: draw one, copy it down (a 1080p frame in about a memcpy). */
    for (uint32_t x = 0; x < w; x++)
        row0[x] = (x - bar_x < bar_w) ? 0xffe0e0e0u : 0xff202020u;
    for (uint32_t y = 1; y < h; y++)
        memcpy(base + (size_t)y * stride, row0, (size_t)w * 4);
    put_pixel_bits(base, tp->settings.format, (uint32_t)(counter & 0xffffff));
    put_pixel_bits(base + 4, tp->settings.format, (uint32_t)((counter >> 24) & 0xffffff));
}

static void on_process(void *data)
{
    struct pf_capture_testpattern *tp = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(tp->stream);
    struct spa_buffer *sb;
    struct spa_meta_header *hdr;
    struct spa_data *d;
    uint64_t n, dims;
    uint32_t w, h, stride;

    if (!b)
        return;
    sb = b->buffer;
    d = &sb->datas[0];
    dims = atomic_load(&tp->dims);
    w = (uint32_t)(dims >> 32);
    h = (uint32_t)dims;
    stride = w * 4;
    if (!d->data || d->maxsize < (uint64_t)stride * h) {
        pw_stream_queue_buffer(tp->stream, b);
        return;
    }
    n = atomic_load(&tp->produced);
    draw(tp, d->data, n, w, h, stride);
    d->chunk->offset = 0;
    d->chunk->stride = (int32_t)stride;
    d->chunk->size = stride * h;
    d->chunk->flags = 0;
    hdr = spa_buffer_find_meta_data(sb, SPA_META_Header, sizeof(*hdr));
    if (hdr) {
        hdr->flags = 0;
        hdr->offset = 0;
        hdr->seq = n;
        hdr->dts_offset = 0;
        /* Stamped last, after drawing: the latency a consumer measures from it is the
         * capture path's alone. */
        hdr->pts = (int64_t)pfi_now_ns();
    }
    atomic_store(&tp->produced, n + 1);
    pw_stream_queue_buffer(tp->stream, b);
}

static void on_timeout(void *data, uint64_t expirations)
{
    struct pf_capture_testpattern *tp = data;

    if (tp->streaming)
        pw_stream_trigger_process(tp->stream);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct pf_capture_testpattern *tp = data;
    struct timespec interval = { 0, 0 }, first = { 0, 1 };

    if (state == PW_STREAM_STATE_PAUSED || state == PW_STREAM_STATE_STREAMING)
        tp->node_id = pw_stream_get_node_id(tp->stream);
    tp->streaming = state == PW_STREAM_STATE_STREAMING;
    if (tp->streaming) {
        interval.tv_nsec = 1000000000l / tp->settings.fps;
        interval.tv_sec = tp->settings.fps == 1;
        if (interval.tv_sec)
            interval.tv_nsec = 0;
    } else {
        first.tv_nsec = 0;
    }
    pw_loop_update_timer(pw_thread_loop_get_loop(tp->pw.loop), tp->timer, &first, &interval,
                         false);
    pw_thread_loop_signal(tp->pw.loop, false);
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
    struct pf_capture_testpattern *tp = data;
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *params[2];
    uint32_t size = tp->stride * tp->settings.height;

    if (id != SPA_PARAM_Format || !param)
        return;
    params[0] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
        SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(tp->settings.n_buffers, 2, 16),
        SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
        SPA_PARAM_BUFFERS_size, SPA_POD_Int(size),
        SPA_PARAM_BUFFERS_stride, SPA_POD_Int(tp->stride),
        SPA_PARAM_BUFFERS_dataType,
        SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd)));
    params[1] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
        SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
        SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
    pw_stream_update_params(tp->stream, params, 2);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .param_changed = on_param_changed,
    .process = on_process,
};

static const struct spa_pod *build_format(struct pf_capture_testpattern *tp,
                                          struct spa_pod_builder *b)
{
    struct spa_rectangle size = SPA_RECTANGLE(tp->settings.width, tp->settings.height);
    struct spa_fraction rate = SPA_FRACTION(tp->settings.fps, 1);

    return spa_pod_builder_add_object(b, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
        SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
        SPA_FORMAT_VIDEO_format, SPA_POD_Id(pfi_format_to_spa(tp->settings.format)),
        SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&size),
        SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&rate));
}

static int connect_stream(struct pf_capture_testpattern *tp)
{
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *param;
    struct pw_properties *props;
    char fps[32];

    snprintf(fps, sizeof(fps), "1/%u", tp->settings.fps);
    props = pw_properties_new(PW_KEY_MEDIA_CLASS, "Video/Source", PW_KEY_MEDIA_TYPE, "Video",
                              PW_KEY_MEDIA_CATEGORY, "Source", PW_KEY_NODE_NAME,
                              tp->settings.node_name ? tp->settings.node_name : "pf-testpattern",
                              PW_KEY_NODE_DESCRIPTION, "punktfunk test pattern", NULL);
    if (!props)
        return PF_ERR_NOMEM;
    tp->stream = pw_stream_new(tp->pw.core, "pf-testpattern", props);
    if (!tp->stream)
        return PF_ERR_NOMEM;
    pw_stream_add_listener(tp->stream, &tp->stream_listener, &stream_events, tp);
    param = build_format(tp, &b);
    return pw_stream_connect(tp->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                             PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS,
                             &param, 1) < 0 ? PF_ERR_IO : 0;
}

PF_EXPORT int pf_capture_testpattern_create(const pf_capture_testpattern_settings *settings,
                                            pf_capture_testpattern **ret_source)
{
    struct pf_capture_testpattern *tp;
    struct timespec abstime;
    int r;

    pf_assert_return(settings && ret_source, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->width >= 16 && settings->width <= 8192 &&
                         settings->height >= 16 && settings->height <= 8192,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->fps >= 1 && settings->fps <= 1000, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->format == PF_FRAME_FORMAT_BGRX ||
                         settings->format == PF_FRAME_FORMAT_RGBX,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->n_buffers >= 2 && settings->n_buffers <= 16,
                     PF_ERR_INVALID_ARGUMENT);

    tp = calloc(1, sizeof(*tp));
    if (!tp)
        return PF_ERR_NOMEM;
    tp->settings = *settings;
    tp->settings.remote = NULL;
    tp->stride = settings->width * 4;
    atomic_store(&tp->dims, (uint64_t)settings->width << 32 | settings->height);
    r = pfi_pw_connect(&tp->pw, "pf-testpattern", settings->remote, NULL, NULL);
    if (r < 0) {
        pfi_cap_debug(&settings->log, TOPIC, "PipeWire unreachable");
        pf_capture_testpattern_destroy(tp);
        return r;
    }
    pw_thread_loop_lock(tp->pw.loop);
    tp->timer = pw_loop_add_timer(pw_thread_loop_get_loop(tp->pw.loop), on_timeout, tp);
    r = tp->timer ? connect_stream(tp) : PF_ERR_NOMEM;
    if (r == 0) {
        pfi_pw_deadline(&tp->pw, 2000, &abstime);
        while (tp->node_id == 0 || tp->node_id == SPA_ID_INVALID) {
            if (tp->pw.error) {
                r = PF_ERR_IO;
                break;
            }
            if (pw_thread_loop_timed_wait_full(tp->pw.loop, &abstime) == -ETIMEDOUT) {
                r = PF_ERR_TIMEOUT;
                break;
            }
        }
    }
    pw_thread_loop_unlock(tp->pw.loop);
    if (r < 0) {
        pf_capture_testpattern_destroy(tp);
        return r;
    }
    pfi_cap_debug(&settings->log, TOPIC, "node %u: %ux%u@%u", tp->node_id, settings->width,
                  settings->height, settings->fps);
    *ret_source = tp;
    return 0;
}

PF_EXPORT void pf_capture_testpattern_destroy(pf_capture_testpattern *tp)
{
    if (!tp)
        return;
    if (tp->pw.loop) {
        pw_thread_loop_lock(tp->pw.loop);
        if (tp->stream) {
            spa_hook_remove(&tp->stream_listener);
            pw_stream_destroy(tp->stream);
        }
        if (tp->timer)
            pw_loop_destroy_source(pw_thread_loop_get_loop(tp->pw.loop), tp->timer);
        pw_thread_loop_unlock(tp->pw.loop);
    }
    pfi_pw_disconnect(&tp->pw);
    free(tp);
}

PF_EXPORT int pf_capture_testpattern_set_size(pf_capture_testpattern *tp, uint32_t width,
                                              uint32_t height)
{
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *param;
    int r;

    pf_assert_return(tp, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(width >= 16 && width <= 8192 && height >= 16 && height <= 8192,
                     PF_ERR_INVALID_ARGUMENT);
    pw_thread_loop_lock(tp->pw.loop);
    tp->settings.width = width;
    tp->settings.height = height;
    tp->stride = width * 4;
    atomic_store(&tp->dims, (uint64_t)width << 32 | height);
    /* New EnumFormat: the link renegotiates, and both ends get buffers of the new size. */
    param = build_format(tp, &b);
    r = pw_stream_update_params(tp->stream, &param, 1);
    pw_thread_loop_unlock(tp->pw.loop);
    return r < 0 ? PF_ERR_IO : 0;
}

PF_EXPORT int64_t pf_capture_testpattern_get_node_id(pf_capture_testpattern *tp)
{
    pf_assert_return(tp, PF_ERR_INVALID_ARGUMENT);
    return tp->node_id;
}

PF_EXPORT uint64_t pf_capture_testpattern_get_produced(pf_capture_testpattern *tp)
{
    return tp ? atomic_load(&tp->produced) : 0;
}

static uint32_t get_pixel_bits(const uint8_t *p, uint32_t format)
{
    if (format == PF_FRAME_FORMAT_RGBX)
        return (uint32_t)p[2] | (uint32_t)p[1] << 8 | (uint32_t)p[0] << 16;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

PF_EXPORT int pf_capture_testpattern_read_counter(const pf_frame *frame, uint64_t *ret_counter)
{
    const uint8_t *p;

    pf_assert_return(frame && ret_counter, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(frame->n_planes >= 1 && frame->width >= 2, PF_ERR_INVALID_ARGUMENT);
    if (frame->format != PF_FRAME_FORMAT_BGRX && frame->format != PF_FRAME_FORMAT_RGBX)
        return PF_ERR_UNSUPPORTED;
    p = frame->planes[0].data;
    if (!p)
        return PF_ERR_UNSUPPORTED;
    *ret_counter = (uint64_t)get_pixel_bits(p, frame->format) |
                   (uint64_t)get_pixel_bits(p + 4, frame->format) << 24;
    return 0;
}
