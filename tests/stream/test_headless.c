/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default that always runs (architecture §5), end to end with real components: `pfhost
 * serve` under `env -i` (PATH, HOME and a fresh empty XDG_RUNTIME_DIR, nothing started by the
 * test) streams to the in-repo GameStream client. It starts its own bus, PipeWire and
 * WirePlumber and a headless Mutter per session; the app (a Wayland client of the tests)
 * fills its window with a known colour that the decoded frames show at the client's mode,
 * receives the client's keys and clicks, and plays a tone the client decodes. Two clients at
 * two modes get two compositors; a killed compositor ends only its session, with a reason;
 * afterwards nothing of the sessions is left. Without any compositor a launch fails with an
 * error that names the fix. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "gs_client.h"
#include "harness.h"
#include "host_proc.h"
#include "proc_tree.h"
#include "stream_client.h"
#include "stream_harness.h"

#define COLOUR 0x3366ccu
#define TERM_SOURCE_LOST 0x800E9403u
#define TERM_GRACEFUL 0x80030023u

static host_proc host;
/* A short control timeout makes a vanished client's session end within the test; every host
 * the test starts gets it. */
static const char *const serve_args[] = {"--control-timeout", "3000", NULL};
static gsc_identity client;
static char work[64];
static uint16_t rtsp_port;
/* The host the helpers talk to: `host`, or a second one started with another PATH. */
static host_proc *hp = &host;
static uint16_t hp_rtsp;
/* A second host a test started: stopped after the test even when it failed half-way. */
static host_proc *second;

static int group_setup(void **state)
{
    if (stream_work_dir(work, sizeof(work), "/tmp/pfhost-headless-XXXXXX") < 0)
        return -1;
    chmod(work, 0755);
    char path[256], tone[256], conf[512];
    snprintf(tone, sizeof(tone), "%s/tone.wav", work);
    if (stream_write_tone(tone, 5) < 0)
        return -1;
    snprintf(path, sizeof(path), "%s/apps.json", work);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    /* App 1 plays the tone over and over through the session's PipeWire and shows the
     * colour; its prep command records the environment apps get. App 2 is the bare desktop. */
    fprintf(f,
            "{\"apps\": [{\"name\": \"Colour\", \"prep-cmd\": [{\"do\": \"echo "
            "\\\"$WAYLAND_DISPLAY $PIPEWIRE_REMOTE $DBUS_SESSION_BUS_ADDRESS\\\" > "
            "%s/prep-env\", \"undo\": \"\"}], \"cmd\": \"(while :; do pw-cat --playback "
            "%s; sleep 0.2; done) & exec %s --colour %06x --stay > %s/events.log 2>&1\"}, "
            "{\"name\": \"Desktop\"}]}\n",
            work, tone, PF_WL_RECORDER, COLOUR, work);
    fclose(f);
    host.serve_args = serve_args;
    rtsp_port = hp_rtsp = stream_free_tcp_port();
    snprintf(conf, sizeof(conf), "apps = %s\nrtsp_port = %u\npin_wait = 20\n", path, rtsp_port);
    host.clean_env = 1;
    return stream_host_up(&host, &client, conf);
}

static int group_teardown(void **state)
{
    return stream_host_down(&host, &client, work) == 0 ? 0 : -1;
}

static void launch_ok(gsc_identity *id, const char *verb, uint32_t appid, uint32_t w,
                      uint32_t h, uint32_t fps, const char *key_hex)
{
    char *doc = stream_launch_doc(hp, id, verb, appid, w, h, fps, key_hex, 1);
    assert_non_null(doc);
    if (gsc_xml_status(doc) != 200)
        fail_msg("%s failed: %s", verb, doc);
    free(doc);
}

static stream_client *start_stream(const uint8_t *key, uint32_t w, uint32_t h, uint32_t fps)
{
    stream_client_config cfg = stream_config(hp_rtsp, key, w, h, fps, 6000);
    char err[256] = "";
    stream_client *c = stream_open(&cfg, err, sizeof(err));
    if (!c)
        fail_msg("%s", err);
    return c;
}

/* Keeps the client's streams served for @p ms. */
static void serve_for(stream_client *c, uint32_t ms)
{
    stream_client_run(c, UINT32_MAX, ms);
}

static void *cancel_thread(void *arg)
{
    stream_cancel(hp, &client);
    return NULL;
}

