/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "mgmt_settings.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "help.h"

/* The keys, their defaults, meanings and value kinds are help.c's table: the console lists
 * exactly what config_load() reads and pfhost(1) documents. */
int settings_is_live(const char *key)
{
    const help_config_key *d = help_config_key_find(key);
    return d && d->live;
}

/* The line "key = value" of @p key in @p text: its start and length, or -1. */
static int find_line(const char *text, const char *key, size_t *start, size_t *len)
{
    size_t kl = strlen(key);
    const char *p = text;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t ll = eol ? (size_t)(eol - p) : strlen(p);
        const char *s = p;
        while (s < p + ll && isspace((unsigned char)*s))
            s++;
        if ((size_t)(p + ll - s) > kl && strncmp(s, key, kl) == 0) {
            const char *e = s + kl;
            while (e < p + ll && isspace((unsigned char)*e))
                e++;
            if (e < p + ll && *e == '=') {
                *start = (size_t)(p - text);
                *len = ll;
                return 0;
            }
        }
        if (!eol)
            break;
        p = eol + 1;
    }
    return -1;
}

static char *line_value(const char *text, size_t start, size_t len)
{
    const char *eq = memchr(text + start, '=', len);
    const char *v = eq + 1, *end = text + start + len;
    while (v < end && isspace((unsigned char)*v))
        v++;
    while (end > v && isspace((unsigned char)end[-1]))
        end--;
    return strndup(v, (size_t)(end - v));
}

json_object *settings_to_json(const host_config *cfg)
{
    char *text = NULL;
    if (file_read(cfg->config_path, 1 << 20, &text, NULL) < 0)
        text = NULL;
    json_object *o = json_object_new_object(), *a = json_object_new_array();
    json_object_object_add(o, "path", json_object_new_string(cfg->config_path));
    for (size_t i = 0; i < help_config_keys_n; i++) {
        const help_config_key *d = &help_config_keys[i];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "key", json_object_new_string(d->key));
        json_object_object_add(j, "type", json_object_new_string(d->type));
        size_t st, ln;
        char *v = text && find_line(text, d->key, &st, &ln) == 0 ? line_value(text, st, ln) : NULL;
        json_object_object_add(j, "value", v ? json_object_new_string(v) : NULL);
        free(v);
        /* A default the host computes (the machine's name, a path in the config directory)
         * has no config value: null, and default_text says what it is. */
        json_object_object_add(j, "default", d->default_value
                                                 ? json_object_new_string(d->default_value)
                                                 : NULL);
        json_object_object_add(j, "default_text", json_object_new_string(d->default_text));
        json_object_object_add(j, "description", json_object_new_string(d->doc));
        json_object_object_add(j, "restart", json_object_new_boolean(!d->live));
        if (d->choices) {
            json_object *opts = json_object_new_array();
            for (const char *const *c = d->choices; *c; c++)
                json_object_array_add(opts, json_object_new_string(*c));
            json_object_object_add(j, "options", opts);
        }
        json_object_array_add(a, j);
    }
    free(text);
    json_object_object_add(o, "settings", a);
    return o;
}

/* Beyond what the config parser checks: what pfhost would refuse at start. */
static const char *extra_check(const char *key, const char *v)
{
    struct in_addr a4;
    struct in6_addr a6;
    if (strchr(v, '\n') || strchr(v, '\r') || strchr(v, '#'))
        return "must be one line without '#'";
    if (!strcmp(key, "api_address") && strcmp(v, "localhost") != 0 &&
        inet_pton(AF_INET, v, &a4) != 1 && inet_pton(AF_INET6, v, &a6) != 1)
        return "must be a numeric IP address or localhost";
    if (!strcmp(key, "address") && *v && inet_pton(AF_INET, v, &a4) != 1 &&
        inet_pton(AF_INET6, v, &a6) != 1)
        return "must be a numeric IP address (or empty for all)";
    if (!strcmp(key, "hostname") && strlen(v) > 63)
        return "at most 63 characters";
    if (!*v && (!strcmp(key, "hostname") || !strcmp(key, "apps") || !strcmp(key, "api_address")))
        return "must not be empty (null restores the default)";
    return NULL;
}

static const char *reason_for(const help_config_key *d, char *buf, size_t cap)
{
    if (d->choices) {
        size_t n = (size_t)snprintf(buf, cap, "must be one of:");
        for (const char *const *c = d->choices; *c && n < cap; c++)
            n += (size_t)snprintf(buf + n, cap - n, "%s %s", c == d->choices ? "" : ",", *c);
        return buf;
    }
    if (!strcmp(d->type, "port"))
        return "must be a port number 0-65535";
    if (!strcmp(d->type, "seconds") || !strcmp(d->type, "count"))
        return "must be a whole number in range";
    if (!strcmp(d->type, "address"))
        return "must be an IP address";
    return "invalid value";
}

