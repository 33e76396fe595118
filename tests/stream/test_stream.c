/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The whole GameStream flow against `pfhost serve --source testpattern` over real sockets:
 * pairing, launch, RTSP, encrypted control stream, ping-learned video and audio, 300 frames
 * at 720p60 decoded with the frame counter checked, Opus audio decoded, input checked in the
 * recording backend, disconnect/resume/cancel, and bad input that must not disturb others. */
#include <arpa/inet.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libavutil/pixfmt.h>

#include "pf/core/gs_control.h"

#include "gs_client.h"
#include "host_proc.h"
#include "pattern.h"
#if defined(STREAM_PIPEWIRE) || defined(STREAM_VDISPLAY)
#include "harness.h"

static struct pfh_env pw_env;
#endif
#include "stream_client.h"
#include "stream_harness.h"

static host_proc host;
static gsc_identity client;
static char work[64], record_path[128];
static uint16_t rtsp_port;

static int group_setup(void **state)
{
    if (stream_work_dir(work, sizeof(work), "/tmp/pfhost-stream-XXXXXX") < 0)
        return -1;
    char path[256], conf[512];
    snprintf(path, sizeof(path), "%s/apps.json", work);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"apps\": [{\"name\": \"Desktop\"}, {\"name\": \"Short\", \"cmd\": \"sleep 2\"}]}\n");
    fclose(f);
    /* The source, the input recording the tests read back, and a short grace period and
     * control timeout, so that an app or a vanished client ends within a test. */
    snprintf(record_path, sizeof(record_path), "%s/input.log", work);
#if defined(STREAM_PIPEWIRE) || defined(STREAM_VDISPLAY)
    static char remote[300];
    snprintf(remote, sizeof(remote), "%s/pipewire-0", pw_env.dir);
#endif
#if defined(STREAM_VDISPLAY)
    const char *source[] = {"--source", "vdisplay", "--vdisplay-backend", "mutter-headless",
                            "--pipewire-remote", remote, NULL};
#elif defined(STREAM_PIPEWIRE)
    const char *source[] = {"--source", "pipewire", "--pipewire-remote", remote, NULL};
#else
    const char *source[] = {"--source", "testpattern", NULL};
#endif
    const char *common[] = {"--input-record", record_path, "--grace", "2",
                            "--control-timeout", "1500", NULL};
    static const char *args[16];
    size_t n = 0;
    for (const char **a = source; *a; a++)
        args[n++] = *a;
    for (const char **a = common; *a; a++)
        args[n++] = *a;
    args[n] = NULL;
    host.serve_args = args;
    rtsp_port = stream_free_tcp_port();
    /* Offer HEVC and AV1 from the software encoders too, so they can be streamed here. */
    snprintf(conf, sizeof(conf),
             "apps = %s\nrtsp_port = %u\npin_wait = 20\nhevc = yes\nav1 = yes\n", path,
             rtsp_port);
    return stream_host_up(&host, &client, conf);
}

/* A test may already have shut the host down (and checked its exit). */
static int group_teardown(void **state)
{
    return stream_host_down(&host, &client, work) == 0 ? 0 : -1;
}

static uint32_t launch_appid = 1;
/* corever of the next launch: 1 as current clients send (encrypted RTSP), 0 as old ones. */
static uint32_t launch_corever = 1;
/* What the last launch's sessionUrl0 said: the RTSP handshake must be sealed (§4.8). */
static uint32_t launched_rtspenc;

static void launch_as(gsc_identity *id, const char *verb, const char *rikey_hex)
{
    char *doc = stream_launch_doc(&host, id, verb, launch_appid, 1280, 720, 60, rikey_hex,
                                  launch_corever);
    assert_non_null(doc);
    assert_int_equal(gsc_xml_status(doc), 200);
    char *url = gsc_xml_get(doc, "sessionUrl0");
    assert_non_null(url);
    char want[64];
    snprintf(want, sizeof(want), "%s://127.0.0.1:%u", launch_corever ? "rtspenc" : "rtsp",
             rtsp_port);
    assert_string_equal(url, want);
    launched_rtspenc = launch_corever >= 1;
    free(url);
    free(doc);
}

static void launch(const char *verb)
{
    launch_as(&client, verb, STREAM_RIKEY_HEX);
}

static char *current_game(void)
{
    char *doc = gs_get(&host, 1, &client, "/serverinfo?" STREAM_Q, NULL, NULL);
    assert_non_null(doc);
    char *v = gsc_xml_get(doc, "currentgame");
    free(doc);
    return v;
}

/* 640x360@30 H.264 with control and audio encryption, for the variant tests. */
static stream_client_config small_stream_config(void)
{
    stream_client_config cfg = stream_config(rtsp_port, stream_rikey, 640, 360, 30, 4000);
    cfg.encrypted_rtsp = launched_rtspenc;
    return cfg;
}

