/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_AUTH_H
#define PFHOST_MGMT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "mgmt_limit.h"

#define MGMT_TOKEN_HEX 64u

/* Bearer-token checking with a lock-out after repeated wrong tokens from one address
 * (limit.max_failures, limit.lockout_ms). */
typedef struct mgmt_auth {
    char token[MGMT_TOKEN_HEX + 1];
    mgmt_limit limit;
} mgmt_auth;

/* Reads the token file, or creates it (0600) and reports its path once on stderr.
 * Returns 0 or -errno. */
int mgmt_token_load_or_create(const char *path, char *token, size_t cap, int announce);

#define AUTH_OK 0
#define AUTH_MISSING 1
#define AUTH_WRONG 2
#define AUTH_LOCKED 3
/* Checks an Authorization header value sent from @p peer (an address). Wrong tokens count
 * towards that address's lock-out; during it no comparison is made at all, so guessing
 * gains nothing, while other addresses keep working. */
int mgmt_auth_check(mgmt_auth *a, const char *peer, const char *authorization,
                    uint64_t now_ms);
/* 1 when a browser Origin header (may be NULL) matches the Host the request was sent to. */
int mgmt_origin_ok(const char *origin, const char *host_header);
/* 1 when the Host header names this host: an IP literal (a browser only sends one when the
 * user typed it, so DNS rebinding cannot produce it) or one of @p names (case-insensitive;
 * "localhost", the host name, ...), with any port. A missing header (HTTP/1.0 tools) is
 * accepted; a foreign name is what a rebound DNS name looks like, and is refused. */
int mgmt_host_ok(const char *host_header, const char *const *names, size_t n_names);

#endif
