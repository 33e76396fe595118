/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "apps.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"

#define MAX_APPS 1000u
#define MAX_STR 4096u
#define MAX_ART (8u << 20)
/* Moonlight keeps app ids in a signed 32-bit int. */
#define APP_ID_MAX 2147483647u

void app_clear(app *a)
{
    free(a->name);
    free(a->cmd);
    free(a->working_dir);
    free(a->image_path);
    for (size_t i = 0; i < a->ndetached; i++)
        free(a->detached[i]);
    free(a->detached);
    for (size_t i = 0; i < a->nprep; i++) {
        free(a->prep[i].do_cmd);
        free(a->prep[i].undo_cmd);
    }
    free(a->prep);
    memset(a, 0, sizeof(*a));
}

/* Optional string member: absent is fine, anything but a string of sane length is not. */
static int opt_str(json_object *j, const char *key, char **out, char *err, size_t err_len)
{
    json_object *v;
    *out = NULL;
    if (!json_object_object_get_ex(j, key, &v) || json_object_is_type(v, json_type_null))
        return 0;
    if (!json_object_is_type(v, json_type_string) ||
        strlen(json_object_get_string(v)) > MAX_STR) {
        snprintf(err, err_len, "\"%s\" must be a string of at most %u bytes", key, MAX_STR);
        return -1;
    }
    const char *s = json_object_get_string(v);
    *out = *s ? strdup(s) : NULL;
    return 0;
}

int app_from_json(json_object *j, app *out, char *err, size_t err_len)
{
    memset(out, 0, sizeof(*out));
    if (!json_object_is_type(j, json_type_object)) {
        snprintf(err, err_len, "an app must be a JSON object");
        return -1;
    }
    json_object *v;
    if (json_object_object_get_ex(j, "id", &v)) {
        int64_t id = json_object_get_int64(v);
        if (!json_object_is_type(v, json_type_int) || id < 0 || id > APP_ID_MAX) {
            snprintf(err, err_len, "\"id\" must be an integer from 1 to %u", APP_ID_MAX);
            return -1;
        }
        out->id = (uint32_t)id;
    }
    if (opt_str(j, "name", &out->name, err, err_len) < 0 || !out->name) {
        if (!out->name && !*err)
            snprintf(err, err_len, "\"name\" is required");
        app_clear(out);
        return -1;
    }
    if (opt_str(j, "cmd", &out->cmd, err, err_len) < 0 ||
        opt_str(j, "working-dir", &out->working_dir, err, err_len) < 0 ||
        opt_str(j, "image-path", &out->image_path, err, err_len) < 0)
        goto fail;
    if (json_object_object_get_ex(j, "detached", &v)) {
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 64) {
            snprintf(err, err_len, "\"detached\" must be a list of commands");
            goto fail;
        }
        size_t n = json_object_array_length(v);
        out->detached = calloc(n ? n : 1, sizeof(char *));
        for (size_t i = 0; out->detached && i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);
            if (!json_object_is_type(e, json_type_string)) {
                snprintf(err, err_len, "\"detached\" entries must be strings");
                goto fail;
            }
            out->detached[out->ndetached++] = strdup(json_object_get_string(e));
        }
    }
    if (json_object_object_get_ex(j, "prep-cmd", &v)) {
        if (!json_object_is_type(v, json_type_array) || json_object_array_length(v) > 64) {
            snprintf(err, err_len, "\"prep-cmd\" must be a list of {do, undo}");
            goto fail;
        }
        size_t n = json_object_array_length(v);
        out->prep = calloc(n ? n : 1, sizeof(app_prep));
        for (size_t i = 0; out->prep && i < n; i++) {
            json_object *e = json_object_array_get_idx(v, i);
            app_prep *p = &out->prep[out->nprep++];
            if (!json_object_is_type(e, json_type_object) ||
                opt_str(e, "do", &p->do_cmd, err, err_len) < 0 ||
                opt_str(e, "undo", &p->undo_cmd, err, err_len) < 0) {
                if (!*err)
                    snprintf(err, err_len, "\"prep-cmd\" entries must be objects");
                goto fail;
            }
        }
    }
    return 0;
