/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The PipeWire side of a capture: stream setup, format and modifier negotiation, and the
 * process callback. process runs on PipeWire's real-time data thread (RT_PROCESS: no hop
 * through the main loop, no scheduling delay behind ordinary threads) and only dequeues,
 * fills a preallocated slot, pushes its index and wakes the owner: no allocation, lock, log
 * or buffer return there. Buffers go back to PipeWire only from the owner side, under the
 * thread-loop lock, so pw_stream's recycle queue always has a single writer. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <spa/buffer/meta.h>
#include <spa/param/buffers.h>
#include <spa/param/video/format-utils.h>

#include "pf/core/error.h"

#include "capture_impl.h"

void pfi_capture_wake(struct pf_capture *c)
{
    uint64_t one = 1;
    ssize_t r;

    /* A full counter still leaves the fd readable, which is all the owner needs. */
    r = write(c->event_fd, &one, sizeof(one));
    (void)r;
}

void pfi_capture_fail(struct pf_capture *c, int err)
{
    int expected = 0;

    atomic_compare_exchange_strong(&c->pw_error, &expected, err);
    atomic_store(&c->pw_state, PF_CAPTURE_STATE_ERROR);
    pfi_capture_wake(c);
}

#define CURSOR_META_SIZE(side)                                                        \
    ((int)(sizeof(struct spa_meta_cursor) + sizeof(struct spa_meta_bitmap) +              \
           (side) * (side) * 4u))

static int set_buffer_params(struct pf_capture *c, int dmabuf)
{
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *params[4];
    uint32_t n = 0;
    int types = dmabuf ? (1 << SPA_DATA_DmaBuf) : (1 << SPA_DATA_MemFd) | (1 << SPA_DATA_MemPtr);

    params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamBuffers,
        SPA_PARAM_Buffers,
        /* Never more buffers than slots: every dequeued buffer finds a slot. */
        SPA_PARAM_BUFFERS_buffers, SPA_POD_CHOICE_RANGE_Int(8, 2, PFI_CAPTURE_SLOTS),
        SPA_PARAM_BUFFERS_dataType, SPA_POD_CHOICE_FLAGS_Int(types));
    params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
        SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Header),
        SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_header)));
    /* The pointer as metadata. The link keeps a Meta only where both sides' sizes meet, and
     * producers offer one fixed size (Mutter: a 384×384 bitmap), so any size they may pick
     * is accepted; bitmaps over PF_CAPTURE_CURSOR_MAX_SIDE are then left out (cursor.c). */
    if (c->cursor)
        params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta, SPA_PARAM_Meta,
            SPA_PARAM_META_type, SPA_POD_Id(SPA_META_Cursor),
            SPA_PARAM_META_size, SPA_POD_CHOICE_RANGE_Int(CURSOR_META_SIZE(384),
                                                          CURSOR_META_SIZE(1),
                                                          CURSOR_META_SIZE(1024)));
#ifdef PF_HAVE_SYNC_TIMELINE
    /* Explicit sync (PipeWire >= 1.2): asking for the timeline meta makes a producer that
     * supports it attach acquire/release points and two syncobj data planes. */
    if (dmabuf)
        params[n++] = spa_pod_builder_add_object(&b, SPA_TYPE_OBJECT_ParamMeta,
            SPA_PARAM_Meta, SPA_PARAM_META_type, SPA_POD_Id(SPA_META_SyncTimeline),
            SPA_PARAM_META_size, SPA_POD_Int(sizeof(struct spa_meta_sync_timeline)));
#endif
    return pw_stream_update_params(c->stream, params, n);
}

