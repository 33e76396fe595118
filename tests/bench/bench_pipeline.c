/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-pipeline: the host's frame path on loopback, stage by stage. Per frame: the test
 * pattern is drawn and stamped (capture), encoded in software (libpfencode), packetized with
 * FEC (libpfcore), paced out (libpfnet), and reassembled by a receiver thread with libpfcore's
 * client reassembler. Reports p50/p99 of capture → encoded, capture → last packet sent,
 * capture → reassembled, and the transport alone (encoded → sent / reassembled), plus the
 * pacing burst profile, at 720p120 and 1080p60. With --throughput it measures instead how
 * much sealed video one sending core can protect and send (bench_pipeline_tput.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/gs_video.h"
#include "pf/encode.h"
#include "pf/net_stream.h"

#include "bench_pipeline_tput.h"
#include "pattern.h"

typedef struct mode {
    uint32_t w, h, fps, kbps;
} mode;

typedef struct rx_ctx {
    int fd;
    atomic_int stop;
    pf_gs_video_rx *rx;
    uint64_t *reassembled; /* by frame index */
    uint32_t max_frames;
    uint64_t lost;
} rx_ctx;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_frame(void *ud, const pf_gs_video_frame *f)
{
    rx_ctx *c = ud;
    if (f->frame_index < c->max_frames)
        c->reassembled[f->frame_index] = now_ns();
}

static void on_lost(void *ud, uint32_t first, uint32_t count)
{
    ((rx_ctx *)ud)->lost += count;
}

static void *rx_main(void *arg)
{
    rx_ctx *c = arg;
    uint8_t buf[2048];
    while (!atomic_load(&c->stop)) {
        ssize_t n = recv(c->fd, buf, sizeof(buf), 0);
        if (n > 0)
            pf_gs_video_rx_feed(c->rx, buf, (size_t)n);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void pct(uint64_t *v, size_t n, double *p50, double *p99)
{
    qsort(v, n, sizeof(*v), cmp);
    *p50 = n ? (double)v[n / 2] / 1e6 : 0;
    *p99 = n ? (double)v[(n * 99) / 100] / 1e6 : 0;
}

static int run_mode(const mode *m, uint32_t frames, int json, int first)
{
    pf_encode_device *dev = NULL;
    pf_encode_video *enc = NULL;
    pf_encode_device_settings ds;
    pf_encode_device_settings_default(&ds);
    ds.backend = PF_ENCODE_BACKEND_SOFTWARE;
    pf_encode_video_settings vs;
    pf_encode_video_settings_default(&vs);
    vs.codec = PF_ENCODE_CODEC_H264;
    vs.width = m->w;
    vs.height = m->h;
    vs.fps = m->fps;
    vs.bitrate_kbps = m->kbps;
    vs.input_format = PF_FRAME_FORMAT_BGRX;
    if (pf_encode_device_create(&ds, &dev) < 0 || pf_encode_video_create(dev, &vs, &enc) < 0) {
        fprintf(stderr, "pf-bench-pipeline: no software H.264 encoder\n");
        return -1;
    }
    pf_encode_caps caps = {.struct_size = sizeof(caps)};
    pf_encode_device_query_caps(dev, PF_ENCODE_CODEC_H264, &caps);

    int tx_fd, rx_fd;
    struct sockaddr_in sa;
    if (loopback_pair(8 << 20, &tx_fd, &rx_fd, &sa) < 0) {
        fprintf(stderr, "pf-bench-pipeline: no loopback sockets\n");
        pf_encode_video_destroy(enc);
        pf_encode_device_destroy(dev);
        return -1;
    }

    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = tx_fd;
    ps.use_gso = 1;
    pf_net_pacer *pacer;
    pf_net_pacer_create(&ps, &pacer);
    pf_net_pacer_set_peer(pacer, sa.sin_addr.s_addr, ntohs(sa.sin_port));

    pf_gs_video_tx_settings ts;
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.max_shapes = 256;
    pf_gs_video_tx *tx;
    pf_gs_video_tx_create(&ts, &tx);
    rx_ctx rc = {.fd = rx_fd, .max_frames = frames + 2};
    rc.reassembled = calloc(frames + 2, sizeof(uint64_t));
    pf_gs_video_rx_settings rs;
    pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &rs);
    rs.callbacks = (pf_gs_video_rx_callbacks){.on_frame = on_frame, .on_frames_lost = on_lost,
                                              .user_data = &rc};
    pf_gs_video_rx_create(&rs, &rc.rx);
    pthread_t th;
    atomic_init(&rc.stop, 0);
    pthread_create(&th, NULL, rx_main, &rc);

    size_t px_len = (size_t)m->w * m->h * 4, au_cap = 8u << 20, out_cap = 16u << 20;
    uint8_t *px = malloc(px_len), *au = malloc(au_cap), *out = malloc(out_cap);
    uint64_t *cap_t = calloc(frames + 2, 8), *enc_t = calloc(frames + 2, 8),
             *sent_t = calloc(frames + 2, 8), *spread = calloc(frames + 2, 8);
    uint32_t *npk = calloc(frames + 2, 4), *nbursts = calloc(frames + 2, 4);
    uint64_t interval = 1000000000ull / m->fps, next = now_ns();
    uint32_t sent_frames = 0;
    for (uint32_t i = 0; i < frames; i++) {
        struct timespec w = {.tv_sec = (time_t)(next / 1000000000ull),
                             .tv_nsec = (long)(next % 1000000000ull)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &w, NULL);
        next += interval;
        pattern_draw_bgrx(px, m->w, m->h, m->w * 4, i);
        pf_frame f = {.struct_size = sizeof(f), .width = m->w, .height = m->h,
                      .format = PF_FRAME_FORMAT_BGRX, .memory = PF_FRAME_MEMORY_CPU,
                      .n_planes = 1, .sync_fd = -1, .timeline_fd = -1};
        f.planes[0] = (pf_frame_plane){.fd = -1, .stride = m->w * 4, .data = px};
        uint64_t t0 = now_ns();
        f.pts_ns = t0;
        if (pf_encode_video_submit(enc, &f, i == 0 ? PF_ENCODE_SUBMIT_IDR : 0) < 0)
            continue;
        pf_encode_packet pk = {.struct_size = sizeof(pk)};
        int len;
        while ((len = pf_encode_video_receive(enc, au, au_cap, &pk)) > 0) {
            uint64_t t1 = now_ns();
            uint32_t pb, mp;
            pf_gs_video_tx_get_frame_size(tx, (size_t)len, &pb, &mp);
            pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION,
                                           .frame_type = (pk.flags & PF_ENCODE_PACKET_IDR)
                                                             ? PF_GS_FRAME_TYPE_IDR
                                                             : PF_GS_FRAME_TYPE_P};
            pf_gs_video_tx_result res;
            if (pf_gs_video_tx_packetize(tx, &info, au, (size_t)len, out, out_cap, pb, &res) < 0)
                continue;
            pf_net_pacer_result pr;
            pf_net_pacer_send(pacer, out, pb, res.packet_bytes, res.packet_count, interval, &pr);
            uint32_t fi = res.frame_index;
            if (fi < frames + 2) {
                cap_t[fi] = t0;
                enc_t[fi] = t1;
                sent_t[fi] = pr.last_sent_ns;
                spread[fi] = pr.duration_ns;
                npk[fi] = res.packet_count;
                nbursts[fi] = pr.bursts;
                sent_frames++;
            }
        }
    }
    usleep(100000);
    atomic_store(&rc.stop, 1);
    pthread_join(th, NULL);

    uint64_t *a = calloc(frames + 2, 8), *b = calloc(frames + 2, 8), *c = calloc(frames + 2, 8),
             *d = calloc(frames + 2, 8), *e = calloc(frames + 2, 8), *g = calloc(frames + 2, 8),
             *pk_v = calloc(frames + 2, 8), *bu_v = calloc(frames + 2, 8);
    size_t n = 0, nr = 0;
    for (uint32_t fi = 1; fi < frames + 2; fi++) {
        if (!cap_t[fi])
            continue;
        a[n] = enc_t[fi] - cap_t[fi];
        b[n] = sent_t[fi] - cap_t[fi];
        c[n] = sent_t[fi] - enc_t[fi];
        g[n] = spread[fi];
        pk_v[n] = npk[fi];
        bu_v[n] = nbursts[fi];
        n++;
        if (rc.reassembled[fi]) {
            d[nr] = rc.reassembled[fi] - cap_t[fi];
            e[nr] = rc.reassembled[fi] - enc_t[fi];
            nr++;
        }
    }
    double enc50, enc99, sent50, sent99, tx50, tx99, re50, re99, tr50, tr99, sp50, sp99;
    pct(a, n, &enc50, &enc99);
    pct(b, n, &sent50, &sent99);
    pct(c, n, &tx50, &tx99);
    pct(d, nr, &re50, &re99);
    pct(e, nr, &tr50, &tr99);
    pct(g, n, &sp50, &sp99);
    qsort(pk_v, n, 8, cmp);
    qsort(bu_v, n, 8, cmp);
    uint64_t pk50 = n ? pk_v[n / 2] : 0, pkmax = n ? pk_v[n - 1] : 0;
    uint64_t bu50 = n ? bu_v[n / 2] : 0, bumax = n ? bu_v[n - 1] : 0;
    if (json) {
        printf("%s    {\"mode\": \"%ux%u@%u\", \"encoder\": \"%s\", \"bitrate_kbps\": %u, "
               "\"frames\": %u, \"frames_reassembled\": %zu, \"frames_lost\": %llu,\n"
               "     \"capture_to_encoded_ms\": {\"p50\": %.3f, \"p99\": %.3f},\n"
               "     \"capture_to_last_sent_ms\": {\"p50\": %.3f, \"p99\": %.3f},\n"
               "     \"capture_to_reassembled_ms\": {\"p50\": %.3f, \"p99\": %.3f},\n"
               "     \"encoded_to_last_sent_ms\": {\"p50\": %.3f, \"p99\": %.3f},\n"
               "     \"encoded_to_reassembled_ms\": {\"p50\": %.3f, \"p99\": %.3f},\n"
               "     \"pacing\": {\"burst_packets\": %u, \"rate_mbps\": %u, "
               "\"spread_limit_percent\": %u, \"packets_per_frame\": {\"p50\": %llu, \"max\": %llu}, "
               "\"bursts_per_frame\": {\"p50\": %llu, \"max\": %llu}, "
               "\"frame_send_ms\": {\"p50\": %.3f, \"p99\": %.3f}}}",
               first ? "" : ",\n", m->w, m->h, m->fps, caps.encoder_name, m->kbps, frames, nr,
               (unsigned long long)rc.lost, enc50, enc99, sent50, sent99, re50, re99, tx50, tx99,
               tr50, tr99, ps.burst_packets, ps.rate_mbps, ps.spread_percent,
               (unsigned long long)pk50, (unsigned long long)pkmax, (unsigned long long)bu50,
               (unsigned long long)bumax, sp50, sp99);
    } else {
        printf("%ux%u@%u (%s, %u kbps): %u frames, %zu reassembled, %llu lost\n", m->w, m->h,
               m->fps, caps.encoder_name, m->kbps, frames, nr, (unsigned long long)rc.lost);
        printf("  capture->encoded       p50 %7.3f ms  p99 %7.3f ms\n", enc50, enc99);
        printf("  capture->last sent     p50 %7.3f ms  p99 %7.3f ms\n", sent50, sent99);
        printf("  capture->reassembled   p50 %7.3f ms  p99 %7.3f ms\n", re50, re99);
        printf("  encoded->last sent     p50 %7.3f ms  p99 %7.3f ms\n", tx50, tx99);
        printf("  encoded->reassembled   p50 %7.3f ms  p99 %7.3f ms  (transport, no encode)\n",
               tr50, tr99);
        printf("  pacing: %llu packets/frame (max %llu) in %llu bursts (max %llu) of %u, "
               "send %.3f ms p50 / %.3f ms p99\n",
               (unsigned long long)pk50, (unsigned long long)pkmax, (unsigned long long)bu50,
               (unsigned long long)bumax, ps.burst_packets, sp50, sp99);
    }
    free(a), free(b), free(c), free(d), free(e), free(g), free(pk_v), free(bu_v);
    free(cap_t), free(enc_t), free(sent_t), free(spread), free(npk), free(nbursts);
    free(px), free(au), free(out), free(rc.reassembled);
    pf_gs_video_rx_destroy(rc.rx);
    pf_gs_video_tx_destroy(tx);
    pf_net_pacer_destroy(pacer);
    close(tx_fd);
    close(rx_fd);
    pf_encode_video_destroy(enc);
    pf_encode_device_destroy(dev);
    return 0;
}

int main(int argc, char **argv)
{
    int json = 0, quick = 0, throughput = 0;
    uint32_t frames = 600;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (!strcmp(argv[i], "--quick"))
            frames = 60, quick = 1;
        else if (!strcmp(argv[i], "--throughput"))
            throughput = 1;
        else if (!strcmp(argv[i], "--frames") && i + 1 < argc)
            frames = (uint32_t)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: pf-bench-pipeline [--json] [--quick] [--frames N] "
                            "[--throughput]\n");
            return 2;
        }
    }
    if (throughput)
        return pipeline_throughput(json, quick);
    if (frames < 2)
        frames = 2;
    static const mode modes[] = {{1280, 720, 120, 20000}, {1920, 1080, 60, 20000}};
    if (json)
        printf("{\"bench\": \"pipeline\", \"transport\": \"loopback\", \"codec\": \"h264\", "
               "\"modes\": [\n");
    int rc = 0;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (run_mode(&modes[i], frames, json, i == 0) < 0)
            rc = 1;
    if (json)
        printf("\n]}\n");
    return rc;
}
