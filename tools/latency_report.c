/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Percentiles and output forms of pf-latency-probe. */
#include "latency_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chart.h"

static const char *const names[LAT_STAGES] = {"capture",     "encoded",     "sent",
                                              "received",    "reassembled", "decoded"};

const char *lat_stage_name(int stage)
{
    return stage >= 0 && stage < LAT_STAGES ? names[stage] : "?";
}

void lat_report_init(lat_report *r, const char *protocol)
{
    memset(r, 0, sizeof(*r));
    snprintf(r->protocol, sizeof(r->protocol), "%s", protocol);
    r->clock_rtt_ns = -1;
}

void lat_report_free(lat_report *r)
{
    free(r->t);
    r->t = NULL;
    r->n = r->cap = 0;
}

int lat_report_add(lat_report *r, const int64_t stamps[LAT_STAGES])
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        void *t = realloc(r->t, cap * sizeof(*r->t));
        if (!t)
            return -1;
        r->t = t;
        r->cap = cap;
    }
    memcpy(r->t[r->n++], stamps, sizeof(r->t[0]));
    return 0;
}

/* The available stage before @p s, or -1. */
static int prev_stage(const lat_report *r, int s)
{
    for (int p = s - 1; p >= 0; p--)
        if (r->stages[p].available)
            return p;
    return -1;
}

typedef struct dist {
    size_t n;
    double p50, p95, p99, min, max, mean; /* ms */
    double *v;                            /* sorted, ms; owned */
} dist;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @p v. */
static double rank(const double *v, size_t n, double pct)
{
    size_t k = (size_t)ceil(pct / 100.0 * (double)n);
    return v[k ? k - 1 : 0];
}

/* Distribution of t[to] − t[from] over the frames that have both. */
static dist distribution(const lat_report *r, int from, int to)
{
    dist d = {0};
    if (from < 0 || !r->stages[to].available || !r->n)
        return d;
    d.v = malloc(r->n * sizeof(double));
    double sum = 0;
    for (size_t i = 0; d.v && i < r->n; i++) {
        if (r->t[i][from] == LAT_MISSING || r->t[i][to] == LAT_MISSING)
            continue;
        double ms = (double)(r->t[i][to] - r->t[i][from]) / 1e6;
        d.v[d.n++] = ms;
        sum += ms;
    }
    if (!d.n)
        return d;
    qsort(d.v, d.n, sizeof(double), cmp_double);
    d.p50 = rank(d.v, d.n, 50);
    d.p95 = rank(d.v, d.n, 95);
    d.p99 = rank(d.v, d.n, 99);
    d.min = d.v[0];
    d.max = d.v[d.n - 1];
    d.mean = sum / (double)d.n;
    return d;
}

void lat_report_print(const lat_report *r, FILE *f)
{
    fprintf(f, "pf-latency-probe: %s %s, %zu frames received, %llu lost, %llu decoded\n",
            r->protocol, r->mode, r->n, (unsigned long long)r->frames_lost,
            (unsigned long long)r->frames_decoded);
    fprintf(f, "clock offset %.3f ms (%s)", (double)r->clock_offset_ns / 1e6,
            r->clock_source ? r->clock_source : "?");
    if (r->clock_rtt_ns >= 0)
        fprintf(f, ", probe RTT %.3f ms", (double)r->clock_rtt_ns / 1e6);
    fprintf(f, "\n%-12s %6s  %27s  %-12s %27s  %s\n", "stage", "frames",
            "since capture p50/p95/p99 ms", "step from", "step p50/p95/p99 ms", "source");
    for (int s = 0; s < LAT_STAGES; s++) {
        const lat_stage_info *st = &r->stages[s];
        if (!st->available) {
            fprintf(f, "%-12s %6s  %27s  %-12s %27s  %s\n", names[s], "-", "-", "-", "-",
                    st->note ? st->note : "not measured");
            continue;
        }
        int p = prev_stage(r, s);
        dist a = distribution(r, LAT_CAPTURE, s), b = distribution(r, p, s);
        char since[48] = "-", step[48] = "-";
        if (s != LAT_CAPTURE && a.n)
            snprintf(since, sizeof(since), "%8.3f %8.3f %8.3f", a.p50, a.p95, a.p99);
        if (b.n)
            snprintf(step, sizeof(step), "%8.3f %8.3f %8.3f", b.p50, b.p95, b.p99);
        fprintf(f, "%-12s %6zu  %27s  %-12s %27s  %s\n", names[s],
                s == LAT_CAPTURE ? r->n : a.n, since, p >= 0 ? names[p] : "-", step,
                st->source ? st->source : "");
        free(a.v);
        free(b.v);
    }
}

static json_object *dist_json(const dist *d)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "count", json_object_new_int64((int64_t)d->n));
    if (!d->n)
        return o;
    json_object_object_add(o, "p50_ms", json_object_new_double(d->p50));
    json_object_object_add(o, "p95_ms", json_object_new_double(d->p95));
    json_object_object_add(o, "p99_ms", json_object_new_double(d->p99));
    json_object_object_add(o, "min_ms", json_object_new_double(d->min));
    json_object_object_add(o, "max_ms", json_object_new_double(d->max));
    json_object_object_add(o, "mean_ms", json_object_new_double(d->mean));
    return o;
}

