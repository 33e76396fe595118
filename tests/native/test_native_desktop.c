/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A punktfunk/1 client on a machine with no desktop session, as a new user meets it: `pfhost
 * serve` under `env -i` (PATH, HOME and an empty XDG_RUNTIME_DIR; no --source) starts its own
 * bus, PipeWire and WirePlumber and a headless compositor for the native session. The app
 * the Hello names (a Wayland client of the tests) runs inside that desktop, fills its window
 * with a known colour that the decoded frames show at the requested mode, and receives the
 * key and the click sent as 0xC8 datagrams; a Reconfigure moves the desktop to the new mode
 * on the same data plane; the API lists the desktop; a compositor that dies ends the session
 * with 0x68; after the host stops nothing of it is left; and without any compositor the
 * Hello is refused with 0x68 and a reason that names the fix. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
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

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_datagram.h"

#include "native_harness.h"
#include "native_video.h"
#include "proc_tree.h"

#define COLOUR 0x3366ccu

static char work[64];
static int have_mutter;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int have(const char *p)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", p);
    return system(cmd) == 0;
}

/* The host under `env -i` with the default source; client A paired by PIN. */
static int group_setup(void **state)
{
    (void)state;
    snprintf(work, sizeof(work), "/tmp/pfhost-native-desktop-XXXXXX");
    if (!mkdtemp(work))
        return -1;
    chmod(work, 0755);
    char apps[128], conf[256];
    snprintf(apps, sizeof(apps), "%s/apps.json", work);
    FILE *f = fopen(apps, "w");
    if (!f)
        return -1;
    /* Its prep command records the environment apps get; the app shows the colour and
     * writes what input reaches it. */
    fprintf(f,
            "{\"apps\": [{\"name\": \"Colour\", \"prep-cmd\": [{\"do\": \"echo "
            "\\\"$WAYLAND_DISPLAY $PIPEWIRE_REMOTE $DBUS_SESSION_BUS_ADDRESS\\\" > "
            "%s/prep-env\", \"undo\": \"\"}], \"cmd\": \"exec %s --colour %06x --stay > "
            "%s/events.log 2>&1\"}]}\n",
            work, PF_WL_RECORDER, COLOUR, work);
    fclose(f);
    snprintf(conf, sizeof(conf), "apps = %s\n", apps);
    host.clean_env = 1;
    if (pf_net_quic_cert_generate("punktfunk-client", &key_a, &cert_a) < 0 ||
        pf_net_quic_cert_generate("punktfunk-client", &key_b, &cert_b) < 0 ||
        pf_net_quic_cert_fingerprint(cert_a, strlen(cert_a), fp_a) < 0 ||
        pf_net_quic_cert_fingerprint(cert_b, strlen(cert_b), fp_b) < 0)
        return -1;
    if (host_start(&host, conf) < 0 || read_native_status() < 0) {
        print_message("# the host did not start (log in %s/host.log)\n", host.dir);
        return -1;
    }
    char pin[5];
    if (arm_pin(pin) < 0 || pair_once(cert_a, key_a, fp_a, pin) != 0) {
        print_message("# pairing failed\n");
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    native_teardown(state);
    if (!getenv("PF_KEEP_TEST_DIR")) {
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
        if (system(cmd) != 0)
            return -1;
    }
    return 0;
}

static char *api_status(void)
{
    char *body = NULL;
    if (api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body) != 200 || !body)
        fail_msg("GET /api/v1/status failed");
    return body;
}

/* The pid of the first desktop's compositor the API lists (0: none), and its mode. */
static int desktop_pid(char *mode, size_t n)
{
    char *body = api_status();
    const char *d = strstr(body, "\"desktops\":[");
    const char *p = d ? strstr(d, "\"pid\":") : NULL;
    int pid = p ? atoi(p + 6 + (p[6] == ' ')) : 0;
    const char *m = d ? strstr(d, "\"mode\":\"") : NULL;
    if (mode)
        snprintf(mode, n, "%.*s", m ? (int)strcspn(m + 8, "\"") : 0, m ? m + 8 : "");
    free(body);
    return pid;
}

static char *events(void)
{
    char path[128];
    snprintf(path, sizeof(path), "%s/events.log", work);
    char *t = read_text_file(path);
    return t ? t : calloc(1, 1);
}

