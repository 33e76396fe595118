/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 streaming against `pfhost serve --source testpattern`: frames travel the raw UDP
 * data plane (GF(2^16) FEC, AES-128-GCM or ChaCha20-Poly1305), are reassembled and decoded
 * here, and the test pattern's frame counter proves every one arrived in order; a Reconfigure
 * changes the mode mid-stream on the same data plane. Built with NATIVE_LOSS it runs in its own
 * network namespace: a clean session first (the cold-start parity, then exactly the percentage
 * rule), then one with 20 % random loss on every data-plane datagram, where the client's loss
 * reports (§9.1) must raise the host's FEC and not one access unit may be lost. */
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "native_harness.h"
#include "native_video.h"

typedef struct run {
    native_client *c;
    native_video *v;
    int fd;
    pf_pkf1_welcome w;
    uint64_t next_report_ms, keyframes_asked, last_ask_ms;
} run;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int group_setup(void **state)
{
    if (native_setup(state) < 0)
        return -1;
    char pin[5];
    return arm_pin(pin) == 0 && pair_once(cert_a, key_a, fp_a, pin) == 0 ? 0 : -1;
}

static void run_open(run *r, uint32_t w, uint32_t h, uint32_t hz, uint8_t caps)
{
    memset(r, 0, sizeof(*r));
    r->c = open_session(w, h, hz, caps, &r->w, &r->fd);
    assert_int_equal(nvideo_create(&r->w, r->fd, &r->v), 0);
    r->next_report_ms = now_ms() + 750;
}

