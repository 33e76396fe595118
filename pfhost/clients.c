/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clients.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "grants.h"

static int save(const client_store *s)
{
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(root, "clients", arr);
    for (size_t i = 0; i < s->n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(s->v[i].id));
        json_object_object_add(o, "kind", json_object_new_string(client_kind_name(s->v[i].kind)));
        json_object_object_add(o, "name", json_object_new_string(s->v[i].name));
        if (s->v[i].cert_pem)
            json_object_object_add(o, "cert", json_object_new_string(s->v[i].cert_pem));
        if (s->v[i].kind == CLIENT_NATIVE)
            json_object_object_add(o, "grants", json_object_new_int64(s->v[i].grants));
        json_object_object_add(o, "first_seen", json_object_new_int64(s->v[i].first_seen));
        json_object_object_add(o, "last_seen", json_object_new_int64(s->v[i].last_seen));
        json_object_array_add(arr, o);
    }
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
    int r = text ? file_write_atomic(s->path, text, strlen(text), 0600) : -ENOMEM;
    if (r == 0)
        file_keep_good(s->path, text, strlen(text));
    json_object_put(root);
    return r;
}

static void client_clear(paired_client *c)
{
    free(c->name);
    free(c->cert_pem);
    memset(c, 0, sizeof(*c));
}

static int get_str(json_object *o, const char *key, int required, const char **out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return required ? -1 : 0;
    if (!json_object_is_type(v, json_type_string))
        return -1;
    *out = json_object_get_string(v);
    return 0;
}

static int get_time(json_object *o, const char *key, int64_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v))
        return 0;
    if (!json_object_is_type(v, json_type_int))
        return -1;
    *out = json_object_get_int64(v);
    return 0;
}

static int get_grants(json_object *o, uint32_t *out)
{
    json_object *v;
    if (!json_object_object_get_ex(o, "grants", &v))
        return 0;
    if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
        json_object_get_int64(v) > 0xff)
        return -1;
    *out = (uint32_t)json_object_get_int64(v);
    return 0;
}

/* Parses the store from @p data; any malformed value fails the whole file with a reason. */
static int parse_store(void *ctx, const char *path, const char *data, char *err,
                       size_t err_len)
{
    client_store *s = ctx;
    json_object *root = json_tokener_parse(data);
    json_object *arr;
    if (!root || !json_object_object_get_ex(root, "clients", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        snprintf(err, err_len, "%s is not a client list", path);
        json_object_put(root);
        return -1;
    }
    size_t n = json_object_array_length(arr);
    s->v = calloc(n ? n : 1, sizeof(*s->v));
    if (!s->v) {
        snprintf(err, err_len, "out of memory");
        json_object_put(root);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i);
        const char *id = NULL, *name = "unknown", *cert = NULL, *kind = "moonlight";
        paired_client c = {0};
        const char *why = NULL;
        /* Entries written before kinds existed are Moonlight clients. A Moonlight client is
         * known by pf_net_cert_id (16 hex digits) and needs its certificate; a native one by
         * its certificate's SHA-256 (64 hex digits) and carries its grants instead. */
        if (!json_object_is_type(o, json_type_object))
            why = "is not an object";
        else if (get_str(o, "kind", 0, &kind) < 0 ||
                 (strcmp(kind, "moonlight") && strcmp(kind, "native")))
            why = "\"kind\" is neither \"moonlight\" nor \"native\"";
        else {
            c.kind = strcmp(kind, "native") ? CLIENT_MOONLIGHT : CLIENT_NATIVE;
            size_t id_len = c.kind == CLIENT_NATIVE ? 64 : 16;
            c.grants = 0xffu;
            if (get_str(o, "id", 1, &id) < 0 || strlen(id) != id_len ||
                strspn(id, "0123456789abcdef") != id_len)
                why = c.kind == CLIENT_NATIVE ? "\"id\" is not 64 hex digits"
                                              : "\"id\" is not 16 hex digits";
            else if (get_str(o, "name", 0, &name) < 0)
                why = "\"name\" is not a string";
            else if (c.kind == CLIENT_MOONLIGHT && (get_str(o, "cert", 1, &cert) < 0 || !*cert))
                why = "\"cert\" is not a certificate (PEM text)";
            else if (c.kind == CLIENT_NATIVE && get_grants(o, &c.grants) < 0)
                why = "\"grants\" is not an integer from 0 to 255";
            else if (get_time(o, "first_seen", &c.first_seen) < 0 ||
                     get_time(o, "last_seen", &c.last_seen) < 0)
                why = "\"first_seen\" or \"last_seen\" is not an integer";
            else if (clients_find(s, id))
                why = "repeats an earlier client's id";
        }
        if (why) {
            snprintf(err, err_len, "%s: client %zu %s", path, i + 1, why);
            json_object_put(root);
            return -1;
        }
        paired_client *d = &s->v[s->n];
        *d = c;
        snprintf(d->id, sizeof(d->id), "%s", id);
        d->name = strdup(name);
        d->cert_pem = cert ? strdup(cert) : NULL;
        s->n++;
        if (!d->name || (cert && !d->cert_pem)) {
            snprintf(err, err_len, "out of memory");
            json_object_put(root);
            return -1;
        }
    }
    json_object_put(root);
    return 0;
}

