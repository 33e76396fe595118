/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-native: protected video on loopback, punktfunk/1 beside GameStream in the same run.
 * One sending core packetizes (GF(2^16) FEC at 20 %), seals (AES-128-GCM) and sends (libpfnet's
 * pacer: GSO, else sendmmsg) whole access units; a receiver on the other core opens,
 * reassembles and repairs every one. Throughput is video payload per second with at most two
 * AUs in flight (so the receiver is never overrun and frames lost must be 0), at 1 MB and 4 MB
 * AUs; the reference is GameStream's path (GF(2^8), 255-shard blocks, AES-GCM per datagram),
 * whose 4-block limit sends a 4 MB AU without parity (counted). Transport latency is
 * packetize start → reassembled for 720p120-sized AUs (64 KB at 120 fps), with a receiver that
 * sleeps and with one that polls. Beside each wall-clock
 * rate the payload per CPU-second of the sending and the receiving thread is printed (on a
 * shared machine that is what the code costs). The sender sleeps, not spins, while it waits
 * for the receiver, so its CPU time is its work.
 *
 * What loopback charges to the sender: its system time holds the copy of every datagram into
 * kernel buffers and IP output, and also the loopback "wire" and the receive side up to the
 * receiving socket's queue (IP and UDP input, run in a softirq on the sending core right after
 * each send). Both receivers here turn UDP_GRO on, as libpfclient does, so a GSO send is
 * queued as one message instead of being cut into datagrams on the sender's core; the copy to
 * the receiver's memory is the receiver's. Kernels built with IRQ time accounting leave that
 * softirq time out of a thread's CPU time: the share of the sending core spent in softirq
 * during each run is printed so that a reader can tell which case a figure is.
 *
 * usage: pf-bench-native [--json] [--quick] [--only NAME] */
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
#include "udp_rx.h"

#define FEC_PERCENT 20u
#define WINDOW 2u
#define BATCH 16u /* messages per recvmmsg, each up to 64 KiB with UDP_GRO */

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
    atomic_int poll; /* the receiver polls (MSG_DONTWAIT) instead of sleeping in recvmmsg */
    pthread_mutex_t lock; /* with settled_cond: the sender sleeps until an AU settles */
    pthread_cond_t settled_cond;
    uint64_t delivered, lost;
    uint64_t *done_ns; /* by AU number */
    uint32_t max_frames;
    uint64_t fec_skipped;
    uint64_t rx_cpu_ns; /* receiver thread CPU time, set when it ends */
} side;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* CPU time of the calling thread (user + system): on a shared machine the rate per CPU-second
 * of each side says what the code costs, where wall-clock rates say how busy the machine was. */
static uint64_t thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Softirq time of CPU @p cpu so far (/proc/stat, tick resolution), 0 where unknown. */
static uint64_t softirq_ns(int cpu)
{
    char want[16], line[512];
    snprintf(want, sizeof(want), "cpu%d ", cpu);
    unsigned long long v[7] = {0};
    FILE *f = fopen("/proc/stat", "r");
    while (f && fgets(line, sizeof(line), f))
        if (!strncmp(line, want, strlen(want))) {
            sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                   &v[2], &v[3], &v[4], &v[5], &v[6]);
            break;
        }
    if (f)
        fclose(f);
    long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? v[6] * (1000000000ull / (unsigned long long)hz) : 0;
}

static void pin_cpu(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof(set), &set);
}

static void settle(side *s, uint64_t delivered, uint64_t lost)
{
    pthread_mutex_lock(&s->lock);
    s->delivered += delivered;
    s->lost += lost;
    pthread_cond_signal(&s->settled_cond);
    pthread_mutex_unlock(&s->lock);
}

static void mark(side *s, uint32_t index)
{
    if (index < s->max_frames)
        s->done_ns[index] = now_ns();
    settle(s, 1, 0);
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
    settle(ud, 0, count);
}

static void feed(void *ud, const uint8_t *dg, size_t len)
{
    side *s = ud;
    if (s->native)
        pf_pkf1_video_rx_feed(s->nrx, dg, len);
    else
        pf_gs_video_rx_feed(s->grx, dg, len);
}

static void *rx_main(void *arg)
{
    side *s = arg;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    pin_cpu(ncpu > 1 ? 1 : 0);
    pfi_udp_rx rx;
    if (pfi_udp_rx_init(&rx, s->rx_fd, BATCH) < 0)
        return NULL;
    uint64_t cpu0 = thread_cpu_ns();
    /* recvmmsg's own timeout is checked only after a datagram: SO_RCVTIMEO bounds the wait
     * so that the thread sees stop. */
    while (!atomic_load(&s->stop))
        pfi_udp_rx_recv(&rx, atomic_load(&s->poll) ? MSG_DONTWAIT : MSG_WAITFORONE, feed, s);
    s->rx_cpu_ns = thread_cpu_ns() - cpu0;
    pfi_udp_rx_finish(&rx);
    return NULL;
}