/* /cancel, while the client goes on serving its control stream as Moonlight does on its own
 * thread: the host disconnects a peer that does not acknowledge the termination in time. */
static void cancel(stream_client *c)
{
    pthread_t t;
    pthread_create(&t, NULL, cancel_thread, NULL);
    uint32_t code = c ? stream_client_wait_termination(c, 10000) : 0;
    pthread_join(t, NULL);
    if (c) {
        assert_int_equal(code, TERM_GRACEFUL);
        stream_client_destroy(c);
    }
}

static char *api_status(void)
{
    char *body = NULL;
    int code = api_call(hp, "GET", "/api/v1/status", NULL, NULL, &body);
    if (code != 200 || !body)
        fail_msg("GET /api/v1/status: %d", code);
    char *copy = strdup(body);
    free(body);
    return copy;
}

/* The pids of the compositors the API lists, in order; returns how many. */
static int compositor_pids(int *pids, int max, char *modes, size_t modes_len)
{
    char *body = api_status();
    int n = 0;
    if (modes)
        modes[0] = '\0';
    for (const char *p = body; n < max && (p = strstr(p, "\"pid\":")); p++) {
        pids[n++] = atoi(p + 6 + (p[6] == ' '));
        const char *m = strstr(p, "\"mode\":");
        if (modes && m) {
            m = strchr(m + 7, '"');
            size_t len = m ? strcspn(m + 1, "\"") : 0;
            size_t have = strlen(modes);
            if (m && have + len + 2 < modes_len)
                snprintf(modes + have, modes_len - have, "%.*s ", (int)len, m + 1);
        }
    }
    free(body);
    return n;
}

/* BT.601 limited range, as Moonlight asks by default (encoderCscMode 0). */
static void expected_ycbcr(uint32_t rgb, int *y, int *cb, int *cr)
{
    double r = (rgb >> 16 & 255) / 255.0, g = (rgb >> 8 & 255) / 255.0, b = (rgb & 255) / 255.0;
    double yy = 0.299 * r + 0.587 * g + 0.114 * b;
    *y = (int)lround(16 + 219 * yy);
    *cb = (int)lround(128 + 224 * (b - yy) / 1.772);
    *cr = (int)lround(128 + 224 * (r - yy) / 1.402);
}

static int close_to(uint32_t got, int want)
{
    return abs((int)got - want) <= 8;
}

static char *events(void)
{
    char path[256];
    snprintf(path, sizeof(path), "%s/events.log", work);
    char *t = read_text_file(path);
    return t ? t : calloc(1, 1);
}

static void send_hex(stream_client *c, uint8_t channel, const char *hex)
{
    uint8_t pkt[64];
    size_t n = stream_unhex(hex, pkt);
    assert_int_equal(stream_client_send_input(c, channel, pkt, n), 0);
}

/* Serves @p c until the decoded picture's centre shows COLOUR (30 s at most). */
static void expect_colour(stream_client *c, uint32_t w, uint32_t h)
{
    int wy, wcb, wcr;
    expected_ycbcr(COLOUR, &wy, &wcb, &wcr);
    stream_client_stats st;
    uint64_t end = stream_now_ms() + 30000;
    do {
        serve_for(c, 300);
        stream_client_get_stats(c, &st);
    } while (stream_now_ms() < end && !(st.decoded > 0 && close_to(st.centre_y, wy) &&
                                 close_to(st.centre_cb, wcb) && close_to(st.centre_cr, wcr)));
    fprintf(stderr, "# picture %ux%u, centre Y %u Cb %u Cr %u (want %d %d %d), %llu decoded\n",
            st.width, st.height, st.centre_y, st.centre_cb, st.centre_cr, wy, wcb, wcr,
            (unsigned long long)st.decoded);
    assert_int_equal(st.width, w);
    assert_int_equal(st.height, h);
    assert_true(close_to(st.centre_y, wy) && close_to(st.centre_cb, wcb) &&
                close_to(st.centre_cr, wcr));
}

