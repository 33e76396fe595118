/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The public calls of libpfclient. Blocking calls queue what they send for the I/O thread
 * and wait on the client's condition variable for what it records. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"
#include "pf/core/pkf1_pair.h"

#include "client_internal.h"

/* The struct_size rule: fill the caller's struct up to the size it was compiled with, and
 * leave its struct_size as it set it. */
void pfc_copy_sized(void *dst, const void *src, size_t src_size)
{
    uint32_t want;
    memcpy(&want, dst, sizeof(want));
    memcpy(dst, src, want < src_size ? want : src_size);
    memcpy(dst, &want, sizeof(want));
}

uint32_t pf_client_abi_version(void)
{
    return PF_CLIENT_ABI_VERSION;
}

const char *pf_client_close_reason_string(int reason)
{
    switch (reason) {
    case PF_CLIENT_CLOSE_NONE: return "the connection is open";
    case PF_CLIENT_CLOSE_NORMAL: return "the connection ended normally";
    case PF_CLIENT_CLOSE_BUSY: return "the host is busy with another session";
    case PF_CLIENT_CLOSE_CLIENT_QUIT: return "this client ended the session";
    case PF_CLIENT_CLOSE_APP_EXITED: return "the application on the host exited";
    case PF_CLIENT_CLOSE_PAIR_NOT_ARMED:
        return "the host has no pairing PIN armed (run `pfhost pair-native` on the host)";
    case PF_CLIENT_CLOSE_PAIR_WRONG_DEVICE: return "the host's PIN is meant for another device";
    case PF_CLIENT_CLOSE_PAIR_RATE_LIMITED:
        return "pairing was tried too soon after a failed attempt; wait and try again";
    case PF_CLIENT_CLOSE_NOT_PAIRED: return "this client is not paired with the host";
    case PF_CLIENT_CLOSE_ACCESS_DENIED: return "the host's operator denied access";
    case PF_CLIENT_CLOSE_ACCESS_TIMEOUT: return "the host's operator did not answer in time";
    case PF_CLIENT_CLOSE_ACCESS_SUPERSEDED: return "a newer access request replaced this one";
    case PF_CLIENT_CLOSE_WIRE_VERSION: return "the host speaks another protocol version";
    case PF_CLIENT_CLOSE_SETUP_FAILED:
        return "the host could not set the session up (no shared codec, display or encoder)";
    case PF_CLIENT_CLOSE_ACCESS_EXPIRED: return "this client's access to the host has expired";
    case PF_CLIENT_CLOSE_LAUNCH_DENIED: return "this client may not launch applications";
    case PF_CLIENT_CLOSE_HOST_POWER: return "the host is going to sleep or shutting down";
    case PF_CLIENT_CLOSE_UNKNOWN_CODE: return "the host closed with a code this client does not know";
    case PF_CLIENT_CLOSE_WRONG_PIN: return "the PIN did not match";
    case PF_CLIENT_CLOSE_FINGERPRINT_MISMATCH:
        return "the host's certificate is not the pinned one (another host, or it was reset)";
    case PF_CLIENT_CLOSE_UNREACHABLE: return "no punktfunk/1 host answered at that address";
    case PF_CLIENT_CLOSE_IDLE_TIMEOUT: return "the host stopped answering";
    case PF_CLIENT_CLOSE_TRANSPORT: return "the QUIC or TLS connection failed";
    case PF_CLIENT_CLOSE_PROTOCOL: return "the host broke the protocol";
    case PF_CLIENT_CLOSE_LOCAL: return "the connection was closed on this side";
    default: return "unknown reason";
    }
}

void pf_client_settings_default(pf_client_settings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->connect_timeout_ms = 5000;
}

void pf_client_stream_settings_default(pf_client_stream_settings *s)
{
    if (!s)
        return;
    memset(s, 0, sizeof(*s));
    s->struct_size = sizeof(*s);
    s->width = 1280;
    s->height = 720;
    s->refresh_hz = 60;
    s->codecs = PF_CLIENT_CODEC_H264 | PF_CLIENT_CODEC_HEVC;
    s->audio_channels = 2;
    s->video_queue = 32;
    s->audio_queue = 64;
    s->auto_keyframe = 1;
}

