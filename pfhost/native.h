/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_NATIVE_H
#define PFHOST_NATIVE_H

#include <stdint.h>

#include "stream.h"

typedef struct host host;
typedef struct native_plane native_plane;

/* The punktfunk/1 plane of the host (native-protocol.md): the QUIC endpoint on UDP 9777 (IPv4
 * and IPv6), PIN pairing, the Hello/Welcome/Start handshake and native sessions beside the
 * GameStream ones. Runs on the host's sd-event loop. Returns 0, or -1 with a message. */
int native_plane_create(host *h, const stream_options *opt, native_plane **ret, char *err,
                        size_t err_len);
/* Closes every connection (a power action to the clients) and frees; NULL allowed. */
void native_plane_destroy(native_plane *np);
uint16_t native_plane_port(const native_plane *np);
/* SHA-256 of the host certificate's DER as 64 lower-case hex digits (what clients pin). */
const char *native_plane_fingerprint(const native_plane *np);
/* Arms the pairing window with a fresh PIN (NUL-terminated, four digits) valid for
 * *ret_ttl_s seconds. Returns 0 or -errno. */
int native_plane_arm_pairing(native_plane *np, char pin[5], uint32_t *ret_ttl_s);
/* A native client was unpaired: its connections end. */
void native_plane_revoke(native_plane *np, const char *fp_hex);
/* Session @p id's desktop (native_desktop.c) is gone: that session ends (0x68) and its input
 * stops at once; no-op for other ids. */
void native_plane_desktop_lost(native_plane *np, uint32_t id);
/* A native client's grants changed (management API): its connections gate input by them from
 * now on and streaming ones are told with AccessUpdate (§5.6). NULL @p np allowed. */
void native_plane_set_grants(native_plane *np, const char *fp_hex, uint32_t grants);
/* Number of native sessions streaming. */
uint32_t native_plane_sessions(const native_plane *np);

#endif
