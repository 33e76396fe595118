/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GameStream stage stamps. What the wire carries per frame (gamestream-protocol.md §6.2,
 * §6.3): the RTP timestamp, which pfhost sets to the capture time on its CLOCK_MONOTONIC at
 * 90 kHz, and the frame header's latency field, capture → encoded in 0.1 ms. The send time
 * stays inside the host: the private host writes it to its frame log (`pfhost serve
 * --frame-log`), read once the host stopped and matched to the frames by frame index.
 * GameStream has no clock probe; the in-repo client streams over loopback, so host and
 * client read the same CLOCK_MONOTONIC and the offset is exactly 0. */
#include "latency_gs.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gs_client.h"
#include "host_proc.h"
#include "latency_frame_log.h"
#include "latency_host.h"
#include "stream_client.h"

#define UNIQUEID "0123456789ABCDEF"
#define PIN "4711"

static const uint8_t rikey[16] = {0x5a, 0x11, 0x7e, 0x42, 0x93, 0x0c, 0xd4, 0x68,
                                  0x21, 0xbf, 0x3a, 0x86, 0xe5, 0x19, 0x70, 0xcd};

typedef struct collect {
    lat_report *r;
    uint32_t skip; /* warm-up frames still to ignore */
    int failed;
    /* per sample of r, for matching the frame log: frameIndex and RTP timestamp */
    uint32_t *frame, *rtp;
    size_t cap;
} collect;

static void on_timing(void *user, const stream_client_frame_timing *t)
{
    collect *c = user;
    if (c->skip) {
        c->skip--;
        return;
    }
    /* The RTP stamp is the host's capture time truncated to 0.1 ms, times 9. Unwrap it
     * against the reassembly time on the same clock. */
    uint64_t at01 = t->reassembled_ns / 100000u;
    uint32_t ticks = (uint32_t)(at01 * 9u) - t->rtp_timestamp;
    int64_t stamps[LAT_STAGES];
    stamps[LAT_CAPTURE] = (int64_t)(at01 - ticks / 9u) * 100000;
    stamps[LAT_ENCODED] = stamps[LAT_CAPTURE] + (int64_t)t->host_latency * 100000;
    stamps[LAT_SENT] = LAT_MISSING;
    stamps[LAT_RECEIVED] = (int64_t)t->first_rx_ns;
    stamps[LAT_REASSEMBLED] = (int64_t)t->reassembled_ns;
    stamps[LAT_DECODED] = t->decoded_ns ? (int64_t)t->decoded_ns : LAT_MISSING;
    if (c->r->n >= c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint32_t *f = realloc(c->frame, cap * sizeof(*f));
        if (f)
            c->frame = f;
        uint32_t *rtp = f ? realloc(c->rtp, cap * sizeof(*rtp)) : NULL;
        if (rtp)
            c->rtp = rtp;
        if (!f || !rtp) {
            c->failed = 1;
            return;
        }
        c->cap = cap;
    }
    c->frame[c->r->n] = t->frame_index;
    c->rtp[c->r->n] = t->rtp_timestamp;
    if (lat_report_add(c->r, stamps) < 0)
        c->failed = 1;
}

static uint16_t free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    uint16_t port = 0;
    if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

static int write_apps(const char *work, char *apps, size_t n)
{
    snprintf(apps, n, "%s/apps.json", work);
    FILE *f = fopen(apps, "w");
    if (!f)
        return -1;
    fprintf(f, "{\"apps\": [{\"name\": \"Desktop\"}]}\n");
    return fclose(f);
}

static int launch(const host_proc *h, const gsc_identity *id, const latency_gs_options *o,
                  uint32_t *ret_rtspenc, char *err, size_t n)
{
    char path[640], hex[33];
    for (int i = 0; i < 16; i++)
        snprintf(hex + 2 * i, 3, "%02x", rikey[i]);
    snprintf(path, sizeof(path),
             "/launch?uniqueid=" UNIQUEID "&uuid=11112222333344445555666677778888&appid=1"
             "&mode=%ux%ux%u&additionalStates=1&sops=0&rikey=%s&rikeyid=-5"
             "&localAudioPlayMode=0&surroundAudioInfo=196610&remoteControllersBitmap=1"
             "&gcmap=1&corever=1",
             o->width, o->height, o->fps, hex);
    char *doc = gs_get(h, 1, id, path, NULL, NULL);
    char *url = doc && gsc_xml_status(doc) == 200 ? gsc_xml_get(doc, "sessionUrl0") : NULL;
    int ok = url != NULL;
    if (ok)
        *ret_rtspenc = strncmp(url, "rtspenc://", 10) == 0;
    else
        snprintf(err, n, "the host refused /launch");
    free(url);
    free(doc);
    return ok ? 0 : -1;
}

