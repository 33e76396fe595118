/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The streaming plane in pfhost: RTSP, control stream and media sockets on the event loop;
 * one pipeline (native threads) per announced session; lifecycle per §10. */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "pf/audio_encode.h"
#include "pf/core/error.h"
#include "pf/input.h"
#include "pf/net_gamestream.h"
#include "pf/net_stream.h"

#include "host.h"
#include "input_record.h"
#include "pipeline.h"

typedef struct stream_sess {
    uint32_t id;
    uint8_t rikey[16];
    uint32_t rikeyid;
    char ping[17];
    uint32_t connect_data;
    pipeline *pl;
    pf_input_injector *inj;
    pf_input_client *inj_client;
    uint32_t peer_addr[2];
    uint16_t peer_port[2];
    uint64_t fec_reports, fec_recovered;
    uint64_t started_ns;
    uint64_t connect_by_ms; /* RTSP must announce by then, or the session ends; 0 = did */
    /* Rate adaptation: IDR requests after the first mean frames were lost. */
    uint32_t max_kbps;
    uint64_t idr_requests, last_change_ms;
    uint32_t hdr;
    uint32_t end_code; /* termination sent when the host ends it; 0 = graceful */
} stream_sess;

struct stream_ctx {
    host *h;
    stream_options opt;
    pf_net_rtsp_server *rtsp;
    pf_net_gs_control *ctrl;
    pf_net_gs_media *media;
    sd_event_source *rtsp_io, *ctrl_io, *media_io, *timer, *post, *grace;
    stream_sess *v;
    size_t n;
    int record_fd;
    frame_log *frame_log; /* --frame-log */
    stream_desktop_fn desktop;
    void *desktop_data;
};

static stream_sess *find(stream_ctx *s, uint32_t id)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].id == id)
            return &s->v[i];
    return NULL;
}

static void lib_log(void *ud, uint32_t level, const char *topic, const char *msg, size_t len)
{
    if (level < PF_LOG_DEBUG)
        fprintf(stderr, "pfhost: %s: %.*s\n", topic, (int)len, msg);
}

/* ------------------------------------------------------------------------------------------ */
/* Input: the recording backend writes one line per event; otherwise libpfinput injects. */