static void run_close(run *r)
{
    nclient_close(r->c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(r->c);
    nvideo_destroy(r->v);
    close(r->fd);
}

/* Streams until @p decoded more pictures were decoded or @p timeout_ms passed, sending what a
 * client sends: LossReport + DeliveryReport every 750 ms, a keyframe request after a loss. */
static uint64_t run_frames(run *r, uint64_t decoded, int timeout_ms)
{
    native_video_stats st;
    nvideo_get_stats(r->v, &st);
    uint64_t want = st.decoded + decoded, end = now_ms() + (uint64_t)timeout_ms;
    while (st.decoded < want && now_ms() < end) {
        nvideo_poll(r->v, 2);
        nclient_pump(r->c, 1);
        pf_pkf1_msg m;
        /* One keyframe request per 500 ms at most: an IDR is on its way. */
        if (nvideo_take_lost(r->v) && now_ms() >= r->last_ask_ms + 500) {
            pf_pkf1_msg_init(&m, PF_PKF1_MSG_REQUEST_KEYFRAME);
            nclient_send_msg(r->c, &m);
            r->keyframes_asked++;
            r->last_ask_ms = now_ms();
        }
        if (now_ms() >= r->next_report_ms) {
            r->next_report_ms += 750;
            pf_pkf1_msg_init(&m, PF_PKF1_MSG_LOSS_REPORT);
            m.value32 = nvideo_loss_ppm(r->v);
            nclient_send_msg(r->c, &m);
            pf_pkf1_msg_init(&m, PF_PKF1_MSG_DELIVERY_REPORT);
            m.value64 = st.packets;
            nclient_send_msg(r->c, &m);
        }
        nvideo_get_stats(r->v, &st);
    }
    return st.decoded;
}

static void print_stats(const char *what, const run *r)
{
    native_video_stats st;
    nvideo_get_stats(r->v, &st);
    print_message("# %s: %llu frames, %llu decoded (%ux%u), %llu lost, %llu IDR, counter "
                  "%llu..%llu (%llu gaps, %llu errors), %llu packets, %llu shards recovered, "
                  "capture -> reassembled p50 %.2f ms p99 %.2f ms\n",
                  what, (unsigned long long)st.frames, (unsigned long long)st.decoded,
                  st.width, st.height, (unsigned long long)st.frames_lost,
                  (unsigned long long)st.idr_frames, (unsigned long long)st.first_counter,
                  (unsigned long long)st.last_counter, (unsigned long long)st.counter_gaps,
                  (unsigned long long)st.counter_errors, (unsigned long long)st.packets,
                  (unsigned long long)st.shards_recovered, (double)st.latency_ns[0] / 1e6,
                  (double)st.latency_ns[1] / 1e6);
}

#ifndef NATIVE_LOSS
static void stream_300(uint8_t caps, uint32_t cipher, const char *what)
{
    run r;
    run_open(&r, 1280, 720, 120, caps);
    assert_int_equal(r.w.cipher, cipher);
    assert_true(run_frames(&r, 300, 90000) >= 300);
    print_stats(what, &r);
    native_video_stats st;
    nvideo_get_stats(r.v, &st);
    assert_int_equal(st.frames_lost, 0);
    assert_int_equal(st.counter_gaps, 0);
    assert_int_equal(st.counter_errors, 0);
    assert_int_equal(st.width, 1280);
    assert_int_equal(st.height, 720);
    assert_true(st.last_counter - st.first_counter >= 299);
    /* Audio rides QUIC datagrams: 0xC9, 5 ms Opus frames with a running seq (§8.2). */
    uint8_t d[1500];
    size_t n;
    uint32_t audio = 0, last_seq = 0, in_order = 1;
    while (nclient_recv_datagram(r.c, d, sizeof(d), &n, 0) == 0) {
        pf_pkf1_audio a;
        if (pf_pkf1_audio_decode(d, n, &a) < 0 || a.tag != PF_PKF1_DG_AUDIO || !a.payload_len)
            continue;
        in_order &= !audio || a.seq > last_seq;
        last_seq = a.seq;
        audio++;
    }
    print_message("# %u Opus datagrams queued, in order: %u\n", audio, in_order);
    assert_true(audio >= 50);
    assert_true(in_order);
    run_close(&r);
}

static void stream_aes_gcm(void **state)
{
    (void)state;
    stream_300(0, PF_PKF1_CIPHER_AES128_GCM, "720p120 AES-128-GCM");
}

static void stream_chacha20(void **state)
{
    (void)state;
    stream_300(PF_PKF1_VIDEO_CAP_CHACHA20, PF_PKF1_CIPHER_CHACHA20_POLY1305,
               "720p120 ChaCha20-Poly1305");
}

static void mode_change_mid_stream(void **state)
{
    (void)state;
    run r;
    run_open(&r, 1280, 720, 60, 0);
    assert_true(run_frames(&r, 30, 30000) >= 30);
    pf_pkf1_msg m, e;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_RECONFIGURE);
    m.width = 960;
    m.height = 540;
    m.refresh_hz = 60;
    assert_int_equal(nclient_send_msg(r.c, &m), 0);
    uint8_t buf[256];
    assert_int_equal(nclient_recv_type(r.c, PF_PKF1_MSG_RECONFIGURED, buf, sizeof(buf), &e, 10000),
                     0);
    assert_int_equal(e.flag, 1);
    assert_int_equal(e.width, 960);
    /* The same data socket and keys carry the new mode: its first frame is an IDR with
     * parameter sets, and the decoder follows it. */
    uint64_t end = now_ms() + 30000;
    native_video_stats st;
    do {
        run_frames(&r, 10, 5000);
        nvideo_get_stats(r.v, &st);
    } while (st.width != 960 && now_ms() < end);
    assert_int_equal(st.width, 960);
    assert_int_equal(st.height, 540);
    assert_true(run_frames(&r, 30, 30000) >= 30);
    print_stats("mode change 720p -> 540p", &r);
    nvideo_get_stats(r.v, &st);
    assert_int_equal(st.counter_errors, 0);
    assert_int_equal(st.frames_lost, 0);
    run_close(&r);
}
#else
/* Blocks of the window between two snapshots: how many, parity per data shard, and how many
 * the loss sizing gave more than any percentage could. */
static void print_blocks(const char *what, const native_video_stats *a,
                         const native_video_stats *b)
{
    uint64_t blocks = b->blocks - a->blocks, k = b->block_data - a->block_data,
             m = b->block_parity - a->block_parity;
    print_message("# %s: %llu blocks, %llu data + %llu parity shards (parity %.1f %% of the "
                  "payload), %llu sized for loss beyond the 50 %% rule\n",
                  what, (unsigned long long)blocks, (unsigned long long)k,
                  (unsigned long long)m, k ? 100.0 * (double)m / (double)k : 0.0,
                  (unsigned long long)(b->blocks_loss_sized - a->blocks_loss_sized));
}

