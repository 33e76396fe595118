/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-loss-harness: FEC under synthetic loss, without a network. GameStream GF(2^8) blocks
 * and punktfunk/1 GF(2^16) blocks go through libpfcore's real packetizers, a random
 * (Bernoulli) or burst (Gilbert–Elliott) loss channel and the real reassemblers; the tool
 * prints recovery rate and residual frame loss per cell as a table or JSON and draws the
 * curves as a PNG. Same seed, same numbers. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "chart.h"
#include "loss_sim.h"
#include "pf/core/rs16.h"

#define MAX_LIST 16

typedef struct options {
    uint32_t schemes[2], n_schemes;
    uint32_t models[2], n_models;
    uint32_t sizes[MAX_LIST], n_sizes;
    uint32_t parity[MAX_LIST], n_parity;
    double loss_max, loss_step, burst_len;
    uint32_t frames;
    uint64_t seed;
    int json;
    const char *png;
} options;

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: pf-loss-harness [OPTIONS]\n"
        "FEC under synthetic loss: frames go through libpfcore's real packetizer, a loss\n"
        "channel and the real reassembler (no network). Prints, per cell, the residual frame\n"
        "loss, the recovery rate (frames that lost datagrams but were repaired), and the\n"
        "expectation from the block shapes on the wire: binomial for random loss, the exact\n"
        "Gilbert-Elliott chain for burst loss.\n\n"
        "  --schemes LIST     gs8 (GameStream, GF(2^8)), pkf1 (punktfunk/1, GF(2^16));\n"
        "                     default gs8,pkf1\n"
        "  --models LIST      random (Bernoulli), burst (Gilbert-Elliott); default both\n"
        "  --sizes LIST       frame sizes in bytes, k/K = KiB (default 4k,32k,128k)\n"
        "  --parity LIST      FEC percentages, 1-255 (default 10,20,50); punktfunk/1 blocks\n"
        "                     use at most 90, the protocol's ceiling\n"
        "  --loss-max PCT     largest datagram loss rate swept (default 50)\n"
        "  --loss-step PCT    sweep step (default 5)\n"
        "  --burst-len N      mean burst length of the burst model, datagrams (default 4)\n"
        "  --frames N         frames per cell (default 1000)\n"
        "  --seed N           random seed (default 1); same seed, same output\n"
        "  --json             JSON on stdout instead of the table\n"
        "  --png FILE         draw residual frame loss against datagram loss into FILE\n"
        "  -h, --help         this text\n\n"
        "GameStream blocks use P = 1392 and minRequiredFecPackets 2 (Moonlight's defaults);\n"
        "punktfunk/1 blocks use S = 1408 with the Welcome percentage equal to the parity.\n");
}

static int parse_list(const char *arg, uint32_t *out, uint32_t *n, int sizes)
{
    char *copy = strdup(arg), *save = NULL;
    *n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *end;
        unsigned long v = strtoul(t, &end, 10);
        if (sizes && (*end == 'k' || *end == 'K'))
            v *= 1024, end++;
        if (*end || end == t || v == 0 || v > (sizes ? 64ul << 20 : 255ul) || *n == MAX_LIST) {
            free(copy);
            return -1;
        }
        out[(*n)++] = (uint32_t)v;
    }
    free(copy);
    return *n ? 0 : -1;
}

static int parse_names(const char *arg, const char *a, const char *b, uint32_t *out,
                       uint32_t *n)
{
    char *copy = strdup(arg), *save = NULL;
    *n = 0;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n == 2 || (strcmp(t, a) && strcmp(t, b))) {
            free(copy);
            return -1;
        }
        out[(*n)++] = strcmp(t, a) == 0 ? 0 : 1;
    }
    free(copy);
    return *n ? 0 : -1;
}