static stream_client *start_stream_config(const stream_client_config *cfg)
{
    char err[256] = "";
    stream_client *c = stream_open(cfg, err, sizeof(err));
    if (!c)
        fail_msg("%s", err);
    return c;
}

static stream_client *start_stream_mode(uint32_t encryption, const uint8_t *key, uint32_t w,
                                        uint32_t h, uint32_t fps)
{
    stream_client_config cfg = stream_config(rtsp_port, key, w, h, fps, 8000);
    cfg.encryption_enabled = encryption;
    cfg.encrypted_rtsp = launched_rtspenc;
    /* Encrypted video carries a 32-byte header and tag in each packet. */
    if (encryption & 2)
        cfg.packet_size -= 32;
    return start_stream_config(&cfg);
}

static stream_client *start_stream(uint32_t encryption)
{
    return start_stream_mode(encryption, stream_rikey, 1280, 720, 60);
}

/* §9.5 captured samples: header | magic | body. */
static const struct {
    uint8_t channel;
    const char *hex;
    const char *line;
} inputs[] = {
    {2, "0000000a 03000000 00 4180 01 0000", "key_down 65 1 0"},
    {2, "0000000a 04000000 00 4180 00 0000", "key_up 65 0 0"},
    {3, "0000000807000000000afffb", "mouse_rel 10 -5"},
    {3, "0000000e05000000006400c80000077f0437", "mouse_abs 100 200 1920 1080"},
    {3, "000000050800000001", "button_down 1"},
    {3, "000000050900000001", "button_up 1"},
    {3, "0000000a0a000000007800780000", "scroll 120"},
    {3, "0000000601000055ff88", "hscroll -120"},
    {0x11, "0000000c040000550102 2200ffff1f00", "pad_arrival 1 2 34 2097151"},
    {0x10, "0000001e 0c000000 1a00 0000 0300 1400 0010 0a 14 e803 18fc d007 30f8 9c00 0100 5500",
     "pad_state 0 3 69632 10 20 1000 -1000 2000 -2000"},
    {6, "0000000617000000c3a9", "text U+00E9"},
};

/* The host's log (stderr) holds @p text. */
static void assert_host_logged(const char *text)
{
    char *log = stream_host_log(&host);
    assert_non_null(log);
    if (!strstr(log, text))
        fail_msg("the host never logged \"%s\"", text);
    free(log);
}

/* The number after "key": in a compact or pretty JSON text; -1 when absent. */
static long long json_number(const char *body, const char *key)
{
    char k[64];
    snprintf(k, sizeof(k), "\"%s\"", key);
    const char *p = strstr(body, k);
    if (!p)
        return -1;
    p += strlen(k);
    while (*p == ' ' || *p == ':')
        p++;
    return strtoll(p, NULL, 10);
}

static void full_stream(void **state)
{
    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        uint8_t pkt[64];
        size_t n = stream_unhex(inputs[i].hex, pkt);
        assert_int_equal(stream_client_send_input(c, inputs[i].channel, pkt, n), 0);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t frames = stream_client_run(c, 300, 25000);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    fprintf(stderr,
            "# %llu frames in %.1f s (%llu decoded, %llu IDR, %llu lost, counter %llu..%llu, "
            "%llu gaps, %llu unreadable), %llu video packets; audio %llu packets, %llu decoded, "
            "rms %.0f; capture->reassembled p50 %.2f ms p99 %.2f ms\n",
            (unsigned long long)frames, secs, (unsigned long long)st.decoded,
            (unsigned long long)st.idr_frames, (unsigned long long)st.frames_lost,
            (unsigned long long)st.first_counter, (unsigned long long)st.last_counter,
            (unsigned long long)st.counter_gaps, (unsigned long long)st.counter_errors,
            (unsigned long long)st.video_packets, (unsigned long long)st.audio_packets,
            (unsigned long long)st.audio_decoded, st.audio_rms,
            (double)st.reassembled_ns_p50 / 1e6, (double)st.reassembled_ns_p99 / 1e6);
    assert_true(frames >= 300);
    assert_true(st.decoded >= 295);
    assert_int_equal(st.counter_errors, 0);
    assert_int_equal(st.counter_gaps, 0);
    assert_int_equal(st.frames_lost, 0);
    assert_true(st.idr_frames >= 1);
    /* 5 ms packets over ~5 s, minus start-up; tones at -12 dBFS have rms ~5800. */
    assert_true(st.audio_decoded >= 500);
    assert_true(st.audio_rms > 2000.0 && st.audio_rms < 12000.0);

    /* The management API shows the stream's statistics. */
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "\"streaming\""));
    assert_true(json_number(body, "frames_sent") >= 300);
    assert_true(json_number(body, "bitrate_kbps") > 100);
    assert_true(json_number(body, "packets_sent") > 3000);
    free(body);
    assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "\"capture_backend\":\"testpattern\""));
    free(body);

    /* Every input event reached the recording backend, exactly and in order. */
    char *log = read_text_file(record_path);
    assert_non_null(log);
    const char *p = log;
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        char want[128];
        snprintf(want, sizeof(want), "1 %s\n", inputs[i].line);
        assert_int_equal(strncmp(p, want, strlen(want)), 0);
        p += strlen(want);
    }
    assert_string_equal(p, "");
    free(log);

    /* §10.3: a disconnect stops the stream, releases input, keeps the app for /resume. */
    stream_client_destroy(c);
    usleep(300000);
    log = read_text_file(record_path);
    assert_non_null(strstr(log, "1 release_all\n"));
    free(log);
    char *game = current_game();
    assert_string_equal(game, "1");
    free(game);

    /* Resume within the grace period streams again. */
    launch("resume");
    c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 30, 10000) >= 30);
    stream_client_get_stats(c, &st);
    assert_int_equal(st.counter_gaps, 0);

    /* /cancel ends the stream with the graceful termination code and frees the host. */
    stream_cancel(&host, &client);
    assert_int_equal(stream_client_wait_termination(c, 3000), 0x80030023u);
    stream_client_destroy(c);
    game = current_game();
    assert_string_equal(game, "0");
    free(game);
}