static int fixate_modifier(struct pf_capture *c, uint64_t modifier)
{
    uint8_t buf[8192];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *pods[2 * PF_CAPTURE_MAX_FORMATS];
    uint32_t n = pfi_format_build(&c->offer, &modifier, &b, pods, SPA_N_ELEMENTS(pods));

    return pw_stream_update_params(c->stream, pods, n);
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
    struct pf_capture *c = data;
    struct pfi_format_result res;
    uint64_t modifier;
    int r;

    if (id != SPA_PARAM_Format || !param)
        return;
    r = pfi_format_parse(&c->offer, param, &res);
    if (r < 0) {
        pw_stream_set_error(c->stream, -EINVAL, "format not accepted by the consumer");
        pfi_capture_fail(c, r == PF_ERR_MALFORMED ? PF_ERR_MALFORMED : PF_ERR_UNSUPPORTED);
        return;
    }
    if (res.has_modifier && !res.modifier_fixed) {
        if (pfi_format_pick_modifier(&c->offer, &res, &modifier) < 0) {
            pfi_capture_fail(c, PF_ERR_UNSUPPORTED);
            return;
        }
        /* The producer offered a choice: answer with one modifier; the Format comes back
         * fixed. */
        fixate_modifier(c, modifier);
        return;
    }
    pthread_mutex_lock(&c->format_lock);
    c->fmt = res;
    c->fmt_memory = res.has_modifier ? PF_FRAME_MEMORY_DMABUF : PF_FRAME_MEMORY_CPU;
    pthread_mutex_unlock(&c->format_lock);
    atomic_fetch_add(&c->generation, 1);
    set_buffer_params(c, res.has_modifier);
    atomic_fetch_add(&c->format_serial, 1);
    pfi_capture_wake(c);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct pf_capture *c = data;

    switch (state) {
    case PW_STREAM_STATE_ERROR:
        /* The link failing to find a common format is the usual reason for a stream error
         * before any format was set. */
        pfi_capture_fail(c, atomic_load(&c->format_serial) ? PF_ERR_IO : PF_ERR_UNSUPPORTED);
        break;
    case PW_STREAM_STATE_UNCONNECTED:
        if (atomic_load(&c->pw_state) != PF_CAPTURE_STATE_IDLE)
            pfi_capture_fail(c, PF_ERR_NOT_FOUND);
        break;
    case PW_STREAM_STATE_STREAMING:
        atomic_store(&c->pw_state, PF_CAPTURE_STATE_STREAMING);
        pfi_capture_wake(c);
        break;
    default:
        break;
    }
}

static void map_free_once(struct pfi_buffer_map *m)
{
    if (atomic_exchange(&m->freed, 1))
        return;
    munmap(m->base, m->len);
    free(m);
}

static void map_drop(struct pfi_buffer_map *m)
{
    if (m && atomic_fetch_sub(&m->holders, 1) == 1 && atomic_load(&m->removed))
        map_free_once(m);
}

static void on_add_buffer(void *data, struct pw_buffer *buffer)
{
    struct spa_buffer *sb = buffer->buffer;
    struct spa_data *d = sb->n_datas ? &sb->datas[0] : NULL;
    struct pfi_buffer_map *m;
    void *base;

    buffer->user_data = NULL;
    if (!d || d->type != SPA_DATA_MemFd || d->fd < 0 || !d->maxsize)
        return;
    base = mmap(NULL, (size_t)d->mapoffset + d->maxsize, PROT_READ, MAP_SHARED, (int)d->fd, 0);
    if (base == MAP_FAILED)
        return;
    m = calloc(1, sizeof(*m));
    if (!m) {
        munmap(base, (size_t)d->mapoffset + d->maxsize);
        return;
    }
    m->base = base;
    m->len = (size_t)d->mapoffset + d->maxsize;
    buffer->user_data = m;
}

static void on_remove_buffer(void *data, struct pw_buffer *buffer)
{
    struct pf_capture *c = data;
    struct pfi_buffer_map *m = buffer->user_data;

    if (m) {
        buffer->user_data = NULL;
        atomic_store(&m->removed, 1);
        if (atomic_load(&m->holders) == 0)
            map_free_once(m);
    }

    /* A held frame outlives its buffer only until the owner releases it; the release then
     * has nothing to give back. */
    for (uint32_t i = 0; i < PFI_CAPTURE_SLOTS; i++)
        if (c->slots[i].buffer == buffer)
            c->slots[i].buffer = NULL;
}

static struct pfi_capture_slot *take_free_slot(struct pf_capture *c)
{
    for (uint32_t i = 0; i < PFI_CAPTURE_SLOTS; i++) {
        uint32_t expected = PFI_SLOT_FREE;

        if (atomic_compare_exchange_strong(&c->slots[i].state, &expected, PFI_SLOT_QUEUED))
            return &c->slots[i];
    }
    return NULL;
}

