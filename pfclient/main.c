/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pfclient: the punktfunk/1 reference client, built on libpfclient.
 *   pfclient pair HOST [--pin PIN]
 *   pfclient stream HOST [--frames N] [--seconds S] [--mode WxH@HZ] [--codec h264|hevc|av1]
 *                        [--chacha] [--switch-mode WxH@HZ] [--window] [--json]
 *                        [--speed-test KBPS:SECONDS]
 *   pfclient --discover [--seconds S] [--json] */
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "pf/core/error.h"

#include "pfclient.h"
#include "store.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pfclient pair HOST [--pin PIN]\n"
            "       pfclient stream HOST [--frames N] [--seconds S] [--mode WxH@HZ]\n"
            "                [--codec h264|hevc|av1] [--chacha] [--switch-mode WxH@HZ]\n"
            "                [--window] [--speed-test KBPS:SECONDS] [--launch APP] [--json]\n"
            "       pfclient --discover [--seconds S] [--json]\n"
            "The punktfunk/1 reference client: pairs with a host, streams from it and decodes\n"
            "the video, or finds hosts on the local network.\n\n"
            "HOST is ADDRESS, ADDRESS:PORT or [IPv6]:PORT (port 9777 by default).\n"
            "State (identity, pinned hosts): $PFCLIENT_DIR, else $XDG_CONFIG_HOME/pfclient.\n\n"
            "  --pin PIN          pair: the PIN `pfhost pair-native` shows (asked for if not\n"
            "                     given)\n"
            "  --frames N         stream: stop after N frames (600 without --frames and\n"
            "                     --seconds)\n"
            "  --seconds S        stream: stop after S seconds; --discover: browse S seconds\n"
            "                     (default 3)\n"
            "  --mode WxH@HZ      stream mode (default 1280x720@60)\n"
            "  --codec NAME       h264, hevc or av1 (default: h264 or hevc, the host picks)\n"
            "  --chacha           seal media with ChaCha20-Poly1305 instead of AES-GCM\n"
            "  --switch-mode WxH@HZ  change the mode after half of --frames (or 60 frames)\n"
            "  --window           show the stream in a window and send keyboard, pointer and\n"
            "                     game controller input (Ctrl+Alt+Shift+Q leaves)\n"
            "  --speed-test KBPS:SECONDS  ask the host for filler at KBPS for SECONDS (at\n"
            "                     most 60) beside the stream and report what arrived\n"
            "  --launch APP       ask the host to start APP: an id of its library (steam:570),\n"
            "                     for pfhost also an app number or name from `pfhost apps list`\n"
            "  --wire-version N   send wire version N in the Hello (tests a host's version\n"
            "                     gate; any value but 2 is refused)\n"
            "  --pattern          the host streams its test pattern: check its frame counter\n"
            "                     (by default it is checked only when the picture shows it)\n"
            "  --no-pattern       do not check the test pattern's frame counter\n"
            "  --discover         list the hosts that announce _punktfunk._udp (Avahi)\n"
            "  --json             one JSON object on stdout instead of the summary\n"
            "  -h, --help         this text\n\n"
            "Exit status: 0 ok, 1 usage, 2 refused or ended by the host (or unreachable),\n"
            "3 frames missing or damaged (a test pattern counter gap).\n");
}

static int parse_mode(const char *s, uint32_t *w, uint32_t *h, uint32_t *hz)
{
    unsigned a, b, c = 60;
    int n = sscanf(s, "%ux%u@%u", &a, &b, &c);
    if (n < 2 || !a || !b || !c || a > 16384 || b > 16384 || c > 1000)
        return -1;
    *w = a;
    *h = b;
    *hz = c;
    return 0;
}

