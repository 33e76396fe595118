/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A GameStream streaming client built from libpfcore's reassemblers and ENet, used by the
 * end-to-end tests against `pfhost serve --source testpattern`. */
#include "stream_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <enet/enet.h>
#include <opus/opus.h>
#include <opus/opus_multistream.h>

#include "pf/audio_encode.h"
#include "pf/core/gs_audio.h"
#include "pf/core/gs_control.h"
#include "pf/core/gs_video.h"

#include <libavcodec/avcodec.h>
#include <libavutil/frame.h>

#include "goertzel.h"
#include "pattern_counter.h"

#define MAX_FRAMES 4096
#define TONE_SAMPLES 9600 /* 200 ms per channel for the tone analysis */

struct stream_client {
    stream_client_config cfg;
    char session[64], ping[17];
    uint32_t connect_data;
    uint16_t video_port, audio_port, control_port;
    pf_gs_cipher *cipher;
    ENetHost *enet;
    ENetPeer *peer;
    uint32_t seq, ping_seq, rtsp_seq;
    int vfd, afd;
    uint64_t next_ping_ns, next_ctrl_ping_ns;
    pf_gs_video_rx *vrx;
    pf_gs_audio_rx *arx;
    AVCodecContext *dec;
    AVPacket *pkt;
    AVFrame *frame;
    OpusMSDecoder *opus;
    char surround_params[2][2][16]; /* [6 or 8 channels][normal, high]: DESCRIBE lines */
    int16_t *tone;                  /* the last TONE_SAMPLES frames, interleaved */
    size_t tone_n;
    stream_client_stats st;
    int have_counter;
    double rms_sum;
    uint64_t rms_n;
    uint64_t *lat;
    size_t n_lat;
    uint32_t termination;
    int waiting_idr;
    /* pf-latency-probe's per-frame timing */
    stream_client_timing_fn timing_fn;
    void *timing_user;
    uint32_t rx_frame_index;
    uint64_t rx_first_ns, decoded_ns;
};

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *rtsp_exchange(uint16_t port, const char *request, size_t len, size_t *ret_len)
{
    return rtsp_exchange_from(NULL, port, request, len, ret_len);
}

char *rtsp_exchange_from(const char *src, uint16_t port, const char *request, size_t len,
                         size_t *ret_len)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
    struct sockaddr_in from = {.sin_family = AF_INET};
    if (src && (inet_pton(AF_INET, src, &from.sin_addr) != 1 ||
                bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0)) {
        close(fd);
        return NULL;
    }
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        if (fd >= 0)
            close(fd);
        return NULL;
    }
    if (len && send(fd, request, len, MSG_NOSIGNAL) != (ssize_t)len) {
        close(fd);
        return NULL;
    }
    size_t cap = 65536, got = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        ssize_t n = recv(fd, buf + got, cap - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == cap)
            break;
    }
    close(fd);
    buf[got] = '\0';
    if (ret_len)
        *ret_len = got;
    return buf;
}

int rtsp_status(const char *reply)
{
    if (!reply || strncmp(reply, "RTSP/1.0 ", 9) != 0)
        return -1;
    return atoi(reply + 9);
}

