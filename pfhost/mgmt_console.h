/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_CONSOLE_H
#define PFHOST_MGMT_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "host.h"
#include "mgmt_auth.h"
#include "mgmt_history.h"
#include "mgmt_session.h"

/* One management request as the console's endpoints see it. */
typedef struct mgmt_call {
    host *h;
    console_auth *console;
    mgmt_auth *api;
    const char *method, *path, *peer;
    const char *body;
    size_t len;
    const char *content_type;
    const char *query_after;          /* ?after= of GET /logs */
    const console_session *session;   /* the browser's session, NULL for bearer callers */
    int bearer;                       /* authenticated with the API token */
    int secure;                       /* served over HTTPS: cookies get Secure */
    uint64_t now_ms;
    const mgmt_history *history;      /* the sessions' recent figures */
    char set_cookie[256];             /* out: a Set-Cookie header, "" = none */
    unsigned retry_after;             /* out: Retry-After seconds, 0 = none */
    const uint8_t *raw;               /* out: a non-JSON body (box art) ... */
    size_t raw_len;
    const char *raw_type;             /* ... and its Content-Type */
} mgmt_call;

/* 1 for the paths anyone may call (the login endpoints). */
int mconsole_is_public(const char *path);
/* Runs the console's endpoint for the call; returns its status and JSON in @p ret, or 0 when
 * the path is not one of them (mgmt_routes.c's table is next). */
unsigned mconsole_dispatch(mgmt_call *call, json_object **ret);
/* Largest body the path accepts (box art is bigger than JSON). */
size_t mconsole_max_body(const char *url);

#endif
