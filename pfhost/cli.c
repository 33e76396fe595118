/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "apps.h"
#include "fileio.h"
#include "grants.h"
#include "httpc.h"

typedef struct api_target {
    char host[128];
    uint16_t port;
    int tls;
    char auth[128];
    char *cert_pem;
} api_target;

static int find_host(const host_config *cfg, api_target *t)
{
    memset(t, 0, sizeof(*t));
    char *rp = path_join(cfg->runtime_dir, "runtime.json"), *data = NULL;
    int r = rp ? file_read(rp, 65536, &data, NULL) : -ENOMEM;
    if (r < 0) {
        fprintf(stderr, "pfhost: no running host found (%s: %s); start it with `pfhost serve`\n",
                rp ? rp : "runtime.json", strerror(-r));
        free(rp);
        return EXIT_NOT_RUNNING;
    }
    free(rp);
    json_object *o = json_tokener_parse(data), *url, *tok;
    free(data);
    char scheme[8];
    unsigned port;
    if (!o || !json_object_object_get_ex(o, "api_url", &url) ||
        !json_object_object_get_ex(o, "token_file", &tok) ||
        sscanf(json_object_get_string(url), "%7[a-z]://%127[^/]", scheme, t->host) != 2) {
        json_object_put(o);
        fprintf(stderr, "pfhost: the runtime file is damaged; restart the host\n");
        return EXIT_FAIL;
    }
    /* host part is "addr:port" or "[v6]:port" */
    char *colon = strrchr(t->host, ':');
    if (!colon || sscanf(colon + 1, "%u", &port) != 1 || port == 0 || port > 65535) {
        json_object_put(o);
        fprintf(stderr, "pfhost: the runtime file is damaged; restart the host\n");
        return EXIT_FAIL;
    }
    *colon = '\0';
    if (t->host[0] == '[') {
        memmove(t->host, t->host + 1, strlen(t->host));
        t->host[strcspn(t->host, "]")] = '\0';
    }
    t->port = (uint16_t)port;
    t->tls = strcmp(scheme, "https") == 0;
    char *token = NULL;
    r = file_read(json_object_get_string(tok), 1024, &token, NULL);
    if (r < 0) {
        fprintf(stderr, "pfhost: cannot read the API token %s: %s\n",
                json_object_get_string(tok), strerror(-r));
        json_object_put(o);
        return EXIT_FAIL;
    }
    token[strcspn(token, "\r\n")] = '\0';
    snprintf(t->auth, sizeof(t->auth), "Authorization: Bearer %s\r\n", token);
    free(token);
    json_object_put(o);
    if (t->tls) {
        char *cp = path_join(cfg->state_dir, "cert.pem");
        if (!cp || file_read(cp, 65536, &t->cert_pem, NULL) < 0) {
            fprintf(stderr, "pfhost: cannot read the host certificate to check the API\n");
            free(cp);
            return EXIT_FAIL;
        }
        free(cp);
    }
    return EXIT_OK;
}

/* Sends one API request; prints the error message and returns an exit status on failure. */
static int call(const host_config *cfg, const char *method, const char *path, const char *body,
                json_object **ret)
{
    api_target t;
    int st = find_host(cfg, &t);
    if (st != EXIT_OK)
        return st;
    httpc_tls tls = {.pinned_cert_pem = t.cert_pem};
    char headers[256];
    snprintf(headers, sizeof(headers), "%s%s", t.auth,
             body ? "Content-Type: application/json\r\n" : "");
    httpc_response resp;
    int r = httpc_request(t.host, t.port, t.tls ? &tls : NULL, method, path, headers, body,
                          body ? strlen(body) : 0, 10000, &resp);
    free(t.cert_pem);
    free(tls.server_der);
    memset(&t, 0, sizeof(t));
    if (r < 0) {
        fprintf(stderr, "pfhost: the host does not answer on its management API (%s)\n",
                strerror(-r));
        return r == -ECONNREFUSED ? EXIT_NOT_RUNNING : EXIT_FAIL;
    }
    json_object *j = json_tokener_parse(resp.body);
    free(resp.body);
    if (resp.status < 200 || resp.status > 299) {
        json_object *e;
        fprintf(stderr, "pfhost: %s (HTTP %d)\n",
                j && json_object_object_get_ex(j, "error", &e) ? json_object_get_string(e)
                                                               : "request failed",
                resp.status);
        json_object_put(j);
        return EXIT_FAIL;
    }
    *ret = j;
    return EXIT_OK;
}

/* Prints the attempts waiting for a PIN; returns how many, or -1 with the exit status in
 * *st when the host could not be asked. */
static int print_attempts(const host_config *cfg, int *st)
{
    json_object *out = NULL, *arr;
    *st = call(cfg, "GET", "/api/v1/pairing", NULL, &out);
    if (*st != EXIT_OK)
        return -1;
    int n = 0;
    if (json_object_object_get_ex(out, "attempts", &arr)) {
        n = (int)json_object_array_length(arr);
        if (n == 0)
            printf("no pairing attempt waits for a PIN\n");
        else
            printf("%-10s %-24s %-16s %s\n", "ATTEMPT", "CLIENT NAME", "ADDRESS", "WAITING");
        for (int i = 0; i < n; i++) {
            json_object *a = json_object_array_get_idx(arr, (size_t)i), *id, *name, *addr, *age;
            json_object_object_get_ex(a, "id", &id);
            json_object_object_get_ex(a, "name", &name);
            json_object_object_get_ex(a, "address", &addr);
            json_object_object_get_ex(a, "age_s", &age);
            printf("%-10s %-24s %-16s %ds\n", json_object_get_string(id),
                   json_object_get_string(name), json_object_get_string(addr),
                   json_object_get_int(age));
        }
    }
    json_object_put(out);
    return n;
}