/* §4.8: an RTSP request sealed with the session's rikey gets a sealed reply. */
static void encrypted_rtsp_options(void)
{
    pf_gs_cipher *k;
    assert_int_equal(pf_gs_cipher_create(NULL, stream_rikey, &k), 0);
    const char req[] = "OPTIONS rtsp://127.0.0.1 RTSP/1.0\r\nCSeq: 1\r\n"
                       "X-GS-ClientVersion: 14\r\nHost: 127.0.0.1\r\n\r\n";
    uint8_t sealed[256], plain[256];
    size_t n, got;
    assert_int_equal(pf_gs_rtsp_seal(k, PF_GS_ORIGIN_CLIENT, 1, (const uint8_t *)req,
                                     strlen(req), sealed, sizeof(sealed), &n), 0);
    char *r = rtsp_exchange(rtsp_port, (const char *)sealed, n, &got);
    assert_non_null(r);
    uint32_t seq;
    size_t plen;
    assert_int_equal(pf_gs_rtsp_open(k, PF_GS_ORIGIN_HOST, (const uint8_t *)r, got, plain,
                                     sizeof(plain), &seq, &plen), 0);
    assert_true(plen > 20);
    assert_memory_equal(plain, "RTSP/1.0 200 OK\r\nCSeq: 1\r\n", 26);
    free(r);
    pf_gs_cipher_destroy(k);
}

