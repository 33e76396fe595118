/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The punktfunk/1 cursor channel end to end with a real compositor: `pfhost serve` under a
 * clean environment starts its private stack and a headless Mutter per session (as for a
 * GameStream launch). A client that sets CURSOR gets HOST_CAP_CURSOR, moves the pointer with
 * 0xC8 absolute motion and receives 0xD0 positions that match and a 0x50 shape, RGBA within
 * 120×120; CursorRenderMode 0 puts the pointer back into the picture (the output is made
 * again: a PipelineGap, then no more positions). A client without CURSOR gets neither the
 * capability nor any cursor message. libpfclient hands the same to an app. A session whose
 * compositor dies ends with 0x68. Skipped (77) only when Mutter or the stack is missing. */
#include <json-c/json.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "pf/client.h"
#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_datagram.h"

#include "native_harness.h"

#define W 1280
#define H 720
#define HZ 30
#define CURSOR_RGB 0x33cc66u

static int group_setup(void **state)
{
    (void)state;
    static const char *args[] = {"--source", "vdisplay", NULL};
    host.serve_args = args;
    host.clean_env = 1;
    if (native_setup(state) < 0)
        return -1;
    char pin[5];
    return arm_pin(pin) == 0 && pair_once(cert_a, key_a, fp_a, pin) == 0 ? 0 : -1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The client's view: what absolute motion is relative to (the session's mode). */
static uint32_t view_w = W, view_h = H;

static void move_abs(native_client *c, int32_t x, int32_t y)
{
    pf_pkf1_input in = {PF_PKF1_INPUT_MOUSE_MOVE_ABS, 0, x, y, view_w << 16 | view_h};
    uint8_t d[PF_PKF1_INPUT_BYTES];
    assert_int_equal(pf_pkf1_input_encode(&in, d), 0);
    /* Latest-wins datagrams may be dropped while the endpoint is busy; the loops resend. */
    pf_net_quic_conn_send_datagram(nclient_conn(c), d, sizeof(d));
}

/* Moves the pointer to (x, y) until a visible 0xD0 there arrives (±1 for the compositor's
 * rounding of the normalised position). Returns the datagrams' serial, or -1. */
static int64_t await_position(native_client *c, int32_t x, int32_t y, int ms)
{
    /* Audio datagrams arrive all the time: the deadline is the clock's. */
    for (uint64_t end = now_ms() + (uint64_t)ms; now_ms() < end;) {
        move_abs(c, x, y);
        uint8_t d[1500];
        size_t n;
        for (uint64_t next = now_ms() + 50;
             now_ms() < next && nclient_recv_datagram(c, d, sizeof(d), &n, 50) == 0;) {
            pf_pkf1_cursor cur;
            if (n == 0 || d[0] != PF_PKF1_DG_CURSOR)
                continue;
            assert_int_equal(pf_pkf1_cursor_decode(d, n, &cur), 0);
            if ((cur.flags & PF_PKF1_CURSOR_VISIBLE) && abs(cur.x - x) <= 1 &&
                abs(cur.y - y) <= 1)
                return cur.serial;
        }
    }
    return -1;
}

/* Counts 0xD0 datagrams over @p ms while moving the pointer about. */
static int count_positions(native_client *c, int ms)
{
    int count = 0, step = 0;
    for (uint64_t end = now_ms() + (uint64_t)ms; now_ms() < end; step++) {
        move_abs(c, 100 + step * 10 % 400, 300);
        uint8_t d[1500];
        size_t n;
        for (uint64_t next = now_ms() + 50;
             now_ms() < next && nclient_recv_datagram(c, d, sizeof(d), &n, 50) == 0;)
            count += n && d[0] == PF_PKF1_DG_CURSOR;
    }
    return count;
}

/* A session whose Hello sets CURSOR (the client draws the pointer). */
static native_client *open_cursor_session(pf_pkf1_welcome *w, int *fd)
{
    pf_pkf1_hello hello;
    hello_for(&hello, W, H, HZ, 0);
    hello.client_caps = PF_PKF1_CLIENT_CAP_CURSOR;
    return open_session_hello("127.0.0.1", &hello, w, fd);
}

