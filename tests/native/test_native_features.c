/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The optional punktfunk/1 features of pfhost against `pfhost serve --source testpattern`:
 * the speed test (§9.5: ProbeRequest, FLAG_PROBE filler beside the live video, ProbeResult),
 * host timing (0xCF, §8.8), grants changed through the management API while a client streams
 * (AccessUpdate, §5.6, and the input it then drops), and the app a Hello names (LaunchOutcome,
 * §5.6; the LAUNCH grant, close 0x6A). */
#include <setjmp.h>
#include <stdarg.h>
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
#include <json-c/json.h>

#include "pf/core/error.h"
#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "native_harness.h"
#include "native_video.h"

static char fph_a[65];

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int group_setup(void **state)
{
    if (native_setup(state) < 0)
        return -1;
    hex(fp_a, 32, fph_a);
    char pin[5];
    return arm_pin(pin) == 0 && pair_once(cert_a, key_a, fp_a, pin) == 0 ? 0 : -1;
}

/* The control messages that arrive while video is read: the first of @p type is kept. */
typedef struct watch {
    uint32_t type;
    int got;
    pf_pkf1_msg msg;
    uint8_t buf[512];
} watch;

/* Reads video and the control stream for @p ms (or until @p w has its message). */
static void stream_for(native_client *c, native_video *v, int ms, watch *w)
{
    uint64_t end = now_ms() + (uint64_t)ms;
    while (now_ms() < end && !(w && w->got)) {
        nvideo_poll(v, 2);
        nclient_pump(c, 1);
        size_t n;
        uint8_t buf[512];
        while (nclient_recv(c, buf, sizeof(buf), &n, 0) == 0) {
            pf_pkf1_msg m;
            if (w && !w->got && pf_pkf1_msg_decode(buf, n, &m) == 0 && m.type == w->type) {
                memcpy(w->buf, buf, n);
                pf_pkf1_msg_decode(w->buf, n, &w->msg);
                w->got = 1;
            }
        }
    }
}

static void send_probe(native_client *c, uint32_t kbps, uint32_t ms)
{
    pf_pkf1_msg m;
    pf_pkf1_msg_init(&m, PF_PKF1_MSG_PROBE_REQUEST);
    m.value32 = kbps;
    m.value32b = ms;
    assert_int_equal(nclient_send_msg(c, &m), 0);
}

