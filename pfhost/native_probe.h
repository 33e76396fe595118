/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_PROBE_H
#define PFHOST_NATIVE_PROBE_H

#include <stdint.h>

#include <systemd/sd-event.h>

#include "pf/core/pkf1_control.h"

#include "native_internal.h"
#include "native_media.h"

/* The speed test of a punktfunk/1 session (native-protocol.md §9.5): a ProbeRequest starts a
 * thread that sends FLAG_PROBE filler on the data plane at the asked rate beside the live
 * video (the same packetizer, so the same wire seq and keys), and a timer on the host's loop
 * answers ProbeResult when it ends. One test at a time per session. */
typedef struct native_probe native_probe;

/* Host bounds for a request (§9.5: "host clamps both"). */
#define NATIVE_PROBE_MIN_KBPS 100u
#define NATIVE_PROBE_MAX_KBPS 2000000u /* 2 Gbit/s: what one sending core keeps up with */
#define NATIVE_PROBE_MIN_MS 100u
#define NATIVE_PROBE_MAX_MS 10000u

/* @p nc the connection (borrowed; ProbeResult goes on its control stream), @p fd the
 * connected data socket (borrowed), @p shard_payload the Welcome's S. Returns 0 or PF_ERR_*. */
int native_probe_create(native_conn *nc, sd_event *loop, native_media *m, int fd,
                        uint32_t shard_payload, native_probe **ret);
/* Stops a running test (no result is sent) and frees; NULL allowed. */
void native_probe_destroy(native_probe *p);
/* A ProbeRequest (loop thread). While a test runs, a second request is answered at once with
 * an empty ProbeResult (all counters and duration 0: nothing was sent for it) and the running
 * test goes on to its own result. */
void native_probe_request(native_probe *p, const pf_pkf1_msg *req);

#endif