/* HOST → numeric address and port (names resolve through getaddrinfo). */
static int parse_host(pfc_options *o)
{
    char name[256];
    const char *a = o->host_arg, *port = NULL;
    if (a[0] == '[') {
        const char *e = strchr(a, ']');
        if (!e || (size_t)(e - a - 1) >= sizeof(name))
            return -1;
        memcpy(name, a + 1, (size_t)(e - a - 1));
        name[e - a - 1] = '\0';
        if (e[1] == ':')
            port = e + 2;
    } else if (strchr(a, ':') && strchr(a, ':') == strrchr(a, ':')) {
        const char *e = strchr(a, ':');
        if ((size_t)(e - a) >= sizeof(name))
            return -1;
        memcpy(name, a, (size_t)(e - a));
        name[e - a] = '\0';
        port = e + 1;
    } else {
        snprintf(name, sizeof(name), "%s", a);
    }
    o->port = PF_CLIENT_DEFAULT_PORT;
    if (port) {
        char *end;
        long p = strtol(port, &end, 10);
        if (*end || p <= 0 || p > 65535)
            return -1;
        o->port = (uint16_t)p;
    }
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_socktype = SOCK_DGRAM;
    if (getaddrinfo(name, NULL, &hints, &res) != 0 || !res)
        return -1;
    int r = getnameinfo(res->ai_addr, res->ai_addrlen, o->host, sizeof(o->host), NULL, 0,
                        NI_NUMERICHOST);
    freeaddrinfo(res);
    if (r != 0)
        return -1;
    snprintf(o->host_key, sizeof(o->host_key), strchr(o->host, ':') ? "[%s]:%u" : "%s:%u",
             o->host, o->port);
    return 0;
}

