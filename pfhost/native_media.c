/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 data plane of one session (native_media.h). */
#include "native_media.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/crypto.h"
#include "pf/core/error.h"
#include "pf/core/pkf1_clock.h"
#include "pf/core/pkf1_datagram.h"
#include "pf/core/pkf1_media.h"
#include "pf/net_stream.h"

/* A client that never sends a LossReport gets the cold-start protection this long, then the
 * percentage rule alone (v0.43.1 clients report every 750 ms). */
#define COLD_START_MAX_NS 5000000000ll

struct native_media {
    int fd;
    pf_pkf1_welcome w;
    /* The packetizer owns the wire seq (the AEAD nonce): the video thread and a speed test's
     * thread both packetize, one at a time under this lock; sending happens outside it. */
    pthread_mutex_t tx_lock;
    pf_pkf1_video_tx *tx;
    pf_net_pacer *pacer;
    uint8_t *pkts;
    size_t pkts_cap;
    atomic_int ready;
    atomic_uint fec_percent;
    atomic_uint fps;
    uint32_t fec_applied;
    /* Per-datagram loss the parity is sized for (pf_pkf1_media_recovery_for_loss()): the
     * session's estimate once one was measured, the cold-start value before. */
    atomic_uint loss_ppm;
    atomic_int loss_measured;
    uint32_t loss_applied;
    atomic_llong first_sent_ns; /* CLOCK_MONOTONIC of the first frame sent; 0 before */
    uint32_t frame_index; /* §9.2: owned here, across encoder rebuilds; under tx_lock */
    uint32_t probe_index; /* §9.5: filler's own index space (PROBE_SEQ); under tx_lock */
    int probe_seq;        /* the client set VIDEO_CAP_PROBE_SEQ */
    pf_net_quic_conn *timing_qc; /* 0xCF goes here (VIDEO_CAP_HOST_TIMING); NULL = off */
    uint32_t audio_seq;
    int64_t realtime_minus_mono; /* header pts_ns is host CLOCK_REALTIME (§7.4) */
    pthread_mutex_t stats_lock;
    native_media_stats stats;
};

static int64_t clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int native_media_create(int fd, const pf_pkf1_welcome *w, native_media **ret)
{
    native_media *m = calloc(1, sizeof(*m));
    if (!m)
        return PF_ERR_NOMEM;
    m->fd = fd;
    m->w = *w;
    atomic_init(&m->ready, 0);
    atomic_init(&m->fec_percent, w->fec_percent);
    atomic_init(&m->fps, w->refresh_hz ? w->refresh_hz : 60);
    atomic_init(&m->loss_ppm, PF_PKF1_FEC_COLD_LOSS_PPM);
    atomic_init(&m->loss_measured, 0);
    atomic_init(&m->first_sent_ns, 0);
    m->fec_applied = w->fec_percent;
    m->realtime_minus_mono = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
    pthread_mutex_init(&m->stats_lock, NULL);
    pthread_mutex_init(&m->tx_lock, NULL);
    pf_pkf1_video_tx_settings ts;
    pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.shard_payload = w->shard_payload;
    ts.max_shard_payload = w->shard_payload;
    ts.max_data_per_block = w->max_data_per_block;
    ts.welcome_fec_percent = w->fec_percent;
    ts.fec_percent = w->fec_percent;
    ts.cipher = w->cipher == PF_PKF1_CIPHER_CHACHA20_POLY1305 ? PF_AEAD_CHACHA20_POLY1305
                                                              : PF_AEAD_AES128_GCM;
    memcpy(ts.key, ts.cipher == PF_AEAD_CHACHA20_POLY1305 ? w->key_chacha : w->key,
           ts.cipher == PF_AEAD_CHACHA20_POLY1305 ? 32 : 16);
    memcpy(ts.salt, w->salt, 4);
    ts.encrypt = 1;
    int r = pf_pkf1_video_tx_create(&ts, &m->tx);
    memset(ts.key, 0, sizeof(ts.key));
    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = fd;
    /* PF_UDP_GSO=0 sends each datagram alone: netfilter sees a GSO burst as one packet, so
     * per-datagram loss emulation needs it off (as on the GameStream path). */
    const char *gso = getenv("PF_UDP_GSO");
    ps.use_gso = !(gso && !strcmp(gso, "0"));
    if (r == 0)
        r = pf_net_pacer_create(&ps, &m->pacer);
    if (r < 0) {
        native_media_destroy(m);
        return r;
    }
    pf_net_pacer_set_connected(m->pacer, 1);
    *ret = m;
    return 0;
}

