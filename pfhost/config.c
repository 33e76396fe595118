/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* pfhost.conf: "key = value" lines, '#' comments. Unknown keys are errors so that a typo
 * never silently keeps a default. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "help.h"

static char *xdg_dir(const char *env, const char *fallback)
{
    const char *v = getenv(env);
    if (v && v[0] == '/')
        return path_join(v, "pfhost");
    const char *home = getenv("HOME");
    char *base = path_join(home && *home ? home : "/tmp", fallback);
    char *r = base ? path_join(base, "pfhost") : NULL;
    free(base);
    return r;
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = v ? strdup(v) : NULL;
}

static int parse_u32(const char *v, uint32_t max, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || end == v || *end || n > max || *v == '-')
        return -1;
    *out = (uint32_t)n;
    return 0;
}

static int parse_bool(const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "off") || !strcmp(v, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

static int parse_codec_policy(const char *v, int *out)
{
    int on;
    if (!strcmp(v, "auto"))
        *out = CONFIG_CODEC_AUTO;
    else if (parse_bool(v, &on) == 0)
        *out = on ? CONFIG_CODEC_ON : CONFIG_CODEC_OFF;
    else
        return -1;
    return 0;
}

static int set_key(host_config *c, const char *k, const char *v)
{
    uint32_t n;
    struct {
        const char *key;
        uint16_t *port;
        uint32_t *u32;
        uint32_t max;
    } nums[] = {
        {"http_port", &c->http_port, NULL, 65535},
        {"https_port", &c->https_port, NULL, 65535},
        {"rtsp_port", &c->rtsp_port, NULL, 65535},
        {"api_port", &c->api_port, NULL, 65535},
        {"pin_wait", NULL, &c->pin_wait_s, 3600},
        {"pin_ttl", NULL, &c->pin_ttl_s, 3600},
        {"connect_timeout", NULL, &c->connect_timeout_s, 3600},
        {"pair_max_failures", NULL, &c->pair_max_failures, 1000},
        {"pair_lockout", NULL, &c->pair_lockout_s, 86400},
        {"api_max_failures", NULL, &c->api_max_failures, 1000},
        {"api_lockout", NULL, &c->api_lockout_s, 86400},
        {"native_port", &c->native_port, NULL, 65535},
        {"native_pin_ttl", NULL, &c->native_pin_ttl_s, 3600},
    };
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        if (strcmp(k, nums[i].key) != 0)
            continue;
        if (parse_u32(v, nums[i].max, &n) < 0)
            return -1;
        if (nums[i].port)
            *nums[i].port = (uint16_t)n;
        else
            *nums[i].u32 = n;
        return 0;
    }
    if (!strcmp(k, "hostname"))
        set_str(&c->hostname, v);
    else if (!strcmp(k, "address"))
        set_str(&c->address, *v ? v : NULL);
    else if (!strcmp(k, "api_address"))
        set_str(&c->api_address, v);
    else if (!strcmp(k, "external_address")) {
        struct in_addr ip;
        if (*v && inet_pton(AF_INET, v, &ip) != 1)
            return -1;
        set_str(&c->external_address, *v ? v : NULL);
    }
    else if (!strcmp(k, "apps"))
        set_str(&c->apps_file, v);
    else if (!strcmp(k, "vdisplay")) {
        /* The backends desktop.c opens, as help.c lists them ("auto" first); a typo is an
         * error. */
        const char *const *known = help_config_key_find("vdisplay")->choices;
        size_t i = 0;
        while (known[i] && strcmp(v, known[i]))
            i++;
        if (!known[i])
            return -1;
        set_str(&c->vdisplay, i ? v : NULL);
    }
    else if (!strcmp(k, "mdns"))
        return parse_bool(v, &c->mdns);
    else if (!strcmp(k, "native"))
        return parse_bool(v, &c->native);
    else if (!strcmp(k, "native_address")) {
        struct in6_addr ip;
        if (*v && inet_pton(AF_INET, v, &ip) != 1 && inet_pton(AF_INET6, v, &ip) != 1)
            return -1;
        set_str(&c->native_address, *v ? v : NULL);
    }
    else if (!strcmp(k, "hevc"))
        return parse_codec_policy(v, &c->hevc);
    else if (!strcmp(k, "av1"))
        return parse_codec_policy(v, &c->av1);
    else if (!strcmp(k, "api_hosts"))
        set_str(&c->api_hosts, *v ? v : NULL);
    else
        return -2;
    return 0;
}

int config_set(host_config *c, const char *key, const char *value)
{
    return set_key(c, key, value);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

static int parse_lines(host_config *c, char *data, char *err, size_t err_len)
{
    int line = 0;
    char *cursor = data;
    for (char *l = strsep(&cursor, "\n"); l; l = strsep(&cursor, "\n")) {
        line++;
        char *s = trim(l);
        if (!*s || *s == '#')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(err, err_len, "%s:%d: expected key = value", c->config_path, line);
            return -1;
        }
        *eq = '\0';
        char *k = trim(s), *v = trim(eq + 1);
        /* Only documented keys exist: help.c's table is what pfhost(1) lists. */
        int kr = help_config_key_find(k) ? set_key(c, k, v) : -2;
        if (kr < 0) {
            snprintf(err, err_len, "%s:%d: %s \"%s\"", c->config_path, line,
                     kr == -2 ? "unknown key" : "bad value for", k);
            return -1;
        }
    }
    return 0;
}

