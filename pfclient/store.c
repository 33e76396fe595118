/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/client.h"

#include "fileio.h"

static char dir[4096];

const char *store_dir(void)
{
    if (dir[0])
        return dir;
    const char *d = getenv("PFCLIENT_DIR"), *x = getenv("XDG_CONFIG_HOME"),
               *h = getenv("HOME");
    if (d && *d)
        snprintf(dir, sizeof(dir), "%s", d);
    else if (x && *x)
        snprintf(dir, sizeof(dir), "%s/pfclient", x);
    else
        snprintf(dir, sizeof(dir), "%s/.config/pfclient", h ? h : ".");
    return dir;
}

static int path_in(char *out, size_t cap, const char *name)
{
    int n = snprintf(out, cap, "%s/%s", store_dir(), name);
    return n > 0 && (size_t)n < cap ? 0 : -ENAMETOOLONG;
}

int store_identity(char **ret_cert_pem, char **ret_key_pem)
{
    char cp[4200], kp[4200];
    if (path_in(cp, sizeof(cp), "client-cert.pem") < 0 ||
        path_in(kp, sizeof(kp), "client-key.pem") < 0)
        return -ENAMETOOLONG;
    char *cert = NULL, *key = NULL;
    if (file_read(cp, 1 << 16, &cert, NULL) == 0 && file_read(kp, 1 << 16, &key, NULL) == 0) {
        *ret_cert_pem = cert;
        *ret_key_pem = key;
        return 0;
    }
    free(cert);
    free(key);
    char *gk = NULL, *gc = NULL;
    int r = dir_create(store_dir(), 0700);
    if (r < 0) {
        fprintf(stderr, "pfclient: cannot create %s: %s\n", store_dir(), strerror(-r));
        return r;
    }
    if (pf_client_identity_generate(&gk, &gc) < 0) {
        fprintf(stderr, "pfclient: cannot generate a client certificate\n");
        return -EIO;
    }
    /* The key first: a certificate without its key is never left behind. */
    r = file_write_atomic(kp, gk, strlen(gk), 0600);
    if (r == 0)
        r = file_write_atomic(cp, gc, strlen(gc), 0600);
    if (r == 0) {
        *ret_cert_pem = strdup(gc);
        *ret_key_pem = strdup(gk);
        if (!*ret_cert_pem || !*ret_key_pem)
            r = -ENOMEM;
    } else {
        fprintf(stderr, "pfclient: cannot write the identity to %s: %s\n", store_dir(),
                strerror(-r));
    }
    pf_client_free(gk);
    pf_client_free(gc);
    return r;
}

static int parse_hex(const char *s, uint8_t out[32])
{
    for (int i = 0; i < 32; i++) {
        unsigned v;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return -1;
        out[i] = (uint8_t)v;
    }
    return 0;
}

int store_host_get(const char *host_key, uint8_t fp[32])
{
    char p[4200];
    char *data = NULL;
    if (path_in(p, sizeof(p), "hosts") < 0 || file_read(p, 1 << 20, &data, NULL) < 0)
        return 0;
    int found = 0;
    for (char *save = NULL, *line = strtok_r(data, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (!sp || (size_t)(sp - line) != strlen(host_key) ||
            strncmp(line, host_key, (size_t)(sp - line)) != 0 || strlen(sp + 1) < 64)
            continue;
        found = parse_hex(sp + 1, fp) == 0;
    }
    free(data);
    return found;
}

int store_host_set(const char *host_key, const uint8_t fp[32])
{
    char p[4200];
    if (path_in(p, sizeof(p), "hosts") < 0)
        return -ENAMETOOLONG;
    int r = dir_create(store_dir(), 0700);
    if (r < 0)
        return r;
    char *data = NULL;
    size_t len = 0;
    if (file_read(p, 1 << 20, &data, &len) < 0)
        data = NULL;
    size_t cap = len + strlen(host_key) + 70;
    char *out = malloc(cap);
    if (!out) {
        free(data);
        return -ENOMEM;
    }
    size_t n = 0;
    for (char *save = NULL, *line = data ? strtok_r(data, "\n", &save) : NULL; line;
         line = strtok_r(NULL, "\n", &save)) {
        char *sp = strchr(line, ' ');
        if (sp && (size_t)(sp - line) == strlen(host_key) &&
            strncmp(line, host_key, (size_t)(sp - line)) == 0)
            continue; /* replaced below */
        n += (size_t)snprintf(out + n, cap - n, "%s\n", line);
    }
    n += (size_t)snprintf(out + n, cap - n, "%s ", host_key);
    for (int i = 0; i < 32; i++)
        n += (size_t)snprintf(out + n, cap - n, "%02x", fp[i]);
    n += (size_t)snprintf(out + n, cap - n, "\n");
    r = file_write_atomic(p, out, n, 0600);
    free(out);
    free(data);
    return r;
}
