/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe's report: per-frame stage stamps on the client's clock (the host's stamps
 * already moved there by the clock offset), percentiles per stage, and the table, JSON and
 * PNG histogram forms. */
#ifndef PF_TOOLS_LATENCY_REPORT_H
#define PF_TOOLS_LATENCY_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <json-c/json.h>

/* The stages in pipeline order. */
enum {
    LAT_CAPTURE,
    LAT_ENCODED,
    LAT_SENT,
    LAT_RECEIVED,
    LAT_REASSEMBLED,
    LAT_DECODED,
    LAT_STAGES
};

#define LAT_MISSING INT64_MIN

typedef struct lat_stage_info {
    int available;      /* 0: the protocol does not carry it (see note) */
    const char *source; /* where the stamp comes from */
    const char *note;   /* why a stage is missing, or a caveat; may be NULL */
} lat_stage_info;

typedef struct lat_report {
    char protocol[32], mode[48];
    lat_stage_info stages[LAT_STAGES];
    int64_t (*t)[LAT_STAGES]; /* per frame, ns on the client clock; LAT_MISSING if absent */
    size_t n, cap;
    uint64_t frames_lost, frames_decoded, video_packets;
    int64_t clock_offset_ns;  /* host clock − client clock, removed from host stamps */
    int64_t clock_rtt_ns;     /* of the probe that gave the offset; -1 when none ran */
    const char *clock_source;
} lat_report;

const char *lat_stage_name(int stage);
void lat_report_init(lat_report *r, const char *protocol);
void lat_report_free(lat_report *r);
/* Appends one frame's stamps. 0 or -1 (out of memory). */
int lat_report_add(lat_report *r, const int64_t stamps[LAT_STAGES]);
void lat_report_print(const lat_report *r, FILE *f);
/* The report as JSON; with @p samples every frame's stamps relative to its capture. */
json_object *lat_report_json(const lat_report *r, int samples);
/* Histograms of each stage's step from the stage before it, and of capture → decoded. */
int lat_report_png(const lat_report *r, const char *path, char *err, size_t err_len);

#endif
