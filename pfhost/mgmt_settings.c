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

typedef struct setting_def {
    const char *key, *type, *def, *desc;
    int live; /* takes effect without a restart */
} setting_def;

static const setting_def defs[] = {
    {"hostname", "string", "", "Name clients show for this host (empty: the machine's name)", 0},
    {"address", "address", "", "Address the GameStream ports listen on (empty: all)", 0},
    {"external_address", "address", "", "WAN IPv4 address reported to clients as ExternalIP", 0},
    {"http_port", "port", "47989", "GameStream HTTP port (serverinfo, pairing)", 0},
    {"https_port", "port", "47984", "GameStream HTTPS port (paired clients)", 0},
    {"rtsp_port", "port", "48010", "RTSP port of the stream handshake", 0},
    {"api_address", "address", "127.0.0.1",
     "Address of the management API and this console; any non-loopback address is served "
     "over HTTPS only", 0},
    {"api_port", "port", "47990", "Port of the management API and this console (0: any)", 0},
    {"api_hosts", "string", "",
     "Further host names this console is opened as (comma-separated); requests naming any "
     "other host are refused", 1},
    {"apps", "path", "", "The app catalog file (default: apps.json in the config directory)", 0},
    {"mdns", "bool", "yes", "Announce the host on the local network (mDNS)", 0},
    {"hevc", "codec", "auto", "Offer HEVC: auto = only from a hardware encoder", 0},
    {"av1", "codec", "auto", "Offer AV1: auto = only from a hardware encoder", 0},
    {"pin_wait", "seconds", "120", "How long a pairing client waits for its PIN", 0},
    {"pin_ttl", "seconds", "60", "How long an entered PIN stays usable", 0},
    {"pair_max_failures", "count", "3", "Failed pairings before pairing locks", 0},
    {"pair_lockout", "seconds", "300", "How long pairing stays locked", 0},
    {"api_max_failures", "count", "5", "Wrong API tokens from one address before it is locked out", 1},
    {"api_lockout", "seconds", "60", "How long an address stays locked out of the API", 1},
};
#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static const setting_def *find_def(const char *key)
{
    for (size_t i = 0; i < NDEFS; i++)
        if (strcmp(defs[i].key, key) == 0)
            return &defs[i];
    return NULL;
}

int settings_is_live(const char *key)
{
    const setting_def *d = find_def(key);
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
    for (size_t i = 0; i < NDEFS; i++) {
        const setting_def *d = &defs[i];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "key", json_object_new_string(d->key));
        json_object_object_add(j, "type", json_object_new_string(d->type));
        size_t st, ln;
        char *v = text && find_line(text, d->key, &st, &ln) == 0 ? line_value(text, st, ln) : NULL;
        json_object_object_add(j, "value", v ? json_object_new_string(v) : NULL);
        free(v);
        json_object_object_add(j, "default", json_object_new_string(d->def));
        json_object_object_add(j, "description", json_object_new_string(d->desc));
        json_object_object_add(j, "restart", json_object_new_boolean(!d->live));
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

static const char *reason_for(const setting_def *d)
{
    if (!strcmp(d->type, "port"))
        return "must be a port number 0-65535";
    if (!strcmp(d->type, "bool"))
        return "must be yes or no";
    if (!strcmp(d->type, "codec"))
        return "must be auto, yes or no";
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
        const setting_def *d = find_def(key);
        const char *why = NULL;
        if (!d)
            why = "unknown key";
        else if (val && !json_object_is_type(val, json_type_string))
            why = "must be a string or null";
        else if (val) {
            const char *v = json_object_get_string(val);
            why = extra_check(key, v);
            if (!why && config_set(ret_new, key, v) < 0)
                why = reason_for(d);
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
