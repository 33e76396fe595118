/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-capture: capture latency (the producer's PipeWire buffer timestamp to the moment
 * pf_capture_acquire_frame() hands the descriptor out, the owner waking on the eventfd) and
 * frames per second, for the test-pattern source at 1080p60. Starts its own PipeWire and
 * WirePlumber unless --use-running is given. --rt runs the owner thread SCHED_FIFO, as a
 * host's frame thread would (PipeWire's own data thread already is): on a loaded machine the
 * tail otherwise measures the scheduler, not the capture path.
 * Usage: pf-bench-capture [--json] [--quick] [--seconds N] [--use-running] [--rt] */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/capture.h"
#include "pf/capture_testpattern.h"
#include "pf/core/error.h"

#include "harness.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    static uint64_t lat[60 * 120];
    struct pfh_env env;
    pf_capture_testpattern_settings ts;
    pf_capture_testpattern *tp;
    pf_capture_settings cs;
    pf_capture_stats st = { .struct_size = sizeof(st) };
    pf_capture *c;
    int json = 0, quick = 0, own = 1, rt = 0, r;
    uint32_t seconds = 10, n = 0, warm = 0;
    uint64_t t0 = 0, t_end, t_last = 0;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            json = 1;
        else if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--use-running") == 0)
            own = 0;
        else if (strcmp(argv[i], "--rt") == 0)
            rt = 1;
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc)
            seconds = (uint32_t)strtoul(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: pf-bench-capture [--json] [--quick] [--seconds N] "
                            "[--use-running] [--rt]\n");
            return 2;
        }
    }
    if (quick)
        seconds = 1;
    if (seconds < 1 || seconds > 120)
        seconds = 10;
    if (own && pfh_env_start(&env) < 0) {
        fprintf(stderr, "pf-bench-capture: cannot start PipeWire\n");
        return 77;
    }
    pf_capture_testpattern_settings_init(&ts);
    ts.width = 1920;
    ts.height = 1080;
    ts.fps = 60;
    r = pf_capture_testpattern_create(&ts, &tp);
    if (r < 0) {
        fprintf(stderr, "pf-bench-capture: source: %s\n", pf_strerror(r));
        return 1;
    }
    pf_capture_settings_init(&cs);
    cs.node_id = (uint32_t)pf_capture_testpattern_get_node_id(tp);
    cs.width = 1920;
    cs.height = 1080;
    cs.queue_depth = 8;
    if (pf_capture_create(&cs, NULL, NULL, &c) < 0 || pf_capture_start(c) < 0) {
        fprintf(stderr, "pf-bench-capture: capture failed\n");
        return 1;
    }
    if (rt) {
        struct sched_param sp = { .sched_priority = 20 };

        if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp) != 0) {
            fprintf(stderr, "pf-bench-capture: SCHED_FIFO refused; measuring without\n");
            rt = 0;
        }
    }
    t_end = pfh_now_ms() + 3000 + seconds * 1000u;
    while (pfh_now_ms() < t_end) {
        pf_frame *f;

        if (pf_capture_wait(c, 100) < 0)
            break;
        while (pf_capture_acquire_frame(c, &f) == 0) {
            struct timespec ts_now;
            uint64_t handed;

            clock_gettime(CLOCK_MONOTONIC, &ts_now);
            handed = (uint64_t)ts_now.tv_sec * 1000000000ull + (uint64_t)ts_now.tv_nsec;
            /* Skip the link's warm-up; then measure for the given time. */
            if (warm < 30) {
                warm++;
                if (warm == 30) {
                    t0 = handed;
                    t_end = pfh_now_ms() + seconds * 1000u;
                }
            } else if (n < sizeof(lat) / sizeof(lat[0])) {
                lat[n++] = handed - f->pts_ns;
                t_last = handed;
            }
            pf_frame_release(f);
        }
    }
    pf_capture_get_stats(c, &st);
    pf_capture_destroy(c);
    pf_capture_testpattern_destroy(tp);
    if (own)
        pfh_env_stop(&env);
    if (n < 2) {
        fprintf(stderr, "pf-bench-capture: no frames\n");
        return 1;
    }
    qsort(lat, n, sizeof(lat[0]), cmp_u64);
    {
        double p50 = lat[n / 2] / 1000.0, p99 = lat[(size_t)n * 99 / 100] / 1000.0;
        double mx = lat[n - 1] / 1000.0, fps = (n - 1) * 1e9 / (double)(t_last - t0);

        if (json)
            printf("{\"bench\":\"capture_latency\",\"source\":\"testpattern\",\"width\":1920,"
                   "\"height\":1080,\"fps_target\":60,\"frames\":%u,\"fps\":%.2f,"
                   "\"latency_p50_us\":%.1f,\"latency_p99_us\":%.1f,\"latency_max_us\":%.1f,"
                   "\"dropped\":%llu,\"target_p99_us\":1000,\"rt_owner\":%s,"
                   "\"quick\":%s}\n",
                   n, fps, p50, p99, mx, (unsigned long long)st.dropped, rt ? "true" : "false",
                   quick ? "true" : "false");
        else
            printf("capture 1080p60 testpattern: %u frames, %.2f fps, latency p50 %.1f us, "
                   "p99 %.1f us, max %.1f us, dropped %llu\n",
                   n, fps, p50, p99, mx, (unsigned long long)st.dropped);
    }
    return 0;
}