/* The whole path: picture, input and sound, and what apps see. */
static void desktop_end_to_end(void **state)
{
    launch_ok(&client, "launch", 1, 1280, 720, 60, STREAM_RIKEY_HEX);
    int pid = 0;
    char modes[128];
    assert_int_equal(compositor_pids(&pid, 1, modes, sizeof(modes)), 1);
    assert_true(proc_alive(pid));
    assert_string_equal(modes, "1280x720@60 ");
    char *status = api_status();
    assert_non_null(strstr(status, "\"compositor\":\"mutter\""));
    assert_non_null(strstr(status, "\"private_stack\":true"));
    free(status);
    /* Prep and app commands run in the session's desktop. */
    char path[256];
    snprintf(path, sizeof(path), "%s/prep-env", work);
    char *env = read_text_file(path);
    assert_non_null(env);
    assert_non_null(strstr(env, "/wayland-0 "));
    assert_non_null(strstr(env, "/pipewire-0 unix:path="));
    free(env);

    stream_client *c = start_stream(stream_rikey, 1280, 720, 60);
    expect_colour(c, 1280, 720);
    status = api_status();
    fprintf(stderr, "# status: %s\n", status);
    free(status);
    status = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/sessions", NULL, NULL, &status), 200);
    fprintf(stderr, "# sessions: %s\n", status);
    assert_non_null(strstr(status, "\"desktop\":"));
    free(status);
    uint64_t end;

    /* Pointer to the window's centre, a click, and the A key, until the app reports them
     * (Mutter adds its virtual devices to the seat on first use). */
    int clicked = 0, typed = 0;
    for (end = stream_now_ms() + 30000; stream_now_ms() < end && !(clicked && typed);) {
        send_hex(c, 3, "0000000e05000000 00 0280 0168 0000 04ff 02cf");
        send_hex(c, 3, "000000050800000001");
        send_hex(c, 3, "000000050900000001");
        send_hex(c, 2, "0000000a 03000000 00 4180 01 0000");
        send_hex(c, 2, "0000000a 04000000 00 4180 00 0000");
        serve_for(c, 400);
        char *ev = events();
        clicked = strstr(ev, "button 272 1") != NULL;
        typed = strstr(ev, "key 30 1") != NULL;
        free(ev);
    }
    assert_true(clicked);
    assert_true(typed);
    /* Relative motion and the wheel reach it too. */
    char *before = events();
    size_t seen = strlen(before);
    free(before);
    int moved = 0, scrolled = 0;
    for (end = stream_now_ms() + 20000; stream_now_ms() < end && !(moved && scrolled);) {
        send_hex(c, 3, "0000000807000000000afffb");
        send_hex(c, 3, "0000000a0a000000007800780000");
        serve_for(c, 300);
        char *ev = events();
        const char *fresh = strlen(ev) > seen ? ev + seen : "";
        moved = strstr(fresh, "motion ") != NULL;
        scrolled = strstr(fresh, "axis 0 ") != NULL;
        free(ev);
    }
    assert_true(moved);
    assert_true(scrolled);

    /* The app's tone, through the private PipeWire into the session's sink and the stream. */
    double freqs[8] = {440.0, 1000.0}, power[8][8];
    int heard = 0;
    for (end = stream_now_ms() + 20000; stream_now_ms() < end && !heard;) {
        serve_for(c, 300);
        heard = stream_client_audio_tones(c, freqs, power) == 0 &&
                power[0][0] > 100.0 * power[0][1] && power[1][0] > 100.0 * power[1][1] &&
                power[0][0] > 1e9;
    }
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    fprintf(stderr, "# audio: %llu decoded, 440 Hz %.3g vs 1 kHz %.3g\n",
            (unsigned long long)st.audio_decoded, power[0][0], power[0][1]);
    assert_true(heard);
    cancel(c);
    /* The session's compositor goes with it. */
    assert_int_equal(proc_wait_gone(pid, 10000), 0);
}

static int count_of(const char *text, const char *what)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, what)); p++)
        n++;
    return n;
}

