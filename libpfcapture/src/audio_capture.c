/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Audio capture: a null sink owned by our PipeWire connection (so it disappears with us, also
 * when the host dies), made the configured default while we stream, and a capture stream on
 * its monitor. PipeWire's thread copies into preallocated periods; the owner reads them. */
#include "pf/capture_audio.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <pipewire/extensions/metadata.h>
#include <spa/param/audio/format-utils.h>

#include "pf/core/error.h"

#include "log.h"
#include "pw_util.h"

#define TOPIC "audio_capture"
#define DEFAULT_KEY "default.configured.audio.sink"

struct pf_capture_audio {
    pf_capture_audio_settings settings;
    char sink_name[128];
    struct pfi_pw pw;
    int event_fd;
    struct pw_proxy *sink;
    struct pw_metadata *metadata;
    struct spa_hook metadata_listener;
    char previous_default[256]; /* JSON value to restore, "" when none was set */
    int have_previous;
    int default_set;
    struct pw_stream *stream;
    struct spa_hook stream_listener;
    uint32_t sink_id;

    uint32_t frame_bytes;  /* channels × sample size */
    uint32_t period_bytes;
    uint32_t n_periods;
    uint8_t *ring;         /* n_periods × period_bytes */
    uint64_t *ring_pts;
    uint32_t fill;         /* bytes in the period being filled (PipeWire thread) */
    _Atomic uint32_t head; /* written by PipeWire's thread */
    _Atomic uint32_t tail; /* written by the owner */
    _Atomic uint64_t periods, dropped;
    _Atomic int failed;
};

PF_EXPORT int pf_capture_audio_settings_init(pf_capture_audio_settings *s)
{
    pf_assert_return(s, PF_ERR_INVALID_ARGUMENT);
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->sample_format = PF_CAPTURE_AUDIO_F32;
    s->channels = 2;
    s->rate = 48000;
    s->period_ms = 10;
    s->make_default = 1;
    return 0;
}

static const char *positions(uint32_t channels)
{
    switch (channels) {
    case 2:
        return "[ FL FR ]";
    case 6:
        return "[ FL FR FC LFE RL RR ]";
    default:
        return "[ FL FR FC LFE RL RR SL SR ]";
    }
}

static void set_positions(struct spa_audio_info_raw *info)
{
    static const uint32_t pos[8] = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR,
                                     SPA_AUDIO_CHANNEL_FC, SPA_AUDIO_CHANNEL_LFE,
                                     SPA_AUDIO_CHANNEL_RL, SPA_AUDIO_CHANNEL_RR,
                                     SPA_AUDIO_CHANNEL_SL, SPA_AUDIO_CHANNEL_SR };

    for (uint32_t i = 0; i < info->channels; i++)
        info->position[i] = pos[i];
}

static void wake(struct pf_capture_audio *a)
{
    uint64_t one = 1;
    ssize_t r = write(a->event_fd, &one, sizeof(one));

    (void)r;
}

static void commit_period(struct pf_capture_audio *a)
{
    uint32_t head = atomic_load_explicit(&a->head, memory_order_relaxed);

    atomic_fetch_add(&a->periods, 1);
    atomic_store_explicit(&a->head, head + 1, memory_order_release);
    wake(a);
}

static void on_process(void *data)
{
    struct pf_capture_audio *a = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(a->stream);
    const uint8_t *src;
    uint32_t left;

    if (!b)
        return;
    if (b->buffer->n_datas < 1 || !b->buffer->datas[0].data || !b->buffer->datas[0].chunk) {
        pw_stream_queue_buffer(a->stream, b);
        return;
    }
    src = (const uint8_t *)b->buffer->datas[0].data + b->buffer->datas[0].chunk->offset;
    left = b->buffer->datas[0].chunk->size;
    if (left > b->buffer->datas[0].maxsize)
        left = b->buffer->datas[0].maxsize;
    /* PipeWire's quantum need not match our period: cut the stream into whole periods. */
    while (left > 0) {
        uint32_t head = atomic_load_explicit(&a->head, memory_order_relaxed);
        uint32_t tail = atomic_load_explicit(&a->tail, memory_order_acquire);
        uint8_t *dst = a->ring + (size_t)(head % a->n_periods) * a->period_bytes;
        uint32_t n = a->period_bytes - a->fill;

        if (head - tail >= a->n_periods) {
            /* The owner is behind: this period is lost, counted. */
            n = left < n ? left : n;
            a->fill += n;
            left -= n;
            src += n;
            if (a->fill == a->period_bytes) {
                a->fill = 0;
                atomic_fetch_add(&a->dropped, 1);
            }
            continue;
        }
        if (a->fill == 0)
            a->ring_pts[head % a->n_periods] = pfi_now_ns();
        n = left < n ? left : n;
        memcpy(dst + a->fill, src, n);
        a->fill += n;
        left -= n;
        src += n;
        if (a->fill == a->period_bytes) {
            a->fill = 0;
            commit_period(a);
        }
    }
    pw_stream_queue_buffer(a->stream, b);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
                             const char *error)
{
    struct pf_capture_audio *a = data;

    if (state == PW_STREAM_STATE_ERROR) {
        atomic_store(&a->failed, PF_ERR_IO);
        wake(a);
    }
}

