/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* FFmpeg's log routed into a log hook: levels, lines assembled from pieces, probe noise at
 * debug level, and FFmpeg's own logger back after NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libavutil/log.h>

#include "pf/encode.h"

#define MAX_LINES 64

struct lines {
    int n;
    uint32_t level[MAX_LINES];
    char text[MAX_LINES][160];
};

static void record(void *user_data, uint32_t level, const char *topic, const char *msg,
                   size_t len)
{
    struct lines *l = user_data;
    assert_string_equal(topic, "ffmpeg");
    if (l->n == MAX_LINES)
        return;
    l->level[l->n] = level;
    snprintf(l->text[l->n], sizeof(l->text[0]), "%.*s", (int)len, msg);
    l->n++;
}

static void levels_and_pieces(void **state)
{
    struct lines l = {0};
    pf_encode_set_ffmpeg_log(&(pf_log_hook){.fn = record, .user_data = &l});
    av_log(NULL, AV_LOG_ERROR, "boom %d\n", 7);
    av_log(NULL, AV_LOG_WARNING, "careful\n");
    av_log(NULL, AV_LOG_INFO, "frame I:2 Avg QP:39.75\n");
    av_log(NULL, AV_LOG_WARNING, "one line ");
    av_log(NULL, AV_LOG_WARNING, "in two calls\n");
    av_log(NULL, AV_LOG_DEBUG, "too chatty to format\n");
    assert_int_equal(l.n, 4);
    assert_string_equal(l.text[0], "boom 7");
    assert_int_equal(l.level[0], PF_LOG_ERROR);
    assert_string_equal(l.text[1], "careful");
    assert_int_equal(l.level[1], PF_LOG_WARNING);
    assert_int_equal(l.level[2], PF_LOG_DEBUG);
    assert_string_equal(l.text[3], "one line in two calls");
    /* A probe that cannot find its driver complains only at debug level. */
    l.n = 0;
    pf_encode_device_settings s;
    pf_encode_device_settings_default(&s);
    s.backend = PF_ENCODE_BACKEND_NVENC;
    pf_encode_device *dev = NULL;
    if (pf_encode_device_create(&s, &dev) == 0)
        pf_encode_device_destroy(dev);
    for (int i = 0; i < l.n; i++) {
        print_message("# probe said (debug): %s\n", l.text[i]);
        assert_int_equal(l.level[i], PF_LOG_DEBUG);
    }
    /* NULL hands FFmpeg its own logger back: nothing more arrives here. */
    pf_encode_set_ffmpeg_log(NULL);
    l.n = 0;
    av_log_set_level(AV_LOG_QUIET);
    av_log(NULL, AV_LOG_ERROR, "not routed\n");
    assert_int_equal(l.n, 0);
}

/* A hook's max_level drops what it would not print before FFmpeg formats it. */
static void max_level_filters(void **state)
{
    struct lines l = {0};
    pf_encode_set_ffmpeg_log(
        &(pf_log_hook){.fn = record, .user_data = &l, .max_level = PF_LOG_WARNING});
    av_log(NULL, AV_LOG_INFO, "statistics\n");
    av_log(NULL, AV_LOG_ERROR, "kept\n");
    pf_encode_set_ffmpeg_log(NULL);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.text[0], "kept");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels_and_pieces),
        cmocka_unit_test(max_level_filters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