/* Names and media classes of the nodes on the host's private PipeWire (pw-cli). */
static char *private_nodes(void)
{
    char *status = api_status(), remote[300] = "", cmd[400];
    static const char key[] = "\"pipewire_remote\":\"";
    const char *at = strstr(status, key);
    if (at)
        snprintf(remote, sizeof(remote), "%.*s", (int)strcspn(at + strlen(key), "\""),
                 at + strlen(key));
    free(status);
    if (!remote[0])
        fail_msg("the status names no private PipeWire");
    /* JSON escapes the slashes. */
    for (char *r = remote, *w = remote;; r++) {
        if (r[0] == '\\' && r[1] == '/')
            r++;
        *w++ = *r;
        if (!*r)
            break;
    }
    snprintf(cmd, sizeof(cmd),
             "pw-cli -r %s ls Node 2>/dev/null | grep -E 'node.name|media.class' | tr -d '\"\\t'",
             remote);
    FILE *f = popen(cmd, "r");
    assert_non_null(f);
    char *out = calloc(1, 16384);
    size_t n = 0;
    for (char line[256]; fgets(line, sizeof(line), f) && n + sizeof(line) < 16384;) {
        line[strcspn(line, "\n")] = ' ';
        n += (size_t)snprintf(out + n, 16384 - n, " %s", line);
    }
    pclose(f);
    return out;
}

/* Serves one client on its own thread, as a client does, until stopped: its session stays
 * up however long the test looks elsewhere. */
typedef struct pump {
    stream_client *c;
    uint64_t target;    /* frames to reach */
    atomic_int reached; /* set once the client has reassembled target frames */
    atomic_int stop;
    pthread_t thread;
} pump;

static void *pump_main(void *p)
{
    pump *u = p;
    while (!atomic_load(&u->stop))
        if (stream_client_run(u->c, UINT32_MAX, 50) >= u->target)
            atomic_store(&u->reached, 1);
    return NULL;
}

static void pump_start(pump *u, stream_client *c, uint64_t target)
{
    u->c = c;
    u->target = target;
    atomic_init(&u->reached, 0);
    atomic_init(&u->stop, 0);
    pthread_create(&u->thread, NULL, pump_main, u);
}

static void pump_stop(pump *u, stream_client_stats *ret)
{
    atomic_store(&u->stop, 1);
    pthread_join(u->thread, NULL);
    stream_client_get_stats(u->c, ret);
}

/* Two clients at two modes: each session has its own compositor at its own mode. */
static void two_clients_two_compositors(void **state)
{
    gsc_identity b;
    assert_int_equal(gsc_identity_create(&b), 0);
    int check = 0;
    assert_int_equal(pair_client(&host, &b, "4321", "4321", "0123456789ABCDEF", 0, &check, NULL),
                     1);
    launch_ok(&client, "launch", 2, 1280, 720, 60, STREAM_RIKEY_HEX);
    pump pa, pb;
    pump_start(&pa, start_stream(stream_rikey, 1280, 720, 60), 60);
    static const uint8_t key_b[16] = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
                                      0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf};
    launch_ok(&b, "resume", 0, 640, 360, 30, "b0b1b2b3b4b5b6b7b8b9babbbcbdbebf");
    pump_start(&pb, start_stream(key_b, 640, 360, 30), 30);
    for (uint64_t end = stream_now_ms() + 40000;
         stream_now_ms() < end && !(atomic_load(&pa.reached) && atomic_load(&pb.reached));)
        usleep(50000);
    int pids[4];
    char modes[128];
    int n = compositor_pids(pids, 4, modes, sizeof(modes));
    char *nodes = private_nodes();
    fprintf(stderr, "# PipeWire nodes with two sessions:%s\n", nodes);
    int sinks = count_of(nodes, "pf-sink-");
    /* Mutter's outputs are video output streams. */
    int screencasts = count_of(nodes, "Stream/Output/Video");
    free(nodes);
    stream_client_stats sb;
    pump_stop(&pb, &sb);
    fprintf(stderr, "# two clients: B %llu frames %ux%u; compositors %s\n",
            (unsigned long long)sb.frames, sb.width, sb.height, modes);
    assert_true(atomic_load(&pa.reached) && atomic_load(&pb.reached));
    assert_true(sb.width == 640 && sb.height == 360);
    assert_int_equal(n, 2);
    assert_int_not_equal(pids[0], pids[1]);
    assert_true(proc_alive(pids[0]) && proc_alive(pids[1]));
    assert_non_null(strstr(modes, "1280x720@60"));
    assert_non_null(strstr(modes, "640x360@30"));
    assert_int_equal(sinks, 2);
    assert_int_equal(screencasts, 2);
    /* B vanishes without a word (control timeout): its compositor goes, A's stays and
     * streams on. */
    stream_client_vanish(pb.c);
    uint64_t end = stream_now_ms() + 15000;
    while (compositor_pids(pids + 2, 2, NULL, 0) != 1 && stream_now_ms() < end)
        usleep(100000);
    int left[4];
    assert_int_equal(compositor_pids(left, 4, NULL, 0), 1);
    assert_int_equal(proc_wait_gone(left[0] == pids[0] ? pids[1] : pids[0], 10000), 0);
    /* ... and so do its sink and its output's node (PipeWire notices a dead client soon). */
    for (end = stream_now_ms() + 10000;;) {
        nodes = private_nodes();
        int gone = count_of(nodes, "pf-sink-") == 1 &&
                   count_of(nodes, "Stream/Output/Video") == screencasts - 1;
        if (gone || stream_now_ms() > end)
            fprintf(stderr, "# PipeWire nodes after B left:%s\n", nodes);
        free(nodes);
        if (gone)
            break;
        if (stream_now_ms() > end)
            fail_msg("B's sink or output node outlived its session");
        usleep(100000);
    }
    stream_client_stats sa;
    pump_stop(&pa, &sa);
    assert_true(sa.width == 1280 && sa.height == 720);
    assert_true(stream_client_run(pa.c, 20, 15000) >= sa.frames + 20);
    cancel(pa.c);
    gsc_identity_free(&b);
}