static void end_session(native_client *c, int fd)
{
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

/* Starts the test app in the session's desktop (the only one): a fullscreen window that sets
 * its own 16×16 pointer of CURSOR_RGB, hotspot (2, 2), while the pointer is over it. A
 * compositor reports a shape when the pointer's sprite changes, so the app is what gives the
 * session a shape to send. Returns its pid. */
static pid_t start_app(void)
{
    char *body = NULL;
    char wl[320] = "";
    for (int i = 0; i < 100 && !wl[0]; i++) {
        assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body), 200);
        json_object *o = json_tokener_parse(body), *cap, *desks, *d, *w;
        free(body);
        body = NULL;
        if (o && json_object_object_get_ex(o, "capture", &cap) &&
            json_object_object_get_ex(cap, "desktops", &desks) &&
            json_object_array_length(desks) == 1 &&
            (d = json_object_array_get_idx(desks, 0)) &&
            json_object_object_get_ex(d, "wayland_display", &w) && w)
            snprintf(wl, sizeof(wl), "%s", json_object_get_string(w));
        json_object_put(o);
        if (!wl[0])
            msleep(100);
    }
    assert_true(wl[0] != '\0');
    pid_t pid = fork();
    if (pid == 0) {
        setenv("WAYLAND_DISPLAY", wl, 1);
        freopen("/dev/null", "w", stdout);
        freopen("/dev/null", "w", stderr); /* a tool that exits with its compositor */
        char colour[16];
        snprintf(colour, sizeof(colour), "%06x", CURSOR_RGB);
        execl(PF_WL_RECORDER, PF_WL_RECORDER, "--cursor", colour, "--stay", (char *)NULL);
        _exit(127);
    }
    assert_true(pid > 0);
    return pid;
}

/* The pid of the session's compositor, from the API's status. */
static int compositor_pid(void)
{
    char *body = NULL;
    assert_int_equal(api_call(&host, "GET", "/api/v1/status", NULL, NULL, &body), 200);
    const char *p = strstr(body, "\"pid\":");
    assert_non_null(p);
    int pid = atoi(p + 6 + (p[6] == ' '));
    free(body);
    assert_true(pid > 0);
    return pid;
}

static void stop_app(pid_t pid)
{
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
}

static void cursor_channel(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_cursor_session(&w, &fd);
    assert_true(w.host_caps & PF_PKF1_HOST_CAP_CURSOR);

    /* Positions follow the pointer the client moves, in video pixels; over the bare desktop
     * the shape is the theme's arrow (Mutter has not described a sprite yet). */
    int64_t first = await_position(c, 200, 150, 20000);
    assert_true(first > 0);
    static uint8_t buf[PF_PKF1_MSG_MAX_BYTES + 16];
    pf_pkf1_msg m;
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_CURSOR_SHAPE, buf, sizeof(buf), &m, 5000),
                     0);
    assert_int_equal(m.value32, (uint32_t)first);
    assert_true(m.width >= 8 && m.width <= 120 && m.value16 < m.width);
    pid_t app = start_app();
    assert_true(await_position(c, 900, 500, 10000) >= 0);

    /* The app's pointer arrives as a shape on the control stream: straight-alpha RGBA, its
     * size and hotspot, the colour inside, the border clear. Shapes before it (the
     * compositor's own, an empty one while the app had set none) are skipped. */
    int found = 0;
    for (int i = 0; i < 20 && !found; i++) {
        if (nclient_recv_type(c, PF_PKF1_MSG_CURSOR_SHAPE, buf, sizeof(buf), &m, 1000) != 0) {
            move_abs(c, 300 + i, 200); /* a sprite is sent with the next move */
            continue;
        }
        assert_true(m.width >= 1 && m.width <= 120 && m.height >= 1 && m.height <= 120);
        assert_int_equal(m.blob_len, (size_t)m.width * m.height * 4u);
        const uint8_t *mid = m.blob + ((size_t)8 * m.width + 8) * 4u;
        found = m.width == 16 && m.height == 16 && mid[0] == (CURSOR_RGB >> 16 & 255) &&
                mid[1] == (CURSOR_RGB >> 8 & 255) && mid[2] == (CURSOR_RGB & 255) &&
                mid[3] == 255;
    }
    assert_true(found);
    assert_int_equal(m.value16, 2);
    assert_int_equal(m.value16b, 2);
    assert_int_equal(m.blob[3], 0); /* the border is transparent */
    /* The positions from now on name that shape. */
    assert_int_equal(await_position(c, 640, 360, 10000), (int64_t)m.value32);

    /* CursorRenderMode 0: the host draws the pointer again; the output is made again, on the
     * same compositor: the app in it goes on. */
    int compositor = compositor_pid();
    pf_pkf1_msg rm;
    pf_pkf1_msg_init(&rm, PF_PKF1_MSG_CURSOR_RENDER_MODE);
    rm.flag = 0;
    assert_int_equal(nclient_send_msg(c, &rm), 0);
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_PIPELINE_GAP, buf, sizeof(buf), &m, 30000),
                     0);
    nclient_pump(c, 300);
    assert_int_equal(count_positions(c, 1500), 0);
    assert_int_equal(compositor_pid(), compositor);
    assert_int_equal(waitpid(app, NULL, WNOHANG), 0); /* still running */
    end_session(c, fd);
    stop_app(app);
}

