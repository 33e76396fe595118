/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_auth.h"

#include <arpa/inet.h>
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

int mgmt_auth_check(mgmt_auth *a, const char *peer, const char *authorization,
                    uint64_t now_ms)
{
    if (mgmt_limit_locked(&a->limit, peer, now_ms))
        return AUTH_LOCKED;
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
        mgmt_limit_success(&a->limit, peer);
        return AUTH_OK;
    }
    mgmt_limit_fail(&a->limit, peer, now_ms);
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

int mgmt_host_ok(const char *host_header, const char *const *names, size_t n_names)
{
    if (!host_header)
        return 1;
    char name[256];
    const char *end;
    if (host_header[0] == '[') {
        end = strchr(host_header, ']');
        if (!end || (end[1] && end[1] != ':'))
            return 0;
        size_t n = (size_t)(end - host_header - 1);
        if (n >= sizeof(name))
            return 0;
        memcpy(name, host_header + 1, n);
        name[n] = '\0';
        struct in6_addr a6;
        return inet_pton(AF_INET6, name, &a6) == 1;
    }
    end = strchr(host_header, ':');
    size_t n = end ? (size_t)(end - host_header) : strlen(host_header);
    if (n == 0 || n >= sizeof(name))
        return 0;
    memcpy(name, host_header, n);
    name[n] = '\0';
    if (n > 1 && name[n - 1] == '.') /* "host.lan." is the same name as "host.lan" */
        name[n - 1] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, name, &a4) == 1)
        return 1;
    for (size_t i = 0; i < n_names; i++)
        if (names[i] && names[i][0] && strcasecmp(names[i], name) == 0)
            return 1;
    return 0;
}