/* The compositor dies mid-stream: that session ends with a reason the client shows, the host
 * goes on, and the next launch streams again. */
static void compositor_killed(void **state)
{
    launch_ok(&client, "launch", 2, 1280, 720, 60, STREAM_RIKEY_HEX);
    stream_client *c = start_stream(stream_rikey, 1280, 720, 60);
    assert_true(stream_client_run(c, 20, 20000) >= 20);
    int pid = 0;
    assert_int_equal(compositor_pids(&pid, 1, NULL, 0), 1);
    assert_int_equal(kill(pid, SIGKILL), 0);
    assert_int_equal(stream_client_wait_termination(c, 10000), TERM_SOURCE_LOST);
    stream_client_destroy(c);
    char *log = stream_host_log(&host);
    assert_non_null(log);
    /* Whichever noticed first (its exit or its vanished output), the status is logged. */
    assert_non_null(strstr(log, "killed by signal 9"));
    free(log);
    /* The app of that desktop is gone too; a new launch gets a new compositor. */
    uint64_t end = stream_now_ms() + 10000;
    char *doc = NULL;
    for (;;) {
        doc = stream_launch_doc(&host, &client, "launch", 2, 1280, 720, 60, STREAM_RIKEY_HEX, 1);
        assert_non_null(doc);
        if (gsc_xml_status(doc) == 200 || stream_now_ms() > end)
            break;
        free(doc);
        /* Ending a session leaves the app running for /resume: quit it. */
        cancel(NULL);
    }
    assert_int_equal(gsc_xml_status(doc), 200);
    free(doc);
    c = start_stream(stream_rikey, 1280, 720, 60);
    assert_true(stream_client_run(c, 20, 20000) >= 20);
    int pid2 = 0;
    assert_int_equal(compositor_pids(&pid2, 1, NULL, 0), 1);
    assert_int_not_equal(pid2, pid);
    cancel(c);
}

/* SIGINT (^C; SIGTERM takes the same path) while a session streams: every process the host
 * started ends, and no socket or file of the sessions stays in the runtime directory or
 * HOME. */
static void nothing_left_after_sigint(void **state)
{
    launch_ok(&client, "launch", 1, 1280, 720, 60, STREAM_RIKEY_HEX);
    stream_client *c = start_stream(stream_rikey, 1280, 720, 60);
    assert_true(stream_client_run(c, 20, 20000) >= 20);
    int kids[128];
    int n = proc_descendants((int)host.pid, kids, 128);
    fprintf(stderr, "# %d processes below the host\n", n);
    /* bus, PipeWire, WirePlumber; bus and Mutter; the app and its player. */
    assert_true(n >= 6);
    kill(host.pid, SIGINT);
    assert_int_equal(stream_client_wait_termination(c, 10000), TERM_GRACEFUL);
    assert_int_equal(host_stop(&host), 0);
    stream_client_destroy(c);
    for (int i = 0; i < n; i++)
        if (proc_wait_gone(kids[i], 5000) < 0)
            fail_msg("process %d outlived the host", kids[i]);
    char path[512], first[1024] = "";
    snprintf(path, sizeof(path), "%s/run", host.dir);
    if (proc_count_files(path, first, sizeof(first)))
        fail_msg("left behind in XDG_RUNTIME_DIR: %s", first);
    snprintf(path, sizeof(path), "%s/home", host.dir);
    DIR *d = opendir(path);
    assert_non_null(d);
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, ".config") &&
            strcmp(e->d_name, ".local"))
            fail_msg("%s/%s was left in HOME", path, e->d_name);
    closedir(d);
    if (first[0])
        fail_msg("left behind: %s", first);
}

