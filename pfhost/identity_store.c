/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"

#include "fileio.h"

static int store(const char *dir, const char *name, const char *data)
{
    char *p = path_join(dir, name);
    if (!p)
        return -ENOMEM;
    int r = file_write_atomic(p, data, strlen(data), 0600);
    free(p);
    return r;
}

static const char *const files[3] = {"key.pem", "cert.pem", "uniqueid"};

/* Reads the three identity files, or their good copies (@p suffix ".good"). */
static int read_set(const char *dir, const char *suffix, char *data[3], size_t len[3], int rc[3])
{
    for (int i = 0; i < 3; i++) {
        char name[32];
        snprintf(name, sizeof(name), "%s%s", files[i], suffix);
        char *p = path_join(dir, name);
        rc[i] = p ? file_read(p, 65536, &data[i], &len[i]) : -ENOMEM;
        free(p);
    }
    return rc[0] == 0 && rc[1] == 0 && rc[2] == 0 ? 0 : -1;
}

static void free_set(char *data[3])
{
    for (int i = 0; i < 3; i++) {
        free(data[i]);
        data[i] = NULL;
    }
}

static int import_set(char *data[3], size_t len[3], pf_net_identity **ret)
{
    data[2][strcspn(data[2], "\r\n")] = '\0';
    return pf_net_identity_import(data[0], len[0], data[1], len[1], data[2], ret);
}

/* The damaged files are kept as NAME.bad for the user. */
static void set_aside(const char *dir)
{
    for (int i = 0; i < 3; i++) {
        char bad[32];
        snprintf(bad, sizeof(bad), "%s.bad", files[i]);
        char *from = path_join(dir, files[i]), *to = path_join(dir, bad);
        if (from && to)
            rename(from, to);
        free(from);
        free(to);
    }
}

static int restore_good(const char *dir, char *data[3])
{
    int r = 0;
    for (int i = 0; i < 3 && r == 0; i++)
        r = store(dir, files[i], data[i]);
    return r;
}

static void keep_good(const char *dir, char *data[3], size_t len[3])
{
    for (int i = 0; i < 3; i++) {
        char *p = path_join(dir, files[i]);
        if (p)
            file_keep_good(p, data[i], len[i]);
        free(p);
    }
}

int identity_load_or_create(const char *state_dir, const char *hostname,
                            pf_net_identity **ret, char *err, size_t err_len)
{
    char *data[3] = {NULL, NULL, NULL};
    size_t len[3] = {0, 0, 0};
    int rc[3];
    int r;
    if (read_set(state_dir, "", data, len, rc) == 0) {
        /* import_set cuts the id's line end: the good copy is taken first. */
        char *orig_uid = strdup(data[2]);
        r = import_set(data, len, ret);
        if (r == 0) {
            if (orig_uid) {
                free(data[2]);
                data[2] = orig_uid;
                orig_uid = NULL;
            }
            keep_good(state_dir, data, len);
            free_set(data);
            return 0;
        }
        free(orig_uid);
        snprintf(err, err_len, "the stored identity in %s is damaged (%s)", state_dir,
                 pf_strerror(r));
    } else if (rc[0] != -ENOENT) {
        /* Without a key no client can have paired with this identity, so generating a new
         * one is safe; a key without its certificate or id is damage. */
        r = rc[0] < 0 ? rc[0] : (rc[1] < 0 ? rc[1] : rc[2]);
        snprintf(err, err_len, "the identity in %s is incomplete or unreadable (%s)", state_dir,
                 strerror(-r));
    } else {
        free_set(data);
        goto create;
    }
    free_set(data);
    /* Damaged: the last good copy keeps every pairing; without one a new identity is made
     * (clients pair again). Either way the host starts and the damaged files stay as .bad. */
    char reason[512];
    snprintf(reason, sizeof(reason), "%s", err);
    set_aside(state_dir);
    if (read_set(state_dir, ".good", data, len, rc) == 0 && restore_good(state_dir, data) == 0 &&
        import_set(data, len, ret) == 0) {
        free_set(data);
        snprintf(err, err_len, "%s; using the last good copy (*.good); the damaged files are "
                 "kept as *.bad", reason);
        file_warn("%s", err);
        return 1;
    }
    free_set(data);
    snprintf(err, err_len, "%s; no good copy: a new identity is created and clients must pair "
             "again; the damaged files are kept as *.bad", reason);
    file_warn("%s", err);
create:;
    pf_net_identity *id;
    r = pf_net_identity_create(hostname, &id);
    if (r < 0) {
        snprintf(err, err_len, "cannot create an identity: %s", pf_strerror(r));
        return r;
    }
    char uidline[80];
    snprintf(uidline, sizeof(uidline), "%s\n", pf_net_identity_get_uniqueid(id));
    /* The key goes last: a crash in between leaves no key, which is detected above. */
    if ((r = dir_create(state_dir, 0700)) < 0 || (r = store(state_dir, "uniqueid", uidline)) < 0 ||
        (r = store(state_dir, "cert.pem", pf_net_identity_get_cert_pem(id))) < 0 ||
        (r = store(state_dir, "key.pem", pf_net_identity_get_key_pem(id))) < 0) {
        snprintf(err, err_len, "cannot store the identity in %s: %s", state_dir, strerror(-r));
        pf_net_identity_destroy(id);
        return r;
    }
    *ret = id;
    return 0;
}
