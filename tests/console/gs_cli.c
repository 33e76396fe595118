/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A GameStream client on the command line, for the web console's browser tests: it pairs
 * (waiting for the PIN to be typed into the console) and streams, with the in-repo test
 * client (gs_client.c, stream_client.c), so the console shows a real client and session.
 *
 *   pf-console-gs pair   HTTP HTTPS DIR PIN [UNIQUEID]  pairs; DIR receives cert.pem, key.pem
 *   pf-console-gs stream HTTP HTTPS RTSP DIR SECS launches app 1 and streams for SECS
 *
 * Prints one line per step on stdout; exits 0 on success. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gs_client.h"
#include "host_proc.h"
#include "stream_client.h"

static const uint8_t rikey[16] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
                                  0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};

static int write_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int pair(host_proc *h, const char *dir, const char *pin, const char *uniqueid)
{
    gsc_identity id;
    if (gsc_identity_create(&id) < 0 || write_file(dir, "cert.pem", id.cert_pem) < 0 ||
        write_file(dir, "key.pem", id.key_pem) < 0) {
        printf("cannot create the client identity in %s\n", dir);
        return 1;
    }
    pair_run run;
    if (pair_start(h, &run, &id, pin, uniqueid) < 0)
        return 1;
    printf("waiting for the PIN %s\n", pin);
    fflush(stdout);
    int check = 0;
    int r = pair_finish(&run, &check, NULL);
    printf(r == 1 ? "paired\n" : "not paired (%d, check %d)\n", r, check);
    gsc_identity_free(&id);
    return r == 1 ? 0 : 1;
}

static int stream(host_proc *h, uint16_t rtsp, const char *dir, unsigned secs)
{
    char cp[512], kp[512];
    snprintf(cp, sizeof(cp), "%s/cert.pem", dir);
    snprintf(kp, sizeof(kp), "%s/key.pem", dir);
    char *cert = read_text_file(cp), *key = read_text_file(kp);
    gsc_identity id;
    if (!cert || !key || gsc_identity_load(&id, cert, key) < 0) {
        printf("no paired identity in %s\n", dir);
        return 1;
    }
    free(cert);
    free(key);
    char *hex = gsc_hex(rikey, sizeof(rikey));
    char path[512];
    snprintf(path, sizeof(path),
             "/launch?uniqueid=C0FFEE0123456789&uuid=11112222333344445555666677778888&appid=1"
             "&mode=640x360x30&additionalStates=1&sops=0&rikey=%s&rikeyid=-5"
             "&localAudioPlayMode=0&surroundAudioInfo=196610&remoteControllersBitmap=1&gcmap=1"
             "&corever=1",
             hex);
    free(hex);
    char *doc = gs_get(h, 1, &id, path, NULL, NULL);
    if (!doc || gsc_xml_status(doc) != 200) {
        printf("launch refused: %s\n", doc ? doc : "no answer");
        free(doc);
        return 1;
    }
    free(doc);
    stream_client_config cfg = {
        .rtsp_port = rtsp, .rikeyid = (uint32_t)-5, .width = 640, .height = 360, .fps = 30,
        .bitrate_kbps = 3000, .packet_size = 1392, .encryption_enabled = 0x05,
        .nv_feature_flags = 167, .audio_channels = 2, .encrypted_rtsp = 1,
    };
    memcpy(cfg.rikey, rikey, sizeof(rikey));
    stream_client *c = NULL;
    char err[256] = "";
    if (stream_client_handshake(&cfg, &c, err, sizeof(err)) < 0 ||
        stream_client_connect(c, err, sizeof(err)) < 0) {
        printf("stream failed: %s\n", err);
        return 1;
    }
    printf("streaming\n");
    fflush(stdout);
    uint64_t frames = stream_client_run(c, UINT64_MAX, secs * 1000u);
    printf("%llu frames received\n", (unsigned long long)frames);
    stream_client_destroy(c);
    gsc_identity_free(&id);
    return frames > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    host_proc h = {0};
    if ((argc == 6 || argc == 7) && strcmp(argv[1], "pair") == 0) {
        h.http = (uint16_t)atoi(argv[2]);
        h.https = (uint16_t)atoi(argv[3]);
        return pair(&h, argv[4], argv[5], argc == 7 ? argv[6] : "C0FFEE0123456789");
    }
    if (argc == 7 && strcmp(argv[1], "stream") == 0) {
        h.http = (uint16_t)atoi(argv[2]);
        h.https = (uint16_t)atoi(argv[3]);
        return stream(&h, (uint16_t)atoi(argv[4]), argv[5], (unsigned)atoi(argv[6]));
    }
    fprintf(stderr, "usage: %s pair HTTP HTTPS DIR PIN [UNIQUEID] | stream HTTP HTTPS RTSP DIR SECS\n",
            argv[0]);
    return 2;
}
