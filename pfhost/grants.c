/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "grants.h"

#include <stdio.h>
#include <string.h>

#include "pf/core/pkf1.h"

/* §3.6, bit i = names[i]. */
static const char *const names[8] = {"gamepad", "pointer",  "keyboard", "clipboard",
                                     "mic",     "launch",   "power",    "manage_games"};

static int bit_of(const char *name, size_t len)
{
    for (int i = 0; i < 8; i++)
        if (strlen(names[i]) == len && !strncmp(names[i], name, len))
            return i;
    return -1;
}

json_object *grants_to_json(uint32_t grants)
{
    json_object *a = json_object_new_array();
    grants = pf_pkf1_grants_normalize(grants);
    for (int i = 0; i < 8; i++)
        if (grants & (1u << i))
            json_object_array_add(a, json_object_new_string(names[i]));
    return a;
}

const char *grants_all_names(void)
{
    return "gamepad, pointer, keyboard, clipboard, mic, launch, power, manage_games";
}

int grants_from_json(json_object *arr, uint32_t *ret, char *err, size_t err_len)
{
    if (!json_object_is_type(arr, json_type_array)) {
        snprintf(err, err_len, "\"grants\" is an array of names (%s)", grants_all_names());
        return -1;
    }
    uint32_t mask = 0;
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        const char *s = json_object_is_type(e, json_type_string) ? json_object_get_string(e)
                                                                 : NULL;
        int b = s ? bit_of(s, strlen(s)) : -1;
        if (b < 0) {
            snprintf(err, err_len, "unknown grant %s%.40s%s; grants are %s", s ? "\"" : "",
                     s ? s : "(not a string)", s ? "\"" : "", grants_all_names());
            return -1;
        }
        mask |= 1u << b;
    }
    *ret = mask;
    return 0;
}

int grants_parse_list(const char *list, uint32_t *ret)
{
    if (!strcmp(list, "all")) {
        *ret = PF_PKF1_GRANT_ALL;
        return 0;
    }
    if (!strcmp(list, "none")) {
        *ret = 0;
        return 0;
    }
    uint32_t mask = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        int b = bit_of(p, n);
        if (b < 0)
            return -1;
        mask |= 1u << b;
        p += n;
        if (*p == ',')
            p++;
    }
    *ret = mask;
    return *list ? 0 : -1;
}