static void hexs(const uint8_t *b, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* Says why @p c ended (or could not start), in words, with the close code. */
static void explain(pf_client *c, const char *what, const pfc_options *o)
{
    pf_client_close_info ci = {.struct_size = sizeof(ci)};
    if (!c || pf_client_get_close_info(c, &ci) < 0 || ci.reason == PF_CLIENT_CLOSE_NONE) {
        fprintf(stderr, "pfclient: %s %s failed: no answer in time\n", what, o->host_key);
        return;
    }
    fprintf(stderr, "pfclient: %s %s failed: %s", what, o->host_key,
            pf_client_close_reason_string(ci.reason));
    if (ci.reason < 0x100)
        fprintf(stderr, " (close code 0x%02X)", (unsigned)ci.reason);
    if (ci.text[0])
        fprintf(stderr, ": %s", ci.text);
    fprintf(stderr, "\n");
    if (ci.reason == PF_CLIENT_CLOSE_NOT_PAIRED)
        fprintf(stderr, "pfclient: pair first: arm a PIN on the host (`pfhost pair-native`), "
                        "then run `pfclient pair %s`\n", o->host_arg);
    if (ci.reason == PF_CLIENT_CLOSE_FINGERPRINT_MISMATCH)
        fprintf(stderr, "pfclient: if the host was reset on purpose, pair with it again\n");
}

static int load_identity(char **cert, char **key)
{
    return store_identity(cert, key) < 0 ? -1 : 0;
}

static int cmd_pair(pfc_options *o)
{
    char *cert, *key, pinbuf[32];
    if (load_identity(&cert, &key) < 0)
        return PFC_EXIT_REFUSED;
    const char *pin = o->pin;
    if (!pin) {
        fprintf(stderr, "PIN shown by the host: ");
        if (!fgets(pinbuf, sizeof(pinbuf), stdin)) {
            fprintf(stderr, "pfclient: no PIN given\n");
            return PFC_EXIT_USAGE;
        }
        pinbuf[strcspn(pinbuf, "\r\n ")] = '\0';
        pin = pinbuf;
    }
    pf_client_settings st;
    pf_client_settings_default(&st);
    st.cert_pem = cert;
    st.key_pem = key;
    st.device_name = "pfclient";
    /* Pairing pins the host it talks to; a host already pinned must still be that host. */
    uint8_t pinned[32];
    if (store_host_get(o->host_key, pinned) == 1)
        st.host_fingerprint = pinned;
    pf_client *c = NULL;
    int r = pf_client_connect(&st, o->host, o->port, &c);
    if (r == 0)
        r = pf_client_pair(c, pin, 10000);
    int ret = PFC_EXIT_OK;
    uint8_t fp[32];
    char fph[65];
    if (r == 0 && pf_client_get_host_fingerprint(c, fp) == 0 &&
        store_host_set(o->host_key, fp) == 0) {
        hexs(fp, 32, fph);
        if (o->json)
            printf("{\"paired\":true,\"host\":\"%s\",\"fingerprint\":\"%s\"}\n", o->host_key, fph);
        else
            printf("paired with %s (host fingerprint %s)\n", o->host_key, fph);
    } else {
        if (r == 0)
            fprintf(stderr, "pfclient: paired, but cannot store the host in %s\n", store_dir());
        else
            explain(c, "pairing with", o);
        if (o->json) {
            pf_client_close_info ci = {.struct_size = sizeof(ci)};
            if (c)
                pf_client_get_close_info(c, &ci);
            printf("{\"paired\":false,\"host\":\"%s\",\"reason\":%d,\"error\":\"%s\"}\n",
                   o->host_key, c ? ci.reason : -1,
                   c ? pf_client_close_reason_string(ci.reason) : "no connection");
        }
        ret = PFC_EXIT_REFUSED;
    }
    pf_client_destroy(c);
    free(cert);
    free(key);
    return ret;
}

typedef struct audio_puller {
    pf_client *c;
    uint64_t packets;
} audio_puller;

/* The audio plane has a puller of its own, as the API intends. */
static void *audio_main(void *arg)
{
    audio_puller *a = arg;
    pf_client_audio_packet p = {.struct_size = sizeof(p)};
    for (;;) {
        int r = pf_client_audio_next(a->c, 200, &p);
        if (r == 0)
            a->packets++;
        else if (r != PF_ERR_TIMEOUT)
            break;
    }
    return NULL;
}

typedef struct speed_run {
    pf_client *c;
    const pfc_options *o;
    pfc_session *s;
    volatile int done;
} speed_run;

/* The speed test blocks; it runs beside the video puller, which keeps the queue drained. */
static void *speed_main(void *arg)
{
    speed_run *sr = arg;
    sr->s->probe.struct_size = sizeof(sr->s->probe);
    sr->s->have_probe = pf_client_speed_test(sr->c, sr->o->speed_kbps,
                                             sr->o->speed_seconds * 1000u, &sr->s->probe) == 0;
    sr->done = 1;
    return NULL;
}

static void stream_loop(pf_client *c, const pfc_options *o, pfc_video *v, pfc_session *s,
                        volatile int *stop)
{
    double start = now_s();
    pf_client_video_frame f = {.struct_size = sizeof(f)};
    pfc_video_stats vs;
    int switch_pending = o->switch_w != 0;
    double last_frame = start, last_ask = start;
    for (;;) {
        pfc_video_get_stats(v, &vs);
        if (o->frames && vs.decoded >= o->frames)
            break;
        if (o->seconds > 0 && now_s() - start >= o->seconds)
            break;
        if (stop && *stop)
            break;
        if (switch_pending && vs.decoded >= (o->frames ? o->frames / 2 : 60)) {
            switch_pending = 0;
            s->switched = pf_client_reconfigure(c, o->switch_w, o->switch_h, o->switch_hz, 10000);
            if (s->switched < 0)
                s->switched = 0;
        }
        int r = pf_client_video_next(c, 200, &f);
        if (r == PF_ERR_TIMEOUT) {
            if (now_s() - last_frame > 10.0) {
                fprintf(stderr, "pfclient: no video for 10 s\n");
                break;
            }
            continue;
        }
        if (r < 0)
            break;
        last_frame = now_s();
        pfc_video_decode(v, &f);
        /* The library asks once per loss; should that IDR be lost or dropped too, ask
         * again while the decoder still waits. */
        if (pfc_video_waiting_idr(v) && now_s() - last_ask > 1.0) {
            pf_client_request_keyframe(c);
            last_ask = now_s();
        }
    }
    s->elapsed_s = now_s() - start;
}

static void put_u64(json_object *o, const char *k, uint64_t v)
{
    json_object_object_add(o, k, json_object_new_int64((int64_t)v));
}

/* LaunchOutcome kinds (§5.6) in words. */
static const char *launch_name(int32_t kind)
{
    switch (kind) {
    case PF_CLIENT_LAUNCH_SPAWNED: return "started";
    case PF_CLIENT_LAUNCH_ADOPTED: return "already running";
    case PF_CLIENT_LAUNCH_ADOPTED_UNKNOWN: return "took over a running app";
    case PF_CLIENT_LAUNCH_REFUSED: return "refused";
    case PF_CLIENT_LAUNCH_FAILED: return "failed";
    case PF_CLIENT_LAUNCH_SIGN_IN: return "needs a sign-in on the host";
    default: return "no answer from the host";
    }
}

/* The picture is the host's test pattern when most readable counters follow the previous one:
 * a desktop reads as a constant (dark) or as noise, never as a run of +1 steps. */
static int pattern_seen(const pfc_video_stats *vs)
{
    uint64_t readable = vs->counter_frames - vs->counter_errors;
    return vs->counter_steps >= 2 && vs->counter_steps * 2 >= readable;
}

static void print_summary(const pfc_options *o, const pfc_session *s, int ok)
{
    const pf_client_stats *st = &s->stats;
    const pfc_video_stats *vs = &s->video;
    const char *codec = s->info.codec == PF_CLIENT_CODEC_H264  ? "h264"
                        : s->info.codec == PF_CLIENT_CODEC_AV1 ? "av1" : "hevc";
    if (o->json) {
        json_object *j = json_object_new_object();
        json_object_object_add(j, "host", json_object_new_string(o->host_key));
        json_object_object_add(j, "ok", json_object_new_boolean(ok));
        json_object_object_add(j, "codec", json_object_new_string(codec));
        json_object_object_add(j, "cipher", json_object_new_string(
                                               s->info.cipher ? "chacha20-poly1305" : "aes-128-gcm"));
        put_u64(j, "width", vs->width);
        put_u64(j, "height", vs->height);
        put_u64(j, "refresh_hz", s->info.refresh_hz);
        put_u64(j, "frames_received", st->frames_delivered);
        put_u64(j, "frames_decoded", vs->decoded);
        put_u64(j, "frames_lost", st->frames_lost);
        put_u64(j, "frames_dropped", st->frames_dropped);
        put_u64(j, "frames_skipped", vs->skipped);
        put_u64(j, "decode_errors", vs->decode_errors);
        put_u64(j, "idr_frames", vs->idr);
        put_u64(j, "keyframes_requested", st->keyframes_requested);
        put_u64(j, "counter_frames", vs->counter_frames);
        put_u64(j, "counter_gaps", vs->counter_gaps);
        put_u64(j, "counter_errors", vs->counter_errors);
        json_object_object_add(j, "pattern_seen", json_object_new_boolean(pattern_seen(vs)));
        json_object_object_add(j, "first_counter", json_object_new_int64(vs->first_counter));
        json_object_object_add(j, "last_counter", json_object_new_int64(vs->last_counter));
        put_u64(j, "packets_received", st->packets_received);
        put_u64(j, "bytes_received", st->bytes_received);
        put_u64(j, "shards_recovered", st->shards_recovered);
        put_u64(j, "bitrate_kbps", st->bitrate_kbps);
        put_u64(j, "loss_ppm", st->loss_ppm);
        put_u64(j, "audio_packets", s->audio_packets);
        json_object_object_add(j, "clock_valid", json_object_new_boolean(st->clock_valid));
        json_object_object_add(j, "clock_offset_ns", json_object_new_int64(st->clock_offset_ns));
        json_object_object_add(j, "clock_rtt_ns", json_object_new_int64(st->clock_rtt_ns));
        put_u64(j, "latency_p50_ns", st->latency_p50_ns);
        put_u64(j, "latency_p95_ns", st->latency_p95_ns);
        put_u64(j, "latency_p99_ns", st->latency_p99_ns);
        json_object_object_add(j, "elapsed_s", json_object_new_double(s->elapsed_s));
        if (s->switched >= 0)
            json_object_object_add(j, "mode_switch", json_object_new_boolean(s->switched));
        if (o->window)
            put_u64(j, "keys_sent", s->keys_sent);
        if (s->have_probe) {
            json_object *p = json_object_new_object();
            put_u64(p, "target_kbps", s->probe.target_kbps);
            put_u64(p, "duration_ms", s->probe.duration_ms);
            put_u64(p, "host_packets_sent", s->probe.host_wire_packets_sent);
            put_u64(p, "host_send_dropped", s->probe.host_send_dropped);
            put_u64(p, "host_bytes_sent", s->probe.host_bytes_sent);
            put_u64(p, "packets_received", s->probe.packets_received);
            put_u64(p, "bytes_received", s->probe.bytes_received);
            put_u64(p, "received_kbps", s->probe.received_kbps);
            put_u64(p, "loss_ppm", s->probe.loss_ppm);
            json_object_object_add(j, "speed_test", p);
        }
        if (o->launch) {
            json_object *l = json_object_new_object();
            json_object_object_add(l, "outcome", json_object_new_int(s->info.launch_outcome));
            json_object_object_add(l, "outcome_name",
                                   json_object_new_string(launch_name(s->info.launch_outcome)));
            json_object_object_add(l, "message", json_object_new_string(s->info.launch_message));
            json_object_object_add(j, "launch", l);
        }
        put_u64(j, "grants", s->info.grants);
        put_u64(j, "access_updates", s->info.access_updates);
        json_object_object_add(j, "close_reason", json_object_new_int(s->close.reason));
        json_object_object_add(j, "close", json_object_new_string(
                                              pf_client_close_reason_string(s->close.reason)));
        printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN));
        json_object_put(j);
        return;
    }
    printf("%s: %s %ux%u@%u, %s\n", o->host_key, codec, vs->width, vs->height,
           s->info.refresh_hz, s->info.cipher ? "ChaCha20-Poly1305" : "AES-128-GCM");
    printf("  frames: %llu received, %llu decoded in %.1f s (%.1f fps), %llu lost, %llu dropped,"
           " %llu IDR, %llu keyframes asked\n",
           (unsigned long long)st->frames_delivered, (unsigned long long)vs->decoded,
           s->elapsed_s, s->elapsed_s > 0 ? (double)vs->decoded / s->elapsed_s : 0.0,
           (unsigned long long)st->frames_lost, (unsigned long long)st->frames_dropped,
           (unsigned long long)vs->idr, (unsigned long long)st->keyframes_requested);
    if (vs->counter_frames && (pattern_seen(vs) || o->check_pattern == PATTERN_REQUIRED))
        printf("  test pattern: counter %lld..%lld, %llu gaps, %llu unreadable\n",
               (long long)vs->first_counter, (long long)vs->last_counter,
               (unsigned long long)vs->counter_gaps, (unsigned long long)vs->counter_errors);
    else if (vs->counter_frames)
        printf("  test pattern: not in the picture (no frame counter to check)\n");
    printf("  network: %u kbit/s, loss %.2f %%, %llu shards repaired by FEC\n",
           st->bitrate_kbps, st->loss_ppm / 1e4, (unsigned long long)st->shards_recovered);
    if (st->clock_valid)
        printf("  latency capture -> reassembled: p50 %.2f ms, p95 %.2f ms, p99 %.2f ms "
               "(clock offset %.3f ms, rtt %.3f ms)\n",
               st->latency_p50_ns / 1e6, st->latency_p95_ns / 1e6, st->latency_p99_ns / 1e6,
               st->clock_offset_ns / 1e6, st->clock_rtt_ns / 1e6);
    if (s->switched >= 0)
        printf("  mode switch: %s\n", s->switched ? "accepted" : "refused");
    if (s->have_probe)
        printf("  speed test: asked %u kbit/s for %u ms: host sent %u packets (%u dropped), "
               "%llu arrived, %u kbit/s received, loss %.2f %%\n",
               s->probe.target_kbps, s->probe.duration_ms, s->probe.host_wire_packets_sent,
               s->probe.host_send_dropped, (unsigned long long)s->probe.packets_received,
               s->probe.received_kbps, s->probe.loss_ppm / 1e4);
    if (o->launch)
        printf("  launch %s: %s%s%s\n", o->launch, launch_name(s->info.launch_outcome),
               s->info.launch_message[0] ? " - " : "", s->info.launch_message);
    if (s->info.access_updates)
        printf("  access: the host changed this client's grants %u time%s, now 0x%02x\n",
               s->info.access_updates, s->info.access_updates == 1 ? "" : "s", s->info.grants);
    printf("  audio: %llu packets\n", (unsigned long long)s->audio_packets);
}

