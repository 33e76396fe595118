/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Management API endpoints (/api/v1). Every route here must be in pfhost/openapi.json; the
 * integration test checks both directions. */
#include "mgmt_routes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pf/core/common.h"
#include "pf/core/error.h"
#include "pf/net.h"

#include "mgmt.h"
#include "native.h"

typedef unsigned (*route_fn)(host *h, const char *arg, json_object *body, json_object **ret);

json_object *mroute_error(const char *msg)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", json_object_new_string(msg));
    return o;
}

static unsigned fail(json_object **ret, unsigned status, const char *msg)
{
    *ret = mroute_error(msg);
    return status;
}

static json_object *encoders_json(uint32_t mask)
{
    json_object *a = json_object_new_array();
    static const struct {
        uint32_t bit;
        const char *name;
    } names[] = {{PF_NET_GS_CODEC_H264, "h264"},
                 {PF_NET_GS_CODEC_HEVC, "hevc"},
                 {PF_NET_GS_CODEC_HEVC_MAIN10, "hevc-main10"},
                 {PF_NET_GS_CODEC_AV1_MAIN8, "av1"},
                 {PF_NET_GS_CODEC_AV1_MAIN10, "av1-main10"}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (mask & names[i].bit)
            json_object_array_add(a, json_object_new_string(names[i].name));
    return a;
}

/* Each codec the host knows: offered or not, and the encoder or the reason. */
static json_object *codecs_json(const host *h)
{
    static const char *const names[HOST_CODECS] = HOST_CODEC_NAMES;
    static const uint32_t bits[HOST_CODECS] = {PF_NET_GS_CODEC_H264, PF_NET_GS_CODEC_HEVC,
                                               PF_NET_GS_CODEC_AV1_MAIN8};
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < HOST_CODECS; i++) {
        json_object *c = json_object_new_object();
        json_object_object_add(c, "codec", json_object_new_string(names[i]));
        json_object_object_add(c, "offered", json_object_new_boolean(!!(h->codec_mask & bits[i])));
        json_object_object_add(c, "detail", json_object_new_string(h->codec_why[i]));
        json_object_array_add(a, c);
    }
    return a;
}

static unsigned get_status(host *h, const char *arg, json_object *body, json_object **ret)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "version", json_object_new_string(pf_net_version_string()));
    json_object_object_add(o, "hostname", json_object_new_string(h->cfg.hostname));
    json_object_object_add(o, "uniqueid",
                           json_object_new_string(pf_net_identity_get_uniqueid(h->id)));
    json_object_object_add(o, "uptime_s",
                           json_object_new_int64((int64_t)((host_now_ms() - h->started_ms) / 1000)));
    json_object_object_add(o, "encoders", encoders_json(h->codec_mask));
    json_object_object_add(o, "capture_backend", json_object_new_string(h->capture_source));
    if (h->use_desktops)
        json_object_object_add(o, "capture", desktops_status(&h->desktops));
    json_object_object_add(o, "sessions", json_object_new_int64((int64_t)h->sessions.n));
    json_object_object_add(o, "current_app", json_object_new_int64(h->sessions.app_id));
    json_object_object_add(o, "pairing_waiting",
                           json_object_new_int64(pf_net_gs_server_get_pairing_waiting(h->gs)));
    json_object *ports = json_object_new_object();
    json_object_object_add(ports, "http", json_object_new_int(pf_net_gs_server_get_port(h->gs, 0)));
    json_object_object_add(ports, "https", json_object_new_int(pf_net_gs_server_get_port(h->gs, 1)));
    json_object_object_add(ports, "rtsp",
                           json_object_new_int(pf_net_gs_server_get_rtsp_port(h->gs)));
    json_object_object_add(o, "ports", ports);
    json_object_object_add(o, "codecs", codecs_json(h));
    if (h->native) {
        json_object *n = json_object_new_object();
        json_object_object_add(n, "port", json_object_new_int(native_plane_port(h->native)));
        json_object_object_add(n, "fingerprint",
                               json_object_new_string(native_plane_fingerprint(h->native)));
        json_object_object_add(n, "sessions",
                               json_object_new_int64(native_plane_sessions(h->native)));
        json_object_object_add(o, "native", n);
    }
    *ret = o;
    return 200;
}

static unsigned post_native_pair(host *h, const char *arg, json_object *body, json_object **ret)
{
    if (!h->native)
        return fail(ret, 409, "punktfunk/1 is off on this host (config native = no)");
    char pin[5];
    uint32_t ttl;
    if (native_plane_arm_pairing(h->native, pin, &ttl) < 0)
        return fail(ret, 500, "cannot draw a PIN");
    json_object *o = json_object_new_object();
    json_object_object_add(o, "pin", json_object_new_string(pin));
    json_object_object_add(o, "expires_s", json_object_new_int64(ttl));
    *ret = o;
    return 200;
}