static void release_input(stream_ctx *s, stream_sess *e)
{
    if (s->record_fd >= 0) {
        char line[64];
        int n = snprintf(line, sizeof(line), "%u release_all\n", e->id);
        if (write(s->record_fd, line, (size_t)n) < 0)
            host_log("input record write failed: %s", strerror(errno));
    }
    /* Destroying the client releases every key and button it holds (field-notes). */
    pf_input_client_destroy(e->inj_client);
    e->inj_client = NULL;
    pf_input_injector_destroy(e->inj);
    e->inj = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Session end */

static void log_stats(stream_sess *e)
{
    if (!e->pl)
        return;
    pipeline_stats st;
    pipeline_get_stats(e->pl, &st);
    uint64_t sent = st.frames_sent ? st.frames_sent : 1;
    host_log("session %u stream: %llu frames encoded, %llu sent (%llu IDR), %llu source stalls "
             "(encoder busy), %llu without FEC, %llu audio packets, %llu FEC reports; mean "
             "capture->encoded %.2f ms, capture->sent %.2f ms",
             e->id, (unsigned long long)st.frames_encoded, (unsigned long long)st.frames_sent,
             (unsigned long long)st.idr_frames, (unsigned long long)st.frames_dropped,
             (unsigned long long)st.fec_skipped,
             (unsigned long long)st.audio_packets, (unsigned long long)e->fec_reports,
             (double)st.encode_ns_total / (double)sent / 1e6,
             (double)st.send_ns_total / (double)sent / 1e6);
}

/* Stops the media of @p e; the entry stays (the host session may still exist). */
static void stop_stream(stream_ctx *s, stream_sess *e)
{
    log_stats(e);
    pipeline_destroy(e->pl);
    e->pl = NULL;
    release_input(s, e);
    pf_net_rtsp_server_remove_session(s->rtsp, e->id);
    pf_net_gs_media_remove_session(s->media, e->id);
}

static void forget(stream_ctx *s, stream_sess *e)
{
    memset(e->rikey, 0, sizeof(e->rikey));
    *e = s->v[--s->n];
}

static int on_grace(sd_event_source *src, uint64_t usec, void *ud)
{
    stream_ctx *s = ud;
    if (s->h->sessions.n == 0 && s->h->sessions.app_id) {
        host_log("no client resumed within %u s: stopping app %u", s->opt.grace_s,
                 s->h->sessions.app_id);
        sessions_cancel(&s->h->sessions);
    }
    return 0;
}

static void arm_grace(stream_ctx *s)
{
    uint64_t now;
    sd_event_now(s->h->loop, CLOCK_MONOTONIC, &now);
    sd_event_source_set_time(s->grace, now + (uint64_t)s->opt.grace_s * 1000000ull);
    sd_event_source_set_enabled(s->grace, SD_EVENT_ONESHOT);
}

/* ------------------------------------------------------------------------------------------ */
/* Seam from sessions.c */

static uint32_t connect_timeout_s(const stream_ctx *s)
{
    return s->h->cfg.connect_timeout_s ? s->h->cfg.connect_timeout_s : 1;
}

static void plane_start(void *ud, const session *hs)
{
    stream_ctx *s = ud;
    stream_sess *v = realloc(s->v, (s->n + 1) * sizeof(*v));
    if (!v) {
        host_log("session %u: out of memory", hs->id);
        return;
    }
    s->v = v;
    stream_sess *e = &v[s->n];
    memset(e, 0, sizeof(*e));
    e->id = hs->id;
    memcpy(e->rikey, hs->rikey, 16);
    e->rikeyid = hs->rikeyid;
    uint8_t rnd[12];
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        host_log("session %u: no randomness", hs->id);
        return;
    }
    /* §4.3: 8 random bytes as 16 upper-case hex characters, fresh per launch. */
    for (int i = 0; i < 8; i++)
        snprintf(e->ping + 2 * i, 3, "%02X", rnd[i]);
    memcpy(&e->connect_data, rnd + 8, 4);
    pf_net_rtsp_session rs = {.struct_size = sizeof(rs), .id = e->id,
                              .connect_data = e->connect_data,
                              .require_encryption = (uint8_t)hs->rtsp_encrypted,
                              /* without a key, the launch address is all that ties the
                               * handshake and the pings to the client */
                              .peer_ipv4 = hs->rtsp_encrypted ? 0 : hs->peer_ipv4};
    memcpy(rs.rikey, e->rikey, 16);
    memcpy(rs.ping_payload, e->ping, 17);
    if (pf_net_rtsp_server_add_session(s->rtsp, &rs) < 0 ||
        pf_net_gs_media_add_session(s->media, e->id, e->ping) < 0 ||
        pf_net_gs_media_restrict_session(s->media, e->id, rs.peer_ipv4) < 0) {
        pf_net_rtsp_server_remove_session(s->rtsp, e->id);
        host_log("session %u: cannot offer it to RTSP", e->id);
        return;
    }
    e->connect_by_ms = host_now_ms() + (uint64_t)connect_timeout_s(s) * 1000;
    s->n++;
    sd_event_source_set_enabled(s->grace, SD_EVENT_OFF);
    host_log("session %u for client %s: app %u at %ux%u@%u, waiting for RTSP", hs->id,
             hs->client_id, hs->app_id, hs->width, hs->height, hs->fps);
}

