/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-native: protected video on loopback, punktfunk/1 beside GameStream in the same run.
 * One sending core packetizes (GF(2^16) FEC at 20 %), seals (AES-128-GCM) and sends (libpfnet's
 * pacer: GSO, else sendmmsg) whole access units; a receiver on the other core opens,
 * reassembles and repairs every one. Throughput is video payload per second with at most two
 * AUs in flight (so the receiver is never overrun and frames lost must be 0), at 1 MB and 4 MB
 * AUs; the reference is GameStream's path (GF(2^8), 255-shard blocks, AES-GCM per datagram),
 * whose 4-block limit sends a 4 MB AU without parity (counted). Transport latency is
 * packetize start → reassembled for 720p120-sized AUs (64 KB at 120 fps).
 *
 * usage: pf-bench-native [--json] [--quick] */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "pf/core/crypto.h"
#include "pf/core/gs_video.h"
#include "pf/core/pkf1_media.h"
#include "pf/net_stream.h"

#include "bench.h"

#define FEC_PERCENT 20u
#define WINDOW 2u
#define BATCH 64u
#define DGRAM_MAX 2048u

typedef struct side {
    int native; /* 1: punktfunk/1, 0: GameStream */
    pf_pkf1_video_tx *ntx;
    pf_pkf1_video_rx *nrx;
    pf_gs_video_tx *gtx;
    pf_gs_video_rx *grx;
    pf_net_pacer *pacer;
    int tx_fd, rx_fd;
    uint8_t *pkts;
    size_t pkts_cap;
    /* receiver */
    pthread_t th;
    atomic_int stop;
    atomic_uint_fast64_t delivered;
    atomic_uint_fast64_t lost;
    uint64_t *done_ns; /* by AU number */
    uint32_t max_frames;
    uint64_t fec_skipped;
} side;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void pin_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void mark(side *s, uint32_t index)
{
    if (index < s->max_frames)
        s->done_ns[index] = now_ns();
    atomic_fetch_add(&s->delivered, 1);
}

static void n_frame(void *ud, const pf_pkf1_video_frame *f)
{
    mark(ud, f->frame_index);
}

static void g_frame(void *ud, const pf_gs_video_frame *f)
{
    mark(ud, f->frame_index - 1); /* GameStream counts from 1 */
}

static void on_lost(void *ud, uint32_t first, uint32_t count)
{
    atomic_fetch_add(&((side *)ud)->lost, count);
}