static unsigned get_clients(host *h, const char *arg, json_object *body, json_object **ret)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "clients", clients_to_json(&h->clients));
    *ret = o;
    return 200;
}

static unsigned delete_client(host *h, const char *arg, json_object *body, json_object **ret)
{
    int r = host_unpair(h, arg);
    if (r == -ENOENT)
        return fail(ret, 404, "no such client");
    if (r < 0)
        return fail(ret, 500, "could not update the client store");
    json_object *o = json_object_new_object();
    json_object_object_add(o, "removed", json_object_new_string(arg));
    *ret = o;
    return 200;
}

static unsigned get_pairing(host *h, const char *arg, json_object *body, json_object **ret)
{
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    uint64_t now = host_now_ms();
    pf_net_gs_pair_attempt at = {.struct_size = sizeof(at)};
    for (uint32_t i = 0; pf_net_gs_server_get_pairing_attempt(h->gs, i, now, &at) == 0; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "id", json_object_new_string(at.id));
        json_object_object_add(e, "name", json_object_new_string(at.device_name));
        json_object_object_add(e, "address", json_object_new_string(at.address));
        json_object_object_add(e, "age_s", json_object_new_int64((int64_t)(at.age_ms / 1000)));
        json_object_array_add(a, e);
    }
    json_object_object_add(o, "attempts", a);
    *ret = o;
    return 200;
}

static unsigned post_pin(host *h, const char *arg, json_object *body, json_object **ret)
{
    json_object *pin, *attempt = NULL;
    if (!body || !json_object_object_get_ex(body, "pin", &pin) ||
        !json_object_is_type(pin, json_type_string))
        return fail(ret, 400, "expected {\"pin\": \"1234\"}");
    if (json_object_object_get_ex(body, "attempt", &attempt) &&
        !json_object_is_type(attempt, json_type_string))
        return fail(ret, 400, "\"attempt\" is the id of a waiting attempt (a string)");
    int r = pf_net_gs_server_set_pin2(h->gs, json_object_get_string(pin),
                                      attempt ? json_object_get_string(attempt) : NULL,
                                      host_now_ms());
    if (r == PF_ERR_INVALID_ARGUMENT)
        return fail(ret, 400, "the PIN must be four digits");
    if (r == PF_ERR_LIMIT)
        return fail(ret, 429, "pairing is locked after too many failed attempts");
    if (r == PF_ERR_NOT_FOUND)
        return fail(ret, 404, attempt ? "no pairing attempt with this id waits for a PIN"
                                      : "no pairing attempt waits for a PIN; start pairing "
                                        "on the client first");
    if (r == PF_ERR_STATE)
        return fail(ret, 409, "several pairing attempts wait for a PIN; choose the one with "
                              "your client's name and address (GET /api/v1/pairing) and send "
                              "its id as \"attempt\"");
    if (r == PF_ERR_REPLAY)
        return fail(ret, 409, "this PIN was already given to a pairing attempt; cancel "
                              "pairing on the client and start again for a new PIN");
    if (r < 0)
        return fail(ret, 500, pf_strerror(r));
    json_object *o = json_object_new_object();
    json_object_object_add(o, "accepted", json_object_new_boolean(1));
    *ret = o;
    return 200;
}

static unsigned get_apps(host *h, const char *arg, json_object *body, json_object **ret)
{
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    for (size_t i = 0; i < h->apps.n; i++)
        json_object_array_add(a, app_to_json(&h->apps.v[i]));
    json_object_object_add(o, "apps", a);
    *ret = o;
    return 200;
}