static int stream(const latency_gs_options *o, uint16_t rtsp_port, uint32_t rtspenc,
                  collect *col, char *err, size_t n)
{
    lat_report *r = col->r;
    stream_client_config cfg = {
        .rtsp_port = rtsp_port, .rikeyid = (uint32_t)-5, .width = o->width,
        .height = o->height, .fps = o->fps, .bitrate_kbps = o->bitrate_kbps,
        .packet_size = 1392, .encryption_enabled = 0x01 | (o->encrypt_video ? 0x02 : 0),
        .audio_channels = 2, .encrypted_rtsp = rtspenc,
    };
    memcpy(cfg.rikey, rikey, 16);
    if (o->encrypt_video)
        cfg.packet_size -= 32;
    stream_client *c = NULL;
    if (stream_client_handshake(&cfg, &c, err, n) < 0)
        return -1;
    if (stream_client_connect(c, err, n) < 0) {
        stream_client_destroy(c);
        return -1;
    }
    col->skip = o->warmup;
    stream_client_set_timing_hook(c, on_timing, col);
    stream_client_stats before, after;
    stream_client_run(c, o->warmup, 20000);
    stream_client_get_stats(c, &before);
    stream_client_run(c, o->frames, o->timeout_ms);
    stream_client_set_timing_hook(c, NULL, NULL);
    stream_client_get_stats(c, &after);
    stream_client_destroy(c);
    r->frames_lost = after.frames_lost - before.frames_lost;
    r->frames_decoded = after.decoded - before.decoded;
    r->video_packets = after.video_packets - before.video_packets;
    if (col->failed) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    if (!r->n) {
        snprintf(err, n, "no frame arrived after the %u warm-up frames", o->warmup);
        return -1;
    }
    return 0;
}

int latency_gs_run(const latency_gs_options *o, lat_report *r, char *err, size_t n)
{
    lat_report_init(r, "gamestream");
    snprintf(r->mode, sizeof(r->mode), "%ux%u@%u", o->width, o->height, o->fps);
    r->stages[LAT_CAPTURE] = (lat_stage_info){
        1, "host: RTP timestamp, capture time at 90 kHz (0.1 ms steps)", NULL};
    r->stages[LAT_ENCODED] = (lat_stage_info){
        1, "host: frame header latency field, capture to encoded (0.1 ms steps)", NULL};
    r->stages[LAT_SENT] = (lat_stage_info){
        1, "host: its frame log (pfhost serve --frame-log), last datagram sent",
        "not on the wire: read from the private host's frame log; received is the first "
        "datagram, which on loopback may arrive before the last is sent"};
    r->stages[LAT_RECEIVED] = (lat_stage_info){1, "client: first datagram of the frame", NULL};
    r->stages[LAT_REASSEMBLED] = (lat_stage_info){1, "client: libpfcore reassembler", NULL};
    r->stages[LAT_DECODED] = (lat_stage_info){1, "client: libavcodec, one thread", NULL};
    r->clock_offset_ns = 0;
    r->clock_source = "same host clock: loopback stream, both sides stamp CLOCK_MONOTONIC "
                      "(GameStream has no clock probe)";

    char work[64] = "/tmp/pf-latency-probe-XXXXXX", apps[128], conf[512];
    host_proc host = {0};
    gsc_identity id = {0};
    int rc = -1, have_id = 0;
    uint16_t rtsp_port = free_tcp_port();
    if (latency_host_prepare(work, &host, o->pfhost, err, n) < 0)
        goto out;
    if (write_apps(work, apps, sizeof(apps)) < 0 || !rtsp_port) {
        snprintf(err, n, "cannot prepare %s", work);
        goto out;
    }
    snprintf(conf, sizeof(conf), "apps = %s\nrtsp_port = %u\npin_wait = 20\n", apps, rtsp_port);
    if (gsc_identity_create(&id) < 0) {
        snprintf(err, n, "cannot create a client certificate");
        goto out;
    }
    have_id = 1;
    if (host_start(&host, conf) < 0) {
        snprintf(err, n, "pfhost (%s) did not start; its log is in %s/host.log", o->pfhost,
                 host.dir);
        goto out;
    }
    int check = -1;
    if (pair_client(&host, &id, PIN, PIN, UNIQUEID, 0, &check, NULL) != 1) {
        snprintf(err, n, "pairing with the private host failed");
        goto out;
    }
    uint32_t rtspenc = 0;
    if (launch(&host, &id, o, &rtspenc, err, n) < 0)
        goto out;
    collect col = {.r = r};
    rc = stream(o, rtsp_port, rtspenc, &col, err, n);
    /* The host writes the log's last lines as the session ends: stop it first. */
    if (rc == 0 && host_stop(&host) < 0)
        fprintf(stderr, "pf-latency-probe: the private host did not stop cleanly\n");
    if (rc == 0)
        rc = latency_frame_log_match(latency_host_frame_log(), col.frame, col.rtp, r, err, n);
    free(col.frame);
    free(col.rtp);
out:
    latency_host_cleanup(&host, work, o->keep_dir);
    if (have_id)
        gsc_identity_free(&id);
    return rc;
}