static void plane_stop(void *ud, const session *hs)
{
    stream_ctx *s = ud;
    stream_sess *e = find(s, hs->id);
    if (!e)
        return;
    /* /cancel, unpair, app exit, host shutdown: §10.3 graceful termination code. */
    pf_net_gs_control_terminate(s->ctrl, e->id,
                                e->end_code ? e->end_code : PF_NET_GS_TERM_GRACEFUL);
    stop_stream(s, e);
    forget(s, e);
    host_log("session %u ended", hs->id);
}

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static json_object *plane_stats(void *ud, const session *hs)
{
    stream_sess *e = find(ud, hs->id);
    if (!e)
        return NULL;
    pipeline_stats st;
    memset(&st, 0, sizeof(st));
    if (e->pl)
        pipeline_get_stats(e->pl, &st);
    uint64_t sent = st.frames_sent ? st.frames_sent : 1;
    uint64_t el = e->started_ns ? mono_ns() - e->started_ns : 0;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "state", json_object_new_string(e->pl ? "streaming" : "waiting"));
    json_object_object_add(o, "frames_encoded", json_object_new_int64((int64_t)st.frames_encoded));
    json_object_object_add(o, "frames_sent", json_object_new_int64((int64_t)st.frames_sent));
    json_object_object_add(o, "idr_frames", json_object_new_int64((int64_t)st.idr_frames));
    json_object_object_add(o, "packets_sent", json_object_new_int64((int64_t)st.packets_sent));
    json_object_object_add(o, "bytes_sent", json_object_new_int64((int64_t)st.bytes_sent));
    json_object_object_add(o, "bitrate_kbps",
                           json_object_new_int64(el ? (int64_t)(st.bytes_sent * 8000000ull / el)
                                                    : 0));
    json_object_object_add(o, "encode_ms_mean",
                           json_object_new_double((double)st.encode_ns_total / (double)sent / 1e6));
    json_object_object_add(o, "send_ms_mean",
                           json_object_new_double((double)st.send_ns_total / (double)sent / 1e6));
    if (e->pl)
        json_object_object_add(o, "fec_percent", json_object_new_int64(pipeline_get_fec(e->pl)));
    json_object_object_add(o, "frames_without_fec", json_object_new_int64((int64_t)st.fec_skipped));
    json_object_object_add(o, "fec_reports", json_object_new_int64((int64_t)e->fec_reports));
    json_object_object_add(o, "fec_shards_recovered",
                           json_object_new_int64((int64_t)e->fec_recovered));
    return o;
}

stream_plane stream_get_plane(stream_ctx *s)
{
    return (stream_plane){.user_data = s, .start = plane_start, .stop = plane_stop,
                          .stats = plane_stats};
}

/* ------------------------------------------------------------------------------------------ */
/* RTSP, control and media callbacks */

/* Rumble from an emulated pad (libpfinput) goes back to that session's client (§5.7). */
static void on_feedback(void *ud, pf_input_client *client, const pf_input_feedback *fb)
{
    stream_ctx *s = ud;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].inj_client == client && fb->type == PF_INPUT_FEEDBACK_RUMBLE)
            pf_net_gs_control_send_rumble(s->ctrl, s->v[i].id, (uint16_t)fb->controller,
                                          fb->low_freq, fb->high_freq);
}

