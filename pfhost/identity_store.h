/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_IDENTITY_STORE_H
#define PFHOST_IDENTITY_STORE_H

#include "pf/net.h"

/* Loads key.pem, cert.pem and uniqueid from @p state_dir, or generates them on first start
 * and stores each atomically with 0600 permissions. Returns 0 or a negative error; @p err
 * says why. */
int identity_load_or_create(const char *state_dir, const char *hostname,
                            pf_net_identity **ret, char *err, size_t err_len);

/* Loads native-cert.pem and native-key.pem (the punktfunk/1 ECDSA P-256 certificate clients
 * pin by the SHA-256 of its DER) from @p state_dir, or creates them on first start (0600,
 * atomic). The caller frees both strings. Returns 0, or < 0 with a message in @p err. */
int native_identity_load_or_create(const char *state_dir, const char *hostname,
                                   char **ret_cert_pem, char **ret_key_pem, char *err,
                                   size_t err_len);

#endif
