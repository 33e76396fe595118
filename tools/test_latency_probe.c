/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe against the real pfhost (test pattern, loopback): the report has every
 * stage in pipeline order for both protocols (GameStream's send time from the host's frame
 * log), counts one sample per frame received, and every frame's stamps are monotonic and its
 * latencies positive. Timing values themselves are not asserted: the machine may be busy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <cairo.h>
#include <json-c/json.h>

#include "tool_test.h"

static char dir[64];

static int run_probe(const char *args, char **ret_out)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "%s --pfhost %s %s", getenv("PF_LATENCY_PROBE"),
             getenv("PFHOST_BIN"), args);
    return tool_run(cmd, ret_out);
}

#define get tool_json_get

static double get_double(json_object *o, const char *key)
{
    return json_object_get_double(get(o, key));
}

static void test_help_and_errors(void **state)
{
    char *out = NULL;
    assert_int_equal(run_probe("--help", &out), 0);
    assert_non_null(strstr(out, "Usage: pf-latency-probe"));
    free(out);
    assert_int_equal(run_probe("--protocol carrier-pigeon 2>/dev/null", NULL), 2);
    assert_int_equal(run_probe("--mode 10x10x5 2>/dev/null", NULL), 2);
    assert_int_equal(run_probe("--frames 0 2>/dev/null", NULL), 2);
    /* A host that cannot start is a clear error, not a hang. */
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "%s --pfhost /nonexistent/pfhost --frames 5 2>&1",
             getenv("PF_LATENCY_PROBE"));
    FILE *p = popen(cmd, "r");
    char line[512] = "";
    assert_non_null(fgets(line, sizeof(line), p));
    int st = pclose(p);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 1);
    assert_non_null(strstr(line, "did not start"));
}

static const char *const stage_names[] = {"capture", "encoded", "sent",
                                          "received", "reassembled", "decoded"};

/* The report of one run. @p pkf1: punktfunk/1 (clock from probes; encoded and sent from the
 * host's 0xCF host timing, which rides unreliable datagrams, so a frame may lack them) rather
 * than GameStream (same clock; encoded on the wire, sent from the private host's frame log,
 * which has every frame). */