static void speed_test_beside_video(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_video *v;
    native_client *c = open_session(1280, 720, 60, PF_PKF1_VIDEO_CAP_PROBE_SEQ, &w, &fd);
    assert_int_equal(nvideo_create(&w, fd, &v), 0);
    stream_for(c, v, 1500, NULL);
    native_video_stats s0, s1;
    nvideo_get_stats(v, &s0);
    assert_true(s0.decoded > 0);
    assert_int_equal(s0.probe_packets, 0);

    /* 20 Mbit/s for 1.5 s; a second request while it runs is answered at once, empty. */
    const uint32_t kbps = 20000, ms = 1500;
    send_probe(c, kbps, ms);
    send_probe(c, kbps, ms);
    uint64_t t0 = now_ms();
    watch busy = {.type = PF_PKF1_MSG_PROBE_RESULT};
    stream_for(c, v, 1000, &busy);
    assert_true(busy.got);
    assert_true(now_ms() - t0 < 1000);
    assert_true(busy.msg.has_ext);
    assert_true(busy.msg.value64 == 0 && busy.msg.value32 == 0 && busy.msg.value32b == 0);
    watch res = {.type = PF_PKF1_MSG_PROBE_RESULT};
    stream_for(c, v, 5000, &res);
    assert_true(res.got);
    stream_for(c, v, 300, NULL); /* filler still in flight */
    nvideo_get_stats(v, &s1);
    const pf_pkf1_msg *r = &res.msg;
    uint32_t per = w.shard_payload + 64u;
    print_message("# speed test %u kbit/s for %u ms: host %llu bytes, %u datagrams, %u taken by "
                  "the kernel, %u refused, ran %u ms; %llu arrived; video %llu -> %llu "
                  "decoded, %llu gaps\n",
                  kbps, ms, (unsigned long long)r->value64, r->value32, r->value32c,
                  r->value32d, r->value32b, (unsigned long long)s1.probe_packets,
                  (unsigned long long)s0.decoded, (unsigned long long)s1.decoded,
                  (unsigned long long)s1.counter_gaps);
    /* The 29-byte form; counters that add up. */
    assert_true(r->has_ext);
    assert_int_equal(r->value32, r->value32c + r->value32d);
    assert_int_equal(r->value64, (uint64_t)r->value32 * per);
    assert_true(r->value32b >= ms - 10 && r->value32b <= ms + 300);
    /* The asked rate, within 10 % (whole datagrams, timer slack). */
    uint64_t want = (uint64_t)kbps * r->value32b / 8u;
    assert_true(r->value64 >= want * 9 / 10 && r->value64 <= want * 11 / 10 + per);
    /* Loopback loses nothing: what the kernel took arrived, and nothing else. */
    assert_int_equal(r->value32d, 0);
    assert_true(s1.probe_packets <= r->value32c);
    assert_true(s1.probe_packets * 1000 >= (uint64_t)r->value32c * 995);
    /* The live video went on beside it, whole and in order. */
    assert_true(s1.decoded >= s0.decoded + 45);
    assert_int_equal(s1.counter_gaps, 0);
    assert_int_equal(s1.counter_errors, 0);
    assert_int_equal(s1.frames_lost, 0);

    /* The host clamps: nothing asked is at least 100 kbit/s for 100 ms. */
    send_probe(c, 0, 0);
    watch small = {.type = PF_PKF1_MSG_PROBE_RESULT};
    stream_for(c, v, 3000, &small);
    assert_true(small.got);
    assert_true(small.msg.value32b >= 90 && small.msg.value32b <= 400);
    assert_true(small.msg.value64 <= 2u * per);
    /* No host timing without the capability. */
    uint8_t dg[64];
    size_t n;
    int timing = 0;
    while (nclient_recv_datagram(c, dg, sizeof(dg), &n, 0) == 0)
        timing += dg[0] == PF_PKF1_DG_HOST_TIMING;
    assert_int_equal(timing, 0);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    nvideo_destroy(v);
    close(fd);
}

static void host_timing(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_video *v;
    native_client *c = open_session(1280, 720, 60, PF_PKF1_VIDEO_CAP_HOST_TIMING, &w, &fd);
    assert_int_equal(nvideo_create(&w, fd, &v), 0);
    uint64_t last_pts = 0, count = 0, start = 0;
    uint64_t end = now_ms() + 3000;
    while (now_ms() < end) {
        nvideo_poll(v, 2);
        nclient_pump(c, 1);
        uint8_t dg[1500];
        size_t n;
        while (nclient_recv_datagram(c, dg, sizeof(dg), &n, 0) == 0) {
            if (dg[0] != PF_PKF1_DG_HOST_TIMING)
                continue;
            pf_pkf1_host_timing t;
            assert_int_equal(pf_pkf1_host_timing_decode(dg, n, &t), 0);
            assert_int_equal(n, 25); /* with the stages, without phase */
            assert_true(t.has_stages && !t.has_phase);
            /* Capture stamps on the host's CLOCK_REALTIME (this machine's), one per frame,
             * strictly increasing. */
            assert_true(t.pts_ns > last_pts);
            uint64_t now = realtime_ns();
            assert_true(t.pts_ns < now && t.pts_ns > now - 5000000000ull);
            /* The stages split capture → sent (µs rounding aside). */
            uint64_t sum = (uint64_t)t.queue_us + t.encode_us + t.pace_us;
            assert_true(sum <= (uint64_t)t.host_us + 3 && sum + 3 >= t.host_us);
            assert_true(t.encode_us > 0 && t.host_us < 2000000);
            if (!start)
                start = t.pts_ns;
            last_pts = t.pts_ns;
            count++;
        }
    }
    native_video_stats st;
    nvideo_get_stats(v, &st);
    print_message("# 0xCF: %llu datagrams for %llu frames over %.2f s\n",
                  (unsigned long long)count, (unsigned long long)st.frames,
                  (double)(last_pts - start) / 1e9);
    /* Latest-wins datagrams may lose a few; nearly every frame has its report. */
    assert_true(st.frames > 60);
    assert_true(count * 10 >= st.frames * 8 && count <= st.frames + 1);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    nvideo_destroy(v);
    close(fd);
}

