/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "identity_store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pf/core/error.h"
#include "pf/net_native.h"

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

int native_identity_load_or_create(const char *state_dir, const char *hostname,
                                   char **ret_cert_pem, char **ret_key_pem, char *err,
                                   size_t err_len)
{
    char *kp = path_join(state_dir, "native-key.pem");
    char *cp = path_join(state_dir, "native-cert.pem");
    char *key = NULL, *cert = NULL;
    int r = -ENOMEM;
    if (!kp || !cp)
        goto out;
    int rk = file_read(kp, 65536, &key, NULL), rc = file_read(cp, 65536, &cert, NULL);
    if (rk == 0 && rc == 0) {
        r = pf_net_quic_cert_check_pair(key, cert);
        if (r < 0) {
            snprintf(err, err_len,
                     "the stored punktfunk/1 identity in %s is damaged (%s); move "
                     "native-key.pem and native-cert.pem away to create a new one (native "
                     "clients must pair again)",
                     state_dir, pf_strerror(r));
            goto out;
        }
        *ret_cert_pem = cert;
        *ret_key_pem = key;
        cert = key = NULL;
        goto out;
    }
    /* As for the GameStream identity: no key means nobody pinned it yet. */
    if (rk != -ENOENT) {
        r = rk < 0 ? rk : rc;
        snprintf(err, err_len, "the punktfunk/1 identity in %s is incomplete or unreadable (%s)",
                 state_dir, strerror(-r));
        goto out;
    }
    char *nk, *nc;
    r = pf_net_quic_cert_generate(hostname, &nk, &nc);
    if (r < 0) {
        snprintf(err, err_len, "cannot create the punktfunk/1 certificate: %s", pf_strerror(r));
        goto out;
    }
    /* The key goes last, so a crash in between leaves no key (detected above). */
    if ((r = dir_create(state_dir, 0700)) < 0 || (r = store(state_dir, "native-cert.pem", nc)) < 0 ||
        (r = store(state_dir, "native-key.pem", nk)) < 0) {
        snprintf(err, err_len, "cannot store the punktfunk/1 identity in %s: %s", state_dir,
                 strerror(-r));
        pf_net_quic_free(nk);
        pf_net_quic_free(nc);
        goto out;
    }
    *ret_cert_pem = strdup(nc);
    *ret_key_pem = strdup(nk);
    memset(nk, 0, strlen(nk));
    pf_net_quic_free(nk);
    pf_net_quic_free(nc);
    r = *ret_cert_pem && *ret_key_pem ? 0 : -ENOMEM;
out:
    free(kp);
    free(cp);
    if (key)
        memset(key, 0, strlen(key));
    free(key);
    free(cert);
    return r;
}
