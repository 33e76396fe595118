/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Audio capture against real PipeWire + WirePlumber: a tone played into the virtual sink
 * (through the default sink, which the capture must have taken over) comes back with the
 * right frequency per channel and the right channel count; the previous default returns and
 * the sink is gone after destroy. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#include "pf/capture_audio.h"
#include "pf/core/error.h"

#include "harness.h"
#include "pw_util.h"

static struct pfh_env env;

static int setup(void **state)
{
    (void)state;
    return pfh_env_start(&env) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    pfh_env_stop(&env);
    return 0;
}

/* A stereo F32 player: FL carries freq_l, FR freq_r. */
struct player {
    struct pw_thread_loop *loop;
    struct pw_stream *stream;
    struct spa_hook listener;
    double phase_l, phase_r, freq_l, freq_r;
};

static void player_process(void *data)
{
    struct player *p = data;
    struct pw_buffer *b = pw_stream_dequeue_buffer(p->stream);
    struct spa_data *d;
    float *dst;
    uint32_t frames;

    if (!b)
        return;
    d = &b->buffer->datas[0];
    dst = d->data;
    frames = d->maxsize / 8;
    if (b->requested && b->requested < frames)
        frames = (uint32_t)b->requested;
    for (uint32_t i = 0; i < frames; i++) {
        dst[2 * i] = 0.5f * (float)sin(p->phase_l);
        dst[2 * i + 1] = 0.5f * (float)sin(p->phase_r);
        p->phase_l += 2 * M_PI * p->freq_l / 48000.0;
        p->phase_r += 2 * M_PI * p->freq_r / 48000.0;
    }
    p->phase_l = fmod(p->phase_l, 2 * M_PI);
    p->phase_r = fmod(p->phase_r, 2 * M_PI);
    d->chunk->offset = 0;
    d->chunk->stride = 8;
    d->chunk->size = frames * 8;
    pw_stream_queue_buffer(p->stream, b);
}

static const struct pw_stream_events player_events = {
    PW_VERSION_STREAM_EVENTS,
    .process = player_process,
};

static void player_start(struct player *p, const char *target, double fl, double fr)
{
    uint8_t buf[512];
    struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
    struct spa_audio_info_raw info = { .format = SPA_AUDIO_FORMAT_F32, .rate = 48000,
                                       .channels = 2 };
    const struct spa_pod *param;
    struct pw_properties *props;

    memset(p, 0, sizeof(*p));
    p->freq_l = fl;
    p->freq_r = fr;
    info.position[0] = SPA_AUDIO_CHANNEL_FL;
    info.position[1] = SPA_AUDIO_CHANNEL_FR;
    p->loop = pw_thread_loop_new("test-player", NULL);
    assert_non_null(p->loop);
    props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio", PW_KEY_MEDIA_CATEGORY, "Playback",
                              PW_KEY_MEDIA_ROLE, "Music", NULL);
    if (target)
        pw_properties_set(props, PW_KEY_TARGET_OBJECT, target);
    p->stream = pw_stream_new_simple(pw_thread_loop_get_loop(p->loop), "test-tone", props,
                                     &player_events, p);
    assert_non_null(p->stream);
    param = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
    assert_true(pw_stream_connect(p->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
                                  PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
                                      PW_STREAM_FLAG_RT_PROCESS,
                                  &param, 1) >= 0);
    assert_true(pw_thread_loop_start(p->loop) >= 0);
}

static void player_stop(struct player *p)
{
    pw_thread_loop_stop(p->loop);
    pw_stream_destroy(p->stream);
    pw_thread_loop_destroy(p->loop);
}

