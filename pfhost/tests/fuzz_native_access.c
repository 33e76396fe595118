/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for what decides a punktfunk/1 client's access from network input: the grants
 * body of PATCH /api/v1/clients/{id} (a JSON array of names), the grant list of `pfhost
 * clients grants`, and the Hello's launch id matched against the app catalog. Input: byte 0
 * selects the parser, the rest is its input. Oracles: accepted grants name only the eight
 * bits and survive a round trip through their JSON form; a matched app is one of the
 * catalog's, and a "pfhost:N" or "N" id matches app N only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "app_launch.h"
#include "grants.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len);

static void grants_json(const uint8_t *d, size_t n)
{
    json_tokener *tok = json_tokener_new();
    json_object *j = json_tokener_parse_ex(tok, (const char *)d, (int)n);
    json_tokener_free(tok);
    uint32_t mask, again;
    char err[200];
    if (j && grants_from_json(j, &mask, err, sizeof(err)) == 0) {
        if (mask > 0xffu)
            abort();
        json_object *back = grants_to_json(mask);
        if (grants_from_json(back, &again, err, sizeof(err)) < 0 ||
            (again != mask && !(mask == 63 || mask == 127)))
            abort();
        json_object_put(back);
    }
    json_object_put(j);
}

static void grants_list(const char *s)
{
    uint32_t mask;
    if (grants_parse_list(s, &mask) == 0 && mask > 0xffu)
        abort();
}

static void launch_id(const uint8_t *d, size_t n)
{
    static app v[3];
    static char *det[] = {"steam steam://rungameid/570"};
    static app_catalog c;
    if (!c.n) {
        v[0] = (app){.id = 1, .name = "Desktop"};
        v[1] = (app){.id = 2, .name = "Dota", .detached = det, .ndetached = 1};
        v[2] = (app){.id = 30, .name = "Game", .cmd = "steam steam://rungameid/5700"};
        c.v = v;
        c.n = 3;
    }
    const app *a = app_launch_find(&c, d, n);
    if (a && (a < v || a >= v + 3))
        abort();
    char s[200];
    if (a && n < sizeof(s)) {
        memcpy(s, d, n);
        s[n] = 0;
        const char *num = !strncmp(s, "pfhost:", 7) ? s + 7 : s;
        char *end;
        unsigned long id = strtoul(num, &end, 10);
        if (*num >= '1' && *num <= '9' && !*end && id != a->id)
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
    if (len < 1 || len > 4096)
        return 0;
    char *s = malloc(len);
    if (!s)
        abort();
    memcpy(s, data + 1, len - 1);
    s[len - 1] = '\0';
    switch (data[0] % 3) {
    case 0:
        grants_json(data + 1, len - 1);
        break;
    case 1:
        grants_list(s);
        break;
    default:
        launch_id(data + 1, len - 1);
        break;
    }
    free(s);
    return 0;
}