/* The settings a file can change, at their defaults (strings newly allocated). */
static int set_defaults(host_config *c)
{
    char hn[256] = "punktfunk";
    if (gethostname(hn, sizeof(hn) - 1) < 0 || !hn[0])
        snprintf(hn, sizeof(hn), "punktfunk");
    c->hostname = strdup(hn);
    c->api_address = strdup("127.0.0.1");
    c->apps_file = path_join(c->config_dir, "apps.json");
    c->address = c->external_address = NULL;
    c->http_port = 47989;
    c->https_port = 47984;
    c->rtsp_port = 48010;
    c->api_port = 47990;
    c->mdns = 1;
    c->native = 1;
    c->native_address = NULL;
    c->native_port = 9777; /* punktfunk/1 (native-protocol.md §1.1) */
    c->native_pin_ttl_s = 120;
    c->hevc = c->av1 = 0;
    c->pin_wait_s = 120;
    c->pin_ttl_s = 60;
    c->pair_max_failures = 3;
    c->pair_lockout_s = 300;
    c->api_max_failures = 5;
    c->api_lockout_s = 60;
    c->connect_timeout_s = 30;
    return c->hostname && c->api_address && c->apps_file ? 0 : -1;
}

static void free_settings(host_config *c)
{
    char **strs[] = {&c->hostname,         &c->address,  &c->api_address,
                     &c->external_address, &c->apps_file, &c->vdisplay,
                     &c->native_address};
    for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
        free(*strs[i]);
        *strs[i] = NULL;
    }
}

int config_load(host_config *c, const char *path, char *err, size_t err_len)
{
    memset(c, 0, sizeof(*c));
    c->config_dir = xdg_dir("XDG_CONFIG_HOME", ".config");
    c->state_dir = xdg_dir("XDG_STATE_HOME", ".local/state");
    const char *rt = getenv("XDG_RUNTIME_DIR");
    c->runtime_dir = rt && rt[0] == '/' ? path_join(rt, "pfhost") : NULL;
    if (!c->runtime_dir && c->state_dir)
        c->runtime_dir = strdup(c->state_dir);
    if (!c->config_dir || !c->state_dir || !c->runtime_dir || set_defaults(c) < 0) {
        snprintf(err, err_len, "out of memory");
        return -1;
    }
    c->config_path = path ? strdup(path) : path_join(c->config_dir, "pfhost.conf");
    char *data = NULL;
    size_t len = 0;
    int r = file_read(c->config_path, 1 << 20, &data, &len);
    if (r == -ENOENT && !path)
        return 0;
    if (r < 0) {
        snprintf(err, err_len, "cannot read %s: %s", c->config_path, strerror(-r));
        return -1;
    }
    /* parse_lines cuts the text up; the good copy is taken of the original. */
    char *orig = malloc(len + 1);
    if (orig)
        memcpy(orig, data, len + 1);
    if (parse_lines(c, data, err, err_len) == 0) {
        if (orig)
            file_keep_good(c->config_path, orig, len);
        free(orig);
        free(data);
        return 0;
    }
    free(orig);
    free(data);
    data = NULL;
    /* A bad value must not keep the host from starting: the last copy that loaded is used
     * (the user's file is left as it is, to be fixed). */
    char reason[512], *good = malloc(strlen(c->config_path) + 6);
    snprintf(reason, sizeof(reason), "%s", err);
    if (good)
        sprintf(good, "%s.good", c->config_path);
    free_settings(c);
    int ok = set_defaults(c) == 0 && good && file_read(good, 1 << 20, &data, NULL) == 0 &&
             parse_lines(c, data, err, err_len) == 0;
    if (ok) {
        snprintf(err, err_len, "%s; using the last good copy %s", reason, good);
        file_warn("%s", err);
    } else {
        free_settings(c);
        if (set_defaults(c) < 0) {
            snprintf(err, err_len, "out of memory");
            free(good);
            free(data);
            return -1;
        }
        snprintf(err, err_len, "%s; no good copy: using the defaults", reason);
        file_warn("%s", err);
    }
    free(good);
    free(data);
    return 1;
}

void config_remove_stale_temps(const host_config *c)
{
    static const char *const state[] = {"clients.json", "clients.json.good", "key.pem",
                                        "cert.pem", "uniqueid"};
    static const char *const config[] = {"api-token", "pfhost.conf.good"};
    for (size_t i = 0; i < sizeof(state) / sizeof(state[0]); i++) {
        char *p = path_join(c->state_dir, state[i]);
        if (p)
            file_remove_stale_temps(p);
        free(p);
    }
    for (size_t i = 0; i < sizeof(config) / sizeof(config[0]); i++) {
        char *p = path_join(c->config_dir, config[i]);
        if (p)
            file_remove_stale_temps(p);
        free(p);
    }
    char *good = malloc(strlen(c->apps_file) + 6);
    if (good) {
        sprintf(good, "%s.good", c->apps_file);
        file_remove_stale_temps(good);
    }
    free(good);
    file_remove_stale_temps(c->apps_file);
}

void config_free(host_config *c)
{
    free(c->config_path);
    free(c->config_dir);
    free(c->state_dir);
    free(c->runtime_dir);
    free(c->vdisplay);
    free(c->hostname);
    free(c->address);
    free(c->external_address);
    free(c->native_address);
    free(c->api_address);
    free(c->apps_file);
    free(c->api_hosts);
    memset(c, 0, sizeof(*c));
}
