/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pfhost's reference topics: the config keys with their defaults, and the files it reads and
 * writes. pfhost/gen-manpage.py builds pfhost(1) from this output and the commands' --help,
 * so these tables are the single source of the manual page. */
#include "help.h"

#include <string.h>

/* The values of the keys a console shows as a list. vdisplay's are the backends desktop.c
 * opens (libpfcapture's names); config.c refuses any other. */
static const char *const vdisplay_backends[] = {
    "auto", "mutter-headless", "weston", "mutter", "kwin", "wlr", "gamescope", "testpattern", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};
static const char *const codec_policies[] = {"auto", "yes", "no", NULL};

const help_config_key help_config_keys[] = {
    {"hostname", "NAME", NULL, "the machine's host name",
     "The name clients show for this host.", "string", NULL, 0},
    {"address", "ADDRESS", "", "all addresses",
     "The address the GameStream servers (HTTP, HTTPS, RTSP) bind to.", "address", NULL, 0},
    {"external_address", "IPV4", "", "none",
     "The WAN address /serverinfo reports as ExternalIP, for clients outside the network "
     "(with the ports forwarded to this host).", "address", NULL, 0},
    {"http_port", "PORT", "47989", "47989",
     "GameStream HTTP port (server info and pairing); 0 picks a free port.", "port", NULL, 0},
    {"https_port", "PORT", "47984", "47984",
     "GameStream HTTPS port (paired clients); 0 picks a free port.", "port", NULL, 0},
    {"rtsp_port", "PORT", "48010", "48010", "RTSP port of stream setup; 0 picks a free port.",
     "port", NULL, 0},
    {"api_address", "ADDRESS", "127.0.0.1", "127.0.0.1",
     "The address of the management API. Any address but loopback serves HTTPS with the "
     "host certificate.", "address", NULL, 0},
    {"api_port", "PORT", "47990", "47990", "Management API port; 0 picks a free port.",
     "port", NULL, 0},
    {"api_hosts", "NAMES", "", "none",
     "Further names the management API and the web console are opened as (comma-separated). "
     "A request whose Host is any other name is refused (DNS rebinding); IP addresses, "
     "localhost and the host name always work.", "string", NULL, 1},
    {"apps", "FILE", NULL, "$XDG_CONFIG_HOME/pfhost/apps.json",
     "The app catalog (JSON; Sunshine's apps.json format is accepted).", "path", NULL, 0},
    {"vdisplay", "BACKEND", "auto", "auto",
     "The virtual display every session streams: auto (a desktop session that exists, else a "
     "headless Mutter, else Weston, each started by the host), mutter-headless, weston, mutter, "
     "kwin, wlr, gamescope or testpattern. serve --vdisplay-backend and PF_VDISPLAY override it.",
     "choice", vdisplay_backends, 0},
    {"mdns", "yes|no", "yes", "yes",
     "Announce the host as _nvstream._tcp over mDNS (needs avahi-daemon).", "bool", yes_no, 0},
    {"native", "yes|no", "yes", "yes",
     "Serve punktfunk/1 (QUIC) beside GameStream. If its port cannot be bound the host runs "
     "without it and says so.", "bool", yes_no, 0},
    {"native_address", "ADDRESS", "", ":: (IPv4 and IPv6)",
     "The address punktfunk/1 binds to (IPv4 or IPv6).", "address", NULL, 0},
    {"native_port", "PORT", "9777", "9777",
     "punktfunk/1 UDP port; 0 picks a free port (so does the default when http_port is 0).",
     "port", NULL, 0},
    {"native_pin_ttl", "SECONDS", "120", "120",
     "How long a PIN from pfhost pair-native stays valid; it serves one attempt (max 3600).",
     "seconds", NULL, 1},
    {"hevc", "auto|yes|no", "auto", "auto",
     "Offer HEVC: auto only from a hardware encoder (NVENC, VAAPI), yes from any encoder "
     "that has it, no never. H.264 is always offered.", "codec", codec_policies, 0},
    {"av1", "auto|yes|no", "auto", "auto", "Offer AV1, with the same choices as hevc.",
     "codec", codec_policies, 0},
    {"pin_wait", "SECONDS", "120", "120",
     "How long a pairing client waits for its PIN (max 3600).", "seconds", NULL, 0},
    {"pin_ttl", "SECONDS", "60", "60",
     "How long an entered PIN stays valid for one pairing attempt (max 3600).", "seconds", NULL, 0},
    {"pair_max_failures", "N", "3", "3",
     "Failed pairings (wrong PIN) before pairing is locked (max 1000).", "count", NULL, 0},
    {"pair_lockout", "SECONDS", "300", "300",
     "How long pairing stays locked after too many failures (max 86400).", "seconds", NULL, 0},
    {"connect_timeout", "SECONDS", "30", "30",
     "How long a launched or resumed session has to finish its RTSP handshake before it ends "
     "and its app stops (max 3600).", "seconds", NULL, 1},
    {"api_max_failures", "N", "5", "5",
     "Requests with a wrong API token before the management API locks (max 1000).",
     "count", NULL, 1},
    {"api_lockout", "SECONDS", "60", "60",
     "How long the management API stays locked after too many failures (max 86400).",
     "seconds", NULL, 1},
};
const size_t help_config_keys_n = sizeof(help_config_keys) / sizeof(help_config_keys[0]);