static void clear_entries(client_store *s)
{
    for (size_t i = 0; i < s->n; i++)
        client_clear(&s->v[i]);
    free(s->v);
    s->v = NULL;
    s->n = 0;
}

static void reset_store(void *ctx)
{
    clear_entries(ctx);
}

int clients_load(client_store *s, const char *path, char *err, size_t err_len)
{
    memset(s, 0, sizeof(*s));
    s->path = strdup(path);
    if (!s->path) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    file_loader l = {s, parse_store, reset_store, "no paired clients"};
    int r = file_load_checked(path, 16 << 20, &l, err, err_len);
    return r == -ENOENT ? 0 : r;
}

void clients_free(client_store *s)
{
    for (size_t i = 0; i < s->n; i++)
        client_clear(&s->v[i]);
    free(s->v);
    free(s->path);
    memset(s, 0, sizeof(*s));
}

const paired_client *clients_find(const client_store *s, const char *id)
{
    for (size_t i = 0; id && i < s->n; i++)
        if (strcmp(s->v[i].id, id) == 0)
            return &s->v[i];
    return NULL;
}

/* The entry for @p id, created (first seen @p now) when there is none; NULL without memory. */
static paired_client *find_or_create(client_store *s, const char *id, int64_t now)
{
    paired_client *c = (paired_client *)clients_find(s, id);
    if (c)
        return c;
    paired_client *v = realloc(s->v, (s->n + 1) * sizeof(*v));
    if (!v)
        return NULL;
    s->v = v;
    c = &s->v[s->n++];
    memset(c, 0, sizeof(*c));
    snprintf(c->id, sizeof(c->id), "%s", id);
    c->first_seen = now;
    return c;
}

int clients_add(client_store *s, const char *id, const char *name, const char *cert_pem,
                int64_t now)
{
    paired_client *c = find_or_create(s, id, now);
    if (!c)
        return -ENOMEM;
    free(c->name);
    free(c->cert_pem);
    c->name = strdup(name ? name : "unknown");
    c->cert_pem = strdup(cert_pem);
    c->last_seen = now;
    if (!c->name || !c->cert_pem)
        return -ENOMEM;
    return save(s);
}

const char *client_kind_name(client_kind k)
{
    return k == CLIENT_NATIVE ? "native" : "moonlight";
}

int clients_add_native(client_store *s, const char *fp_hex, const char *name, uint32_t grants,
                       int64_t now)
{
    if (strlen(fp_hex) != 64)
        return -EINVAL;
    paired_client *c = find_or_create(s, fp_hex, now);
    if (!c)
        return -ENOMEM;
    free(c->name);
    free(c->cert_pem);
    c->cert_pem = NULL;
    c->kind = CLIENT_NATIVE;
    c->grants = grants & 0xffu;
    c->name = strdup(name && *name ? name : "unknown");
    c->last_seen = now;
    if (!c->name)
        return -ENOMEM;
    return save(s);
}

int clients_remove(client_store *s, const char *id)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].id, id) != 0)
            continue;
        client_clear(&s->v[i]);
        s->v[i] = s->v[s->n - 1];
        s->n--;
        return save(s);
    }
    return -ENOENT;
}

void clients_touch(client_store *s, const char *id, int64_t now)
{
    paired_client *c = (paired_client *)clients_find(s, id);
    if (!c)
        return;
    c->last_seen = now;
    (void)save(s);
}

json_object *clients_to_json(const client_store *s)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < s->n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(s->v[i].id));
        json_object_object_add(o, "kind", json_object_new_string(client_kind_name(s->v[i].kind)));
        json_object_object_add(o, "name", json_object_new_string(s->v[i].name));
        json_object_object_add(o, "first_seen", json_object_new_int64(s->v[i].first_seen));
        json_object_object_add(o, "last_seen", json_object_new_int64(s->v[i].last_seen));
        if (s->v[i].kind == CLIENT_NATIVE)
            json_object_object_add(o, "grants", grants_to_json(s->v[i].grants));
        json_object_array_add(arr, o);
    }
    return arr;
}

int clients_set_grants(client_store *s, const char *id, uint32_t grants)
{
    paired_client *c = (paired_client *)clients_find(s, id);
    if (!c)
        return -ENOENT;
    if (c->kind != CLIENT_NATIVE)
        return -EINVAL;
    uint32_t old = c->grants;
    c->grants = grants & 0xffu;
    int r = save(s);
    if (r < 0)
        c->grants = old; /* memory and file stay the same */
    return r;
}

int clients_rename(client_store *s, const char *id, const char *name)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->v[i].id, id) != 0)
            continue;
        char *n = strdup(name), *old = s->v[i].name;
        if (!n)
            return -ENOMEM;
        s->v[i].name = n;
        int r = save(s);
        if (r < 0) {
            s->v[i].name = old; /* the store on disk still has the old name */
            free(n);
            return r;
        }
        free(old);
        return 0;
    }
    return -ENOENT;
}