static int on_announce(void *ud, uint32_t id, const pf_net_gs_stream_config *cfg)
{
    stream_ctx *s = ud;
    stream_sess *e = find(s, id);
    if (!e)
        return PF_ERR_NOT_FOUND;
    if (e->pl)
        return PF_ERR_STATE;
    if (!(s->h->codec_mask & (cfg->codec == PF_NET_GS_STREAM_HEVC  ? PF_NET_GS_CODEC_HEVC
                              : cfg->codec == PF_NET_GS_STREAM_AV1 ? PF_NET_GS_CODEC_AV1_MAIN8
                                                                   : PF_NET_GS_CODEC_H264)))
        return PF_ERR_UNSUPPORTED;
    pipeline_settings ps;
    memset(&ps, 0, sizeof(ps));
    ps.cfg = *cfg;
    memcpy(ps.rikey, e->rikey, 16);
    ps.rikeyid = e->rikeyid;
    ps.video_fd = pf_net_gs_media_get_socket(s->media, PF_NET_GS_MEDIA_VIDEO);
    ps.audio_fd = pf_net_gs_media_get_socket(s->media, PF_NET_GS_MEDIA_AUDIO);
    ps.source = s->opt.source;
    ps.session_id = id;
    ps.fec_percent = s->opt.fec_percent;
    ps.pipewire_remote = s->opt.pipewire_remote;
    ps.vdisplay_backend = s->opt.vdisplay_backend;
    ps.log = (pf_log_hook){.fn = lib_log};
    ps.frame_log = s->frame_log;
    stream_desktop desk = {.node_id = -1};
    int have_desktop = s->desktop && s->desktop(s->desktop_data, id, &desk) == 0;
    if (have_desktop) {
        ps.source = PIPELINE_SOURCE_NODE;
        ps.node_id = desk.node_id;
        ps.pipewire_remote = desk.pipewire_remote;
    }
    int r = pf_net_gs_control_add_session(s->ctrl, id, e->connect_data, e->rikey, cfg,
                                          host_now_ms());
    /* §6.1: an older client pings with a bare "PING", known only by its RTSP address. */
    if (r == 0 && !(cfg->ml_feature_flags & PF_NET_GS_ML_SESSION_ID_V1) && cfg->peer_ipv4)
        r = pf_net_gs_media_allow_legacy_ping(s->media, id, cfg->peer_ipv4);
    if (r == 0)
        r = pipeline_create(&ps, &e->pl);
    if (r < 0) {
        pf_net_gs_control_terminate(s->ctrl, id, PF_NET_GS_TERM_GRACEFUL);
        host_log("session %u: cannot start the stream: %s", id, pf_strerror(r));
        return r;
    }
    e->started_ns = mono_ns();
    e->max_kbps = cfg->bitrate_kbps < pipeline_get_max_bitrate(e->pl)
                      ? cfg->bitrate_kbps
                      : pipeline_get_max_bitrate(e->pl);
    e->last_change_ms = host_now_ms();
    e->hdr = cfg->dynamic_range;
    for (uint32_t w = 0; w < 2; w++)
        if (e->peer_port[w])
            pipeline_set_peer(e->pl, w, e->peer_addr[w], e->peer_port[w]);
    if (s->record_fd < 0 && have_desktop) {
        /* The desktop owns the injector of its compositor; the session is one client. */
        if (!desk.injector ||
            pf_input_client_create(desk.injector, PF_INPUT_PERM_ALL, &e->inj_client) < 0)
            host_log("session %u: no input backend for this desktop; input is ignored", id);
    } else if (s->record_fd < 0) {
        pf_input_settings is;
        pf_input_settings_default(&is);
        is.feedback = on_feedback;
        is.feedback_user_data = s;
        if (pf_input_injector_create(&is, &e->inj) < 0 ||
            pf_input_client_create(e->inj, PF_INPUT_PERM_ALL, &e->inj_client) < 0) {
            host_log("session %u: no input backend available; input is ignored", id);
            pf_input_injector_destroy(e->inj);
            e->inj = NULL;
        }
    }
    host_log("session %u announced: %ux%u@%u codec %u, %u kbps, packet %u, audio %u ch/%u ms, "
             "encryption %#x", id, cfg->width, cfg->height, cfg->fps, cfg->codec,
             cfg->bitrate_kbps, cfg->packet_size, cfg->audio_channels, cfg->audio_packet_ms,
             cfg->encryption_enabled);
    return 0;
}

static void on_connected(void *ud, uint32_t id)
{
    stream_ctx *s = ud;
    stream_sess *e = find(s, id);
    host_log("session %u: control stream connected", id);
    if (e && e->hdr) {
        /* §5.7 0x010e: HDR on, with BT.2020 primaries and a D65 white point (1/50000
         * units) and 1000 nit mastering luminance, the defaults of a 10-bit stream. */
        static const uint16_t meta[13] = {35400, 14600, 8500, 39850, 6550, 2300,
                                          15635, 16450, 1000, 50, 1000, 400, 1000};
        uint8_t p[27] = {1};
        for (int i = 0; i < 13; i++) {
            p[1 + 2 * i] = (uint8_t)meta[i];
            p[2 + 2 * i] = (uint8_t)(meta[i] >> 8);
        }
        pf_net_gs_control_send(s->ctrl, id, 0x010e, p, sizeof(p));
    }
}


/* Loss → lower bitrate (at most once a second, -15 %, floor 30 % of the client's setting)
 * and more parity (+10 points, up to 50 % or the configured base if higher); two quiet
 * seconds → +10 % bitrate and -5 points of parity back towards the settings. Losses show up
 * as IDR requests (§6.8). */
#define RATE_FLOOR_PERCENT 30u
#define FEC_STEP_UP 10u
#define FEC_STEP_DOWN 5u
#define FEC_CEILING 50u

static void on_idr(void *ud, uint32_t id)
{
    stream_sess *e = find(ud, id);
    if (!e || !e->pl)
        return;
    pipeline_request_idr(e->pl);
    uint64_t now = host_now_ms();
    if (e->idr_requests++ == 0 || now < e->last_change_ms + 1000)
        return;
    uint32_t cur = pipeline_get_bitrate(e->pl), floor = e->max_kbps * RATE_FLOOR_PERCENT / 100;
    uint32_t next = cur * 85 / 100 < floor ? floor : cur * 85 / 100;
    stream_ctx *s = ud;
    uint32_t ceiling = s->opt.fec_percent > FEC_CEILING ? s->opt.fec_percent : FEC_CEILING;
    uint32_t fec = pipeline_get_fec(e->pl);
    uint32_t fec_next = fec + FEC_STEP_UP > ceiling ? ceiling : fec + FEC_STEP_UP;
    if (next != cur || fec_next != fec) {
        pipeline_set_bitrate(e->pl, next);
        pipeline_set_fec(e->pl, fec_next);
        host_log("session %u: frames lost, bitrate %u -> %u kbps, FEC %u%% -> %u%%", id, cur,
                 next, fec, fec_next);
    }
    e->last_change_ms = now;
}