char *rtsp_header(const char *reply, const char *name)
{
    size_t nl = strlen(name);
    for (const char *l = strstr(reply, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
        if (!strncmp(l + 2, name, nl) && l[2 + nl] == ':' && l[3 + nl] == ' ') {
            const char *v = l + 4 + nl, *e = strstr(v, "\r\n");
            return strndup(v, e ? (size_t)(e - v) : strlen(v));
        }
    }
    return NULL;
}

static char *request(stream_client *c, const char *method, const char *target, uint32_t cseq,
                     const char *extra, const char *body)
{
    char req[4096];
    int n = snprintf(req, sizeof(req),
                     "%s %s RTSP/1.0\r\nCSeq: %u\r\nX-GS-ClientVersion: 14\r\nHost: 127.0.0.1\r\n"
                     "%s%s%s%s\r\n%s",
                     method, target, cseq, c->session[0] ? "Session: " : "", c->session,
                     c->session[0] ? "\r\n" : "", extra ? extra : "", body ? body : "");
    if (!c->cfg.encrypted_rtsp)
        return rtsp_exchange(c->cfg.rtsp_port, req, (size_t)n, NULL);
    /* §4.8: one sealed message each way; the reply must open under the session key. */
    uint8_t sealed[sizeof(req) + PF_GS_RTSP_OVERHEAD];
    size_t slen = 0, rlen = 0, plen = 0;
    uint32_t seq;
    if (!c->cipher && pf_gs_cipher_create(NULL, c->cfg.rikey, &c->cipher) < 0)
        return NULL;
    if (pf_gs_rtsp_seal(c->cipher, PF_GS_ORIGIN_CLIENT, ++c->rtsp_seq, (const uint8_t *)req,
                        (size_t)n, sealed, sizeof(sealed), &slen) < 0)
        return NULL;
    char *r = rtsp_exchange(c->cfg.rtsp_port, (const char *)sealed, slen, &rlen);
    char *plain = r ? malloc(rlen + 1) : NULL;
    if (plain && pf_gs_rtsp_open(c->cipher, PF_GS_ORIGIN_HOST, (const uint8_t *)r, rlen,
                                 (uint8_t *)plain, rlen, &seq, &plen) == 0) {
        plain[plen] = '\0';
    } else {
        free(plain);
        plain = NULL;
    }
    free(r);
    return plain;
}

static int luma_counter(const AVFrame *fr)
{
    return pattern_luma_counter(fr->data[0], (size_t)fr->linesize[0]);
}

/* Mean of an 8x8 block (4x4 in the half-size chroma planes of 4:2:0) at the centre. */
static uint32_t centre_mean(const AVFrame *fr, int plane)
{
    int shift = plane ? 1 : 0, half = plane ? 2 : 4;
    int cx = (fr->width >> shift) / 2, cy = (fr->height >> shift) / 2;
    uint32_t sum = 0, n = 0;
    for (int y = cy - half; y < cy + half; y++)
        for (int x = cx - half; x < cx + half; x++, n++)
            sum += fr->data[plane][(size_t)y * (size_t)fr->linesize[plane] + (size_t)x];
    return n ? sum / n : 0;
}

static int decode(stream_client *c, const uint8_t *data, size_t len)
{
    c->pkt->data = (uint8_t *)data;
    c->pkt->size = (int)len;
    if (avcodec_send_packet(c->dec, c->pkt) < 0)
        return 0;
    return avcodec_receive_frame(c->dec, c->frame) == 0;
}

static void handle_frame(stream_client *c, const pf_gs_video_frame *f)
{
    c->st.frames++;
    c->st.shards_recovered += f->recovered_shards;
    if (f->frame_type == PF_GS_FRAME_TYPE_IDR)
        c->st.idr_frames++;
    /* The RTP timestamp is the host's capture stamp on a 90 kHz clock: on one machine the
     * same CLOCK_MONOTONIC, so its distance to now is capture → reassembled. */
    uint32_t now90 = (uint32_t)(mono_ns() / 100000u * 9u);
    uint32_t ticks = now90 - f->rtp_timestamp;
    if (c->n_lat < MAX_FRAMES && ticks < 90000u * 10)
        c->lat[c->n_lat++] = (uint64_t)ticks * 100000u / 9u;
    /* §6.8: after a lost frame a client decodes nothing until the IDR it asked for. */
    if (c->waiting_idr && f->frame_type != PF_GS_FRAME_TYPE_IDR)
        return;
    if (c->cfg.no_decode) {
        c->waiting_idr = 0;
        return;
    }
    c->waiting_idr = 0;
    if (decode(c, f->data, f->len)) {
        c->decoded_ns = mono_ns();
        c->st.decoded++;
        c->st.color_space = (uint32_t)c->frame->colorspace;
        c->st.full_range = c->frame->color_range == AVCOL_RANGE_JPEG;
        c->st.width = (uint32_t)c->frame->width;
        c->st.height = (uint32_t)c->frame->height;
        c->st.centre_y = centre_mean(c->frame, 0);
        c->st.centre_cb = centre_mean(c->frame, 1);
        c->st.centre_cr = centre_mean(c->frame, 2);
        int v = luma_counter(c->frame);
        if (v < 0) {
            c->st.counter_errors++;
            return;
        }
        if (c->have_counter && (uint16_t)(c->st.last_counter + 1) != (uint16_t)v)
            c->st.counter_gaps++;
        if (!c->have_counter)
            c->st.first_counter = (uint64_t)v;
        c->have_counter = 1;
        c->st.last_counter = (uint64_t)v;
    }
}

static void on_frame(void *ud, const pf_gs_video_frame *f)
{
    stream_client *c = ud;
    uint64_t reassembled = mono_ns();
    c->decoded_ns = 0;
    handle_frame(c, f);
    if (c->timing_fn) {
        stream_client_frame_timing t = {
            .frame_index = f->frame_index, .frame_type = f->frame_type,
            .rtp_timestamp = f->rtp_timestamp, .host_latency = f->host_latency,
            .first_rx_ns = c->rx_frame_index == f->frame_index ? c->rx_first_ns : reassembled,
            .reassembled_ns = reassembled, .decoded_ns = c->decoded_ns};
        c->timing_fn(c->timing_user, &t);
    }
}

void stream_client_set_timing_hook(stream_client *c, stream_client_timing_fn fn, void *user)
{
    c->timing_fn = fn;
    c->timing_user = user;
}

static void on_frames_lost(void *ud, uint32_t first, uint32_t count)
{
    stream_client *c = ud;
    c->st.frames_lost += count;
    c->waiting_idr = 1;
    c->have_counter = 0;
    /* §6.8: after a loss the client resynchronises with an IDR request. */
    stream_client_request_idr(c);
}

static void on_audio(void *ud, const pf_gs_audio_packet *p)
{
    stream_client *c = ud;
    c->st.audio_packets++;
    if (p->recovered)
        c->st.audio_recovered++;
    opus_int16 pcm[480 * 8];
    int n = opus_multistream_decode(c->opus, p->data, (opus_int32)p->len, pcm, 480, 0);
    if (n <= 0)
        return;
    c->st.audio_decoded++;
    uint32_t ch = c->cfg.audio_channels;
    for (size_t i = 0; i < (size_t)n * ch; i++) {
        c->rms_sum += (double)pcm[i] * pcm[i];
        c->rms_n++;
    }
    /* Keep the newest TONE_SAMPLES frames, after a warm-up of 100 packets. */
    if (c->st.audio_decoded <= 100)
        return;
    size_t keep = TONE_SAMPLES - (size_t)n;
    if (c->tone_n > keep) {
        memmove(c->tone, c->tone + (c->tone_n - keep) * ch, keep * ch * sizeof(int16_t));
        c->tone_n = keep;
    }
    memcpy(c->tone + c->tone_n * ch, pcm, (size_t)n * ch * sizeof(int16_t));
    c->tone_n += (size_t)n;
}

/* Goertzel power of @p freq in channel @p channel of the kept samples. */
static double tone_power(const stream_client *c, uint32_t channel, double freq)
{
    return goertzel_power(c->tone, c->tone_n, c->cfg.audio_channels, channel, freq);
}

int stream_client_audio_tones(const stream_client *c, const double *freqs,
                              double power[8][8])
{
    uint32_t ch = c->cfg.audio_channels;
    if (c->tone_n < TONE_SAMPLES)
        return -1;
    for (uint32_t a = 0; a < ch; a++)
        for (uint32_t b = 0; b < ch; b++)
            power[a][b] = tone_power(c, a, freqs[b]);
    return 0;
}

/* The DESCRIBE surround-params lines for 6 and 8 channels: the first of each count is normal
 * quality, the second high quality (§8.2). */
static void keep_surround_params(stream_client *c, const char *sdp)
{
    int seen[2] = {0, 0};
    for (const char *p = sdp; (p = strstr(p, "surround-params=")); p++) {
        const char *d = p + 16;
        size_t len = strspn(d, "0123456789");
        int which = d[0] == '6' ? 0 : d[0] == '8' ? 1 : -1;
        if (which < 0 || len < 3 || len >= sizeof(c->surround_params[0][0]) || seen[which] > 1)
            continue;
        memcpy(c->surround_params[which][seen[which]], d, len);
        c->surround_params[which][seen[which]][len] = '\0';
        seen[which]++;
    }
}

/* The client's decoder for the announced layout: stereo is hard-coded 2/1/1; surround comes
 * from the DESCRIBE line, whose normal-quality form the client reorders, moving the last
 * mapping digit to position 3 (§8.2). */
static OpusMSDecoder *audio_decoder(const stream_client *c)
{
    uint32_t ch = c->cfg.audio_channels;
    unsigned char mapping[8] = {0, 1};
    int streams = 1, coupled = 1, err;
    if (ch != 2) {
        const char *line = c->surround_params[ch == 8][c->cfg.audio_high_quality ? 1 : 0];
        if (strlen(line) != 3 + ch || (uint32_t)(line[0] - '0') != ch)
            return NULL;
        streams = line[1] - '0';
        coupled = line[2] - '0';
        for (uint32_t i = 0; i < ch; i++)
            mapping[i] = (unsigned char)(line[3 + i] - '0');
        if (!c->cfg.audio_high_quality) {
            unsigned char lfe = mapping[ch - 1];
            memmove(mapping + 4, mapping + 3, ch - 4);
            mapping[3] = lfe;
        }
    }
    return opus_multistream_decoder_create(48000, (int)ch, streams, coupled, mapping, &err);
}

static void on_audio_lost(void *ud, uint16_t first, uint32_t count)
{
    ((stream_client *)ud)->st.audio_lost += count;
}

static int udp_socket(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int big = 4 << 20;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, (struct sockaddr *)&sa, sizeof(sa));
    return fd;
}

