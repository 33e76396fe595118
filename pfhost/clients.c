/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "clients.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

static int save(const client_store *s)
{
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    json_object_object_add(root, "version", json_object_new_int(1));
    json_object_object_add(root, "clients", arr);
    for (size_t i = 0; i < s->n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(s->v[i].id));
        json_object_object_add(o, "name", json_object_new_string(s->v[i].name));
        json_object_object_add(o, "cert", json_object_new_string(s->v[i].cert_pem));
        json_object_object_add(o, "first_seen", json_object_new_int64(s->v[i].first_seen));
        json_object_object_add(o, "last_seen", json_object_new_int64(s->v[i].last_seen));
        json_object_array_add(arr, o);
    }
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
    int r = text ? file_write_atomic(s->path, text, strlen(text), 0600) : -ENOMEM;
    json_object_put(root);
    return r;
}

static void client_clear(paired_client *c)
{
    free(c->name);
    free(c->cert_pem);
    memset(c, 0, sizeof(*c));
}

int clients_load(client_store *s, const char *path, char *err, size_t err_len)
{
    memset(s, 0, sizeof(*s));
    s->path = strdup(path);
    if (!s->path) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    char *data;
    int r = file_read(path, 16 << 20, &data, NULL);
    if (r == -ENOENT)
        return 0;
    if (r < 0) {
        snprintf(err, err_len, "cannot read %s: %s", path, strerror(-r));
        return -1;
    }
    json_object *root = json_tokener_parse(data);
    free(data);
    json_object *arr;
    if (!root || !json_object_object_get_ex(root, "clients", &arr) ||
        !json_object_is_type(arr, json_type_array)) {
        snprintf(err, err_len, "%s is not a client list; fix or remove it", path);
        json_object_put(root);
        return -1;
    }
    size_t n = json_object_array_length(arr);
    s->v = calloc(n ? n : 1, sizeof(*s->v));
    for (size_t i = 0; s->v && i < n; i++) {
        json_object *o = json_object_array_get_idx(arr, i), *id, *name, *cert, *f, *l;
        if (!json_object_object_get_ex(o, "id", &id) ||
            !json_object_object_get_ex(o, "cert", &cert) ||
            strlen(json_object_get_string(id)) != 16)
            continue;
        paired_client *c = &s->v[s->n++];
        snprintf(c->id, sizeof(c->id), "%s", json_object_get_string(id));
        c->name = strdup(json_object_object_get_ex(o, "name", &name)
                             ? json_object_get_string(name)
                             : "unknown");
        c->cert_pem = strdup(json_object_get_string(cert));
        c->first_seen = json_object_object_get_ex(o, "first_seen", &f) ? json_object_get_int64(f)
                                                                         : 0;
        c->last_seen = json_object_object_get_ex(o, "last_seen", &l) ? json_object_get_int64(l)
                                                                       : 0;
    }
    json_object_put(root);
    return 0;
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

int clients_add(client_store *s, const char *id, const char *name, const char *cert_pem,
                int64_t now)
{
    paired_client *c = (paired_client *)clients_find(s, id);
    if (!c) {
        paired_client *v = realloc(s->v, (s->n + 1) * sizeof(*v));
        if (!v)
            return -ENOMEM;
        s->v = v;
        c = &s->v[s->n++];
        memset(c, 0, sizeof(*c));
        snprintf(c->id, sizeof(c->id), "%s", id);
        c->first_seen = now;
    }
    free(c->name);
    free(c->cert_pem);
    c->name = strdup(name ? name : "unknown");
    c->cert_pem = strdup(cert_pem);
    c->last_seen = now;
    if (!c->name || !c->cert_pem)
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
        json_object_object_add(o, "name", json_object_new_string(s->v[i].name));
        json_object_object_add(o, "first_seen", json_object_new_int64(s->v[i].first_seen));
        json_object_object_add(o, "last_seen", json_object_new_int64(s->v[i].last_seen));
        json_object_array_add(arr, o);
    }
    return arr;
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
