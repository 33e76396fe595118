/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "wlr_bridge.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include <spa/buffer/meta.h>
#include <spa/param/buffers.h>
#include <spa/param/video/format-utils.h>
#include <wayland-client.h>

#include "pf/core/error.h"

#include "pw_util.h"
#include "wlr-screencopy-unstable-v1-client-protocol.h"

#define MAX_OUTPUTS 16

struct output {
    struct wl_output *output;
    char name[64];
};

struct pfi_wlr_bridge {
    pthread_t thread;
    int thread_started;
    int stop_fd;
    uint32_t fps, width, height;

    struct wl_display *display;
    struct wl_registry *registry;
    struct wl_shm *shm;
    struct zwlr_screencopy_manager_v1 *manager;
    struct output outputs[MAX_OUTPUTS];
    uint32_t n_outputs;
    struct wl_output *target;

    /* The shm buffer the compositor copies into; remade when its shape changes. */
    struct wl_buffer *buffer;
    uint8_t *data;
    size_t size;
    uint32_t bw, bh, bstride, bformat, bflags;
    struct zwlr_screencopy_frame_v1 *frame;
    int frame_state; /* 0 pending, 1 ready, -1 failed */

    struct pfi_pw pw;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    uint32_t node_id;
    int streaming;
};

static void on_output_name(void *data, struct wl_output *o, const char *name)
{
    struct pfi_wlr_bridge *b = data;

    for (uint32_t i = 0; i < b->n_outputs; i++)
        if (b->outputs[i].output == o)
            snprintf(b->outputs[i].name, sizeof(b->outputs[i].name), "%s", name);
}

static void out_geometry(void *d, struct wl_output *o, int32_t x, int32_t y, int32_t pw,
                         int32_t ph, int32_t sub, const char *make, const char *model,
                         int32_t t)
{
}

static void out_mode(void *d, struct wl_output *o, uint32_t f, int32_t w, int32_t h, int32_t r)
{
}

static void out_done(void *d, struct wl_output *o)
{
}

static void out_scale(void *d, struct wl_output *o, int32_t s)
{
}

static void out_description(void *d, struct wl_output *o, const char *desc)
{
}

static const struct wl_output_listener output_listener = {
    .geometry = out_geometry,
    .mode = out_mode,
    .done = out_done,
    .scale = out_scale,
    .name = on_output_name,
    .description = out_description,
};

static void on_global(void *data, struct wl_registry *reg, uint32_t name, const char *iface,
                      uint32_t version)
{
    struct pfi_wlr_bridge *b = data;

    if (strcmp(iface, wl_shm_interface.name) == 0) {
        b->shm = wl_registry_bind(reg, name, &wl_shm_interface, 1);
    } else if (strcmp(iface, zwlr_screencopy_manager_v1_interface.name) == 0) {
        b->manager = wl_registry_bind(reg, name, &zwlr_screencopy_manager_v1_interface, 1);
    } else if (strcmp(iface, wl_output_interface.name) == 0 && version >= 4 &&
               b->n_outputs < MAX_OUTPUTS) {
        struct output *o = &b->outputs[b->n_outputs++];

        o->output = wl_registry_bind(reg, name, &wl_output_interface, 4);
        wl_output_add_listener(o->output, &output_listener, b);
    }
}