int stream_client_handshake(const stream_client_config *cfg, stream_client **ret, char *err,
                            size_t n)
{
    stream_client *c = calloc(1, sizeof(*c));
    c->cfg = *cfg;
    c->vfd = c->afd = -1;
    c->lat = calloc(MAX_FRAMES, sizeof(uint64_t));
    char *r = request(c, "OPTIONS", "rtsp://127.0.0.1", 1, NULL, NULL);
    int ok = rtsp_status(r) == 200;
    free(r);
    r = ok ? request(c, "DESCRIBE", "rtsp://127.0.0.1", 2, "Accept: application/sdp\r\n", NULL)
           : NULL;
    ok = rtsp_status(r) == 200 && strstr(r, "a=x-ss-general.encryptionSupported:");
    if (ok)
        keep_surround_params(c, r);
    /* §8.2: every surround layout of the host's Opus encoder is announced as it encodes. */
    for (uint32_t i = 0; ok && i < 4; i++) {
        pf_encode_audio_settings as;
        pf_encode_audio_settings_default(&as);
        as.channels = i < 2 ? 6 : 8;
        as.high_quality = i & 1;
        pf_encode_audio *enc = NULL;
        pf_encode_audio_layout lay = {.struct_size = sizeof(lay)};
        char want[64];
        if (pf_encode_audio_create(&as, &enc) == 0 && pf_encode_audio_get_layout(enc, &lay) == 0) {
            snprintf(want, sizeof(want), "surround-params=%s\n", lay.surround_params);
            ok = strstr(r, want) != NULL;
        }
        pf_encode_audio_destroy(enc);
    }
    free(r);
    if (!ok) {
        snprintf(err, n, "OPTIONS/DESCRIBE failed");
        goto fail;
    }
    static const char *const targets[] = {"streamid=audio/0/0", "streamid=video/0/0",
                                          "streamid=control/13/0"};
    for (int i = 0; i < 3; i++) {
        r = request(c, "SETUP", targets[i], (uint32_t)(3 + i),
                    "Transport: unicast;X-GS-ClientPort=50000-50001\r\n", NULL);
        char *sess = r ? rtsp_header(r, "Session") : NULL;
        char *tr = r ? rtsp_header(r, "Transport") : NULL;
        char *ping = r ? rtsp_header(r, "X-SS-Ping-Payload") : NULL;
        char *cd = r ? rtsp_header(r, "X-SS-Connect-Data") : NULL;
        const char *sp = tr ? strstr(tr, "server_port=") : NULL;
        ok = rtsp_status(r) == 200 && sess && sp;
        if (ok) {
            if (!c->session[0])
                snprintf(c->session, sizeof(c->session), "%.*s", (int)strcspn(sess, ";"), sess);
            uint16_t port = (uint16_t)atoi(sp + 12);
            if (i == 0)
                c->audio_port = port;
            else if (i == 1)
                c->video_port = port;
            else
                c->control_port = port;
            if (ping && strlen(ping) == 16)
                memcpy(c->ping, ping, 17);
            if (cd)
                c->connect_data = (uint32_t)strtoul(cd, NULL, 0);
        }
        free(sess);
        free(tr);
        free(ping);
        free(cd);
        free(r);
        if (!ok || (i < 2 && !c->ping[0])) {
            snprintf(err, n, "SETUP %s failed", targets[i]);
            goto fail;
        }
    }
    char sdp[2048];
    int sl = snprintf(sdp, sizeof(sdp),
                      "v=0\r\no=android 0 14 IN IPv4 127.0.0.1\r\ns=NVIDIA Streaming Client\r\n"
                      "a=x-ml-general.featureFlags:%u \r\n"
                      "a=x-ss-general.encryptionEnabled:%u \r\n"
                      "a=x-ss-video[0].chromaSamplingType:0 \r\n"
                      "a=x-nv-video[0].clientViewportWd:%u \r\n"
                      "a=x-nv-video[0].clientViewportHt:%u \r\n"
                      "a=x-nv-video[0].maxFPS:%u \r\n"
                      "a=x-nv-video[0].packetSize:%u \r\n"
                      "a=x-nv-vqos[0].bw.maximumBitrateKbps:%u \r\n"
                      "a=x-ml-video.configuredBitrateKbps:%u \r\n"
                      "a=x-nv-general.featureFlags:%u \r\n"
                      "a=x-nv-general.useReliableUdp:13 \r\n"
                      "a=x-nv-vqos[0].fec.minRequiredFecPackets:2 \r\n"
                      "a=x-nv-video[0].videoEncoderSlicesPerFrame:1 \r\n"
                      "a=x-nv-vqos[0].bitStreamFormat:%u \r\n"
                      "a=x-nv-video[0].dynamicRangeMode:0 \r\n"
                      "a=x-nv-video[0].maxNumReferenceFrames:1 \r\n"
                      "a=x-nv-video[0].clientRefreshRateX100:%u \r\n"
                      "a=x-nv-audio.surround.numChannels:%u \r\n"
                      "a=x-nv-audio.surround.channelMask:%u \r\n"
                      "a=x-nv-audio.surround.enable:%u \r\n"
                      "a=x-nv-audio.surround.AudioQuality:%u \r\n"
                      "a=x-nv-aqos.packetDuration:5 \r\n"
                      "a=x-nv-video[0].encoderCscMode:%u \r\n"
                      "t=0 0\r\nm=video %u  \r\n",
                      cfg->legacy_client ? 1u : 3u, cfg->encryption_enabled, cfg->width,
                      cfg->height, cfg->fps,
                      cfg->packet_size, cfg->bitrate_kbps, cfg->bitrate_kbps,
                      cfg->nv_feature_flags, cfg->codec, cfg->fps * 100, cfg->audio_channels,
                      cfg->audio_channels == 2 ? 3u : cfg->audio_channels == 6 ? 63u : 0x63Fu,
                      cfg->audio_channels > 2, cfg->audio_high_quality, cfg->csc_mode,
                      c->video_port);
    char extra[128];
    snprintf(extra, sizeof(extra), "Content-type: application/sdp\r\nContent-length: %d\r\n", sl);
    r = request(c, "ANNOUNCE", "streamid=control/13/0", 6, extra, sdp);
    ok = rtsp_status(r) == 200;
    free(r);
    r = ok ? request(c, "PLAY", "/", 7, NULL, NULL) : NULL;
    ok = ok && rtsp_status(r) == 200;
    free(r);
    if (!ok) {
        snprintf(err, n, "ANNOUNCE/PLAY failed");
        goto fail;
    }
    *ret = c;
    return 0;
fail:
    stream_client_destroy(c);
    return -1;
}

