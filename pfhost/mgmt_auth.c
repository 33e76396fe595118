/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_auth.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pf/core/crypto.h"

#include "fileio.h"

int mgmt_token_load_or_create(const char *path, char *token, size_t cap, int announce)
{
    if (cap < MGMT_TOKEN_HEX + 1)
        return -EINVAL;
    char *data;
    int r = file_read(path, 1024, &data, NULL);
    if (r == 0) {
        data[strcspn(data, "\r\n")] = '\0';
        size_t n = strlen(data);
        r = n == MGMT_TOKEN_HEX ? 0 : -EINVAL;
        if (r == 0)
            memcpy(token, data, n + 1);
        memset(data, 0, n);
        free(data);
        return r;
    }
    if (r != -ENOENT)
        return r;
    uint8_t raw[MGMT_TOKEN_HEX / 2];
    if (pf_random_bytes(NULL, raw, sizeof(raw)) < 0)
        return -EIO;
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(token + 2 * i, 3, "%02x", raw[i]);
    memset(raw, 0, sizeof(raw));
    char line[MGMT_TOKEN_HEX + 2];
    snprintf(line, sizeof(line), "%s\n", token);
    r = file_write_atomic(path, line, strlen(line), 0600);
    memset(line, 0, sizeof(line));
    if (r == 0 && announce)
        fprintf(stderr, "pfhost: management API token created in %s (keep it secret)\n", path);
    return r;
}

int mgmt_auth_check(mgmt_auth *a, const char *authorization, uint64_t now_ms)
{
    if (a->locked_until_ms && now_ms < a->locked_until_ms)
        return AUTH_LOCKED;
    a->locked_until_ms = 0;
    if (!authorization)
        return AUTH_MISSING;
    int ok = 0;
    if (strncasecmp(authorization, "Bearer ", 7) == 0) {
        const char *t = authorization + 7;
        /* The length is not secret (it is fixed); the content is compared in constant time. */
        if (strlen(t) == MGMT_TOKEN_HEX)
            ok = pf_memeq_consttime(t, a->token, MGMT_TOKEN_HEX);
    }
    if (ok) {
        a->failures = 0;
        return AUTH_OK;
    }
    if (++a->failures >= a->max_failures) {
        a->failures = 0;
        a->locked_until_ms = now_ms + a->lockout_ms;
    }
    return AUTH_WRONG;
}

int mgmt_origin_ok(const char *origin, const char *host_header)
{
    if (!origin)
        return 1; /* not a browser request (curl, pfhost itself) */
    if (!host_header)
        return 0;
    const char *rest = NULL;
    if (strncmp(origin, "http://", 7) == 0)
        rest = origin + 7;
    else if (strncmp(origin, "https://", 8) == 0)
        rest = origin + 8;
    return rest && strcasecmp(rest, host_header) == 0;
}
