/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_IDENTITY_STORE_H
#define PFHOST_IDENTITY_STORE_H

#include "pf/net.h"

/* Loads key.pem, cert.pem and uniqueid from @p state_dir, or generates them on first start
 * and stores each atomically with 0600 permissions. Damaged files are kept as NAME.bad and
 * the last good copies (NAME.good) restored, else a new identity is made: then 1 is returned
 * with the reason in @p err (also logged). Returns 0, 1, or a negative error (@p err says
 * why). */
int identity_load_or_create(const char *state_dir, const char *hostname,
                            pf_net_identity **ret, char *err, size_t err_len);

#endif
