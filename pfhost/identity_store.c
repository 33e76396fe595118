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

int identity_load_or_create(const char *state_dir, const char *hostname,
                            pf_net_identity **ret, char *err, size_t err_len)
{
    char *kp = path_join(state_dir, "key.pem"), *cp = path_join(state_dir, "cert.pem");
    char *up = path_join(state_dir, "uniqueid");
    char *key = NULL, *cert = NULL, *uid = NULL;
    size_t kl = 0, cl = 0;
    int r = -ENOMEM;
    if (!kp || !cp || !up)
        goto out;
    int rk = file_read(kp, 65536, &key, &kl), rc = file_read(cp, 65536, &cert, &cl);
    int ru = file_read(up, 256, &uid, NULL);
    if (rk == 0 && rc == 0 && ru == 0) {
        uid[strcspn(uid, "\r\n")] = '\0';
        r = pf_net_identity_import(key, kl, cert, cl, uid, ret);
        if (r < 0)
            snprintf(err, err_len,
                     "the stored identity in %s is damaged (%s); move key.pem, cert.pem and "
                     "uniqueid away to create a new one (clients must pair again)",
                     state_dir, pf_strerror(r));
        goto out;
    }
    /* Without a key no client can have paired with this identity, so generating a new one
     * is safe; a key without its certificate or id is damage the user must look at. */
    if (rk != -ENOENT) {
        r = rk < 0 ? rk : (rc < 0 ? rc : ru);
        snprintf(err, err_len, "the identity in %s is incomplete or unreadable (%s)", state_dir,
                 strerror(-r));
        goto out;
    }
    pf_net_identity *id;
    r = pf_net_identity_create(hostname, &id);
    if (r < 0) {
        snprintf(err, err_len, "cannot create an identity: %s", pf_strerror(r));
        goto out;
    }
    char uidline[80];
    snprintf(uidline, sizeof(uidline), "%s\n", pf_net_identity_get_uniqueid(id));
    /* The key goes last: a crash in between leaves no key, which is detected above. */
    if ((r = dir_create(state_dir, 0700)) < 0 || (r = store(state_dir, "uniqueid", uidline)) < 0 ||
        (r = store(state_dir, "cert.pem", pf_net_identity_get_cert_pem(id))) < 0 ||
        (r = store(state_dir, "key.pem", pf_net_identity_get_key_pem(id))) < 0) {
        snprintf(err, err_len, "cannot store the identity in %s: %s", state_dir, strerror(-r));
        pf_net_identity_destroy(id);
        goto out;
    }
    *ret = id;
    r = 0;
out:
    free(kp);
    free(cp);
    free(up);
    free(key);
    free(cert);
    free(uid);
    return r;
}
