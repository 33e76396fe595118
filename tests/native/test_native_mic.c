/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 microphone (native-protocol.md §8.3) against `pfhost serve --source testpattern`
 * on this test's own PipeWire and WirePlumber: the client sends a 1 kHz tone as 0xCB datagrams
 * (mono Opus, 48 kHz, 10 ms frames, as the reference's clients do), the host plays it into a
 * virtual source, and pw-record on the same PipeWire hears the tone. Malformed 0xCB datagrams
 * change nothing; without GRANT_MIC no source appears and nothing is played. */
#include <math.h>
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
#include <opus/opus.h>

#include "pf/core/pkf1.h"
#include "pf/core/pkf1_control.h"
#include "pf/core/pkf1_datagram.h"

#include "goertzel.h"
#include "harness.h"
#include "native_harness.h"

#define TONE_HZ 1000.0

static struct pfh_env pw_env;

static int group_setup(void **state)
{
    if (native_setup(state) < 0)
        return -1;
    char pin[5];
    return arm_pin(pin) == 0 && pair_once(cert_a, key_a, fp_a, pin) == 0 ? 0 : -1;
}

static char *read_file(const char *path, size_t *ret_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    do {
        if (len + 65536 > cap) {
            cap = (len + 65536) * 2;
            buf = realloc(buf, cap + 1);
        }
        n = fread(buf + len, 1, cap - len, f);
        len += n;
    } while (n > 0);
    fclose(f);
    buf[len] = '\0';
    *ret_len = len;
    return buf;
}

static int host_log_has(const char *needle)
{
    char path[600];
    size_t n;
    snprintf(path, sizeof(path), "%s/host.log", host.dir);
    char *log = read_file(path, &n);
    int r = log && strstr(log, needle);
    free(log);
    return r;
}

/* The node name the host gives client A's microphone. */
static void mic_node_name(char out[64])
{
    char fph[65];
    hex(fp_a, 32, fph);
    snprintf(out, 64, "punktfunk-mic-%.12s", fph);
}

static int node_listed(const char *name)
{
    char cmd[200], line[512];
    snprintf(cmd, sizeof(cmd), "pw-cli ls Node 2>/dev/null");
    FILE *p = popen(cmd, "r");
    int found = 0;
    while (p && fgets(line, sizeof(line), p))
        found |= strstr(line, name) != NULL;
    if (p)
        pclose(p);
    return found;
}

/* The session still works: a clock probe is answered. */
static void assert_session_alive(native_client *c)
{
    pf_pkf1_msg probe, echo;
    pf_pkf1_msg_init(&probe, PF_PKF1_MSG_CLOCK_PROBE);
    probe.t1 = 42;
    assert_int_equal(nclient_send_msg(c, &probe), 0);
    uint8_t buf[256];
    assert_int_equal(nclient_recv_type(c, PF_PKF1_MSG_CLOCK_ECHO, buf, sizeof(buf), &echo, 5000),
                     0);
    assert_int_equal(echo.t1, 42);
}

typedef struct mic_sender {
    OpusEncoder *enc;
    uint32_t seq;
    uint64_t pos;
} mic_sender;

/* Sends @p ms of the tone as 10 ms frames, paced in real time, pumping the connection. */
static void send_tone(native_client *c, mic_sender *m, int ms)
{
    for (int t = 0; t < ms; t += 10) {
        int16_t pcm[480];
        for (int i = 0; i < 480; i++, m->pos++)
            pcm[i] = (int16_t)(8000.0 * sin(2.0 * M_PI * TONE_HZ * (double)m->pos / 48000.0));
        uint8_t opus[400], d[500];
        int n = opus_encode(m->enc, pcm, 480, opus, sizeof(opus));
        assert_true(n > 0);
        pf_pkf1_audio a = {.tag = PF_PKF1_DG_MIC, .seq = m->seq++, .pts_ns = m->pos,
                           .payload = opus, .payload_len = (size_t)n};
        size_t len;
        assert_int_equal(pf_pkf1_audio_encode(&a, d, sizeof(d), &len), 0);
        pf_net_quic_conn_send_datagram(nclient_conn(c), d, len);
        nclient_pump(c, 10);
    }
}

static mic_sender sender_new(void)
{
    mic_sender m = {0};
    int err;
    m.enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
    assert_int_equal(err, OPUS_OK);
    opus_encoder_ctl(m.enc, OPUS_SET_BITRATE(48000));
    return m;
}

/* Records the source for @p ms while the tone goes on; returns the samples (mono s16). pw-record
 * writes a WAV file; the samples are what follows its "data" chunk header (its length field is
 * not trusted: the recorder may be stopped before it rewrites it). */
static int16_t *record_while_sending(native_client *c, mic_sender *m, const char *node, int ms,
                                     size_t *ret_frames)
{
    char path[300], target[100];
    snprintf(path, sizeof(path), "%s/mic.wav", pw_env.dir);
    unlink(path);
    snprintf(target, sizeof(target), "%s", node);
    char *argv[] = {"pw-record", "--target", target, "--rate", "48000", "--channels", "1",
                    "--format", "s16", path, NULL};
    pid_t rec = pfh_spawn(&pw_env, "pw-record", argv);
    assert_true(rec > 0);
    send_tone(c, m, ms);
    pfh_kill(&pw_env, rec);
    size_t n;
    char *wav = read_file(path, &n);
    *ret_frames = 0;
    if (!wav)
        return NULL;
    for (size_t i = 12; i + 8 <= n; i++) {
        if (!memcmp(wav + i, "data", 4)) {
            size_t start = i + 8;
            *ret_frames = (n - start) / 2;
            memmove(wav, wav + start, n - start);
            break;
        }
    }
    return (int16_t *)wav;
}

static void mic_tone_heard(void **state)
{
    (void)state;
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(640, 360, 30, 0, &w, &fd);
    assert_true(w.grants & PF_PKF1_GRANT_MIC);
    char node[64];
    mic_node_name(node);

    /* Bad datagrams first: short, a bad Opus payload, an empty one. None may hurt. */
    static const uint8_t short_dg[] = {0xCB, 1, 2, 3};
    uint8_t junk[200];
    memset(junk, 0xFF, sizeof(junk));
    junk[0] = 0xCB;
    uint8_t empty[13] = {0xCB};
    pf_net_quic_conn_send_datagram(nclient_conn(c), short_dg, sizeof(short_dg));
    pf_net_quic_conn_send_datagram(nclient_conn(c), junk, sizeof(junk));
    pf_net_quic_conn_send_datagram(nclient_conn(c), empty, sizeof(empty));
    nclient_pump(c, 50);

    mic_sender m = sender_new();
    m.seq = 1000;
    send_tone(c, &m, 300);
    /* The source appears with the first good packet. */
    for (int i = 0; i < 50 && !host_log_has("native mic: source"); i++)
        send_tone(c, &m, 100);
    assert_true(host_log_has("native mic: source \"punktfunk microphone (test)\""));
    assert_true(node_listed(node));

    size_t frames;
    int16_t *pcm = record_while_sending(c, &m, node, 3000, &frames);
    print_message("# recorded %zu frames from %s\n", frames, node);
    assert_non_null(pcm);
    /* Skip the recorder's start-up; analyse up to one second of what it heard. */
    assert_true(frames > 48000 / 2);
    size_t skip = frames > 48000 ? frames - 48000 : frames / 4;
    double tone = goertzel_power(pcm + skip, frames - skip, 1, 0, TONE_HZ);
    double off1 = goertzel_power(pcm + skip, frames - skip, 1, 0, 700.0);
    double off2 = goertzel_power(pcm + skip, frames - skip, 1, 0, 1400.0);
    double off = off1 > off2 ? off1 : off2;
    print_message("# 1 kHz %.1f dB above 700/1400 Hz\n",
                  10.0 * log10(tone / (off > 0 ? off : 1e-9)));
    assert_true(tone > 100.0 * off);
    double rms = 0;
    for (size_t i = skip; i < frames; i++)
        rms += (double)pcm[i] * pcm[i];
    rms = sqrt(rms / (double)(frames - skip));
    print_message("# rms %.0f (sent at amplitude 8000)\n", rms);
    assert_true(rms > 1000.0);
    free(pcm);
    opus_encoder_destroy(m.enc);

    assert_session_alive(c);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
    /* The source goes with the session. */
    int gone = 0;
    for (int i = 0; i < 50 && !gone; i++) {
        msleep(100);
        gone = !node_listed(node);
    }
    assert_true(gone);
}

static void mic_without_grant_dropped(void **state)
{
    (void)state;
    restart_with_grants(PF_PKF1_GRANT_ALL & ~PF_PKF1_GRANT_MIC);
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(640, 360, 30, 0, &w, &fd);
    assert_false(w.grants & PF_PKF1_GRANT_MIC);
    mic_sender m = sender_new();
    char node[64];
    mic_node_name(node);
    size_t frames;
    int16_t *pcm = record_while_sending(c, &m, node, 1500, &frames);
    double tone = pcm && frames ? goertzel_power(pcm, frames, 1, 0, TONE_HZ) : 0;
    print_message("# without the grant: %zu frames recorded, 1 kHz power %.3g\n", frames, tone);
    assert_true(host_log_has("no microphone grant"));
    assert_false(node_listed(node));
    /* Whatever the recorder found (nothing, or another source), it is not the tone. */
    assert_true(frames == 0 || tone < 1e3 * (double)frames);
    free(pcm);
    opus_encoder_destroy(m.enc);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
    restart_with_grants(PF_PKF1_GRANT_ALL);
}

/* A host whose PipeWire cannot be reached says so once and streams on without a mic. */
static void mic_without_pipewire(void **state)
{
    (void)state;
    assert_int_equal(host_stop(&host), 0);
    setenv("PIPEWIRE_REMOTE", "pf-no-such-daemon", 1);
    assert_int_equal(host_start(&host, NULL), 0);
    unsetenv("PIPEWIRE_REMOTE");
    assert_int_equal(read_native_status(), 0);
    pf_pkf1_welcome w;
    int fd;
    native_client *c = open_session(640, 360, 30, 0, &w, &fd);
    mic_sender m = sender_new();
    send_tone(c, &m, 500);
    for (int i = 0; i < 30 && !host_log_has("no virtual source on PipeWire"); i++)
        send_tone(c, &m, 100);
    assert_true(host_log_has("no virtual source on PipeWire"));
    assert_session_alive(c);
    opus_encoder_destroy(m.enc);
    nclient_close(c, PF_PKF1_CLOSE_CLIENT_QUIT);
    nclient_destroy(c);
    close(fd);
    assert_int_equal(host_stop(&host), 0);
    assert_int_equal(host_start(&host, NULL), 0);
    assert_int_equal(read_native_status(), 0);
}

int main(void)
{
    if (!pfh_have("pw-record") || !pfh_have("pw-cli") || pfh_env_start(&pw_env) < 0) {
        printf("1..0 # SKIP needs PipeWire, WirePlumber, pw-record and pw-cli\n");
        pfh_env_stop(&pw_env);
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mic_tone_heard),
        cmocka_unit_test(mic_without_grant_dropped),
        cmocka_unit_test(mic_without_pipewire),
    };
    int r = cmocka_run_group_tests(tests, group_setup, native_teardown);
    pfh_env_stop(&pw_env);
    return r;
}
