/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFCLIENT_PFCLIENT_H
#define PFCLIENT_PFCLIENT_H

#include <stdint.h>

#include "pf/client.h"

#include "video.h"

/* Exit statuses. */
#define PFC_EXIT_OK 0
#define PFC_EXIT_USAGE 1
#define PFC_EXIT_REFUSED 2  /* no connection, or the host refused or ended it */
#define PFC_EXIT_CHECK 3    /* streamed, but frames did not arrive whole and in order */

typedef struct pfc_options {
    const char *command;       /* "pair", "stream" */
    const char *host_arg;
    char host[64];             /* numeric address */
    uint16_t port;
    char host_key[80];         /* "ADDRESS:PORT" in the hosts file */
    const char *pin;
    uint32_t width, height, hz, codecs, chacha;
    uint32_t switch_w, switch_h, switch_hz;
    uint64_t frames;           /* 0 = until --seconds or closed */
    double seconds;
    int json, window;
    int check_pattern;         /* PATTERN_OFF, _AUTO or _REQUIRED */
    uint32_t speed_kbps, speed_seconds;
    const char *launch;        /* Hello launch id, NULL = none */
    uint32_t wire_version;     /* 0 = the library's; else only to test a host's version gate */
    double discover_seconds;
} pfc_options;

/* The test pattern's frame counter (pfhost --source testpattern): not checked, checked when
 * the picture shows it (a desktop stream has no counter to judge), or required. */
enum { PATTERN_OFF, PATTERN_AUTO, PATTERN_REQUIRED };

/* One streamed session's results, for the summary. */
typedef struct pfc_session {
    pf_client_stream_info info;
    pf_client_stats stats;
    pfc_video_stats video;
    pf_client_close_info close;
    int switched;               /* -1 not asked, 0 refused, 1 accepted */
    uint64_t audio_packets;
    double elapsed_s;
    int have_probe;
    pf_client_probe_result probe;
    uint64_t keys_sent;         /* --window: key events sent */
} pfc_session;

/* window.c: presents the stream in an SDL2 window and sends keyboard, mouse and gamepad
 * input; returns when the window closes, the stream ends, or the frame/time budget is
 * spent. 0, or -1 when SDL cannot start. */
int pfc_window_run(pf_client *c, const pfc_options *o, pfc_video *v, pfc_session *s);
/* discover.c: browses _punktfunk._udp for @p seconds and prints what it finds. */
int pfc_discover(double seconds, int json);

#endif