static void check_report(const char *extra, int pkf1)
{
    const int frames = 90;
    char args[256], *out = NULL, png[128];
    snprintf(png, sizeof(png), "%s/lat-%d.png", dir, pkf1);
    snprintf(args, sizeof(args),
             "%s --mode 640x360x60 --frames %d --warmup 10 --json --samples --png %s", extra,
             frames, png);
    assert_int_equal(run_probe(args, &out), 0);
    json_object *root = json_tokener_parse(out);
    free(out);
    assert_non_null(root);
    assert_string_equal(json_object_get_string(get(root, "protocol")),
                        pkf1 ? "punktfunk/1" : "gamestream");
    assert_int_equal(json_object_get_int(get(root, "frames_received")), frames);
    assert_true(json_object_get_int(get(root, "video_packets")) >= frames);
    int decoded = json_object_get_int(get(root, "frames_decoded"));
    assert_true(decoded > 0 && decoded <= frames);
    json_object *clock = get(root, "clock");
    /* The capture stamp may sit before the true capture by the offset's uncertainty: half the
     * probe's round trip (§4.5); GameStream shares the clock exactly. */
    int64_t slack = 0;
    if (pkf1) {
        assert_non_null(strstr(json_object_get_string(get(clock, "source")), "probe"));
        slack = json_object_get_int64(get(clock, "probe_rtt_ns")) / 2 + 1;
        assert_true(slack > 0);
        /* host and client run on one machine: the true offset is 0 */
        assert_true(llabs(json_object_get_int64(get(clock, "offset_ns"))) < 1000000000ll);
    } else {
        assert_int_equal(json_object_get_int64(get(clock, "offset_ns")), 0);
        assert_non_null(strstr(json_object_get_string(get(clock, "source")), "loopback"));
    }

    /* Stages in order; missing ones say why; counts match the frames. */
    json_object *stages = get(root, "stages");
    assert_int_equal(json_object_array_length(stages), 6);
    int avail[6];
    double prev_p50 = -1e9;
    for (size_t s = 0; s < 6; s++) {
        json_object *st = json_object_array_get_idx(stages, s);
        assert_string_equal(json_object_get_string(get(st, "name")), stage_names[s]);
        avail[s] = json_object_get_boolean(get(st, "available"));
        /* every stage is measured: GameStream's sent from --frame-log, pkf1's from 0xCF */
        if (!avail[s])
            fail_msg("stage %s not measured: %s", stage_names[s],
                     json_object_get_string(get(st, "note")));
        if (s == 2 && !pkf1)
            assert_non_null(strstr(json_object_get_string(get(st, "source")), "frame-log"));
        if (s == 0)
            continue;
        json_object *since = get(st, "since_capture"), *step = get(st, "step");
        int count = json_object_get_int(get(since, "count"));
        int host_stamp = pkf1 && (s == 1 || s == 2);
        if (host_stamp) /* nearly every frame's 0xCF arrives on loopback */
            assert_true(count >= frames * 8 / 10 && count <= frames);
        else
            assert_int_equal(count, s == 5 ? decoded : frames);
        int steps = json_object_get_int(get(step, "count"));
        if (pkf1 && s <= 3) /* a step from a host stamp counts the frames that have it */
            assert_true(steps >= frames * 8 / 10 && steps <= count);
        else
            assert_int_equal(steps, count);
        double p50 = get_double(since, "p50_ms"), p95 = get_double(since, "p95_ms"),
               p99 = get_double(since, "p99_ms");
        assert_true(p50 <= p95 && p95 <= p99);
        assert_true(get_double(since, "min_ms") >= -(double)slack / 1e6);
        /* The same frames at every stage up to reassembled. "sent" is when the host handed
         * the last datagram to its kernel and "received" when the first one arrived: on
         * loopback the first arrives inside that very send, so those two are not ordered. */
        if (s < 5)
            assert_true(p50 >= prev_p50);
        if (s < 5 && s != 2) /* received is compared with encoded */
            prev_p50 = p50;
        size_t from = s - 1;
        while (!avail[from])
            from--;
        assert_string_equal(json_object_get_string(get(step, "from")), stage_names[from]);
    }

    /* Every frame: stamps monotonic along the pipeline, capture → decoded positive. */
    json_object *samples = get(root, "samples_ns");
    assert_int_equal(json_object_array_length(samples), frames);
    int with_decode = 0;
    for (size_t i = 0; i < (size_t)frames; i++) {
        json_object *row = json_object_array_get_idx(samples, i);
        assert_int_equal(json_object_array_length(row), 6);
        assert_int_equal(json_object_get_int64(json_object_array_get_idx(row, 0)), 0);
        int64_t last = -slack, before_sent = -slack;
        for (size_t s = 1; s < 6; s++) {
            /* sent lies after encoded; received after encoded, but not after sent (above) */
            if (s == 2)
                before_sent = last;
            if (s == 3)
                last = before_sent;
            json_object *v = json_object_array_get_idx(row, s);
            if (!avail[s]) {
                assert_null(v);
                continue;
            }
            if (!v) {
                /* a decode may be missing (after a loss), and a lost 0xCF's host stamps;
                 * the frame log has every frame GameStream sent */
                assert_true(s == 5 || (pkf1 && (s == 1 || s == 2)));
                continue;
            }
            int64_t t = json_object_get_int64(v);
            if (t < last)
                fail_msg("frame %zu: %s at %lld ns before the stage before it (%lld ns)", i,
                         stage_names[s], (long long)t, (long long)last);
            last = t;
            if (s == 5) {
                assert_true(t > 0);
                with_decode++;
            }
        }
    }
    assert_int_equal(with_decode, decoded);
    json_object_put(root);

    /* The histogram PNG decodes and shows bars in the first measured step's colour. */
    cairo_surface_t *sf = cairo_image_surface_create_from_png(png);
    assert_int_equal(cairo_surface_status(sf), CAIRO_STATUS_SUCCESS);
    cairo_surface_flush(sf);
    const uint8_t *px = cairo_image_surface_get_data(sf);
    int stride = cairo_image_surface_get_stride(sf), bars = 0;
    uint32_t colour = avail[1] ? 0x1f77b4 : 0x2ca02c; /* chart_palette(0) or (2) */
    for (int y = 0; y < cairo_image_surface_get_height(sf); y++)
        for (int x = 0; x < cairo_image_surface_get_width(sf); x++) {
            uint32_t v;
            memcpy(&v, px + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
            bars += (v & 0xFFFFFF) == colour;
        }
    assert_true(bars > 100);
    cairo_surface_destroy(sf);
}

static void test_gamestream_report(void **state)
{
    check_report("", 0);
}

static void test_pkf1_report(void **state)
{
    check_report("--protocol pkf1", 1);
}

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/pf-latency-test-XXXXXX");
    return getenv("PF_LATENCY_PROBE") && getenv("PFHOST_BIN") && mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    return tool_remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_errors),
        cmocka_unit_test(test_gamestream_report),
        cmocka_unit_test(test_pkf1_report),
    };
    /* The punktfunk/1 side exists when the probe was built with libpfclient. */
    size_t n = sizeof(tests) / sizeof(tests[0]) - (getenv("PF_PROBE_PKF1") ? 0 : 1);
    return _cmocka_run_group_tests("tests", tests, n, setup, teardown);
}
