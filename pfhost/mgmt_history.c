/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_history.h"

#include <string.h>
#include <time.h>

static int64_t get_i64(json_object *o, const char *k, int64_t def)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_int64(v) : def;
}

static double get_f(json_object *o, const char *k)
{
    json_object *v;
    return json_object_object_get_ex(o, k, &v) ? json_object_get_double(v) : 0.0;
}

static history_session *slot_for(mgmt_history *hist, uint32_t id)
{
    history_session *free_slot = NULL;
    for (size_t i = 0; i < HISTORY_SESSIONS; i++) {
        if (hist->s[i].id == id)
            return &hist->s[i];
        if (!hist->s[i].id && !free_slot)
            free_slot = &hist->s[i];
    }
    if (free_slot) {
        memset(free_slot, 0, sizeof(*free_slot));
        free_slot->id = id;
    }
    return free_slot;
}

void history_tick(mgmt_history *hist, host *h, uint64_t now_ms)
{
    /* A timer may fire a little early (the loop's clock is read at the start of its
     * iteration): a few ms early is on time, or the loop would spin until the exact ms. */
    if (now_ms + 5 < hist->next_ms)
        return;
    hist->next_ms = now_ms + HISTORY_INTERVAL_MS;
    /* Sessions that ended are forgotten. */
    for (size_t i = 0; i < HISTORY_SESSIONS; i++) {
        int live = 0;
        for (size_t j = 0; j < h->sessions.n; j++)
            live |= h->sessions.v[j].id == hist->s[i].id;
        if (!live)
            hist->s[i].id = 0;
    }
    const stream_plane *p = &h->sessions.plane;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    for (size_t j = 0; j < h->sessions.n && p->stats; j++) {
        json_object *st = p->stats(p->user_data, &h->sessions.v[j]);
        history_session *hs = st ? slot_for(hist, h->sessions.v[j].id) : NULL;
        if (hs) {
            history_sample *x = &hs->v[hs->next];
            x->t_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
            x->frames_sent = get_i64(st, "frames_sent", 0);
            x->bytes_sent = get_i64(st, "bytes_sent", 0);
            x->fec_shards_recovered = get_i64(st, "fec_shards_recovered", 0);
            x->frames_without_fec = get_i64(st, "frames_without_fec", 0);
            x->fec_percent = (int32_t)get_i64(st, "fec_percent", -1);
            x->encode_ms_mean = get_f(st, "encode_ms_mean");
            x->send_ms_mean = get_f(st, "send_ms_mean");
            hs->next = (hs->next + 1) % HISTORY_SAMPLES;
            if (hs->n < HISTORY_SAMPLES)
                hs->n++;
        }
        json_object_put(st);
    }
}

int64_t history_timeout(const mgmt_history *hist, const host *h, uint64_t now_ms)
{
    if (!h->sessions.n)
        return -1;
    return hist->next_ms > now_ms + 5 ? (int64_t)(hist->next_ms - now_ms) : 0;
}

json_object *history_to_json(const mgmt_history *hist)
{
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(o, "interval_ms", json_object_new_int(HISTORY_INTERVAL_MS));
    for (size_t i = 0; i < HISTORY_SESSIONS; i++) {
        const history_session *hs = &hist->s[i];
        if (!hs->id)
            continue;
        json_object *s = json_object_new_object(), *samples = json_object_new_array();
        json_object_object_add(s, "id", json_object_new_int64(hs->id));
        size_t first = (hs->next + HISTORY_SAMPLES - hs->n) % HISTORY_SAMPLES;
        for (size_t k = 0; k < hs->n; k++) {
            const history_sample *x = &hs->v[(first + k) % HISTORY_SAMPLES];
            json_object *e = json_object_new_object();
            json_object_object_add(e, "t_ms", json_object_new_int64(x->t_ms));
            json_object_object_add(e, "frames_sent", json_object_new_int64(x->frames_sent));
            json_object_object_add(e, "bytes_sent", json_object_new_int64(x->bytes_sent));
            json_object_object_add(e, "encode_ms_mean", json_object_new_double(x->encode_ms_mean));
            json_object_object_add(e, "send_ms_mean", json_object_new_double(x->send_ms_mean));
            if (x->fec_percent >= 0)
                json_object_object_add(e, "fec_percent", json_object_new_int(x->fec_percent));
            json_object_object_add(e, "fec_shards_recovered",
                                   json_object_new_int64(x->fec_shards_recovered));
            json_object_object_add(e, "frames_without_fec",
                                   json_object_new_int64(x->frames_without_fec));
            json_object_array_add(samples, e);
        }
        json_object_object_add(s, "samples", samples);
        json_object_array_add(arr, s);
    }
    json_object_object_add(o, "sessions", arr);
    return o;
}