static void no_cursor_without_cap(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(W, H, HZ, 0, &w, &fd);
    assert_false(w.host_caps & PF_PKF1_HOST_CAP_CURSOR);
    pid_t app = start_app();
    assert_int_equal(count_positions(c, 3000), 0);
    uint8_t buf[512];
    pf_pkf1_msg m;
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_CURSOR_SHAPE, buf, sizeof(buf), &m, 500),
                     PF_ERR_TIMEOUT);
    end_session(c, fd);
    stop_app(app);
}

/* A mode change keeps the channel: positions in the new mode's pixels, where the pointer
 * was moved in the new view. */
static void mode_change(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_cursor_session(&w, &fd);
    assert_true(await_position(c, 300, 200, 20000) >= 0);
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_RECONFIGURE);
    m.width = 960;
    m.height = 540;
    m.refresh_hz = HZ;
    assert_int_equal(nclient_send_msg(c, &m), 0);
    static uint8_t buf[PF_PKF1_MSG_MAX_BYTES + 16]; /* shapes come on the same stream */
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_RECONFIGURED, buf, sizeof(buf), &m, 30000),
                     0);
    assert_int_equal(m.flag, 1);
    assert_int_equal(m.width, 960);
    view_w = 960;
    view_h = 540;
    assert_true(await_position(c, 900, 500, 20000) >= 0);
    view_w = W;
    view_h = H;
    end_session(c, fd);
}

/* The compositor of the session's desktop dies: the session ends with 0x68 (its input and
 * output are gone), the host stays up for the next one. */
static void desktop_dies(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(W, H, HZ, 0, &w, &fd);
    assert_int_equal(kill(compositor_pid(), SIGKILL), 0);
    expect_close(c, PF_PKF1_CLOSE_SETUP_FAILED);
    nclient_destroy(c);
    close(fd);
    assert_int_equal(read_native_status(), 0);
}

/* The same channel through libpfclient, as an app would use it. */
static void client_library(void **state)
{
    (void)state;
    pf_client_settings cs;
    pf_client_settings_default(&cs);
    cs.cert_pem = cert_a;
    cs.key_pem = key_a;
    pf_client *pc = NULL;
    assert_int_equal(pf_client_connect(&cs, "127.0.0.1", native_port, &pc), 0);
    assert_int_equal(pf_client_set_cursor_channel(pc, 1), 0);
    pf_client_stream_settings ss;
    pf_client_stream_settings_default(&ss);
    ss.width = W;
    ss.height = H;
    ss.refresh_hz = HZ;
    pf_client_stream_info info = {.struct_size = sizeof(info)};
    assert_int_equal(pf_client_start(pc, &ss, &info, 30000), 0);
    assert_true(info.host_caps & PF_PKF1_HOST_CAP_CURSOR);
    pid_t app = start_app();
    static uint8_t rgba[PF_CLIENT_CURSOR_MAX_SIDE * PF_CLIENT_CURSOR_MAX_SIDE * 4];
    pf_client_cursor cur = {.struct_size = sizeof(cur)};
    int there = 0, shaped = 0;
    for (uint64_t end = now_ms() + 30000; now_ms() < end && !(there && shaped);) {
        int32_t x = 400 + (int32_t)(now_ms() / 200 % 2); /* a sprite goes out with a move */
        pf_client_send_input(pc, PF_PKF1_INPUT_MOUSE_MOVE_ABS, 0, x, 300,
                             (uint32_t)W << 16 | H);
        msleep(50);
        if (pf_client_get_cursor(pc, &cur, rgba, sizeof(rgba)) != 0)
            continue;
        there = (cur.flags & PF_CLIENT_CURSOR_VISIBLE) && abs(cur.x - x) <= 1 &&
                abs(cur.y - 300) <= 1;
        const uint8_t *mid = rgba + ((size_t)8 * cur.width + 8) * 4u;
        shaped = (cur.flags & PF_CLIENT_CURSOR_HAS_SHAPE) && cur.width == 16 &&
                 cur.hot_x == 2 && mid[1] == (CURSOR_RGB >> 8 & 255) && mid[3] == 255 &&
                 cur.position_serial == cur.shape_serial;
    }
    assert_true(there);
    assert_true(shaped);
    assert_int_equal(pf_client_get_cursor(pc, &cur, rgba, 16), PF_ERR_BUFFER_TOO_SMALL);
    pf_client_destroy(pc);
    stop_app(app);
}

static int have(const char *prog)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", prog);
    return system(cmd) == 0;
}

int main(void)
{
    if (!have("mutter") || !have("pipewire") || !have("wireplumber") || !have("dbus-daemon")) {
        printf("1..0 # SKIP needs mutter, pipewire, wireplumber and dbus-daemon\n");
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(cursor_channel),
        cmocka_unit_test(no_cursor_without_cap),
        cmocka_unit_test(client_library),
        cmocka_unit_test(mode_change),
        cmocka_unit_test(desktop_dies),
    };
    return cmocka_run_group_tests(tests, group_setup, native_teardown);
}
