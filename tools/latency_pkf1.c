/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* punktfunk/1 stage stamps. The media header carries each AU's capture time (pts_ns, host
 * CLOCK_REALTIME); the clock probes give host − client, so capture on the client clock is
 * pts_ns − offset. A host that sends host timing (0xCF, §8.8, asked for with video cap 0x08)
 * adds capture → encoded (queue + encode) and capture → sent (host_us); without it those
 * stages are reported as not on the wire. The 0xCF of a frame leaves the host after the
 * frame's last datagram, so it is looked up a few frames later. libpfclient stamps the first datagram and the
 * completed AU on the client's CLOCK_REALTIME; decoding is timed here. */
#include "latency_pkf1.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#include "host_proc.h"
#include "latency_host.h"
#include "pf/client.h"
#include "pf/core/error.h"

static uint64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The host's punktfunk/1 port and certificate fingerprint from the management API. */
static int native_status(const host_proc *h, uint16_t *port, uint8_t fp[32])
{
    char *body = NULL;
    int ok = 0;
    if (api_call(h, "GET", "/api/v1/status", NULL, NULL, &body) == 200) {
        json_object *o = json_tokener_parse(body), *n, *p, *f;
        if (o && json_object_object_get_ex(o, "native", &n) &&
            json_object_object_get_ex(n, "port", &p) &&
            json_object_object_get_ex(n, "fingerprint", &f)) {
            const char *hex = json_object_get_string(f);
            *port = (uint16_t)json_object_get_int(p);
            ok = hex && strlen(hex) == 64 && *port;
            for (int i = 0; ok && i < 32; i++) {
                unsigned v;
                ok = sscanf(hex + 2 * i, "%2x", &v) == 1;
                fp[i] = (uint8_t)v;
            }
        }
        json_object_put(o);
    }
    free(body);
    return ok ? 0 : -1;
}

static int arm_pin(const host_proc *h, char pin[16])
{
    char *body = NULL;
    int st = api_call(h, "POST", "/api/v1/native/pair", "{}", NULL, &body);
    json_object *o = body ? json_tokener_parse(body) : NULL, *p;
    int r = -1;
    if (st == 200 && o && json_object_object_get_ex(o, "pin", &p)) {
        snprintf(pin, 16, "%s", json_object_get_string(p));
        r = 0;
    }
    json_object_put(o);
    free(body);
    return r;
}

static void close_reason(pf_client *c, const char *what, char *err, size_t n)
{
    pf_client_close_info ci = {.struct_size = sizeof(ci)};
    pf_client_get_close_info(c, &ci);
    snprintf(err, n, "%s: %s%s%s", what, pf_client_close_reason_string(ci.reason),
             ci.text[0] ? " - " : "", ci.text);
}

typedef struct session {
    pf_client *c;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
} session;

static int open_decoder(session *s, uint32_t codec)
{
    const AVCodec *dc = avcodec_find_decoder(codec == PF_CLIENT_CODEC_HEVC ? AV_CODEC_ID_HEVC
                                             : codec == PF_CLIENT_CODEC_AV1 ? AV_CODEC_ID_AV1
                                                                            : AV_CODEC_ID_H264);
    s->dec = dc ? avcodec_alloc_context3(dc) : NULL;
    s->pkt = av_packet_alloc();
    s->frame = av_frame_alloc();
    if (!s->dec || !s->pkt || !s->frame)
        return -1;
    s->dec->thread_count = 1;
    s->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
    return avcodec_open2(s->dec, dc, NULL) < 0 ? -1 : 0;
}

static int decode(session *s, const uint8_t *data, size_t len)
{
    s->pkt->data = (uint8_t *)data;
    s->pkt->size = (int)len;
    if (avcodec_send_packet(s->dec, s->pkt) < 0)
        return 0;
    return avcodec_receive_frame(s->dec, s->frame) == 0;
}

/* A frame whose host stamps may still be on their way: 0xCF follows the AU's last datagram
 * on the QUIC path, so it is looked up a few frames later. */
typedef struct pending {
    int64_t t[LAT_STAGES];
    uint64_t pts_ns;
    int64_t capture;
    int has_timing;
} pending;

#define PENDING_MAX 8u

