/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The I/O thread of a pf_client: it alone drives the QUIC endpoint (libpfnet's, in client
 * role) and reads the video socket, so app threads talk to it through a command queue and
 * wait on the client's condition variable. Also here: what a client owes the host while
 * streaming — punches (§7.1), clock probes (§4.5), loss and delivery reports (§9.1). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "client_internal.h"
#include "pf_log.h"

#define PUNCH_FAST_NS 200000000ull   /* §7.1: every 200 ms for 15 sends, */
#define PUNCH_FAST_COUNT 15u
#define PUNCH_SLOW_NS 2000000000ull  /* then every 2 s */
#define PROBE_GAP_NS 100000000ull    /* between the probes of one batch */
#define PROBE_WAIT_NS 2000000000ull  /* an echo later than this is given up */
#define RESYNC_NS 10000000000ull     /* a new batch every 10 s */
#define REPORT_NS 750000000ull       /* §9.1: the ABR window */

uint64_t pfc_realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t pfc_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void pfc_wake(pf_client *c)
{
    uint8_t b = 1;
    ssize_t n = write(c->wake[1], &b, 1);
    (void)n; /* a full pipe already wakes the thread */
}

int pfc_queue_locked(pf_client *c, enum pfc_cmd_kind kind, uint64_t code, const uint8_t *data,
                     size_t len)
{
    if (c->state == PFC_CLOSED)
        return PF_ERR_STATE;
    pfc_cmd *cmd = malloc(sizeof(*cmd) + len);
    if (!cmd)
        return PF_ERR_NOMEM;
    cmd->next = NULL;
    cmd->kind = kind;
    cmd->code = code;
    cmd->len = len;
    if (len)
        memcpy(cmd->data, data, len);
    if (c->cmd_tail)
        c->cmd_tail->next = cmd;
    else
        c->cmd_head = cmd;
    c->cmd_tail = cmd;
    return 0;
}

int pfc_queue(pf_client *c, enum pfc_cmd_kind kind, uint64_t code, const uint8_t *data,
              size_t len)
{
    pthread_mutex_lock(&c->lock);
    int r = pfc_queue_locked(c, kind, code, data, len);
    pthread_mutex_unlock(&c->lock);
    if (r == 0)
        pfc_wake(c);
    return r;
}

int pfc_queue_msg(pf_client *c, const pf_pkf1_msg *msg)
{
    uint8_t buf[64];
    size_t n;
    int r = pf_pkf1_msg_encode(msg, buf, sizeof(buf), &n);
    return r < 0 ? r : pfc_queue(c, PFC_CMD_STREAM, 0, buf, n);
}

/* Sends a typed message from the I/O thread itself. */
static void send_now(pf_client *c, const pf_pkf1_msg *msg)
{
    uint8_t buf[64], hdr[2];
    size_t n;
    if (!c->conn || pf_pkf1_msg_encode(msg, buf, sizeof(buf), &n) < 0)
        return;
    if (c->sid < 0 && pf_net_quic_conn_open_bidi(c->conn, &c->sid) < 0)
        return;
    pf_pkf1_frame_header(n, hdr);
    if (pf_net_quic_conn_write(c->conn, c->sid, hdr, 2, 0) == 0)
        pf_net_quic_conn_write(c->conn, c->sid, buf, n, 0);
}

