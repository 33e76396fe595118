/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private host of pf-latency-probe: `pfhost serve --source testpattern --frame-log FILE`
 * under a temporary directory (tests/gamestream/host_proc.c runs it), the frame log it
 * writes, and their removal. One private host per process. */
#ifndef PF_TOOLS_LATENCY_HOST_H
#define PF_TOOLS_LATENCY_HOST_H

#include <stddef.h>

#include "host_proc.h"

/* Creates the work directory in @p work (a mkdtemp template) and points @p h at @p pfhost
 * with the test pattern and a frame log in @p work. 0, or -1 with @p err set. */
int latency_host_prepare(char *work, host_proc *h, const char *pfhost, char *err,
                         size_t err_len);
/* The frame log's path (pfhost/frame_log.h); complete once the host stopped. */
const char *latency_host_frame_log(void);
/* Stops the host and removes its directory and @p work with the frame log (unless
 * @p keep: then both are kept and named on stderr). */
void latency_host_cleanup(host_proc *h, const char *work, int keep);

#endif