static void grace_period_ends_app(void **state)
{
    launch("launch");
    encrypted_rtsp_options();
    /* Video encryption (§6.6) as well as control and audio. */
    stream_client *c = start_stream(0x01 | 0x02 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    stream_client_destroy(c);
    usleep(500000);
    char *game = current_game();
    assert_string_equal(game, "1");
    free(game);
    /* --grace 2: after it nobody resumed, so the app is stopped. */
    sleep(3);
    game = current_game();
    assert_string_equal(game, "0");
    free(game);
}

/* §10.3: the app exiting ends its streams with the graceful termination code. */
static void app_exit_ends_stream(void **state)
{
    launch_appid = 2;
    launch("launch");
    launch_appid = 1;
    stream_client *c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    assert_int_equal(stream_client_wait_termination(c, 5000), 0x80030023u);
    stream_client_destroy(c);
    char *game = current_game();
    assert_string_equal(game, "0");
    free(game);
}

/* A client that vanishes mid-stream (no disconnect) is detected by the control timeout:
 * its stream stops, the app stays for /resume. */
static void client_vanishes(void **state)
{
    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    stream_client_vanish(c);
    sleep(2);
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    assert_null(strstr(body, "\"streaming\""));
    free(body);
    assert_host_logged("control stream ended (client timed out)");
    char *game = current_game();
    assert_string_equal(game, "1");
    free(game);
    stream_cancel(&host, &client);
}

/* Streams a launched session with @p cfg: 30 frames whose counters decode without a gap,
 * decoded audio, then /cancel ends it with the graceful termination code. */
static void finish_variant(stream_client *c, const stream_client_config *cfg)
{
    assert_true(stream_client_run(c, 30, 20000) >= 30);
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    assert_true(st.decoded >= 28);
    assert_int_equal(st.counter_errors, 0);
    assert_int_equal(st.counter_gaps, 0);
    assert_int_equal(st.frames_lost, 0);
    assert_true(st.audio_decoded > 0);
    /* encoderCscMode (§4.5) reached the encoder: the VUI names the matrix and range asked
     * for (space 0 is BT.601, 1 BT.709). */
    assert_int_equal(st.color_space,
                     (cfg->csc_mode >> 1) == 0 ? AVCOL_SPC_SMPTE170M : AVCOL_SPC_BT709);
    assert_int_equal(st.full_range, cfg->csc_mode & 1);
    stream_cancel(&host, &client);
    assert_int_equal(stream_client_wait_termination(c, 3000), 0x80030023u);
    stream_client_destroy(c);
}

static void run_variant(const stream_client_config *cfg)
{
    finish_variant(start_stream_config(cfg), cfg);
}

/* HEVC (DESCRIBE offers it: the software encoders can): the same pixels come through. */
static void hevc_stream(void **state)
{
    launch("launch");
    stream_client_config cfg = small_stream_config();
    cfg.codec = 1;
    cfg.csc_mode = (1 << 1) | 1; /* BT.709, full range */
    run_variant(&cfg);
}

static void bad_input(void **state)
{
    /* Malformed and oversized RTSP get 400 or a closed connection; the server keeps going. */
    size_t n;
    char *r = rtsp_exchange(rtsp_port, "GARBAGE\r\n\r\n", 11, &n);
    assert_int_equal(rtsp_status(r), 400);
    free(r);
    r = rtsp_exchange(rtsp_port, "OPTIONS x RTSP/1.0\r\n\r\n", 22, &n);
    assert_int_equal(rtsp_status(r), 400); /* no CSeq */
    free(r);
    char *big = malloc(70000);
    memset(big, 'A', 70000);
    r = rtsp_exchange(rtsp_port, big, 70000, &n);
    assert_int_equal(n, 0);
    free(r);
    free(big);
    uint8_t enc[64] = {0x80, 0, 0, 40, 0, 0, 0, 1};
    r = rtsp_exchange(rtsp_port, (const char *)enc, sizeof(enc), &n);
    assert_int_equal(n, 0); /* encrypted under no known key */
    free(r);
    r = rtsp_exchange(rtsp_port, "OPTIONS x RTSP/1.0\r\nCSeq: 9\r\n\r\n", 32, &n);
    assert_int_equal(rtsp_status(r), 200);
    free(r);

    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    /* Plaintext on an encrypted stream, a truncated sealed message and a wrong type are
     * dropped; the stream goes on. */
    uint8_t plain[4] = {0x02, 0x03, 0, 0};
    assert_int_equal(stream_client_send_raw(c, plain, sizeof(plain)), 0);
    uint8_t trunc[10] = {0x01, 0x00, 0x30, 0x00, 0, 0, 0, 0, 0, 0};
    assert_int_equal(stream_client_send_raw(c, trunc, sizeof(trunc)), 0);
    uint8_t junk_input[6] = {0, 0, 0, 0x40, 1, 2};
    assert_int_equal(stream_client_send_input(c, 3, junk_input, sizeof(junk_input)), 0);
    assert_true(stream_client_run(c, 20, 10000) >= 20);
    /* A forged tag ends that session with a termination message. */
    uint8_t forged[40] = {0x01, 0x00, 0x24, 0x00, 0x63, 0, 0, 0};
    forged[30] = 0x55;
    assert_int_equal(stream_client_send_raw(c, forged, sizeof(forged)), 0);
    assert_int_equal(stream_client_wait_termination(c, 3000), 0x80030023u);
    stream_client_destroy(c);
    /* The host still serves: a new launch streams. */
    usleep(300000);
    char *game = current_game();
    if (strcmp(game, "0") != 0) {
        stream_cancel(&host, &client);
    }
    free(game);
    launch("launch");
    c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    stream_cancel(&host, &client);
    stream_client_destroy(c);
}

/* 5.1 and 7.1 (§8.2): the client builds its Opus multistream decoder from the DESCRIBE
 * line for the announced layout, as Moonlight does, and every output channel carries the
 * test pattern's tone of that channel, at least 10 dB above any other channel's tone (Opus
 * couples stereo pairs at the normal-quality rates, so some crosstalk is expected). */
static void surround_layout(uint32_t channels, uint32_t high_quality)
{
    launch("launch");
    stream_client_config cfg = small_stream_config();
    cfg.audio_channels = channels;
    cfg.audio_high_quality = high_quality;
    stream_client *c = start_stream_config(&cfg);
    assert_true(stream_client_run(c, 30, 20000) >= 30);
    double freqs[8], power[8][8];
    for (uint32_t i = 0; i < 8; i++)
        freqs[i] = PATTERN_TONE_HZ(i);
    assert_int_equal(stream_client_audio_tones(c, freqs, power), 0);
    for (uint32_t a = 0; a < channels; a++) {
        double worst = 0;
        for (uint32_t b = 0; b < channels; b++)
            if (b != a && power[a][b] > worst)
                worst = power[a][b];
        print_message("# %u ch %s: channel %u: own tone %.1f dB above the loudest other\n",
                      channels, high_quality ? "high" : "normal", a,
                      10.0 * log10(power[a][a] / (worst > 0 ? worst : 1e-9)));
        assert_true(power[a][a] > 10.0 * worst);
    }
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    assert_int_equal(st.audio_lost, 0);
    stream_cancel(&host, &client);
    stream_client_destroy(c);
}

static void surround_51(void **state)
{
    surround_layout(6, 0);
}

static void surround_71_high_quality(void **state)
{
    surround_layout(8, 1);
}

/* One plaintext RTSP exchange of @p request_line ("METHOD target") with the usual headers. */
static char *plain_rtsp(const char *request_line)
{
    char req[256];
    int n = snprintf(req, sizeof(req),
                     "%s RTSP/1.0\r\nCSeq: 2\r\nX-GS-ClientVersion: 14\r\nHost: 127.0.0.1\r\n"
                     "\r\n",
                     request_line);
    return rtsp_exchange(rtsp_port, req, (size_t)n, NULL);
}

/* §6.8: a reference-frame invalidation (0x0301) reaches the encoder, and since no backend
 * here can invalidate, the next frames bring an IDR (frame type 2), which ends the client's
 * wait just as an invalidated P-frame would. */
static void rfi_answered_with_idr(void **state)
{
    launch("launch");
    stream_client_config cfg = small_stream_config();
    stream_client *c = start_stream_config(&cfg);
    assert_true(stream_client_run(c, 20, 20000) >= 20);
    stream_client_stats before;
    stream_client_get_stats(c, &before);
    uint64_t last = before.frames;
    uint8_t rfi[24] = {0};
    for (int i = 0; i < 8; i++) {
        rfi[i] = (uint8_t)((last - 5) >> (8 * i));
        rfi[8 + i] = (uint8_t)(last >> (8 * i));
    }
    assert_int_equal(stream_client_send_control(c, 0x0301, rfi, sizeof(rfi)), 0);
    assert_true(stream_client_run(c, 20, 20000) >= 40);
    stream_client_stats after;
    stream_client_get_stats(c, &after);
    assert_true(after.idr_frames > before.idr_frames);
    assert_int_equal(after.counter_gaps, 0);
    stream_cancel(&host, &client);
    stream_client_destroy(c);
}

/* AV1 (av1 = yes offers libaom): serverinfo and DESCRIBE say so, and the pixels come
 * through; AV1 keyframes are known only by frame type 2 (§6.7). */
static void av1_stream(void **state)
{
    char *doc = gs_get(&host, 1, &client, "/serverinfo?" STREAM_Q, NULL, NULL);
    assert_non_null(doc);
    char *modes = gsc_xml_get(doc, "ServerCodecModeSupport");
    assert_non_null(modes);
    assert_true(strtoul(modes, NULL, 10) & 0x10000u); /* SCM_AV1_MAIN8 */
    free(modes);
    free(doc);
    char *r = plain_rtsp("DESCRIBE rtsp://127.0.0.1");
    assert_int_equal(rtsp_status(r), 200);
    assert_non_null(strstr(r, "AV1/90000"));
    free(r);
    launch("launch");
    stream_client_config cfg = small_stream_config();
    cfg.codec = 2;
    run_variant(&cfg);
}

/* A bitrate whose frames would not fit GameStream's FEC budget (4 blocks of at most 255
 * shards) at the announced packet size is capped, and the host says so: 1080p30 at
 * 60 Mbit/s in 64-byte packets streams at the budget's ~8.8 Mbit/s, every frame protected. */
static void bitrate_capped_to_the_fec_budget(void **state)
{
    launch("launch");
    stream_client_config cfg = small_stream_config();
    cfg.packet_size = 64;
    cfg.width = 1920;
    cfg.height = 1080;
    cfg.bitrate_kbps = 60000;
    stream_client *c = start_stream_config(&cfg);
    assert_true(stream_client_run(c, 30, 20000) >= 30);
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    assert_int_equal(st.counter_gaps, 0);
    assert_int_equal(st.counter_errors, 0);
    assert_int_equal(st.frames_lost, 0);
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    long long without = json_number(body, "frames_without_fec");
    long long kbps = json_number(body, "bitrate_kbps");
    free(body);
    print_message("# %lld of %llu frames without FEC, %lld kbps sent\n", without,
                  (unsigned long long)st.frames, kbps);
    assert_int_equal(without, 0);
    /* On the wire, with 16 header bytes per 48 of payload and the parity: about twice
     * the video rate, far below the 60 Mbit/s asked for. */
    assert_true(kbps > 0 && kbps < 25000);
    assert_host_logged("60000 kbps would make frames too big for FEC at 64-byte packets");
    stream_cancel(&host, &client);
    stream_client_destroy(c);
}

/* A session launched with rtspenc:// is not reachable in plaintext: a plaintext SETUP finds
 * no session (454), and the sealed handshake then streams. */
static void rtspenc_refuses_plaintext(void **state)
{
    launch("launch");
    assert_true(launched_rtspenc);
    char *r = plain_rtsp("SETUP streamid=video/0/0");
    assert_int_equal(rtsp_status(r), 454);
    assert_null(strstr(r, "X-SS-Ping-Payload"));
    free(r);
    stream_client *c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    stream_cancel(&host, &client);
    stream_client_destroy(c);
}

/* An older client (corever 0, no x-ml-general.featureFlags 0x02): plaintext RTSP, bare
 * "PING" pings and ENet connect data 0. The host knows it by its RTSP address (§5.1, §6.1)
 * and streams video and audio to it. */
static void legacy_client(void **state)
{
    launch_corever = 0;
    launch("launch");
    launch_corever = 1;
    assert_false(launched_rtspenc);
    /* Audit finding 4: a plaintext SETUP from another address (127.0.0.2) used to get the
     * session's token, connect data and ping payload, and a ping with that payload then took
     * the video. Every plaintext step is tied to the launch address now. */
    static const char *const steals[] = {"SETUP streamid=video/0/0", "SETUP streamid=audio/0/0",
                                         "SETUP streamid=control/13/0"};
    for (size_t i = 0; i < 3; i++) {
        char req[256];
        int n = snprintf(req, sizeof(req),
                         "%s RTSP/1.0\r\nCSeq: 2\r\nX-GS-ClientVersion: 14\r\n"
                         "Host: 127.0.0.1\r\n\r\n",
                         steals[i]);
        char *r = rtsp_exchange_from("127.0.0.2", rtsp_port, req, (size_t)n, NULL);
        assert_non_null(r);
        assert_int_equal(rtsp_status(r), 454);
        assert_null(strstr(r, "X-SS-Ping-Payload"));
        assert_null(strstr(r, "X-SS-Connect-Data"));
        free(r);
    }
    stream_client_config cfg = small_stream_config();
    cfg.legacy_client = 1;
    stream_client *c = start_stream_config(&cfg);
    assert_true(stream_client_run(c, 10, 20000) >= 10);
    /* A "PING" from another address (127.0.0.2, not the RTSP peer) cannot take the stream. */
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.2", &sa.sin_addr);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
    inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
    sa.sin_port = htons(stream_client_get_video_port(c));
    for (int i = 0; i < 3; i++)
        assert_int_equal(sendto(fd, "PING", 4, 0, (struct sockaddr *)&sa, sizeof(sa)), 4);
    close(fd);
    finish_variant(c, &cfg);
}

typedef struct run_arg {
    stream_client *c;
    uint64_t frames;
    _Atomic int *others_running; /* clients still running: serve (and ping) until none */
} run_arg;

static void *run_thread(void *p)
{
    run_arg *a = p;
    a->frames = stream_client_run(a->c, a->frames, 20000);
    /* A client that stops reading while the other still runs would be timed out by the
     * host (--control-timeout 1500) when both cores are busy and the other is slow. */
    if (a->others_running) {
        atomic_fetch_sub(a->others_running, 1);
        while (atomic_load(a->others_running) > 0)
            a->frames = stream_client_run(a->c, 1, 50);
    }
    return NULL;
}

/* Two clients at once: A launches, B (another paired device) resumes the same app with its
 * own key and mode; both streams run side by side, each on its own pipeline. */
static void two_clients(void **state)
{
    gsc_identity b;
    assert_int_equal(gsc_identity_create(&b), 0);
    int check = 0;
    assert_int_equal(pair_client(&host, &b, "4321", "4321", "0123456789ABCDEF", 0, &check, NULL), 1);
    launch("launch");
    stream_client *ca = start_stream(0x01 | 0x04);
    static const uint8_t key_b[16] = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
                                      0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
    launch_as(&b, "resume", "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    stream_client *cb = start_stream_mode(0x01 | 0x04, key_b, 640, 360, 30);
    _Atomic int running = 2;
    run_arg ra = {.c = ca, .frames = 120, .others_running = &running},
            rb = {.c = cb, .frames = 60, .others_running = &running};
    pthread_t ta, tb;
    pthread_create(&ta, NULL, run_thread, &ra);
    pthread_create(&tb, NULL, run_thread, &rb);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    stream_client_stats sa, sb;
    stream_client_get_stats(ca, &sa);
    stream_client_get_stats(cb, &sb);
    fprintf(stderr, "# two clients: A %llu frames (%llu gaps), B %llu frames (%llu gaps)\n",
            (unsigned long long)ra.frames, (unsigned long long)sa.counter_gaps,
            (unsigned long long)rb.frames, (unsigned long long)sb.counter_gaps);
    assert_true(ra.frames >= 120 && rb.frames >= 60);
    assert_int_equal(sa.counter_gaps + sb.counter_gaps, 0);
    assert_int_equal(sa.counter_errors + sb.counter_errors, 0);
    /* Nothing is numbered before a client's first ping, so neither sees a frame missing. */
    assert_int_equal(sa.frames_lost + sb.frames_lost, 0);
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &body), 200);
    int streaming = 0;
    for (const char *p = body; (p = strstr(p, "\"streaming\"")); p++)
        streaming++;
    assert_int_equal(streaming, 2);
    free(body);
    /* One leaves: the other keeps streaming. */
    stream_client_destroy(cb);
    assert_true(stream_client_run(ca, 20, 10000) >= 140);
    stream_cancel(&host, &client);
    assert_int_equal(stream_client_wait_termination(ca, 3000), 0x80030023u);
    stream_client_destroy(ca);
    gsc_identity_free(&b);
}

