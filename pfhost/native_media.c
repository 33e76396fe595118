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
    uint32_t frame_index; /* §9.2: owned here, across encoder rebuilds */
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

int native_media_send_au(native_media *m, const uint8_t *au, size_t len, uint64_t pts_ns,
                         int idr)
{
    (void)idr;
    if (!atomic_load(&m->ready))
        return PF_ERR_STATE;
    uint32_t fec = atomic_load(&m->fec_percent);
    if (fec != m->fec_applied && pf_pkf1_video_tx_set_fec_percent(m->tx, fec) == 0)
        m->fec_applied = fec;
    uint32_t loss = loss_for_parity(m);
    if (loss != m->loss_applied && pf_pkf1_video_tx_set_loss_ppm(m->tx, loss) == 0)
        m->loss_applied = loss;
    uint32_t pbytes, count;
    int r = pf_pkf1_video_tx_get_frame_size(m->tx, len, &pbytes, &count);
    if (r < 0)
        return r;
    if ((size_t)pbytes * count > m->pkts_cap) {
        /* Grows to the largest frame seen, then stays: no allocation in the steady state. */
        size_t cap = (size_t)pbytes * count * 3 / 2;
        uint8_t *n = realloc(m->pkts, cap);
        if (!n)
            return PF_ERR_NOMEM;
        m->pkts = n;
        m->pkts_cap = cap;
    }
    pf_pkf1_video_frame_info info = {
        .pts_ns = (uint64_t)((int64_t)pts_ns + m->realtime_minus_mono),
        .frame_index = m->frame_index,
    };
    pf_pkf1_video_tx_result res;
    r = pf_pkf1_video_tx_packetize(m->tx, &info, au, len, m->pkts, m->pkts_cap, pbytes, &res);
    if (r < 0)
        return r;
    m->frame_index++;
    uint64_t interval = 1000000000ull / atomic_load(&m->fps);
    r = pf_net_pacer_send(m->pacer, m->pkts, pbytes, res.packet_bytes, res.packet_count,
                          interval, NULL);
    if (!atomic_load(&m->first_sent_ns))
        atomic_store(&m->first_sent_ns, clock_ns(CLOCK_MONOTONIC));
    pthread_mutex_lock(&m->stats_lock);
    m->stats.frames++;
    m->stats.packets += res.packet_count;
    m->stats.bytes += (uint64_t)res.packet_count * res.packet_bytes;
    m->stats.data_shards += res.data_shards;
    m->stats.parity_shards += res.parity_shards;
    pthread_mutex_unlock(&m->stats_lock);
    return r;
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