static const struct pw_stream_events stream_events = {
    PW_VERSION_STREAM_EVENTS,
    .state_changed = on_state_changed,
    .process = on_process,
};

static void on_pw_event(void *user_data, int err, uint32_t removed_id)
{
    struct pf_capture_audio *a = user_data;

    if (err < 0 || (removed_id != SPA_ID_INVALID && removed_id == a->sink_id)) {
        atomic_store(&a->failed, PF_ERR_IO);
        wake(a);
    }
}

static int on_metadata_property(void *data, uint32_t subject, const char *key, const char *type,
                                const char *value)
{
    struct pf_capture_audio *a = data;

    /* Remember the user's choice from before we took over, to hand it back afterwards. */
    if (subject == PW_ID_CORE && key && strcmp(key, DEFAULT_KEY) == 0 && !a->default_set) {
        a->have_previous = value != NULL;
        snprintf(a->previous_default, sizeof(a->previous_default), "%s", value ? value : "");
    }
    return 0;
}

static const struct pw_metadata_events metadata_events = {
    PW_VERSION_METADATA_EVENTS,
    .property = on_metadata_property,
};

static int create_sink(struct pf_capture_audio *a)
{
    char channels[8], latency[32];
    struct pw_properties *props;
    struct pfi_pw_node node;
    int r;

    snprintf(channels, sizeof(channels), "%u", a->settings.channels);
    snprintf(latency, sizeof(latency), "%u/48000", a->settings.period_ms * 48);
    props = pw_properties_new(PW_KEY_FACTORY_NAME, "support.null-audio-sink",
                              PW_KEY_NODE_NAME, a->sink_name,
                              PW_KEY_NODE_DESCRIPTION, "punktfunk stream",
                              PW_KEY_MEDIA_CLASS, "Audio/Sink",
                              "audio.channels", channels, "audio.rate", "48000",
                              "audio.position", positions(a->settings.channels),
                              PW_KEY_NODE_LATENCY, latency,
                              /* Owned by our connection: gone when we are, crash included. */
                              PW_KEY_OBJECT_LINGER, "false",
                              "monitor.channel-volumes", "true", NULL);
    if (!props)
        return PF_ERR_NOMEM;
    a->sink = pw_core_create_object(a->pw.core, "adapter", PW_TYPE_INTERFACE_Node,
                                    PW_VERSION_NODE, &props->dict, 0);
    pw_properties_free(props);
    if (!a->sink)
        return PF_ERR_NOMEM;
    r = pfi_pw_find_node(&a->pw, 0, a->sink_name, 0, 2000, &node);
    if (r < 0)
        return r == PF_ERR_NOT_FOUND ? PF_ERR_TIMEOUT : r;
    a->sink_id = node.id;
    return 0;
}

static int make_default(struct pf_capture_audio *a)
{
    char value[200];
    int r;

    /* The metadata object comes from the session manager; give it a moment after start. */
    r = pfi_pw_roundtrip(&a->pw, 1000);
    if (r < 0)
        return r;
    if (a->pw.default_metadata == SPA_ID_INVALID)
        return PF_ERR_UNSUPPORTED;
    a->metadata = pw_registry_bind(a->pw.registry, a->pw.default_metadata,
                                   PW_TYPE_INTERFACE_Metadata, PW_VERSION_METADATA, 0);
    if (!a->metadata)
        return PF_ERR_NOMEM;
    pw_metadata_add_listener(a->metadata, &a->metadata_listener, &metadata_events, a);
    /* The bind replays the current properties; after this round trip we know the old one. */
    r = pfi_pw_roundtrip(&a->pw, 1000);
    if (r < 0)
        return r;
    snprintf(value, sizeof(value), "{ \"name\": \"%s\" }", a->sink_name);
    a->default_set = 1;
    pw_metadata_set_property(a->metadata, PW_ID_CORE, DEFAULT_KEY, "Spa:String:JSON", value);
    return pfi_pw_roundtrip(&a->pw, 1000);
}

