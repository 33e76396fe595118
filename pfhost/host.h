/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_HOST_H
#define PFHOST_HOST_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "pf/net_gamestream.h"
#include "pf/net_mdns.h"

#include "apps.h"
#include "clients.h"
#include "config.h"
#include "desktop.h"
#include "sessions.h"
#include "supervisor.h"

typedef struct mgmt mgmt;
typedef struct native_plane native_plane;

/* The running host: one per `pfhost serve`, owned by serve.c, lent to mgmt.c. */
typedef struct host {
    host_config cfg;
    sd_event *loop;
    pf_net_identity *id;
    pf_net_gs_server *gs;
    pf_net_mdns *mdns;
    client_store clients;
    app_catalog apps;
    session_table sessions;
    mgmt *api;
    native_plane *native; /* punktfunk/1; NULL when off (config native = no) */
    uint64_t started_ms;
    uint32_t codec_mask;
    char capture_source[64]; /* what sessions capture: "testpattern", "pipewire",
                                "vdisplay" or "vdisplay:<backend>" */
    char *runtime_file;
    supervisor sup;    /* daemons the host started for itself */
    desktops desktops; /* each session's compositor (vdisplay sources) */
    int use_desktops;  /* sessions get a desktop (the vdisplay source) */
    /* Per codec (HOST_CODEC_NAMES order): the encoder that offers it, or why it is not
     * offered, for the status the console shows. */
    char codec_why[3][160];
} host;

#define HOST_CODECS 3
#define HOST_CODEC_NAMES {"h264", "hevc", "av1"}

uint64_t host_now_ms(void);
/* Forgets a paired client: store, HTTPS authorisation and its sessions. 0 or -ENOENT. */
int host_unpair(host *h, const char *client_id);
void host_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