/* The highest FEC percentage a "loss …, FEC a% -> b%" line of the host log rose to. */
static unsigned fec_rose_to(void)
{
    char path[512], line[512];
    snprintf(path, sizeof(path), "%s/host.log", host.dir);
    FILE *f = fopen(path, "r");
    unsigned rose = 0;
    while (f && fgets(line, sizeof(line), f)) {
        char *p = strstr(line, ", FEC ");
        unsigned from, to;
        if (p && strstr(line, ": loss ") && sscanf(p, ", FEC %u%% -> %u%%", &from, &to) == 2 &&
            to > from && to > rose)
            rose = to;
    }
    if (f)
        fclose(f);
    return rose;
}

static void loss_20_percent(void **state)
{
    (void)state;
    native_video_stats a, b;
    /* 1. A clean link. Frames sent before a LossReport covered a window of them carry the
     * cold-start parity (sized for 25 % loss, far above any percentage); from the first
     * report of 0 on, every block has exactly the percentage rule's parity, the Welcome's
     * 10 % at most: a clean link pays nothing for the loss sizing. */
    run r;
    run_open(&r, 1280, 720, 60, 0);
    assert_true(run_frames(&r, 15, 30000) >= 15);
    nvideo_get_stats(r.v, &a);
    print_blocks("clean link, cold start", &(native_video_stats){0}, &a);
    assert_true(a.blocks_loss_sized > 0);
    /* Well past the first reports (they come every 750 ms), even with the client lagging
     * behind on busy cores. */
    assert_true(run_frames(&r, 240, 30000) >= 240);
    nvideo_get_stats(r.v, &a);
    assert_true(run_frames(&r, 120, 30000) >= 120);
    nvideo_get_stats(r.v, &b);
    print_blocks("clean link, after the first reports", &a, &b);
    assert_true(b.blocks > a.blocks);
    assert_int_equal(b.blocks_over_rule10, a.blocks_over_rule10);
    assert_int_equal(b.frames_lost, 0);
    run_close(&r);

    /* 2. 20 % random loss on every datagram of the data plane (either way; not the QUIC
     * port), from before the session starts to its end. The cold start carries the first IDR
     * and frames, the loss reports then size the parity, and no access unit is lost: every
     * frame index arrives, every picture decodes, and the test pattern's counter runs
     * without a gap. */
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "nft add table inet pfloss && nft add chain inet pfloss in "
             "'{ type filter hook input priority 0; }' && nft add rule inet pfloss in "
             "udp sport != %u udp dport != %u numgen random mod 5 0 drop",
             native_port, native_port);
    assert_int_equal(system(cmd), 0);
    run_open(&r, 1280, 720, 60, 0);
    assert_true(run_frames(&r, 300, 90000) >= 300);
    nvideo_get_stats(r.v, &b);
    assert_int_equal(system("nft delete table inet pfloss"), 0);
    print_stats("under 20% loss", &r);
    print_blocks("under 20% loss", &(native_video_stats){0}, &b);
    assert_true(b.shards_recovered > 0);
    assert_int_equal(b.frames_lost, 0);
    assert_int_equal(b.decoded, b.frames);
    assert_int_equal(b.counter_gaps, 0);
    assert_int_equal(b.counter_errors, 0);
    assert_int_equal(r.keyframes_asked, 0);
    /* Adaptive FEC rose from the Welcome's 10 % (the host's log), and the client saw blocks
     * carrying more parity than the percentage rule gives at 50 %. */
    unsigned rose = fec_rose_to();
    print_message("# FEC rose to %u %%\n", rose);
    assert_true(rose >= 20);
    assert_true(b.blocks_loss_sized > b.blocks / 2);
    /* After the loss ends the stream goes on whole. */
    assert_true(run_frames(&r, 30, 30000) >= 30);
    nvideo_get_stats(r.v, &b);
    assert_int_equal(b.frames_lost, 0);
    assert_int_equal(b.counter_gaps, 0);
    run_close(&r);
}
#endif

int main(void)
{
#ifdef NATIVE_LOSS
    /* Root in a fresh network namespace: the rule and the traffic stay inside it; nft sees a
     * GSO burst as one packet, so per-datagram loss needs plain sends. */
    setenv("PF_UDP_GSO", "0", 1);
    if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0 ||
        system("nft list tables >/dev/null 2>&1") != 0) {
        printf("1..0 # SKIP needs root, network namespaces and nft\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(loss_20_percent)};
#else
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stream_aes_gcm),
        cmocka_unit_test(stream_chacha20),
        cmocka_unit_test(mode_change_mid_stream),
    };
#endif
    return cmocka_run_group_tests(tests, group_setup, native_teardown);
}
