/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A virtual microphone: a pw_stream that produces (PW_DIRECTION_OUTPUT) with media.class
 * Audio/Source, so session managers and applications list it as a source node and record from
 * it. It is not autoconnected: a recorder links to it, as to any microphone. The owner writes
 * into an SPA ring (one writer, PipeWire's thread the one reader); the process callback fills
 * each quantum from it, silence when it runs dry, and cuts a standing backlog. */
#include "pf/capture_mic.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spa/param/audio/format-utils.h>
#include <spa/utils/ringbuffer.h>

#include "pf/core/error.h"

#include "log.h"
#include "pw_util.h"

#define TOPIC "mic"
#define RING_BYTES (1u << 17) /* 1.36 s of mono s16 at 48 kHz; a power of two for the ring */
#define READY_MS 2000u

struct pf_capture_mic {
    pf_capture_mic_settings settings;
    char node_name[100];
    char description[100];
    struct pfi_pw pw;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    int state; /* last pw_stream_state, under the loop lock */
    uint32_t frame_bytes;
    uint32_t keep_bytes; /* a backlog past this is cut to its newest part */
    struct spa_ringbuffer ring;
    uint8_t *ring_data;
    atomic_uint_least64_t written, played, silence, cut;
};

PF_EXPORT int pf_capture_mic_settings_init(pf_capture_mic_settings *settings)
{
    pf_assert_return(settings, PF_ERR_INVALID_ARGUMENT);
    memset(settings, 0, sizeof(*settings));
    settings->struct_size = sizeof(*settings);
    settings->channels = 1;
    settings->rate = 48000;
    settings->buffer_ms = 60;
    return 0;
}

static void on_process(void *data)
{
    struct pf_capture_mic *m = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(m->stream);
    struct spa_data *d;
    uint32_t want, have, idx, take;
    int32_t filled;

    if (!b)
        return;
    d = &b->buffer->datas[0];
    if (b->buffer->n_datas < 1 || !d->data || !d->chunk) {
        pw_stream_queue_buffer(m->stream, b);
        return;
    }
    want = d->maxsize / m->frame_bytes;
    if (b->requested && b->requested < want)
        want = (uint32_t)b->requested;
    want *= m->frame_bytes;
    filled = spa_ringbuffer_get_read_index(&m->ring, &idx);
    have = filled > 0 ? (uint32_t)filled : 0;
    if (have > want + m->keep_bytes) {
        /* A standing backlog is delay the listener hears: keep only the newest part. */
        uint32_t drop = have - want - m->keep_bytes;
        drop -= drop % m->frame_bytes;
        idx += drop;
        have -= drop;
        atomic_fetch_add(&m->cut, drop / m->frame_bytes);
    }
    take = have < want ? have : want;
    take -= take % m->frame_bytes;
    spa_ringbuffer_read_data(&m->ring, m->ring_data, RING_BYTES, idx & (RING_BYTES - 1),
                             d->data, take);
    spa_ringbuffer_read_update(&m->ring, idx + take);
    if (take < want)
        memset((uint8_t *)d->data + take, 0, want - take);
    atomic_fetch_add(&m->played, take / m->frame_bytes);
    atomic_fetch_add(&m->silence, (want - take) / m->frame_bytes);
    d->chunk->offset = 0;
    d->chunk->stride = (int32_t)m->frame_bytes;
    d->chunk->size = want;
    pw_stream_queue_buffer(m->stream, b);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct pf_capture_mic *m = data;

    (void)old;
    m->state = state;
    if (state == PW_STREAM_STATE_ERROR)
        pfi_cap_debug(&m->settings.log, TOPIC, "%s: %s", m->node_name, error ? error : "error");
    pw_thread_loop_signal(m->pw.loop, false);
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .process = on_process,
};

static int connect_stream(struct pf_capture_mic *m)
{
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    struct spa_audio_info_raw info;
    const struct spa_pod *param;
    struct pw_properties *props;

    props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture",
                              PW_KEY_MEDIA_ROLE, "Communication",
                              PW_KEY_MEDIA_CLASS, "Audio/Source",
                              PW_KEY_NODE_NAME, m->node_name,
                              PW_KEY_NODE_DESCRIPTION, m->description,
                              PW_KEY_NODE_LATENCY, "480/48000", NULL);
    if (!props)
        return PF_ERR_NOMEM;
    m->stream = pw_stream_new(m->pw.core, m->node_name, props);
    if (!m->stream)
        return PF_ERR_NOMEM;
    pw_stream_add_listener(m->stream, &m->stream_listener, &stream_events, m);
    memset(&info, 0, sizeof(info));
    info.format = SPA_AUDIO_FORMAT_S16;
    info.rate = 48000;
    info.channels = m->settings.channels;
    if (info.channels == 1) {
        info.position[0] = SPA_AUDIO_CHANNEL_MONO;
    } else {
        info.position[0] = SPA_AUDIO_CHANNEL_FL;
        info.position[1] = SPA_AUDIO_CHANNEL_FR;
    }
    param = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
    return pw_stream_connect(m->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                             PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS, &param,
                             1) < 0 ? PF_ERR_IO : 0;
}