static int connect_stream(struct pf_capture_audio *a)
{
    uint8_t buf[1024];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    struct spa_audio_info_raw info;
    const struct spa_pod *param;
    struct pw_properties *props;
    char latency[32];

    snprintf(latency, sizeof(latency), "%u/48000", a->settings.period_ms * 48);
    props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Capture",
                              PW_KEY_MEDIA_ROLE, "Production",
                              PW_KEY_TARGET_OBJECT, a->sink_name,
                              PW_KEY_STREAM_CAPTURE_SINK, "true",
                              PW_KEY_NODE_LATENCY, latency,
                              PW_KEY_NODE_DONT_RECONNECT, "true", NULL);
    if (!props)
        return PF_ERR_NOMEM;
    a->stream = pw_stream_new(a->pw.core, "pf-audio-capture", props);
    if (!a->stream)
        return PF_ERR_NOMEM;
    pw_stream_add_listener(a->stream, &a->stream_listener, &stream_events, a);
    memset(&info, 0, sizeof(info));
    info.format = a->settings.sample_format == PF_CAPTURE_AUDIO_S16 ? SPA_AUDIO_FORMAT_S16
                                                                    : SPA_AUDIO_FORMAT_F32;
    info.rate = 48000;
    info.channels = a->settings.channels;
    set_positions(&info);
    param = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
    return pw_stream_connect(a->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
                             PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS, &param,
                             1) < 0 ? PF_ERR_IO : 0;
}

PF_EXPORT int pf_capture_audio_create(const pf_capture_audio_settings *settings,
                                      pf_capture_audio **ret_audio)
{
    struct pf_capture_audio *a;
    int r;

    pf_assert_return(settings && ret_audio, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->struct_size >= sizeof(*settings), PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->rate == 48000, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->channels == 2 || settings->channels == 6 ||
                         settings->channels == 8, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->period_ms == 5 || settings->period_ms == 10,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->sample_format == PF_CAPTURE_AUDIO_F32 ||
                         settings->sample_format == PF_CAPTURE_AUDIO_S16,
                     PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(settings->ring_periods <= 1024, PF_ERR_INVALID_ARGUMENT);
    pf_assert_return(!settings->sink_name || (strlen(settings->sink_name) > 0 &&
                                               strlen(settings->sink_name) < 100 &&
                                               !strpbrk(settings->sink_name, "\"\\")),
                     PF_ERR_INVALID_ARGUMENT);

    a = calloc(1, sizeof(*a));
    if (!a)
        return PF_ERR_NOMEM;
    a->settings = *settings;
    a->settings.remote = NULL;
    a->settings.sink_name = NULL;
    a->event_fd = -1;
    snprintf(a->sink_name, sizeof(a->sink_name), "%s",
             settings->sink_name ? settings->sink_name : "pf-sink");
    a->frame_bytes = settings->channels *
                     (settings->sample_format == PF_CAPTURE_AUDIO_S16 ? 2u : 4u);
    a->period_bytes = a->frame_bytes * 48u * settings->period_ms;
    a->n_periods = settings->ring_periods ? settings->ring_periods : 32;
    a->ring = calloc(a->n_periods, a->period_bytes);
    a->ring_pts = calloc(a->n_periods, sizeof(uint64_t));
    a->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!a->ring || !a->ring_pts || a->event_fd < 0) {
        pf_capture_audio_destroy(a);
        return PF_ERR_NOMEM;
    }
    r = pfi_pw_connect(&a->pw, "pf-audio", settings->remote, on_pw_event, a);
    if (r < 0) {
        pf_capture_audio_destroy(a);
        return r;
    }
    pw_thread_loop_lock(a->pw.loop);
    r = create_sink(a);
    if (r == 0 && settings->make_default) {
        r = make_default(a);
        if (r == PF_ERR_UNSUPPORTED) {
            /* Without a session manager's metadata there is no default to change; players
             * can still target the sink by name. */
            pfi_cap_debug(&settings->log, TOPIC, "no default metadata; sink not made default");
            r = 0;
        }
    }
    if (r == 0)
        r = connect_stream(a);
    pw_thread_loop_unlock(a->pw.loop);
    if (r < 0) {
        pf_capture_audio_destroy(a);
        return r;
    }
    pfi_cap_debug(&settings->log, TOPIC, "sink %s (node %u), %u ch, %u ms periods",
                  a->sink_name, a->sink_id, settings->channels, settings->period_ms);
    *ret_audio = a;
    return 0;
}