/* Collects @want frames of channel data (as float) after the first non-silent period. */
static uint32_t capture_frames(pf_capture_audio *a, uint32_t channels, int s16, float *out,
                               uint32_t want)
{
    int32_t pb = pf_capture_audio_get_period_bytes(a);
    uint8_t *buf = malloc((size_t)pb);
    uint32_t got = 0, fpp = (uint32_t)pb / (channels * (s16 ? 2u : 4u));
    uint64_t deadline = pfh_now_ms() + 5000;
    int started = 0;

    assert_non_null(buf);
    while (got < want && pfh_now_ms() < deadline) {
        int32_t r = pf_capture_audio_read(a, buf, (size_t)pb, NULL);

        if (r == PF_ERR_AGAIN) {
            usleep(2000);
            continue;
        }
        assert_int_equal(r, pb);
        for (uint32_t i = 0; i < fpp * channels && !started; i++)
            started = (s16 ? ((int16_t *)buf)[i] / 32768.0f : ((float *)buf)[i]) > 0.05f;
        if (!started)
            continue;
        for (uint32_t f = 0; f < fpp && got < want; f++, got++)
            for (uint32_t c = 0; c < channels; c++)
                out[(size_t)got * channels + c] =
                    s16 ? ((int16_t *)buf)[f * channels + c] / 32768.0f
                        : ((float *)buf)[f * channels + c];
    }
    free(buf);
    return got;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/* Frequency from the median distance between rising zero crossings (interpolated), which a
 * scheduling gap of the test's player cannot skew; peak amplitude into *ret_peak. */
static double frequency(const float *x, uint32_t frames, uint32_t channels, uint32_t ch,
                        float *ret_peak)
{
    static double periods[24000];
    double prev = -1;
    uint32_t n = 0;
    float peak = 0;

    for (uint32_t i = 1; i < frames; i++) {
        float a = x[(size_t)(i - 1) * channels + ch], b = x[(size_t)i * channels + ch];

        if (fabsf(b) > peak)
            peak = fabsf(b);
        if (a < 0 && b >= 0 && b - a > 0.01f) {
            double at = (i - 1) + (double)(-a) / (double)(b - a);

            if (prev >= 0 && n < 24000)
                periods[n++] = at - prev;
            prev = at;
        }
    }
    *ret_peak = peak;
    if (n < 3)
        return 0;
    qsort(periods, n, sizeof(periods[0]), cmp_double);
    return 48000.0 / periods[n / 2];
}

static void read_default(char *buf, size_t size)
{
    FILE *f = popen("pw-metadata -n default 0 default.configured.audio.sink 2>/dev/null", "r");
    size_t n = 0;

    assert_non_null(f);
    n = fread(buf, 1, size - 1, f);
    buf[n] = 0;
    pclose(f);
}

static pf_capture_audio *make_audio(uint32_t channels, uint32_t format, uint32_t period_ms)
{
    pf_capture_audio_settings s;
    pf_capture_audio *a = NULL;

    pf_capture_audio_settings_init(&s);
    s.channels = channels;
    s.sample_format = format;
    s.period_ms = period_ms;
    s.ring_periods = 256;
    assert_int_equal(pf_capture_audio_create(&s, &a), 0);
    return a;
}

static void test_stereo_tone_through_default(void **state)
{
    static float pcm[24000 * 2];
    struct player p;
    pf_capture_audio *a;
    char before[512], during[512], after[512];
    float peak;
    double fl, fr;

    (void)state;
    assert_int_equal(system("pw-metadata -n default 0 default.configured.audio.sink "
                            "'{ \"name\": \"pf-test-previous\" }' Spa:String:JSON >/dev/null"),
                     0);
    read_default(before, sizeof(before));
    assert_non_null(strstr(before, "pf-test-previous"));
    a = make_audio(2, PF_CAPTURE_AUDIO_F32, 10);
    assert_int_equal(pf_capture_audio_get_period_bytes(a), 2 * 4 * 480);
    read_default(during, sizeof(during));
    assert_non_null(strstr(during, "pf-sink"));
    /* No target: the player goes to the default sink, which must be ours now. */
    player_start(&p, NULL, 1000.0, 440.0);
    assert_int_equal(capture_frames(a, 2, 0, pcm, 24000), 24000);
    player_stop(&p);
    fl = frequency(pcm, 24000, 2, 0, &peak);
    assert_true(peak > 0.3f && peak < 0.7f);
    fr = frequency(pcm, 24000, 2, 1, &peak);
    fprintf(stderr, "# FL %.1f Hz, FR %.1f Hz\n", fl, fr);
    assert_true(fabs(fl - 1000.0) < 2.0);
    assert_true(fabs(fr - 440.0) < 2.0);
    pf_capture_audio_destroy(a);
    read_default(after, sizeof(after));
    assert_non_null(strstr(after, "pf-test-previous"));
    assert_null(strstr(after, "pf-sink"));
}

static void test_51_s16_5ms(void **state)
{
    static float pcm[9600 * 6];
    struct player p;
    pf_capture_audio *a;
    pf_capture_audio_stats st;
    float peak;
    double f;
    int64_t sink;

    (void)state;
    a = make_audio(6, PF_CAPTURE_AUDIO_S16, 5);
    assert_int_equal(pf_capture_audio_get_period_bytes(a), 6 * 2 * 240);
    sink = pf_capture_audio_get_sink_id(a);
    assert_true(sink > 0);
    player_start(&p, "pf-sink", 1000.0, 1000.0);
    assert_int_equal(capture_frames(a, 6, 1, pcm, 9600), 9600);
    player_stop(&p);
    f = frequency(pcm, 9600, 6, 0, &peak);
    assert_true(fabs(f - 1000.0) < 2.0);
    /* Stereo into 5.1: the centre and rear stay silent (no upmix). */
    frequency(pcm, 9600, 6, 2, &peak);
    assert_true(peak < 0.01f);
    frequency(pcm, 9600, 6, 5, &peak);
    assert_true(peak < 0.01f);
    assert_int_equal(pf_capture_audio_get_stats(a, &st), 0);
    assert_true(st.periods >= 40);
    pf_capture_audio_destroy(a);
    {
        struct pfi_pw pw;
        struct pfi_pw_node n;

        assert_int_equal(pfi_pw_connect(&pw, "pf-test", NULL, NULL, NULL), 0);
        pw_thread_loop_lock(pw.loop);
        assert_int_equal(pfi_pw_find_node(&pw, 0, "pf-sink", 0, 0, &n), PF_ERR_NOT_FOUND);
        pw_thread_loop_unlock(pw.loop);
        pfi_pw_disconnect(&pw);
    }
}

static void test_bad_settings(void **state)
{
    pf_capture_audio_settings s;
    pf_capture_audio *a = NULL;

    (void)state;
    pf_capture_audio_settings_init(&s);
    s.rate = 44100;
    assert_int_equal(pf_capture_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    pf_capture_audio_settings_init(&s);
    s.channels = 3;
    assert_int_equal(pf_capture_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    pf_capture_audio_settings_init(&s);
    s.period_ms = 7;
    assert_int_equal(pf_capture_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    pf_capture_audio_settings_init(&s);
    s.sink_name = "bad\"name";
    assert_int_equal(pf_capture_audio_create(&s, &a), PF_ERR_INVALID_ARGUMENT);
    pf_capture_audio_settings_init(&s);
    s.remote = "pf-no-such-remote";
    assert_int_equal(pf_capture_audio_create(&s, &a), PF_ERR_IO);
    assert_null(a);
}

static void test_daemon_gone(void **state)
{
    pf_capture_audio *a = make_audio(2, PF_CAPTURE_AUDIO_F32, 10);
    uint8_t buf[8192];
    uint64_t deadline;
    int32_t r = 0;

    (void)state;
    pfh_stop_pipewire(&env);
    deadline = pfh_now_ms() + 3000;
    while (pfh_now_ms() < deadline && ((r = pf_capture_audio_read(a, buf, sizeof(buf), NULL)) >= 0 ||
                                       r == PF_ERR_AGAIN))
        usleep(5000);
    assert_int_equal(r, PF_ERR_IO);
    pf_capture_audio_destroy(a);
    assert_int_equal(pfh_start_pipewire(&env), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stereo_tone_through_default),
        cmocka_unit_test(test_51_s16_5ms),
        cmocka_unit_test(test_bad_settings),
        cmocka_unit_test(test_daemon_gone),
    };
    return cmocka_run_group_tests_name("capture_audio", tests, setup, teardown);
}