/* A second host, paired: its PATH holds only @p programs (links in WORK/@p name; NULL = the
 * test's PATH), and @p env (may be NULL) is added to its environment. */
static void start_second(host_proc *h, const char *name, const char *programs,
                         const char *const *env)
{
    static char bin[128];
    char cmd[512];
    memset(h, 0, sizeof(*h));
    h->clean_env = 1;
    h->env = env;
    h->serve_args = serve_args;
    if (programs) {
        snprintf(bin, sizeof(bin), "%s/%s", work, name);
        snprintf(cmd, sizeof(cmd),
                 "mkdir -p %s && for p in %s; do ln -sf \"$(command -v $p)\" %s/; done", bin,
                 programs, bin);
        assert_int_equal(system(cmd), 0);
        h->path = bin;
    }
    hp_rtsp = stream_free_tcp_port();
    char conf[300];
    snprintf(conf, sizeof(conf), "apps = %s/apps.json\nrtsp_port = %u\n", work, hp_rtsp);
    assert_int_equal(host_start(h, conf), 0);
    second = h;
    int check = 0;
    assert_int_equal(
        pair_client(h, &client, "1234", "1234", "0123456789ABCDEF", 0, &check, NULL), 1);
    hp = h;
}

static void back_to_main_host(host_proc *h)
{
    hp = &host;
    hp_rtsp = rtsp_port;
    second = NULL;
    assert_int_equal(host_stop(h), 0);
    if (!getenv("PF_KEEP_TEST_DIR"))
        host_remove_dir(h);
}

/* Without Mutter, Weston's PipeWire backend (13 or later) hosts the session: the app's colour
 * arrives at the client's mode. Weston has no input API of its own; without /dev/uinput the
 * session is view-only and says so. */
static void weston_without_mutter(void **state)
{
    char out[64] = "";
    FILE *p = popen("weston --version 2>/dev/null", "r");
    if (p) {
        if (!fgets(out, sizeof(out), p))
            out[0] = '\0';
        pclose(p);
    }
    if (atoi(out + strcspn(out, "0123456789")) < 13) {
        print_message("# Weston 13 or later is not installed: skipped\n");
        skip();
    }
    /* Static: the teardown stops it even after a failure left this function. */
    static host_proc bare;
    start_second(&bare, "bin-weston", "sh sleep dbus-daemon pipewire wireplumber pw-cat weston",
                 NULL);
    launch_ok(&client, "launch", 1, 1280, 720, 60, STREAM_RIKEY_HEX);
    char *status = api_status();
    int weston = strstr(status, "\"compositor\":\"weston\"") != NULL;
    free(status);
    stream_client *c = start_stream(stream_rikey, 1280, 720, 60);
    expect_colour(c, 1280, 720);
    cancel(c);
    back_to_main_host(&bare);
    assert_true(weston);
}

/* A desktop session exists (here a Mutter with its bus and PipeWire, started by the test):
 * the session gets a virtual output on it, not a private stack. */
