/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The management API endpoints the web console adds: login (password, session cookie,
 * CSRF token), the log tail, settings, client renaming, app ordering, box art and the
 * import of a Sunshine apps.json. Every route here is in pfhost/openapi.json as well. */
#include "mgmt_console.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fileio.h"
#include "grants.h"
#include "help.h"
#include "mgmt_logs.h"
#include "mgmt_settings.h"
#include "native.h"

#define MAX_BOXART (2u << 20)
#define MAX_JSON_BODY (64u * 1024u)
#define MAX_IMPORT_BODY (1u << 20)

typedef unsigned (*console_fn)(mgmt_call *call, const char *arg, json_object *body,
                               json_object **ret);

static unsigned fail(json_object **ret, unsigned status, const char *msg)
{
    *ret = json_object_new_object();
    json_object_object_add(*ret, "error", json_object_new_string(msg));
    return status;
}

static const char *get_string(json_object *body, const char *key)
{
    json_object *v;
    if (!body || !json_object_object_get_ex(body, key, &v) ||
        !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

static int is_loopback_peer(const char *peer)
{
    return peer && (strncmp(peer, "127.", 4) == 0 || strcmp(peer, "::1") == 0 ||
                    strncmp(peer, "::ffff:127.", 11) == 0);
}

static json_object *auth_json(const mgmt_call *call, const console_session *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "password_set",
                           json_object_new_boolean(console_has_password(call->console)));
    json_object_object_add(o, "logged_in", json_object_new_boolean(s != NULL));
    if (s)
        json_object_object_add(o, "csrf", json_object_new_string(s->csrf));
    return o;
}

static unsigned get_auth(mgmt_call *call, const char *arg, json_object *body, json_object **ret)
{
    *ret = auth_json(call, call->session);
    return 200;
}

static void start_session(mgmt_call *call, json_object **ret)
{
    const console_session *s = console_session_new(call->console, call->now_ms);
    console_cookie(call->console, s, call->secure, call->set_cookie, sizeof(call->set_cookie));
    *ret = auth_json(call, s);
}

static unsigned post_setup(mgmt_call *call, const char *arg, json_object *body,
                           json_object **ret)
{
    if (console_has_password(call->console))
        return fail(ret, 409, "the console password is already set; log in");
    /* Whoever reaches the port first must not own the host: the first password is set from
     * the host itself, or by a caller holding the API token. */
    if (!is_loopback_peer(call->peer) && !call->bearer)
        return fail(ret, 403, "the first password can only be set from the host itself "
                              "(localhost) or with the API token");
    const char *pw = get_string(body, "password");
    if (!pw)
        return fail(ret, 400, "expected {\"password\": \"...\"}");
    int r = console_set_password(call->console, pw, NULL);
    if (r == -EINVAL)
        return fail(ret, 400, "the password must be 8 to 256 characters long");
    if (r < 0)
        return fail(ret, 500, "could not store the password");
    start_session(call, ret);
    return 200;
}

static unsigned post_login(mgmt_call *call, const char *arg, json_object *body,
                           json_object **ret)
{
    uint64_t wait = mgmt_limit_locked(&call->console->login_limit, call->peer, call->now_ms);
    if (wait) {
        call->retry_after = (unsigned)((wait + 999) / 1000);
        return fail(ret, 429, "too many wrong passwords; try again later");
    }
    if (!console_has_password(call->console))
        return fail(ret, 409, "no password is set yet; set one first");
    const char *pw = get_string(body, "password");
    if (!pw)
        return fail(ret, 400, "expected {\"password\": \"...\"}");
    if (!console_check_password(call->console, pw)) {
        mgmt_limit_fail(&call->console->login_limit, call->peer, call->now_ms);
        return fail(ret, 401, "wrong password");
    }
    mgmt_limit_success(&call->console->login_limit, call->peer);
    start_session(call, ret);
    return 200;
}

static unsigned post_logout(mgmt_call *call, const char *arg, json_object *body,
                            json_object **ret)
{
    /* mgmt.c checked the CSRF token: a forged request cannot end the session. */
    if (call->session)
        console_session_end(call->console, call->session);
    call->session = NULL;
    console_cookie(call->console, NULL, call->secure, call->set_cookie,
                   sizeof(call->set_cookie));
    *ret = auth_json(call, NULL);
    return 200;
}

/* A new password: the current one is needed from a browser; the API token (a caller who can
 * read the host's files) may reset a forgotten one. Every other session ends. */
static unsigned put_password(mgmt_call *call, const char *arg, json_object *body,
                             json_object **ret)
{
    const char *cur = get_string(body, "current"), *pw = get_string(body, "password");
    if (!pw)
        return fail(ret, 400, "expected {\"current\": \"...\", \"password\": \"...\"}");
    if (!call->bearer) {
        uint64_t wait = mgmt_limit_locked(&call->console->login_limit, call->peer, call->now_ms);
        if (wait) {
            call->retry_after = (unsigned)((wait + 999) / 1000);
            return fail(ret, 429, "too many wrong passwords; try again later");
        }
        if (!console_check_password(call->console, cur)) {
            mgmt_limit_fail(&call->console->login_limit, call->peer, call->now_ms);
            return fail(ret, 403, "the current password is wrong");
        }
    }
    /* The browser that changes it stays logged in (its requests in flight keep working). */
    int r = console_set_password(call->console, pw, call->session);
    if (r == -EINVAL)
        return fail(ret, 400, "the password must be 8 to 256 characters long");
    if (r < 0)
        return fail(ret, 500, "could not store the password");
    host_log("console password changed");
    *ret = auth_json(call, call->session);
    return 200;
}

static unsigned get_logs(mgmt_call *call, const char *arg, json_object *body, json_object **ret)
{
    uint64_t after = 0;
    if (call->query_after) {
        char *end;
        after = strtoull(call->query_after, &end, 10);
        if (*end || call->query_after[0] == '-')
            return fail(ret, 400, "after must be a sequence number");
    }
    *ret = log_ring_to_json(after, 1000);
    return 200;
}

static unsigned get_session_history(mgmt_call *call, const char *arg, json_object *body,
                                    json_object **ret)
{
    *ret = history_to_json(call->history);
    return 200;
}

static unsigned get_settings(mgmt_call *call, const char *arg, json_object *body,
                             json_object **ret)
{
    *ret = settings_to_json(&call->h->cfg);
    return 200;
}

static unsigned put_settings(mgmt_call *call, const char *arg, json_object *body,
                             json_object **ret)
{
    host_config nc;
    unsigned st = settings_update(&call->h->cfg, body, ret, &nc);
    if (st == 200) {
        /* The keys that need no restart (help.c marks them live) take effect now: the host
         * reads them from its config where it uses them, on this same event loop. The values
         * passed the checks above; null means the default. */
        json_object *values;
        json_object_object_get_ex(body, "values", &values);
        host_config *c = &call->h->cfg;
        json_object_object_foreach(values, key, val)
        {
            const help_config_key *k = help_config_key_find(key);
            if (k && k->live && k->default_value)
                config_set(c, key, val ? json_object_get_string(val) : k->default_value);
        }
        call->api->limit.max_failures = c->api_max_failures ? c->api_max_failures : 1;
        call->api->limit.lockout_ms = (uint64_t)c->api_lockout_s * 1000;
        host_log("settings changed in %s", c->config_path);
    }
    config_free(&nc);
    return st;
}

/* PATCH a paired client: its name, and for a punktfunk/1 client its grants (§3.6), which
 * apply to its running sessions at once (AccessUpdate, input gating). */
static unsigned patch_client(mgmt_call *call, const char *arg, json_object *body,
                             json_object **ret)
{
    json_object *jn = NULL, *jg = NULL;
    int has_name = body && json_object_object_get_ex(body, "name", &jn);
    int has_grants = body && json_object_object_get_ex(body, "grants", &jg);
    const char *name = has_name ? get_string(body, "name") : NULL;
    if ((!has_name && !has_grants) || (has_name && (!name || !*name || strlen(name) > 64)))
        return fail(ret, 400, "expected {\"name\": \"...\"} of 1 to 64 characters and/or "
                              "{\"grants\": [...]}");
    const paired_client *pc = clients_find(&call->h->clients, arg);
    if (!pc)
        return fail(ret, 404, "no such client");
    uint32_t grants = 0;
    char err[200];
    if (has_grants) {
        if (pc->kind != CLIENT_NATIVE)
            return fail(ret, 400, "grants apply to punktfunk/1 (native) clients only");
        if (grants_from_json(jg, &grants, err, sizeof(err)) < 0)
            return fail(ret, 400, err);
    }
    int r = has_name ? clients_rename(&call->h->clients, arg, name) : 0;
    if (r == 0 && has_grants) {
        r = clients_set_grants(&call->h->clients, arg, grants);
        if (r == 0) {
            native_plane_set_grants(call->h->native, arg, grants);
            host_log("client %s: grants now 0x%02x", arg, grants);
        }
    }
    if (r == -ENOENT)
        return fail(ret, 404, "no such client");
    if (r < 0)
        return fail(ret, 500, "could not update the client store");
    pc = clients_find(&call->h->clients, arg);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_string(pc->id));
    json_object_object_add(o, "kind", json_object_new_string(client_kind_name(pc->kind)));
    json_object_object_add(o, "name", json_object_new_string(pc->name));
    json_object_object_add(o, "first_seen", json_object_new_int64(pc->first_seen));
    json_object_object_add(o, "last_seen", json_object_new_int64(pc->last_seen));
    if (pc->kind == CLIENT_NATIVE)
        json_object_object_add(o, "grants", grants_to_json(pc->grants));
    *ret = o;
    return 200;
}

