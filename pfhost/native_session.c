/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One punktfunk/1 streaming session (native-protocol.md §4.1 steps 5–10, §4.5, §4.6, §9): the
 * mode and codec resolved from the Hello, the Welcome, the data socket on the local address
 * the QUIC connection arrived on, the hole punch, and the capture → encode pipeline whose
 * access units native_media.c packetizes, protects and seals. The data plane (socket, keys,
 * sequence counter, frame numbering) outlives a Reconfigure; the pipeline is rebuilt. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/pkf1_clock.h"
#include "pf/net_gamestream.h"

#include "host.h"
#include "mgmt.h"
#include "native_audio.h"
#include "native_cursor.h"
#include "native_desktop.h"
#include "native_internal.h"
#include "native_input.h"
#include "native_media.h"
#include "native_mic.h"
#include "native_probe.h"
#include "pipeline.h"

/* §7.1: the punch is awaited this long after Start before falling back to the Start port. */
#define PUNCH_WAIT_MS 2500u
#define PUNCH_MAGIC "PFpunch1"
/* §9.3 bounds of the adaptive FEC controller, and the Welcome's starting point. */
#define FEC_MIN 5u
#define FEC_MAX 50u
#define FEC_START 10u
/* §9.1: the client's report window. A report received this long after the first frame
 * went out measured a window of it, and ends the cold start. */
#define REPORT_WINDOW_MS 750u
#define DEFAULT_KBPS 20000u
#define MAX_KBPS 1000000u

struct native_session {
    native_conn *nc;
    native_plane *np;
    pf_pkf1_welcome w;
    uint8_t video_caps, client_caps;
    int abr_reason; /* Start ABR bit0: BitrateChanged carries the reason byte */
    int fd;
    sd_event_source *io, *punch_timer;
    struct sockaddr_storage peer; /* the QUIC peer; punches must come from its IP */
    socklen_t peer_len;
    uint16_t client_port;
    int connected;
    pipeline *pl;
    pipeline_sink sink;
    native_media *media;
    native_input *input;
    native_audio_plan audio;
    native_mic *mic;
    native_probe *probe; /* made on the first ProbeRequest */
    native_desktop desk;    /* the session's own output and input, where the host has them */
    native_cursor *cursor; /* the cursor channel, when negotiated (native_cursor.c) */
    uint32_t fec_percent, bitrate_kbps;
    uint32_t loss_estimate; /* ppm the parity is sized for (pf_pkf1_fec_loss_estimate()) */
    int loss_measured;      /* 0 during the cold start */
    uint64_t last_step_ms; /* last +3 step of the FEC while whole frames die */
    uint64_t loss_reports, delivery_packets, input_datagrams;
};

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* §9.3: adapt_fec(ppm) = clamp(ceil(ppm·14/100000) + 1, 5, 50); rises at once, decays by at
 * most one point per window. The loss-horizon term of v0.43.1 is not known (§13 item 6); any
 * monotone controller inside 5–50 % interoperates, as the wire is self-describing. */
static uint32_t next_fec(uint32_t cur, uint32_t ppm)
{
    uint64_t want = ((uint64_t)ppm * 14u + 99999u) / 100000u + 1u;
    uint32_t t = want < FEC_MIN ? FEC_MIN : want > FEC_MAX ? FEC_MAX : (uint32_t)want;
    if (t >= cur)
        return t;
    return cur - 1 > t ? cur - 1 : t;
}

static uint32_t host_codecs(const native_plane *np)
{
    uint32_t m = np->h->codec_mask, c = 0;
    if (m & PF_NET_GS_CODEC_H264)
        c |= PF_PKF1_CODEC_H264;
    if (m & PF_NET_GS_CODEC_HEVC)
        c |= PF_PKF1_CODEC_HEVC;
    if (m & PF_NET_GS_CODEC_AV1_MAIN8)
        c |= PF_PKF1_CODEC_AV1;
    return c ? c : PF_PKF1_CODEC_H264;
}

static uint32_t gs_stream_codec(uint32_t pkf1)
{
    return pkf1 == PF_PKF1_CODEC_HEVC ? PF_NET_GS_STREAM_HEVC
           : pkf1 == PF_PKF1_CODEC_AV1 ? PF_NET_GS_STREAM_AV1
                                       : PF_NET_GS_STREAM_H264;
}

