/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-encode: per available backend, codec and resolution, the encode latency of a
 * frame (submit -> access unit in hand) and the frame rate over a few hundred frames. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"
#include "decode_helper.h"
#include "pf/encode.h"

static const char usage[] =
    "usage: pf-bench-encode [--json] [--quick] [--only NAME]\n"
    "  every backend that opens here x H.264/HEVC/AV1 x 720p/1080p; NAME matches\n"
    "  \"backend/codec/WxH\", e.g. --only software/h264\n"
    "  fps: frames per second of the submit+receive loop; latency_ms_p50/p99 per frame\n";

#define PATTERNS 8u

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static const char *codec_name(uint32_t codec)
{
    return codec == PF_ENCODE_CODEC_H264 ? "h264" : codec == PF_ENCODE_CODEC_HEVC ? "hevc"
                                                                                : "av1";
}

/* Returns 0 when measured, 1 when the backend cannot do this codec (skipped), -1 on error. */
static int run_one(const struct bench_opts *opts, pf_encode_device *dev, uint32_t codec,
                   uint32_t w, uint32_t h, uint32_t frames)
{
    const char *backend = pf_encode_backend_name((uint32_t)pf_encode_device_get_backend(dev));
    char name[64];
    snprintf(name, sizeof(name), "%s/%s/%ux%u", backend, codec_name(codec), w, h);
    if (!bench_selected(opts, name))
        return 1;
    pf_encode_video_settings s;
    pf_encode_video_settings_default(&s);
    s.codec = codec;
    s.width = w;
    s.height = h;
    s.fps = 120;
    s.bitrate_kbps = w * h / 40;
    pf_encode_video *enc = NULL;
    if (pf_encode_video_create(dev, &s, &enc) < 0)
        return 1;
    /* Frames are drawn before timing so only the encoder is measured. */
    size_t frame_bytes = (size_t)w * h * 4;
    uint8_t *pixels = malloc(frame_bytes * PATTERNS);
    size_t au_cap = frame_bytes;
    uint8_t *au = malloc(au_cap);
    double *lat = calloc(frames, sizeof(double));
    if (!pixels || !au || !lat)
        return -1;
    for (uint32_t i = 0; i < PATTERNS; i++)
        pattern_draw(pixels + i * frame_bytes, w, h, w * 4, i * 3);
    pf_frame fr;
    memset(&fr, 0, sizeof(fr));
    fr.struct_size = sizeof(fr);
    fr.width = w;
    fr.height = h;
    fr.format = PF_FRAME_FORMAT_BGRX;
    fr.n_planes = 1;
    fr.planes[0].fd = -1;
    fr.planes[0].stride = w * 4;
    fr.sync_fd = -1;
    fr.timeline_fd = -1;
    int rc = 0;
    uint32_t warmup = opts->quick ? 2 : 10;
    double t_start = 0;
    for (uint32_t n = 0; n < frames + warmup; n++) {
        if (n == warmup)
            t_start = now_ms();
        fr.planes[0].data = pixels + (n % PATTERNS) * frame_bytes;
        fr.pts_ns = (uint64_t)n * 8333333ull;
        double t0 = now_ms();
        int r = pf_encode_video_submit(enc, &fr, 0);
        pf_encode_packet pkt = {.struct_size = sizeof(pkt)};
        if (r == 0)
            r = pf_encode_video_receive(enc, au, au_cap, &pkt);
        if (r < 0) {
            fprintf(stderr, "%s: frame %u: %s\n", name, n, pf_strerror(r));
            rc = -1;
            break;
        }
        if (n >= warmup)
            lat[n - warmup] = now_ms() - t0;
        bench_consume(au, (size_t)r);
    }
    double elapsed = now_ms() - t_start;
    if (rc == 0) {
        qsort(lat, frames, sizeof(double), cmp_double);
        double p50 = lat[frames / 2];
        double p99 = lat[(frames * 99) / 100 < frames ? (frames * 99) / 100 : frames - 1];
        double fps = frames / (elapsed / 1e3);
        if (opts->json)
            printf("{\"bench\":\"encode\",\"backend\":\"%s\",\"codec\":\"%s\",\"width\":%u,"
                   "\"height\":%u,\"fps\":%.1f,\"latency_ms_p50\":%.3f,\"latency_ms_p99\":%.3f}\n",
                   backend, codec_name(codec), w, h, fps, p50, p99);
        else
            printf("%-28s %8.1f fps   p50 %7.3f ms   p99 %7.3f ms   (%u frames)\n", name, fps,
                   p50, p99, frames);
        fflush(stdout);
    }
    free(lat);
    free(au);
    free(pixels);
    pf_encode_video_destroy(enc);
    return rc;
}

int main(int argc, char **argv)
{
    struct bench_opts opts;
    int r = bench_parse_args(argc, argv, &opts, usage);
    if (r != 0)
        return r > 0 ? 0 : 2;
    static const uint32_t backends[] = {PF_ENCODE_BACKEND_NVENC, PF_ENCODE_BACKEND_VAAPI,
                                        PF_ENCODE_BACKEND_VULKAN, PF_ENCODE_BACKEND_SOFTWARE};
    static const uint32_t sizes[][2] = {{1280, 720}, {1920, 1080}};
    int failed = 0, measured = 0;
    for (size_t b = 0; b < sizeof(backends) / sizeof(backends[0]); b++) {
        pf_encode_device_settings ds;
        pf_encode_device_settings_default(&ds);
        ds.backend = backends[b];
        pf_encode_device *dev = NULL;
        /* Only real devices: a CPU Vulkan would measure the CPU twice. */
        if (pf_encode_device_create(&ds, &dev) < 0)
            continue;
        for (uint32_t codec = PF_ENCODE_CODEC_H264; codec <= PF_ENCODE_CODEC_AV1; codec <<= 1) {
            /* The smoke run keeps to one shape per backend so the suite stays quick. */
            if (opts.quick && codec != PF_ENCODE_CODEC_H264)
                continue;
            for (size_t s = 0; s < (opts.quick ? 1u : 2u); s++) {
                int rr = run_one(&opts, dev, codec, sizes[s][0], sizes[s][1],
                                 opts.quick ? 20 : 300);
                if (rr < 0)
                    failed = 1;
                else if (rr == 0)
                    measured++;
            }
        }
        pf_encode_device_destroy(dev);
    }
    if (!measured && !opts.only) {
        fprintf(stderr, "pf-bench-encode: no backend could encode\n");
        return 1;
    }
    return failed;
}