void native_media_destroy(native_media *m)
{
    if (!m)
        return;
    pf_pkf1_video_tx_destroy(m->tx);
    pf_net_pacer_destroy(m->pacer);
    pthread_mutex_destroy(&m->stats_lock);
    pthread_mutex_destroy(&m->tx_lock);
    memset(m->w.key, 0, sizeof(m->w.key));
    memset(m->w.key_chacha, 0, sizeof(m->w.key_chacha));
    free(m->pkts);
    free(m);
}

void native_media_set_ready(native_media *m, int ready)
{
    atomic_store(&m->ready, ready != 0);
}

void native_media_set_fps(native_media *m, uint32_t fps)
{
    atomic_store(&m->fps, fps ? fps : 60);
}

void native_media_set_fec(native_media *m, uint32_t percent)
{
    atomic_store(&m->fec_percent, percent);
}

uint32_t native_media_get_fec(native_media *m)
{
    return atomic_load(&m->fec_percent);
}

void native_media_set_loss(native_media *m, uint32_t loss_ppm)
{
    atomic_store(&m->loss_ppm, loss_ppm > 1000000u ? 1000000u : loss_ppm);
    atomic_store(&m->loss_measured, 1);
}

uint64_t native_media_get_sending_ms(native_media *m)
{
    int64_t first = atomic_load(&m->first_sent_ns);
    return first ? (uint64_t)(clock_ns(CLOCK_MONOTONIC) - first) / 1000000u : 0;
}

/* The loss the next AU's parity is sized for (video thread). */
static uint32_t loss_for_parity(native_media *m)
{
    uint32_t loss = atomic_load(&m->loss_ppm);
    if (atomic_load(&m->loss_measured))
        return loss;
    int64_t first = atomic_load(&m->first_sent_ns);
    return first && clock_ns(CLOCK_MONOTONIC) - first >= COLD_START_MAX_NS ? 0 : loss;
}

void native_media_set_host_timing(native_media *m, pf_net_quic_conn *qc)
{
    m->timing_qc = qc;
}

void native_media_set_probe_seq(native_media *m, int own_space)
{
    m->probe_seq = own_space != 0;
}

static uint32_t us_between(uint64_t from_ns, uint64_t to_ns)
{
    uint64_t us = to_ns > from_ns ? (to_ns - from_ns) / 1000u : 0;
    return us > UINT32_MAX ? UINT32_MAX : (uint32_t)us;
}

/* §8.8: where the frame's time on the host went, from the pipeline's own stamps: waiting in
 * the capture ring (queue), in the encoder (encode) and in the paced send (pace); host_us is
 * capture → last datagram handed to the kernel. pts_ns is the media header's, so the client
 * pairs the two. Latest-wins like every datagram: one the endpoint cannot take now is lost. */
static void send_host_timing(native_media *m, const native_au_times *t, uint64_t pts_realtime,
                             uint64_t sent_ns)
{
    pf_pkf1_host_timing ht = {
        .pts_ns = pts_realtime,
        .host_us = us_between(t->capture_ns, sent_ns),
        .queue_us = us_between(t->capture_ns, t->dequeued_ns),
        .encode_us = us_between(t->dequeued_ns, t->encoded_ns),
        .pace_us = us_between(t->encoded_ns, sent_ns),
        .has_stages = 1,
    };
    uint8_t d[32];
    size_t n;
    if (pf_pkf1_host_timing_encode(&ht, d, sizeof(d), &n) < 0)
        return;
    /* Never waits: a dispatch in progress takes it over (pf_net_quic_conn_send_datagram). */
    if (pf_net_quic_conn_send_datagram(m->timing_qc, d, n) == 0) {
        pthread_mutex_lock(&m->stats_lock);
        m->stats.timing_datagrams++;
        pthread_mutex_unlock(&m->stats_lock);
    }
}

/* Grows the packet buffer to hold @p bytes: the largest frame seen, then it stays, so the
 * steady state allocates nothing. Under tx_lock. */
static int reserve(native_media *m, size_t bytes)
{
    if (bytes <= m->pkts_cap)
        return 0;
    size_t cap = bytes * 3 / 2;
    uint8_t *n = realloc(m->pkts, cap);
    if (!n)
        return PF_ERR_NOMEM;
    m->pkts = n;
    m->pkts_cap = cap;
    return 0;
}