static int video_sink(void *user, const uint8_t *au, size_t len, uint64_t pts_ns,
                      uint64_t dequeued_ns, uint64_t encoded_ns, int idr)
{
    native_session *s = user;
    native_au_times t = {pts_ns, dequeued_ns, encoded_ns};
    return native_media_send_au(s->media, au, len, &t, idr);
}

static void audio_sink(void *user, const uint8_t *opus, size_t len, uint64_t pts_ns)
{
    native_session *s = user;
    native_media_send_audio(s->media, s->nc->qc, opus, len);
}

static void cursor_sink(void *user, const pw_source_cursor *c)
{
    native_session *s = user;
    native_cursor_report(s->cursor, c);
}

static int start_pipeline(native_session *s, uint32_t w, uint32_t h, uint32_t hz)
{
    pipeline_settings ps;
    memset(&ps, 0, sizeof(ps));
    ps.cfg.struct_size = sizeof(ps.cfg);
    ps.cfg.slices = 1;
    ps.cfg.width = w;
    ps.cfg.height = h;
    ps.cfg.fps = hz;
    ps.cfg.codec = gs_stream_codec(s->w.codec);
    ps.cfg.bitrate_kbps = s->bitrate_kbps;
    ps.cfg.packet_size = 1392; /* unused with a sink, but sizes the GameStream buffers */
    ps.cfg.csc_mode = 1u << 1; /* BT.709 limited: Welcome colour 1/1/1, full_range 0 */
    ps.cfg.audio_channels = s->audio.channels;
    ps.cfg.audio_high_quality = s->audio.high_quality;
    ps.audio_coupling = s->audio.coupling;
    ps.audio_bitrate_bps = s->audio.bitrate_bps;
    ps.cfg.audio_packet_ms = 5; /* §8.2: 5 ms Opus frames */
    ps.video_fd = s->fd;
    ps.audio_fd = s->fd;
    ps.source = s->np->opt.source;
    ps.session_id = 0x10000u + (uint32_t)(s->fd & 0xffff);
    ps.fec_percent = s->fec_percent;
    ps.pipewire_remote = s->np->opt.pipewire_remote;
    ps.vdisplay_backend = s->np->opt.vdisplay_backend;
    ps.log = s->np->log;
    ps.sink = &s->sink;
    if (s->desk.open) {
        ps.source = PIPELINE_SOURCE_NODE;
        ps.node_id = s->desk.sd.node_id;
        ps.pipewire_remote = s->desk.sd.pipewire_remote;
        ps.cursor = s->cursor && s->desk.sd.cursor_metadata;
    }
    return pipeline_create(&ps, &s->pl);
}

/* The data socket: an ephemeral UDP port on the local address the QUIC connection arrived
 * on (§4.1 step 6), so the client reaches it by the address it already uses. */
static int bind_data_socket(native_session *s)
{
    struct sockaddr_storage local;
    int ll = pf_net_quic_conn_get_address(s->nc->qc, 1, &local, sizeof(local));
    int pl = pf_net_quic_conn_get_address(s->nc->qc, 0, &s->peer, sizeof(s->peer));
    if (ll < 0 || pl < 0)
        return -EINVAL;
    s->peer_len = (socklen_t)pl;
    if (local.ss_family == AF_INET)
        ((struct sockaddr_in *)&local)->sin_port = 0;
    else
        ((struct sockaddr_in6 *)&local)->sin6_port = 0;
    s->fd = socket(local.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->fd < 0)
        return -errno;
    /* field notes: the send buffer must not depend on kernel defaults; a frame of a few MB
     * leaves in bursts, and what does not fit is dropped. */
    int buf = 8 << 20;
    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf));
    setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
    if (bind(s->fd, (struct sockaddr *)&local, (socklen_t)ll) < 0)
        return -errno;
    socklen_t sl = sizeof(local);
    getsockname(s->fd, (struct sockaddr *)&local, &sl);
    s->w.udp_port = ntohs(local.ss_family == AF_INET ? ((struct sockaddr_in *)&local)->sin_port
                                                     : ((struct sockaddr_in6 *)&local)->sin6_port);
    return 0;
}

