/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A Moonlight-like client against the pfhost of the installed packages: tests/package runs it
 * with PFHOST_BIN pointing at a wrapper that starts /usr/bin/pfhost inside the package root.
 * It pairs through the installed `pfhost pin`, checks the paired /serverinfo, launches the
 * desktop app and decodes a short test-pattern stream. Prints TAP. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gs_client.h"
#include "host_proc.h"
#include "stream_client.h"

#define Q "uniqueid=0123456789ABCDEF&uuid=11112222333344445555666677778888"

static int n_tests, n_failed;

static void tap(int ok, const char *what)
{
    n_tests++;
    n_failed += !ok;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", n_tests, what);
    fflush(stdout);
}

static uint16_t free_tcp_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &sl) < 0)
        sa.sin_port = 0;
    if (fd >= 0)
        close(fd);
    return ntohs(sa.sin_port);
}

static int field_is(const char *doc, const char *tag, const char *want)
{
    char *v = doc ? gsc_xml_get(doc, tag) : NULL;
    int ok = v && strcmp(v, want) == 0;
    free(v);
    return ok;
}

/* Launches app 1 at 640x360@30 and decodes @p frames frames; returns the number decoded. */
static uint64_t stream_frames(const host_proc *h, const gsc_identity *id, uint16_t rtsp_port,
                              uint64_t frames)
{
    static const uint8_t rikey[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                      0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
    char *doc = gs_get(h, 1, id,
                       "/launch?" Q "&appid=1&mode=640x360x30&additionalStates=1&sops=0"
                       "&rikey=102132435465768798a9bacbdcedfe0f&rikeyid=-5&localAudioPlayMode=0"
                       "&surroundAudioInfo=196610&remoteControllersBitmap=1&gcmap=1&corever=1",
                       NULL, NULL);
    char *url = doc ? gsc_xml_get(doc, "sessionUrl0") : NULL;
    free(doc);
    if (!url) {
        printf("# launch gave no session URL\n");
        return 0;
    }
    stream_client_config cfg = {
        .rtsp_port = rtsp_port, .rikeyid = (uint32_t)-5, .width = 640, .height = 360,
        .fps = 30, .bitrate_kbps = 4000, .packet_size = 1392, .encryption_enabled = 0x05,
        .nv_feature_flags = 167, .audio_channels = 2,
        .encrypted_rtsp = strncmp(url, "rtspenc:", 8) == 0,
    };
    free(url);
    memcpy(cfg.rikey, rikey, 16);
    stream_client *c = NULL;
    char err[256] = "";
    if (stream_client_handshake(&cfg, &c, err, sizeof(err)) < 0 ||
        stream_client_connect(c, err, sizeof(err)) < 0) {
        printf("# stream setup: %s\n", err);
        if (c)
            stream_client_destroy(c);
        return 0;
    }
    stream_client_run(c, frames, 30000);
    stream_client_stats st;
    stream_client_get_stats(c, &st);
    printf("# %llu frames, %llu decoded, %llu lost, test-pattern counter %llu..%llu\n",
           (unsigned long long)st.frames, (unsigned long long)st.decoded,
           (unsigned long long)st.frames_lost, (unsigned long long)st.first_counter,
           (unsigned long long)st.last_counter);
    stream_client_destroy(c);
    return st.counter_errors == 0 ? st.decoded : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: PFHOST_BIN=WRAPPER pkg_client WORKDIR\n");
        return 2;
    }
    char apps[512], conf[1024];
    snprintf(apps, sizeof(apps), "%s/apps.json", argv[1]);
    FILE *f = fopen(apps, "w");
    if (!f)
        return 2;
    fputs("{\"apps\": [{\"name\": \"Desktop\"}]}\n", f);
    fclose(f);
    uint16_t rtsp_port = free_tcp_port();
    snprintf(conf, sizeof(conf), "apps = %s\nrtsp_port = %u\npin_wait = 30\n", apps, rtsp_port);

    host_proc host = {0};
    gsc_identity client;
    printf("1..5\n");
    if (gsc_identity_create(&client) < 0 || host_start(&host, conf) < 0) {
        tap(0, "the installed pfhost serves");
        char log[512];
        snprintf(log, sizeof(log), "cat %s/host.log | sed 's/^/# /'", host.dir);
        if (host.dir[0] && system(log) != 0)
            printf("# no host log\n");
        return 1;
    }
    tap(1, "the installed pfhost serves");
    int check = -1;
    int paired = pair_client(&host, &client, "4321", "4321", "0123456789ABCDEF", 1, &check,
                             NULL);
    tap(paired == 1 && check == GSC_OK, "pairs with the PIN given to the installed `pfhost pin`");
    char *doc = gs_get(&host, 1, &client, "/serverinfo?" Q, NULL, NULL);
    tap(field_is(doc, "PairStatus", "1"), "paired /serverinfo over HTTPS says PairStatus 1");
    free(doc);
    uint64_t decoded = stream_frames(&host, &client, rtsp_port, 60);
    tap(decoded >= 50, "a test-pattern stream decodes (60 frames at 640x360)");
    tap(host_stop(&host) == 0, "SIGTERM ends the host cleanly");
    if (n_failed && host.dir[0]) {
        char log[512];
        snprintf(log, sizeof(log), "tail -n 40 %s/host.log | sed 's/^/# /'", host.dir);
        if (system(log) != 0)
            printf("# no host log\n");
    }
    host_remove_dir(&host);
    gsc_identity_free(&client);
    return n_failed ? 1 : 0;
}