static void finish(pf_client *c, lat_report *r, pending *p, uint32_t *host_timing)
{
    pf_client_host_timing ht = {.struct_size = sizeof(ht)};
    if (!p->has_timing && pf_client_get_host_timing(c, p->pts_ns, &ht) == 0) {
        p->t[LAT_ENCODED] = ht.queue_us || ht.encode_us
                                ? p->capture + ((int64_t)ht.queue_us + ht.encode_us) * 1000
                                : LAT_MISSING;
        p->t[LAT_SENT] = p->capture + (int64_t)ht.host_us * 1000;
        p->has_timing = 1;
    }
    *host_timing += p->has_timing;
    lat_report_add(r, p->t);
}

static void record(pending *p, const pf_client_video_frame *f, uint64_t decoded_ns)
{
    p->pts_ns = f->pts_ns;
    p->capture = (int64_t)f->pts_ns - f->clock_offset_ns;
    p->t[LAT_CAPTURE] = p->capture;
    p->t[LAT_ENCODED] = p->t[LAT_SENT] = LAT_MISSING;
    p->has_timing = 0;
    if (f->flags & PF_CLIENT_FRAME_HOST_TIMING) {
        if (f->host_queue_us || f->host_encode_us)
            p->t[LAT_ENCODED] = p->capture +
                                ((int64_t)f->host_queue_us + f->host_encode_us) * 1000;
        p->t[LAT_SENT] = p->capture + (int64_t)f->host_us * 1000;
        p->has_timing = 1;
    }
    p->t[LAT_RECEIVED] = (int64_t)f->first_packet_ns;
    p->t[LAT_REASSEMBLED] = (int64_t)f->reassembled_ns;
    p->t[LAT_DECODED] = decoded_ns ? (int64_t)decoded_ns : LAT_MISSING;
}

static int stream(const latency_gs_options *o, session *s, lat_report *r, char *err, size_t n)
{
    pf_client_stream_settings ss;
    pf_client_stream_settings_default(&ss);
    ss.width = o->width;
    ss.height = o->height;
    ss.refresh_hz = o->fps;
    ss.bitrate_kbps = o->bitrate_kbps;
    ss.codecs = PF_CLIENT_CODEC_H264;
    ss.video_caps |= 0x08; /* VIDEO_CAP_HOST_TIMING: 0xCF when the host offers it */
    pf_client_stream_info info = {.struct_size = sizeof(info)};
    int rc = pf_client_start(s->c, &ss, &info, 10000);
    if (rc < 0) {
        close_reason(s->c, "the host refused the stream", err, n);
        return -1;
    }
    snprintf(r->mode, sizeof(r->mode), "%ux%u@%u", info.width, info.height, info.refresh_hz);
    if (open_decoder(s, info.codec) < 0) {
        snprintf(err, n, "no libavcodec decoder for the granted codec");
        return -1;
    }
    pf_client_stats st0 = {.struct_size = sizeof(st0)}, st1 = {.struct_size = sizeof(st1)};
    uint32_t warm = o->warmup, got = 0, host_timing = 0, npend = 0;
    pending pend[PENDING_MAX];
    uint64_t end = realtime_ns() + (uint64_t)o->timeout_ms * 1000000ull + 20000000000ull;
    while (got < o->frames && realtime_ns() < end) {
        pf_client_video_frame f = {.struct_size = sizeof(f)};
        rc = pf_client_video_next(s->c, 500, &f);
        if (rc == PF_ERR_TIMEOUT)
            continue;
        if (rc < 0) {
            close_reason(s->c, "the stream ended", err, n);
            return -1;
        }
        uint64_t decoded = decode(s, f.data, f.len) ? realtime_ns() : 0;
        /* Measure only once the clock probes agreed on an offset. */
        if (warm || !f.clock_valid) {
            if (warm)
                warm--;
            if (!warm && f.clock_valid)
                pf_client_get_stats(s->c, &st0);
            continue;
        }
        if (!got && !st0.clock_valid)
            pf_client_get_stats(s->c, &st0);
        r->frames_decoded += decoded != 0;
        if (npend == PENDING_MAX) {
            finish(s->c, r, &pend[0], &host_timing);
            memmove(pend, pend + 1, sizeof(pend[0]) * (PENDING_MAX - 1));
            npend--;
        }
        record(&pend[npend++], &f, decoded);
        got++;
    }
    /* The last frames' host stamps: give them a moment to land. */
    struct timespec ts = {0, 100000000L};
    nanosleep(&ts, NULL);
    for (uint32_t i = 0; i < npend; i++)
        finish(s->c, r, &pend[i], &host_timing);
    pf_client_get_stats(s->c, &st1);
    r->frames_lost = st1.frames_lost - st0.frames_lost;
    r->video_packets = st1.packets_received - st0.packets_received;
    r->clock_offset_ns = st1.clock_offset_ns;
    r->clock_rtt_ns = st1.clock_rtt_ns;
    if (host_timing) {
        /* 0xCF rides unreliable QUIC datagrams: a frame whose report was lost has no host
         * stamps; the notes say how many do. */
        static char note[96];
        snprintf(note, sizeof(note), "host timing arrived for %u of %u frames", host_timing,
                 got);
        r->stages[LAT_ENCODED] = (lat_stage_info){
            1, "host: 0xCF host timing, queue + encode after capture", note};
        r->stages[LAT_SENT] = (lat_stage_info){1, "host: 0xCF host timing, host_us", note};
    }
    if (!got) {
        snprintf(err, n, "no frame with a valid clock offset arrived");
        return -1;
    }
    return 0;
}