static int fill_slot(struct pf_capture *c, struct pfi_capture_slot *s, struct pw_buffer *b)
{
    struct spa_buffer *sb = b->buffer;
    struct spa_meta_header *h;
    pf_frame *f = &s->frame;
    uint32_t n = 0, bpp;
    int dmabuf = c->fmt_memory == PF_FRAME_MEMORY_DMABUF;

    s->buffer = b;
    s->map = NULL;
    s->generation = atomic_load(&c->generation);
    s->syncobj_fd = -1;
    s->release_point = 0;
    s->arrival_ns = pfi_now_ns();
    /* Before any check of the picture: a producer sends pointer moves in buffers without
     * one (Mutter's cursor-only frames have empty chunks). */
    if (c->cursor)
        pfi_cursor_update(c->cursor, sb);
    h = spa_buffer_find_meta_data(sb, SPA_META_Header, sizeof(*h));
    if (h && (h->flags & SPA_META_HEADER_FLAG_CORRUPTED))
        return -1;
    s->pts_ns = h && h->pts > 0 ? (uint64_t)h->pts : 0;

    f->struct_size = sizeof(*f);
    f->width = c->fmt.width;
    f->height = c->fmt.height;
    f->format = c->fmt.format;
    f->memory = c->fmt_memory;
    f->modifier = dmabuf ? c->fmt.modifier : PF_FRAME_MODIFIER_INVALID;
    f->sync_kind = PF_FRAME_SYNC_NONE;
    f->sync_fd = -1;
    f->timeline_fd = -1;
    f->acquire_point = 0;
    f->release_point = 0;
    bpp = pfi_format_bpp(f->format);
    for (uint32_t i = 0; i < sb->n_datas && n < PF_FRAME_MAX_PLANES; i++) {
        struct spa_data *d = &sb->datas[i];
        pf_frame_plane *p = &f->planes[n];

#ifdef PF_HAVE_SYNC_TIMELINE
        if (d->type == SPA_DATA_SyncObj)
            continue;
#endif
        if (!d->chunk || (d->chunk->flags & SPA_CHUNK_FLAG_CORRUPTED))
            return -1;
        p->offset = d->chunk->offset;
        p->stride = d->chunk->stride > 0 ? (uint32_t)d->chunk->stride : f->width * bpp;
        p->reserved = 0;
        if (dmabuf) {
            if (d->type != SPA_DATA_DmaBuf || d->fd < 0)
                return -1;
            p->fd = (int32_t)d->fd;
            p->data = NULL;
        } else {
            uint64_t need = (uint64_t)p->stride * f->height;

            /* Producers may send empty chunks (nothing changed) or lie about sizes; never
             * hand out a plane that runs past its memory. */
            if (!d->data || d->chunk->size == 0 || (bpp && p->stride < f->width * bpp) ||
                (n == 0 && bpp && ((uint64_t)d->chunk->offset + need > d->maxsize)))
                return -1;
            struct pfi_buffer_map *m = n == 0 ? b->user_data : NULL;

            p->fd = -1;
            p->data = (uint8_t *)d->data + d->chunk->offset;
            if (m) {
                p->data = (uint8_t *)m->base + d->mapoffset + d->chunk->offset;
                atomic_fetch_add(&m->holders, 1);
                s->map = m;
            }
        }
        n++;
    }
    if (n == 0)
        return -1;
    f->n_planes = n;
#ifdef PF_HAVE_SYNC_TIMELINE
    if (dmabuf) {
        struct spa_meta_sync_timeline *st =
            spa_buffer_find_meta_data(sb, SPA_META_SyncTimeline, sizeof(*st));

        /* Layout from PipeWire's explicit-sync design: the last two datas are the acquire
         * and release syncobjs. */
        if (st && sb->n_datas >= 2 && sb->datas[sb->n_datas - 2].type == SPA_DATA_SyncObj &&
            sb->datas[sb->n_datas - 1].type == SPA_DATA_SyncObj) {
            f->sync_kind = PF_FRAME_SYNC_TIMELINE;
            f->timeline_fd = (int32_t)sb->datas[sb->n_datas - 2].fd;
            f->acquire_point = st->acquire_point;
            f->release_point = st->release_point;
            s->syncobj_fd = (int)sb->datas[sb->n_datas - 1].fd;
            s->release_point = st->release_point;
        }
    }
#endif
    return 0;
}