static json_object *apps_list(const app_catalog *c)
{
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    for (size_t i = 0; i < c->n; i++)
        json_object_array_add(a, app_to_json(&c->v[i]));
    json_object_object_add(o, "apps", a);
    return o;
}

static unsigned put_app_order(mgmt_call *call, const char *arg, json_object *body,
                              json_object **ret)
{
    json_object *ids;
    if (!body || !json_object_object_get_ex(body, "ids", &ids) ||
        !json_object_is_type(ids, json_type_array) || json_object_array_length(ids) > 1000)
        return fail(ret, 400, "expected {\"ids\": [every app id in the new order]}");
    size_t n = json_object_array_length(ids);
    uint32_t *v = calloc(n ? n : 1, sizeof(*v));
    if (!v)
        return fail(ret, 500, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(ids, i);
        int64_t id = json_object_get_int64(e);
        if (!json_object_is_type(e, json_type_int) || id <= 0 || id > UINT32_MAX) {
            free(v);
            return fail(ret, 400, "app ids are positive integers");
        }
        v[i] = (uint32_t)id;
    }
    int r = apps_reorder(&call->h->apps, v, n);
    free(v);
    if (r == -EINVAL)
        return fail(ret, 400, "the list must hold every app id exactly once");
    if (r < 0)
        return fail(ret, 500, "could not save the app catalog");
    *ret = apps_list(&call->h->apps);
    return 200;
}