static void adapt_rates(stream_ctx *s, uint64_t now)
{
    for (size_t i = 0; i < s->n; i++) {
        stream_sess *e = &s->v[i];
        if (!e->pl || now < e->last_change_ms + 2000)
            continue;
        uint32_t cur = pipeline_get_bitrate(e->pl);
        if (cur < e->max_kbps) {
            uint32_t next = cur + e->max_kbps / 10;
            pipeline_set_bitrate(e->pl, next > e->max_kbps ? e->max_kbps : next);
        }
        uint32_t fec = pipeline_get_fec(e->pl), base = s->opt.fec_percent;
        if (fec > base)
            pipeline_set_fec(e->pl, fec - base > FEC_STEP_DOWN ? fec - FEC_STEP_DOWN : base);
        e->last_change_ms = now;
    }
}

static void on_rfi(void *ud, uint32_t id, uint64_t first, uint64_t last)
{
    /* No reference invalidation is advertised; an RFI is answered with an IDR (§6.8). */
    on_idr(ud, id);
}

static void on_fec_status(void *ud, uint32_t id, uint32_t frame, uint32_t missing, uint32_t pct)
{
    stream_sess *e = find(ud, id);
    if (e) {
        e->fec_reports++;
        e->fec_recovered += missing;
    }
}

static void on_input(void *ud, uint32_t id, const pf_input_event *ev)
{
    stream_ctx *s = ud;
    stream_sess *e = find(s, id);
    if (!e)
        return;
    if (s->record_fd >= 0) {
        input_record(s->record_fd, id, ev);
        return;
    }
    if (e->inj_client) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        pf_input_client_submit(e->inj_client, ev,
                               (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec);
    }
}

static void on_ended(void *ud, uint32_t id, uint32_t reason)
{
    stream_ctx *s = ud;
    stream_sess *e = find(s, id);
    static const char *const why[] = {"", "client disconnected", "client timed out",
                                      "protocol violation", "host ended it"};
    host_log("session %u: control stream ended (%s)", id, reason < 5 ? why[reason] : "?");
    if (!e)
        return;
    /* §10.3: the stream stops, the app keeps running for /resume within the grace period. */
    stop_stream(s, e);
    forget(s, e);
    sessions_close(&s->h->sessions, id);
    if (s->h->sessions.n == 0 && s->h->sessions.app_id)
        arm_grace(s);
}

static void on_peer(void *ud, uint32_t id, uint32_t which, uint32_t addr, uint16_t port)
{
    stream_sess *e = find(ud, id);
    if (!e)
        return;
    e->peer_addr[which] = addr;
    e->peer_port[which] = port;
    if (e->pl)
        pipeline_set_peer(e->pl, which, addr, port);
}

/* ------------------------------------------------------------------------------------------ */
/* Loop glue */

/* A launched session whose client never completes RTSP would hold the app (and the host's
 * "busy") forever: it ends like a disconnected one, and the grace period starts. */
static int64_t expire_unconnected(stream_ctx *s, uint64_t now)
{
    int64_t next = -1;
    for (size_t i = 0; i < s->n;) {
        stream_sess *e = &s->v[i];
        if (!e->connect_by_ms || e->pl) {
            i++;
            continue;
        }
        if (now < e->connect_by_ms) {
            int64_t left = (int64_t)(e->connect_by_ms - now);
            next = next < 0 || left < next ? left : next;
            i++;
            continue;
        }
        uint32_t id = e->id;
        host_log("session %u: no RTSP handshake within %u s; ending it", id,
                 connect_timeout_s(s));
        stop_stream(s, e);
        forget(s, e);
        sessions_close(&s->h->sessions, id);
        if (s->h->sessions.n == 0 && s->h->sessions.app_id)
            arm_grace(s);
    }
    return next;
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *ud)
{
    stream_ctx *s = ud;
    uint64_t now = host_now_ms();
    pf_net_rtsp_server_dispatch(s->rtsp, now);
    pf_net_gs_media_dispatch(s->media, on_peer, s);
    pf_net_gs_control_dispatch(s->ctrl, now);
    adapt_rates(s, now);
    expire_unconnected(s, now);
    return 0;
}