fail:
    app_clear(out);
    return -1;
}

json_object *app_to_json(const app *a)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "id", json_object_new_int64(a->id));
    json_object_object_add(o, "name", json_object_new_string(a->name));
    if (a->cmd)
        json_object_object_add(o, "cmd", json_object_new_string(a->cmd));
    if (a->working_dir)
        json_object_object_add(o, "working-dir", json_object_new_string(a->working_dir));
    if (a->image_path)
        json_object_object_add(o, "image-path", json_object_new_string(a->image_path));
    json_object *d = json_object_new_array();
    for (size_t i = 0; i < a->ndetached; i++)
        json_object_array_add(d, json_object_new_string(a->detached[i]));
    json_object_object_add(o, "detached", d);
    json_object *p = json_object_new_array();
    for (size_t i = 0; i < a->nprep; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "do", json_object_new_string(a->prep[i].do_cmd ? a->prep[i].do_cmd : ""));
        json_object_object_add(e, "undo", json_object_new_string(a->prep[i].undo_cmd ? a->prep[i].undo_cmd : ""));
        json_object_array_add(p, e);
    }
    json_object_object_add(o, "prep-cmd", p);
    return o;
}

/* One above the highest id, so the ids of removed apps are not reused while clients may
 * still show them; past APP_ID_MAX, the lowest free id (at most MAX_APPS are taken). */
static uint32_t next_id(const app_catalog *c)
{
    uint32_t max = 0;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id > max)
            max = c->v[i].id;
    if (max < APP_ID_MAX)
        return max + 1;
    uint32_t id = 1;
    while (apps_find(c, id))
        id++;
    return id;
}

static int default_catalog(app_catalog *c)
{
    c->v = calloc(1, sizeof(app));
    if (!c->v || !(c->v[0].name = strdup("Desktop")))
        return -1;
    c->v[0].id = 1;
    c->n = 1;
    return 0;
}

static void clear_apps(app_catalog *c)
{
    for (size_t i = 0; i < c->n; i++)
        app_clear(&c->v[i]);
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

static int parse_catalog(void *ctx, const char *path, const char *data, char *err,
                         size_t err_len)
{
    app_catalog *c = ctx;
    json_object *root = json_tokener_parse(data);
    json_object *arr;
    if (!root || !json_object_object_get_ex(root, "apps", &arr) ||
        !json_object_is_type(arr, json_type_array) ||
        json_object_array_length(arr) > MAX_APPS) {
        snprintf(err, err_len, "%s: expected {\"apps\": [...]} (Sunshine apps.json format)",
                 path);
        json_object_put(root);
        return -1;
    }
    size_t n = json_object_array_length(arr);
    c->v = calloc(n ? n : 1, sizeof(app));
    for (size_t i = 0; c->v && i < n; i++) {
        char e[200] = "";
        app a;
        if (app_from_json(json_object_array_get_idx(arr, i), &a, e, sizeof(e)) < 0) {
            snprintf(err, err_len, "%s: app %zu: %s", path, i + 1, e);
            json_object_put(root);
            return -1;
        }
        if (a.id == 0 || apps_find(c, a.id))
            a.id = 0;
        c->v[c->n++] = a;
    }
    /* Sunshine files carry no ids: number them in file order after any explicit ones. */
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id == 0)
            c->v[i].id = next_id(c);
    json_object_put(root);
    if (!c->v) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    return 0;
}

static void reset_catalog(void *ctx)
{
    clear_apps(ctx);
}

