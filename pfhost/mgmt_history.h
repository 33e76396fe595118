/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_HISTORY_H
#define PFHOST_MGMT_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "host.h"

/* The last minutes of every live session's stream figures, sampled once a second while
 * sessions exist, so the console's charts show the past as soon as they are opened. */
#define HISTORY_SAMPLES 300
#define HISTORY_INTERVAL_MS 1000
#define HISTORY_SESSIONS 8

typedef struct history_sample {
    int64_t t_ms; /* Unix milliseconds */
    int64_t frames_sent, bytes_sent, fec_shards_recovered, frames_without_fec;
    double encode_ms_mean, send_ms_mean;
    int32_t fec_percent; /* -1: not streaming yet */
} history_sample;

typedef struct history_session {
    uint32_t id; /* 0: free */
    history_sample v[HISTORY_SAMPLES];
    size_t n, next;
} history_session;

typedef struct mgmt_history {
    history_session s[HISTORY_SESSIONS];
    uint64_t next_ms; /* monotonic time of the next sample */
} mgmt_history;

/* Takes a sample of every session when one is due. */
void history_tick(mgmt_history *hist, host *h, uint64_t now_ms);
/* Milliseconds until the next sample, -1 while no session exists (an idle host sleeps). */
int64_t history_timeout(const mgmt_history *hist, const host *h, uint64_t now_ms);
/* {"interval_ms", "sessions": [{"id", "samples": [...]}]}, oldest sample first. */
json_object *history_to_json(const mgmt_history *hist);

#endif