static int on_timer(sd_event_source *src, uint64_t usec, void *ud)
{
    return on_io(src, -1, 0, ud);
}

static int on_post(sd_event_source *src, void *ud)
{
    stream_ctx *s = ud;
    uint64_t now = host_now_ms();
    int64_t a = pf_net_rtsp_server_get_timeout(s->rtsp, now);
    int64_t b = pf_net_gs_control_get_timeout(s->ctrl, now);
    int64_t ms = a < 0 ? b : (b < 0 || a < b ? a : b);
    int64_t c = expire_unconnected(s, now);
    ms = ms < 0 ? c : (c < 0 || ms < c ? ms : c);
    if (ms < 0) {
        sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
        return 0;
    }
    uint64_t t;
    sd_event_now(s->h->loop, CLOCK_MONOTONIC, &t);
    sd_event_source_set_time(s->timer, t + (uint64_t)ms * 1000);
    sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
    return 0;
}

int stream_create(host *h, const stream_options *o, stream_ctx **ret, char *err, size_t n)
{
    stream_ctx *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    s->h = h;
    s->opt = *o;
    s->record_fd = -1;
    if (o->input_record) {
        s->record_fd = open(o->input_record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (s->record_fd < 0) {
            snprintf(err, n, "cannot open %s: %s", o->input_record, strerror(errno));
            stream_destroy(s);
            return -1;
        }
    }
    if (o->frame_log && frame_log_open(o->frame_log, &s->frame_log, err, n) < 0) {
        stream_destroy(s);
        return -1;
    }
    int test_ports = h->cfg.http_port == 0;
    pf_log_hook log = {.fn = lib_log, .user_data = s};

    pf_net_gs_media_settings ms;
    pf_net_gs_media_settings_default(&ms);
    ms.bind_address = h->cfg.address;
    if (test_ports)
        ms.video_port = ms.audio_port = 0;
    ms.log = log;
    int r = pf_net_gs_media_create(&ms, &s->media);
    pf_net_gs_control_settings cs;
    pf_net_gs_control_settings_default(&cs);
    cs.bind_address = h->cfg.address;
    if (test_ports)
        cs.port = 0;
    cs.timeout_ms = cs.connect_timeout_ms = o->control_timeout_ms;
    cs.log = log;
    if (r == 0)
        r = pf_net_gs_control_create(&cs, &(pf_net_gs_control_callbacks){
                                              .user_data = s,
                                              .connected = on_connected,
                                              .idr_request = on_idr,
                                              .invalidate_refs = on_rfi,
                                              .fec_status = on_fec_status,
                                              .input = on_input,
                                              .ended = on_ended,
                                          },
                                     &s->ctrl);
    pf_net_rtsp_settings rs;
    pf_net_rtsp_settings_default(&rs);
    rs.bind_address = h->cfg.address;
    rs.port = h->cfg.rtsp_port;
    rs.codec_mask = h->codec_mask;
    rs.log = log;
    /* DESCRIBE must announce exactly the layouts the Opus encoder will use (§8.2). */
    for (int i = 0; i < 4; i++) {
        pf_encode_audio_settings as;
        pf_encode_audio_settings_default(&as);
        as.channels = i < 2 ? 6 : 8;
        as.high_quality = (uint32_t)(i & 1);
        pf_encode_audio *enc = NULL;
        pf_encode_audio_layout lay = {.struct_size = sizeof(lay)};
        if (pf_encode_audio_create(&as, &enc) == 0 && pf_encode_audio_get_layout(enc, &lay) == 0)
            memcpy(rs.surround_params[i], lay.surround_params, sizeof(rs.surround_params[i]));
        else
            rs.surround_params[i][0] = '\0';
        pf_encode_audio_destroy(enc);
    }
    if (r == 0) {
        rs.video_port = pf_net_gs_media_get_port(s->media, PF_NET_GS_MEDIA_VIDEO);
        rs.audio_port = pf_net_gs_media_get_port(s->media, PF_NET_GS_MEDIA_AUDIO);
        rs.control_port = pf_net_gs_control_get_port(s->ctrl);
        r = pf_net_rtsp_server_create(&rs, &(pf_net_rtsp_callbacks){.user_data = s,
                                                                     .announce = on_announce},
                                      &s->rtsp);
    }
    if (r < 0) {
        snprintf(err, n, "cannot bind the streaming ports (RTSP %u, IPv4 %s): %s",
                 h->cfg.rtsp_port, h->cfg.address ? h->cfg.address : "any", pf_strerror(r));
        stream_destroy(s);
        return -1;
    }
    if ((r = sd_event_add_io(h->loop, &s->rtsp_io, pf_net_rtsp_server_get_fd(s->rtsp), EPOLLIN,
                             on_io, s)) < 0 ||
        (r = sd_event_add_io(h->loop, &s->ctrl_io, pf_net_gs_control_get_fd(s->ctrl), EPOLLIN,
                             on_io, s)) < 0 ||
        (r = sd_event_add_io(h->loop, &s->media_io, pf_net_gs_media_get_fd(s->media), EPOLLIN,
                             on_io, s)) < 0 ||
        (r = sd_event_add_time(h->loop, &s->timer, CLOCK_MONOTONIC, 0, 0, on_timer, s)) < 0 ||
        (r = sd_event_add_time(h->loop, &s->grace, CLOCK_MONOTONIC, 0, 1000, on_grace, s)) < 0 ||
        (r = sd_event_add_post(h->loop, &s->post, on_post, s)) < 0) {
        snprintf(err, n, "cannot watch the streaming sockets: %s", strerror(-r));
        stream_destroy(s);
        return -1;
    }
    sd_event_source_set_enabled(s->timer, SD_EVENT_OFF);
    sd_event_source_set_enabled(s->grace, SD_EVENT_OFF);
    if (!h->cfg.address)
        /* ENet cannot choose the source address of its replies: on a host with several
         * addresses they may leave from one the client did not talk to. */
        host_log("control stream bound to every IPv4 address; set `address` on hosts with "
                 "more than one");
    /* rtsp_port 0 binds a free port: sessionUrl0 must name the one bound. */
    pf_net_gs_server_set_rtsp_port(h->gs, pf_net_rtsp_server_get_port(s->rtsp));
    host_log("streaming (IPv4): RTSP %u, video %u, control %u, audio %u",
             pf_net_rtsp_server_get_port(s->rtsp),
             pf_net_gs_media_get_port(s->media, PF_NET_GS_MEDIA_VIDEO),
             pf_net_gs_control_get_port(s->ctrl),
             pf_net_gs_media_get_port(s->media, PF_NET_GS_MEDIA_AUDIO));
    *ret = s;
    return 0;
}

void stream_set_desktop_source(stream_ctx *s, stream_desktop_fn fn, void *user_data)
{
    s->desktop = fn;
    s->desktop_data = user_data;
}

void stream_end_session(stream_ctx *s, uint32_t id, uint32_t code)
{
    stream_sess *e = find(s, id);
    if (e)
        e->end_code = code;
    sessions_close(&s->h->sessions, id);
}

int stream_source_failed(stream_ctx *s, uint32_t id)
{
    stream_sess *e = find(s, id);
    return e && e->pl && pipeline_source_failed(e->pl);
}

void stream_destroy(stream_ctx *s)
{
    if (!s)
        return;
    while (s->n) {
        stream_sess *e = &s->v[s->n - 1];
        pf_net_gs_control_terminate(s->ctrl, e->id, PF_NET_GS_TERM_GRACEFUL);
        stop_stream(s, e);
        forget(s, e);
    }
    free(s->v);
    sd_event_source *srcs[] = {s->rtsp_io, s->ctrl_io, s->media_io, s->timer, s->grace, s->post};
    for (size_t i = 0; i < sizeof(srcs) / sizeof(srcs[0]); i++)
        sd_event_source_disable_unref(srcs[i]);
    pf_net_rtsp_server_destroy(s->rtsp);
    pf_net_gs_control_destroy(s->ctrl);
    pf_net_gs_media_destroy(s->media);
    if (s->record_fd >= 0)
        close(s->record_fd);
    frame_log_close(s->frame_log);
    free(s);
}
