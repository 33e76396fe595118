/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pfhost command line: dispatches to serve.c (the host) and cli.c (commands that talk to a
 * running host). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <json-c/json.h>
#include <microhttpd.h>

#include "pf/core/common.h"
#include "pf/net.h"

#include "cli.h"
#include "config.h"
#include "help.h"
#include "serve.h"
#include "stream.h"

static const char usage_main[] =
    "usage: pfhost [--config FILE] [--verbose] COMMAND [ARGS]\n"
    "\n"
    "A low-latency game and desktop streaming host for Moonlight clients.\n"
    "\n"
    "commands:\n"
    "  serve                 run the host in the foreground\n"
    "  pin                   list the pairing attempts waiting for a PIN\n"
    "  pin --attempt ID PIN  hand the PIN to the attempt ID (when several wait)\n"
    "  pin PIN               hand the PIN a client shows to the running host\n"
    "  pair-native           show a PIN to pair a punktfunk/1 device\n"
    "  clients list          list paired clients\n"
    "  clients unpair ID     forget a paired client and end its sessions\n"
    "  clients grants ID LIST  set what a punktfunk/1 client may do\n"
    "  apps list             list the app catalog\n"
    "  help [TOPIC]          this help, a command's help, or a topic: config, files\n"
    "\n"
    "options:\n"
    "  -c, --config FILE     config file (default $XDG_CONFIG_HOME/pfhost/pfhost.conf)\n"
    "  -v, --verbose         debug logging (serve)\n"
    "  -h, --help            this help; `pfhost COMMAND --help` for a command\n"
    "  -V, --version         versions of pfhost and every library it links\n"
    "\n"
    "exit status: 0 success, 1 failure, 2 usage error, 3 no running host\n";

static const struct {
    const char *cmd;
    const char *help;
} command_help[] = {
    {"serve", "usage: pfhost serve [--input-record FILE] [--grace S] "
              "[--fec PCT] [--control-timeout MS]\n"
              "       [--source vdisplay|pipewire|testpattern] [--vdisplay-backend NAME]\n"
              "       [--pipewire-remote SOCKET] [--frame-log FILE]\n\nRuns the host in the "
              "foreground until SIGINT or SIGTERM: GameStream HTTP/HTTPS\n(pairing, app list, "
              "launch), the management API on loopback and the mDNS\nannouncement. Identity "
              "and paired clients live in $XDG_STATE_HOME/pfhost,\nconfiguration and the API "
              "token in $XDG_CONFIG_HOME/pfhost.\n\n"
              "--frame-log FILE appends one line per video frame a GameStream session sends,\n"
              "for latency measurements (pf-latency-probe): \"SESSION FRAME CAPTURE_NS\n"
              "ENCODED_NS SENT_NS\", the session id, the frame index the client sees, and\n"
              "CLOCK_MONOTONIC nanoseconds of its capture, of its leaving the encoder and of\n"
              "the send of its last datagram. A \"#\" header line starts each run. Lines are\n"
              "buffered and written every 64 frames and when a session ends.\n"},
    {"pin", "usage: pfhost pin [--attempt ID] PIN\n       pfhost pin\n\nHands the "
            "four-digit PIN shown by a pairing Moonlight client to the running\nhost, or, "
            "without a PIN, lists the attempts waiting for one (id, client\nname, address, "
            "age). When several attempts wait, name yours with --attempt:\nany device on "
            "the network can start one. A PIN serves one attempt; typing\nthe same PIN "
            "again is refused.\n"},
    {"pair-native", "usage: pfhost pair-native\n\nArms punktfunk/1 pairing on the running "
                    "host and prints a four-digit PIN\nto enter on the device. The PIN serves "
                    "one attempt and expires after\nnative_pin_ttl seconds (default 120).\n"},
    {"clients", "usage: pfhost clients list\n       pfhost clients unpair ID\n"
                "       pfhost clients grants ID LIST\n\nLists paired "
                "clients (id, kind, name and, for punktfunk/1 clients, their\ngrants), or "
                "unpairs one by its id: its certificate is forgotten and its\nsessions end. "
                "`grants` sets what a punktfunk/1 client may do: LIST is all,\nnone (view "
                "only) or a comma-separated list of gamepad, pointer, keyboard,\nclipboard, "
                "mic, launch, power, manage_games. Its running sessions follow at\nonce.\n"},
    {"apps", "usage: pfhost apps list\n\nLists the app catalog (id, name, command) from the "
             "apps file named in the\nconfig (default $XDG_CONFIG_HOME/pfhost/apps.json; "
             "Sunshine's apps.json\nformat is accepted).\n"},
};