static int same_ip(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                   &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

static void connect_to(native_session *s, const struct sockaddr_storage *to, socklen_t len)
{
    if (connect(s->fd, (const struct sockaddr *)to, len) < 0) {
        host_log("native %s: cannot reach the client's data port: %s", s->nc->peer,
                 strerror(errno));
        return;
    }
    s->connected = 1;
    sd_event_source_set_enabled(s->punch_timer, SD_EVENT_OFF);
    native_media_set_ready(s->media, 1);
    pipeline_request_idr(s->pl);
}

static int on_data(sd_event_source *src, int fd, uint32_t revents, void *ud)
{
    native_session *s = ud;
    uint8_t buf[64];
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage from;
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (n < 0)
            break;
        /* §7.1: only "PFpunch1" from the QUIC peer's IP; everything else is ignored. Keep-
         * alive punches after the first are harmless. */
        if (s->connected || n != 8 || memcmp(buf, PUNCH_MAGIC, 8) != 0 || !same_ip(&from, &s->peer))
            continue;
        connect_to(s, &from, fl);
    }
    return 0;
}

static int on_punch_timeout(sd_event_source *src, uint64_t usec, void *ud)
{
    native_session *s = ud;
    if (s->connected)
        return 0;
    /* No punch: (QUIC peer IP, Start.client_udp_port). */
    struct sockaddr_storage to = s->peer;
    if (to.ss_family == AF_INET)
        ((struct sockaddr_in *)&to)->sin_port = htons(s->client_port);
    else
        ((struct sockaddr_in6 *)&to)->sin6_port = htons(s->client_port);
    host_log("native %s: no punch within %u ms; sending to port %u", s->nc->peer, PUNCH_WAIT_MS,
             s->client_port);
    connect_to(s, &to, s->peer_len);
    return 0;
}

