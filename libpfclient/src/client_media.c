/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The queues between the I/O thread and the app's pullers, and the per-AU timestamps a
 * latency measurement needs (capture pts on the host clock, arrival and reassembly on ours,
 * the clock offset between them, and the host's own stage times when it sends them). */
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "client_internal.h"

void pfc_ask_keyframe(pf_client *c)
{
    uint64_t now = pfc_monotonic_ns();
    if (!c->ss.auto_keyframe)
        return;
    if (now < c->last_keyframe_ask_ns + PFC_KEYFRAME_GAP_NS) {
        c->keyframe_owed = 1; /* asked again by the I/O thread once the gap has passed */
        return;
    }
    c->keyframe_owed = 0;
    c->last_keyframe_ask_ns = now;
    c->st.keyframes_requested++;
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_REQUEST_KEYFRAME);
    uint8_t buf[16];
    size_t n;
    /* Runs on the I/O thread (or with the lock held), which sends it after this feed. */
    if (pf_pkf1_msg_encode(&m, buf, sizeof(buf), &n) == 0)
        pfc_queue_locked(c, PFC_CMD_STREAM, 0, buf, n);
}

void pfc_media_on_frame(void *user, const pf_pkf1_video_frame *f)
{
    pf_client *c = user;
    uint64_t now = pfc_realtime_ns();
    pfc_frame *e = malloc(sizeof(*e) + f->len);
    pthread_mutex_lock(&c->lock);
    uint64_t first = c->au_first_packet_ns ? c->au_first_packet_ns : now;
    c->au_first_packet_ns = 0;
    c->au_completed = 1;
    c->st.frames_delivered++;
    if (c->clock.valid) {
        int64_t lat = (int64_t)(now + (uint64_t)c->clock.offset_ns - f->pts_ns);
        if (lat >= 0 && lat < 10000000000ll) {
            c->lat[c->lat_pos] = (uint64_t)lat;
            c->lat_pos = (c->lat_pos + 1) % PFC_LAT_RING;
            if (c->lat_count < PFC_LAT_RING)
                c->lat_count++;
        }
    }
    if (!e) {
        c->st.frames_dropped++;
        c->discontinuity = 1;
        pfc_ask_keyframe(c);
        pthread_mutex_unlock(&c->lock);
        return;
    }
    if (c->vq_count >= c->ss.video_queue) {
        pfc_frame *old = c->vq_head;
        c->vq_head = old->next;
        if (!c->vq_head)
            c->vq_tail = NULL;
        c->vq_count--;
        free(old);
        c->st.frames_dropped++;
        c->discontinuity = 1;
        pfc_ask_keyframe(c);
    }
    memset(&e->f, 0, sizeof(e->f));
    e->next = NULL;
    memcpy(e->buf, f->data, f->len);
    e->f.struct_size = sizeof(e->f);
    e->f.data = e->buf;
    e->f.len = f->len;
    e->f.frame_index = f->frame_index;
    e->f.user_flags = f->user_flags;
    e->f.pts_ns = f->pts_ns;
    e->f.first_packet_ns = first;
    e->f.reassembled_ns = now;
    e->f.clock_offset_ns = c->clock.offset_ns;
    e->f.clock_valid = c->clock.valid;
    e->f.received_shards = f->received_shards;
    e->f.recovered_shards = f->recovered_shards;
    if (c->discontinuity)
        e->f.flags |= PF_CLIENT_FRAME_DISCONTINUITY;
    c->discontinuity = 0;
    pfc_media_match_timing(c, &e->f);
    if (c->vq_tail)
        c->vq_tail->next = e;
    else
        c->vq_head = e;
    c->vq_tail = e;
    c->vq_count++;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

void pfc_media_on_lost(void *user, uint32_t first, uint32_t count)
{
    (void)first;
    pf_client *c = user;
    pthread_mutex_lock(&c->lock);
    c->st.frames_lost += count;
    c->discontinuity = 1;
    c->au_first_packet_ns = 0;
    pfc_ask_keyframe(c);
    pthread_mutex_unlock(&c->lock);
}

void pfc_media_on_audio(pf_client *c, const uint8_t *data, size_t len)
{
    pf_pkf1_audio a;
    if (c->state != PFC_STREAMING || pf_pkf1_audio_decode(data, len, &a) != 0)
        return;
    pfc_audio *e = malloc(sizeof(*e) + a.payload_len);
    if (!e)
        return;
    if (c->aq_count >= c->ss.audio_queue) {
        pfc_audio *old = c->aq_head;
        c->aq_head = old->next;
        if (!c->aq_head)
            c->aq_tail = NULL;
        c->aq_count--;
        free(old);
        c->st.audio_dropped++;
    }
    memset(&e->p, 0, sizeof(e->p));
    e->next = NULL;
    memcpy(e->buf, a.payload, a.payload_len);
    e->p.struct_size = sizeof(e->p);
    e->p.seq = a.seq;
    e->p.pts_ns = a.pts_ns;
    e->p.data = e->buf;
    e->p.len = a.payload_len;
    if (c->aq_tail)
        c->aq_tail->next = e;
    else
        c->aq_head = e;
    c->aq_tail = e;
    c->aq_count++;
    c->st.audio_packets++;
    pthread_cond_broadcast(&c->cond);
}

void pfc_media_match_timing(pf_client *c, pf_client_video_frame *f)
{
    if (f->flags & PF_CLIENT_FRAME_HOST_TIMING)
        return;
    for (unsigned i = 0; i < PFC_TIMING_RING; i++) {
        const pf_pkf1_host_timing *t = &c->timing[i];
        if (t->pts_ns && t->pts_ns == f->pts_ns) {
            f->flags |= PF_CLIENT_FRAME_HOST_TIMING;
            f->host_us = t->host_us;
            f->host_queue_us = t->queue_us;
            f->host_encode_us = t->encode_us;
            f->host_pace_us = t->pace_us;
            return;
        }
    }
}

int pf_client_get_host_timing(pf_client *c, uint64_t pts_ns, pf_client_host_timing *ret)
{
    if (!c || !ret || ret->struct_size < sizeof(uint32_t) || !pts_ns)
        return PF_ERR_INVALID_ARGUMENT;
    int r = PF_ERR_NOT_FOUND;
    pthread_mutex_lock(&c->lock);
    for (unsigned i = 0; i < PFC_TIMING_RING; i++) {
        const pf_pkf1_host_timing *t = &c->timing[i];
        if (t->pts_ns != pts_ns)
            continue;
        pf_client_host_timing out = {sizeof(out), t->host_us, t->queue_us, t->encode_us,
                                     t->pace_us};
        COPY_SIZED(ret, &out);
        r = 0;
        break;
    }
    pthread_mutex_unlock(&c->lock);
    return r;
}

void pfc_media_on_timing(pf_client *c, const uint8_t *data, size_t len)
{
    pf_pkf1_host_timing t;
    if (pf_pkf1_host_timing_decode(data, len, &t) != 0)
        return;
    c->timing[c->timing_pos] = t;
    c->timing_pos = (c->timing_pos + 1) % PFC_TIMING_RING;
}

void pfc_media_clear(pf_client *c)
{
    while (c->vq_head) {
        pfc_frame *n = c->vq_head->next;
        free(c->vq_head);
        c->vq_head = n;
    }
    while (c->aq_head) {
        pfc_audio *n = c->aq_head->next;
        free(c->aq_head);
        c->aq_head = n;
    }
    c->vq_tail = NULL;
    c->aq_tail = NULL;
    c->vq_count = c->aq_count = 0;
    free(c->v_current);
    free(c->a_current);
    c->v_current = NULL;
    c->a_current = NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void pfc_stats_latency(pf_client *c, pf_client_stats *st)
{
    uint64_t sorted[PFC_LAT_RING];
    unsigned n = c->lat_count;
    if (!n)
        return;
    memcpy(sorted, c->lat, n * sizeof(sorted[0]));
    qsort(sorted, n, sizeof(sorted[0]), cmp_u64);
    st->latency_p50_ns = sorted[n / 2];
    st->latency_p95_ns = sorted[n * 95 / 100];
    st->latency_p99_ns = sorted[n * 99 / 100];
}
