/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for what the web console's endpoints parse from the network: the Cookie header
 * (session lookup), the Host header (rebinding check), console file paths, and settings
 * bodies (JSON applied to a config file). Input: byte 0 selects the parser, the rest is its
 * input. Oracles: a found session's id is in the Cookie header; an accepted file path has no
 * "..", hidden or empty segment; an accepted Host that is no IP literal is one of the names; settings written
 * to the file load again with the config parser. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "fileio.h"
#include "mgmt_auth.h"
#include "mgmt_session.h"
#include "mgmt_settings.h"
#include "mgmt_static.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static char *text_of(const uint8_t *d, size_t n)
{
    char *s = malloc(n + 1);
    if (!s)
        abort();
    memcpy(s, d, n);
    s[n] = '\0';
    return s;
}

static void cookie(const char *s)
{
    static console_auth a;
    static int ready;
    if (!ready) {
        if (console_auth_init(&a, "/nonexistent/pf-fuzz-password") < 0)
            abort();
        ready = 1;
    }
    const console_session *known = console_session_new(&a, 1000);
    const console_session *found = console_session_find(&a, s, 1001);
    if (found && (found != known || !strstr(s, known->id)))
        abort();
    console_session_end(&a, known);
}

static void host(const char *s)
{
    const char *names[] = {"localhost", "gamebox", "gamebox.local"};
    if (!mgmt_host_ok(s, names, 3))
        return;
    if (s[0] == '[')
        return; /* an IPv6 literal: checked by inet_pton inside */
    /* Otherwise the part before the port must be an IPv4 literal or a listed name. */
    char name[300];
    snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, ":"), s);
    size_t n = strlen(name);
    if (n > 1 && name[n - 1] == '.')
        name[n - 1] = '\0';
    struct in_addr a4;
    if (inet_pton(AF_INET, name, &a4) == 1)
        return;
    for (size_t i = 0; i < 3; i++)
        if (strcasecmp(name, names[i]) == 0)
            return;
    abort();
}

static void path(const char *s)
{
    /* No absolute path, no segment that is ".." or hidden, no empty segment. */
    if (console_safe_path(s) &&
        (s[0] == '/' || s[0] == '.' || strstr(s, "/.") || strstr(s, "//") || s[strlen(s) - 1] == '/'))
        abort();
}

static void settings(const char *s)
{
    static char dir[64];
    if (!dir[0]) {
        snprintf(dir, sizeof(dir), "/tmp/pf-fuzz-settings-XXXXXX");
        if (!mkdtemp(dir))
            abort();
    }
    host_config c = {0};
    c.config_path = path_join(dir, "pfhost.conf");
    file_write_atomic(c.config_path, "# seed\nhttp_port = 1\n", 21, 0600);
    json_object *body = json_tokener_parse(s), *ret = NULL;
    host_config nc;
    unsigned st = settings_update(&c, body, &ret, &nc);
    if (!ret)
        abort();
    json_object_put(ret);
    json_object_put(body);
    config_free(&nc);
    if (st == 200) {
        host_config back;
        char err[256];
        if (config_load(&back, c.config_path, err, sizeof(err)) < 0)
            abort(); /* the console wrote a file pfhost cannot read */
        config_free(&back);
    }
    unlink(c.config_path);
    free(c.config_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 1 || len > 4096)
        return 0;
    char *s = text_of(data + 1, len - 1);
    switch (data[0] % 4) {
    case 0:
        cookie(s);
        break;
    case 1:
        host(s);
        break;
    case 2:
        path(s);
        break;
    default:
        settings(s);
        break;
    }
    free(s);
    return 0;
}
