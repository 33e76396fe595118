/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 data plane of one session (native_media.h). */
#include "native_media.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/error.h"
#include "pf/net_stream.h"

struct native_media {
    int fd;
    pf_pkf1_welcome w;
    pf_net_pacer *pacer;
    atomic_int ready;
    atomic_uint fec_percent;
    uint32_t frame_index; /* §9.2: owned here, across encoder rebuilds */
    uint32_t audio_seq;
    pthread_mutex_t stats_lock;
    native_media_stats stats;
};

int native_media_create(int fd, const pf_pkf1_welcome *w, native_media **ret)
{
    native_media *m = calloc(1, sizeof(*m));
    if (!m)
        return PF_ERR_NOMEM;
    m->fd = fd;
    m->w = *w;
    atomic_init(&m->ready, 0);
    atomic_init(&m->fec_percent, w->fec_percent);
    pthread_mutex_init(&m->stats_lock, NULL);
    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = fd;
    const char *gso = getenv("PF_UDP_GSO");
    ps.use_gso = !(gso && !strcmp(gso, "0"));
    int r = pf_net_pacer_create(&ps, &m->pacer);
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
    pf_net_pacer_destroy(m->pacer);
    pthread_mutex_destroy(&m->stats_lock);
    memset(m->w.key, 0, sizeof(m->w.key));
    memset(m->w.key_chacha, 0, sizeof(m->w.key_chacha));
    free(m);
}

void native_media_set_ready(native_media *m, int ready)
{
    atomic_store(&m->ready, ready != 0);
}

void native_media_set_fec(native_media *m, uint32_t percent)
{
    atomic_store(&m->fec_percent, percent);
}

uint32_t native_media_get_fec(native_media *m)
{
    return atomic_load(&m->fec_percent);
}

int native_media_send_au(native_media *m, const uint8_t *au, size_t len, uint64_t pts_ns,
                         int idr)
{
    (void)au;
    (void)len;
    (void)pts_ns;
    (void)idr;
    if (!atomic_load(&m->ready))
        return PF_ERR_STATE;
    /* The packetizer and sealer of libpfcore (pf/core/pkf1_media.h) are not in this build
     * yet: frames are not sent. */
    return PF_ERR_UNSUPPORTED;
}

void native_media_send_audio(native_media *m, pf_net_quic_conn *qc, const uint8_t *opus,
                             size_t len)
{
    (void)m;
    (void)qc;
    (void)opus;
    (void)len;
}

void native_media_get_stats(native_media *m, native_media_stats *ret)
{
    pthread_mutex_lock(&m->stats_lock);
    *ret = m->stats;
    pthread_mutex_unlock(&m->stats_lock);
}