static void on_connected(pf_net_quic_conn *conn, void *user)
{
    pf_client *c = user;
    uint8_t fp[32];
    int have = pf_net_quic_conn_get_peer_fingerprint(conn, fp) == 0;
    pthread_mutex_lock(&c->lock);
    if (have) {
        memcpy(c->host_fp, fp, 32);
        c->has_host_fp = 1;
    }
    int ok = have && (!c->has_pin || memcmp(fp, c->pinned_fp, 32) == 0);
    if (ok) {
        c->state = PFC_CONNECTED;
    } else {
        c->close.reason = PF_CLIENT_CLOSE_FINGERPRINT_MISMATCH;
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (!ok) {
        pfi_log(&c->log, PF_LOG_WARNING, "client", "the host at %s is not the pinned host",
                c->host);
        pf_net_quic_conn_close(conn, PF_PKF1_CLOSE_NORMAL, "host fingerprint mismatch");
    }
}

void pfc_info_notices(pf_client *c)
{
    c->info.launch_outcome = c->launch_outcome;
    memcpy(c->info.launch_message, c->launch_message, sizeof(c->info.launch_message));
    c->info.access_updates = c->access_updates;
    if (c->access_updates)
        c->info.grants = c->access_grants;
}

void pfc_handle_msg(pf_client *c, const pf_pkf1_msg *m)
{
    switch (m->type) {
    case PF_PKF1_MSG_CLOCK_ECHO:
        if (m->t1 == c->probe_t1) {
            pf_pkf1_clock_sync_add(&c->clock, m->t1, m->t2, m->t3, pfc_realtime_ns());
            c->probe_t1 = 0;
        }
        break;
    case PF_PKF1_MSG_RECONFIGURED:
        c->reconf_answered = 1;
        c->reconf_accepted = m->flag;
        c->info.width = m->width;
        c->info.height = m->height;
        c->info.refresh_hz = m->refresh_hz;
        break;
    case PF_PKF1_MSG_BITRATE_CHANGED:
        c->info.bitrate_kbps = m->value32;
        break;
    case PF_PKF1_MSG_PROBE_RESULT:
        c->probe_msg = *m;
        c->probe_answered = 1;
        break;
    case PF_PKF1_MSG_ACCESS_UPDATE:
        c->access_updates++;
        c->access_grants = m->value32;
        pfc_info_notices(c);
        break;
    case PF_PKF1_MSG_LAUNCH_OUTCOME: {
        /* §5.6: an unknown kind reads as "spawned". */
        c->launch_outcome = m->code8 <= PF_PKF1_LAUNCH_SIGN_IN ? m->code8 : 0;
        size_t n = m->text_len < sizeof(c->launch_message) - 1 ? m->text_len
                                                               : sizeof(c->launch_message) - 1;
        memcpy(c->launch_message, m->text, n);
        c->launch_message[n] = 0;
        pfc_info_notices(c);
        break;
    }
    default:
        break; /* §2: unknown and unused types are ignored */
    }
}

/* One framed payload from the control stream. */
static void on_payload(pf_client *c, const uint8_t *p, size_t len)
{
    pf_pkf1_msg m;
    int typed = pf_pkf1_msg_decode(p, len, &m) == 0;
    pthread_mutex_lock(&c->lock);
    if (typed && m.type == PF_PKF1_MSG_CURSOR_SHAPE) {
        /* Kept even while start() collects messages: one may follow the Welcome at once. */
        pfc_cursor_on_shape(c, &m);
    } else if (c->want_msgs) {
        pfc_msg *e = malloc(sizeof(*e) + len);
        if (e) {
            e->next = NULL;
            e->len = len;
            memcpy(e->data, p, len);
            if (c->msg_tail)
                c->msg_tail->next = e;
            else
                c->msg_head = e;
            c->msg_tail = e;
        }
    } else if (typed) {
        pfc_handle_msg(c, &m);
    }
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void on_stream(pf_net_quic_conn *conn, int64_t id, const uint8_t *data, size_t len,
                      int fin, void *user)
{
    (void)conn;
    (void)fin;
    pf_client *c = user;
    if (id != c->sid)
        return;
    if (c->rx_len + len > c->rx_cap) {
        size_t cap = (c->rx_len + len) * 2;
        uint8_t *b = realloc(c->rx, cap);
        if (!b)
            return;
        c->rx = b;
        c->rx_cap = cap;
    }
    memcpy(c->rx + c->rx_len, data, len);
    c->rx_len += len;
    size_t off = 0;
    for (;;) {
        const uint8_t *p;
        size_t plen, used;
        if (pf_pkf1_frame_split(c->rx + off, c->rx_len - off, &p, &plen, &used) != 0)
            break;
        on_payload(c, p, plen);
        off += used;
    }
    memmove(c->rx, c->rx + off, c->rx_len - off);
    c->rx_len -= off;
}

static void on_datagram(pf_net_quic_conn *conn, const uint8_t *data, size_t len, void *user)
{
    (void)conn;
    pf_client *c = user;
    if (!len)
        return;
    pthread_mutex_lock(&c->lock);
    if (data[0] == PF_PKF1_DG_AUDIO)
        pfc_media_on_audio(c, data, len);
    else if (data[0] == PF_PKF1_DG_HOST_TIMING)
        pfc_media_on_timing(c, data, len);
    else if (data[0] == PF_PKF1_DG_CURSOR)
        pfc_cursor_on_datagram(c, data, len);
    pthread_mutex_unlock(&c->lock);
}

static int reason_of(const pf_net_quic_close_info *info, int was_connected)
{
    if (info->application) {
        switch (info->code) {
        case 0x00: case 0x42: case 0x51: case 0x52: case 0x60: case 0x61: case 0x62:
        case 0x63: case 0x64: case 0x65: case 0x66: case 0x67: case 0x68: case 0x69:
        case 0x6A: case 0x6B:
            return (int)info->code;
        default:
            return PF_CLIENT_CLOSE_UNKNOWN_CODE;
        }
    }
    if (!was_connected)
        return PF_CLIENT_CLOSE_UNREACHABLE;
    return info->code == 0 ? PF_CLIENT_CLOSE_IDLE_TIMEOUT : PF_CLIENT_CLOSE_TRANSPORT;
}

static void on_closed(pf_net_quic_conn *conn, const pf_net_quic_close_info *info, void *user)
{
    (void)conn;
    pf_client *c = user;
    pthread_mutex_lock(&c->lock);
    /* A reason found here first (wrong PIN, fingerprint, protocol) stays; so does a close
     * this side asked for, unless the host had its own word. */
    if (c->close.reason == PF_CLIENT_CLOSE_NONE || (info->remote && info->application &&
                                                    c->close.reason == PF_CLIENT_CLOSE_LOCAL))
        c->close.reason = reason_of(info, c->state != PFC_CONNECTING);
    c->close.remote = (uint32_t)info->remote;
    c->close.code = info->code;
    snprintf(c->close.text, sizeof(c->close.text), "%s", info->reason ? info->reason : "");
    c->state = PFC_CLOSED;
    c->conn = NULL;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    pfi_log(&c->log, PF_LOG_INFO, "client", "connection to %s closed: %s%s%s", c->host,
            pf_client_close_reason_string(c->close.reason), c->close.text[0] ? ": " : "",
            c->close.text);
}

/* One video datagram: loss accounting from its clear seq, then the reassembler. */
static void video_datagram(void *user, const uint8_t *buf, size_t n)
{
    pf_client *c = user;
    uint64_t now = pfc_realtime_ns();
    if (n >= 8) {
        /* The wire seq is in clear (§7.2): the gaps between the lowest and the highest seen
         * in a window are the packets lost, whether FEC repaired them or not. */
        uint64_t seq = 0;
        for (int b = 0; b < 8; b++)
            seq = seq << 8 | buf[b];
        if (!c->seq_got || seq < c->seq_lo)
            c->seq_lo = seq;
        if (!c->seq_got || seq > c->seq_hi)
            c->seq_hi = seq;
        c->seq_got++;
    }
    pthread_mutex_lock(&c->lock);
    c->st.bytes_received += (uint64_t)n;
    pthread_mutex_unlock(&c->lock);
    c->au_completed = 0;
    int r = pf_pkf1_video_rx_feed(c->vrx, buf, n);
    /* An AU's first datagram is the first one stored for it: the parity shards that arrive
     * after FEC completed the AU before are refused as stale and must not stamp the next AU,
     * nor may the shard that just completed one. */
    pthread_mutex_lock(&c->lock);
    if (r == 0 && !c->au_completed && !c->au_first_packet_ns)
        c->au_first_packet_ns = now;
    pthread_mutex_unlock(&c->lock);
}

/* The video socket: every datagram goes to the reassembler. With UDP_GRO one message read
 * holds up to 64 KiB of a burst (split back into its datagrams by udp_rx), so a frame costs
 * the kernel and this thread a few reads instead of one per datagram. */
static void read_video(pf_client *c)
{
    for (int i = 0; i < 64; i++)
        if (pfi_udp_rx_recv(&c->vsock, MSG_DONTWAIT, video_datagram, c) < 0)
            break;
    pf_pkf1_video_rx_stats s;
    pf_pkf1_video_rx_get_stats(c->vrx, &s);
    pthread_mutex_lock(&c->lock);
    c->probe_packets = s.packets_probe;
    pthread_mutex_unlock(&c->lock);
}

static void send_punch(pf_client *c, int fd, uint64_t now)
{
    if (now < c->next_punch_ns)
        return;
    ssize_t n = send(fd, PF_PKF1_PUNCH, PF_PKF1_PUNCH_BYTES, MSG_DONTWAIT);
    (void)n; /* a lost punch is sent again */
    c->punches++;
    c->next_punch_ns = now + (c->punches < PUNCH_FAST_COUNT ? PUNCH_FAST_NS : PUNCH_SLOW_NS);
}

static void send_probe(pf_client *c, uint64_t now)
{
    pthread_mutex_lock(&c->lock);
    if (c->probe_t1 && now >= c->next_probe_ns) {
        /* No echo in time: give the sample up; a batch that cannot fill ends early. */
        c->probe_t1 = 0;
    }
    int due = !c->probe_t1 && now >= c->next_probe_ns;
    if (due) {
        if (c->probes_in_batch == PF_PKF1_CLOCK_BATCH) {
            pf_pkf1_clock_sync_end_batch(&c->clock);
            c->probes_in_batch = 0;
            c->next_probe_ns = now + RESYNC_NS;
            due = 0;
        } else {
            c->probe_t1 = pfc_realtime_ns();
            c->probes_in_batch++;
            c->next_probe_ns = now + PROBE_WAIT_NS;
        }
    }
    uint64_t t1 = c->probe_t1;
    pthread_mutex_unlock(&c->lock);
    if (!due)
        return;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_CLOCK_PROBE);
    m.t1 = t1;
    send_now(c, &m);
}

/* An echo arrived: the next probe of the batch (or the batch's end) follows a short gap. */
static void probe_followup(pf_client *c, uint64_t now)
{
    pthread_mutex_lock(&c->lock);
    if (!c->probe_t1 && c->probes_in_batch && c->next_probe_ns > now + PROBE_GAP_NS &&
        c->next_probe_ns - now <= PROBE_WAIT_NS)
        c->next_probe_ns = now + PROBE_GAP_NS;
    pthread_mutex_unlock(&c->lock);
}

static void send_reports(pf_client *c, uint64_t now)
{
    if (now < c->next_report_ns)
        return;
    c->next_report_ns = now + REPORT_NS;
    pf_pkf1_video_rx_stats s;
    pf_pkf1_video_rx_get_stats(c->vrx, &s);
    uint32_t fec_ppm = pf_pkf1_loss_ppm(s.shards_received - c->report_received,
                                        s.shards_recovered - c->report_recovered,
                                        s.shards_late - c->report_late);
    c->report_received = s.shards_received;
    c->report_recovered = s.shards_recovered;
    c->report_late = s.shards_late;
    /* §9.1's ratio sees only what FEC repaired; the sequence gaps also see the packets of
     * blocks FEC could not repair. The host gets the larger, so that its parity follows the
     * loss even while whole frames die. */
    uint64_t span = c->seq_got ? c->seq_hi - c->seq_lo + 1 : 0;
    uint32_t gap_ppm = span && c->seq_got < span
                           ? (uint32_t)((span - c->seq_got) * 1000000u / span) : 0;
    c->seq_got = 0;
    uint32_t ppm = fec_ppm > gap_ppm ? fec_ppm : gap_ppm;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_LOSS_REPORT);
    m.value32 = ppm;
    send_now(c, &m);
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_DELIVERY_REPORT);
    m.value64 = s.packets_received;
    send_now(c, &m);
    pthread_mutex_lock(&c->lock);
    c->st.loss_ppm = ppm;
    c->st.packets_received = s.packets_received;
    c->st.shards_recovered = s.shards_recovered;
    c->st.shards_late = s.shards_late;
    c->st.packets_auth_failed = s.packets_auth_failed;
    if (!c->rate_t0_ns) {
        c->rate_t0_ns = now;
        c->rate_bytes0 = c->st.bytes_received;
    } else if (now - c->rate_t0_ns >= 1000000000ull) {
        c->st.bitrate_kbps = (uint32_t)((c->st.bytes_received - c->rate_bytes0) * 8u * 1000000u /
                                        (now - c->rate_t0_ns));
        c->rate_t0_ns = now;
        c->rate_bytes0 = c->st.bytes_received;
    }
    pthread_mutex_unlock(&c->lock);
}