int apps_load(app_catalog *c, const char *path, char *err, size_t err_len)
{
    memset(c, 0, sizeof(*c));
    c->path = strdup(path);
    char *tmp = strdup(path);
    c->dir = tmp ? strdup(dirname(tmp)) : NULL;
    free(tmp);
    if (!c->path || !c->dir) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    file_loader l = {c, parse_catalog, reset_catalog, "the default catalog"};
    int r = file_load_checked(path, 4 << 20, &l, err, err_len);
    /* A missing or empty-handed catalog is the default one ("Desktop"). */
    if ((r == -ENOENT || (r == 1 && c->n == 0)) && default_catalog(c) < 0)
        return -1;
    return r == -ENOENT ? 0 : r;
}

void apps_free(app_catalog *c)
{
    for (size_t i = 0; i < c->n; i++)
        app_clear(&c->v[i]);
    free(c->v);
    free(c->path);
    free(c->dir);
    free(c->art);
    memset(c, 0, sizeof(*c));
}

int apps_save(const app_catalog *c)
{
    json_object *root = json_object_new_object(), *arr = json_object_new_array();
    for (size_t i = 0; i < c->n; i++)
        json_object_array_add(arr, app_to_json(&c->v[i]));
    json_object_object_add(root, "apps", arr);
    const char *text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY);
    int r = dir_create(c->dir, 0700);
    if (r == 0)
        r = file_write_atomic(c->path, text, strlen(text), 0644);
    if (r == 0)
        file_keep_good(c->path, text, strlen(text));
    json_object_put(root);
    return r;
}

const app *apps_find(const app_catalog *c, uint32_t id)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].id == id)
            return &c->v[i];
    return NULL;
}

int apps_put(app_catalog *c, app *a)
{
    app *slot = a->id ? (app *)apps_find(c, a->id) : NULL;
    if (!slot) {
        if (c->n >= MAX_APPS)
            return -ENOSPC;
        app *v = realloc(c->v, (c->n + 1) * sizeof(app));
        if (!v)
            return -ENOMEM;
        c->v = v;
        if (!a->id)
            a->id = next_id(c);
        slot = &c->v[c->n++];
    } else {
        app_clear(slot);
    }
    *slot = *a;
    memset(a, 0, sizeof(*a));
    return apps_save(c);
}

int apps_remove(app_catalog *c, uint32_t id)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->v[i].id != id)
            continue;
        app_clear(&c->v[i]);
        memmove(&c->v[i], &c->v[i + 1], (c->n - i - 1) * sizeof(app));
        c->n--;
        return apps_save(c);
    }
    return -ENOENT;
}

int apps_art(app_catalog *c, uint32_t id, const uint8_t **ret, size_t *ret_len)
{
    const app *a = apps_find(c, id);
    if (!a)
        return -ENOENT;
    if (a->image_path) {
        char *p = a->image_path[0] == '/' ? strdup(a->image_path)
                                          : path_join(c->dir, a->image_path);
        char *data = NULL;
        size_t len = 0;
        int r = p ? file_read(p, MAX_ART, &data, &len) : -ENOMEM;
        free(p);
        /* Only PNG is served: that is the Content-Type clients are told. */
        if (r == 0 && len > 8 && memcmp(data, "\x89PNG\r\n\x1a\n", 8) == 0) {
            free(c->art);
            c->art = (uint8_t *)data;
            c->art_len = len;
            *ret = c->art;
            *ret_len = len;
            return 0;
        }
        free(data);
    }
    *ret = apps_default_art(ret_len);
    return 0;
}

int apps_reorder(app_catalog *c, const uint32_t *ids, size_t n)
{
    if (n != c->n)
        return -EINVAL;
    app *v = calloc(n ? n : 1, sizeof(app));
    if (!v)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const app *a = apps_find(c, ids[i]);
        int dup = 0;
        for (size_t j = 0; j < i; j++)
            dup |= ids[j] == ids[i];
        if (!a || dup) {
            free(v);
            return -EINVAL;
        }
        v[i] = *a;
    }
    app *old = c->v;
    c->v = v;
    int r = apps_save(c);
    if (r < 0) {
        c->v = old;
        free(v);
        return r;
    }
    free(old);
    return 0;
}
