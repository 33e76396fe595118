/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_ROUTES_H
#define PFHOST_MGMT_ROUTES_H

#include <stddef.h>

#include <json-c/json.h>

#include "host.h"

/* Runs the endpoint for @p method and @p path; returns the HTTP status and the JSON body in
 * @p ret (owned by the caller). */
unsigned mroute_dispatch(host *h, const char *method, const char *path, const char *body,
                         size_t body_len, json_object **ret);
json_object *mroute_error(const char *msg);

#endif