static int pair(const host_proc *h, const pf_client_settings *cs, uint16_t port, char *err,
                size_t n)
{
    char pin[16];
    pf_client *c = NULL;
    if (arm_pin(h, pin) < 0) {
        snprintf(err, n, "could not arm a pairing PIN through the management API");
        return -1;
    }
    int rc = pf_client_connect(cs, "127.0.0.1", port, &c);
    if (rc == 0)
        rc = pf_client_pair(c, pin, 10000);
    if (rc < 0 && c)
        close_reason(c, "pairing failed", err, n);
    else if (rc < 0)
        snprintf(err, n, "pairing failed: %s", pf_strerror(rc));
    pf_client_destroy(c);
    return rc < 0 ? -1 : 0;
}

int latency_pkf1_run(const latency_gs_options *o, lat_report *r, char *err, size_t n)
{
    lat_report_init(r, "punktfunk/1");
    snprintf(r->mode, sizeof(r->mode), "%ux%u@%u", o->width, o->height, o->fps);
    r->stages[LAT_CAPTURE] = (lat_stage_info){1, "host: media header pts_ns, clock offset "
                                                 "removed", NULL};
    r->stages[LAT_ENCODED] = (lat_stage_info){0, NULL, "not on the wire: the host sent no "
                                                       "0xCF host timing"};
    r->stages[LAT_SENT] = (lat_stage_info){0, NULL, "not on the wire: the host sent no 0xCF "
                                                    "host timing"};
    r->stages[LAT_RECEIVED] = (lat_stage_info){1, "client: libpfclient, first datagram", NULL};
    r->stages[LAT_REASSEMBLED] = (lat_stage_info){1, "client: libpfclient, AU complete", NULL};
    r->stages[LAT_DECODED] = (lat_stage_info){1, "client: libavcodec after the pull, one "
                                                 "thread", NULL};
    r->clock_source = "clock probes (ClockProbe/ClockEcho, §4.5): host - client";

    char work[64] = "/tmp/pf-latency-probe-XXXXXX";
    host_proc host = {0};
    session s = {0};
    char *key = NULL, *cert = NULL;
    uint8_t fp[32];
    uint16_t port = 0;
    int rc = -1;
    if (latency_host_prepare(work, &host, o->pfhost, err, n) < 0)
        goto out;
    if (host_start(&host, NULL) < 0) {
        snprintf(err, n, "pfhost (%s) did not start; its log is in %s/host.log", o->pfhost,
                 host.dir);
        goto out;
    }
    if (native_status(&host, &port, fp) < 0) {
        snprintf(err, n, "the host reports no punktfunk/1 endpoint");
        goto out;
    }
    if (pf_client_identity_generate(&key, &cert) < 0) {
        snprintf(err, n, "cannot create a client identity");
        goto out;
    }
    pf_client_settings cs;
    pf_client_settings_default(&cs);
    cs.cert_pem = cert;
    cs.key_pem = key;
    cs.host_fingerprint = fp;
    cs.device_name = "pf-latency-probe";
    if (pair(&host, &cs, port, err, n) < 0)
        goto out;
    int cr = pf_client_connect(&cs, "127.0.0.1", port, &s.c);
    if (cr < 0) {
        if (s.c)
            close_reason(s.c, "connect failed", err, n);
        else
            snprintf(err, n, "connect failed: %s", pf_strerror(cr));
        goto out;
    }
    rc = stream(o, &s, r, err, n);
out:
    pf_client_destroy(s.c);
    avcodec_free_context(&s.dec);
    av_packet_free(&s.pkt);
    av_frame_free(&s.frame);
    pf_client_free(key);
    pf_client_free(cert);
    latency_host_cleanup(&host, work, o->keep_dir);
    return rc;
}