int cli_pin(const host_config *cfg, const char *pin, const char *attempt)
{
    int st;
    if (!pin) {
        print_attempts(cfg, &st);
        return st;
    }
    size_t n = strlen(pin);
    if (n != 4 || strspn(pin, "0123456789") != 4) {
        fprintf(stderr, "pfhost: the PIN is the four digits the client shows\n");
        return EXIT_USAGE;
    }
    json_object *body = json_object_new_object(), *out = NULL;
    json_object_object_add(body, "pin", json_object_new_string(pin));
    if (attempt)
        json_object_object_add(body, "attempt", json_object_new_string(attempt));
    st = call(cfg, "POST", "/api/v1/pin", json_object_to_json_string(body), &out);
    json_object_put(body);
    json_object_put(out);
    if (st == EXIT_OK) {
        printf("PIN handed to the host; the client completes pairing now\n");
    } else if (st == EXIT_FAIL && !attempt) {
        /* Several attempts wait (or none): show them so the user can pick with --attempt. */
        int ignored;
        if (print_attempts(cfg, &ignored) > 1)
            fprintf(stderr, "pfhost: pick the attempt of your client: pfhost pin --attempt "
                            "ID %s\n",
                    pin);
    }
    return st;
}

int cli_pair_native(const host_config *cfg)
{
    json_object *out = NULL, *pin, *exp;
    int st = call(cfg, "POST", "/api/v1/native/pair", "{}", &out);
    if (st == EXIT_OK && json_object_object_get_ex(out, "pin", &pin) &&
        json_object_object_get_ex(out, "expires_s", &exp))
        printf("PIN %s: enter it on the punktfunk device within %d s (one attempt)\n",
               json_object_get_string(pin), json_object_get_int(exp));
    json_object_put(out);
    return st;
}

int cli_clients_list(const host_config *cfg)
{
    json_object *out = NULL, *arr;
    int st = call(cfg, "GET", "/api/v1/clients", NULL, &out);
    if (st != EXIT_OK)
        return st;
    if (json_object_object_get_ex(out, "clients", &arr)) {
        size_t n = json_object_array_length(arr);
        if (n == 0)
            printf("no paired clients\n");
        for (size_t i = 0; i < n; i++) {
            json_object *c = json_object_array_get_idx(arr, i), *id, *name, *kind = NULL;
            json_object *grants = NULL;
            json_object_object_get_ex(c, "id", &id);
            json_object_object_get_ex(c, "name", &name);
            json_object_object_get_ex(c, "kind", &kind);
            json_object_object_get_ex(c, "grants", &grants);
            printf("%s  %-9s  %s", json_object_get_string(id),
                   kind ? json_object_get_string(kind) : "moonlight",
                   json_object_get_string(name));
            if (grants) {
                /* native clients: what they may do (§3.6) */
                size_t ng = json_object_array_length(grants);
                printf("  [");
                for (size_t g = 0; g < ng; g++)
                    printf("%s%s", g ? "," : "",
                           json_object_get_string(json_object_array_get_idx(grants, g)));
                printf("%s]", ng ? "" : "view only");
            }
            printf("\n");
        }
    }
    json_object_put(out);
    return EXIT_OK;
}

int cli_clients_unpair(const host_config *cfg, const char *id)
{
    size_t n = strlen(id);
    if ((n != 16 && n != 64) || strspn(id, "0123456789abcdef") != n) {
        fprintf(stderr, "pfhost: a client id is 16 (Moonlight) or 64 (punktfunk/1) hex digits "
                        "(see `pfhost clients list`)\n");
        return EXIT_USAGE;
    }
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/clients/%s", id);
    json_object *out = NULL;
    int st = call(cfg, "DELETE", path, NULL, &out);
    json_object_put(out);
    if (st == EXIT_OK)
        printf("client %s unpaired\n", id);
    return st;
}

int cli_clients_grants(const host_config *cfg, const char *id, const char *list)
{
    uint32_t mask;
    if (strlen(id) != 64 || strspn(id, "0123456789abcdef") != 64) {
        fprintf(stderr, "pfhost: grants apply to punktfunk/1 clients, whose ids are 64 hex "
                        "digits (see `pfhost clients list`)\n");
        return EXIT_USAGE;
    }
    if (grants_parse_list(list, &mask) < 0) {
        fprintf(stderr, "pfhost: grants are \"all\", \"none\" or a comma-separated list of: "
                        "%s\n", grants_all_names());
        return EXIT_USAGE;
    }
    json_object *body = json_object_new_object(), *out = NULL, *g;
    json_object_object_add(body, "grants", grants_to_json(mask));
    char path[128];
    snprintf(path, sizeof(path), "/api/v1/clients/%s", id);
    int st = call(cfg, "PATCH", path, json_object_to_json_string(body), &out);
    json_object_put(body);
    if (st == EXIT_OK && json_object_object_get_ex(out, "grants", &g))
        printf("client %s may now: %s\n", id,
               json_object_array_length(g) ? json_object_to_json_string(g) : "view only");
    json_object_put(out);
    return st;
}

int cli_apps_list(const host_config *cfg)
{
    app_catalog c;
    char err[512] = "";
    if (apps_load(&c, cfg->apps_file, err, sizeof(err)) < 0) {
        fprintf(stderr, "pfhost: %s\n", err);
        apps_free(&c);
        return EXIT_FAIL;
    }
    for (size_t i = 0; i < c.n; i++)
        printf("%u  %s%s%s\n", c.v[i].id, c.v[i].name, c.v[i].cmd ? "  -> " : "",
               c.v[i].cmd ? c.v[i].cmd : "");
    apps_free(&c);
    return EXIT_OK;
}
