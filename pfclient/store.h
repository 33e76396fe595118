/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFCLIENT_STORE_H
#define PFCLIENT_STORE_H

#include <stdint.h>

/* pfclient's own state, in $PFCLIENT_DIR, else $XDG_CONFIG_HOME/pfclient, else
 * ~/.config/pfclient: its identity (client-cert.pem, client-key.pem; created on first use)
 * and the hosts it paired with (hosts: one "ADDRESS:PORT HEX-FINGERPRINT" per line). Every
 * file is written atomically with mode 0600. */

/* Loads or creates the identity. Returns 0 or a negative error (message printed). */
int store_identity(char **ret_cert_pem, char **ret_key_pem);
/* The pinned fingerprint of @p host_key ("ADDRESS:PORT"): 1 found, 0 none, < 0 error. */
int store_host_get(const char *host_key, uint8_t fp[32]);
/* Pins @p fp for @p host_key (replacing an older pin). */
int store_host_set(const char *host_key, const uint8_t fp[32]);
/* The directory, for messages. */
const char *store_dir(void);

#endif
