/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The speed test of a punktfunk/1 session (native_probe.h). The filler thread keeps a byte
 * budget that grows with time at the asked rate and sends whole shard-sized datagrams as the
 * budget allows, so the rate holds over the test without bursts larger than one small AU. It
 * counts what it packetized (bytes_sent, packets_sent), what the kernel accepted
 * (wire_packets_sent) and what the kernel refused (send_dropped): the client compares what
 * arrived with wire_packets_sent to get the loss of the path. */
#include "native_probe.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>

#include "pf/core/error.h"

#include "host.h"

/* Shards per filler AU: small AUs keep the filler smooth beside the video. */
#define PROBE_AU_SHARDS 32u
/* The result timer fires this long after the test's end, when the thread is done. */
#define PROBE_RESULT_SLACK_US 20000u

struct native_probe {
    native_conn *nc;
    sd_event *loop;
    native_media *m;
    int fd;
    uint32_t shard;
    uint8_t *filler, *pkts;
    size_t pkts_cap;
    sd_event_source *timer;
    pthread_t thread;
    int running; /* a thread exists (loop thread's view) */
    atomic_int stop;
    /* the run: set before the thread starts, counters read after it is joined */
    uint32_t kbps, ms;
    uint64_t bytes_sent;
    uint32_t packets_sent, wire_packets_sent, send_dropped, duration_ms;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
    struct timespec ts = {(time_t)(ns / 1000000000u), (long)(ns % 1000000000u)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Hands @p count datagrams to the kernel without blocking; what it refuses is dropped, as a
 * full queue on the path would drop it. */
static void send_batch(native_probe *p, uint32_t count, uint32_t bytes)
{
    struct mmsghdr msgs[PROBE_AU_SHARDS];
    struct iovec iov[PROBE_AU_SHARDS];
    memset(msgs, 0, sizeof(msgs));
    for (uint32_t i = 0; i < count; i++) {
        iov[i].iov_base = p->pkts + (size_t)i * bytes;
        iov[i].iov_len = bytes;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    uint32_t off = 0;
    while (off < count) {
        int r = sendmmsg(p->fd, msgs + off, count - off, MSG_DONTWAIT);
        if (r > 0) {
            off += (uint32_t)r;
            continue;
        }
        if (r < 0 && errno == EINTR)
            continue;
        break;
    }
    p->wire_packets_sent += off;
    p->send_dropped += count - off;
}

static void *probe_main(void *arg)
{
    native_probe *p = arg;
    const uint64_t per = (uint64_t)p->shard + PF_PKF1_MEDIA_OVERHEAD;
    const uint64_t t0 = mono_ns(), end = t0 + (uint64_t)p->ms * 1000000u;
    uint64_t budget_used = 0;
    for (;;) {
        uint64_t now = mono_ns();
        if (now >= end || atomic_load(&p->stop))
            break;
        /* Bytes the rate allows by now: kbps × 1000 / 8 bytes per second. */
        uint64_t due = (uint64_t)p->kbps * (now - t0) / 8000000u;
        while (due >= budget_used + per && !atomic_load(&p->stop)) {
            uint64_t n = (due - budget_used) / per;
            n = n > PROBE_AU_SHARDS ? PROBE_AU_SHARDS : n;
            pf_pkf1_video_tx_result res;
            if (!native_media_is_ready(p->m) ||
                native_media_packetize_probe(p->m, p->filler, (size_t)n * p->shard, p->pkts,
                                             p->pkts_cap, &res) < 0) {
                budget_used += n * per; /* nothing to send to yet: the budget still runs */
                continue;
            }
            p->packets_sent += res.packet_count;
            p->bytes_sent += (uint64_t)res.packet_count * res.packet_bytes;
            budget_used += (uint64_t)res.packet_count * res.packet_bytes;
            send_batch(p, res.packet_count, res.packet_bytes);
        }
        /* Until the next datagram is due, between 100 µs and 2 ms. */
        uint64_t wait = (budget_used + per - due) * 8000000u / p->kbps;
        wait = wait < 100000u ? 100000u : wait > 2000000u ? 2000000u : wait;
        now = mono_ns();
        if (now + wait > end)
            wait = end > now ? end - now : 0;
        sleep_ns(wait);
    }
    uint64_t took = mono_ns() - t0;
    p->duration_ms = (uint32_t)((took + 500000u) / 1000000u);
    return NULL;
}

static void send_result(native_probe *p, int empty)
{
    pf_pkf1_msg r;
    pf_pkf1_msg_init(&r, PF_PKF1_MSG_PROBE_RESULT);
    /* The 29-byte form (has_ext) with the kernel's counters. */
    r.has_ext = 1;
    if (!empty) {
        r.value64 = p->bytes_sent;
        r.value32 = p->packets_sent;
        r.value32b = p->duration_ms;
        r.value32c = p->wire_packets_sent;
        r.value32d = p->send_dropped;
    }
    native_send_msg(p->nc, &r, 0);
}

static void join(native_probe *p)
{
    if (!p->running)
        return;
    pthread_join(p->thread, NULL);
    p->running = 0;
}

static int on_done(sd_event_source *src, uint64_t usec, void *ud)
{
    native_probe *p = ud;
    join(p);
    send_result(p, 0);
    host_log("native %s: speed test at %u kbit/s for %u ms: %u datagrams (%llu bytes), the "
             "kernel took %u and refused %u",
             p->nc->peer, p->kbps, p->duration_ms, p->packets_sent,
             (unsigned long long)p->bytes_sent, p->wire_packets_sent, p->send_dropped);
    return 0;
}

int native_probe_create(native_conn *nc, sd_event *loop, native_media *m, int fd,
                        uint32_t shard_payload, native_probe **ret)
{
    native_probe *p = calloc(1, sizeof(*p));
    if (!p)
        return PF_ERR_NOMEM;
    p->nc = nc;
    p->loop = loop;
    p->m = m;
    p->fd = fd;
    p->shard = shard_payload;
    p->pkts_cap = (size_t)PROBE_AU_SHARDS * (shard_payload + PF_PKF1_MEDIA_OVERHEAD);
    p->filler = calloc(PROBE_AU_SHARDS, shard_payload);
    p->pkts = malloc(p->pkts_cap);
    atomic_init(&p->stop, 0);
    if (!p->filler || !p->pkts ||
        sd_event_add_time(loop, &p->timer, CLOCK_MONOTONIC, UINT64_MAX, 1000, on_done, p) < 0) {
        native_probe_destroy(p);
        return PF_ERR_NOMEM;
    }
    sd_event_source_set_enabled(p->timer, SD_EVENT_OFF);
    *ret = p;
    return 0;
}

void native_probe_destroy(native_probe *p)
{
    if (!p)
        return;
    atomic_store(&p->stop, 1);
    join(p);
    sd_event_source_unref(p->timer);
    free(p->filler);
    free(p->pkts);
    free(p);
}

static uint32_t clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void native_probe_request(native_probe *p, const pf_pkf1_msg *req)
{
    if (p->running) {
        /* One test at a time: two would share the link and both measure half of it. The
         * empty result tells the asker at once instead of leaving it to time out. */
        host_log("native %s: a speed test is already running; the new request gets an empty "
                 "result", p->nc->peer);
        send_result(p, 1);
        return;
    }
    p->kbps = clamp(req->value32, NATIVE_PROBE_MIN_KBPS, NATIVE_PROBE_MAX_KBPS);
    p->ms = clamp(req->value32b, NATIVE_PROBE_MIN_MS, NATIVE_PROBE_MAX_MS);
    p->bytes_sent = 0;
    p->packets_sent = p->wire_packets_sent = p->send_dropped = p->duration_ms = 0;
    atomic_store(&p->stop, 0);
    uint64_t now;
    sd_event_now(p->loop, CLOCK_MONOTONIC, &now);
    if (pthread_create(&p->thread, NULL, probe_main, p) != 0) {
        host_log("native %s: cannot start the speed test thread", p->nc->peer);
        send_result(p, 1);
        return;
    }
    p->running = 1;
    sd_event_source_set_time(p->timer, now + (uint64_t)p->ms * 1000u + PROBE_RESULT_SLACK_US);
    sd_event_source_set_enabled(p->timer, SD_EVENT_ONESHOT);
    host_log("native %s: speed test at %u kbit/s for %u ms (asked %u kbit/s for %u ms)",
             p->nc->peer, p->kbps, p->ms, req->value32, req->value32b);
}
