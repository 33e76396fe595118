/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_MGMT_SETTINGS_H
#define PFHOST_MGMT_SETTINGS_H

#include <json-c/json.h>

#include "config.h"

/* The config file as the console edits it: every key of help.c's table with its type,
 * default, meaning and whether a change needs a restart; changes are validated key by key
 * with the same parser pfhost reads the file with, and written atomically (0600) keeping
 * comments and order. */

/* {"path", "settings": [{key, type, value|null, default|null, default_text, description,
 * restart, options?}]} in help.c's order; default is null where the host computes it. */
json_object *settings_to_json(const host_config *cfg);
/* Applies {"values": {key: "text" | null}} (null: back to the default) to the file.
 * Returns 200 with {"saved", "restart_needed": [...], "applied": [...]}, 400 with
 * {"error", "fields": {key: reason}}, or 500. Keys that take effect at once are returned in
 * "applied"; the caller applies them to the running host from @p ret_cfg_changes (a config
 * holding just the new values, valid until the next call). */
unsigned settings_update(const host_config *cfg, json_object *body, json_object **ret,
                         host_config *ret_new);
/* 1 when @p key takes effect without a restart (help.c's live flag). */
int settings_is_live(const char *key);

#endif
