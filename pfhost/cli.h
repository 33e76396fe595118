/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef PFHOST_CLI_H
#define PFHOST_CLI_H

#include "config.h"

/* Exit statuses of every pfhost command. */
#define EXIT_OK 0
#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define EXIT_NOT_RUNNING 3

/* Commands that talk to a running host through its management API. */
/* With @p pin NULL, lists the pairing attempts waiting for a PIN; else hands @p pin to the
 * attempt @p attempt (NULL: the only one waiting). */
int cli_pin(const host_config *cfg, const char *pin, const char *attempt);
/* Arms punktfunk/1 pairing on the running host and prints the PIN to enter on the device. */
int cli_pair_native(const host_config *cfg);
int cli_clients_list(const host_config *cfg);
int cli_clients_unpair(const host_config *cfg, const char *id);
/* PATCHes a native client's grants: @p list is "all", "none" or names separated by commas. */
int cli_clients_grants(const host_config *cfg, const char *id, const char *list);
/* Reads the catalog file; works whether or not the host runs. */
int cli_apps_list(const host_config *cfg);

#endif