/* BT.709 limited range: the Welcome's colour description (1/1/1, full_range 0). */
static void expected_ycbcr(uint32_t rgb, int *y, int *cb, int *cr)
{
    double r = (rgb >> 16 & 255) / 255.0, g = (rgb >> 8 & 255) / 255.0, b = (rgb & 255) / 255.0;
    double yy = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    *y = (int)lround(16 + 219 * yy);
    *cb = (int)lround(128 + 224 * (b - yy) / 1.8556);
    *cr = (int)lround(128 + 224 * (r - yy) / 1.5748);
}

static int close_to(uint32_t got, int want)
{
    return abs((int)got - want) <= 10;
}

typedef struct run {
    native_client *c;
    native_video *v;
    pf_pkf1_welcome w;
    int fd;
    uint64_t next_report_ms;
} run;

/* Serves the session for @p ms: reads media, keeps the control stream moving, reports loss
 * and asks for a keyframe after one, as a client does. */
static void serve_for(run *r, uint32_t ms)
{
    for (uint64_t end = now_ms() + ms; now_ms() < end;) {
        nvideo_poll(r->v, 2);
        nclient_pump(r->c, 1);
        pf_pkf1_msg m;
        if (nvideo_take_lost(r->v)) {
            pf_pkf1_msg_init(&m, PF_PKF1_MSG_REQUEST_KEYFRAME);
            nclient_send_msg(r->c, &m);
        }
        if (now_ms() >= r->next_report_ms) {
            r->next_report_ms = now_ms() + 750;
            pf_pkf1_msg_init(&m, PF_PKF1_MSG_LOSS_REPORT);
            m.value32 = nvideo_loss_ppm(r->v);
            nclient_send_msg(r->c, &m);
        }
    }
}

/* Serves until the decoded picture is @p w x @p h with COLOUR at its centre (40 s at most:
 * the first frames of a compositor on two busy cores take their time). */
static void expect_colour(run *r, uint32_t w, uint32_t h)
{
    int wy, wcb, wcr;
    expected_ycbcr(COLOUR, &wy, &wcb, &wcr);
    native_video_stats st;
    uint64_t end = now_ms() + 40000;
    do {
        serve_for(r, 300);
        nvideo_get_stats(r->v, &st);
    } while (now_ms() < end &&
             !(st.decoded > 0 && st.width == w && st.height == h && close_to(st.centre_y, wy) &&
               close_to(st.centre_cb, wcb) && close_to(st.centre_cr, wcr)));
    print_message("# picture %ux%u, centre Y %u Cb %u Cr %u (want %d %d %d), %llu decoded\n",
                  st.width, st.height, st.centre_y, st.centre_cb, st.centre_cr, wy, wcb, wcr,
                  (unsigned long long)st.decoded);
    assert_int_equal(st.width, w);
    assert_int_equal(st.height, h);
    assert_true(close_to(st.centre_y, wy) && close_to(st.centre_cb, wcb) &&
                close_to(st.centre_cr, wcr));
}

/* Waits until the host runs no app (the last one ended with its desktop). */
static void wait_no_app(void)
{
    for (uint64_t end = now_ms() + 15000;; usleep(100000)) {
        char *body = api_status();
        int idle = strstr(body, "\"current_app\":0") != NULL;
        free(body);
        if (idle)
            return;
        if (now_ms() > end)
            fail_msg("the app outlived its desktop");
    }
}

/* Hello naming app 1 at @p w x @p h @ 60: Welcome, LaunchOutcome "spawned", media flowing. */
static void open_run(run *r, uint32_t w, uint32_t h)
{
    wait_no_app();
    memset(r, 0, sizeof(*r));
    uint64_t t0 = now_ms();
    r->c = open_session_launch("127.0.0.1", w, h, 60, 0, "1", &r->w, &r->fd);
    /* The host makes the desktop before its Welcome. */
    print_message("# Hello to Welcome: %llu ms\n", (unsigned long long)(now_ms() - t0));
    assert_int_equal(r->w.width, w);
    uint8_t buf[512];
    pf_pkf1_msg m;
    assert_int_equal(nclient_recv_type(r->c, PF_PKF1_MSG_LAUNCH_OUTCOME, buf, sizeof(buf), &m,
                                       10000),
                     0);
    print_message("# launch: kind %u, \"%.*s\"\n", m.code8, (int)m.text_len,
                  (const char *)m.text);
    assert_int_equal(m.code8, PF_PKF1_LAUNCH_SPAWNED);
    assert_int_equal(nvideo_create(&r->w, r->fd, &r->v), 0);
    r->next_report_ms = now_ms() + 750;
}