int native_media_send_au(native_media *m, const uint8_t *au, size_t len, const native_au_times *t,
                         int idr)
{
    (void)idr;
    if (!atomic_load(&m->ready))
        return PF_ERR_STATE;
    uint32_t pbytes, count;
    pf_pkf1_video_frame_info info = {
        .pts_ns = (uint64_t)((int64_t)t->capture_ns + m->realtime_minus_mono),
    };
    pf_pkf1_video_tx_result res;
    pthread_mutex_lock(&m->tx_lock);
    uint32_t fec = atomic_load(&m->fec_percent);
    if (fec != m->fec_applied && pf_pkf1_video_tx_set_fec_percent(m->tx, fec) == 0)
        m->fec_applied = fec;
    uint32_t loss = loss_for_parity(m);
    if (loss != m->loss_applied && pf_pkf1_video_tx_set_loss_ppm(m->tx, loss) == 0)
        m->loss_applied = loss;
    int r = pf_pkf1_video_tx_get_frame_size(m->tx, len, &pbytes, &count);
    if (r == 0)
        r = reserve(m, (size_t)pbytes * count);
    info.frame_index = m->frame_index;
    if (r == 0)
        r = pf_pkf1_video_tx_packetize(m->tx, &info, au, len, m->pkts, m->pkts_cap, pbytes,
                                       &res);
    if (r == 0)
        m->frame_index++;
    pthread_mutex_unlock(&m->tx_lock);
    if (r < 0)
        return r;
    /* The buffer is the video thread's own: a speed test packetizes into its own buffer. */
    uint64_t interval = 1000000000ull / atomic_load(&m->fps);
    pf_net_pacer_result pr;
    r = pf_net_pacer_send(m->pacer, m->pkts, pbytes, res.packet_bytes, res.packet_count,
                          interval, &pr);
    if (!atomic_load(&m->first_sent_ns))
        atomic_store(&m->first_sent_ns, clock_ns(CLOCK_MONOTONIC));
    pthread_mutex_lock(&m->stats_lock);
    m->stats.frames++;
    m->stats.packets += res.packet_count;
    m->stats.bytes += (uint64_t)res.packet_count * res.packet_bytes;
    m->stats.data_shards += res.data_shards;
    m->stats.parity_shards += res.parity_shards;
    pthread_mutex_unlock(&m->stats_lock);
    if (r == 0 && m->timing_qc)
        send_host_timing(m, t, info.pts_ns, pr.last_sent_ns ? pr.last_sent_ns
                                                            : (uint64_t)clock_ns(CLOCK_MONOTONIC));
    return r;
}

int native_media_packetize_probe(native_media *m, const uint8_t *filler, size_t len, uint8_t *out,
                                 size_t out_cap, pf_pkf1_video_tx_result *ret)
{
    pthread_mutex_lock(&m->tx_lock);
    /* Filler carries no parity (every datagram is measured load) and, toward a PROBE_SEQ
     * client, numbers its AUs in its own space from 0; otherwise it takes the next video
     * index, as hosts did before that capability. */
    int r = pf_pkf1_video_tx_set_fec_percent(m->tx, 0);
    pf_pkf1_video_frame_info info = {
        .pts_ns = (uint64_t)clock_ns(CLOCK_REALTIME),
        .frame_index = m->probe_seq ? m->probe_index : m->frame_index,
        .probe = 1,
    };
    uint32_t pbytes, count;
    if (r == 0)
        r = pf_pkf1_video_tx_get_frame_size(m->tx, len, &pbytes, &count);
    if (r == 0 && (size_t)pbytes * count > out_cap)
        r = PF_ERR_BUFFER_TOO_SMALL;
    if (r == 0)
        r = pf_pkf1_video_tx_packetize(m->tx, &info, filler, len, out, out_cap, pbytes, ret);
    if (r == 0) {
        if (m->probe_seq)
            m->probe_index++;
        else
            m->frame_index++;
    }
    pf_pkf1_video_tx_set_fec_percent(m->tx, m->fec_applied);
    pthread_mutex_unlock(&m->tx_lock);
    return r;
}

int native_media_is_ready(native_media *m)
{
    return atomic_load(&m->ready);
}

void native_media_send_audio(native_media *m, pf_net_quic_conn *qc, const uint8_t *opus,
                             size_t len)
{
    uint8_t d[1500];
    if (!atomic_load(&m->ready))
        return;
    pf_pkf1_audio a = {.tag = PF_PKF1_DG_AUDIO,
                       .seq = m->audio_seq++,
                       .pts_ns = (uint64_t)clock_ns(CLOCK_REALTIME),
                       .payload = opus,
                       .payload_len = len};
    size_t n;
    if (pf_pkf1_audio_encode(&a, d, sizeof(d), &n) < 0)
        return;
    /* Latest-wins (§1.1): a datagram that does not fit the congestion window is dropped. */
    if (pf_net_quic_conn_send_datagram(qc, d, n) == 0) {
        pthread_mutex_lock(&m->stats_lock);
        m->stats.audio_packets++;
        pthread_mutex_unlock(&m->stats_lock);
    }
}

void native_media_get_stats(native_media *m, native_media_stats *ret)
{
    pthread_mutex_lock(&m->stats_lock);
    *ret = m->stats;
    pthread_mutex_unlock(&m->stats_lock);
}