static const struct {
    const char *path, *doc;
} files[] = {
    {"$XDG_CONFIG_HOME/pfhost/pfhost.conf",
     "The configuration (see `pfhost help config`); --config names another file. A missing "
     "default file means all defaults."},
    {"$XDG_CONFIG_HOME/pfhost/apps.json", "The app catalog, unless the apps key names another."},
    {"$XDG_CONFIG_HOME/pfhost/api-token",
     "The management API's bearer token, made at the first start (mode 0600)."},
    {"$XDG_STATE_HOME/pfhost/cert.pem, key.pem, uniqueid",
     "The host's identity: its certificate, key and GameStream unique id, made at the first "
     "start. Clients paired with this host trust exactly this certificate."},
    {"$XDG_STATE_HOME/pfhost/native-cert.pem, native-key.pem",
     "The punktfunk/1 identity: an ECDSA P-256 certificate that native clients pin by the "
     "SHA-256 of its DER (mode 0600)."},
    {"$XDG_STATE_HOME/pfhost/clients.json", "Paired clients: names and pinned certificates."},
    {"$XDG_RUNTIME_DIR/pfhost/runtime.json",
     "Where the running host listens; the commands other than serve read it to find the "
     "host."},
    {"pfhost.service",
     "The systemd user unit: `systemctl --user enable --now pfhost` runs the host in the "
     "user's session."},
};

const help_config_key *help_config_key_find(const char *key)
{
    for (size_t i = 0; i < help_config_keys_n; i++)
        if (strcmp(help_config_keys[i].key, key) == 0)
            return &help_config_keys[i];
    return NULL;
}

/* Prints @p text wrapped to 78 columns, each line indented by six spaces. */
static void print_wrapped(FILE *f, const char *text)
{
    const int indent = 6, width = 78;
    int col = 0;
    while (*text) {
        size_t w = strcspn(text, " ");
        if (col > 0 && col + 1 + (int)w > width) {
            fputc('\n', f);
            col = 0;
        }
        if (col == 0)
            col = fprintf(f, "%*s", indent, "");
        else
            col += fprintf(f, " ");
        col += fprintf(f, "%.*s", (int)w, text);
        text += w;
        text += strspn(text, " ");
    }
    fputc('\n', f);
}

int help_print_topic(const char *topic, FILE *f)
{
    if (strcmp(topic, "config") == 0) {
        fputs("pfhost.conf: one \"key = value\" per line; '#' starts a comment line. An unknown "
              "key\nor a bad value is an error that names the line.\n\nkeys:\n",
              f);
        for (size_t i = 0; i < help_config_keys_n; i++) {
            const help_config_key *k = &help_config_keys[i];
            fprintf(f, "  %s = %s\n", k->key, k->syntax);
            char doc[512];
            snprintf(doc, sizeof(doc), "%s Default: %s.", k->doc, k->default_text);
            print_wrapped(f, doc);
        }
        return 1;
    }
    if (strcmp(topic, "files") == 0) {
        fputs("files (XDG_CONFIG_HOME defaults to ~/.config, XDG_STATE_HOME to "
              "~/.local/state):\n",
              f);
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
            fprintf(f, "  %s\n", files[i].path);
            print_wrapped(f, files[i].doc);
        }
        return 1;
    }
    return 0;
}