static int patch_grants(const char *id, const char *grants_json, char **ret_body)
{
    char path[128], body[256];
    snprintf(path, sizeof(path), "/api/v1/clients/%s", id);
    snprintf(body, sizeof(body), "{\"grants\": %s}", grants_json);
    return api_call(&host, "PATCH", path, body, NULL, ret_body);
}

static void wait_access_update(native_client *c, uint32_t grants)
{
    uint8_t buf[256];
    pf_pkf1_msg m;
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_ACCESS_UPDATE, buf, sizeof(buf), &m, 5000),
                     0);
    assert_int_equal(m.value32, grants);
    assert_int_equal(m.value32b, 0); /* permanent */
}

static void access_update_gates_input(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(1280, 720, 60, 0, &w, &fd);
    assert_int_equal(w.grants, PF_PKF1_GRANT_ALL);
    nclient_pump(c, 200);
    send_input(c, PF_PKF1_INPUT_KEY_DOWN, 0x51, 0, 0, 0); /* Q */
    nclient_pump(c, 300);
    assert_true(recorded(" key_down 81 "));

    /* Controller only, through the API: the session is told at once and keys are dropped. */
    char *body = NULL;
    assert_int_equal(patch_grants(fph_a, "[\"gamepad\"]", &body), 200);
    json_object *o = json_tokener_parse(body), *g;
    free(body);
    assert_true(o && json_object_object_get_ex(o, "grants", &g));
    assert_string_equal(json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN),
                        "[\"gamepad\"]");
    json_object_put(o);
    wait_access_update(c, PF_PKF1_GRANT_GAMEPAD);
    send_input(c, PF_PKF1_INPUT_KEY_DOWN, 0x52, 0, 0, 0);           /* R: dropped */
    send_input(c, PF_PKF1_INPUT_GAMEPAD_BUTTON, 0x4000, 1, 0, 0);  /* X: kept */
    nclient_pump(c, 500);
    assert_false(recorded(" key_down 82 "));
    assert_true(recorded(" pad_state 0 1 16384 "));
    /* The store and the list say so too. */
    assert_int_equal(api_call(&host, "GET", "/api/v1/clients", NULL, NULL, &body), 200);
    assert_non_null(strstr(body, "\"grants\":[\"gamepad\"]"));
    free(body);
    const char *list[] = {"clients", "list", NULL};
    char *listed = NULL;
    assert_int_equal(run_cli(&host, &listed, list), 0);
    assert_non_null(strstr(listed, "test device  [gamepad]"));
    free(listed);

    /* The CLI sets them back; keys pass again. */
    const char *args[] = {"clients", "grants", fph_a, "all", NULL};
    char *out = NULL;
    assert_int_equal(run_cli(&host, &out, args), 0);
    assert_non_null(strstr(out, "launch"));
    free(out);
    wait_access_update(c, PF_PKF1_GRANT_ALL);
    send_input(c, PF_PKF1_INPUT_KEY_DOWN, 0x53, 0, 0, 0); /* S */
    nclient_pump(c, 500);
    assert_true(recorded(" key_down 83 "));

    /* Bad requests change nothing. */
    assert_int_equal(patch_grants(fph_a, "[\"teleport\"]", &body), 400);
    assert_non_null(strstr(body, "teleport"));
    free(body);
    assert_int_equal(patch_grants(fph_a, "5", &body), 400);
    free(body);
    char other[65];
    hex(fp_b, 32, other);
    assert_int_equal(patch_grants(other, "[]", &body), 404);
    free(body);
    const char *bad[] = {"clients", "grants", fph_a, "gamepad,flying", NULL};
    assert_int_not_equal(run_cli(&host, NULL, bad), 0);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