#ifdef STREAM_VDISPLAY
static int count_dir(const char *what, int pid)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
    DIR *d = opendir(path);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int pipewire_has_node(const char *name)
{
    FILE *p = popen("pw-cli ls Node 2>/dev/null", "r");
    if (!p)
        return -1;
    char line[512];
    int found = 0;
    while (fgets(line, sizeof(line), p))
        found |= strstr(line, name) != NULL;
    pclose(p);
    return found;
}

/* A virtual output at the client's mode on a spawned headless Mutter, captured: frames keep
 * coming while the desktop is still (the last one is repeated). */
static void vdisplay_source(void **state)
{
    int fds0 = count_dir("fd", (int)host.pid);
    int threads0 = count_dir("task", (int)host.pid);
    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    uint64_t frames = stream_client_run(c, 120, 25000);
    char cmd[128];
    /* Desktop has no command: pfhost's only children are what the display spawned. */
    snprintf(cmd, sizeof(cmd), "pgrep -P %d >/dev/null", (int)host.pid);
    int compositor_running = system(cmd) == 0;
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    fprintf(stderr, "# vdisplay source: %llu frames, %llu decoded, %llu lost\n",
            (unsigned long long)frames, (unsigned long long)st.decoded,
            (unsigned long long)st.frames_lost);
    assert_true(frames >= 120);
    assert_true(st.decoded >= 115);
    assert_int_equal(st.frames_lost, 0);
    stream_cancel(&host, &client);
    assert_int_equal(stream_client_wait_termination(c, 3000), 0x80030023u);
    stream_client_destroy(c);
    /* The compositor pfhost spawned for the session is gone with it (stopped without
     * stalling the host's loop, so poll). */
    assert_true(compositor_running);
    for (int i = 0; i < 100 && system(cmd) == 0; i++)
        usleep(50000);
    assert_int_not_equal(system(cmd), 0);
    /* Nothing of the session is left: the virtual sink, threads, file descriptors. */
    assert_int_equal(pipewire_has_node("pf-sink-1"), 0);
    assert_int_equal(count_dir("task", (int)host.pid), threads0);
    assert_int_equal(count_dir("fd", (int)host.pid), fds0);
}