static void close_run(run *r)
{
    if (r->c) {
        nclient_close(r->c, PF_PKF1_CLOSE_CLIENT_QUIT);
        nclient_destroy(r->c);
    }
    nvideo_destroy(r->v);
    close(r->fd);
    memset(r, 0, sizeof(*r));
}

/* The pointer to the picture's centre, a left click and the A key as 0xC8 datagrams, until the
 * app reports them (Mutter adds its virtual devices to the seat on first use). */
static void expect_input(run *r, uint32_t w, uint32_t h)
{
    char *before = events();
    size_t seen = strlen(before);
    free(before);
    int clicked = 0, typed = 0;
    for (uint64_t end = now_ms() + 30000; now_ms() < end && !(clicked && typed);) {
        send_input(r->c, PF_PKF1_INPUT_MOUSE_MOVE_ABS, 0, (int32_t)w / 2, (int32_t)h / 2,
                   w << 16 | h);
        send_input(r->c, PF_PKF1_INPUT_MOUSE_BUTTON_DOWN, 1, 0, 0, 0);
        send_input(r->c, PF_PKF1_INPUT_MOUSE_BUTTON_UP, 1, 0, 0, 0);
        send_input(r->c, PF_PKF1_INPUT_KEY_DOWN, 0x41, 0, 0, 0);
        send_input(r->c, PF_PKF1_INPUT_KEY_UP, 0x41, 0, 0, 0);
        serve_for(r, 400);
        char *ev = events();
        const char *fresh = strlen(ev) > seen ? ev + seen : "";
        clicked = strstr(fresh, "button 272 1") != NULL;
        typed = strstr(fresh, "key 30 1") != NULL;
        free(ev);
    }
    print_message("# input: click %s, key %s\n", clicked ? "arrived" : "missing",
                  typed ? "arrived" : "missing");
    assert_true(clicked);
    assert_true(typed);
}

/* The whole path: desktop, app environment, picture, input, mode change, API, close. */
static void native_desktop_end_to_end(void **state)
{
    (void)state;
    run r;
    open_run(&r, 1280, 720);
    char mode[32];
    int pid = desktop_pid(mode, sizeof(mode));
    assert_true(proc_alive(pid));
    assert_string_equal(mode, "1280x720@60");
    char *status = api_status();
    print_message("# capture: %s\n", strstr(status, "\"capture\""));
    /* Listed like a GameStream session's desktop, under an id of its own range. */
    assert_non_null(strstr(status, "\"session\":2147483648"));
    assert_non_null(strstr(status, "\"private_stack\":true"));
    assert_true(!have_mutter || strstr(status, "\"compositor\":\"mutter\""));
    int has_input = strstr(status, "\"input\":\"none\"") == NULL;
    free(status);
    /* The app and its prep commands run in the session's desktop. */
    char path[128];
    snprintf(path, sizeof(path), "%s/prep-env", work);
    char *env = read_text_file(path);
    assert_non_null(env);
    print_message("# app environment: %s", env);
    assert_non_null(strstr(env, "/wayland-0 "));
    assert_non_null(strstr(env, "/pipewire-0 unix:path="));
    free(env);

    expect_colour(&r, 1280, 720);
    if (has_input)
        expect_input(&r, 1280, 720);
    else
        print_message("# the desktop is view-only here (no input API, no /dev/uinput)\n");

    /* Reconfigure: the desktop follows to 960x540, the data plane stays, the app's colour
     * fills the new picture. */
    pf_pkf1_msg m, e;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_RECONFIGURE);
    m.width = 960;
    m.height = 540;
    m.refresh_hz = 60;
    assert_int_equal(nclient_send_msg(r.c, &m), 0);
    uint8_t buf[256];
    assert_int_equal(
        nclient_recv_type(r.c, PF_PKF1_MSG_RECONFIGURED, buf, sizeof(buf), &e, 30000), 0);
    assert_int_equal(e.flag, 1);
    assert_int_equal(e.width, 960);
    assert_int_equal(e.height, 540);
    expect_colour(&r, 960, 540);
    assert_int_equal(desktop_pid(mode, sizeof(mode)), pid);
    assert_string_equal(mode, "960x540@60");
    if (has_input)
        expect_input(&r, 960, 540);

    close_run(&r);
    /* The session's compositor goes with it, and the API lists no desktop. */
    assert_int_equal(proc_wait_gone(pid, 10000), 0);
    assert_int_equal(desktop_pid(NULL, 0), 0);
}

/* The compositor dies mid-stream: the session ends with 0x68 (output failure, §10), the host
 * goes on and serves the next session with a new compositor. */
