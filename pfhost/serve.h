/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_SERVE_H
#define PFHOST_SERVE_H

#include "config.h"
#include "stream.h"

/* `pfhost serve`: runs the host in the foreground until SIGINT/SIGTERM. Takes ownership of
 * @p cfg. Returns the process exit status. */
int serve_run(host_config *cfg, int verbose, const stream_options *stream);

#endif