static int parse_app_id(const char *s, uint32_t *out)
{
    char *end;
    if (!s || *s < '1' || *s > '9')
        return -1;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || v > UINT32_MAX)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static unsigned get_boxart(mgmt_call *call, const char *arg, json_object *body,
                           json_object **ret)
{
    uint32_t id;
    if (parse_app_id(arg, &id) < 0)
        return fail(ret, 400, "app ids are positive integers");
    const uint8_t *png;
    size_t len;
    if (apps_art(&call->h->apps, id, &png, &len) < 0)
        return fail(ret, 404, "no such app");
    call->raw = png;
    call->raw_len = len;
    call->raw_type = "image/png";
    return 200;
}

/* A PNG whose IHDR is readable and of a sane size: what clients are told they get. */
static const char *check_png(const uint8_t *b, size_t n)
{
    if (n < 33 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 || memcmp(b + 12, "IHDR", 4) != 0)
        return "the image must be a PNG file";
    uint32_t w = (uint32_t)b[16] << 24 | (uint32_t)b[17] << 16 | (uint32_t)b[18] << 8 | b[19];
    uint32_t h = (uint32_t)b[20] << 24 | (uint32_t)b[21] << 16 | (uint32_t)b[22] << 8 | b[23];
    if (!w || !h || w > 4096 || h > 4096)
        return "the image must be at most 4096x4096 pixels";
    return NULL;
}

