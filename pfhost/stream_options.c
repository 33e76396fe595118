/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* `pfhost serve`'s options of the streaming plane: defaults, parsing and how the chosen
 * picture source reads in the log and the status. */
#include "stream.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline.h"

void stream_options_default(stream_options *o)
{
    memset(o, 0, sizeof(*o));
    /* architecture §5: a virtual output on the desktop, else a spawned headless one. */
    o->source = PIPELINE_SOURCE_VDISPLAY;
    o->grace_s = 120;
    o->fec_percent = 20;
    o->control_timeout_ms = 10000;
}

void stream_options_describe_source(const stream_options *o, char *out, size_t n)
{
    if (o->source == PIPELINE_SOURCE_TESTPATTERN)
        snprintf(out, n, "testpattern");
    else if (o->source == PIPELINE_SOURCE_PIPEWIRE)
        snprintf(out, n, "pipewire");
    else if (o->vdisplay_backend)
        snprintf(out, n, "vdisplay:%s", o->vdisplay_backend);
    else
        snprintf(out, n, "vdisplay");
}

int stream_options_parse(stream_options *o, int argc, char **argv, char *err, size_t n)
{
    static const struct option opts[] = {
        {"source", required_argument, NULL, 's'},
        {"input-record", required_argument, NULL, 'r'},
        {"grace", required_argument, NULL, 'g'},
        {"fec", required_argument, NULL, 'f'},
        {"control-timeout", required_argument, NULL, 't'},
        {"pipewire-remote", required_argument, NULL, 'p'},
        {"vdisplay-backend", required_argument, NULL, 'b'},
        {"frame-log", required_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    /* 0 makes GNU getopt start over: main() already parsed the global options. */
    optind = 0;
    int c;
    while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
        char *end;
        unsigned long v;
        switch (c) {
        case 's':
            if (!strcmp(optarg, "testpattern")) {
                o->source = PIPELINE_SOURCE_TESTPATTERN;
            } else if (!strcmp(optarg, "pipewire")) {
                o->source = PIPELINE_SOURCE_PIPEWIRE;
            } else if (!strcmp(optarg, "vdisplay")) {
                o->source = PIPELINE_SOURCE_VDISPLAY;
            } else {
                snprintf(err, n, "unknown source \"%s\" (known: vdisplay, testpattern, pipewire)",
                         optarg);
                return -1;
            }
            break;
        case 'p':
            o->pipewire_remote = optarg;
            break;
        case 'b':
            o->vdisplay_backend = optarg;
            break;
        case 'r':
            o->input_record = optarg;
            break;
        case 'l':
            o->frame_log = optarg;
            break;
        case 'g':
        case 'f':
        case 't': {
            const char *name = c == 'g' ? "grace" : c == 'f' ? "fec" : "control-timeout";
            unsigned long max = c == 'g' ? 86400ul : c == 'f' ? 200ul : 600000ul;
            errno = 0;
            v = strtoul(optarg, &end, 10);
            if (errno || *end || v > max || (c == 't' && v < 500)) {
                snprintf(err, n, "bad value for --%s: %s", name, optarg);
                return -1;
            }
            if (c == 'g')
                o->grace_s = (uint32_t)v;
            else if (c == 'f')
                o->fec_percent = (uint32_t)v;
            else
                o->control_timeout_ms = (uint32_t)v;
            break;
        }
        default:
            snprintf(err, n, "usage: pfhost serve [--source testpattern] [--input-record FILE] "
                             "[--grace SECONDS] [--fec PERCENT] [--control-timeout MS] "
                             "[--source vdisplay|pipewire|testpattern] [--vdisplay-backend NAME] "
                             "[--pipewire-remote SOCKET] [--frame-log FILE]");
            return -1;
        }
    }
    if (optind < argc) {
        snprintf(err, n, "serve: unexpected argument \"%s\"", argv[optind]);
        return -1;
    }
    return 0;
}