int stream_client_connect(stream_client *c, char *err, size_t n)
{
    if (!c->cipher && pf_gs_cipher_create(NULL, c->cfg.rikey, &c->cipher) < 0)
        return -1;
    c->enet = enet_host_create(NULL, 1, 0x30, 0, 0);
    ENetAddress a = {.port = c->control_port};
    enet_address_set_host_ip(&a, "127.0.0.1");
    c->peer = c->enet ? enet_host_connect(c->enet, &a, 0x30,
                                          c->cfg.legacy_client ? 0 : c->connect_data)
                      : NULL;
    ENetEvent ev;
    int ok = 0;
    for (int i = 0; c->peer && i < 500 && !ok; i++)
        if (enet_host_service(c->enet, &ev, 10) > 0 && ev.type == ENET_EVENT_TYPE_CONNECT)
            ok = 1;
    if (!ok) {
        snprintf(err, n, "ENet connect to port %u failed", c->control_port);
        return -1;
    }
    uint8_t zero[2] = {0, 0};
    stream_client_send_control(c, 0x0302, zero, 2);
    stream_client_send_control(c, 0x0307, zero, 1);

    c->vfd = udp_socket();
    c->afd = udp_socket();
    pf_gs_video_rx_settings vs;
    pf_gs_video_rx_settings_default(PF_GS_VIDEO_RX_SETTINGS_VERSION, &vs);
    vs.packet_size = c->cfg.packet_size;
    vs.decrypt = (c->cfg.encryption_enabled & 2) != 0;
    memcpy(vs.key, c->cfg.rikey, 16);
    vs.callbacks = (pf_gs_video_rx_callbacks){.on_frame = on_frame,
                                              .on_frames_lost = on_frames_lost,
                                              .user_data = c};
    pf_gs_audio_rx_settings as;
    pf_gs_audio_rx_settings_default(PF_GS_AUDIO_RX_SETTINGS_VERSION, &as);
    as.decrypt = (c->cfg.nv_feature_flags & 0x20) || (c->cfg.encryption_enabled & 4);
    as.rikeyid = c->cfg.rikeyid;
    memcpy(as.key, c->cfg.rikey, 16);
    as.callbacks = (pf_gs_audio_rx_callbacks){.on_packet = on_audio,
                                              .on_lost = on_audio_lost,
                                              .user_data = c};
    c->opus = audio_decoder(c);
    c->tone = calloc((size_t)TONE_SAMPLES * 8, sizeof(int16_t));
    const AVCodec *codec = avcodec_find_decoder(c->cfg.codec == 2   ? AV_CODEC_ID_AV1
                                                : c->cfg.codec == 1 ? AV_CODEC_ID_HEVC
                                                                    : AV_CODEC_ID_H264);
    c->dec = codec ? avcodec_alloc_context3(codec) : NULL;
    if (c->dec) {
        c->dec->thread_count = 1;
        c->dec->flags |= AV_CODEC_FLAG_LOW_DELAY;
        if (avcodec_open2(c->dec, codec, NULL) < 0)
            avcodec_free_context(&c->dec);
    }
    c->pkt = av_packet_alloc();
    c->frame = av_frame_alloc();
    if (pf_gs_video_rx_create(&vs, &c->vrx) < 0 || pf_gs_audio_rx_create(&as, &c->arx) < 0 ||
        !c->opus || !c->dec) {
        snprintf(err, n, "client reassemblers or decoders unavailable");
        return -1;
    }
    return 0;
}