static void print_versions(void)
{
    printf("pfhost %s\n", pf_net_version_string());
    printf("libpfcore %s (ABI %u)\n", pf_core_version_string(), pf_core_abi_version());
    printf("libpfnet %s (ABI %u)\n", pf_net_version_string(), pf_net_abi_version());
    printf("libmicrohttpd %s\n", MHD_get_version());
    printf("GnuTLS %s\n", gnutls_check_version(NULL));
    printf("json-c %s\n", json_c_version());
    printf("libsystemd (sd-event), avahi-client: system libraries\n");
}

static int command_usage(const char *cmd, FILE *f)
{
    for (size_t i = 0; i < sizeof(command_help) / sizeof(command_help[0]); i++)
        if (strcmp(cmd, command_help[i].cmd) == 0) {
            fputs(command_help[i].help, f);
            return 1;
        }
    return 0;
}

static int wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
            return 1;
    return 0;
}

static int usage_error(const char *cmd, const char *msg)
{
    fprintf(stderr, "pfhost: %s\n\n", msg);
    if (!cmd || !command_usage(cmd, stderr))
        fputs(usage_main, stderr);
    return EXIT_USAGE;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    int verbose = 0, c;
    /* '+' stops at the command so that its own arguments are left alone. */
    while ((c = getopt_long(argc, argv, "+c:vhV", opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'v':
            verbose = 1;
            break;
        case 'h':
            fputs(usage_main, stdout);
            return EXIT_OK;
        case 'V':
            print_versions();
            return EXIT_OK;
        default:
            fputs(usage_main, stderr);
            return EXIT_USAGE;
        }
    }
    if (optind >= argc)
        return usage_error(NULL, "no command given");
    const char *cmd = argv[optind];
    int nargs = argc - optind - 1;
    char **args = argv + optind + 1;
    if (!strcmp(cmd, "help")) {
        if (nargs == 0)
            return fputs(usage_main, stdout), EXIT_OK;
        if (nargs == 1 && (help_print_topic(args[0], stdout) || command_usage(args[0], stdout)))
            return EXIT_OK;
        return usage_error(NULL, "unknown help topic: name a command, config or files");
    }
    if (wants_help(nargs, args)) {
        if (command_usage(cmd, stdout))
            return EXIT_OK;
        return usage_error(NULL, "unknown command");
    }
    int known = 0;
    for (size_t i = 0; i < sizeof(command_help) / sizeof(command_help[0]); i++)
        known |= !strcmp(cmd, command_help[i].cmd);
    if (!known) {
        fprintf(stderr, "pfhost: unknown command \"%s\"\n\n", cmd);
        fputs(usage_main, stderr);
        return EXIT_USAGE;
    }

    host_config cfg;
    char err[512] = "";
    if (config_load(&cfg, config_path, err, sizeof(err)) < 0) {
        fprintf(stderr, "pfhost: %s\n", err);
        config_free(&cfg);
        return EXIT_FAIL;
    }
    int st;
    if (!strcmp(cmd, "serve")) {
        stream_options so;
        stream_options_default(&so);
        if (stream_options_parse(&so, nargs + 1, args - 1, err, sizeof(err)) < 0) {
            config_free(&cfg);
            return usage_error(cmd, err);
        }
        return serve_run(&cfg, verbose, &so);
    } else if (!strcmp(cmd, "pin")) {
        const char *pin = NULL, *attempt = NULL;
        int bad = 0;
        for (int i = 0; i < nargs && !bad; i++) {
            if (!strcmp(args[i], "--attempt") && i + 1 < nargs)
                attempt = args[++i];
            else if (!strncmp(args[i], "--attempt=", 10))
                attempt = args[i] + 10;
            else if (!pin && args[i][0] != '-')
                pin = args[i];
            else
                bad = 1;
        }
        if (bad || (attempt && !pin))
            st = usage_error(cmd, "expected `pin`, `pin PIN` or `pin --attempt ID PIN`");
        else
            st = cli_pin(&cfg, pin, attempt);
    } else if (!strcmp(cmd, "pair-native")) {
        st = nargs == 0 ? cli_pair_native(&cfg) : usage_error(cmd, "pair-native takes no arguments");
    } else if (!strcmp(cmd, "clients")) {
        if (nargs == 1 && !strcmp(args[0], "list"))
            st = cli_clients_list(&cfg);
        else if (nargs == 2 && !strcmp(args[0], "unpair"))
            st = cli_clients_unpair(&cfg, args[1]);
        else if (nargs == 3 && !strcmp(args[0], "grants"))
            st = cli_clients_grants(&cfg, args[1], args[2]);
        else
            st = usage_error(cmd, "expected `clients list`, `clients unpair ID` or `clients "
                                  "grants ID LIST`");
    } else {
        st = nargs == 1 && !strcmp(args[0], "list") ? cli_apps_list(&cfg)
                                                   : usage_error(cmd, "expected `apps list`");
    }
    config_free(&cfg);
    return st;
}