/* Replaces, adds or (value NULL) removes the line of @p key. */
static char *edit(char *text, const char *key, const char *value)
{
    size_t st, ln, tl = strlen(text);
    char line[1200] = "";
    if (value)
        snprintf(line, sizeof(line), "%s = %s", key, value);
    char *out;
    if (find_line(text, key, &st, &ln) == 0) {
        size_t skip = ln + (!value && text[st + ln] == '\n' ? 1 : 0);
        out = malloc(tl - skip + strlen(line) + 1);
        if (!out)
            return NULL;
        memcpy(out, text, st);
        strcpy(out + st, line);
        strcat(out, text + st + skip);
    } else if (value) {
        int nl = tl && text[tl - 1] != '\n';
        out = malloc(tl + strlen(line) + 3);
        if (!out)
            return NULL;
        sprintf(out, "%s%s%s\n", text, nl ? "\n" : "", line);
    } else {
        out = strdup(text);
    }
    free(text);
    return out;
}

/* 1 when pfhost's own loader takes @p text whole, as it will at the next start: the key
 * checks above are the console's; this one is the host's. */
static int loads(const char *text, char *why, size_t cap)
{
    char dir[] = "/tmp/pfhost-settings-XXXXXX";
    if (!mkdtemp(dir)) {
        snprintf(why, cap, "cannot check the file: %s", strerror(errno));
        return 0;
    }
    char *path = path_join(dir, "pfhost.conf"), *good = path_join(dir, "pfhost.conf.good");
    int ok = path && good && file_write_atomic(path, text, strlen(text), 0600) == 0;
    if (ok) {
        host_config c;
        char err[512] = "";
        ok = config_load(&c, path, err, sizeof(err)) == 0;
        config_free(&c);
        /* The loader names the checked copy; the user knows the file by its own name. */
        const char *at = strstr(err, "pfhost.conf:");
        snprintf(why, cap, "%s", at ? at + 12 : err);
    }
    if (path)
        unlink(path);
    if (good)
        unlink(good);
    rmdir(dir);
    free(path);
    free(good);
    return ok;
}

unsigned settings_update(const host_config *cfg, json_object *body, json_object **ret,
                         host_config *ret_new)
{
    json_object *values, *fields = json_object_new_object();
    memset(ret_new, 0, sizeof(*ret_new));
    if (!body || !json_object_object_get_ex(body, "values", &values) ||
        !json_object_is_type(values, json_type_object)) {
        json_object_put(fields);
        *ret = json_object_new_object();
        json_object_object_add(*ret, "error",
                               json_object_new_string("expected {\"values\": {key: value}}"));
        return 400;
    }
    int bad = 0;
    json_object_object_foreach(values, key, val)
    {
        const help_config_key *d = help_config_key_find(key);
        const char *why = NULL;
        char reason[200];
        if (!d)
            why = "unknown key";
        else if (val && !json_object_is_type(val, json_type_string))
            why = "must be a string or null";
        else if (val) {
            const char *v = json_object_get_string(val);
            why = extra_check(key, v);
            if (!why && config_set(ret_new, key, v) < 0)
                why = reason_for(d, reason, sizeof(reason));
        }
        if (why) {
            json_object_object_add(fields, key, json_object_new_string(why));
            bad = 1;
        }
    }
    if (bad) {
        *ret = json_object_new_object();
        json_object_object_add(*ret, "error", json_object_new_string("some values are invalid"));
        json_object_object_add(*ret, "fields", fields);
        return 400;
    }
    json_object_put(fields);
    char *text = NULL;
    int r = file_read(cfg->config_path, 1 << 20, &text, NULL);
    if (r == -ENOENT) {
        text = strdup("# pfhost configuration (edited by the web console keeps comments)\n");
        r = text ? 0 : -ENOMEM;
    }
    json_object *restart = json_object_new_array(), *applied = json_object_new_array();
    json_object_object_foreach(values, k2, v2)
    {
        if (r == 0 && !(text = edit(text, k2, v2 ? json_object_get_string(v2) : NULL)))
            r = -ENOMEM;
        json_object_array_add(settings_is_live(k2) ? applied : restart,
                              json_object_new_string(k2));
    }
    char why[600] = "";
    if (r == 0 && !loads(text, why, sizeof(why))) {
        free(text);
        json_object_put(restart);
        json_object_put(applied);
        *ret = json_object_new_object();
        char msg[700];
        snprintf(msg, sizeof(msg), "pfhost would not read the changed file: %s", why);
        json_object_object_add(*ret, "error", json_object_new_string(msg));
        return 400;
    }
    if (r == 0) {
        char *dir = strdup(cfg->config_path), *slash = dir ? strrchr(dir, '/') : NULL;
        if (slash && slash != dir) {
            *slash = '\0';
            dir_create(dir, 0700);
        }
        free(dir);
        r = file_write_atomic(cfg->config_path, text, strlen(text), 0600);
    }
    free(text);
    if (r < 0) {
        json_object_put(restart);
        json_object_put(applied);
        *ret = json_object_new_object();
        char msg[300];
        snprintf(msg, sizeof(msg), "cannot write %s: %s", cfg->config_path, strerror(-r));
        json_object_object_add(*ret, "error", json_object_new_string(msg));
        return 500;
    }
    *ret = json_object_new_object();
    json_object_object_add(*ret, "saved", json_object_new_boolean(1));
    json_object_object_add(*ret, "restart_needed", restart);
    json_object_object_add(*ret, "applied", applied);
    return 200;
}