static int side_open(side *s, int native, uint32_t max_frames)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->settled_cond, &ca);
    pthread_condattr_destroy(&ca);
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
    pthread_cond_destroy(&s->settled_cond);
    pthread_mutex_destroy(&s->lock);
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

/* Sleeps until at least @p want AUs are delivered or lost, or until @p deadline_ns. */
static void wait_settled(side *s, uint64_t want, uint64_t deadline_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(deadline_ns / 1000000000ull),
                          .tv_nsec = (long)(deadline_ns % 1000000000ull)};
    pthread_mutex_lock(&s->lock);
    while (s->delivered + s->lost < want)
        if (pthread_cond_timedwait(&s->settled_cond, &s->lock, &ts) != 0)
            break;
    pthread_mutex_unlock(&s->lock);
}

static uint64_t delivered(side *s)
{
    pthread_mutex_lock(&s->lock);
    uint64_t d = s->delivered;
    pthread_mutex_unlock(&s->lock);
    return d;
}

/* Sends @p frames AUs of @p len bytes, at most WINDOW unfinished. Returns payload Gbit/s. */
typedef struct rate {
    double gbps;     /* payload per wall-clock second */
    double tx_cpu;   /* payload per sender CPU-second, Gbit/s */
    double rx_cpu;   /* payload per receiver CPU-second, Gbit/s */
    double tx_softirq; /* softirq time on the sending CPU over the sender's CPU time */
    uint64_t lost, skipped;
} rate;

static rate throughput(int native, size_t len, uint32_t frames)
{
    side s;
    rate out = {0};
    uint8_t *au = malloc(len);
    if (!au || side_open(&s, native, frames) < 0) {
        free(au);
        return out;
    }
    bench_fill(au, len, 99);
    uint64_t t0 = now_ns(), c0 = thread_cpu_ns(), sirq0 = softirq_ns(0);
    for (uint32_t i = 0; i < frames; i++) {
        if (i >= WINDOW)
            wait_settled(&s, i + 1 - WINDOW, now_ns() + 500000000ull);
        send_au(&s, au, len, i);
    }
    uint64_t c1 = thread_cpu_ns(), sirq1 = softirq_ns(0); /* then only the receiver works */
    wait_settled(&s, frames, now_ns() + 2000000000ull);
    uint64_t t1 = now_ns();
    out.lost = frames - delivered(&s);
    out.skipped = s.fec_skipped;
    side_close(&s);
    free(au);
    double bits = (double)len * frames * 8.0;
    out.gbps = bits / (double)(t1 - t0);
    out.tx_cpu = c1 > c0 ? bits / (double)(c1 - c0) : 0;
    out.rx_cpu = s.rx_cpu_ns ? bits / (double)s.rx_cpu_ns : 0;
    out.tx_softirq = c1 > c0 ? (double)(sirq1 - sirq0) / (double)(c1 - c0) : 0;
    return out;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* AUs of @p len at @p fps: packetize start → reassembled, p50 and p99 in ms. */
static void latency(int native, int poll, size_t len, uint32_t fps, uint32_t frames,
                    double *p50, double *p99, uint64_t *ret_lost)
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
    atomic_store(&s.poll, poll);
    bench_fill(au, len, 5);
    uint64_t interval = 1000000000ull / fps, next = now_ns();
    for (uint32_t i = 0; i < frames; i++) {
        while (now_ns() < next)
            ;
        next += interval;
        start[i] = now_ns();
        send_au(&s, au, len, i);
    }
    wait_settled(&s, frames, now_ns() + 1000000000ull);
    size_t n = 0;
    for (uint32_t i = 0; i < frames; i++)
        if (s.done_ns[i] > start[i])
            lat[n++] = s.done_ns[i] - start[i];
    qsort(lat, n, sizeof(uint64_t), cmp_u64);
    if (n) {
        *p50 = (double)lat[n / 2] / 1e6;
        *p99 = (double)lat[n * 99 / 100] / 1e6;
    }
    *ret_lost = frames - delivered(&s);
    side_close(&s);
    free(au);
    free(start);
    free(lat);
}

