/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "stream_harness.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

const uint8_t stream_rikey[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                  0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

uint16_t stream_free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    int ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
             getsockname(fd, (struct sockaddr *)&sa, &sl) == 0;
    if (fd >= 0)
        close(fd);
    return ok ? ntohs(sa.sin_port) : 0;
}

uint64_t stream_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int stream_work_dir(char *work, size_t n, const char *tmpl)
{
    snprintf(work, n, "%s", tmpl);
    return mkdtemp(work) ? 0 : -1;
}

int stream_host_up(host_proc *h, gsc_identity *client, const char *conf)
{
    if (gsc_identity_create(client) || host_start(h, conf) < 0)
        return -1;
    int check = 0;
    return pair_client(h, client, "1234", "1234", "0123456789ABCDEF", 0, &check, NULL) == 1
               ? 0
               : -1;
}

int stream_host_down(host_proc *h, gsc_identity *client, const char *work)
{
    int st = h->pid > 0 ? host_stop(h) : 0;
    if (!getenv("PF_KEEP_TEST_DIR"))
        host_remove_dir(h);
    else
        fprintf(stderr, "# host directory kept: %s\n", h->dir);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", work);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", work);
    gsc_identity_free(client);
    return st;
}

char *stream_launch_doc(const host_proc *h, const gsc_identity *id, const char *verb,
                        uint32_t appid, uint32_t w, uint32_t hh, uint32_t fps,
                        const char *key_hex, uint32_t corever)
{
    char path[512];
    snprintf(path, sizeof(path),
             "/%s?" STREAM_Q "&appid=%u&mode=%ux%ux%u&additionalStates=1&sops=0&rikey=%s"
             "&rikeyid=-5&localAudioPlayMode=0&surroundAudioInfo=196610"
             "&remoteControllersBitmap=1&gcmap=1&corever=%u",
             verb, appid, w, hh, fps, key_hex, corever);
    return gs_get(h, 1, id, path, NULL, NULL);
}

void stream_cancel(const host_proc *h, const gsc_identity *id)
{
    free(gs_get(h, 1, id, "/cancel?" STREAM_Q, NULL, NULL));
}

stream_client_config stream_config(uint16_t rtsp_port, const uint8_t *key, uint32_t w,
                                   uint32_t h, uint32_t fps, uint32_t bitrate_kbps)
{
    stream_client_config cfg = {
        .rtsp_port = rtsp_port, .rikeyid = (uint32_t)-5, .width = w, .height = h, .fps = fps,
        .bitrate_kbps = bitrate_kbps, .packet_size = 1392, .encryption_enabled = 0x05,
        .nv_feature_flags = 167, .audio_channels = 2, .encrypted_rtsp = 1,
    };
    memcpy(cfg.rikey, key, 16);
    return cfg;
}

stream_client *stream_open(const stream_client_config *cfg, char *err, size_t n)
{
    stream_client *c = NULL;
    if (stream_client_handshake(cfg, &c, err, n) == 0 && stream_client_connect(c, err, n) == 0)
        return c;
    if (c)
        stream_client_destroy(c);
    return NULL;
}

size_t stream_unhex(const char *hex, uint8_t *out)
{
    size_t n = 0;
    for (const char *p = hex; *p;) {
        if (*p == ' ') {
            p++;
            continue;
        }
        unsigned v;
        sscanf(p, "%2x", &v);
        out[n++] = (uint8_t)v;
        p += 2;
    }
    return n;
}

char *stream_host_log(const host_proc *h)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/host.log", h->dir);
    return read_text_file(path);
}

int stream_write_tone(const char *path, uint32_t seconds)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    uint32_t n = 48000 * seconds, bytes = n * 4;
    /* PCM, 2 channels, 48000 Hz, 192000 bytes/s, 4-byte frames, 16 bits. */
    uint8_t hdr[44] = "RIFF\0\0\0\0WAVEfmt \x10\0\0\0\x01\0\x02\0\x80\xbb\0\0\0\xee\x02\0\x04\0\x10\0data";
    uint32_t riff = 36 + bytes;
    memcpy(hdr + 4, &riff, 4);
    memcpy(hdr + 40, &bytes, 4);
    fwrite(hdr, 1, 44, f);
    for (uint32_t i = 0; i < n; i++) {
        int16_t v = (int16_t)(8192.0 * sin(2.0 * M_PI * 440.0 * i / 48000.0));
        int16_t lr[2] = {v, v};
        fwrite(lr, sizeof(lr), 1, f);
    }
    return fclose(f);
}