static int parse_id(const char *s, uint32_t *out)
{
    char *end;
    errno = 0;
    /* Digits only: strtoul alone would also take "+1", " 1" and "-1". */
    if (!s || *s < '1' || *s > '9')
        return -1;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || errno || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static unsigned put_app_common(host *h, uint32_t id, json_object *body, json_object **ret,
                               unsigned ok_status)
{
    char err[200] = "";
    app a;
    if (!body)
        return fail(ret, 400, "expected a JSON app object");
    if (app_from_json(body, &a, err, sizeof(err)) < 0)
        return fail(ret, 400, err);
    a.id = id;
    int r = apps_put(&h->apps, &a);
    app_clear(&a);
    if (r < 0)
        return fail(ret, 500, "could not save the app catalog");
    /* A new app is appended, so without an id it is the last one. */
    const app *saved = id ? apps_find(&h->apps, id) : &h->apps.v[h->apps.n - 1];
    *ret = app_to_json(saved);
    return ok_status;
}

static unsigned post_app(host *h, const char *arg, json_object *body, json_object **ret)
{
    return put_app_common(h, 0, body, ret, 201);
}

static unsigned put_app(host *h, const char *arg, json_object *body, json_object **ret)
{
    uint32_t id;
    if (parse_id(arg, &id) < 0)
        return fail(ret, 400, "app ids are positive integers");
    if (!apps_find(&h->apps, id))
        return fail(ret, 404, "no such app");
    return put_app_common(h, id, body, ret, 200);
}

static unsigned delete_app(host *h, const char *arg, json_object *body, json_object **ret)
{
    uint32_t id;
    if (parse_id(arg, &id) < 0)
        return fail(ret, 400, "app ids are positive integers");
    if (id == h->sessions.app_id)
        return fail(ret, 409, "the app is running");
    int r = apps_remove(&h->apps, id);
    if (r == -ENOENT)
        return fail(ret, 404, "no such app");
    if (r < 0)
        return fail(ret, 500, "could not save the app catalog");
    json_object *o = json_object_new_object();
    json_object_object_add(o, "removed", json_object_new_int64(id));
    *ret = o;
    return 200;
}

static unsigned get_sessions(host *h, const char *arg, json_object *body, json_object **ret)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "sessions", sessions_to_json(&h->sessions));
    *ret = o;
    return 200;
}

static unsigned delete_session(host *h, const char *arg, json_object *body, json_object **ret)
{
    uint32_t id;
    if (parse_id(arg, &id) < 0)
        return fail(ret, 400, "session ids are positive integers");
    if (sessions_close(&h->sessions, id) < 0)
        return fail(ret, 404, "no such session");
    json_object *o = json_object_new_object();
    json_object_object_add(o, "removed", json_object_new_int64(id));
    *ret = o;
    return 200;
}

static const struct route {
    const char *method;
    const char *pattern; /* "{id}" matches one path segment */
    route_fn fn;
} routes[] = {
    {"GET", "/api/v1/status", get_status},
    {"GET", "/api/v1/clients", get_clients},
    {"DELETE", "/api/v1/clients/{id}", delete_client},
    {"POST", "/api/v1/pin", post_pin},
    {"POST", "/api/v1/native/pair", post_native_pair},
    {"GET", "/api/v1/apps", get_apps},
    {"POST", "/api/v1/apps", post_app},
    {"PUT", "/api/v1/apps/{id}", put_app},
    {"DELETE", "/api/v1/apps/{id}", delete_app},
    {"GET", "/api/v1/sessions", get_sessions},
    {"DELETE", "/api/v1/sessions/{id}", delete_session},
    {"GET", "/api/v1/pairing", get_pairing},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Matches @p path against @p pattern; the {id} segment is copied to @p arg. */
static int match(const char *pattern, const char *path, char *arg, size_t cap)
{
    const char *brace = strstr(pattern, "{id}");
    if (!brace)
        return strcmp(pattern, path) == 0;
    size_t pre = (size_t)(brace - pattern);
    if (strncmp(pattern, path, pre) != 0)
        return 0;
    const char *seg = path + pre;
    size_t n = strlen(seg);
    if (n == 0 || n >= cap || strchr(seg, '/'))
        return 0;
    memcpy(arg, seg, n + 1);
    return 1;
}

/* One JSON document and nothing after it but white space: json-c alone stops at the end of
 * the first value and would ignore trailing garbage. */
static json_object *parse_body(const char *body, size_t len)
{
    if (len > INT32_MAX)
        return NULL;
    json_tokener *tok = json_tokener_new();
    if (!tok)
        return NULL;
    json_object *j = json_tokener_parse_ex(tok, body, (int)len);
    size_t used = j ? json_tokener_get_parse_end(tok) : 0;
    json_tokener_free(tok);
    while (j && used < len && strchr(" \t\r\n", body[used]) && body[used])
        used++;
    if (j && used != len) {
        json_object_put(j);
        j = NULL;
    }
    return j;
}

unsigned mroute_dispatch(host *h, const char *method, const char *path, const char *body,
                         size_t body_len, json_object **ret)
{
    char arg[128];
    int path_known = 0;
    for (size_t i = 0; i < NROUTES; i++) {
        if (!match(routes[i].pattern, path, arg, sizeof(arg)))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, method) != 0)
            continue;
        json_object *j = NULL;
        if (body && body_len && (j = parse_body(body, body_len)) == NULL)
            return fail(ret, 400, "the body is not one valid JSON document");
        unsigned st = routes[i].fn(h, arg, j, ret);
        json_object_put(j);
        return st;
    }
    return path_known ? fail(ret, 405, "method not allowed on this path")
                      : fail(ret, 404, "no such endpoint");
}