static void on_process(void *data)
{
    struct pf_capture *c = data;
    struct pw_buffer *b;
    int pushed = 0;

    while ((b = pw_stream_dequeue_buffer(c->stream))) {
        struct pfi_capture_slot *s = take_free_slot(c);
        uint32_t head;

        atomic_fetch_add(&c->frames, 1);
        if (!s) {
            /* Cannot happen while slots outnumber the buffers we accept (Buffers param);
             * the buffer goes back at once rather than being lost. */
            pw_stream_queue_buffer(c->stream, b);
            atomic_fetch_add(&c->dropped, 1);
            continue;
        }
        /* Bad buffers travel too: only the owner queues buffers back, so pw_stream's queue
         * keeps a single writer while this runs on the real-time thread. */
        s->corrupted = fill_slot(c, s, b) < 0;
        atomic_fetch_add(&c->in_use, 1);
        head = atomic_load_explicit(&c->ring_head, memory_order_relaxed);
        c->ring[head % PFI_CAPTURE_SLOTS] = (uint32_t)(s - c->slots);
        atomic_store_explicit(&c->ring_head, head + 1, memory_order_release);
        pushed = 1;
    }
    if (pushed)
        pfi_capture_wake(c);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .param_changed = on_param_changed,
    .add_buffer = on_add_buffer,
    .remove_buffer = on_remove_buffer,
    .process = on_process,
};

int pfi_capture_stream_connect(struct pf_capture *c)
{
    uint8_t buf[8192];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    const struct spa_pod *pods[2 * PF_CAPTURE_MAX_FORMATS];
    struct pfi_pw_node node;
    struct pw_properties *props;
    char serial[32];
    uint32_t n;
    int r;

    r = pfi_pw_find_node(&c->pw, c->settings.node_id, NULL, 0, 0, &node);
    if (r < 0)
        return r;
    if (!strstr(node.media_class, "Video"))
        return PF_ERR_NOT_FOUND;
    c->target_id = node.id;
    snprintf(serial, sizeof(serial), "%llu", (unsigned long long)node.serial);
    props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Video", PW_KEY_MEDIA_CATEGORY, "Capture",
                              PW_KEY_MEDIA_ROLE, "Screen", PW_KEY_TARGET_OBJECT, serial,
                              PW_KEY_NODE_DONT_RECONNECT, "true", NULL);
    if (!props)
        return PF_ERR_NOMEM;
    c->stream = pw_stream_new(c->pw.core, "pf-capture", props);
    if (!c->stream)
        return PF_ERR_NOMEM;
    pw_stream_add_listener(c->stream, &c->stream_listener, &stream_events, c);
    n = pfi_format_build(&c->offer, NULL, &b, pods, SPA_N_ELEMENTS(pods));
    atomic_store(&c->pw_state, PF_CAPTURE_STATE_CONNECTING);
    r = pw_stream_connect(c->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                          PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                              PW_STREAM_FLAG_RT_PROCESS,
                          pods, n);
    return r < 0 ? pfi_pw_error(r) : 0;
}

void pfi_capture_stream_destroy(struct pf_capture *c)
{
    if (!c->stream)
        return;
    /* Disconnecting first takes the buffers away through remove_buffer while the listener is
     * still there, so the library's own mappings go with them (or with the last frame the
     * owner still holds); destroying with the listener removed would leak every one. */
    pw_stream_disconnect(c->stream);
    spa_hook_remove(&c->stream_listener);
    pw_stream_destroy(c->stream);
    c->stream = NULL;
}

void pfi_capture_stream_return(struct pf_capture *c, struct pfi_capture_slot *s)
{
    if (c->connected) {
        pw_thread_loop_lock(c->pw.loop);
        if (s->syncobj_fd >= 0)
            pfi_sync_timeline_release(&c->sync, s->syncobj_fd, s->release_point);
        if (s->buffer && c->stream && s->generation == atomic_load(&c->generation))
            pw_stream_queue_buffer(c->stream, s->buffer);
        pw_thread_loop_unlock(c->pw.loop);
    }
    s->buffer = NULL;
    map_drop(s->map);
    s->map = NULL;
    atomic_fetch_sub(&c->in_use, 1);
    atomic_store(&s->state, PFI_SLOT_FREE);
}