/* Host shutdown ends a running stream with the graceful termination code (§10.3) and
 * pfhost exits cleanly. */
static void shutdown_ends_streams(void **state)
{
    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 10, 10000) >= 10);
    kill(host.pid, SIGTERM);
    assert_int_equal(stream_client_wait_termination(c, 3000), 0x80030023u);
    assert_int_equal(host_stop(&host), 0);
    stream_client_destroy(c);
}

int main(void)
{
    if (!pfh_have("mutter") || pfh_env_start(&pw_env) < 0) {
        printf("1..0 # SKIP no Mutter or PipeWire session\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(vdisplay_source),
        cmocka_unit_test(shutdown_ends_streams),
    };
    int r = cmocka_run_group_tests(tests, group_setup, group_teardown);
    pfh_env_stop(&pw_env);
    return r;
}
#elif defined(STREAM_PIPEWIRE)
/* The same flow with frames from a PipeWire node captured through libpfcapture (the path a
 * virtual output takes), in a private PipeWire + WirePlumber session. */
static void pipewire_source(void **state)
{
    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    uint64_t frames = stream_client_run(c, 20, 20000);
    /* Something plays into the session's virtual sink (the default while it streams): a
     * 440 Hz tone must come out of the client's Opus decoder. */
    char wav[300];
    snprintf(wav, sizeof(wav), "%s/tone.wav", work);
    assert_int_equal(stream_write_tone(wav, 4), 0);
    char *argv[] = {"pw-cat", "--playback", wav, NULL};
    pid_t player = pfh_have("pw-cat") ? pfh_spawn(&pw_env, "pw-cat", argv) : -1;
    frames += stream_client_run(c, 150, 20000) - 20;
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    fprintf(stderr, "# PipeWire source: %llu frames, %llu decoded, %llu lost, %llu audio, rms %.0f\n",
            (unsigned long long)frames, (unsigned long long)st.decoded,
            (unsigned long long)st.frames_lost, (unsigned long long)st.audio_decoded,
            st.audio_rms);
    if (player > 0)
        pfh_kill(&pw_env, player);
    assert_true(frames >= 150);
    assert_true(st.decoded >= 145);
    assert_int_equal(st.frames_lost, 0);
    assert_true(st.audio_decoded > 300);
    /* One packet per 5 ms of sound, not more: ~170 frames at 60 fps is about 3 s. */
    assert_true(st.audio_packets < 1000);
    if (player > 0)
        assert_true(st.audio_rms > 1000.0);
    stream_cancel(&host, &client);
    assert_int_equal(stream_client_wait_termination(c, 3000), 0x80030023u);
    stream_client_destroy(c);
}

int main(void)
{
    if (pfh_env_start(&pw_env) < 0) {
        printf("1..0 # SKIP no PipeWire session\n");
        pfh_env_stop(&pw_env);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pipewire_source),
    };
    int r = cmocka_run_group_tests(tests, group_setup, group_teardown);
    pfh_env_stop(&pw_env);
    return r;
}
#elif defined(STREAM_LOSS)
/* 10 % random loss on the video port (nft on the client's input, inside this test's own
 * network namespace): FEC recovers shards, frames keep flowing, and every unrecoverable
 * frame is followed by an IDR the client asked for. */
