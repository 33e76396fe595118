/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-testpattern: runs the test-pattern source until SIGTERM/SIGINT.
 * Usage: pf-testpattern [-W width] [-H height] [-r fps] [-n node-name]
 * Prints "node <id>" on stdout once the node exists. Also stands in for a compositor that
 * publishes a PipeWire node (gamescope) in tests. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pf/capture_testpattern.h"
#include "pf/core/error.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

int main(int argc, char **argv)
{
    pf_capture_testpattern_settings s;
    pf_capture_testpattern *tp;
    int opt, r;

    pf_capture_testpattern_settings_init(&s);
    /* gamescope's spelling of the mode (and its --headless), so this can stand in for it. */
    static const struct option longopts[] = { { "headless", no_argument, NULL, 'x' },
                                              { NULL, 0, NULL, 0 } };

    while ((opt = getopt_long(argc, argv, "W:H:r:n:w:h:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'W':
            s.width = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'H':
            s.height = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'r':
            s.fps = (uint32_t)strtoul(optarg, NULL, 10);
            break;
        case 'n':
            s.node_name = optarg;
            break;
        default:
            break;
        }
    }
    if (!s.node_name)
        s.node_name = getenv("PF_TESTPATTERN_NODE_NAME");
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    r = pf_capture_testpattern_create(&s, &tp);
    if (r < 0) {
        fprintf(stderr, "pf-testpattern: %s\n", pf_strerror(r));
        return 1;
    }
    printf("node %lld\n", (long long)pf_capture_testpattern_get_node_id(tp));
    fflush(stdout);
    while (!stop)
        pause();
    pf_capture_testpattern_destroy(tp);
    return 0;
}
