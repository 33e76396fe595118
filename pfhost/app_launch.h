/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_APP_LAUNCH_H
#define PFHOST_APP_LAUNCH_H

#include <stddef.h>
#include <stdint.h>

#include "apps.h"

/* The app a punktfunk/1 Hello's `launch` names (native-protocol.md §3.1: a store-qualified id
 * such as "steam:570", UTF-8, at most 128 bytes), in this host's catalog:
 *   "pfhost:ID" or "ID"   the catalog's app number ID (what GET /api/v1/apps lists);
 *   "steam:N"             the app whose command or detached command runs steam://rungameid/N
 *                         (how Sunshine catalogs start Steam games);
 *   "name:NAME" or NAME   the app of that name, ignoring ASCII case.
 * @p id is borrowed and need not be NUL-terminated; any bytes are safe. Returns the app
 * (borrowed from @p c) or NULL when none matches. */
const app *app_launch_find(const app_catalog *c, const uint8_t *id, size_t len);

#endif