json_object *lat_report_json(const lat_report *r, int samples)
{
    json_object *o = json_object_new_object(), *stages = json_object_new_array();
    json_object_object_add(o, "tool", json_object_new_string("pf-latency-probe"));
    json_object_object_add(o, "protocol", json_object_new_string(r->protocol));
    json_object_object_add(o, "mode", json_object_new_string(r->mode));
    json_object_object_add(o, "frames_received", json_object_new_int64((int64_t)r->n));
    json_object_object_add(o, "frames_lost", json_object_new_int64((int64_t)r->frames_lost));
    json_object_object_add(o, "frames_decoded",
                           json_object_new_int64((int64_t)r->frames_decoded));
    json_object_object_add(o, "video_packets", json_object_new_int64((int64_t)r->video_packets));
    json_object *clock = json_object_new_object();
    json_object_object_add(clock, "offset_ns", json_object_new_int64(r->clock_offset_ns));
    json_object_object_add(clock, "probe_rtt_ns",
                           r->clock_rtt_ns >= 0 ? json_object_new_int64(r->clock_rtt_ns) : NULL);
    json_object_object_add(clock, "source",
                           json_object_new_string(r->clock_source ? r->clock_source : ""));
    json_object_object_add(o, "clock", clock);
    for (int s = 0; s < LAT_STAGES; s++) {
        const lat_stage_info *st = &r->stages[s];
        json_object *so = json_object_new_object();
        json_object_object_add(so, "name", json_object_new_string(names[s]));
        json_object_object_add(so, "available", json_object_new_boolean(st->available));
        json_object_object_add(so, "source", st->source ? json_object_new_string(st->source)
                                                        : NULL);
        json_object_object_add(so, "note", st->note ? json_object_new_string(st->note) : NULL);
        if (st->available) {
            int p = prev_stage(r, s);
            dist a = distribution(r, LAT_CAPTURE, s), b = distribution(r, p, s);
            json_object_object_add(so, "since_capture", dist_json(&a));
            json_object *step = dist_json(&b);
            json_object_object_add(step, "from", p >= 0 ? json_object_new_string(names[p])
                                                        : NULL);
            json_object_object_add(so, "step", step);
            free(a.v);
            free(b.v);
        }
        json_object_array_add(stages, so);
    }
    json_object_object_add(o, "stages", stages);
    if (samples) {
        /* Per frame: ns since its capture for every stage, null where absent. */
        json_object *arr = json_object_new_array();
        for (size_t i = 0; i < r->n; i++) {
            json_object *row = json_object_new_array();
            for (int s = 0; s < LAT_STAGES; s++)
                json_object_array_add(
                    row, r->t[i][s] == LAT_MISSING || r->t[i][LAT_CAPTURE] == LAT_MISSING
                             ? NULL
                             : json_object_new_int64(r->t[i][s] - r->t[i][LAT_CAPTURE]));
            json_object_array_add(arr, row);
        }
        json_object_object_add(o, "samples_ns", arr);
    }
    return o;
}

#define HIST_BINS 40

int lat_report_png(const lat_report *r, const char *path, char *err, size_t err_len)
{
    /* One panel per stage after capture (its step), then capture → decoded. */
    chart_panel panels[LAT_STAGES];
    chart_series series[LAT_STAGES];
    double xs[LAT_STAGES][HIST_BINS], ys[LAT_STAGES][HIST_BINS];
    char titles[LAT_STAGES][64];
    size_t n = 0;
    for (int s = 1; s <= LAT_STAGES; s++) {
        int to = s < LAT_STAGES ? s : LAT_DECODED;
        int from = s < LAT_STAGES ? prev_stage(r, s) : LAT_CAPTURE;
        chart_panel *p = &panels[n];
        memset(p, 0, sizeof(*p));
        if (s < LAT_STAGES)
            snprintf(titles[n], sizeof(titles[n]), "%s - %s", names[to],
                     from >= 0 ? names[from] : "?");
        else
            snprintf(titles[n], sizeof(titles[n]), "total: decoded - capture");
        p->title = titles[n];
        p->xlabel = "ms";
        p->ylabel = "frames";
        p->xmax = 1;
        p->ymax = 1;
        if (!r->stages[to].available) {
            p->note = r->stages[to].note ? r->stages[to].note : "not measured";
            n++;
            continue;
        }
        dist d = distribution(r, from, to);
        if (d.n) {
            double lo = floor(d.min * 10) / 10, hi = d.v[(d.n * 995) / 1000];
            if (hi <= lo)
                hi = lo + 0.1;
            double w = (hi - lo) / HIST_BINS, peak = 0;
            for (size_t b = 0; b < HIST_BINS; b++) {
                xs[n][b] = lo + w * (double)b;
                ys[n][b] = 0;
            }
            for (size_t i = 0; i < d.n; i++) {
                long b = (long)((d.v[i] - lo) / w);
                if (b >= HIST_BINS)
                    b = HIST_BINS - 1; /* the tail beyond p99.5 lands in the last bin */
                if (b < 0)
                    b = 0;
                ys[n][b] += 1;
                peak = fmax(peak, ys[n][b]);
            }
            series[n] = (chart_series){.label = titles[n], .x = xs[n], .y = ys[n],
                                       .n = HIST_BINS, .rgb = chart_palette(n)};
            p->series = &series[n];
            p->n_series = 1;
            p->xmin = lo;
            p->xmax = hi;
            p->ymax = ceil(peak * 1.1);
            p->bar_width = w;
        }
        free(d.v);
        n++;
    }
    char title[128];
    snprintf(title, sizeof(title), "pf-latency-probe: %s %s, %zu frames", r->protocol, r->mode,
             r->n);
    return chart_write_png(path, title, panels, n, 3, 0, NULL, err, err_len);
}
