/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Public capture API: settings, the owner-thread side of the frame handoff, fence waits
 * before frames go out, reference counting and statistics. */
#include "pf/capture.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "pf/core/error.h"

#include "capture_impl.h"
#include "log.h"

#define TOPIC "capture"

PF_EXPORT uint32_t pf_capture_abi_version(void)
{
    return PF_CAPTURE_ABI_VERSION;
}

PF_EXPORT int pf_capture_settings_init(pf_capture_settings *settings)
{
    pf_assert_return(settings, PF_ERR_INVALID_ARGUMENT);
    memset(settings, 0, sizeof(*settings));
    settings->struct_size = sizeof(*settings);
    settings->node_id = UINT32_MAX;
    return 0;
}

static void on_pw_event(void *user_data, int err, uint32_t removed_id)
{
    struct pf_capture *c = user_data;

    if (err < 0)
        pfi_capture_fail(c, PF_ERR_IO);
    else if (removed_id == c->target_id)
        pfi_capture_fail(c, PF_ERR_NOT_FOUND);
}

static char *dup_or_null(const char *s, int *fail)
{
    char *d;

    if (!s)
        return NULL;
    d = strdup(s);
    if (!d)
        *fail = 1;
    return d;
}

PF_EXPORT int pf_capture_create(const pf_capture_settings *settings,
                                const pf_capture_listener *listener, void *user_data,
                                pf_capture **ret_capture)
{
    struct pf_capture *c;
    int fail = 0, r;

    pf_assert_return(settings && ret_capture, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(pf_capture_settings),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(!(settings->flags & ~(PF_CAPTURE_FLAG_NO_DMABUF | PF_CAPTURE_FLAG_NO_SHM |
                                           PF_CAPTURE_FLAG_CURSOR)),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return((settings->flags & (PF_CAPTURE_FLAG_NO_DMABUF | PF_CAPTURE_FLAG_NO_SHM)) !=
                         (PF_CAPTURE_FLAG_NO_DMABUF | PF_CAPTURE_FLAG_NO_SHM),
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->queue_depth <= PF_CAPTURE_MAX_QUEUE, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->node_id != UINT32_MAX, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(!listener || listener->struct_size >= sizeof(pf_capture_listener),
                     PF_ERR_INVALID_ARGUMENT);

    c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    c->settings = *settings;
    c->event_fd = -1;
    c->drm_fd = -1;
    r = pfi_format_offer_init(&c->offer, settings);
    if (r < 0) {
        free(c);
        return r;
    }
    if (!c->settings.queue_depth)
        c->settings.queue_depth = 4;
    if (!c->settings.fence_timeout_us)
        c->settings.fence_timeout_us = 20000;
    if (!c->settings.connect_timeout_ms)
        c->settings.connect_timeout_ms = 2000;
    c->remote = dup_or_null(settings->remote, &fail);
    c->drm_device = dup_or_null(settings->drm_device, &fail);
    c->settings.remote = c->remote;
    c->settings.drm_device = c->drm_device;
    c->settings.modifiers = NULL;
    c->listener = listener;
    c->user_data = user_data;
    if (fail) {
        pf_capture_destroy(c);
        return PF_ERR_NOMEM;
    }
    if (settings->flags & PF_CAPTURE_FLAG_CURSOR) {
        c->cursor = pfi_cursor_new();
        if (!c->cursor) {
            pf_capture_destroy(c);
            return PF_ERR_NOMEM;
        }
    }
    c->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (c->event_fd < 0) {
        r = -errno;
        pf_capture_destroy(c);
        return r;
    }
    pthread_mutex_init(&c->format_lock, NULL);
    for (uint32_t i = 0; i < PFI_CAPTURE_SLOTS; i++) {
        c->slots[i].magic = PFI_SLOT_MAGIC;
        c->slots[i].owner = c;
        c->slots[i].syncobj_fd = -1;
    }
    /* Timelines need a render node; without one (no GPU) only the implicit path exists. */
    if (!(c->settings.flags & PF_CAPTURE_FLAG_NO_DMABUF))
        c->drm_fd = pfi_sync_open_render_node(c->drm_device);
    pfi_sync_init(&c->sync, c->drm_fd, c->settings.fence_timeout_us);
    *ret_capture = c;
    return 0;
}

PF_EXPORT int pf_capture_start(pf_capture *c)
{
    int r;

    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    if (c->connected || c->state == PF_CAPTURE_STATE_ERROR)
        return PF_ERR_STATE;
    r = pfi_pw_connect_timeout(&c->pw, "pf-capture", c->remote, on_pw_event, c,
                               c->settings.connect_timeout_ms);
    if (r < 0) {
        pfi_cap_debug(&c->settings.log, TOPIC, "PipeWire unreachable (%s)",
                      c->remote ? c->remote : "default remote");
        pfi_pw_disconnect(&c->pw);
        return r;
    }
    c->connected = 1;
    pw_thread_loop_lock(c->pw.loop);
    r = pfi_capture_stream_connect(c);
    pw_thread_loop_unlock(c->pw.loop);
    if (r < 0) {
        pfi_cap_debug(&c->settings.log, TOPIC, "node %u: cannot connect (%d)",
                      c->settings.node_id, r);
        pf_capture_stop(c);
        return r;
    }
    c->state = PF_CAPTURE_STATE_CONNECTING;
    pfi_cap_debug(&c->settings.log, TOPIC, "capturing node %u", c->target_id);
    return 0;
}

static void drain_queue(struct pf_capture *c)
{
    uint32_t tail = atomic_load(&c->ring_tail);

    while (tail != atomic_load_explicit(&c->ring_head, memory_order_acquire)) {
        struct pfi_capture_slot *s = &c->slots[c->ring[tail % PFI_CAPTURE_SLOTS]];

        tail++;
        atomic_store(&c->ring_tail, tail);
        pfi_capture_stream_return(c, s);
    }
}

PF_EXPORT int pf_capture_stop(pf_capture *c)
{
    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    if (!c->connected)
        return 0;
    drain_queue(c);
    pw_thread_loop_lock(c->pw.loop);
    pfi_capture_stream_destroy(c);
    pw_thread_loop_unlock(c->pw.loop);
    c->connected = 0;
    pfi_pw_disconnect(&c->pw);
    /* Frames still held now have no buffer to go back to; their release only frees the slot. */
    for (uint32_t i = 0; i < PFI_CAPTURE_SLOTS; i++)
        c->slots[i].buffer = NULL;
    if (c->state != PF_CAPTURE_STATE_ERROR)
        c->state = PF_CAPTURE_STATE_IDLE;
    atomic_store(&c->pw_state, PF_CAPTURE_STATE_IDLE);
    return 0;
}

PF_EXPORT void pf_capture_destroy(pf_capture *c)
{
    if (!c)
        return;
    pf_capture_stop(c);
    if (c->event_fd >= 0) {
        close(c->event_fd);
        pthread_mutex_destroy(&c->format_lock);
    }
    if (c->drm_fd >= 0)
        close(c->drm_fd);
    pfi_cursor_free(c->cursor);
    free(c->remote);
    free(c->drm_device);
    free(c);
}

PF_EXPORT int pf_capture_get_fd(pf_capture *c)
{
    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    return c->event_fd;
}

static void fill_public_format(struct pf_capture *c, pf_capture_format *f)
{
    memset(f, 0, sizeof(*f));
    f->struct_size = sizeof(*f);
    pthread_mutex_lock(&c->format_lock);
    f->width = c->fmt.width;
    f->height = c->fmt.height;
    f->format = c->fmt.format;
    f->memory = c->fmt_memory;
    f->fps_num = c->fmt.fps_num;
    f->fps_den = c->fmt.fps_den;
    f->modifier = c->fmt_memory == PF_FRAME_MEMORY_DMABUF ? c->fmt.modifier
                                                           : PF_FRAME_MODIFIER_INVALID;
    pthread_mutex_unlock(&c->format_lock);
}

static void set_state(struct pf_capture *c, uint32_t state, int err)
{
    if (c->state == state)
        return;
    c->state = state;
    c->error = err;
    if (c->listener && c->listener->state_changed)
        c->listener->state_changed(c->user_data, state, err);
}

PF_EXPORT int pf_capture_dispatch(pf_capture *c)
{
    uint64_t count;
    uint32_t serial, pw_state;
    ssize_t r;

    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    r = read(c->event_fd, &count, sizeof(count));
    (void)r;
    serial = atomic_load(&c->format_serial);
    if (serial != c->seen_format_serial) {
        pf_capture_format f;

        if (c->have_format)
            c->renegotiations++;
        c->have_format = 1;
        c->seen_format_serial = serial;
        fill_public_format(c, &f);
        pfi_cap_debug(&c->settings.log, TOPIC, "format %ux%u fourcc %08x %s", f.width, f.height,
                      f.format, f.memory == PF_FRAME_MEMORY_DMABUF ? "dmabuf" : "shm");
        if (c->listener && c->listener->format_changed)
            c->listener->format_changed(c->user_data, &f);
    }
    pw_state = atomic_load(&c->pw_state);
    if (pw_state == PF_CAPTURE_STATE_ERROR) {
        int err = atomic_load(&c->pw_error);

        if (c->state != PF_CAPTURE_STATE_ERROR)
            pfi_cap_debug(&c->settings.log, TOPIC, "stream failed (%d)", err);
        set_state(c, PF_CAPTURE_STATE_ERROR, err);
        return err;
    }
    if (c->connected && pw_state == PF_CAPTURE_STATE_STREAMING && c->have_format)
        set_state(c, PF_CAPTURE_STATE_STREAMING, 0);
    if (atomic_load(&c->ring_tail) != atomic_load(&c->ring_head) && c->listener &&
        c->listener->frame_ready)
        c->listener->frame_ready(c->user_data);
    return (int)c->state;
}

PF_EXPORT int pf_capture_wait(pf_capture *c, int32_t timeout_ms)
{
    struct pollfd pfd;

    pf_assert_return(c, PF_ERR_INVALID_ARGUMENT);
    pfd.fd = c->event_fd;
    pfd.events = POLLIN;
    if (atomic_load(&c->ring_tail) == atomic_load(&c->ring_head))
        poll(&pfd, 1, timeout_ms);
    return pf_capture_dispatch(c);
}

static void release_frame(void *user_data, pf_frame *frame)
{
    struct pfi_capture_slot *s = user_data;

    if (atomic_fetch_sub(&s->refs, 1) > 1) {
        /* pf_frame_release() cleared the hook; other references still need it. */
        frame->release = release_frame;
        return;
    }
    if (frame->sync_fd >= 0) {
        close(frame->sync_fd);
        frame->sync_fd = -1;
    }
    pfi_capture_stream_return(s->owner, s);
}

/* Waits the producer's render before the frame leaves the library: a dmabuf is never
 * handed out unsynchronised (a bounded wait that runs out is counted, then the frame goes). */
static void sync_frame(struct pf_capture *c, struct pfi_capture_slot *s)
{
    pf_frame *f = &s->frame;
    int fds[PF_FRAME_MAX_PLANES];
    int r;

    if (f->memory != PF_FRAME_MEMORY_DMABUF)
        return;
    if (f->sync_kind == PF_FRAME_SYNC_TIMELINE) {
        r = pfi_sync_timeline_acquire(&c->sync, f->timeline_fd, f->acquire_point);
    } else {
        for (uint32_t i = 0; i < f->n_planes; i++)
            fds[i] = f->planes[i].fd;
        r = pfi_sync_implicit(&c->sync, fds, f->n_planes);
    }
    if (r >= 0 && !c->sync.busy_reported) {
        c->sync.busy_reported = 1;
        pfi_cap_debug(&c->settings.log, TOPIC, "%s sync: %s", f->sync_kind ==
                      PF_FRAME_SYNC_TIMELINE ? "explicit" : "implicit",
                      r == PFI_SYNC_READY ? "no render in flight on the first frame"
                                          : "a render was in flight; waited");
    } else if (r >= PFI_SYNC_WAITED && c->sync.busy_reported == 1) {
        c->sync.busy_reported = 2;
        pfi_cap_debug(&c->settings.log, TOPIC, "render in flight at capture: fence waited");
    }
    /* Waited here, so the consumer sees a ready frame (frame.h: the producer library waits
     * and clears). The release point stays with the slot and is signalled on release. */
    f->sync_kind = PF_FRAME_SYNC_NONE;
    f->timeline_fd = -1;
    f->acquire_point = 0;
    f->release_point = 0;
}

PF_EXPORT int pf_capture_acquire_frame(pf_capture *c, pf_frame **ret_frame)
{
    pf_assert_return(c && ret_frame, PF_ERR_INVALID_ARGUMENT);
    for (;;) {
        uint32_t tail = atomic_load(&c->ring_tail);
        uint32_t head = atomic_load_explicit(&c->ring_head, memory_order_acquire);
        struct pfi_capture_slot *s;

        if (tail == head) {
            if (atomic_load(&c->pw_state) == PF_CAPTURE_STATE_ERROR)
                return atomic_load(&c->pw_error);
            return PF_ERR_AGAIN;
        }
        s = &c->slots[c->ring[tail % PFI_CAPTURE_SLOTS]];
        atomic_store(&c->ring_tail, tail + 1);
        if (s->corrupted) {
            c->corrupted_seen++;
            pfi_capture_stream_return(c, s);
            continue;
        }
        /* A buffer from before a format change is gone (or about to be); skip it. */
        if (!s->buffer || s->generation != atomic_load(&c->generation)) {
            pfi_capture_stream_return(c, s);
            continue;
        }
        /* An owner that fell behind gets the newest frames: older ones beyond the queue depth
         * go back unread (counted), so latency never builds up. */
        if (head - tail > c->settings.queue_depth) {
            c->dropped_seen++;
            pfi_capture_stream_return(c, s);
            continue;
        }
        sync_frame(c, s);
        s->frame.pts_ns = s->pts_ns ? s->pts_ns : s->arrival_ns;
        s->frame.arrival_ns = s->arrival_ns;
        s->frame.sequence = ++c->sequence;
        s->frame.color_space = PF_COLOR_SPACE_BT709;
        s->frame.color_range = PF_COLOR_RANGE_FULL;
        s->frame.flags = 0;
        s->frame.release = release_frame;
        s->frame.release_user_data = s;
        atomic_store(&s->refs, 1);
        atomic_store(&s->state, PFI_SLOT_OUT);
        c->delivered++;
        *ret_frame = &s->frame;
        return 0;
    }
}

PF_EXPORT int pf_capture_frame_ref(pf_frame *frame)
{
    struct pfi_capture_slot *s = (struct pfi_capture_slot *)frame;

    pf_assert_return(frame && frame->release == release_frame &&
                         frame->release_user_data == s && s->magic == PFI_SLOT_MAGIC,
                     PF_ERR_INVALID_ARGUMENT);
    atomic_fetch_add(&s->refs, 1);
    return 0;
}

PF_EXPORT int pf_capture_get_format(pf_capture *c, pf_capture_format *ret_format)
{
    pf_assert_return(c && ret_format, PF_ERR_INVALID_ARGUMENT);
    if (!atomic_load(&c->format_serial))
        return PF_ERR_AGAIN;
    fill_public_format(c, ret_format);
    return 0;
}

PF_EXPORT int pf_capture_get_stats(pf_capture *c, pf_capture_stats *ret_stats)
{
    pf_capture_stats s;
    size_t n;

    pf_assert_return(c && ret_stats && ret_stats->struct_size >= 8, PF_ERR_INVALID_ARGUMENT);
    memset(&s, 0, sizeof(s));
    s.struct_size = sizeof(s);
    s.frames = atomic_load(&c->frames);
    s.delivered = c->delivered;
    s.dropped = atomic_load(&c->dropped) + c->dropped_seen;
    s.fence_waits = c->sync.waits;
    s.fence_timeouts = c->sync.timeouts;
    s.renegotiations = c->renegotiations;
    s.corrupted = c->corrupted_seen;
    /* Older callers get the prefix they know. */
    n = ret_stats->struct_size < sizeof(s) ? ret_stats->struct_size : sizeof(s);
    memcpy(ret_stats, &s, n);
    ret_stats->struct_size = (uint32_t)n;
    return 0;
}

PF_EXPORT int pf_capture_get_cursor(pf_capture *c, pf_capture_cursor *ret_cursor,
                                    uint8_t *pixels, size_t pixels_size)
{
    pf_assert_return(c && ret_cursor && ret_cursor->struct_size >= 8, PF_ERR_INVALID_ARGUMENT);
    if (!c->cursor)
        return PF_ERR_UNSUPPORTED;
    return pfi_cursor_get(c->cursor, ret_cursor, pixels, pixels_size);
}