static unsigned put_boxart(mgmt_call *call, const char *arg, json_object *body,
                           json_object **ret)
{
    uint32_t id;
    if (parse_app_id(arg, &id) < 0)
        return fail(ret, 400, "app ids are positive integers");
    const app *a = apps_find(&call->h->apps, id);
    if (!a)
        return fail(ret, 404, "no such app");
    if (!call->content_type || strncmp(call->content_type, "image/png", 9) != 0)
        return fail(ret, 415, "box art is uploaded as image/png");
    if (call->len > MAX_BOXART)
        return fail(ret, 413, "box art is at most 2 MiB");
    const char *why = check_png((const uint8_t *)call->body, call->len);
    if (why)
        return fail(ret, 400, why);
    char name[64];
    snprintf(name, sizeof(name), "boxart/app-%u.png", id);
    char *dir = path_join(call->h->cfg.config_dir, "boxart");
    char *path = path_join(call->h->cfg.config_dir, name);
    int r = dir && path ? dir_create(dir, 0700) : -ENOMEM;
    if (r == 0)
        r = file_write_atomic(path, call->body, call->len, 0644);
    app copy;
    json_object *j = r == 0 ? app_to_json(a) : NULL;
    char err[200] = "";
    if (j) {
        json_object_object_add(j, "image-path", json_object_new_string(path));
        r = app_from_json(j, &copy, err, sizeof(err)) < 0 ? -EINVAL : 0;
        json_object_put(j);
        if (r == 0) {
            copy.id = id;
            r = apps_put(&call->h->apps, &copy);
            app_clear(&copy);
        }
    }
    free(dir);
    free(path);
    if (r < 0)
        return fail(ret, 500, "could not store the box art");
    *ret = app_to_json(apps_find(&call->h->apps, id));
    return 200;
}

static json_object *skipped(const char *name, const char *reason)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", json_object_new_string(name ? name : ""));
    json_object_object_add(o, "reason", json_object_new_string(reason));
    return o;
}

static int name_taken(const app_catalog *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->v[i].name, name) == 0)
            return 1;
    return 0;
}

/* Sunshine's apps.json: each app is checked like one POSTed to /apps. An app whose name is
 * already in the catalog is skipped (importing twice adds nothing); an image that is not a
 * PNG file on this machine is dropped with a note (Sunshine resolves image paths against its
 * own directory). */
static unsigned post_app_import(mgmt_call *call, const char *arg, json_object *body,
                                json_object **ret)
{
    json_object *apps;
    if (!body || !json_object_object_get_ex(body, "apps", &apps) ||
        !json_object_is_type(apps, json_type_array))
        return fail(ret, 400, "expected a Sunshine apps.json: {\"apps\": [...]}");
    json_object *imp = json_object_new_array(), *skip = json_object_new_array();
    for (size_t i = 0; i < json_object_array_length(apps); i++) {
        json_object *e = json_object_array_get_idx(apps, i);
        const char *name = get_string(e, "name");
        char err[200] = "";
        app a;
        if (!json_object_is_type(e, json_type_object)) {
            json_object_array_add(skip, skipped("", "not a JSON object"));
            continue;
        }
        /* Sunshine keeps its own ids; the catalog numbers imported apps itself. */
        json_object *copy = NULL;
        json_object_deep_copy(e, &copy, NULL);
        json_object_object_del(copy, "id");
        int r = app_from_json(copy, &a, err, sizeof(err));
        json_object_put(copy);
        if (r < 0) {
            json_object_array_add(skip, skipped(name, err));
            continue;
        }
        if (name_taken(&call->h->apps, a.name)) {
            json_object_array_add(skip, skipped(a.name, "an app of this name is already in "
                                                        "the catalog"));
            app_clear(&a);
            continue;
        }
        const char *note = NULL;
        struct stat st;
        if (a.image_path && (a.image_path[0] != '/' || stat(a.image_path, &st) < 0 ||
                             !S_ISREG(st.st_mode))) {
            note = "image not found on this host; the default box art is used";
            free(a.image_path);
            a.image_path = NULL;
        }
        char *kept = strdup(a.name);
        r = apps_put(&call->h->apps, &a);
        app_clear(&a);
        if (r < 0) {
            json_object_array_add(skip, skipped(kept, r == -ENOSPC ? "the catalog is full"
                                                                   : "could not save"));
            free(kept);
            continue;
        }
        const app *added = &call->h->apps.v[call->h->apps.n - 1];
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_int64(added->id));
        json_object_object_add(o, "name", json_object_new_string(kept));
        if (note)
            json_object_object_add(o, "note", json_object_new_string(note));
        json_object_array_add(imp, o);
        free(kept);
    }
    *ret = json_object_new_object();
    json_object_object_add(*ret, "imported", imp);
    json_object_object_add(*ret, "skipped", skip);
    return 200;
}