static void run_commands(pf_client *c)
{
    pthread_mutex_lock(&c->lock);
    pfc_cmd *cmd = c->cmd_head;
    c->cmd_head = c->cmd_tail = NULL;
    pthread_mutex_unlock(&c->lock);
    while (cmd) {
        pfc_cmd *next = cmd->next;
        if (c->conn) {
            if (cmd->kind == PFC_CMD_STREAM) {
                uint8_t hdr[2];
                if (c->sid >= 0 || pf_net_quic_conn_open_bidi(c->conn, &c->sid) == 0) {
                    pf_pkf1_frame_header(cmd->len, hdr);
                    if (pf_net_quic_conn_write(c->conn, c->sid, hdr, 2, 0) == 0)
                        pf_net_quic_conn_write(c->conn, c->sid, cmd->data, cmd->len, 0);
                }
            } else if (cmd->kind == PFC_CMD_DATAGRAM) {
                pf_net_quic_conn_send_datagram(c->conn, cmd->data, cmd->len);
            } else {
                pf_net_quic_conn_close(c->conn, cmd->code, "");
            }
        }
        free(cmd);
        cmd = next;
    }
}

static void *io_main(void *arg)
{
    pf_client *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->lock);
        int stop = c->stop, fd = c->state == PFC_STREAMING ? c->fd : -1;
        pthread_mutex_unlock(&c->lock);
        if (stop)
            break;
        run_commands(c);
        uint64_t now = pfc_monotonic_ns();
        if (fd >= 0 && c->conn) {
            pthread_mutex_lock(&c->lock);
            if (c->keyframe_owed && now >= c->last_keyframe_ask_ns + PFC_KEYFRAME_GAP_NS)
                pfc_ask_keyframe(c);
            pthread_mutex_unlock(&c->lock);
            run_commands(c);
            send_punch(c, fd, now);
            probe_followup(c, now);
            send_probe(c, now);
            send_reports(c, now);
        }
        int t = pf_net_quic_endpoint_get_timeout(c->ep);
        if (t < 0 || t > 20)
            t = 20; /* the streaming timers above run at this granularity */
        struct pollfd p[3] = {{pf_net_quic_endpoint_get_fd(c->ep), POLLIN, 0},
                              {c->wake[0], POLLIN, 0},
                              {fd, POLLIN, 0}};
        poll(p, fd >= 0 ? 3 : 2, t);
        if (p[1].revents) {
            uint8_t drain[64];
            while (read(c->wake[0], drain, sizeof(drain)) > 0)
                ;
        }
        if (fd >= 0 && (p[2].revents & POLLIN))
            read_video(c);
        pf_net_quic_endpoint_dispatch(c->ep);
    }
    return NULL;
}