/* Waits (loop locked) until the node is registered and ready to be linked. */
static int wait_ready(struct pf_capture_mic *m)
{
    struct timespec deadline;

    pfi_pw_deadline(&m->pw, READY_MS, &deadline);
    while (m->state != PW_STREAM_STATE_PAUSED && m->state != PW_STREAM_STATE_STREAMING) {
        if (m->state == PW_STREAM_STATE_ERROR || m->pw.error)
            return PF_ERR_IO;
        if (pw_thread_loop_timed_wait_full(m->pw.loop, &deadline) != 0)
            return PF_ERR_TIMEOUT;
    }
    return 0;
}

static int valid_name(const char *s)
{
    return !s || (strlen(s) > 0 && strlen(s) < 100 && !strpbrk(s, "\"\\"));
}

PF_EXPORT int pf_capture_mic_create(const pf_capture_mic_settings *settings,
                                    pf_capture_mic **ret_mic)
{
    struct pf_capture_mic *m;
    int r;

    pf_assert_return(settings && ret_mic, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->rate == 48000, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->channels == 1 || settings->channels == 2,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->buffer_ms >= 20 && settings->buffer_ms <= 500,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(valid_name(settings->node_name) && valid_name(settings->description),
                     PF_ERR_INVALID_ARGUMENT);

    m = calloc(1, sizeof(*m));
    if (!m)
        return PF_ERR_NOMEM;
    m->settings = *settings;
    m->settings.remote = m->settings.node_name = m->settings.description = NULL;
    snprintf(m->node_name, sizeof(m->node_name), "%s",
             settings->node_name ? settings->node_name : "pf-mic");
    snprintf(m->description, sizeof(m->description), "%s",
             settings->description ? settings->description : "punktfunk microphone");
    m->frame_bytes = 2u * settings->channels;
    m->keep_bytes = 48u * settings->buffer_ms * m->frame_bytes;
    m->state = PW_STREAM_STATE_UNCONNECTED;
    spa_ringbuffer_init(&m->ring);
    m->ring_data = calloc(1, RING_BYTES);
    if (!m->ring_data) {
        free(m);
        return PF_ERR_NOMEM;
    }
    r = pfi_pw_connect(&m->pw, "pf-mic", settings->remote, NULL, NULL);
    if (r < 0) {
        pf_capture_mic_destroy(m);
        return r;
    }
    pw_thread_loop_lock(m->pw.loop);
    r = connect_stream(m);
    if (r == 0)
        r = wait_ready(m);
    pw_thread_loop_unlock(m->pw.loop);
    if (r < 0) {
        pf_capture_mic_destroy(m);
        return r;
    }
    pfi_cap_debug(&settings->log, TOPIC, "source %s (node %u), %u ch", m->node_name,
                  pw_stream_get_node_id(m->stream), settings->channels);
    *ret_mic = m;
    return 0;
}

PF_EXPORT void pf_capture_mic_destroy(pf_capture_mic *m)
{
    if (!m)
        return;
    if (m->pw.loop) {
        pw_thread_loop_lock(m->pw.loop);
        if (m->stream) {
            spa_hook_remove(&m->stream_listener);
            pw_stream_destroy(m->stream);
        }
        if (m->pw.core && !m->pw.error)
            pfi_pw_roundtrip(&m->pw, 1000);
        pw_thread_loop_unlock(m->pw.loop);
    }
    pfi_pw_disconnect(&m->pw);
    free(m->ring_data);
    free(m);
}

PF_EXPORT int32_t pf_capture_mic_write(pf_capture_mic *m, const int16_t *pcm, uint32_t frames)
{
    uint32_t idx, room, len;
    int32_t filled;

    pf_assert_return(m && (pcm || !frames) && frames <= RING_BYTES, PF_ERR_INVALID_ARGUMENT);
    filled = spa_ringbuffer_get_write_index(&m->ring, &idx);
    room = filled < 0 ? 0 : RING_BYTES - (uint32_t)filled;
    len = frames * m->frame_bytes;
    if (len > room) {
        atomic_fetch_add(&m->cut, (len - room) / m->frame_bytes);
        len = room - room % m->frame_bytes;
    }
    spa_ringbuffer_write_data(&m->ring, m->ring_data, RING_BYTES, idx & (RING_BYTES - 1), pcm,
                              len);
    spa_ringbuffer_write_update(&m->ring, idx + len);
    atomic_fetch_add(&m->written, len / m->frame_bytes);
    return (int32_t)(len / m->frame_bytes);
}

PF_EXPORT int64_t pf_capture_mic_get_node_id(pf_capture_mic *m)
{
    int64_t id;

    pf_assert_return(m, PF_ERR_INVALID_ARGUMENT);
    pw_thread_loop_lock(m->pw.loop);
    id = pw_stream_get_node_id(m->stream);
    pw_thread_loop_unlock(m->pw.loop);
    return id;
}

PF_EXPORT int pf_capture_mic_get_stats(pf_capture_mic *m, pf_capture_mic_stats *ret)
{
    pf_assert_return(m && ret && ret->struct_size >= sizeof(*ret), PF_ERR_INVALID_ARGUMENT);
    ret->written = atomic_load(&m->written);
    ret->played = atomic_load(&m->played);
    ret->silence = atomic_load(&m->silence);
    ret->cut = atomic_load(&m->cut);
    return 0;
}