static const struct console_route {
    const char *method;
    const char *pattern; /* "{id}" matches one path segment */
    console_fn fn;
} routes[] = {
    {"GET", "/api/v1/auth", get_auth},
    {"POST", "/api/v1/auth/setup", post_setup},
    {"POST", "/api/v1/auth/login", post_login},
    {"POST", "/api/v1/auth/logout", post_logout},
    {"PUT", "/api/v1/password", put_password},
    {"GET", "/api/v1/logs", get_logs},
    {"GET", "/api/v1/session-history", get_session_history},
    {"GET", "/api/v1/settings", get_settings},
    {"PUT", "/api/v1/settings", put_settings},
    {"PATCH", "/api/v1/clients/{id}", patch_client},
    {"PUT", "/api/v1/app-order", put_app_order},
    {"POST", "/api/v1/app-import", post_app_import},
    {"GET", "/api/v1/apps/{id}/boxart", get_boxart},
    {"PUT", "/api/v1/apps/{id}/boxart", put_boxart},
};
#define NROUTES (sizeof(routes) / sizeof(routes[0]))

int mconsole_is_public(const char *path)
{
    return strncmp(path, "/api/v1/auth", 12) == 0 && (!path[12] || path[12] == '/');
}

size_t mconsole_max_body(const char *url)
{
    size_t n = strlen(url);
    if (n > 7 && strcmp(url + n - 7, "/boxart") == 0)
        return MAX_BOXART;
    if (strcmp(url, "/api/v1/app-import") == 0)
        return MAX_IMPORT_BODY;
    return MAX_JSON_BODY;
}

static int match(const char *pattern, const char *path, char *arg, size_t cap)
{
    const char *brace = strstr(pattern, "{id}");
    if (!brace)
        return strcmp(pattern, path) == 0;
    size_t pre = (size_t)(brace - pattern);
    if (strncmp(pattern, path, pre) != 0)
        return 0;
    const char *seg = path + pre, *slash = strchr(seg, '/');
    size_t n = slash ? (size_t)(slash - seg) : strlen(seg);
    if (n == 0 || n >= cap || strcmp(slash ? slash : "", brace + 4) != 0)
        return 0;
    memcpy(arg, seg, n);
    arg[n] = '\0';
    return 1;
}

unsigned mconsole_dispatch(mgmt_call *call, json_object **ret)
{
    char arg[128];
    int path_known = 0;
    for (size_t i = 0; i < NROUTES; i++) {
        if (!match(routes[i].pattern, call->path, arg, sizeof(arg)))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, call->method) != 0)
            continue;
        json_object *j = NULL;
        int raw = routes[i].fn == put_boxart;
        if (!raw && call->len > MAX_JSON_BODY && routes[i].fn != post_app_import)
            return fail(ret, 413, "request body too large");
        if (!raw && call->body && call->len) {
            enum json_tokener_error jerr;
            j = json_tokener_parse_verbose(call->body, &jerr);
            if (!j)
                return fail(ret, 400, "the body is not valid JSON");
        }
        unsigned st = routes[i].fn(call, arg, j, ret);
        json_object_put(j);
        return st;
    }
    /* A method the console's table lacks on a path it shares with mgmt_routes.c
     * (/clients/{id}) goes on to that table. */
    if (path_known && strncmp(call->path, "/api/v1/clients/", 16) != 0)
        return fail(ret, 405, "method not allowed on this path");
    return 0;
}