PF_EXPORT void pf_capture_audio_destroy(pf_capture_audio *a)
{
    if (!a)
        return;
    if (a->pw.loop) {
        pw_thread_loop_lock(a->pw.loop);
        if (a->stream) {
            spa_hook_remove(&a->stream_listener);
            pw_stream_destroy(a->stream);
        }
        if (a->metadata) {
            if (a->default_set && !a->pw.error) {
                /* Hand the user's default back (or clear ours when there was none). */
                pw_metadata_set_property(a->metadata, PW_ID_CORE, DEFAULT_KEY,
                                         a->have_previous ? "Spa:String:JSON" : NULL,
                                         a->have_previous ? a->previous_default : NULL);
            }
            spa_hook_remove(&a->metadata_listener);
            pw_proxy_destroy((struct pw_proxy *)a->metadata);
        }
        if (a->sink)
            pw_proxy_destroy(a->sink);
        if (a->pw.core && !a->pw.error)
            pfi_pw_roundtrip(&a->pw, 1000);
        pw_thread_loop_unlock(a->pw.loop);
    }
    pfi_pw_disconnect(&a->pw);
    if (a->event_fd >= 0)
        close(a->event_fd);
    free(a->ring);
    free(a->ring_pts);
    free(a);
}

PF_EXPORT int pf_capture_audio_get_fd(pf_capture_audio *a)
{
    pf_assert_return(a, PF_ERR_INVALID_ARGUMENT);
    return a->event_fd;
}

PF_EXPORT int64_t pf_capture_audio_get_sink_id(pf_capture_audio *a)
{
    pf_assert_return(a, PF_ERR_INVALID_ARGUMENT);
    return a->sink_id;
}

PF_EXPORT int32_t pf_capture_audio_get_period_bytes(pf_capture_audio *a)
{
    pf_assert_return(a, PF_ERR_INVALID_ARGUMENT);
    return (int32_t)a->period_bytes;
}

PF_EXPORT int32_t pf_capture_audio_read(pf_capture_audio *a, void *buf, size_t size,
                                        uint64_t *ret_pts_ns)
{
    uint32_t tail;
    uint64_t count;
    ssize_t r;

    pf_assert_return(a && buf, PF_ERR_INVALID_ARGUMENT);
    if (size < a->period_bytes)
        return PF_ERR_BUFFER_TOO_SMALL;
    r = read(a->event_fd, &count, sizeof(count));
    (void)r;
    tail = atomic_load_explicit(&a->tail, memory_order_relaxed);
    if (tail == atomic_load_explicit(&a->head, memory_order_acquire)) {
        int failed = atomic_load(&a->failed);

        return failed ? failed : PF_ERR_AGAIN;
    }
    memcpy(buf, a->ring + (size_t)(tail % a->n_periods) * a->period_bytes, a->period_bytes);
    if (ret_pts_ns)
        *ret_pts_ns = a->ring_pts[tail % a->n_periods];
    atomic_store_explicit(&a->tail, tail + 1, memory_order_release);
    return (int32_t)a->period_bytes;
}

PF_EXPORT int pf_capture_audio_get_stats(pf_capture_audio *a, pf_capture_audio_stats *ret_stats)
{
    pf_assert_return(a && ret_stats, PF_ERR_INVALID_ARGUMENT);
    memset(ret_stats, 0, sizeof(*ret_stats));
    ret_stats->struct_size = sizeof(*ret_stats);
    ret_stats->periods = atomic_load(&a->periods);
    ret_stats->dropped = atomic_load(&a->dropped);
    return 0;
}