int main(int argc, char **argv)
{
    struct bench_opts o;
    if (bench_parse_args(argc, argv, &o,
                         "usage: pf-bench-native [--json] [--quick] [--only NAME]") < 0)
        return 2;
    pin_cpu(0);
    o.thread_cpu = true;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    char legend[1024];
    snprintf(legend, sizeof(legend),
             "threads: sender on CPU 0, receiver on CPU %d of %ld online; rates are video "
             "payload per wall-clock second and per CPU-second of each thread\n"
             "gamestream (ref): the same run's GameStream path, GF(2^8) 255-shard blocks, "
             "AES-128-GCM per datagram, at most 4 blocks (larger AUs go without parity)\n"
             "loopback: the sender's CPU time includes the kernel's IP and UDP input up to the "
             "receiving socket (a softirq on the sending core; tx_softirq is its share); both "
             "receivers use UDP_GRO",
             ncpu > 1 ? 1 : 0, ncpu);
    bench_print_env(&o, legend);
    static const size_t sizes[] = {1u << 20, 4u << 20};
    for (size_t i = 0; i < 2; i++) {
        if (!bench_selected(&o, "native_throughput"))
            break;
        uint32_t frames = o.quick ? 8 : (sizes[i] > (1u << 20) ? 150 : 500);
        /* Interleaved: GameStream, punktfunk/1, GameStream, punktfunk/1; best of two each. */
        rate g = throughput(0, sizes[i], frames), n = throughput(1, sizes[i], frames);
        rate g2 = throughput(0, sizes[i], frames), n2 = throughput(1, sizes[i], frames);
        g = g2.gbps > g.gbps ? g2 : g;
        n = n2.gbps > n.gbps ? n2 : n;
        if (o.json)
            printf("{\"bench\":\"native_throughput\",\"frame_bytes\":%zu,\"fec_percent\":%u,"
                   "\"frames\":%u,\"gbps\":%.3f,\"gbps_per_tx_cpu\":%.3f,"
                   "\"gbps_per_rx_cpu\":%.3f,\"frames_lost\":%llu,\"ref\":\"gamestream\","
                   "\"ref_gbps\":%.3f,\"ref_gbps_per_tx_cpu\":%.3f,\"ref_gbps_per_rx_cpu\":%.3f,"
                   "\"ref_frames_lost\":%llu,\"ref_frames_without_fec\":%llu,\"ratio\":%.3f,"
                   "\"ratio_tx_cpu\":%.3f,\"tx_softirq\":%.3f,\"ref_tx_softirq\":%.3f}\n",
                   sizes[i], FEC_PERCENT, frames, n.gbps, n.tx_cpu, n.rx_cpu,
                   (unsigned long long)n.lost, g.gbps, g.tx_cpu, g.rx_cpu,
                   (unsigned long long)g.lost, (unsigned long long)g.skipped,
                   g.gbps > 0 ? n.gbps / g.gbps : 0, g.tx_cpu > 0 ? n.tx_cpu / g.tx_cpu : 0,
                   n.tx_softirq, g.tx_softirq);
        else
            printf("%zu-byte AUs, FEC %u %%: punktfunk/1 %.2f Gbit/s (%.2f per sender CPU-s, "
                   "%.2f per receiver CPU-s, %llu lost, softirq %.0f %% of sender CPU), "
                   "GameStream %.2f Gbit/s (%.2f, %.2f; %llu lost, %llu without parity, "
                   "softirq %.0f %%): ratio %.2f (per sender CPU %.2f)\n",
                   sizes[i], FEC_PERCENT, n.gbps, n.tx_cpu, n.rx_cpu, (unsigned long long)n.lost,
                   100 * n.tx_softirq, g.gbps, g.tx_cpu, g.rx_cpu, (unsigned long long)g.lost,
                   (unsigned long long)g.skipped, 100 * g.tx_softirq,
                   g.gbps > 0 ? n.gbps / g.gbps : 0, g.tx_cpu > 0 ? n.tx_cpu / g.tx_cpu : 0);
    }
    if (bench_selected(&o, "native_latency")) {
        /* Twice: with a receiver that sleeps in recvmmsg, as a client's thread does, and with
         * one that polls. The gap between the two is the wake-up of an idle CPU, which on a
         * virtual machine can take a millisecond when the hypervisor is busy: the polled
         * figure is the transport's own (a client that polls, or keeps its core awake, gets it). */
        static const char *const how[] = {"sleeping", "polling"};
        uint32_t frames = o.quick ? 24 : 600;
        for (int poll = 0; poll < 2; poll++) {
            double np50, np99, gp50, gp99;
            uint64_t nl, gl;
            latency(0, poll, 65536, 120, frames, &gp50, &gp99, &gl);
            latency(1, poll, 65536, 120, frames, &np50, &np99, &nl);
            if (o.json)
                printf("{\"bench\":\"native_latency\",\"receiver\":\"%s\",\"frame_bytes\":65536,"
                       "\"fps\":120,\"frames\":%u,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
                       "\"frames_lost\":%llu,\"ref\":\"gamestream\",\"ref_p50_ms\":%.3f,"
                       "\"ref_p99_ms\":%.3f}\n",
                       how[poll], frames, np50, np99, (unsigned long long)nl, gp50, gp99);
            else
                printf("64 KB AUs at 120 fps, packetize -> reassembled, %s receiver: punktfunk/1 "
                       "p50 %.3f ms p99 %.3f ms (%llu lost); GameStream p50 %.3f ms p99 %.3f ms\n",
                       how[poll], np50, np99, (unsigned long long)nl, gp50, gp99);
        }
    }
    return 0;
}