static int cmd_stream(pfc_options *o)
{
    char *cert, *key;
    uint8_t pinned[32];
    if (store_host_get(o->host_key, pinned) != 1) {
        fprintf(stderr, "pfclient: %s is not paired: arm a PIN on the host (`pfhost "
                        "pair-native`), then run `pfclient pair %s`\n", o->host_key, o->host_arg);
        return PFC_EXIT_REFUSED;
    }
    if (load_identity(&cert, &key) < 0)
        return PFC_EXIT_REFUSED;
    pf_client_settings st;
    pf_client_settings_default(&st);
    st.cert_pem = cert;
    st.key_pem = key;
    st.host_fingerprint = pinned;
    st.device_name = "pfclient";
    pf_client *c = NULL;
    int r = pf_client_connect(&st, o->host, o->port, &c);
    free(cert);
    free(key);
    pfc_session s;
    memset(&s, 0, sizeof(s));
    s.switched = -1;
    s.info.struct_size = sizeof(s.info);
    pf_client_stream_settings ss;
    pf_client_stream_settings_default(&ss);
    ss.width = o->width;
    ss.height = o->height;
    ss.refresh_hz = o->hz;
    ss.codecs = o->codecs;
    /* A checking client must see every AU even when the decoder falls behind for a while on
     * a busy machine (about 4 s at 120 Hz); a viewer wants the newest picture instead. */
    ss.video_queue = o->window ? 64 : 512;
    if (o->chacha)
        ss.video_caps |= 0x40u; /* VIDEO_CAP_CHACHA20 */
    /* The window draws the pointer itself where the host can leave it out of the video. */
    if (o->window)
        pf_client_set_cursor_channel(c, 1);

    if (r == 0 && o->launch)
        r = pf_client_set_launch(c, o->launch);
    if (r == 0 && o->wire_version)
        r = pf_client_set_wire_version(c, o->wire_version);
    if (r == 0)
        r = pf_client_start(c, &ss, &s.info, 15000);
    if (r < 0) {
        explain(c, "streaming from", o);
        pf_client_destroy(c);
        return PFC_EXIT_REFUSED;
    }
    pfc_video *v;
    if (pfc_video_create(s.info.codec, &v) < 0) {
        fprintf(stderr, "pfclient: no decoder for codec %u\n", s.info.codec);
        pf_client_destroy(c);
        return PFC_EXIT_REFUSED;
    }
    audio_puller ap = {c, 0};
    pthread_t at;
    int audio_thread = pthread_create(&at, NULL, audio_main, &ap) == 0;
    int window_failed = 0;
    if (o->speed_kbps) {
        speed_run sr = {c, o, &s, 0};
        pthread_t t;
        if (pthread_create(&t, NULL, speed_main, &sr) == 0) {
            stream_loop(c, o, v, &s, &sr.done);
            pthread_join(t, NULL);
        }
    } else if (o->window) {
        window_failed = pfc_window_run(c, o, v, &s) < 0;
    } else {
        stream_loop(c, o, v, &s, NULL);
    }
    /* The stream info as it ends: launch outcome, grants changed on the way. */
    pf_client_get_stream_info(c, &s.info);
    pf_client_close(c);
    if (audio_thread)
        pthread_join(at, NULL);
    s.audio_packets = ap.packets;
    s.stats.struct_size = sizeof(s.stats);
    pf_client_get_stats(c, &s.stats);
    s.close.struct_size = sizeof(s.close);
    pf_client_get_close_info(c, &s.close);
    pfc_video_get_stats(v, &s.video);
    int ret = PFC_EXIT_OK;
    if (window_failed)
        ret = PFC_EXIT_REFUSED;
    if (s.close.reason != PF_CLIENT_CLOSE_CLIENT_QUIT && s.close.reason != PF_CLIENT_CLOSE_NONE) {
        explain(c, "the stream from", o);
        ret = PFC_EXIT_REFUSED;
    } else if (o->frames && s.video.decoded < o->frames) {
        fprintf(stderr, "pfclient: only %llu of %llu frames decoded\n",
                (unsigned long long)s.video.decoded, (unsigned long long)o->frames);
        ret = PFC_EXIT_CHECK;
    } else if (o->check_pattern && !o->speed_kbps && !o->window && /* a viewer only reports */
               (o->check_pattern == PATTERN_REQUIRED || pattern_seen(&s.video)) &&
               (!s.video.counter_frames || s.video.counter_errors ||
                (s.switched < 0 && s.video.counter_gaps))) {
        /* A gap after a loss is not counted (the counter restarts at the keyframe); across
         * a mode switch the host rebuilds its pipeline and may skip a number. */
        fprintf(stderr, "pfclient: the test pattern's counter shows damaged or missing frames\n");
        ret = PFC_EXIT_CHECK;
    }
    if (o->speed_kbps && !s.have_probe) {
        fprintf(stderr, "pfclient: the host did not answer the speed test (it does not offer "
                        "ProbeRequest)\n");
        ret = PFC_EXIT_REFUSED;
    }
    print_summary(o, &s, ret == PFC_EXIT_OK);
    pfc_video_destroy(v);
    pf_client_destroy(c);
    return ret;
}