uint32_t native_session_create(native_conn *nc, const pf_pkf1_hello *hello,
                               pf_pkf1_welcome *ret_welcome, native_session **ret, char *reason,
                               size_t reason_len)
{
    native_plane *np = nc->np;
    uint32_t codec =
        pf_pkf1_resolve_codec(hello->video_codecs, hello->preferred_codec, host_codecs(np));
    if (!codec) {
        snprintf(reason, reason_len, "no video codec in common (client 0x%02x)",
                 hello->video_codecs);
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    uint32_t w = hello->width, h = hello->height, hz = hello->refresh_hz;
    if (w < 64 || h < 64 || w > 7680 || h > 4320 || (w | h) & 1 || hz < 1 || hz > 480) {
        snprintf(reason, reason_len, "mode %ux%u@%u is not supported", w, h, hz);
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    native_session *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(reason, reason_len, "out of memory");
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    s->nc = nc;
    s->np = np;
    s->fd = -1;
    s->video_caps = hello->video_caps;
    s->client_caps = hello->client_caps;
    s->fec_percent = FEC_START;
    s->bitrate_kbps = hello->bitrate_kbps ? hello->bitrate_kbps : DEFAULT_KBPS;
    if (s->bitrate_kbps > MAX_KBPS)
        s->bitrate_kbps = MAX_KBPS;
    pf_pkf1_welcome *wl = &s->w;
    pf_pkf1_welcome_init(wl);
    wl->width = w;
    wl->height = h;
    wl->refresh_hz = hz;
    wl->fec_scheme = PF_PKF1_FEC_GF16;
    wl->fec_percent = FEC_START;
    wl->max_data_per_block = 4096;
    wl->encrypt = 1;
    wl->frames = 0;
    wl->bitrate_kbps = s->bitrate_kbps;
    wl->bit_depth = 8;
    wl->color_primaries = wl->color_transfer = wl->color_matrix = 1;
    wl->full_range = 0;
    wl->chroma_format_idc = 1;
    native_audio_resolve(hello, &s->audio); /* 5.1 / 7.1 multistream: native_audio.c */
    wl->audio_channels = s->audio.channels;
    wl->audio_layout = s->audio.layout;
    wl->codec = (uint8_t)codec;
    /* §3.5: only what is implemented. Pad snapshots (kind 12) and text (kind 15) are
     * injected; REPEAT_MARK is truthful with no repeats; EXT: the Start block is read;
     * INPUT_EDGES: InputEdge takes the same path as 0xC8. */
    wl->host_caps = PF_PKF1_HOST_CAP_GAMEPAD_STATE | PF_PKF1_HOST_CAP_TEXT_INPUT;
    wl->host_caps2 = PF_PKF1_HOST_CAP2_REPEAT_MARK | PF_PKF1_HOST_CAP2_EXT |
                     PF_PKF1_HOST_CAP2_INPUT_EDGES;
    /* §4.4: the management API port (clients use it for the library and console). */
    wl->mgmt_port = np->h->api ? mgmt_get_port(np->h->api) : 0;
    wl->grants = nc->grants;
    wl->expires_in_secs = 0;
    wl->audio_codec = PF_PKF1_AUDIO_CODEC_OPUS;
    wl->audio_rate_hz = 48000;
    wl->audio_bits = 16;
    /* §4.1 step 7: fresh keys per session; ChaCha20-Poly1305 only toward clients that can. */
    if (getrandom(wl->key, sizeof(wl->key), 0) != (ssize_t)sizeof(wl->key) ||
        getrandom(wl->salt, sizeof(wl->salt), 0) != (ssize_t)sizeof(wl->salt) ||
        getrandom(wl->key_chacha, sizeof(wl->key_chacha), 0) != (ssize_t)sizeof(wl->key_chacha)) {
        native_session_destroy(s);
        snprintf(reason, reason_len, "no randomness for the session keys");
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    wl->cipher = (hello->video_caps & PF_PKF1_VIDEO_CAP_CHACHA20)
                     ? PF_PKF1_CIPHER_CHACHA20_POLY1305
                     : PF_PKF1_CIPHER_AES128_GCM;
    int r = bind_data_socket(s);
    if (r < 0) {
        native_session_destroy(s);
        snprintf(reason, reason_len, "cannot bind the data socket: %s", strerror(-r));
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    /* §7.5: 1408 toward IPv4 (or IPv4-mapped) peers, 1388 toward IPv6. */
    int v4 = s->peer.ss_family == AF_INET ||
             IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)&s->peer)->sin6_addr);
    wl->shard_payload = v4 ? 1408 : 1388;
    r = native_media_create(s->fd, wl, &s->media);
    if (r == 0) {
        /* §8.8 and §9.5: what the client's Hello asked for. */
        if (s->video_caps & PF_PKF1_VIDEO_CAP_HOST_TIMING)
            native_media_set_host_timing(s->media, nc->qc);
        native_media_set_probe_seq(s->media, s->video_caps & PF_PKF1_VIDEO_CAP_PROBE_SEQ);
    }
    if (r == 0 && native_desktop_wanted(np->h) && np->opt.source == PIPELINE_SOURCE_VDISPLAY) {
        char why[256];
        int cursor = (hello->client_caps & PF_PKF1_CLIENT_CAP_CURSOR) != 0;
        if (native_desktop_open(&s->desk, np->h, native_desktop_next_id(np), w, h, hz, cursor,
                                why, sizeof(why)) < 0) {
            native_session_destroy(s);
            snprintf(reason, reason_len, "%s", why); /* §10 0x68: it names the fix */
            return PF_PKF1_CLOSE_SETUP_FAILED;
        }
        /* §3.5: the cursor channel only when the output really leaves the pointer out. */
        if (cursor && s->desk.sd.cursor_metadata) {
            r = native_cursor_create(nc, np->h->loop, hz, &s->cursor);
            wl->host_caps |= r == 0 ? PF_PKF1_HOST_CAP_CURSOR : 0;
        }
    }
    if (r == 0 && (s->desk.open && !np->opt.input_record
                       ? native_input_create_on(0x10000u + (uint32_t)s->fd, s->desk.sd.injector,
                                                &s->input)
                       : native_input_create(0x10000u + (uint32_t)s->fd, np->opt.input_record,
                                             &s->input)) < 0)
        r = PF_ERR_NOMEM;
    if (r == 0) {
        native_input_set_output(s->input, w, h);
        if (native_input_can_touch(s->input)) /* §3.5: only what reaches the desktop */
            wl->host_caps2 |= PF_PKF1_HOST_CAP2_TOUCH;
    }
    if (r == 0) {
        char client[65], tag[13];
        snprintf(client, sizeof(client), "%.*s", hello->name ? (int)hello->name_len : 0,
                 hello->name ? (const char *)hello->name : "");
        snprintf(tag, sizeof(tag), "%.12s", nc->fp_hex);
        /* Into the session's PipeWire: its desktop's, where it has one. */
        const char *pw = s->desk.open && s->desk.sd.pipewire_remote ? s->desk.sd.pipewire_remote
                                                                    : np->opt.pipewire_remote;
        s->mic = native_mic_create(pw, client, tag, np->log);
        r = s->mic ? 0 : PF_ERR_NOMEM;
    }
    if (r == 0) {
        s->sink = (pipeline_sink){.user = s, .video = video_sink, .audio = audio_sink,
                                  .cursor = cursor_sink};
        r = start_pipeline(s, w, h, hz);
    }
    if (r < 0) {
        native_session_destroy(s);
        snprintf(reason, reason_len, "cannot start capture and encoding: %s", pf_strerror(r));
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    if (sd_event_add_io(np->h->loop, &s->io, s->fd, EPOLLIN, on_data, s) < 0 ||
        sd_event_add_time(np->h->loop, &s->punch_timer, CLOCK_MONOTONIC, UINT64_MAX, 1000,
                          on_punch_timeout, s) < 0) {
        native_session_destroy(s);
        snprintf(reason, reason_len, "cannot add the data socket to the loop");
        return PF_PKF1_CLOSE_SETUP_FAILED;
    }
    sd_event_source_set_enabled(s->punch_timer, SD_EVENT_OFF);
    *ret_welcome = *wl;
    *ret = s;
    return 0;
}

void native_session_start(native_session *s, uint16_t client_udp_port, int abr_reason)
{
    s->client_port = client_udp_port;
    s->abr_reason = abr_reason;
    uint64_t now;
    sd_event_now(s->np->h->loop, CLOCK_MONOTONIC, &now);
    sd_event_source_set_time(s->punch_timer, now + PUNCH_WAIT_MS * 1000ull);
    sd_event_source_set_enabled(s->punch_timer, s->connected ? SD_EVENT_OFF : SD_EVENT_ONESHOT);
}

static void reconfigure(native_session *s, const pf_pkf1_msg *m)
{
    pf_pkf1_msg out;
    pf_pkf1_msg_init(&out, PF_PKF1_MSG_RECONFIGURED);
    uint32_t w = m->width, h = m->height, hz = m->refresh_hz;
    int ok = w >= 64 && h >= 64 && w <= 7680 && h <= 4320 && !((w | h) & 1) && hz >= 1 &&
             hz <= 480;
    if (ok && (w != s->w.width || h != s->w.height || hz != s->w.refresh_hz)) {
        /* §4.6: output, capture and encoder are rebuilt; the data plane is untouched. The new
         * encoder's first frame is an IDR with in-band parameter sets. */
        uint64_t t0 = native_now_ms();
        native_media_set_ready(s->media, 0);
        pipeline_destroy(s->pl);
        s->pl = NULL;
        /* The desktop's output follows first; the pipeline captures its new node. */
        int r = native_desktop_set_mode(&s->desk, s->input, w, h, hz);
        if (r == 0 && (r = start_pipeline(s, w, h, hz)) < 0)
            native_desktop_set_mode(&s->desk, s->input, s->w.width, s->w.height,
                                    s->w.refresh_hz);
        if (r < 0) {
            host_log("native %s: mode %ux%u@%u failed (%s); keeping %ux%u@%u", s->nc->peer, w,
                     h, hz, pf_strerror(r), s->w.width, s->w.height, s->w.refresh_hz);
            r = start_pipeline(s, s->w.width, s->w.height, s->w.refresh_hz);
            ok = 0;
        } else {
            s->w.width = w;
            s->w.height = h;
            s->w.refresh_hz = hz;
            native_media_set_fps(s->media, hz);
            native_input_set_output(s->input, w, h);
            if (s->cursor)
                native_cursor_set_fps(s->cursor, hz);
        }
        native_media_set_ready(s->media, s->connected);
        if (r < 0) {
            native_refuse(s->nc, PF_PKF1_CLOSE_SETUP_FAILED, "the encoder could not restart");
            return;
        }
        pf_pkf1_msg gap;
        pf_pkf1_msg_init(&gap, PF_PKF1_MSG_PIPELINE_GAP);
        gap.value32 = (uint32_t)(native_now_ms() - t0);
        out.flag = (uint8_t)ok;
        out.width = s->w.width;
        out.height = s->w.height;
        out.refresh_hz = s->w.refresh_hz;
        native_send_msg(s->nc, &out, 0);
        native_send_msg(s->nc, &gap, 0);
        host_log("native %s: mode now %ux%u@%u", s->nc->peer, s->w.width, s->w.height,
                 s->w.refresh_hz);
        return;
    }
    out.flag = (uint8_t)ok;
    out.width = s->w.width;
    out.height = s->w.height;
    out.refresh_hz = s->w.refresh_hz;
    native_send_msg(s->nc, &out, 0);
}

/* CursorRenderMode changed who draws the pointer. The compositor fixes that for a
 * screencast's life (Mutter's cursor mode), so the output is made again — pointer in the
 * picture, or out of it — with its input, like a mode change: on the same compositor where
 * it can (the apps in it go on), otherwise by reopening the desktop; same data plane, a new
 * IDR, a PipelineGap for the stall. */
static void native_cursor_rebuild(native_session *s)
{
    uint64_t t0 = native_now_ms();
    int draws = native_cursor_client_draws(s->cursor);
    native_media_set_ready(s->media, 0);
    pipeline_destroy(s->pl);
    s->pl = NULL;
    int r = 0;
    if (s->desk.open && !s->np->opt.input_record) {
        r = native_desktop_set_cursor(&s->desk, s->input, draws);
        if (r == PF_ERR_UNSUPPORTED) {
            char why[256];
            uint32_t id = s->desk.id;
            native_input_destroy(s->input);
            s->input = NULL;
            native_desktop_close(&s->desk);
            r = native_desktop_open(&s->desk, s->np->h, id, s->w.width, s->w.height,
                                    s->w.refresh_hz, draws, why, sizeof(why));
            if (r == 0)
                r = native_input_create_on(id, s->desk.sd.injector, &s->input);
            else
                host_log("native %s: the output could not be made again: %s", s->nc->peer,
                         why);
        }
    }
    native_cursor_reset(s->cursor);
    if (r == 0)
        r = start_pipeline(s, s->w.width, s->w.height, s->w.refresh_hz);
    if (r < 0) {
        native_refuse(s->nc, PF_PKF1_CLOSE_SETUP_FAILED, "the output could not restart");
        return;
    }
    native_media_set_ready(s->media, s->connected);
    pf_pkf1_msg gap;
    pf_pkf1_msg_init(&gap, PF_PKF1_MSG_PIPELINE_GAP);
    gap.value32 = (uint32_t)(native_now_ms() - t0);
    native_send_msg(s->nc, &gap, 0);
    host_log("native %s: the %s draws the pointer now", s->nc->peer, draws ? "client" : "host");
}

static void send_bitrate_changed(native_session *s, uint32_t kbps, uint8_t reason)
{
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_BITRATE_CHANGED);
    m.value32 = kbps;
    /* §5.1: the 10-byte form only toward a client whose Start had ABR bit0. */
    m.has_ext = (uint8_t)s->abr_reason;
    m.code8 = reason;
    native_send_msg(s->nc, &m, 0);
}

static void input_bytes(native_session *s, const uint8_t *data, size_t len)
{
    pf_pkf1_input ev;
    /* Malformed or newer-kind events are dropped (§8: unknown datagrams are dropped). */
    if (pf_pkf1_input_decode(data, len, &ev) < 0)
        return;
    s->input_datagrams++;
    native_input_event(s->input, &ev, s->nc->grants);
}

/* §9.3: while whole frames die (the client asks for keyframes) the parity steps up 3 points
 * per report window, on top of what the loss reports ask for. */
static void frames_died(native_session *s)
{
    uint64_t now = native_now_ms();
    if (now < s->last_step_ms + 750 || s->fec_percent >= FEC_MAX)
        return;
    s->last_step_ms = now;
    uint32_t next = s->fec_percent + 3 > FEC_MAX ? FEC_MAX : s->fec_percent + 3;
    host_log("native %s: frames lost, FEC %u%% -> %u%%", s->nc->peer, s->fec_percent, next);
    s->fec_percent = next;
    native_media_set_fec(s->media, next);
    /* And the bitrate backs off by a fifth, said to the client (§9.6), but not below a
     * quarter of what the client asked for (at least 500 kbps): loss this host cannot out-run
     * with parity is not congestion it can cure by starving the picture. */
    uint32_t cur = pipeline_get_bitrate(s->pl), floor_kbps = s->bitrate_kbps / 4;
    floor_kbps = floor_kbps < 500 ? 500 : floor_kbps;
    uint32_t lower = cur * 4 / 5 < floor_kbps ? floor_kbps : cur * 4 / 5;
    if (lower < cur) {
        pipeline_set_bitrate(s->pl, lower);
        send_bitrate_changed(s, lower, 0);
    }
}

/* A clean report window lets the bitrate climb back by a tenth toward what was asked. */
static void loss_free_window(native_session *s)
{
    uint32_t cur = pipeline_get_bitrate(s->pl);
    if (cur >= s->bitrate_kbps)
        return;
    uint32_t up = cur + cur / 10 + 1;
    up = up > s->bitrate_kbps ? s->bitrate_kbps : up;
    pipeline_set_bitrate(s->pl, up);
    send_bitrate_changed(s, up, 0);
}

void native_session_control(native_session *s, const pf_pkf1_msg *m, uint64_t recv_ns)
{
    switch (m->type) {
    case PF_PKF1_MSG_CLOCK_PROBE: {
        /* §4.5: t2 = receive, t3 = send, both host CLOCK_REALTIME. */
        pf_pkf1_msg e;
        pf_pkf1_msg_init(&e, PF_PKF1_MSG_CLOCK_ECHO);
        e.t1 = m->t1;
        e.t2 = recv_ns;
        e.t3 = realtime_ns();
        native_send_msg(s->nc, &e, 0);
        break;
    }
    case PF_PKF1_MSG_REQUEST_KEYFRAME:
    case PF_PKF1_MSG_RFI_REQUEST:
        /* The encoders here cannot re-anchor on an older reference: every RFI is answered
         * with an IDR (§9.2 allows it; a range over 256 would be one anyway). */
        pipeline_request_idr(s->pl);
        frames_died(s);
        break;
    case PF_PKF1_MSG_LOSS_REPORT: {
        if (m->value32 == 0)
            loss_free_window(s);
        uint32_t ppm = m->value32 > 1000000u ? 1000000u : m->value32;
        uint32_t next = next_fec(s->fec_percent, ppm);
        /* Beside the percentage, each block gets the parity that the estimated loss needs
         * (small blocks far more than the percentage gives them; pkf1_fec_sizing.c). The
         * frames sent before a report covered a window of them keep the cold-start
         * protection, PF_PKF1_FEC_COLD_LOSS_PPM: a report of a window with no video in it
         * measured nothing. The first one that counts replaces the cold-start value rather
         * than decaying from it. */
        s->loss_reports++;
        uint32_t loss = pf_pkf1_fec_loss_estimate(s->loss_measured ? s->loss_estimate : 0, ppm);
        int counts = s->loss_measured ||
                     native_media_get_sending_ms(s->media) >= REPORT_WINDOW_MS ||
                     loss > PF_PKF1_FEC_COLD_LOSS_PPM;
        uint32_t before = s->loss_measured ? s->loss_estimate : 0;
        if (counts) {
            s->loss_measured = 1;
            s->loss_estimate = loss;
            native_media_set_loss(s->media, loss);
        }
        /* Rises are news; the slow decay afterwards is not logged. */
        uint32_t sized = s->loss_measured ? s->loss_estimate : PF_PKF1_FEC_COLD_LOSS_PPM;
        if (next > s->fec_percent || (counts && loss > before + 50000u))
            host_log("native %s: loss %u ppm, FEC %u%% -> %u%%, parity for %u.%u%% loss%s",
                     s->nc->peer, m->value32, s->fec_percent, next, sized / 10000u,
                     sized / 1000u % 10u, s->loss_measured ? "" : " (cold start)");
        if (next != s->fec_percent) {
            s->fec_percent = next;
            native_media_set_fec(s->media, next);
        }
        break;
    }
    case PF_PKF1_MSG_DELIVERY_REPORT:
        s->delivery_packets = m->value64;
        break;
    case PF_PKF1_MSG_SET_BITRATE: {
        uint32_t kbps = m->value32 ? m->value32 : DEFAULT_KBPS;
        if (kbps < 500)
            kbps = 500;
        if (kbps > MAX_KBPS)
            kbps = MAX_KBPS;
        s->bitrate_kbps = kbps;
        pipeline_set_bitrate(s->pl, kbps);
        send_bitrate_changed(s, pipeline_get_bitrate(s->pl), 0);
        break;
    }
    case PF_PKF1_MSG_RECONFIGURE:
        reconfigure(s, m);
        break;
    case PF_PKF1_MSG_CURSOR_RENDER_MODE:
        /* §5.5: only with the cursor channel (otherwise ignored, as an old host does). */
        if (s->cursor && native_cursor_set_client_draws(s->cursor, m->flag))
            native_cursor_rebuild(s);
        break;
    case PF_PKF1_MSG_INPUT_EDGE:
        /* §5.6: the same event on the reliable stream, same path and grants. */
        input_bytes(s, m->blob, m->blob_len);
        break;
    case PF_PKF1_MSG_PROBE_REQUEST:
        if (!s->probe && native_probe_create(s->nc, s->np->h->loop, s->media, s->fd,
                                             s->w.shard_payload, &s->probe) < 0) {
            host_log("native %s: no memory for a speed test", s->nc->peer);
            break;
        }
        native_probe_request(s->probe, m);
        break;
    case PF_PKF1_MSG_PROBE_SHAPED:
        /* Declined (§5.1, §3.4): shaped probes belong to the v0.43 delivery feature, which
         * this host does not offer (no HOST_CAP2_DELIVERY, the DELIVERY tag is ignored), so
         * a seed client never sends one; should one come, no answer is the protocol's "host
         * cannot", as from an older host. */
        break;
    default:
        /* Optional messages this host does not offer (delivery, clipboard, cursor, phase,
         * shard acks): ignored, as an old host would. */
        break;
    }
}

void native_session_datagram(native_session *s, const uint8_t *data, size_t len)
{
    if (len && data[0] == PF_PKF1_DG_INPUT)
        input_bytes(s, data, len);
    else if (len && data[0] == PF_PKF1_DG_MIC)
        native_mic_datagram(s->mic, data, len, s->nc->grants);
}

uint32_t native_session_desktop_id(const native_session *s)
{
    return s->desk.open ? s->desk.id : 0;
}

void native_session_desktop_lost(native_session *s)
{
    /* Nothing may use the desktop's screencast or injector once this returns: it closes
     * right after. Capture stops, the input goes nowhere, and the connection is closed. */
    native_media_set_ready(s->media, 0);
    sd_event_source_set_enabled(s->io, SD_EVENT_OFF);
    sd_event_source_set_enabled(s->punch_timer, SD_EVENT_OFF);
    pipeline_destroy(s->pl);
    s->pl = NULL;
    native_input_attach(s->input, NULL);
    s->desk.open = 0;
    native_refuse(s->nc, PF_PKF1_CLOSE_SETUP_FAILED,
                  "the session's desktop ended (its compositor or picture source failed)");
}

void native_session_destroy(native_session *s)
{
    if (!s)
        return;
    native_media_stats st = {0};
    if (s->media)
        native_media_get_stats(s->media, &st);
    if (st.data_shards)
        host_log("native %s: %llu frames sent, parity %llu shards for %llu of data (%llu.%llu%%)",
                 s->nc->peer, (unsigned long long)st.frames,
                 (unsigned long long)st.parity_shards, (unsigned long long)st.data_shards,
                 (unsigned long long)(st.parity_shards * 100 / st.data_shards),
                 (unsigned long long)(st.parity_shards * 1000 / st.data_shards % 10));
    native_probe_destroy(s->probe); /* its thread sends through the media object */
    pipeline_destroy(s->pl);
    native_media_destroy(s->media);
    native_input_destroy(s->input);
    native_cursor_destroy(s->cursor);
    native_desktop_close(&s->desk);
    native_mic_destroy(s->mic);
    sd_event_source_unref(s->io);
    sd_event_source_unref(s->punch_timer);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

int native_session_source_failed(const native_session *s)
{
    return s->pl && pipeline_source_failed(s->pl);
}
