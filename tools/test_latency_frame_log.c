/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe's reading of `pfhost serve --frame-log`: a log written by pfhost's own
 * writer gives each received frame its send time by frame index, a frame the log lacks stays
 * without one, and a log that is not this stream's (a capture time that is not the frame's
 * RTP timestamp, a second session, a frame twice, a malformed line, no file) is refused with
 * the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "frame_log.h"
#include "latency_frame_log.h"
#include "latency_report.h"

static char dir[64], path[128];

/* Frame k of the log: captured at a time off the 0.1 ms grid, sent 2 ms later. */
static uint64_t capture_of(uint32_t k)
{
    return 5000000000ull + (uint64_t)k * 16666667u + 12345u;
}

/* The RTP timestamp pfhost puts on that frame (pipeline.c). */
static uint32_t rtp_of(uint64_t capture_ns)
{
    return (uint32_t)(capture_ns / 100000u * 9u);
}

static void write_log(uint32_t session, uint32_t first, uint32_t last)
{
    frame_log *l = NULL;
    char err[256];
    assert_int_equal(frame_log_open(path, &l, err, sizeof(err)), 0);
    for (uint32_t k = first; k <= last; k++)
        frame_log_write(l, &(frame_log_entry){session, k, capture_of(k),
                                              capture_of(k) + 1500000u,
                                              capture_of(k) + 2000000u});
    frame_log_close(l);
}

static void append_line(const char *line)
{
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputs(line, f);
    fclose(f);
}

/* Frames 3..9 received but 6 (lost), then 12, which the log lacks. */
static const uint32_t frames[] = {3, 4, 5, 7, 8, 9, 12};
#define N (sizeof(frames) / sizeof(frames[0]))

static void fill(lat_report *r, uint32_t *rtp)
{
    lat_report_init(r, "gamestream");
    for (size_t i = 0; i < N; i++) {
        int64_t t[LAT_STAGES];
        for (int s = 0; s < LAT_STAGES; s++)
            t[s] = LAT_MISSING;
        t[LAT_CAPTURE] = (int64_t)capture_of(frames[i]);
        rtp[i] = rtp_of(capture_of(frames[i]));
        assert_int_equal(lat_report_add(r, t), 0);
    }
}

static int match(uint32_t *rtp, char *err, size_t n)
{
    lat_report r;
    fill(&r, rtp);
    int rc = latency_frame_log_match(path, frames, rtp, &r, err, n);
    lat_report_free(&r);
    return rc;
}

static void matched_by_frame_index(void **state)
{
    (void)state;
    write_log(7, 1, 10);
    lat_report r;
    uint32_t rtp[N];
    fill(&r, rtp);
    char err[256] = "";
    assert_int_equal(latency_frame_log_match(path, frames, rtp, &r, err, sizeof(err)), 0);
    for (size_t i = 0; i < N; i++) {
        if (frames[i] == 12)
            assert_true(r.t[i][LAT_SENT] == LAT_MISSING);
        else
            assert_true(r.t[i][LAT_SENT] == (int64_t)capture_of(frames[i]) + 2000000);
    }
    lat_report_free(&r);
    unlink(path);
}

static void refuses_another_stream(void **state)
{
    (void)state;
    uint32_t rtp[N];
    char err[256];
    /* no file */
    assert_int_equal(match(rtp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no frame log"));
    /* a capture time that is not the frame's: the frames are numbered from another start */
    write_log(7, 2, 11);
    lat_report r;
    fill(&r, rtp);
    uint32_t shifted[N];
    for (size_t i = 0; i < N; i++)
        shifted[i] = frames[i] + 1;
    assert_int_equal(latency_frame_log_match(path, shifted, rtp, &r, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "does not match"));
    lat_report_free(&r);
    unlink(path);
    /* a second session */
    write_log(7, 1, 10);
    write_log(8, 1, 10);
    assert_int_equal(match(rtp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "second session"));
    unlink(path);
    /* a frame twice */
    write_log(7, 1, 10);
    write_log(7, 5, 5);
    assert_int_equal(match(rtp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "frame 5 twice"));
    unlink(path);
    /* a malformed line, named by its number */
    write_log(7, 1, 4);
    append_line("7 5 12 13\n");
    assert_int_equal(match(rtp, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":6: not a frame log line"));
    unlink(path);
    /* the log itself is fine: the same frames match */
    write_log(7, 1, 10);
    assert_int_equal(match(rtp, err, sizeof(err)), 0);
    unlink(path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/pf-latency-log-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(path, sizeof(path), "%s/frames.log", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matched_by_frame_index),
        cmocka_unit_test(refuses_another_stream),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
