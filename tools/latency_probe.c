/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe: per-stage latency of a host streaming the test pattern — capture →
 * encoded → sent → received → reassembled → decoded — as p50/p95/p99 with the clock offset
 * removed, as a table, JSON and a PNG histogram. Stages a protocol does not put on the wire
 * come from the private host's frame log where it has them, else are reported as missing,
 * never estimated. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chart.h"
#include "latency_gs.h"
#ifdef PF_PROBE_PKF1
#include "latency_pkf1.h"
#endif
#include "latency_report.h"

static void usage(FILE *f)
{
    fprintf(f,
        "Usage: pf-latency-probe [OPTIONS]\n"
        "Starts a private `pfhost serve --source testpattern --frame-log FILE` on loopback,\n"
        "pairs with it, streams, and reports the latency of each stage of every frame -\n"
        "capture, encoded, sent, received, reassembled, decoded - as p50/p95/p99 from\n"
        "capture and from the stage before, with the host/client clock offset removed.\n"
        "Stages neither the protocol nor the host's frame log carry are listed as not\n"
        "measured.\n\n"
        "  --protocol NAME    gamestream (default; the in-repo GameStream client) or pkf1\n"
        "                     (punktfunk/1 through libpfclient, when built with it)\n"
        "  --pfhost PATH      the pfhost binary (default: $PFHOST_BIN, else pfhost in PATH)\n"
        "  --mode WxHxFPS     stream mode (default 1280x720x60)\n"
        "  --bitrate KBPS     video bitrate (default 10000)\n"
        "  --frames N         frames measured (default 600)\n"
        "  --warmup N         frames ignored first: encoder start, first IDR (default 30)\n"
        "  --encrypt-video    GameStream video encryption (§6.6) on (punktfunk/1 always seals)\n"
        "  --json             JSON on stdout instead of the table\n"
        "  --samples          with --json: every frame's stage times since its capture\n"
        "  --png FILE         histograms of every stage step into FILE\n"
        "  --keep-dir         keep the private host's directory (its log) and its frame log\n"
        "  -h, --help         this text\n\n"
        "GameStream carries the capture time (RTP timestamp) and capture-to-encoded time\n"
        "(frame header) but no send time and no clock probe. The send time - when the\n"
        "host's send call for the frame's last datagram returned - comes from the private\n"
        "host's frame log, matched to the frames by frame index and checked against their\n"
        "RTP timestamps. The stream runs over loopback, where host and client share\n"
        "CLOCK_MONOTONIC, so the offset is exactly zero. There the first datagram may\n"
        "arrive before the send of the last one returns: received can precede sent.\n"
        "punktfunk/1 carries the capture time (media header pts_ns) and the clock offset\n"
        "(ClockProbe/ClockEcho); encoded and sent come from 0xCF host timing when the host\n"
        "sends it, and are reported as not on the wire when it does not.\n");
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || end == s || v < lo || v > hi)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    latency_gs_options gs = {.width = 1280, .height = 720, .fps = 60, .bitrate_kbps = 10000,
                             .frames = 600, .warmup = 30};
    const char *png = NULL, *protocol = "gamestream";
    int json = 0, samples = 0;
    gs.pfhost = getenv("PFHOST_BIN") ? getenv("PFHOST_BIN") : "pfhost";
    static const struct option opts[] = {
        {"protocol", required_argument, NULL, 'P'}, {"pfhost", required_argument, NULL, 'H'},
        {"mode", required_argument, NULL, 'm'},     {"bitrate", required_argument, NULL, 'b'},
        {"frames", required_argument, NULL, 'f'},   {"warmup", required_argument, NULL, 'w'},
        {"encrypt-video", no_argument, NULL, 'e'},  {"json", no_argument, NULL, 'j'},
        {"samples", no_argument, NULL, 's'},        {"png", required_argument, NULL, 'o'},
        {"keep-dir", no_argument, NULL, 'k'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'P':
            protocol = optarg;
            break;
        case 'H':
            gs.pfhost = optarg;
            break;
        case 'm': {
            unsigned w, h, fps;
            char tail;
            if (sscanf(optarg, "%ux%ux%u%c", &w, &h, &fps, &tail) != 3 || w < 64 || h < 64 ||
                w > 7680 || h > 4320 || fps < 1 || fps > 240)
                return fprintf(stderr, "pf-latency-probe: bad --mode '%s'\n", optarg), 2;
            gs.width = w, gs.height = h, gs.fps = fps;
            break;
        }
        case 'b':
            if (parse_u32(optarg, 100, 1000000, &gs.bitrate_kbps) < 0)
                return fprintf(stderr, "pf-latency-probe: bad --bitrate '%s'\n", optarg), 2;
            break;
        case 'f':
            if (parse_u32(optarg, 1, 1000000, &gs.frames) < 0)
                return fprintf(stderr, "pf-latency-probe: bad --frames '%s'\n", optarg), 2;
            break;
        case 'w':
            if (parse_u32(optarg, 0, 100000, &gs.warmup) < 0)
                return fprintf(stderr, "pf-latency-probe: bad --warmup '%s'\n", optarg), 2;
            break;
        case 'e':
            gs.encrypt_video = 1;
            break;
        case 'j':
            json = 1;
            break;
        case 's':
            samples = 1;
            break;
        case 'o':
            png = optarg;
            break;
        case 'k':
            gs.keep_dir = 1;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc)
        return fprintf(stderr, "pf-latency-probe: unexpected '%s'\n", argv[optind]), 2;
    int pkf1 = strcmp(protocol, "pkf1") == 0;
#ifndef PF_PROBE_PKF1
    if (pkf1)
        return fprintf(stderr, "pf-latency-probe: built without libpfclient: no pkf1\n"), 2;
#endif
    if (!pkf1 && strcmp(protocol, "gamestream") != 0)
        return fprintf(stderr, "pf-latency-probe: unknown --protocol '%s'\n", protocol), 2;
    /* Twice the stream's duration plus start-up slack on a busy machine. */
    gs.timeout_ms = (uint32_t)((uint64_t)gs.frames * 2000u / gs.fps) + 20000u;

    lat_report r;
    char err[512] = "";
#ifdef PF_PROBE_PKF1
    int failed = pkf1 ? latency_pkf1_run(&gs, &r, err, sizeof(err)) < 0
                      : latency_gs_run(&gs, &r, err, sizeof(err)) < 0;
#else
    int failed = latency_gs_run(&gs, &r, err, sizeof(err)) < 0;
#endif
    if (failed) {
        fprintf(stderr, "pf-latency-probe: %s\n", err);
        lat_report_free(&r);
        return 1;
    }
    int rc = 0;
    if (png && lat_report_png(&r, png, err, sizeof(err)) < 0) {
        fprintf(stderr, "pf-latency-probe: %s\n", err);
        rc = 1;
    }
    if (json) {
        json_object *o = lat_report_json(&r, samples);
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY));
        json_object_put(o);
    } else {
        lat_report_print(&r, stdout);
    }
    lat_report_free(&r);
    chart_shutdown();
    return rc;
}