int pfc_wait_until(pf_client *c, uint64_t deadline)
{
    if (deadline && pfc_monotonic_ns() >= deadline)
        return 0;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t step = 20000000ull; /* re-check at least this often */
    if (deadline && deadline - pfc_monotonic_ns() < step)
        step = deadline - pfc_monotonic_ns();
    ts.tv_nsec += (long)step;
    while (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&c->cond, &c->lock, &ts);
    return 1;
}

uint64_t pfc_deadline_of(int timeout_ms)
{
    return timeout_ms < 0 ? 0 : pfc_monotonic_ns() + (uint64_t)timeout_ms * 1000000ull;
}

int pf_client_connect(const pf_client_settings *settings, const char *host, uint16_t port,
                      pf_client **ret_client)
{
    if (!settings || settings->struct_size < sizeof(uint32_t) || !host || !ret_client ||
        strlen(host) >= 64)
        return PF_ERR_INVALID_ARGUMENT;
    pf_client_settings s;
    pf_client_settings_default(&s);
    memcpy(&s, settings, settings->struct_size < sizeof(s) ? settings->struct_size : sizeof(s));
    *ret_client = NULL;
    struct in6_addr a6;
    struct in_addr a4;
    int v6 = inet_pton(AF_INET6, host, &a6) == 1;
    if (!v6 && inet_pton(AF_INET, host, &a4) != 1)
        return PF_ERR_INVALID_ARGUMENT;
    pf_client *c = calloc(1, sizeof(*c));
    if (!c)
        return PF_ERR_NOMEM;
    pthread_mutex_init(&c->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_cond_init(&c->cond, &ca);
    pthread_condattr_destroy(&ca);
    c->wake[0] = c->wake[1] = -1;
    c->fd = -1;
    c->sid = -1;
    c->state = PFC_CONNECTING;
    c->close.struct_size = sizeof(c->close);
    c->close.reason = PF_CLIENT_CLOSE_NONE;
    c->st.struct_size = sizeof(c->st);
    c->info.struct_size = sizeof(c->info);
    pf_pkf1_clock_sync_init(&c->clock);
    pf_client_stream_settings_default(&c->ss);
    c->log = s.log;
    c->port = port;
    memcpy(c->host, host, strlen(host) + 1);
    if (v6) {
        struct sockaddr_in6 *sa = (struct sockaddr_in6 *)&c->host_addr;
        sa->sin6_family = AF_INET6;
        sa->sin6_addr = a6;
        c->host_addr_len = sizeof(*sa);
    } else {
        struct sockaddr_in *sa = (struct sockaddr_in *)&c->host_addr;
        sa->sin_family = AF_INET;
        sa->sin_addr = a4;
        c->host_addr_len = sizeof(*sa);
    }
    if (s.host_fingerprint) {
        memcpy(c->pinned_fp, s.host_fingerprint, 32);
        c->has_pin = 1;
    }
    if (s.device_name)
        strncpy(c->device_name, s.device_name, sizeof(c->device_name) - 1);
    if (s.cert_pem && pf_net_quic_cert_fingerprint(s.cert_pem, strlen(s.cert_pem),
                                                   c->client_fp) == 0)
        c->has_client_fp = 1;
    *ret_client = c;
    int r = pfc_io_start(c, s.cert_pem, s.key_pem);
    if (r < 0)
        return r;
    uint64_t end = pfc_deadline_of((int)s.connect_timeout_ms);
    pthread_mutex_lock(&c->lock);
    while (c->state == PFC_CONNECTING && pfc_wait_until(c, end))
        ;
    r = c->state == PFC_CONNECTED ? 0 : c->state == PFC_CLOSED ? PF_ERR_STATE : PF_ERR_TIMEOUT;
    if (r == PF_ERR_TIMEOUT) {
        /* No handshake in time: nothing answered (a silent port, a filtered path). */
        c->close.reason = PF_CLIENT_CLOSE_UNREACHABLE;
        c->state = PFC_CLOSED;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

void pf_client_destroy(pf_client *c)
{
    if (!c)
        return;
    pfc_io_stop(c);
    pthread_mutex_lock(&c->lock);
    pfc_media_clear(c);
    while (c->cmd_head) {
        pfc_cmd *n = c->cmd_head->next;
        free(c->cmd_head);
        c->cmd_head = n;
    }
    while (c->msg_head) {
        pfc_msg *n = c->msg_head->next;
        free(c->msg_head);
        c->msg_head = n;
    }
    pthread_mutex_unlock(&c->lock);
    pf_pkf1_video_rx_destroy(c->vrx);
    pfi_udp_rx_finish(&c->vsock);
    if (c->fd >= 0)
        close(c->fd);
    free(c->rx);
    pfc_cursor_free(c);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void pf_client_close(pf_client *c)
{
    if (c)
        pfc_queue(c, PFC_CMD_CLOSE, PF_PKF1_CLOSE_CLIENT_QUIT, NULL, 0);
}

int pf_client_get_host_fingerprint(const pf_client *c, uint8_t out[PF_CLIENT_FINGERPRINT_LEN])
{
    if (!c || !out)
        return PF_ERR_INVALID_ARGUMENT;
    pf_client *m = (pf_client *)c;
    pthread_mutex_lock(&m->lock);
    int r = c->has_host_fp ? 0 : PF_ERR_STATE;
    if (r == 0)
        memcpy(out, c->host_fp, 32);
    pthread_mutex_unlock(&m->lock);
    return r;
}

/* Next payload for a blocking call; lock held. 0, PF_ERR_STATE (closed), PF_ERR_TIMEOUT. */
static int next_msg(pf_client *c, uint64_t end, uint8_t *out, size_t cap, size_t *ret_len)
{
    for (;;) {
        if (c->msg_head) {
            pfc_msg *e = c->msg_head;
            c->msg_head = e->next;
            if (!c->msg_head)
                c->msg_tail = NULL;
            size_t n = e->len < cap ? e->len : cap;
            memcpy(out, e->data, n);
            *ret_len = n;
            free(e);
            return 0;
        }
        if (c->state == PFC_CLOSED)
            return PF_ERR_STATE;
        if (!pfc_wait_until(c, end))
            return PF_ERR_TIMEOUT;
    }
}

/* Marks a local verdict and closes with @p code. Lock held. */
static void close_with(pf_client *c, int reason, uint64_t code)
{
    if (c->close.reason == PF_CLIENT_CLOSE_NONE)
        c->close.reason = reason;
    pthread_mutex_unlock(&c->lock);
    pfc_queue(c, PFC_CMD_CLOSE, code, NULL, 0);
    pthread_mutex_lock(&c->lock);
}

int pf_client_pair(pf_client *c, const char *pin, uint32_t timeout_ms)
{
    if (!c || !pin || !*pin)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    if (c->state != PFC_CONNECTED || !c->has_client_fp || c->want_msgs) {
        pthread_mutex_unlock(&c->lock);
        return PF_ERR_STATE;
    }
    c->want_msgs = 1;
    pthread_mutex_unlock(&c->lock);
    pf_pkf1_pair *p = NULL;
    uint8_t buf[PF_PKF1_PAIR_MAX_MSG_BYTES * 2];
    size_t n;
    int r = pf_pkf1_pair_client_create(NULL, (const uint8_t *)pin, strlen(pin), c->client_fp,
                                       c->host_fp, (const uint8_t *)c->device_name,
                                       strlen(c->device_name), NULL, &p);
    if (r == 0)
        r = pf_pkf1_pair_client_request(p, buf, sizeof(buf), &n);
    if (r == 0)
        r = pfc_queue(c, PFC_CMD_STREAM, 0, buf, n);
    uint64_t end = pfc_deadline_of((int)timeout_ms);
    pthread_mutex_lock(&c->lock);
    if (r == 0)
        r = next_msg(c, end, buf, sizeof(buf), &n);
    if (r == 0) {
        uint8_t proof[PF_PKF1_PAIR_MAX_MSG_BYTES];
        size_t pn;
        r = pf_pkf1_pair_client_on_challenge(p, buf, n, proof, sizeof(proof), &pn);
        if (r == PF_ERR_AUTH) {
            /* host_confirm did not match: the wrong PIN (or not the host we talk to). */
            close_with(c, PF_CLIENT_CLOSE_WRONG_PIN, PF_PKF1_CLOSE_NORMAL);
        } else if (r == 0) {
            pthread_mutex_unlock(&c->lock);
            r = pfc_queue(c, PFC_CMD_STREAM, 0, proof, pn);
            pthread_mutex_lock(&c->lock);
            if (r == 0)
                r = next_msg(c, end, buf, sizeof(buf), &n);
            if (r == 0) {
                r = pf_pkf1_pair_client_on_result(p, buf, n);
                /* §6.2: the ceremony is over either way; the client closes with 0. */
                close_with(c, r == 0 ? PF_CLIENT_CLOSE_NORMAL : PF_CLIENT_CLOSE_WRONG_PIN,
                           PF_PKF1_CLOSE_NORMAL);
            }
        } else {
            close_with(c, PF_CLIENT_CLOSE_PROTOCOL, PF_PKF1_CLOSE_NORMAL);
        }
    }
    c->want_msgs = 0;
    /* The ceremony ends the connection: return once it is closed, so that the close info
     * is final. */
    uint64_t close_end = pfc_deadline_of(1000);
    while (c->state != PFC_CLOSED && pfc_wait_until(c, close_end))
        ;
    pthread_mutex_unlock(&c->lock);
    pf_pkf1_pair_destroy(p);
    return r;
}

static int open_data_socket(pf_client *c, uint16_t port, uint16_t *ret_local)
{
    struct sockaddr_storage to = c->host_addr;
    if (to.ss_family == AF_INET6)
        ((struct sockaddr_in6 *)&to)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *)&to)->sin_port = htons(port);
    int fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return PF_ERR_IO;
    int buf = 8 << 20; /* a 720p120 IDR arrives as one burst */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
    struct sockaddr_storage me;
    socklen_t ml = sizeof(me);
    if (connect(fd, (struct sockaddr *)&to, c->host_addr_len) < 0 ||
        getsockname(fd, (struct sockaddr *)&me, &ml) < 0) {
        close(fd);
        return PF_ERR_IO;
    }
    *ret_local = ntohs(me.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&me)->sin6_port
                                                : ((struct sockaddr_in *)&me)->sin_port);
    return fd;
}

static void info_from_welcome(pf_client_stream_info *i, const pf_pkf1_welcome *w)
{
    memset(i, 0, sizeof(*i));
    i->struct_size = sizeof(*i);
    i->width = w->width;
    i->height = w->height;
    i->refresh_hz = w->refresh_hz;
    i->codec = w->codec;
    i->bitrate_kbps = w->bitrate_kbps;
    i->bit_depth = w->bit_depth;
    i->full_range = w->full_range;
    i->audio_channels = w->audio_channels;
    i->audio_codec = w->audio_codec;
    i->cipher = w->cipher;
    i->shard_payload = w->shard_payload;
    i->fec_percent = w->fec_percent;
    i->grants = w->grants;
    i->host_caps = w->host_caps;
    i->host_caps2 = w->host_caps2;
    i->data_port = w->udp_port;
    i->mgmt_port = w->mgmt_port;
}

static int create_rx(pf_client *c, const pf_pkf1_welcome *w)
{
    pf_pkf1_video_rx_settings rs;
    pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
    rs.shard_payload = w->shard_payload;
    rs.max_shard_payload = w->shard_payload;
    rs.max_data_per_block = w->max_data_per_block;
    /* §7.6: clamp(4 × bitrate / hz, 8 MiB, 64 MiB). */
    uint64_t mfb = w->refresh_hz ? 4ull * w->bitrate_kbps * 125u / w->refresh_hz : 0;
    rs.max_frame_bytes = (uint32_t)(mfb < (8u << 20) ? (8u << 20) : mfb > (64u << 20) ? (64u << 20) : mfb);
    int chacha = w->cipher == PF_PKF1_CIPHER_CHACHA20_POLY1305;
    rs.cipher = chacha ? PF_AEAD_CHACHA20_POLY1305 : PF_AEAD_AES128_GCM;
    memcpy(rs.key, chacha ? w->key_chacha : w->key, chacha ? 32 : 16);
    memcpy(rs.salt, w->salt, 4);
    rs.callbacks.on_frame = pfc_media_on_frame;
    rs.callbacks.on_frames_lost = pfc_media_on_lost;
    rs.callbacks.user_data = c;
    rs.log = c->log;
    int r = pf_pkf1_video_rx_create(&rs, &c->vrx);
    memset(rs.key, 0, sizeof(rs.key));
    return r;
}

int pf_client_set_launch(pf_client *c, const char *launch)
{
    if (!c || (launch && strlen(launch) > PF_PKF1_HELLO_LAUNCH_MAX))
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    int r = c->want_msgs || c->vrx ? PF_ERR_STATE : 0;
    if (r == 0)
        snprintf(c->launch, sizeof(c->launch), "%s", launch ? launch : "");
    pthread_mutex_unlock(&c->lock);
    return r;
}

int pf_client_set_wire_version(pf_client *c, uint32_t wire_version)
{
    if (!c)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    int r = c->want_msgs || c->vrx ? PF_ERR_STATE : 0;
    if (r == 0)
        c->wire_version = wire_version;
    pthread_mutex_unlock(&c->lock);
    return r;
}

static void free_msgs(pfc_msg *e)
{
    while (e) {
        pfc_msg *next = e->next;
        free(e);
        e = next;
    }
}

int pf_client_start(pf_client *c, const pf_client_stream_settings *settings,
                    pf_client_stream_info *ret_info, uint32_t timeout_ms)
{
    if (!c || !settings || settings->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    pf_client_stream_settings ss;
    pf_client_stream_settings_default(&ss);
    memcpy(&ss, settings, settings->struct_size < sizeof(ss) ? settings->struct_size : sizeof(ss));
    if (!ss.video_queue || !ss.audio_queue)
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    if (c->state != PFC_CONNECTED || c->want_msgs || c->vrx) {
        pthread_mutex_unlock(&c->lock);
        return PF_ERR_STATE;
    }
    c->want_msgs = 1;
    c->ss = ss;
    c->launch_outcome = PF_CLIENT_LAUNCH_NONE;
    c->launch_message[0] = 0;
    c->access_updates = 0;
    pthread_mutex_unlock(&c->lock);

    pf_pkf1_hello hello;
    pf_pkf1_hello_init(&hello);
    hello.width = ss.width;
    hello.height = ss.height;
    hello.refresh_hz = ss.refresh_hz;
    hello.bitrate_kbps = ss.bitrate_kbps;
    if (c->wire_version)
        hello.wire_version = c->wire_version;
    /* This library's reassembler counts speed-test filler apart from video whatever its frame
     * index, so the filler may take its own index space (§9.5) and never shows as a gap. */
    hello.video_caps = (uint8_t)(ss.video_caps | PF_PKF1_VIDEO_CAP_PROBE_SEQ);
    if (c->launch[0]) {
        hello.launch = (const uint8_t *)c->launch;
        hello.launch_len = strlen(c->launch);
    }
    hello.audio_channels = (uint8_t)ss.audio_channels;
    hello.video_codecs = (uint8_t)ss.codecs;
    hello.preferred_codec = (uint8_t)ss.preferred_codec;
    hello.client_caps = pfc_cursor_client_caps(c);
    hello.name = (const uint8_t *)c->device_name;
    hello.name_len = strlen(c->device_name);
    uint8_t buf[512];
    size_t n;
    int r = pf_pkf1_hello_encode(&hello, buf, sizeof(buf), &n);
    if (r == 0)
        r = pfc_queue(c, PFC_CMD_STREAM, 0, buf, n);
    uint64_t end = pfc_deadline_of((int)timeout_ms);
    pf_pkf1_welcome w;
    pthread_mutex_lock(&c->lock);
    if (r == 0)
        r = next_msg(c, end, buf, sizeof(buf), &n);
    if (r == 0 && (pf_pkf1_welcome_decode(buf, n, &w) != 0 ||
                   w.wire_version != PF_PKF1_WIRE_VERSION)) {
        /* A cipher this side cannot open, or anything unreadable: fail closed (§3.2). */
        close_with(c, PF_CLIENT_CLOSE_PROTOCOL, PF_PKF1_CLOSE_CLIENT_QUIT);
        r = PF_ERR_MALFORMED;
    }
    c->want_msgs = 0;
    /* Whatever else arrived with the Welcome (a LaunchOutcome, say) is for the streaming
     * handlers, once the stream info exists. */
    pfc_msg *early = c->msg_head;
    c->msg_head = c->msg_tail = NULL;
    pthread_mutex_unlock(&c->lock);
    if (r < 0) {
        free_msgs(early);
        return r;
    }

    uint16_t local;
    int fd = open_data_socket(c, w.udp_port, &local);
    if (fd < 0)
        r = fd;
    if (r == 0)
        r = create_rx(c, &w);
    if (r == 0 && pfi_udp_rx_init(&c->vsock, fd, 16) < 0)
        r = PF_ERR_NOMEM;
    if (r == 0)
        r = pf_pkf1_start_encode(local, 0, NULL, 0, buf, sizeof(buf), &n);
    if (r == 0)
        r = pfc_queue(c, PFC_CMD_STREAM, 0, buf, n);
    memset(&w.key, 0, sizeof(w.key));
    if (r < 0) {
        if (fd >= 0)
            close(fd);
        pf_pkf1_video_rx_destroy(c->vrx);
        c->vrx = NULL;
        pfi_udp_rx_finish(&c->vsock);
        pthread_mutex_lock(&c->lock);
        close_with(c, PF_CLIENT_CLOSE_LOCAL, PF_PKF1_CLOSE_CLIENT_QUIT);
        pthread_mutex_unlock(&c->lock);
        free_msgs(early);
        return r;
    }
    pthread_mutex_lock(&c->lock);
    info_from_welcome(&c->info, &w);
    pfc_info_notices(c);
    for (pfc_msg *e = early, *next; e; e = next) {
        next = e->next;
        pf_pkf1_msg m;
        if (pf_pkf1_msg_decode(e->data, e->len, &m) == 0)
            pfc_handle_msg(c, &m);
        free(e);
    }
    c->fd = fd;
    if (c->state == PFC_CONNECTED)
        c->state = PFC_STREAMING;
    r = c->state == PFC_STREAMING ? 0 : PF_ERR_STATE;
    if (ret_info && r == 0)
        COPY_SIZED(ret_info, &c->info);
    pthread_mutex_unlock(&c->lock);
    pfc_wake(c);
    return r;
}

int pf_client_get_stream_info(pf_client *c, pf_client_stream_info *ret_info)
{
    if (!c || !ret_info || ret_info->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    int r = c->vrx ? 0 : PF_ERR_STATE;
    if (r == 0)
        COPY_SIZED(ret_info, &c->info);
    pthread_mutex_unlock(&c->lock);
    return r;
}

/* One node of a puller's queue (pfc_frame and pfc_audio start with their next pointer). */
typedef struct queue_node {
    struct queue_node *next;
} queue_node;

/* The puller's wait: frees the item it returned last time (its bytes were valid until this
 * call), then pops the next one or waits for it. Lock taken here. */
static int pop_wait(pf_client *c, void **head, void **tail, unsigned *count, void **current,
                    int timeout_ms, queue_node **ret)
{
    uint64_t end = pfc_deadline_of(timeout_ms);
    pthread_mutex_lock(&c->lock);
    free(*current);
    *current = NULL;
    int r;
    for (;;) {
        queue_node *e = *head;
        if (e) {
            *head = e->next;
            if (!*head)
                *tail = NULL;
            (*count)--;
            *current = e;
            *ret = e;
            r = 0;
            break;
        }
        if (c->state == PFC_CLOSED || !c->vrx) {
            r = PF_ERR_STATE;
            break;
        }
        if (!pfc_wait_until(c, end)) {
            r = PF_ERR_TIMEOUT;
            break;
        }
    }
    return r; /* still locked: the caller copies the item out */
}

int pf_client_video_next(pf_client *c, int timeout_ms, pf_client_video_frame *ret_frame)
{
    if (!c || !ret_frame || ret_frame->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    queue_node *n = NULL;
    int r = pop_wait(c, (void **)&c->vq_head, (void **)&c->vq_tail, &c->vq_count,
                     (void **)&c->v_current, timeout_ms, &n);
    if (r == 0) {
        /* 0xCF follows the AU's last datagram on another path: what came since it completed
         * is matched now (pf_client_get_host_timing() for later). */
        pfc_media_match_timing(c, &((pfc_frame *)n)->f);
        COPY_SIZED(ret_frame, &((pfc_frame *)n)->f);
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

int pf_client_audio_next(pf_client *c, int timeout_ms, pf_client_audio_packet *ret_packet)
{
    if (!c || !ret_packet || ret_packet->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    queue_node *n = NULL;
    int r = pop_wait(c, (void **)&c->aq_head, (void **)&c->aq_tail, &c->aq_count,
                     (void **)&c->a_current, timeout_ms, &n);
    if (r == 0)
        COPY_SIZED(ret_packet, &((pfc_audio *)n)->p);
    pthread_mutex_unlock(&c->lock);
    return r;
}

int pf_client_get_stats(pf_client *c, pf_client_stats *ret)
{
    if (!c || !ret || ret->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    pf_client_stats st = c->st;
    st.struct_size = sizeof(st);
    st.clock_valid = c->clock.valid;
    st.clock_offset_ns = c->clock.offset_ns;
    st.clock_rtt_ns = c->clock.rtt_ns;
    pfc_stats_latency(c, &st);
    pthread_mutex_unlock(&c->lock);
    COPY_SIZED(ret, &st);
    return 0;
}

int pf_client_get_close_info(pf_client *c, pf_client_close_info *ret)
{
    if (!c || !ret || ret->struct_size < sizeof(uint32_t))
        return PF_ERR_INVALID_ARGUMENT;
    pthread_mutex_lock(&c->lock);
    pf_client_close_info ci = c->close;
    if (c->state != PFC_CLOSED && ci.reason != PF_CLIENT_CLOSE_WRONG_PIN)
        ci.reason = PF_CLIENT_CLOSE_NONE;
    pthread_mutex_unlock(&c->lock);
    COPY_SIZED(ret, &ci);
    return 0;
}

int pf_client_identity_generate(char **ret_key_pem, char **ret_cert_pem)
{
    if (!ret_key_pem || !ret_cert_pem)
        return PF_ERR_INVALID_ARGUMENT;
    /* §1.2: the CN reference clients use. */
    return pf_net_quic_cert_generate("punktfunk-client", ret_key_pem, ret_cert_pem);
}

int pf_client_cert_fingerprint(const char *cert_pem, uint8_t out[PF_CLIENT_FINGERPRINT_LEN])
{
    if (!cert_pem || !out)
        return PF_ERR_INVALID_ARGUMENT;
    return pf_net_quic_cert_fingerprint(cert_pem, strlen(cert_pem), out);
}

void pf_client_free(void *p)
{
    pf_net_quic_free(p);
}
