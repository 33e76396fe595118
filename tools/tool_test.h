/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared by the tools' tests: run a command, read its JSON. */
#ifndef PF_TOOLS_TOOL_TEST_H
#define PF_TOOLS_TOOL_TEST_H

#include <json-c/json.h>

/* Runs `sh -c CMD`; returns its exit status (-1 when it did not exit) and its stdout
 * (malloc'd, NUL-terminated) in *ret_out when not NULL. */
int tool_run(const char *cmd, char **ret_out);
/* The member @p key of @p o; fails the running test when it is absent. */
json_object *tool_json_get(json_object *o, const char *key);
/* rm -rf @p dir; 0 or -1. */
int tool_remove_dir(const char *dir);

#endif