static int parse_args(int argc, char **argv, options *o)
{
    *o = (options){.schemes = {0, 1}, .n_schemes = 2, .models = {0, 1}, .n_models = 2,
                   .sizes = {4096, 32768, 131072}, .n_sizes = 3, .parity = {10, 20, 50},
                   .n_parity = 3, .loss_max = 50, .loss_step = 5, .burst_len = 4,
                   .frames = 1000, .seed = 1};
    static const struct option opts[] = {
        {"schemes", required_argument, NULL, 'S'}, {"models", required_argument, NULL, 'M'},
        {"sizes", required_argument, NULL, 'z'},   {"parity", required_argument, NULL, 'p'},
        {"loss-max", required_argument, NULL, 'x'}, {"loss-step", required_argument, NULL, 's'},
        {"burst-len", required_argument, NULL, 'b'}, {"frames", required_argument, NULL, 'f'},
        {"seed", required_argument, NULL, 'r'},    {"json", no_argument, NULL, 'j'},
        {"png", required_argument, NULL, 'o'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'S':
            if (parse_names(optarg, "gs8", "pkf1", o->schemes, &o->n_schemes) < 0)
                return fprintf(stderr, "pf-loss-harness: --schemes takes gs8,pkf1\n"), -1;
            break;
        case 'M':
            if (parse_names(optarg, "random", "burst", o->models, &o->n_models) < 0)
                return fprintf(stderr, "pf-loss-harness: --models takes random,burst\n"), -1;
            break;
        case 'z':
            if (parse_list(optarg, o->sizes, &o->n_sizes, 1) < 0)
                return fprintf(stderr, "pf-loss-harness: bad --sizes '%s'\n", optarg), -1;
            break;
        case 'p':
            if (parse_list(optarg, o->parity, &o->n_parity, 0) < 0)
                return fprintf(stderr, "pf-loss-harness: bad --parity '%s'\n", optarg), -1;
            break;
        case 'x':
        case 's':
        case 'b': {
            double v = strtod(optarg, &end);
            if (*end || end == optarg || !(v >= 0) || v > 100 ||
                (c != 'x' && v <= 0) || (c == 'b' && v < 1))
                return fprintf(stderr, "pf-loss-harness: bad value '%s'\n", optarg), -1;
            *(c == 'x' ? &o->loss_max : c == 's' ? &o->loss_step : &o->burst_len) = v;
            break;
        }
        case 'f': {
            unsigned long v = strtoul(optarg, &end, 10);
            if (*end || end == optarg || v == 0 || v > 100000000ul)
                return fprintf(stderr, "pf-loss-harness: bad --frames '%s'\n", optarg), -1;
            o->frames = (uint32_t)v;
            break;
        }
        case 'r':
            o->seed = strtoull(optarg, &end, 0);
            if (*end || end == optarg)
                return fprintf(stderr, "pf-loss-harness: bad --seed '%s'\n", optarg), -1;
            break;
        case 'j':
            o->json = 1;
            break;
        case 'o':
            o->png = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc)
        return fprintf(stderr, "pf-loss-harness: unexpected '%s'\n", argv[optind]), -1;
    if (o->loss_max >= 100)
        return fprintf(stderr, "pf-loss-harness: --loss-max must be below 100\n"), -1;
    return 0;
}

/* Every cell gets its own stream, derived from the seed and its coordinates, so a cell's
 * numbers do not depend on which other cells run. */
static uint64_t cell_seed(uint64_t seed, uint32_t scheme, uint32_t model, uint32_t size,
                          uint32_t parity, uint32_t step)
{
    uint64_t h = seed ^ 0x6A09E667F3BCC909ull;
    const uint64_t parts[] = {scheme, model, size, parity, step};
    for (size_t i = 0; i < 5; i++) {
        h ^= parts[i] + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
        h *= 0xFF51AFD7ED558CCDull;
    }
    return h;
}

typedef struct cell {
    loss_cell_spec spec;
    loss_cell_result res;
} cell;

static void print_table(const options *o, const cell *cells, size_t n)
{
    printf("pf-loss-harness: %u frames per cell, seed %llu, burst model mean length %.1f\n",
           o->frames, (unsigned long long)o->seed, o->burst_len);
    printf("%-15s %-6s %8s %6s %6s %9s %9s %9s %9s %8s  %s\n", "scheme", "model", "frame_B",
           "fec%", "loss%", "delivered", "resid%", "expect%", "recover%", "repaired",
           "blocks (k+m)");
    for (size_t i = 0; i < n; i++) {
        const loss_cell_spec *s = &cells[i].spec;
        const loss_cell_result *r = &cells[i].res;
        char exp[16] = "-", rec[16] = "-", blocks[96] = "";
        if (r->expected_loss >= 0)
            snprintf(exp, sizeof(exp), "%.3f", 100 * r->expected_loss);
        if (r->recovery_rate >= 0)
            snprintf(rec, sizeof(rec), "%.2f", 100 * r->recovery_rate);
        for (uint32_t b = 0, at = 0; b < r->block_count && at < sizeof(blocks) - 16; b++)
            at += (uint32_t)snprintf(blocks + at, sizeof(blocks) - at, "%s%u+%u", b ? " " : "",
                                     r->block_data[b], r->block_parity[b]);
        printf("%-15s %-6s %8u %6u %6.1f %9llu %9.3f %9s %9s %8llu  %s\n",
               loss_scheme_name(s->scheme), loss_model_name(s->model), s->frame_bytes,
               s->parity_percent, 100 * s->loss, (unsigned long long)r->frames_delivered,
               100 * r->residual_loss, exp, rec, (unsigned long long)r->shards_recovered,
               blocks);
        if (r->frames_corrupt)
            printf("  ^ %llu frames delivered with wrong bytes\n",
                   (unsigned long long)r->frames_corrupt);
    }
}

static json_object *cell_json(const cell *c)
{
    const loss_cell_spec *s = &c->spec;
    const loss_cell_result *r = &c->res;
    json_object *o = json_object_new_object(), *blocks = json_object_new_array();
    json_object_object_add(o, "scheme", json_object_new_string(loss_scheme_name(s->scheme)));
    json_object_object_add(o, "model", json_object_new_string(loss_model_name(s->model)));
    json_object_object_add(o, "frame_bytes", json_object_new_int64(s->frame_bytes));
    json_object_object_add(o, "parity_percent", json_object_new_int64(s->parity_percent));
    json_object_object_add(o, "loss", json_object_new_double(s->loss));
    json_object_object_add(o, "frames_sent", json_object_new_int64((int64_t)r->frames_sent));
#define ADD_U64(name) json_object_object_add(o, #name, json_object_new_int64((int64_t)r->name))
    ADD_U64(frames_delivered);
    ADD_U64(frames_corrupt);
    ADD_U64(frames_hit);
    ADD_U64(frames_hit_delivered);
    ADD_U64(datagrams_sent);
    ADD_U64(datagrams_dropped);
    ADD_U64(shards_recovered);
#undef ADD_U64
    json_object_object_add(o, "residual_loss", json_object_new_double(r->residual_loss));
    json_object_object_add(o, "recovery_rate", r->recovery_rate >= 0
                                                   ? json_object_new_double(r->recovery_rate)
                                                   : NULL);
    json_object_object_add(o, "expected_loss", r->expected_loss >= 0
                                                   ? json_object_new_double(r->expected_loss)
                                                   : NULL);
    for (uint32_t b = 0; b < r->block_count; b++) {
        json_object *bo = json_object_new_object();
        json_object_object_add(bo, "data", json_object_new_int64(r->block_data[b]));
        json_object_object_add(bo, "parity", json_object_new_int64(r->block_parity[b]));
        json_object_array_add(blocks, bo);
    }
    json_object_object_add(o, "blocks", blocks);
    return o;
}

/* One panel per (scheme, model), one series per (size, parity). */
static int draw(const options *o, const cell *cells, uint32_t steps, json_object *root)
{
    size_t n_panels = (size_t)o->n_schemes * o->n_models;
    size_t n_series = (size_t)o->n_sizes * o->n_parity;
    chart_panel *panels = calloc(n_panels, sizeof(*panels));
    chart_series *series = calloc(n_panels * n_series, sizeof(*series));
    chart_rect *rects = calloc(n_panels, sizeof(*rects));
    double *xs = calloc(steps, sizeof(double));
    double *ys = calloc(n_panels * n_series * steps, sizeof(double));
    char (*labels)[48] = calloc(n_series, sizeof(*labels));
    char (*titles)[64] = calloc(n_panels, sizeof(*titles));
    char err[256] = "";
    int rc = -1;
    if (!panels || !series || !rects || !xs || !ys || !labels || !titles)
        goto out;
    for (uint32_t i = 0; i < steps; i++)
        xs[i] = 100 * cells[i].spec.loss;
    json_object *jp = json_object_new_array(), *js = json_object_new_array();
    for (size_t p = 0; p < n_panels; p++) {
        const cell *first = &cells[p * n_series * steps];
        snprintf(titles[p], sizeof(titles[p]), "%s, %s loss%s", loss_scheme_name(first->spec.scheme),
                 loss_model_name(first->spec.model),
                 first->spec.model == LOSS_MODEL_BURST ? " (Gilbert-Elliott)" : "");
        panels[p] = (chart_panel){.title = titles[p], .xlabel = "datagram loss %",
                                  .ylabel = "residual frame loss %", .xmin = 0,
                                  .xmax = xs[steps - 1] > 0 ? xs[steps - 1] : 1, .ymin = 0,
                                  .ymax = 100, .series = series + p * n_series,
                                  .n_series = n_series};
        for (size_t s = 0; s < n_series; s++) {
            const cell *c0 = &cells[(p * n_series + s) * steps];
            double *y = ys + (p * n_series + s) * steps;
            for (uint32_t i = 0; i < steps; i++)
                y[i] = 100 * c0[i].res.residual_loss;
            if (p == 0) {
                snprintf(labels[s], sizeof(labels[s]), "%u B, %u %% FEC", c0->spec.frame_bytes,
                         c0->spec.parity_percent);
                json_object *so = json_object_new_object();
                char hex[8];
                snprintf(hex, sizeof(hex), "#%06x", chart_palette(s));
                json_object_object_add(so, "label", json_object_new_string(labels[s]));
                json_object_object_add(so, "color", json_object_new_string(hex));
                json_object_object_add(so, "frame_bytes", json_object_new_int64(c0->spec.frame_bytes));
                json_object_object_add(so, "parity_percent",
                                       json_object_new_int64(c0->spec.parity_percent));
                json_object_array_add(js, so);
            }
            series[p * n_series + s] = (chart_series){.label = labels[s], .x = xs, .y = y,
                                                      .n = steps, .rgb = chart_palette(s)};
        }
    }
    rc = chart_write_png(o->png, "pf-loss-harness: residual frame loss", panels, n_panels,
                         o->n_models, 1, rects, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "pf-loss-harness: %s\n", err);
    for (size_t p = 0; p < n_panels; p++) {
        json_object *po = json_object_new_object();
        json_object_object_add(po, "title", json_object_new_string(titles[p]));
        json_object_object_add(po, "x", json_object_new_int(rects[p].x));
        json_object_object_add(po, "y", json_object_new_int(rects[p].y));
        json_object_object_add(po, "w", json_object_new_int(rects[p].w));
        json_object_object_add(po, "h", json_object_new_int(rects[p].h));
        json_object_array_add(jp, po);
    }
    json_object *jc = json_object_new_object();
    json_object_object_add(jc, "path", json_object_new_string(o->png));
    json_object_object_add(jc, "panels", jp);
    json_object_object_add(jc, "series", js);
    json_object_object_add(root, "chart", jc);
out:
    free(panels);
    free(series);
    free(rects);
    free(xs);
    free(ys);
    free(labels);
    free(titles);
    return rc;
}

int main(int argc, char **argv)
{
    options o;
    if (parse_args(argc, argv, &o) < 0)
        return 2;
    uint32_t steps = (uint32_t)floor(o.loss_max / o.loss_step + 1e-9) + 1;
    size_t n = (size_t)o.n_schemes * o.n_models * o.n_sizes * o.n_parity * steps;
    cell *cells = calloc(n, sizeof(*cells));
    pf_rs16_tables *tables = NULL;
    if (!cells || pf_rs16_tables_create(&tables) < 0) {
        fprintf(stderr, "pf-loss-harness: out of memory\n");
        return 1;
    }
    int rc = 0;
    size_t i = 0;
    for (uint32_t a = 0; a < o.n_schemes; a++)
        for (uint32_t b = 0; b < o.n_models; b++)
            for (uint32_t z = 0; z < o.n_sizes; z++)
                for (uint32_t p = 0; p < o.n_parity; p++)
                    for (uint32_t s = 0; s < steps; s++, i++) {
                        cell *c = &cells[i];
                        c->spec = (loss_cell_spec){
                            .scheme = (loss_scheme)o.schemes[a], .model = (loss_model)o.models[b],
                            .frame_bytes = o.sizes[z], .parity_percent = o.parity[p],
                            .loss = s * o.loss_step / 100.0, .burst_len = o.burst_len,
                            .frames = o.frames,
                            .seed = cell_seed(o.seed, o.schemes[a], o.models[b], o.sizes[z],
                                              o.parity[p], s)};
                        char err[256] = "";
                        if (loss_cell_run(&c->spec, tables, &c->res, err, sizeof(err)) < 0) {
                            fprintf(stderr, "pf-loss-harness: %s\n", err);
                            rc = 1;
                            goto out;
                        }
                    }
    json_object *root = json_object_new_object();
    if (o.png && draw(&o, cells, steps, root) < 0)
        rc = 1;
    if (o.json) {
        json_object *arr = json_object_new_array();
        json_object_object_add(root, "tool", json_object_new_string("pf-loss-harness"));
        json_object_object_add(root, "seed", json_object_new_int64((int64_t)o.seed));
        json_object_object_add(root, "frames_per_cell", json_object_new_int64(o.frames));
        json_object_object_add(root, "burst_len", json_object_new_double(o.burst_len));
        for (size_t k = 0; k < n; k++)
            json_object_array_add(arr, cell_json(&cells[k]));
        json_object_object_add(root, "cells", arr);
        puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
    } else {
        print_table(&o, cells, n);
    }
    json_object_put(root);
    for (size_t k = 0; k < n; k++)
        if (cells[k].res.frames_corrupt)
            rc = 1;
out:
    pf_rs16_tables_destroy(tables);
    free(cells);
    chart_shutdown();
    return rc;
}