static void *rx_main(void *arg)
{
    side *s = arg;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    pin_cpu(ncpu > 1 ? 1 : 0);
    static __thread uint8_t bufs[BATCH][DGRAM_MAX];
    struct mmsghdr msgs[BATCH];
    struct iovec iov[BATCH];
    for (unsigned i = 0; i < BATCH; i++) {
        iov[i] = (struct iovec){bufs[i], DGRAM_MAX};
        memset(&msgs[i], 0, sizeof(msgs[i]));
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    while (!atomic_load(&s->stop)) {
        /* recvmmsg's own timeout is checked only after a datagram: SO_RCVTIMEO bounds the
         * wait so that the thread sees stop. */
        int n = recvmmsg(s->rx_fd, msgs, BATCH, MSG_WAITFORONE, NULL);
        for (int i = 0; i < n; i++) {
            if (s->native)
                pf_pkf1_video_rx_feed(s->nrx, bufs[i], msgs[i].msg_len);
            else
                pf_gs_video_rx_feed(s->grx, bufs[i], msgs[i].msg_len);
        }
    }
    return NULL;
}

static int side_open(side *s, int native, uint32_t max_frames)
{
    memset(s, 0, sizeof(*s));
    s->native = native;
    s->max_frames = max_frames;
    s->done_ns = calloc(max_frames, sizeof(uint64_t));
    uint8_t key[32], salt[4] = {1, 2, 3, 4};
    bench_fill(key, sizeof(key), 7);
    s->tx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    s->rx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int big = 32 << 20;
    setsockopt(s->rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    setsockopt(s->tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
    struct timeval tv = {.tv_usec = 20000};
    setsockopt(s->rx_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    if (!s->done_ns || bind(s->rx_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        return -1;
    getsockname(s->rx_fd, (struct sockaddr *)&sa, &sl);
    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = s->tx_fd;
    ps.use_gso = 1;
    ps.burst_packets = 64;
    ps.rate_mbps = 1000000; /* no pacing: this measures the sending core */
    if (pf_net_pacer_create(&ps, &s->pacer) < 0)
        return -1;
    pf_net_pacer_set_peer(s->pacer, sa.sin_addr.s_addr, ntohs(sa.sin_port));
    int r;
    if (native) {
        pf_pkf1_video_tx_settings ts;
        pf_pkf1_video_tx_settings_default(PF_PKF1_VIDEO_TX_SETTINGS_VERSION, &ts);
        ts.fec_percent = ts.welcome_fec_percent = FEC_PERCENT;
        ts.cipher = PF_AEAD_AES128_GCM;
        memcpy(ts.key, key, 16);
        memcpy(ts.salt, salt, 4);
        pf_pkf1_video_rx_settings rs;
        pf_pkf1_video_rx_settings_default(PF_PKF1_VIDEO_RX_SETTINGS_VERSION, &rs);
        rs.cipher = PF_AEAD_AES128_GCM;
        memcpy(rs.key, key, 16);
        memcpy(rs.salt, salt, 4);
        rs.callbacks = (pf_pkf1_video_rx_callbacks){n_frame, on_lost, s};
        r = pf_pkf1_video_tx_create(&ts, &s->ntx);
        if (r == 0)
            r = pf_pkf1_video_rx_create(&rs, &s->nrx);
    } else {
        pf_gs_video_tx_settings ts;
        pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &ts);
        ts.fec_percent = FEC_PERCENT;
        ts.encrypt = 1;
        memcpy(ts.key, key, 16);
        ts.max_shapes = 256;
        pf_gs_video_rx_settings rs;
        pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &rs);
        rs.decrypt = 1;
        memcpy(rs.key, key, 16);
        rs.max_shapes = 256;
        rs.callbacks = (pf_gs_video_rx_callbacks){.on_frame = g_frame, .on_frames_lost = on_lost,
                                                  .user_data = s};
        r = pf_gs_video_tx_create(&ts, &s->gtx);
        if (r == 0)
            r = pf_gs_video_rx_create(&rs, &s->grx);
    }
    if (r < 0)
        return -1;
    atomic_init(&s->stop, 0);
    atomic_init(&s->delivered, 0);
    atomic_init(&s->lost, 0);
    return pthread_create(&s->th, NULL, rx_main, s) == 0 ? 0 : -1;
}

static void side_close(side *s)
{
    atomic_store(&s->stop, 1);
    pthread_join(s->th, NULL);
    pf_pkf1_video_tx_destroy(s->ntx);
    pf_pkf1_video_rx_destroy(s->nrx);
    pf_gs_video_tx_destroy(s->gtx);
    pf_gs_video_rx_destroy(s->grx);
    pf_net_pacer_destroy(s->pacer);
    close(s->tx_fd);
    close(s->rx_fd);
    free(s->pkts);
    free(s->done_ns);
}

/* Packetizes, seals and sends AU number @p i. */
static int send_au(side *s, const uint8_t *au, size_t len, uint32_t i)
{
    uint32_t pbytes, count;
    int r = s->native ? pf_pkf1_video_tx_get_frame_size(s->ntx, len, &pbytes, &count)
                      : pf_gs_video_tx_get_frame_size(s->gtx, len, &pbytes, &count);
    if (r < 0)
        return r;
    if ((size_t)pbytes * count > s->pkts_cap) {
        free(s->pkts);
        s->pkts_cap = (size_t)pbytes * count;
        s->pkts = malloc(s->pkts_cap);
        if (!s->pkts)
            return -1;
    }
    uint32_t n, bytes;
    if (s->native) {
        pf_pkf1_video_frame_info info = {.pts_ns = now_ns(), .frame_index = i};
        pf_pkf1_video_tx_result res;
        r = pf_pkf1_video_tx_packetize(s->ntx, &info, au, len, s->pkts, s->pkts_cap, pbytes,
                                       &res);
        n = res.packet_count;
        bytes = res.packet_bytes;
    } else {
        pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION,
                                       .frame_type = PF_GS_FRAME_TYPE_P};
        pf_gs_video_tx_result res;
        r = pf_gs_video_tx_packetize(s->gtx, &info, au, len, s->pkts, s->pkts_cap, pbytes,
                                     &res);
        n = res.packet_count;
        bytes = res.packet_bytes;
        s->fec_skipped += res.fec_skipped;
    }
    if (r < 0)
        return r;
    return pf_net_pacer_send(s->pacer, s->pkts, pbytes, bytes, n, 0, NULL);
}

static uint64_t settled(side *s)
{
    return atomic_load(&s->delivered) + atomic_load(&s->lost);
}

/* Sends @p frames AUs of @p len bytes, at most WINDOW unfinished. Returns payload Gbit/s. */
static double throughput(int native, size_t len, uint32_t frames, uint64_t *ret_lost,
                         uint64_t *ret_skipped)
{
    side s;
    uint8_t *au = malloc(len);
    if (!au || side_open(&s, native, frames) < 0) {
        free(au);
        return 0;
    }
    bench_fill(au, len, 99);
    uint64_t t0 = now_ns();
    for (uint32_t i = 0; i < frames; i++) {
        uint64_t give_up = now_ns() + 500000000ull;
        while (settled(&s) + WINDOW < (uint64_t)i + 1 && now_ns() < give_up)
            sched_yield();
        send_au(&s, au, len, i);
    }
    uint64_t give_up = now_ns() + 2000000000ull;
    while (settled(&s) < frames && now_ns() < give_up)
        sched_yield();
    uint64_t t1 = now_ns();
    *ret_lost = frames - atomic_load(&s.delivered);
    *ret_skipped = s.fec_skipped;
    side_close(&s);
    free(au);
    return (double)len * frames * 8.0 / (double)(t1 - t0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* AUs of @p len at @p fps: packetize start → reassembled, p50 and p99 in ms. */
static void latency(int native, size_t len, uint32_t fps, uint32_t frames, double *p50,
                    double *p99, uint64_t *ret_lost)
{
    side s;
    uint8_t *au = malloc(len);
    uint64_t *start = calloc(frames, sizeof(uint64_t)), *lat = calloc(frames, sizeof(uint64_t));
    *p50 = *p99 = 0;
    if (!au || !start || !lat || side_open(&s, native, frames) < 0) {
        free(au);
        free(start);
        free(lat);
        return;
    }
    bench_fill(au, len, 5);
    uint64_t interval = 1000000000ull / fps, next = now_ns();
    for (uint32_t i = 0; i < frames; i++) {
        while (now_ns() < next)
            ;
        next += interval;
        start[i] = now_ns();
        send_au(&s, au, len, i);
    }
    uint64_t give_up = now_ns() + 1000000000ull;
    while (settled(&s) < frames && now_ns() < give_up)
        sched_yield();
    size_t n = 0;
    for (uint32_t i = 0; i < frames; i++)
        if (s.done_ns[i] > start[i])
            lat[n++] = s.done_ns[i] - start[i];
    qsort(lat, n, sizeof(uint64_t), cmp_u64);
    if (n) {
        *p50 = (double)lat[n / 2] / 1e6;
        *p99 = (double)lat[n * 99 / 100] / 1e6;
    }
    *ret_lost = frames - atomic_load(&s.delivered);
    side_close(&s);
    free(au);
    free(start);
    free(lat);
}

static void cpu_and_load(char *cpu, size_t cn, char *load, size_t ln)
{
    snprintf(cpu, cn, "unknown");
    snprintf(load, ln, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
            const char *v = strchr(line, ':') + 2;
            size_t l = strcspn(v, "\n");
            l = l < cn - 1 ? l : cn - 1;
            memcpy(cpu, v, l);
            cpu[l] = '\0';
            break;
        }
    if (f)
        fclose(f);
    f = fopen("/proc/loadavg", "r");
    if (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        line[ln - 1 < sizeof(line) ? ln - 1 : sizeof(line) - 1] = '\0';
        memcpy(load, line, strlen(line) + 1);
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    if (bench_parse_args(argc, argv, &o, "usage: pf-bench-native [--json] [--quick]") < 0)
        return 2;
    pin_cpu(0);
    char cpu[256], load[128];
    cpu_and_load(cpu, sizeof(cpu), load, sizeof(load));
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (o.json)
        printf("{\"bench\":\"native_env\",\"cpu\":\"%s\",\"cpus\":%ld,\"loadavg\":\"%s\"}\n", cpu,
               ncpu, load);
    else
        printf("CPU %s (%ld online), load %s; sender on CPU 0, receiver on CPU %d\n", cpu, ncpu,
               load, ncpu > 1 ? 1 : 0);
    static const size_t sizes[] = {1u << 20, 4u << 20};
    for (size_t i = 0; i < 2; i++) {
        if (!bench_selected(&o, "native_throughput"))
            break;
        uint32_t frames = o.quick ? 8 : (sizes[i] > (1u << 20) ? 150 : 500);
        uint64_t nl, ns, gl, gs;
        /* Interleaved: GameStream, punktfunk/1, GameStream, punktfunk/1; best of two each. */
        double g = throughput(0, sizes[i], frames, &gl, &gs);
        double n = throughput(1, sizes[i], frames, &nl, &ns);
        double g2 = throughput(0, sizes[i], frames, &gl, &gs);
        double n2 = throughput(1, sizes[i], frames, &nl, &ns);
        g = g2 > g ? g2 : g;
        n = n2 > n ? n2 : n;
        if (o.json)
            printf("{\"bench\":\"native_throughput\",\"frame_bytes\":%zu,\"fec_percent\":%u,"
                   "\"frames\":%u,\"gbps\":%.3f,\"frames_lost\":%llu,\"ref\":\"gamestream\","
                   "\"ref_gbps\":%.3f,\"ref_frames_lost\":%llu,\"ref_frames_without_fec\":%llu,"
                   "\"ratio\":%.3f}\n",
                   sizes[i], FEC_PERCENT, frames, n, (unsigned long long)nl, g,
                   (unsigned long long)gl, (unsigned long long)gs, g > 0 ? n / g : 0);
        else
            printf("%zu-byte AUs, FEC %u %%: punktfunk/1 %.2f Gbit/s (%llu lost), GameStream "
                   "%.2f Gbit/s (%llu lost, %llu without parity): ratio %.2f\n",
                   sizes[i], FEC_PERCENT, n, (unsigned long long)nl, g, (unsigned long long)gl,
                   (unsigned long long)gs, g > 0 ? n / g : 0);
    }
    if (bench_selected(&o, "native_latency")) {
        uint32_t frames = o.quick ? 24 : 600;
        double np50, np99, gp50, gp99;
        uint64_t nl, gl;
        latency(0, 65536, 120, frames, &gp50, &gp99, &gl);
        latency(1, 65536, 120, frames, &np50, &np99, &nl);
        if (o.json)
            printf("{\"bench\":\"native_latency\",\"frame_bytes\":65536,\"fps\":120,"
                   "\"frames\":%u,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"frames_lost\":%llu,"
                   "\"ref\":\"gamestream\",\"ref_p50_ms\":%.3f,\"ref_p99_ms\":%.3f}\n",
                   frames, np50, np99, (unsigned long long)nl, gp50, gp99);
        else
            printf("64 KB AUs at 120 fps, packetize -> reassembled: punktfunk/1 p50 %.3f ms p99 "
                   "%.3f ms (%llu lost); GameStream p50 %.3f ms p99 %.3f ms\n",
                   np50, np99, (unsigned long long)nl, gp50, gp99);
    }
    return 0;
}
