/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pf-latency-probe, punktfunk/1 side: a private `pfhost serve --source testpattern`, paired
 * and streamed through libpfclient (include/pf/client.h), with the host's capture stamp moved
 * onto the client clock by the offset of the clock probes (§4.5). */
#ifndef PF_TOOLS_LATENCY_PKF1_H
#define PF_TOOLS_LATENCY_PKF1_H

#include "latency_gs.h"
#include "latency_report.h"

/* The same options as the GameStream side (encrypt_video is ignored: punktfunk/1 always
 * seals). 0, or -1 with the reason in @p err. */
int latency_pkf1_run(const latency_gs_options *o, lat_report *r, char *err, size_t err_len);

#endif