static void desktop_session_preferred(void **state)
{
    struct pfh_env desk;
    if (pfh_env_start(&desk) < 0)
        skip();
    char *mutter[] = {"mutter", "--wayland", "--headless", "--no-x11",
                      "--wayland-display=desk-wl", NULL};
    if (pfh_spawn(&desk, "mutter", mutter) < 0 || pfh_wait_file(&desk, "desk-wl", 15000) < 0) {
        pfh_env_stop(&desk);
        fail_msg("the desktop's Mutter did not start");
    }
    char e_bus[400], e_pw[400], e_wl[400];
    snprintf(e_bus, sizeof(e_bus), "DBUS_SESSION_BUS_ADDRESS=%s", desk.bus);
    snprintf(e_pw, sizeof(e_pw), "PIPEWIRE_REMOTE=%s/pipewire-0", desk.dir);
    snprintf(e_wl, sizeof(e_wl), "WAYLAND_DISPLAY=%s/desk-wl", desk.dir);
    const char *const env[] = {e_bus, e_pw, e_wl, NULL};
    static host_proc on_desktop;
    start_second(&on_desktop, NULL, NULL, env);
    launch_ok(&client, "launch", 2, 1280, 720, 60, STREAM_RIKEY_HEX);
    char *status = api_status();
    fprintf(stderr, "# on a desktop: %s\n", strstr(status, "\"capture\""));
    int ok = strstr(status, "desktop session found") && strstr(status, "\"kind\":\"desktop\"") &&
             strstr(status, "\"compositor\":\"mutter\"") &&
             strstr(status, "\"private_stack\":false") && strstr(status, "\"input\":\"mutter\"");
    free(status);
    stream_client *c = start_stream(stream_rikey, 1280, 720, 60);
    uint64_t frames = stream_client_run(c, 30, 30000);
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    cancel(c);
    back_to_main_host(&on_desktop);
    pfh_env_stop(&desk);
    assert_true(ok);
    assert_true(frames >= 30);
    assert_true(st.width == 1280 && st.height == 720);
}

/* No compositor installed (PATH without mutter or weston): the launch fails with an error
 * that names the fix, the API says the same, and nothing streams. */
static void no_compositor_is_a_clear_error(void **state)
{
    /* Static: the teardown stops it even after a failure left this function. */
    static host_proc bare;
    start_second(&bare, "bin-bare", "sh sleep dbus-daemon pipewire wireplumber pw-cat", NULL);
    char *doc = stream_launch_doc(hp, &client, "launch", 2, 1280, 720, 60, STREAM_RIKEY_HEX, 1);
    assert_non_null(doc);
    fprintf(stderr, "# %s\n", doc);
    assert_int_equal(gsc_xml_status(doc), 503);
    assert_non_null(strstr(doc, "no headless compositor"));
    assert_non_null(strstr(doc, "apt install mutter"));
    assert_null(strstr(doc, "sessionUrl0"));
    free(doc);
    char *body = NULL;
    assert_int_equal(api_call(hp, "GET", "/api/v1/status", NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "apt install mutter"));
    assert_non_null(strstr(body, "\"sessions\":0"));
    free(body);
    doc = gs_get(hp, 1, &client, "/serverinfo?" STREAM_Q, NULL, NULL);
    char *game = doc ? gsc_xml_get(doc, "currentgame") : NULL;
    assert_non_null(game);
    assert_string_equal(game, "0");
    free(game);
    free(doc);
    char *log = stream_host_log(&bare);
    assert_non_null(log);
    assert_non_null(strstr(log, "capture: no desktop session and no headless compositor"));
    free(log);
    back_to_main_host(&bare);
}

static int stop_second_host(void **state)
{
    if (second && second->pid > 0) {
        host_stop(second);
        if (!getenv("PF_KEEP_TEST_DIR"))
            host_remove_dir(second);
    }
    second = NULL;
    return 0;
}

/* A test that failed half-way on a second host leaves the next one on the main host. */
static int on_main_host(void **state)
{
    hp = &host;
    hp_rtsp = rtsp_port;
    /* ... and with no app left running by it. */
    if (host.pid > 0)
        stream_cancel(hp, &client);
    return 0;
}

static int have(const char *p)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", p);
    return system(cmd) == 0;
}

int main(void)
{
    if (!have("mutter") || !have("dbus-daemon") || !have("pipewire") || !have("wireplumber") ||
        !have("pw-cat")) {
        printf("1..0 # SKIP needs mutter, dbus-daemon, pipewire, wireplumber and pw-cat\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(no_compositor_is_a_clear_error, on_main_host,
                                        stop_second_host),
        cmocka_unit_test_setup_teardown(weston_without_mutter, on_main_host,
                                        stop_second_host),
        cmocka_unit_test_setup_teardown(desktop_end_to_end, on_main_host,
                                        stop_second_host),
        cmocka_unit_test_setup_teardown(two_clients_two_compositors, on_main_host,
                                        stop_second_host),
        cmocka_unit_test_setup_teardown(compositor_killed, on_main_host,
                                        stop_second_host),
        cmocka_unit_test_setup_teardown(desktop_session_preferred, on_main_host,
                                        stop_second_host),
        cmocka_unit_test_setup_teardown(nothing_left_after_sigint, on_main_host,
                                        stop_second_host),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
