/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-bench-pipeline --throughput: how much GameStream video one sending core can protect
 * (Reed-Solomon parity), seal (AES-128-GCM per datagram, §6.6) and hand to the kernel on
 * loopback. Frames are synthetic access units of a fixed size, sent back to back (no frame
 * interval, so no pacing sleeps) through the same packetizer and pacer the host uses, UDP GSO
 * where the kernel takes it; a second thread drains the receiving socket (with UDP_GRO, as
 * libpfclient receives; on loopback the sender's CPU time includes the kernel's UDP input up
 * to that socket, run in a softirq on the sending core). The rate is payload
 * (access-unit bytes, not parity or headers) per second of the sending thread's CPU time,
 * user and system, which is what "per sending core" means; wall-clock rate and the share of
 * datagrams the receiver saw are printed beside it. Packetize + seal alone, without the
 * socket, is measured too. */
#include "bench_pipeline_tput.h"

#include <arpa/inet.h>
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
#include "pf/net_stream.h"

#include "bench.h"
#include "udp_rx.h"

/* Datagrams per GSO send: 45 sealed 1440-byte datagrams stay under UDP's 64 KiB limit. */
#define BURST_PACKETS 45u

int loopback_pair(int buf_bytes, int *ret_tx, int *ret_rx, struct sockaddr_in *ret_addr)
{
    int tx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int rx_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    struct timeval tv = {.tv_usec = 20000};
    if (tx_fd < 0 || rx_fd < 0 || bind(rx_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(rx_fd, (struct sockaddr *)&sa, &sl) < 0) {
        if (tx_fd >= 0)
            close(tx_fd);
        if (rx_fd >= 0)
            close(rx_fd);
        return -1;
    }
    /* Forcing the size needs CAP_NET_ADMIN; without it the sysctl limits apply. */
    setsockopt(rx_fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf_bytes, sizeof(buf_bytes));
    setsockopt(tx_fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf_bytes, sizeof(buf_bytes));
    setsockopt(rx_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    *ret_tx = tx_fd;
    *ret_rx = rx_fd;
    *ret_addr = sa;
    return 0;
}

struct drain {
    int fd;
    atomic_int stop;
    uint64_t datagrams;
};

static void count_datagram(void *ud, const uint8_t *dg, size_t len)
{
    ((struct drain *)ud)->datagrams++;
}

/* Receives as a client does (libpfclient's UDP_GRO receiver): a GSO send is queued whole, not
 * cut into datagrams on the sending core. */
static void *drain_main(void *arg)
{
    struct drain *d = arg;
    pfi_udp_rx rx;
    if (pfi_udp_rx_init(&rx, d->fd, 16) < 0)
        return NULL;
    while (!atomic_load(&d->stop))
        pfi_udp_rx_recv(&rx, 0, count_datagram, d);
    pfi_udp_rx_finish(&rx);
    return NULL;
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct tput {
    double cpu_gbps, wall_gbps, received, packetize_gbps;
    uint32_t packets_per_frame;
};

/* Sends frames of @au_len bytes for about @seconds; @send 0 only packetizes and seals. */
static int run(size_t au_len, int use_gso, int send, double seconds, struct tput *ret)
{
    int tx_fd, rx_fd;
    struct sockaddr_in sa;
    if (loopback_pair(32 << 20, &tx_fd, &rx_fd, &sa) < 0)
        return -1;

    pf_net_pacer_settings ps;
    pf_net_pacer_settings_default(&ps);
    ps.fd = tx_fd;
    ps.use_gso = (uint32_t)use_gso;
    ps.burst_packets = BURST_PACKETS;
    pf_net_pacer *pacer = NULL;
    pf_gs_video_tx_settings ts;
    pf_gs_video_tx_settings_default(PF_GS_VIDEO_TX_SETTINGS_VERSION, &ts);
    ts.max_shapes = 256;
    ts.encrypt = 1;
    bench_fill(ts.key, sizeof(ts.key), 7);
    pf_gs_video_tx *tx = NULL;
    if (pf_net_pacer_create(&ps, &pacer) < 0 || pf_gs_video_tx_create(&ts, &tx) < 0)
        return -1;
    pf_net_pacer_set_peer(pacer, sa.sin_addr.s_addr, ntohs(sa.sin_port));

    uint32_t stride = 0, max_packets = 0;
    pf_gs_video_tx_get_frame_size(tx, au_len, &stride, &max_packets);
    size_t out_cap = (size_t)stride * max_packets;
    uint8_t *au = malloc(au_len), *out = malloc(out_cap);
    if (!au || !out)
        return -1;
    bench_fill(au, au_len, 11);

    struct drain d = {.fd = rx_fd};
    atomic_init(&d.stop, 0);
    pthread_t th;
    pthread_create(&th, NULL, drain_main, &d);

    uint64_t frames = 0, packets = 0;
    const double wall0 = clock_s(CLOCK_MONOTONIC), cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    double wall = 0;
    int failed = 0;
    while (wall < seconds || frames < 4) {
        pf_gs_video_frame_info info = {.version = PF_GS_VIDEO_FRAME_INFO_VERSION,
                                       .frame_type = PF_GS_FRAME_TYPE_P};
        pf_gs_video_tx_result res;
        if (pf_gs_video_tx_packetize(tx, &info, au, au_len, out, out_cap, stride, &res) < 0) {
            failed = 1;
            break;
        }
        if (send)
            pf_net_pacer_send(pacer, out, stride, res.packet_bytes, res.packet_count, 0, NULL);
        bench_consume(out, res.packet_bytes);
        frames++;
        packets += res.packet_count;
        ret->packets_per_frame = res.packet_count;
        wall = clock_s(CLOCK_MONOTONIC) - wall0;
    }
    const double cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
    usleep(50000);
    atomic_store(&d.stop, 1);
    pthread_join(th, NULL);

    const double bits = (double)frames * (double)au_len * 8;
    if (send) {
        ret->cpu_gbps = bits / cpu / 1e9;
        ret->wall_gbps = bits / wall / 1e9;
        ret->received = packets ? (double)d.datagrams / (double)packets : 0;
    } else {
        ret->packetize_gbps = bits / cpu / 1e9;
    }
    free(au);
    free(out);
    pf_gs_video_tx_destroy(tx);
    pf_net_pacer_destroy(pacer);
    close(tx_fd);
    close(rx_fd);
    return failed ? -1 : 0;
}

int pipeline_throughput(int json, int quick)
{
    static const size_t sizes[] = {1u << 20, 128u << 10};
    const double seconds = quick ? 0.05 : 1.0;
    /* Rates below are per second of the sending thread's CPU (see above). */
    struct bench_opts opts = {.json = json != 0, .quick = quick != 0, .thread_cpu = true};
    bench_print_env(&opts, "payload: access-unit bytes per second of the sending thread's "
                           "CPU time (user + system); 20 % parity, 1392-byte packets, every "
                           "datagram sealed with AES-128-GCM\n"
                           "loopback: the receiver uses UDP_GRO; the sender's CPU time includes "
                           "the kernel's UDP input up to the receiving socket\n");
    int rc = 0;
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        for (int gso = 1; gso >= 0; gso--) {
            struct tput t = {0};
            if (run(sizes[i], gso, 0, seconds, &t) < 0 || run(sizes[i], gso, 1, seconds, &t) < 0) {
                fprintf(stderr, "pf-bench-pipeline: throughput run failed\n");
                rc = 1;
                continue;
            }
            const char *path = gso ? "gso" : "sendmmsg";
            if (json)
                printf("{\"bench\":\"pipeline_throughput\",\"frame_bytes\":%zu,\"send\":\"%s\","
                       "\"encrypt\":true,\"packets_per_frame\":%u,\"gbps_per_send_core\":%.3f,"
                       "\"gbps_wall\":%.3f,\"received_fraction\":%.4f,"
                       "\"gbps_packetize_seal_only\":%.3f}\n",
                       sizes[i], path, t.packets_per_frame, t.cpu_gbps, t.wall_gbps,
                       t.received, t.packetize_gbps);
            else
                printf("throughput %7zu-byte frames, sealed, %-8s: %6.2f Gbit/s payload per "
                       "sending core (%6.2f wall; %5.1f %% received); packetize + seal alone "
                       "%6.2f Gbit/s\n",
                       sizes[i], path, t.cpu_gbps, t.wall_gbps, 100 * t.received,
                       t.packetize_gbps);
            fflush(stdout);
        }
    }
    return rc;
}