static void compositor_killed(void **state)
{
    (void)state;
    run r;
    open_run(&r, 1280, 720);
    int pid = desktop_pid(NULL, 0);
    assert_true(proc_alive(pid));
    serve_for(&r, 500);
    kill(pid, SIGKILL);
    int app = -1;
    uint64_t code = 0;
    assert_int_equal(nclient_wait_closed(r.c, 10000, &app, &code), 1);
    assert_int_equal(app, 1);
    assert_int_equal(code, PF_PKF1_CLOSE_SETUP_FAILED);
    nclient_destroy(r.c);
    r.c = NULL;
    close_run(&r);
    assert_int_equal(desktop_pid(NULL, 0), 0);
    /* The app went with its desktop: the next Hello starts it afresh in a new one. */
    open_run(&r, 1280, 720);
    expect_colour(&r, 1280, 720);
    assert_int_not_equal(desktop_pid(NULL, 0), pid);
    close_run(&r);
}

/* SIGTERM while a native session streams: every process the host started ends, and nothing
 * of the session stays in XDG_RUNTIME_DIR. */
static void nothing_left_after_stop(void **state)
{
    (void)state;
    run r;
    open_run(&r, 1280, 720);
    serve_for(&r, 1000);
    int kids[128];
    int n = proc_descendants((int)host.pid, kids, 128);
    print_message("# %d processes below the host\n", n);
    /* bus, PipeWire, WirePlumber; the desktop's bus and compositor; the app. */
    assert_true(n >= 4);
    assert_int_equal(host_stop(&host), 0);
    int app = -1;
    uint64_t code = 0;
    assert_int_equal(nclient_wait_closed(r.c, 10000, &app, &code), 1);
    assert_int_equal(code, PF_PKF1_CLOSE_HOST_POWER);
    nclient_destroy(r.c);
    r.c = NULL;
    close_run(&r);
    for (int i = 0; i < n; i++)
        if (proc_wait_gone(kids[i], 5000) < 0)
            fail_msg("process %d outlived the host", kids[i]);
    char path[512], first[1024] = "";
    snprintf(path, sizeof(path), "%s/run", host.dir);
    if (proc_count_files(path, first, sizeof(first)))
        fail_msg("left behind in XDG_RUNTIME_DIR: %s", first);
}

/* The same host restarted without any compositor on its PATH: the Hello is refused with 0x68
 * (the output cannot be made), the host says why and how to fix it, and it goes on serving. */
static void no_compositor_is_refused(void **state)
{
    (void)state;
    static char bin[128];
    char cmd[512];
    snprintf(bin, sizeof(bin), "%s/bin-bare", work);
    snprintf(cmd, sizeof(cmd),
             "mkdir -p %s && for p in sh sleep dbus-daemon pipewire wireplumber; do "
             "ln -sf \"$(command -v $p)\" %s/; done",
             bin, bin);
    assert_int_equal(system(cmd), 0);
    if (host.pid > 0)
        assert_int_equal(host_stop(&host), 0);
    host.path = bin;
    /* The same directory: identity and pairings stay. */
    assert_int_equal(host_start(&host, NULL), 0);
    assert_int_equal(read_native_status(), 0);
    native_client *c = connect_as(cert_a, key_a);
    send_hello_launch(c, PF_PKF1_WIRE_VERSION, 1280, 720, 60, 0, "1");
    expect_close(c, PF_PKF1_CLOSE_SETUP_FAILED);
    nclient_destroy(c);
    char *body = api_status();
    assert_non_null(strstr(body, "apt install mutter"));
    assert_non_null(strstr(body, "\"current_app\":0"));
    free(body);
    /* The host's log says it once, with the fix. */
    char path[512], line[1024];
    snprintf(path, sizeof(path), "%s/host.log", host.dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char last[1024] = ""; /* the log goes on from the earlier tests */
    while (fgets(line, sizeof(line), f))
        if (strstr(line, "closed with 0x68"))
            snprintf(last, sizeof(last), "%s", line);
    fclose(f);
    print_message("# %s", last);
    snprintf(line, sizeof(line), "%s", last);
    assert_non_null(strstr(line, "no headless compositor"));
    assert_non_null(strstr(line, "apt install mutter"));
}

int main(void)
{
    have_mutter = have("mutter");
    if (!have_mutter && !have("weston")) {
        printf("# SKIP: neither mutter nor weston is installed\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_desktop_end_to_end),
        cmocka_unit_test(compositor_killed),
        cmocka_unit_test(nothing_left_after_stop),
        cmocka_unit_test(no_compositor_is_refused),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
