/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_GRANTS_H
#define PFHOST_GRANTS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* A punktfunk/1 client's access grants (native-protocol.md §3.6) by name, as the management
 * API and `pfhost clients grants` spell them: gamepad, pointer, keyboard, clipboard, mic,
 * launch, power, manage_games. The store keeps the bit mask. */

/* A JSON array of the names set in @p grants, in bit order; caller owns it. */
json_object *grants_to_json(uint32_t grants);
/* An array of names (an empty array: view only) to the mask. 0, or -1 with the reason. */
int grants_from_json(json_object *arr, uint32_t *ret, char *err, size_t err_len);
/* "all", "none" or names separated by commas ("gamepad,pointer") to the mask. 0 or -1. */
int grants_parse_list(const char *list, uint32_t *ret);
/* The names of every grant separated by ", " (for messages). */
const char *grants_all_names(void);

#endif
