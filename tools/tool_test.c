/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "tool_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cmocka.h>

int tool_run(const char *cmd, char **ret_out)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 20, len = 0, n;
    char *out = malloc(cap);
    assert_non_null(out);
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (len + 1 == cap) {
            out = realloc(out, cap *= 2);
            assert_non_null(out);
        }
    }
    out[len] = '\0';
    int st = pclose(p);
    if (ret_out)
        *ret_out = out;
    else
        free(out);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

json_object *tool_json_get(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v))
        fail_msg("missing \"%s\"", key);
    return v;
}

int tool_remove_dir(const char *dir)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}