/* Hello with @p launch; returns the LaunchOutcome (kind, message) that follows the Welcome. */
static native_client *launch(const char *id, pf_pkf1_msg *ret, uint8_t *buf, size_t cap,
                             int *ret_fd)
{
    pf_pkf1_welcome w;
    native_client *c = open_session_launch("127.0.0.1", 1280, 720, 60, 0, id, &w, ret_fd);
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_LAUNCH_OUTCOME, buf, cap, ret, 10000), 0);
    print_message("# launch \"%s\": kind %u, \"%.*s\"\n", id, ret->code8, (int)ret->text_len,
                  (const char *)ret->text);
    return c;
}

static void end(native_client *c, int fd)
{
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
}

static void launch_from_hello(void **state)
{
    (void)state;
    /* An app that leaves a mark when it starts. */
    char marker[400], app[700], *body = NULL;
    snprintf(marker, sizeof(marker), "%s/launched", host.dir);
    snprintf(app, sizeof(app),
             "{\"name\": \"Marker\", \"cmd\": \"sh -c 'echo $$ > %s; exec sleep 120'\"}", marker);
    assert_int_equal(api_call(&host, "POST", "/api/v1/apps", app, NULL, &body), 201);
    json_object *o = json_tokener_parse(body), *idj;
    free(body);
    assert_true(o && json_object_object_get_ex(o, "id", &idj));
    int app_id = json_object_get_int(idj);
    json_object_put(o);

    uint8_t buf[512];
    pf_pkf1_msg m;
    int fd;
    native_client *c = launch("name:marker", &m, buf, sizeof(buf), &fd);
    assert_int_equal(m.code8, PF_PKF1_LAUNCH_SPAWNED);
    struct stat sb;
    for (int i = 0; i < 100 && stat(marker, &sb) != 0; i++)
        msleep(50);
    assert_int_equal(stat(marker, &sb), 0);
    end(c, fd);

    /* The same app by its catalog number: already running. */
    char id[32];
    snprintf(id, sizeof(id), "pfhost:%d", app_id);
    c = launch(id, &m, buf, sizeof(buf), &fd);
    assert_int_equal(m.code8, PF_PKF1_LAUNCH_ADOPTED);
    end(c, fd);

    /* Another app while it runs, and an id the catalog does not have: refused with words;
     * the session itself streams on. */
    c = launch("Desktop", &m, buf, sizeof(buf), &fd);
    assert_int_equal(m.code8, PF_PKF1_LAUNCH_REFUSED);
    assert_non_null(memmem(m.text, m.text_len, "Marker is running", 17));
    end(c, fd);
    c = launch("steam:570", &m, buf, sizeof(buf), &fd);
    assert_int_equal(m.code8, PF_PKF1_LAUNCH_REFUSED);
    assert_non_null(memmem(m.text, m.text_len, "no app \"steam:570\"", 18));
    uint8_t pkt[2048];
    ssize_t got = -1;
    for (int i = 0; i < 200 && got <= 0; i++) {
        nclient_pump(c, 25);
        got = recv(fd, pkt, sizeof(pkt), MSG_DONTWAIT);
    }
    assert_true(got > 0);
    end(c, fd);

    /* Without the LAUNCH grant a Hello that names an app is refused with 0x6A. */
    assert_int_equal(patch_grants(fph_a, "[\"gamepad\", \"pointer\", \"keyboard\"]", &body), 200);
    free(body);
    c = connect_as(cert_a, key_a);
    send_hello_launch(c, PF_PKF1_WIRE_VERSION, 1280, 720, 60, 0, "Marker");
    expect_close(c, PF_PKF1_CLOSE_LAUNCH_DENIED);
    nclient_destroy(c);
    assert_int_equal(patch_grants(fph_a, "[\"gamepad\", \"pointer\", \"keyboard\", \"clipboard\", "
                                         "\"mic\", \"launch\", \"power\", \"manage_games\"]",
                                  &body),
                     200);
    free(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(speed_test_beside_video),
        cmocka_unit_test(host_timing),
        cmocka_unit_test(access_update_gates_input),
        cmocka_unit_test(launch_from_hello),
    };
    return cmocka_run_group_tests(tests, group_setup, native_teardown);
}
