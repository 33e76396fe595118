/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_AUTH_H
#define PFHOST_MGMT_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define MGMT_TOKEN_HEX 64u

/* Bearer-token checking with a lock-out after repeated wrong tokens. */
typedef struct mgmt_auth {
    char token[MGMT_TOKEN_HEX + 1];
    uint32_t max_failures;
    uint64_t lockout_ms;
    uint32_t failures;
    uint64_t locked_until_ms;
} mgmt_auth;

/* Reads the token file, or creates it (0600) and reports its path once on stderr.
 * Returns 0 or -errno. */
int mgmt_token_load_or_create(const char *path, char *token, size_t cap, int announce);

#define AUTH_OK 0
#define AUTH_MISSING 1
#define AUTH_WRONG 2
#define AUTH_LOCKED 3
/* Checks an Authorization header value. Wrong tokens count towards the lock-out; during a
 * lock-out no comparison is made at all, so guessing gains nothing. */
int mgmt_auth_check(mgmt_auth *a, const char *authorization, uint64_t now_ms);
/* 1 when a browser Origin header (may be NULL) matches the Host the request was sent to. */
int mgmt_origin_ok(const char *origin, const char *host_header);

#endif