static void on_global_remove(void *data, struct wl_registry *reg, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {
    .global = on_global,
    .global_remove = on_global_remove,
};

static void free_buffer(struct pfi_wlr_bridge *b)
{
    if (b->buffer)
        wl_buffer_destroy(b->buffer);
    if (b->data)
        munmap(b->data, b->size);
    b->buffer = NULL;
    b->data = NULL;
}

static int make_buffer(struct pfi_wlr_bridge *b, uint32_t format, uint32_t w, uint32_t h,
                       uint32_t stride)
{
    struct wl_shm_pool *pool;
    int fd;

    free_buffer(b);
    b->size = (size_t)stride * h;
    fd = memfd_create("pf-wlr-bridge", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)b->size) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    b->data = mmap(NULL, b->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (b->data == MAP_FAILED) {
        b->data = NULL;
        close(fd);
        return -1;
    }
    pool = wl_shm_create_pool(b->shm, fd, (int32_t)b->size);
    b->buffer = wl_shm_pool_create_buffer(pool, 0, (int32_t)w, (int32_t)h, (int32_t)stride,
                                          format);
    wl_shm_pool_destroy(pool);
    close(fd);
    b->bw = w;
    b->bh = h;
    b->bstride = stride;
    b->bformat = format;
    return 0;
}

static void frame_buffer(void *data, struct zwlr_screencopy_frame_v1 *f, uint32_t format,
                         uint32_t w, uint32_t h, uint32_t stride)
{
    struct pfi_wlr_bridge *b = data;

    /* Only 32-bit xRGB/ARGB: both are B,G,R,x bytes, which is what we publish. */
    if ((format != WL_SHM_FORMAT_XRGB8888 && format != WL_SHM_FORMAT_ARGB8888) ||
        (!(b->buffer && b->bw == w && b->bh == h && b->bstride == stride &&
           b->bformat == format) && make_buffer(b, format, w, h, stride) < 0)) {
        b->frame_state = -1;
        return;
    }
    zwlr_screencopy_frame_v1_copy(f, b->buffer);
}

static void frame_flags(void *data, struct zwlr_screencopy_frame_v1 *f, uint32_t flags)
{
    ((struct pfi_wlr_bridge *)data)->bflags = flags;
}

static void frame_ready(void *data, struct zwlr_screencopy_frame_v1 *f, uint32_t hi, uint32_t lo,
                        uint32_t nsec)
{
    ((struct pfi_wlr_bridge *)data)->frame_state = 1;
}

static void frame_failed(void *data, struct zwlr_screencopy_frame_v1 *f)
{
    ((struct pfi_wlr_bridge *)data)->frame_state = -1;
}

static void frame_damage(void *data, struct zwlr_screencopy_frame_v1 *f, uint32_t x, uint32_t y,
                         uint32_t w, uint32_t h)
{
}

static void frame_dmabuf(void *data, struct zwlr_screencopy_frame_v1 *f, uint32_t format,
                         uint32_t w, uint32_t h)
{
}

static void frame_buffer_done(void *data, struct zwlr_screencopy_frame_v1 *f)
{
}

static const struct zwlr_screencopy_frame_v1_listener frame_listener = {
    .buffer = frame_buffer,
    .flags = frame_flags,
    .ready = frame_ready,
    .failed = frame_failed,
    .damage = frame_damage,
    .linux_dmabuf = frame_dmabuf,
    .buffer_done = frame_buffer_done,
};

static void publish(struct pfi_wlr_bridge *b)
{
    struct pw_buffer *pb;
    struct spa_data *d;
    struct spa_meta_header *h;
    uint32_t stride = b->width * 4, rows, bytes;

    pw_thread_loop_lock(b->pw.loop);
    if (!b->streaming || !(pb = pw_stream_dequeue_buffer(b->stream))) {
        pw_thread_loop_unlock(b->pw.loop);
        return;
    }
    d = &pb->buffer->datas[0];
    rows = b->bh < b->height ? b->bh : b->height;
    bytes = (b->bw < b->width ? b->bw : b->width) * 4;
    if (d->data && d->maxsize >= (uint64_t)stride * b->height) {
        for (uint32_t y = 0; y < rows; y++) {
            uint32_t src_y = (b->bflags & ZWLR_SCREENCOPY_FRAME_V1_FLAGS_Y_INVERT)
                                 ? b->bh - 1 - y : y;

            memcpy((uint8_t *)d->data + (size_t)y * stride,
                   b->data + (size_t)src_y * b->bstride, bytes);
        }
        d->chunk->offset = 0;
        d->chunk->stride = (int32_t)stride;
        d->chunk->size = stride * b->height;
        d->chunk->flags = 0;
    }
    h = spa_buffer_find_meta_data(pb->buffer, SPA_META_Header, sizeof(*h));
    if (h) {
        memset(h, 0, sizeof(*h));
        h->pts = (int64_t)pfi_now_ns();
    }
    pw_stream_queue_buffer(b->stream, pb);
    pw_stream_trigger_process(b->stream);
    pw_thread_loop_unlock(b->pw.loop);
}

static void *run(void *data)
{
    struct pfi_wlr_bridge *b = data;
    uint64_t interval = 1000000000ull / b->fps, next = pfi_now_ns();

    for (;;) {
        struct pollfd pfd[2] = { { wl_display_get_fd(b->display), POLLIN, 0 },
                                 { b->stop_fd, POLLIN, 0 } };
        uint64_t now = pfi_now_ns();
        int timeout = 100;

        if (!b->frame && now >= next) {
            b->frame_state = 0;
            b->frame = zwlr_screencopy_manager_v1_capture_output(b->manager, 1, b->target);
            zwlr_screencopy_frame_v1_add_listener(b->frame, &frame_listener, b);
            next += interval;
            if (next < now)
                next = now + interval;
        }
        if (!b->frame)
            timeout = (int)((next - now) / 1000000u);
        while (wl_display_prepare_read(b->display) != 0)
            wl_display_dispatch_pending(b->display);
        wl_display_flush(b->display);
        if (poll(pfd, 2, timeout) > 0 && (pfd[0].revents & POLLIN))
            wl_display_read_events(b->display);
        else
            wl_display_cancel_read(b->display);
        if (wl_display_dispatch_pending(b->display) < 0 || (pfd[1].revents & POLLIN))
            break;
        if (b->frame && b->frame_state != 0) {
            if (b->frame_state > 0)
                publish(b);
            zwlr_screencopy_frame_v1_destroy(b->frame);
            b->frame = NULL;
        }
    }
    return NULL;
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct pfi_wlr_bridge *b = data;

    if (state == PW_STREAM_STATE_PAUSED || state == PW_STREAM_STATE_STREAMING)
        b->node_id = pw_stream_get_node_id(b->stream);
    b->streaming = state == PW_STREAM_STATE_STREAMING;
    pw_thread_loop_signal(b->pw.loop, false);
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
    struct pfi_wlr_bridge *b = data;
    uint8_t buf[1024];
    struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *params[2];

    if (id != SPA_PARAM_Format || !param)
        return;
    params[0] = spa_pod_builder_add_object(&pb, SPA_TYPE_OBJECT_ParamBuffers, SPA_PARAM_Buffers,
        SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(4, 2, 8),
        SPA_PARAM_BUFFERS_blocks, SPA_POD_Int(1),
        SPA_PARAM_BUFFERS_size, SPA_POD_Int(b->width * 4 * b->height),
        SPA_PARAM_BUFFERS_stride, SPA_POD_Int(b->width * 4),
        SPA_PARAM_BUFFERS_dataType,
        SPA_POD_CHOICE_FLAGS_Int((1 << SPA_DATA_MemPtr) | (1 << SPA_DATA_MemFd)));
    params[1] = spa_pod_builder_add_object(&pb, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
        SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
        SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
    pw_stream_update_params(b->stream, params, 2);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .param_changed = on_param_changed,
};

static int start_stream(struct pfi_wlr_bridge *b, const char *output_name, uint32_t timeout_ms)
{
    uint8_t buf[1024];
    struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    struct spa_rectangle size = SPA_RECTANGLE(b->width, b->height);
    struct spa_fraction rate = SPA_FRACTION(b->fps, 1);
    const struct spa_pod *param;
    struct timespec abstime;
    char node_name[96];
    int r = 0;

    snprintf(node_name, sizeof(node_name), "pf-wlr-%s", output_name);
    pw_thread_loop_lock(b->pw.loop);
    b->stream = pw_stream_new(b->pw.core, node_name,
                              pw_properties_new(PW_KEY_MEDIA_CLASS, "Video/Source",
                                                PW_KEY_MEDIA_TYPE, "Video",
                                                PW_KEY_NODE_NAME, node_name, NULL));
    if (!b->stream) {
        pw_thread_loop_unlock(b->pw.loop);
        return PF_ERR_NOMEM;
    }
    pw_stream_add_listener(b->stream, &b->stream_listener, &stream_events, b);
    param = spa_pod_builder_add_object(&pb, SPA_TYPE_OBJECT_Format, SPA_PARAM_EnumFormat,
        SPA_FORMAT_mediaType, SPA_POD_Id(SPA_MEDIA_TYPE_video),
        SPA_FORMAT_mediaSubtype, SPA_POD_Id(SPA_MEDIA_SUBTYPE_raw),
        SPA_FORMAT_VIDEO_format, SPA_POD_Id(SPA_VIDEO_FORMAT_BGRx),
        SPA_FORMAT_VIDEO_size, SPA_POD_Rectangle(&size),
        SPA_FORMAT_VIDEO_framerate, SPA_POD_Fraction(&rate));
    if (pw_stream_connect(b->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                          PW_STREAM_FLAG_DRIVER | PW_STREAM_FLAG_MAP_BUFFERS, &param, 1) < 0)
        r = PF_ERR_IO;
    pfi_pw_deadline(&b->pw, timeout_ms, &abstime);
    while (r == 0 && (b->node_id == 0 || b->node_id == SPA_ID_INVALID)) {
        if (b->pw.error)
            r = PF_ERR_IO;
        else if (pw_thread_loop_timed_wait_full(b->pw.loop, &abstime) == -ETIMEDOUT)
            r = PF_ERR_TIMEOUT;
    }
    pw_thread_loop_unlock(b->pw.loop);
    return r;
}

int pfi_wlr_bridge_start(const char *output_name, uint32_t width, uint32_t height, uint32_t fps,
                         const char *pipewire_remote, uint32_t timeout_ms,
                         struct pfi_wlr_bridge **ret_bridge)
{
    struct pfi_wlr_bridge *b = calloc(1, sizeof(*b));
    int r;

    if (!b)
        return PF_ERR_NOMEM;
    b->stop_fd = eventfd(0, EFD_CLOEXEC);
    b->width = width;
    b->height = height;
    b->fps = fps ? fps : 60;
    b->display = wl_display_connect(NULL);
    if (!b->display || b->stop_fd < 0) {
        pfi_wlr_bridge_stop(b);
        return PF_ERR_IO;
    }
    b->registry = wl_display_get_registry(b->display);
    wl_registry_add_listener(b->registry, &registry_listener, b);
    /* Globals, then the outputs' name events. */
    if (wl_display_roundtrip(b->display) < 0 || wl_display_roundtrip(b->display) < 0) {
        pfi_wlr_bridge_stop(b);
        return PF_ERR_IO;
    }
    if (!b->manager || !b->shm) {
        pfi_wlr_bridge_stop(b);
        return PF_ERR_UNSUPPORTED;
    }
    for (uint32_t i = 0; i < b->n_outputs; i++)
        if (strcmp(b->outputs[i].name, output_name) == 0)
            b->target = b->outputs[i].output;
    if (!b->target) {
        pfi_wlr_bridge_stop(b);
        return PF_ERR_NOT_FOUND;
    }
    r = pfi_pw_connect(&b->pw, "pf-wlr-bridge", pipewire_remote, NULL, NULL);
    if (r == 0)
        r = start_stream(b, output_name, timeout_ms);
    if (r == 0)
        r = pthread_create(&b->thread, NULL, run, b) == 0 ? 0 : PF_ERR_NOMEM;
    if (r < 0) {
        pfi_wlr_bridge_stop(b);
        return r;
    }
    b->thread_started = 1;
    *ret_bridge = b;
    return 0;
}

uint32_t pfi_wlr_bridge_node_id(struct pfi_wlr_bridge *b)
{
    return b->node_id;
}

void pfi_wlr_bridge_stop(struct pfi_wlr_bridge *b)
{
    uint64_t one = 1;

    if (!b)
        return;
    if (b->thread_started) {
        if (write(b->stop_fd, &one, sizeof(one)) != sizeof(one))
            pthread_cancel(b->thread);
        pthread_join(b->thread, NULL);
    }
    if (b->pw.loop) {
        pw_thread_loop_lock(b->pw.loop);
        if (b->stream) {
            spa_hook_remove(&b->stream_listener);
            pw_stream_destroy(b->stream);
        }
        pw_thread_loop_unlock(b->pw.loop);
    }
    pfi_pw_disconnect(&b->pw);
    if (b->frame)
        zwlr_screencopy_frame_v1_destroy(b->frame);
    free_buffer(b);
    for (uint32_t i = 0; i < b->n_outputs; i++)
        wl_output_destroy(b->outputs[i].output);
    if (b->manager)
        zwlr_screencopy_manager_v1_destroy(b->manager);
    if (b->shm)
        wl_shm_destroy(b->shm);
    if (b->registry)
        wl_registry_destroy(b->registry);
    if (b->display)
        wl_display_disconnect(b->display);
    if (b->stop_fd >= 0)
        close(b->stop_fd);
    free(b);
}
