/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_CONFIG_H
#define PFHOST_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Everything pfhost reads from its config file, with defaults. No globals: one struct per
 * process, passed down. */
/* `hevc`, `av1`: AUTO offers the codec only from a hardware encoder (NVENC, VAAPI): on the
 * CPU x265 and libaom manage about 40 fps at 720p, and a client that is offered a codec
 * prefers it to H.264. ON offers it from any encoder that has it, OFF never. H.264 is always
 * offered. */
#define CONFIG_CODEC_AUTO 0
#define CONFIG_CODEC_ON 1
#define CONFIG_CODEC_OFF 2

typedef struct host_config {
    char *config_path;  /* the file read (may not exist) */
    char *config_dir;   /* $XDG_CONFIG_HOME/pfhost */
    char *state_dir;    /* $XDG_STATE_HOME/pfhost: identity, clients */
    char *runtime_dir;  /* $XDG_RUNTIME_DIR/pfhost (or state_dir): runtime.json */
    char *hostname;
    char *address;      /* GameStream bind address; NULL = all */
    char *external_address; /* WAN IPv4 reported as ExternalIP; NULL = none */
    uint16_t http_port, https_port, rtsp_port;
    char *api_address;  /* management API bind address (127.0.0.1) */
    uint16_t api_port;  /* 47990; 0 = any free port */
    char *apps_file;    /* app catalog (JSON, Sunshine apps.json format accepted) */
    int mdns;
    uint32_t connect_timeout_s; /* a launched session must finish RTSP by then */
    int hevc, av1;      /* CONFIG_CODEC_*: when /serverinfo offers HEVC, AV1 */
    uint32_t pin_wait_s, pin_ttl_s, pair_max_failures, pair_lockout_s;
    uint32_t api_max_failures, api_lockout_s;
    char *vdisplay;     /* virtual-display backend forced for every session; NULL = auto */
    int native;             /* serve punktfunk/1 (QUIC) beside GameStream */
    char *native_address;   /* its bind address; NULL = dual-stack "::" */
    uint16_t native_port;   /* 9777; 0 = any free port */
    uint32_t native_pin_ttl_s; /* how long an armed native pairing PIN is valid */
    char *api_hosts;    /* more names the API is served as (Host check), comma-separated */
} host_config;

/* Fills defaults from the environment, then reads @p path (NULL: the XDG default). A missing
 * default file is fine; a missing explicit file is an error (-1, message in @p err). An
 * unknown key or a bad value returns 1 with the file, line and reason in @p err (also
 * logged), and the settings of the last copy that loaded (PATH.good), else the defaults. */
int config_load(host_config *c, const char *path, char *err, size_t err_len);
void config_free(host_config *c);
/* Sets one key as a config line would: 0, -1 for a bad value, -2 for an unknown key. */
int config_set(host_config *c, const char *key, const char *value);

/* Removes temporary files that saves interrupted by a crash left beside the host's files
 * (clients, identity, API token, app catalog and their good copies). */
void config_remove_stale_temps(const host_config *c);

#endif