int main(int argc, char **argv)
{
    pfc_options o;
    memset(&o, 0, sizeof(o));
    o.width = 1280;
    o.height = 720;
    o.hz = 60;
    o.codecs = PF_CLIENT_CODEC_H264 | PF_CLIENT_CODEC_HEVC;
    o.discover_seconds = -1;
    o.check_pattern = PATTERN_AUTO;
    static const struct option longopts[] = {
        {"pin", required_argument, NULL, 'p'},
        {"frames", required_argument, NULL, 'n'},
        {"seconds", required_argument, NULL, 's'},
        {"mode", required_argument, NULL, 'm'},
        {"codec", required_argument, NULL, 'c'},
        {"chacha", no_argument, NULL, 'C'},
        {"switch-mode", required_argument, NULL, 'M'},
        {"window", no_argument, NULL, 'w'},
        {"speed-test", required_argument, NULL, 'S'},
        {"launch", required_argument, NULL, 'L'},
        {"wire-version", required_argument, NULL, 'W'},
        {"discover", no_argument, NULL, 'd'},
        {"no-pattern", no_argument, NULL, 'P'},
        {"pattern", no_argument, NULL, 'T'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch, discover = 0;
    while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': o.pin = optarg; break;
        case 'n': o.frames = strtoull(optarg, NULL, 10); break;
        case 's': o.seconds = atof(optarg); o.discover_seconds = o.seconds; break;
        case 'm':
            if (parse_mode(optarg, &o.width, &o.height, &o.hz) < 0) {
                fprintf(stderr, "pfclient: --mode wants WIDTHxHEIGHT@HZ, not \"%s\"\n", optarg);
                return PFC_EXIT_USAGE;
            }
            break;
        case 'M':
            if (parse_mode(optarg, &o.switch_w, &o.switch_h, &o.switch_hz) < 0) {
                fprintf(stderr, "pfclient: --switch-mode wants WIDTHxHEIGHT@HZ\n");
                return PFC_EXIT_USAGE;
            }
            break;
        case 'c':
            o.codecs = !strcmp(optarg, "h264")   ? PF_CLIENT_CODEC_H264
                       : !strcmp(optarg, "hevc") ? PF_CLIENT_CODEC_HEVC
                       : !strcmp(optarg, "av1")  ? PF_CLIENT_CODEC_AV1 : 0;
            if (!o.codecs) {
                fprintf(stderr, "pfclient: --codec is h264, hevc or av1\n");
                return PFC_EXIT_USAGE;
            }
            break;
        case 'C': o.chacha = 1; break;
        case 'w': o.window = 1; break;
        case 'S': {
            unsigned k, sec;
            if (sscanf(optarg, "%u:%u", &k, &sec) != 2 || !k || !sec || sec > 60) {
                fprintf(stderr, "pfclient: --speed-test wants KBPS:SECONDS (at most 60 s)\n");
                return PFC_EXIT_USAGE;
            }
            o.speed_kbps = k;
            o.speed_seconds = sec;
            break;
        }
        case 'L': o.launch = optarg; break;
        case 'W': o.wire_version = (uint32_t)strtoul(optarg, NULL, 10); break;
        case 'd': discover = 1; break;
        case 'P': o.check_pattern = PATTERN_OFF; break;
        case 'T': o.check_pattern = PATTERN_REQUIRED; break;
        case 'j': o.json = 1; break;
        case 'h': usage(stdout); return PFC_EXIT_OK;
        default: usage(stderr); return PFC_EXIT_USAGE;
        }
    }
    if (discover)
        return pfc_discover(o.discover_seconds > 0 ? o.discover_seconds : 3.0, o.json);
    if (argc - optind != 2) {
        usage(stderr);
        return PFC_EXIT_USAGE;
    }
    o.command = argv[optind];
    o.host_arg = argv[optind + 1];
    if (parse_host(&o) < 0) {
        fprintf(stderr, "pfclient: cannot resolve \"%s\"\n", o.host_arg);
        return PFC_EXIT_USAGE;
    }
    if (!strcmp(o.command, "pair"))
        return cmd_pair(&o);
    if (!strcmp(o.command, "stream")) {
        if (!o.frames && o.seconds <= 0 && !o.window && !o.speed_kbps)
            o.frames = 600;
        if (o.speed_kbps)
            o.frames = 0; /* the test decides how long the stream runs */
        return cmd_stream(&o);
    }
    usage(stderr);
    return PFC_EXIT_USAGE;
}
