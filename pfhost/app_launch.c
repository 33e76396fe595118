/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "app_launch.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Launch ids longer than the Hello allows are refused before matching. */
#define LAUNCH_ID_MAX 128u

static int has_prefix(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

/* A positive decimal number with nothing after it (no sign, no space, no leading zero). */
static int parse_number(const char *s, uint32_t *ret)
{
    uint64_t v = 0;
    if (*s < '1' || *s > '9')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10u + (uint64_t)(*s - '0');
        if (v > UINT32_MAX)
            return -1;
    }
    *ret = (uint32_t)v;
    return 0;
}

static int runs_steam_game(const char *cmd, uint32_t game)
{
    char want[64];
    snprintf(want, sizeof(want), "steam://rungameid/%u", game);
    for (const char *p = cmd ? strstr(cmd, want) : NULL; p; p = strstr(p + 1, want)) {
        char next = p[strlen(want)];
        if (next < '0' || next > '9') /* 570 must not match 5700 */
            return 1;
    }
    return 0;
}

const app *app_launch_find(const app_catalog *c, const uint8_t *id, size_t len)
{
    char s[LAUNCH_ID_MAX + 1];
    if (!c || !id || !len || len > LAUNCH_ID_MAX || memchr(id, 0, len))
        return NULL;
    memcpy(s, id, len);
    s[len] = 0;
    uint32_t n;
    if (has_prefix(s, "pfhost:"))
        return parse_number(s + 7, &n) == 0 ? apps_find(c, n) : NULL;
    if (parse_number(s, &n) == 0)
        return apps_find(c, n);
    if (has_prefix(s, "steam:")) {
        if (parse_number(s + 6, &n) < 0)
            return NULL;
        for (size_t i = 0; i < c->n; i++) {
            if (runs_steam_game(c->v[i].cmd, n))
                return &c->v[i];
            for (size_t j = 0; j < c->v[i].ndetached; j++)
                if (runs_steam_game(c->v[i].detached[j], n))
                    return &c->v[i];
        }
        return NULL;
    }
    const char *name = has_prefix(s, "name:") ? s + 5 : s;
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].name && !strcasecmp(c->v[i].name, name))
            return &c->v[i];
    return NULL;
}