static void send_pings(stream_client *c)
{
    uint8_t p[20];
    memcpy(p, c->ping, 16);
    uint32_t s = ++c->ping_seq;
    p[16] = (uint8_t)(s >> 24), p[17] = (uint8_t)(s >> 16), p[18] = (uint8_t)(s >> 8),
    p[19] = (uint8_t)s;
    size_t len = sizeof(p);
    if (c->cfg.legacy_client) {
        memcpy(p, "PING", 4);
        len = 4;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(c->video_port);
    sendto(c->vfd, p, len, 0, (struct sockaddr *)&sa, sizeof(sa));
    sa.sin_port = htons(c->audio_port);
    sendto(c->afd, p, len, 0, (struct sockaddr *)&sa, sizeof(sa));
}

static void service_enet(stream_client *c)
{
    ENetEvent ev;
    while (c->enet && enet_host_service(c->enet, &ev, 0) > 0) {
        if (ev.type == ENET_EVENT_TYPE_RECEIVE) {
            uint8_t out[4096];
            pf_gs_control_msg m;
            if (pf_gs_control_open(c->cipher,
                                   (c->cfg.encryption_enabled & 1) ? PF_GS_CONTROL_IV_V2
                                                                   : PF_GS_CONTROL_IV_LEGACY,
                                   PF_GS_ORIGIN_HOST, ev.packet->data, ev.packet->dataLength,
                                   out, sizeof(out), &m) == 0 &&
                m.type == 0x0109 && m.payload_len >= 4)
                c->termination = (uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 |
                                 (uint32_t)out[2] << 8 | out[3];
            enet_packet_destroy(ev.packet);
        } else if (ev.type == ENET_EVENT_TYPE_DISCONNECT) {
            c->peer = NULL;
        }
    }
}

static void drain(stream_client *c, int fd, int video)
{
    uint8_t buf[2048];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        if (n < 0)
            return;
        if (video) {
            c->st.video_packets++;
            /* frameIndex: LE32 at 20 in the plain shard, at 12 in the §6.6 prefix */
            size_t at = (c->cfg.encryption_enabled & 2) ? 12 : 20;
            uint32_t fi = n >= (ssize_t)(at + 4)
                              ? (uint32_t)buf[at] | (uint32_t)buf[at + 1] << 8 |
                                    (uint32_t)buf[at + 2] << 16 | (uint32_t)buf[at + 3] << 24
                              : 0;
            if (fi && (int32_t)(fi - c->rx_frame_index) > 0) {
                c->rx_frame_index = fi;
                c->rx_first_ns = mono_ns();
            }
            pf_gs_video_rx_feed(c->vrx, buf, (size_t)n);
        } else {
            pf_gs_audio_rx_feed(c->arx, buf, (size_t)n);
        }
    }
}

uint64_t stream_client_run(stream_client *c, uint64_t frames, uint32_t timeout_ms)
{
    uint64_t start = mono_ns(), end = start + (uint64_t)timeout_ms * 1000000ull;
    uint64_t target = c->st.frames + frames;
    while (c->st.frames < target && mono_ns() < end && !c->termination) {
        uint64_t now = mono_ns();
        if (now >= c->next_ping_ns) {
            send_pings(c);
            c->next_ping_ns = now + 500000000ull;
        }
        if (now >= c->next_ctrl_ping_ns) {
            uint8_t ping[8] = {4, 0, 0, 0, 0, 0, 0, 0};
            stream_client_send_control(c, 0x0200, ping, sizeof(ping));
            c->next_ctrl_ping_ns = now + 100000000ull;
        }
        struct pollfd pfd[3] = {{.fd = c->vfd, .events = POLLIN},
                                {.fd = c->afd, .events = POLLIN},
                                {.fd = c->enet->socket, .events = POLLIN}};
        poll(pfd, 3, 5);
        drain(c, c->vfd, 1);
        drain(c, c->afd, 0);
        service_enet(c);
    }
    return c->st.frames;
}

int stream_client_send_raw(stream_client *c, const uint8_t *data, size_t len)
{
    if (!c->peer)
        return -1;
    ENetPacket *p = enet_packet_create(data, len, ENET_PACKET_FLAG_RELIABLE);
    if (!p || enet_peer_send(c->peer, 0, p) < 0)
        return -1;
    enet_host_flush(c->enet);
    return 0;
}

static int send_sealed(stream_client *c, uint8_t channel, uint16_t type, const uint8_t *payload,
                       size_t len)
{
    uint8_t out[4096];
    size_t olen;
    if (!c->peer ||
        pf_gs_control_seal(c->cipher,
                           (c->cfg.encryption_enabled & 1) ? PF_GS_CONTROL_IV_V2
                                                           : PF_GS_CONTROL_IV_LEGACY,
                           PF_GS_ORIGIN_CLIENT, c->seq++, type, payload, len, out, sizeof(out),
                           &olen) < 0)
        return -1;
    ENetPacket *p = enet_packet_create(out, olen, ENET_PACKET_FLAG_RELIABLE);
    if (!p || enet_peer_send(c->peer, channel, p) < 0)
        return -1;
    enet_host_flush(c->enet);
    return 0;
}

int stream_client_send_control(stream_client *c, uint16_t type, const uint8_t *payload,
                               size_t len)
{
    return send_sealed(c, 0, type, payload, len);
}

int stream_client_send_input(stream_client *c, uint8_t channel, const uint8_t *pkt, size_t len)
{
    return send_sealed(c, channel, 0x0206, pkt, len);
}

int stream_client_request_idr(stream_client *c)
{
    uint8_t zero[2] = {0, 0};
    return send_sealed(c, 1, 0x0302, zero, 2);
}

uint32_t stream_client_wait_termination(stream_client *c, uint32_t wait_ms)
{
    /* A live client keeps pinging while it waits (else the host would time it out). */
    if (c->peer)
        stream_client_run(c, UINT64_MAX / 2, wait_ms);
    uint64_t end = mono_ns() + (uint64_t)wait_ms * 1000000ull;
    while (!c->termination && mono_ns() < end) {
        service_enet(c);
        usleep(2000);
    }
    return c->termination;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

void stream_client_get_stats(stream_client *c, stream_client_stats *ret)
{
    c->st.audio_rms = c->rms_n ? sqrt(c->rms_sum / (double)c->rms_n) : 0.0;
    if (c->n_lat) {
        uint64_t *s = malloc(c->n_lat * sizeof(*s));
        memcpy(s, c->lat, c->n_lat * sizeof(*s));
        qsort(s, c->n_lat, sizeof(*s), cmp_u64);
        c->st.reassembled_ns_p50 = s[c->n_lat / 2];
        c->st.reassembled_ns_p99 = s[(c->n_lat * 99) / 100];
        free(s);
    }
    *ret = c->st;
}

uint16_t stream_client_get_video_port(const stream_client *c)
{
    return c->video_port;
}

void stream_client_vanish(stream_client *c)
{
    c->peer = NULL;
    stream_client_destroy(c);
}

void stream_client_destroy(stream_client *c)
{
    if (!c)
        return;
    if (c->peer) {
        enet_peer_disconnect(c->peer, 0);
        ENetEvent ev;
        for (int i = 0; i < 100; i++)
            if (enet_host_service(c->enet, &ev, 10) > 0) {
                if (ev.type == ENET_EVENT_TYPE_DISCONNECT)
                    break;
                if (ev.type == ENET_EVENT_TYPE_RECEIVE)
                    enet_packet_destroy(ev.packet);
            }
    }
    if (c->enet)
        enet_host_destroy(c->enet);
    pf_gs_cipher_destroy(c->cipher);
    pf_gs_video_rx_destroy(c->vrx);
    pf_gs_audio_rx_destroy(c->arx);
    avcodec_free_context(&c->dec);
    av_packet_free(&c->pkt);
    av_frame_free(&c->frame);
    if (c->opus)
        opus_multistream_decoder_destroy(c->opus);
    if (c->vfd >= 0)
        close(c->vfd);
    if (c->afd >= 0)
        close(c->afd);
    free(c->lat);
    free(c->tone);
    free(c);
}