int pfc_io_start(pf_client *c, const char *cert_pem, const char *key_pem)
{
    if (pipe2(c->wake, O_CLOEXEC | O_NONBLOCK) < 0)
        return PF_ERR_IO;
    pf_net_quic_settings st;
    pf_net_quic_settings_default(&st);
    st.role = PF_NET_QUIC_CLIENT;
    st.bind_address = strchr(c->host, ':') ? "::" : "0.0.0.0";
    st.alpn = PF_PKF1_ALPN;
    st.server_name = "punktfunk"; /* §1.2: the SNI clients send */
    st.cert_pem = cert_pem;
    st.key_pem = key_pem;
    st.user = c;
    st.log = c->log;
    pf_net_quic_callbacks cb = {sizeof(cb), on_connected, on_stream, on_datagram, on_closed};
    int r = pf_net_quic_endpoint_create(&st, &cb, &c->ep);
    if (r == 0)
        r = pf_net_quic_endpoint_connect(c->ep, c->host, c->port, &c->conn);
    if (r < 0)
        return r;
    if (pthread_create(&c->thread, NULL, io_main, c) != 0)
        return PF_ERR_NOMEM;
    c->thread_started = 1;
    return 0;
}

void pfc_io_stop(pf_client *c)
{
    if (c->thread_started) {
        pthread_mutex_lock(&c->lock);
        int open = c->state != PFC_CLOSED;
        pthread_mutex_unlock(&c->lock);
        if (open) {
            /* Quit on purpose (§4.7), and give the CONNECTION_CLOSE a moment to leave. */
            pfc_queue(c, PFC_CMD_CLOSE, PF_PKF1_CLOSE_CLIENT_QUIT, NULL, 0);
            uint64_t end = pfc_monotonic_ns() + 200000000ull;
            pthread_mutex_lock(&c->lock);
            while (c->state != PFC_CLOSED && pfc_monotonic_ns() < end) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 20000000;
                if (ts.tv_nsec >= 1000000000) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000;
                }
                pthread_cond_timedwait(&c->cond, &c->lock, &ts);
            }
            pthread_mutex_unlock(&c->lock);
        }
        pthread_mutex_lock(&c->lock);
        c->stop = 1;
        pthread_mutex_unlock(&c->lock);
        pfc_wake(c);
        pthread_join(c->thread, NULL);
        c->thread_started = 0;
    }
    pf_net_quic_endpoint_destroy(c->ep);
    c->ep = NULL;
    c->conn = NULL;
    if (c->wake[0] >= 0) {
        close(c->wake[0]);
        close(c->wake[1]);
        c->wake[0] = c->wake[1] = -1;
    }
}
