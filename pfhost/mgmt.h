/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_H
#define PFHOST_MGMT_H

#include <stdint.h>

#include "host.h"

/* The management REST API (/api/v1, JSON, bearer token). On a loopback address it speaks
 * plain HTTP; on any other address HTTPS only, with the host certificate. */
int mgmt_create(host *h, const char *token, mgmt **ret, char *err, size_t err_len);
void mgmt_destroy(mgmt *m);
int mgmt_get_fd(const mgmt *m);
int64_t mgmt_get_timeout(const mgmt *m);
void mgmt_dispatch(mgmt *m);
uint16_t mgmt_get_port(const mgmt *m);
int mgmt_is_tls(const mgmt *m);

#endif