static void loss_recovery(void **state)
{
    launch("launch");
    stream_client *c = start_stream(0x01 | 0x04);
    assert_true(stream_client_run(c, 20, 10000) >= 20);
    stream_client_stats before;
    stream_client_get_stats(c, &before);
    char cmd[512];
    snprintf(cmd, sizeof(cmd),
             "nft add table inet pfloss && nft add chain inet pfloss in "
             "'{ type filter hook input priority 0; }' && nft add rule inet pfloss in "
             "udp sport %u numgen random mod 10 0 drop",
             stream_client_get_video_port(c));
    assert_int_equal(system(cmd), 0);
    uint64_t frames = stream_client_run(c, 300, 30000) - before.frames;
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    fprintf(stderr,
            "# under 10%% loss: %llu frames reassembled, %llu shards recovered by FEC, %llu "
            "frames lost, %llu IDR frames, counter %llu..%llu, %llu decoded, %llu packets\n",
            (unsigned long long)frames,
            (unsigned long long)(st.shards_recovered - before.shards_recovered),
            (unsigned long long)(st.frames_lost - before.frames_lost),
            (unsigned long long)(st.idr_frames - before.idr_frames),
            (unsigned long long)st.first_counter, (unsigned long long)st.last_counter,
            (unsigned long long)st.decoded,
            (unsigned long long)(st.video_packets - before.video_packets));
    assert_int_equal(system("nft delete table inet pfloss"), 0);
    assert_true(frames >= 300);
    assert_true(st.shards_recovered - before.shards_recovered >= 50);
    assert_int_equal(st.counter_errors, 0);
    if (st.frames_lost > before.frames_lost)
        assert_true(st.idr_frames > before.idr_frames);
    /* Losses lowered the bitrate (rate adaptation). */
    char *log = stream_host_log(&host);
    assert_non_null(log);
    if (st.frames_lost > before.frames_lost + 2) {
        assert_non_null(strstr(log, "frames lost, bitrate"));
        /* ... and raised the parity (adaptive FEC) from the configured 20 %. */
        assert_non_null(strstr(log, "FEC 20% -> 30%"));
    }
    free(log);
    /* After the loss ends, the stream is whole again. */
    assert_true(stream_client_run(c, 30, 10000) >= 30);
    stream_cancel(&host, &client);
    stream_client_destroy(c);
}

int main(void)
{
    /* Root in a fresh network namespace: the rule and the traffic stay inside it. */
    /* nft sees a GSO burst as one packet; per-datagram loss needs plain sends. */
    setenv("PF_UDP_GSO", "0", 1);
    if (unshare(CLONE_NEWNET) < 0 || system("ip link set lo up") != 0 ||
        system("nft list tables >/dev/null 2>&1") != 0) {
        printf("1..0 # SKIP needs root, network namespaces and nft\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loss_recovery),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
#else
int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_stream),
        cmocka_unit_test(two_clients),
        cmocka_unit_test(grace_period_ends_app),
        cmocka_unit_test(client_vanishes),
        cmocka_unit_test(app_exit_ends_stream),
        cmocka_unit_test(hevc_stream),
        cmocka_unit_test(rfi_answered_with_idr),
        cmocka_unit_test(av1_stream),
        cmocka_unit_test(surround_51),
        cmocka_unit_test(surround_71_high_quality),
        cmocka_unit_test(bitrate_capped_to_the_fec_budget),
        cmocka_unit_test(rtspenc_refuses_plaintext),
        cmocka_unit_test(legacy_client),
        cmocka_unit_test(bad_input),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
#endif
