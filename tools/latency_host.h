/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The private host of pf-latency-probe: `pfhost serve --source testpattern` under a
 * temporary directory (tests/gamestream/host_proc.c runs it), and its removal. */
#ifndef PF_TOOLS_LATENCY_HOST_H
#define PF_TOOLS_LATENCY_HOST_H

#include <stddef.h>

#include "host_proc.h"

/* Creates the work directory in @p work (a mkdtemp template) with a wrapper that runs
 * @p pfhost with the test pattern, and points host_proc at it. 0, or -1 with @p err set. */
int latency_host_prepare(char *work, const char *pfhost, char *err, size_t err_len);
/* Stops the host and removes its directory and @p work (unless @p keep). */
void latency_host_cleanup(host_proc *h, const char *work, int keep);

#endif
